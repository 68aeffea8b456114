import type { Fact } from "../analysis/facts.js";
import type { Finding } from "../analysis/findings.js";
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

/** Builds the view of every finding (same order as the input, which the engine sorts by id). */
export function findingsView(
  model: ResolvedModel,
  findings: readonly Finding[],
  rules: readonly Rule[],
): FindingView[] {
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
  const controlOf = new Map<string, { title: string; atlas: MappingView[] }>();
  const control = (id: string) => {
    let c = controlOf.get(id);
    if (!c) controlOf.set(id, (c = builtinControlView(id)));
    return c;
  };
  // The recommended list of a finding whose subject declares none of it is the same for every such
  // finding of the list (most findings): built once and shared (views are read-only).
  const undeclaredOf = new Map<readonly string[], FindingView["recommended"]>();
  // `declared` is "declared where it counts": a control the subject declares that this finding's
  // threat goes around (an agent's human approval, for calls to a tool that states its own) is not
  // in the finding's mitigations, and is not a task done.
  const recommendedOf = (ids: readonly string[], declared: ReadonlySet<string>, f: Finding) => {
    const build = () =>
      ids.map((id) => {
        const c = control(id);
        const here = declared.has(id);
        const counts = here && hasUse(f.mitigatedBy, id);
        return { control: id, title: c.title, atlas: c.atlas, declared: counts, bypassed: here && !counts };
      });
    if (declared.size > 0 && ids.some((id) => declared.has(id))) return build();
    let list = undeclaredOf.get(ids);
    if (!list) undeclaredOf.set(ids, (list = build()));
    return list;
  };
  const locations = locationTable();
  const location = (loc: Location): LocationView => locations.views[locations.indexOf(loc)]!;
  const about = subjectInfo(model);
  // Residual pairs repeat on most findings: one object per pair, shared.
  const residuals = new Map<string, Map<string, FindingView["residual"]>>();
  const residual = (likelihood: string, severity: string) => {
    let bySeverity = residuals.get(likelihood);
    if (!bySeverity) residuals.set(likelihood, (bySeverity = new Map<string, FindingView["residual"]>()));
    let r = bySeverity.get(severity);
    if (!r) bySeverity.set(severity, (r = { likelihood, severity }));
    return r;
  };
  // Each fact's location, looked up once here, as its place in the table of location views, in one
  // list for every view: small integers, which the collector does not follow (a list of the views
  // themselves gave it one more pointer per fact to record and trace). A view's facts are made from
  // it on each read and not kept.
  const factLocations: FactLocations = { index: [], views: locations.views };
  const index = factLocations.index;
  // What the views of one rule's findings share (nearly always one object per rule).
  const ruleShared = new Map<string, RuleShared>();
  const sharedOf = (f: Finding): RuleShared => {
    let r = ruleShared.get(f.rule);
    if (r?.title !== f.title || r.category !== f.category) {
      r = { rule: f.rule, category: f.category, title: f.title, mappings: mappings(f.rule), factLocations };
      if (!ruleShared.has(f.rule)) ruleShared.set(f.rule, r);
    }
    return r;
  };
  return findings.map((f) => {
    const subject = about(f.subject);
    const factStart = index.length;
    for (const x of f.facts) index.push(locations.indexOf(x.loc));
    return new CompactFindingView(
      f,
      sharedOf(f),
      subject,
      factStart,
      location(f.location),
      // Most findings are open: they share one empty list.
      f.mitigatedBy.length === 0
        ? NONE_MITIGATING
        : f.mitigatedBy.map((u) => ({
            control: u.name,
            ...(u.impliedBy ? { impliedBy: u.impliedBy } : {}),
            location: location(u.loc),
          })),
      residual(f.residualLikelihood, f.residualSeverity),
      recommendedOf(f.recommended, subject.declared, f),
    );
  });
}

/**
 * What the views of one rule's findings share: the rule's id, category, title and mappings, and the
 * fact locations of every view of the build (read through here, so a view is that much smaller).
 */
interface RuleShared {
  readonly rule: string;
  readonly category: FindingView["category"];
  readonly title: string;
  readonly mappings: FindingView["mappings"];
  readonly factLocations: FactLocations;
}

/**
 * A finding's view. Its fields are references: to the finding's own strings and facts, and to
 * objects views share (location, subject, residual risk, recommendations). What every view of a rule
 * shares is read through one object per rule (a few dozen, so nearly always in the cache); the rest
 * is kept on the view rather than read through the finding or a subject's entry: outputs make several
 * passes over all views, and each would wait on a second object per view. Its facts are not copied:
 * their location views are looked up once into one list every view shares, and `facts` makes the
 * fact views on each read, while `eachFact` (what the large outputs use) makes none. A view that
 * copied every fact cost about as much memory as the finding (752 bytes each on the 10k model, about
 * 2.2 GB at 1M components, alive for the whole output side).
 */
class CompactFindingView implements FindingView {
  readonly id: string;
  readonly fingerprint: string;
  readonly message: string;
  readonly likelihood: string;
  readonly impact: string;
  readonly severity: string;
  readonly rationale: string;
  readonly status: FindingView["status"];
  /** Made once (few findings are accepted), so every read gives the same object. */
  readonly acceptance: FindingView["acceptance"];
  readonly subject: FindingView["subject"];
  readonly owner: string | undefined;
  readonly system: string | undefined;
  /** The finding's facts; their location views are in `shared.factLocations` from `factStart` on. */
  readonly factList: readonly Fact[];
  constructor(
    finding: Finding,
    readonly shared: RuleShared,
    about: SubjectInfo,
    readonly factStart: number,
    readonly location: LocationView,
    readonly mitigatedBy: FindingView["mitigatedBy"],
    readonly residual: FindingView["residual"],
    readonly recommended: FindingView["recommended"],
  ) {
    this.id = finding.id;
    this.fingerprint = finding.fingerprint;
    this.message = finding.message;
    this.likelihood = finding.likelihood;
    this.impact = finding.impact;
    this.severity = finding.severity;
    this.rationale = finding.rationale;
    this.status = finding.status;
    const a = finding.acceptance;
    this.acceptance = a && {
      reason: a.reason,
      owner: a.owner,
      expires: a.expires,
      expired: a.expired,
      ...(a.ticket ? { ticket: a.ticket } : {}),
      location: locationView(a.loc),
    };
    this.subject = about.view;
    this.owner = about.owner;
    this.system = about.system;
    this.factList = finding.facts;
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

/** Calls `fn` with each fact's text and location in order, making no fact view of a built view. */
export function eachFact(
  v: FindingView,
  fn: (text: string, location: LocationView, i: number) => void,
): void {
  if (v instanceof CompactFindingView) {
    const { factList, factStart } = v;
    const { index, views } = v.shared.factLocations;
    for (let i = 0; i < factList.length; i++) fn(factList[i]!.text, views[index[factStart + i]!]!, i);
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

/** The location views of every fact of a set of views: `views[index[i]]` is the i-th fact's. */
interface FactLocations {
  readonly index: number[];
  readonly views: readonly LocationView[];
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
function subjectInfo(model: ResolvedModel): (subject: Finding["subject"]) => SubjectInfo {
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
  return (subject) => {
    const known = built[subject.type];
    let info = known[subject.index];
    if (!info) known[subject.index] = info = buildSubjectInfo(model, subject);
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
