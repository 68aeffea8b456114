import type { Finding } from "../analysis/findings.js";
import { sourceOf, type FindingList, type FindingSource } from "../analysis/finding-records.js";
import { MadeOnRead, type ReadList } from "../analysis/made-on-read.js";
import { named as hasUse } from "../analysis/engine.js";
import type { Rule } from "../analysis/rule.js";
import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import {
  ATLAS_MITIGATIONS,
  ATLAS_TECHNIQUES,
  ATLAS_VERSION,
  COSAI_RISKS,
  NIST_IDS,
  OWASP_IDS,
} from "../catalog/frameworks.js";
import type { Location } from "../diagnostics/diagnostic.js";
import type { ResolvedModel } from "../semantic/model.js";
import { locationView, type LocationView } from "./location-view.js";

/** An external id with its name, as outputs show it. */
export interface MappingView {
  id: string;
  name: string;
}

/**
 * A finding as every output sees it: names instead of indices, lines and columns instead of offsets,
 * mappings with their names. findings.json, SARIF, JUnit, reports and checklists all read this one
 * shape, so they cannot disagree about a finding.
 */
export interface FindingView {
  id: string;
  fingerprint: string;
  rule: string;
  category: "threat" | "assumption";
  title: string;
  message: string;
  subject: { type: "component" | "flow" | "data"; name: string; kind: string; title?: string };
  location: LocationView;
  facts: FactView[];
  likelihood: string;
  impact: string;
  severity: string;
  rationale: string;
  status: "open" | "mitigated" | "accepted";
  mitigatedBy: { control: string; impliedBy?: string; location: LocationView }[];
  residual: { likelihood: string; severity: string };
  acceptance?: {
    reason: string;
    owner: string;
    expires: string;
    expired: boolean;
    ticket?: string;
    location: LocationView;
  };
  /**
   * `declared`: the subject declares it where it counts against this finding; `bypassed`: the subject
   * declares it, but this finding's threat goes around it (`aithreat explain` says how).
   */
  recommended: {
    control: string;
    title: string;
    atlas: MappingView[];
    declared: boolean;
    bypassed: boolean;
  }[];
  mappings: {
    stride: string[];
    atlasVersion: string;
    atlas: MappingView[];
    owasp: MappingView[];
    nist: MappingView[];
    cosai: MappingView[];
  };
  /** Who answers for the subject: its owner, else its zone's, else its system's. */
  owner?: string;
  /** The system (file-level `system`) the subject belongs to, if any. */
  system?: string;
}

/** One line of "why it fired" as outputs show it. */
export interface FactView {
  text: string;
  location: LocationView;
}

/** The `mitigatedBy` of every finding no declared control mitigates (views are read-only). */
const NONE_MITIGATING: FindingView["mitigatedBy"] = [];

const named = (ids: readonly string[], names: ReadonlyMap<string, string>): MappingView[] =>
  ids.map((id) => ({ id, name: names.get(id) ?? "" }));

/**
 * The views of a list of findings, in its order, made when read (ADR 0021): `at(i)`, iteration and
 * the array methods give a view made on the call, which reads through the findings' records, so the
 * outputs keep no view object per finding (the lists they sort or group hold theirs while they are
 * written). A plain `FindingView[]` is one too (tests).
 */
export type FindingViewList = ReadList<FindingView>;

/** Builds the views of every finding (same order as the input, which the engine sorts by id). */
export function findingsView(
  model: ResolvedModel,
  findings: FindingList,
  rules: readonly Rule[],
): FindingViews {
  const src = sourceOf(findings);
  const byId = new Map(rules.map((r) => [r.meta.id, r.meta]));
  const atlasNames = new Map([...ATLAS_TECHNIQUES].map(([id, t]) => [id, t.name]));
  // A rule's mappings and a control's title and mitigations are the same for each of their findings:
  // built once and shared (views are read-only), not once per finding.
  const mappingsOf = new Map<string, FindingView["mappings"]>();
  const mappings = (rule: string) => {
    let m = mappingsOf.get(rule);
    if (!m) {
      const meta = byId.get(rule);
      m = {
        stride: [...(meta?.stride ?? [])],
        atlasVersion: ATLAS_VERSION,
        atlas: named(meta?.atlas ?? [], atlasNames),
        owasp: named(meta?.owasp ?? [], OWASP_IDS),
        nist: named(meta?.nist ?? [], NIST_IDS),
        cosai: named(meta?.cosai ?? [], COSAI_RISKS),
      };
      mappingsOf.set(rule, m);
    }
    return m;
  };
  const locations = locationTable();
  const n = src.length;
  // Each fact's location, looked up once here, as its place in the table of location views, in one
  // typed column for every view (`factLocations[factStart[i] + j]`); the finding's own location the
  // same way. A view's facts are made from it on each read and not kept.
  const factStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) factStart[i + 1] = factStart[i]! + src.factCount(i);
  const factLocations = new Int32Array(factStart[n]!);
  const location = new Int32Array(n);
  // Each mitigation's location the same way: outputs read a finding's mitigations several times
  // (findings.json, the checklist, SARIF, the report), and each read looked every location up again.
  const mitigationStart = new Int32Array(n + 1);
  for (let i = 0; i < n; i++) mitigationStart[i + 1] = mitigationStart[i]! + src.mitigatedBy(i).length;
  const mitigationLocations = new Int32Array(mitigationStart[n]!);
  // What the views of one rule's findings share (nearly always one object per rule), by number.
  const sharedList: RuleShared[] = [];
  const shared = new Int32Array(n);
  const ruleShared = new Map<string, number>();
  // Each finding's subject info, looked up once here: every view made reads it, and outputs make a
  // view per finding per pass (one pointer per finding, where each view made looked it up by subject
  // type and index through the records).
  const abouts: SubjectInfo[] = [];
  const ctx = new ViewContext(
    src,
    locations.views,
    factStart,
    factLocations,
    location,
    { start: mitigationStart, locations: mitigationLocations },
    {
      list: sharedList,
      of: shared,
    },
    abouts,
  );
  const about = subjectInfo(model);
  for (let i = 0; i < n; i++) {
    abouts.push(about(src.subjectType(i), src.subjectIndex(i)));
    const start = factStart[i]!;
    const facts = src.factCount(i);
    for (let j = 0; j < facts; j++) factLocations[start + j] = locations.indexOf(src.factLocation(i, j));
    location[i] = locations.indexOf(src.location(i));
    const uses = src.mitigatedBy(i);
    for (let j = 0; j < uses.length; j++)
      mitigationLocations[mitigationStart[i]! + j] = locations.indexOf(uses[j]!.loc);
    const rule = src.rule(i);
    const title = src.title(i);
    const category = src.category(i);
    let r = ruleShared.get(rule);
    if (r === undefined || sharedList[r]!.title !== title || sharedList[r]!.category !== category) {
      const k = sharedList.push({ rule, category, title, mappings: mappings(rule), ctx }) - 1;
      if (r === undefined) ruleShared.set(rule, k);
      r = k;
    }
    shared[i] = r;
  }
  return new FindingViews(ctx);
}

/** The views of one build, made when read (see `FindingViewList`). */
export class FindingViews extends MadeOnRead<FindingView> implements FindingViewList {
  readonly length: number;
  constructor(private readonly ctx: ViewContext) {
    super();
    this.length = ctx.src.length;
  }
  protected item(i: number): FindingView {
    return new CompactFindingView(i, this.ctx);
  }
  /** What `JSON.stringify` writes: the list of plain views. */
  toJSON(): FindingView[] {
    return this.map(plainView);
  }
  /** The records the views read: a field of finding i without making its view. */
  get source(): FindingSource {
    return this.ctx.src;
  }
  /**
   * What the views of each rule share (its id, category, title, mappings), the first of each rule
   * first, in the order of their first findings: a rule's first finding's, without a view per finding.
   */
  get rulesShared(): readonly Pick<FindingView, "rule" | "category" | "title" | "mappings">[] {
    return this.ctx.rulesShared;
  }
  /**
   * The title and ATLAS mitigations of every built-in control some finding recommends, by id (the
   * objects the views' recommendations carry), read from the records: no view or list per finding.
   */
  recommendedControls(): Map<string, { title: string; atlas: MappingView[] }> {
    const src = this.ctx.src;
    const controls = new Map<string, { title: string; atlas: MappingView[] }>();
    // Findings of a rule share one list of ids: a list just read is skipped.
    let last: readonly string[] | undefined;
    for (let i = 0; i < src.length; i++) {
      const ids = src.recommended(i);
      if (ids === last) continue;
      last = ids;
      for (const id of ids) if (!controls.has(id)) controls.set(id, this.ctx.control(id));
    }
    return controls;
  }
}

/** The fields outputs pick findings by, read by number: no view made (a plain list reads its views). */
export interface ViewFields {
  status(i: number): FindingView["status"];
  severity(i: number): string;
}

/** `ViewFields` of a view list: the records of built views, else the views themselves. */
export function viewFields(list: FindingViewList): ViewFields {
  if (list instanceof FindingViews) return list.source;
  return { status: (i) => list.at(i)!.status, severity: (i) => list.at(i)!.severity };
}

/** Compares two findings of `list` by id, given their numbers (positions in it). */
export function compareNumbersById(list: FindingViewList): (a: number, b: number) => number {
  // Views of one build are in id order, each id once.
  if (list instanceof FindingViews) return (a, b) => a - b;
  return (a, b) => compareViewIds(list.at(a)!, list.at(b)!);
}

/** A list of findings an output keeps to read in part: its length, a slice, the array methods. */
export type FindingRows = ReadList<FindingView> & { slice(start?: number, end?: number): FindingView[] };

/**
 * Items made on read from numbers (`make(numbers[i])`): what an output keeps of the findings it picked
 * (SARIF's results and mitigated findings, the report's tables) is their numbers, not a view or an
 * object per finding held until the file is written.
 */
export class ByNumber<T> extends MadeOnRead<T> {
  readonly length: number;
  constructor(
    private readonly numbers: ArrayLike<number>,
    private readonly make: (n: number) => T,
  ) {
    super();
    this.length = numbers.length;
  }
  protected item(i: number): T {
    return this.make(this.numbers[i]!);
  }
  /** Items `start` to `end` (not included), as `Array.prototype.slice` (no negative bounds). */
  slice(start = 0, end = this.length): T[] {
    const out: T[] = [];
    for (let i = Math.max(0, start); i < Math.min(end, this.length); i++) out.push(this.item(i));
    return out;
  }
  /** What `JSON.stringify` writes: the items as a list. */
  toJSON(): T[] {
    return this.map((x) => x);
  }
}

/**
 * What every view of one build reads through: the findings, typed columns per finding (where its
 * facts' location indices start, its location's index, its rule's shared object), and the objects
 * views share, made on first read (residual pairs, recommended lists, acceptances).
 */
class ViewContext {
  private readonly controlOf = new Map<string, { title: string; atlas: MappingView[] }>();
  /** The recommended list of a finding whose subject declares none of it, per list (most findings). */
  /** The place (+1) in `recommendedLists` of the list of findings whose subject declares none of it. */
  private readonly undeclaredAt = new Map<readonly string[], number>();
  /** Per finding, the place (+1) of its recommended list in `recommendedLists`; 0 before its first read. */
  private readonly recommendedSlot: Int32Array;
  private readonly recommendedLists: FindingView["recommended"][] = [];
  private readonly residuals = new Map<string, Map<string, FindingView["residual"]>>();
  /** The acceptance view of each accepted finding, made once (few findings are accepted). */
  private readonly acceptances = new Map<number, FindingView["acceptance"]>();
  constructor(
    readonly src: FindingSource,
    readonly locationViews: readonly LocationView[],
    readonly factStart: Int32Array,
    readonly factLocations: Int32Array,
    private readonly locationOf: Int32Array,
    /** Finding i's mitigations' location indices: `locations[start[i] + j]`. */
    private readonly mitigationLocations: { start: Int32Array; locations: Int32Array },
    private readonly shared: { list: readonly RuleShared[]; of: Int32Array },
    private readonly abouts: readonly SubjectInfo[],
  ) {
    this.recommendedSlot = new Int32Array(src.length);
  }
  /** Every rule's shared objects, in the order of their first findings. */
  get rulesShared(): readonly RuleShared[] {
    return this.shared.list;
  }
  /** Finding i's rule's shared object. */
  sharedOf(i: number): RuleShared {
    return this.shared.list[this.shared.of[i]!]!;
  }
  subjectOf(i: number): SubjectInfo {
    return this.abouts[i]!;
  }
  locationAt(i: number): LocationView {
    return this.locationViews[this.locationOf[i]!]!;
  }
  control(id: string): { title: string; atlas: MappingView[] } {
    let c = this.controlOf.get(id);
    if (!c) this.controlOf.set(id, (c = builtinControlView(id)));
    return c;
  }
  /** Residual pairs repeat on most findings: one object per pair, shared. */
  residual(likelihood: string, severity: string): FindingView["residual"] {
    let bySeverity = this.residuals.get(likelihood);
    if (!bySeverity)
      this.residuals.set(likelihood, (bySeverity = new Map<string, FindingView["residual"]>()));
    let r = bySeverity.get(severity);
    if (!r) bySeverity.set(severity, (r = { likelihood, severity }));
    return r;
  }
  /**
   * `declared` is "declared where it counts": a control the subject declares that this finding's
   * threat goes around (an agent's human approval, for calls to a tool that states its own) is not
   * in the finding's mitigations, and is not a task done.
   */
  recommended(i: number, declared: ReadonlySet<string>): FindingView["recommended"] {
    // Outputs read it several times per finding: its place in `recommendedLists` is kept (+1; 0 not
    // yet), a number per finding; the lists of findings whose subject declares none of them are
    // shared, one per list of ids.
    const slot = this.recommendedSlot[i]!;
    if (slot !== 0) return this.recommendedLists[slot - 1]!;
    const ids = this.src.recommended(i);
    const build = () =>
      ids.map((id) => {
        const c = this.control(id);
        const here = declared.has(id);
        const counts = here && hasUse(this.src.mitigatedBy(i), id);
        return { control: id, title: c.title, atlas: c.atlas, declared: counts, bypassed: here && !counts };
      });
    let at: number | undefined;
    if (declared.size > 0 && ids.some((id) => declared.has(id))) at = this.recommendedLists.push(build());
    else {
      at = this.undeclaredAt.get(ids);
      if (at === undefined) this.undeclaredAt.set(ids, (at = this.recommendedLists.push(build())));
    }
    this.recommendedSlot[i] = at;
    return this.recommendedLists[at - 1]!;
  }
  /** Calls `fn` with each mitigation of finding i: its control, what implies it, its location. */
  eachMitigation(
    i: number,
    fn: (control: string, impliedBy: string | undefined, location: LocationView, j: number) => void,
  ): void {
    const uses = this.src.mitigatedBy(i);
    if (uses.length === 0) return;
    const start = this.mitigationLocations.start[i]!;
    const at = this.mitigationLocations.locations;
    for (let j = 0; j < uses.length; j++) {
      const u = uses[j]!;
      fn(u.name, u.impliedBy || undefined, this.locationViews[at[start + j]!]!, j);
    }
  }
  mitigatedBy(i: number): FindingView["mitigatedBy"] {
    // Most findings are open: they share one empty list.
    if (this.src.mitigatedBy(i).length === 0) return NONE_MITIGATING;
    const out: FindingView["mitigatedBy"][number][] = [];
    this.eachMitigation(i, (control, impliedBy, location) =>
      out.push({ control, ...(impliedBy ? { impliedBy } : {}), location }),
    );
    return out;
  }
  acceptance(i: number): FindingView["acceptance"] {
    const a = this.src.acceptance(i);
    if (!a) return undefined;
    let view = this.acceptances.get(i);
    if (!view)
      this.acceptances.set(
        i,
        (view = {
          reason: a.reason,
          owner: a.owner,
          expires: a.expires,
          expired: a.expired,
          ...(a.ticket ? { ticket: a.ticket } : {}),
          location: locationView(a.loc),
        }),
      );
    return view;
  }
}

/** What the views of one rule's findings share: the rule's id, category, title and mappings. */
interface RuleShared {
  readonly rule: string;
  readonly category: FindingView["category"];
  readonly title: string;
  readonly mappings: FindingView["mappings"];
  readonly ctx: ViewContext;
}

/**
 * A finding's view, made when read: its number in the findings' records, and what it shares with
 * other views (its rule's object, its subject's info). Every field is read through the records or
 * the build's columns when asked (ADR 0021): the id and fingerprint are made then, the message and
 * facts are the records' own, the levels are codes. Facts are not copied: their location views are
 * looked up once into one column, and `facts` makes the fact views on each read, while `eachFact`
 * (what the large outputs use) makes none. A view that kept its own fields was about 450 bytes per
 * finding with its finding's strings, alive for the whole output side.
 */
class CompactFindingView implements FindingView {
  readonly shared: RuleShared;
  private readonly about: SubjectInfo;
  constructor(
    /** The finding's number in the records (their order is the views' order, that of the ids). */
    readonly i: number,
    ctx: ViewContext,
  ) {
    this.shared = ctx.sharedOf(i);
    this.about = ctx.subjectOf(i);
  }
  get location(): LocationView {
    return this.shared.ctx.locationAt(this.i);
  }
  get id(): string {
    return this.shared.ctx.src.id(this.i);
  }
  get fingerprint(): string {
    return this.shared.ctx.src.fingerprint(this.i);
  }
  get message(): string {
    return this.shared.ctx.src.message(this.i);
  }
  get likelihood(): string {
    return this.shared.ctx.src.likelihood(this.i);
  }
  get impact(): string {
    return this.shared.ctx.src.impact(this.i);
  }
  get severity(): string {
    return this.shared.ctx.src.severity(this.i);
  }
  get rationale(): string {
    return this.shared.ctx.src.rationale(this.i);
  }
  get status(): FindingView["status"] {
    return this.shared.ctx.src.status(this.i);
  }
  get acceptance(): FindingView["acceptance"] {
    return this.shared.ctx.acceptance(this.i);
  }
  get subject(): FindingView["subject"] {
    return this.about.view;
  }
  get owner(): string | undefined {
    return this.about.owner;
  }
  get system(): string | undefined {
    return this.about.system;
  }
  get mitigatedBy(): FindingView["mitigatedBy"] {
    return this.shared.ctx.mitigatedBy(this.i);
  }
  get residual(): FindingView["residual"] {
    const src = this.shared.ctx.src;
    return this.shared.ctx.residual(src.residualLikelihood(this.i), src.residualSeverity(this.i));
  }
  get recommended(): FindingView["recommended"] {
    return this.shared.ctx.recommended(this.i, this.about.declared);
  }
  get rule(): string {
    return this.shared.rule;
  }
  get category(): FindingView["category"] {
    return this.shared.category;
  }
  get title(): string {
    return this.shared.title;
  }
  get mappings(): FindingView["mappings"] {
    return this.shared.mappings;
  }
  get facts(): FactView[] {
    const out: FactView[] = [];
    eachFact(this, (text, location) => out.push({ text, location }));
    return out;
  }
  /** The view as a plain object, fields in the order outputs have always shown them. */
  toJSON(): FindingView {
    return plainView(this);
  }
}

/**
 * Compares two views by id. Views of one build are in id order, each id once: two of them compare by
 * their numbers, without making either id.
 */
export function compareViewIds(a: FindingView, b: FindingView): number {
  if (a instanceof CompactFindingView && b instanceof CompactFindingView && a.shared.ctx === b.shared.ctx)
    return a.i - b.i;
  const x = a.id;
  const y = b.id;
  return x < y ? -1 : x > y ? 1 : 0;
}

/**
 * Calls `fn` with each mitigation's control, what implies it (undefined: nothing) and location, in
 * order, making no mitigation view of a built view (most outputs read a mitigation once).
 */
export function eachMitigation(
  v: FindingView,
  fn: (control: string, impliedBy: string | undefined, location: LocationView, j: number) => void,
): void {
  if (v instanceof CompactFindingView) v.shared.ctx.eachMitigation(v.i, fn);
  else v.mitigatedBy.forEach((m, j) => fn(m.control, m.impliedBy, m.location, j));
}

/** Calls `fn` with each fact's text and location in order, making no fact view of a built view. */
export function eachFact(
  v: FindingView,
  fn: (text: string, location: LocationView, i: number) => void,
): void {
  if (v instanceof CompactFindingView) {
    const f = v.i;
    const { src, factStart, factLocations, locationViews } = v.shared.ctx;
    const start = factStart[f]!;
    const n = factStart[f + 1]! - start;
    for (let i = 0; i < n; i++) fn(src.fact(f, i).text, locationViews[factLocations[start + i]!]!, i);
  } else v.facts.forEach((x, i) => fn(x.text, x.location, i));
}

/**
 * A copy of a view as a plain object (what `JSON.stringify` writes for a view): fields in output
 * order, the optional ones only when present. Tests spread it to vary one field.
 */
export function plainView(v: FindingView): FindingView {
  const plain: FindingView = {
    id: v.id,
    fingerprint: v.fingerprint,
    rule: v.rule,
    category: v.category,
    title: v.title,
    message: v.message,
    subject: v.subject,
    location: v.location,
    facts: v.facts,
    likelihood: v.likelihood,
    impact: v.impact,
    severity: v.severity,
    rationale: v.rationale,
    status: v.status,
    mitigatedBy: v.mitigatedBy,
    residual: v.residual,
    recommended: v.recommended,
    mappings: v.mappings,
  };
  const acceptance = v.acceptance;
  if (acceptance) plain.acceptance = acceptance;
  if (v.owner !== undefined) plain.owner = v.owner;
  if (v.system !== undefined) plain.system = v.system;
  return plain;
}

/**
 * One location view per source range, in a table: the same range is the location of many facts (a
 * flow's declaration backs every finding over it). `indexOf` gives a range's place in `views`. A
 * range is keyed by start and length in one small integer when both fit (ranges in files under
 * 256 KB, 4 KB long at most: nearly all), which is hashed and compared at about half the cost of a
 * larger number (a heap number, allocated per lookup); other ranges by start and end in a map of
 * their own. The maps hold indices, not views, so the collector has no pointer in them to trace.
 */
function locationTable(): { views: LocationView[]; indexOf: (loc: Location) => number } {
  const views: LocationView[] = [];
  const small = new Map<Location["file"], Map<number, number>>();
  const wide = new Map<Location["file"], Map<number, number>>();
  let lastFile: Location["file"] | undefined;
  let lastRanges: Map<number, number> | undefined;
  const add = (loc: Location) => views.push(locationView(loc)) - 1;
  const indexOf = (loc: Location): number => {
    const length = loc.end - loc.start;
    let ranges: Map<number, number> | undefined;
    let key: number;
    if (loc.start < SMALL_START && length >= 0 && length < SMALL_LENGTH) {
      if (loc.file !== lastFile || lastRanges === undefined) {
        lastFile = loc.file;
        lastRanges = small.get(loc.file);
        if (!lastRanges) small.set(loc.file, (lastRanges = new Map<number, number>()));
      }
      ranges = lastRanges;
      key = loc.start * SMALL_LENGTH + length;
    } else {
      if (loc.end >= 2 ** 26) return add(loc);
      ranges = wide.get(loc.file);
      if (!ranges) wide.set(loc.file, (ranges = new Map<number, number>()));
      key = loc.start * 2 ** 26 + loc.end;
    }
    let i = ranges.get(key);
    if (i === undefined) ranges.set(key, (i = add(loc)));
    return i;
  };
  return { views, indexOf };
}

/** Ranges whose start and length make one small integer key (start * SMALL_LENGTH + length < 2^30). */
const SMALL_START = 2 ** 18;
const SMALL_LENGTH = 2 ** 12;

const NO_CONTROLS: ReadonlySet<string> = new Set();

/** What every finding on one subject shares: its view, owner, system and declared controls. */
interface SubjectInfo {
  view: FindingView["subject"];
  owner: string | undefined;
  system: string | undefined;
  declared: ReadonlySet<string>;
}

/** The `SubjectInfo` of a finding's subject, built once per subject (views are read-only). */
function subjectInfo(model: ResolvedModel): (type: Finding["subject"]["type"], index: number) => SubjectInfo {
  // By index in arrays as long as the model's lists (a map of 10^5 subjects cost a hashed lookup per
  // finding). Filled rather than made with `new Array(n)`, which past 10^5 entries V8 makes a
  // dictionary, as slow as the map.
  const slots = (n: number) => {
    const list: (SubjectInfo | undefined)[] = [];
    for (let i = 0; i < n; i++) list.push(undefined);
    return list;
  };
  const built: Record<Finding["subject"]["type"], (SubjectInfo | undefined)[]> = {
    component: slots(model.components.length),
    flow: slots(model.flows.length),
    data: slots(model.data.length),
  };
  return (type, index) => {
    const known = built[type];
    let info = known[index];
    if (!info) known[index] = info = buildSubjectInfo(model, { type, index });
    return info;
  };
}

function buildSubjectInfo(model: ResolvedModel, subject: Finding["subject"]): SubjectInfo {
  const { type, index } = subject;
  const comp = type === "component" ? model.components[index]! : undefined;
  const flow = type === "flow" ? model.flows[index]! : undefined;
  const d = comp || flow ? undefined : model.data[index]!;
  const view = comp
    ? subjectView("component", comp.name, comp.kind, comp.title)
    : flow
      ? subjectView("flow", flow.id, flow.kind, flow.title)
      : subjectView("data", d!.name, "data", d!.title);
  const { owner, system } = answerFor(model, subject);
  const uses = comp?.controls ?? flow?.controls ?? [];
  // Most subjects declare no control: they share one empty set (views are read-only).
  const declared = uses.length === 0 ? NO_CONTROLS : new Set(uses.map((u) => u.name));
  // Every field set, undefined or not, so every info has one shape.
  return { view, declared, owner, system };
}

/**
 * Who answers for a subject: its (or, for a flow, its source's) owner, else its zone's, else its
 * system's; a data asset's own owner last. And the title of the system it is in.
 */
export function answerFor(
  model: ResolvedModel,
  subject: Finding["subject"],
): { owner: string | undefined; system: string | undefined } {
  const { type, index } = subject;
  const comp = type === "component" ? model.components[index]! : undefined;
  const flow = type === "flow" ? model.flows[index]! : undefined;
  const d = comp || flow ? undefined : model.data[index]!;
  const ownerSource = comp ?? (flow ? model.components[flow.from] : undefined);
  const zone = ownerSource?.zone !== undefined ? model.zones[ownerSource.zone] : undefined;
  const system = ownerSource?.system !== undefined ? model.systems[ownerSource.system] : undefined;
  return { owner: ownerSource?.owner ?? zone?.owner ?? system?.owner ?? d?.owner, system: system?.title };
}

/** A built-in control's title and ATLAS mitigations as findings show them. */
export function builtinControlView(id: string): { title: string; atlas: MappingView[] } {
  const builtin = BUILTIN_CONTROL_BY_ID.get(id);
  return { title: builtin?.title ?? id, atlas: named(builtin?.atlas ?? [], ATLAS_MITIGATIONS) };
}

/** A subject's view: `title` only when it has one, after the other fields (the order outputs show). */
function subjectView(
  type: FindingView["subject"]["type"],
  name: string,
  kind: string,
  title: string | undefined,
): FindingView["subject"] {
  const view: FindingView["subject"] = { type, name, kind };
  if (title) view.title = title;
  return view;
}
