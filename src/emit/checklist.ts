/**
 * The mitigation checklist: what to do, grouped by owner, then by component. Each open finding with
 * the controls that would mitigate it (and their ATLAS mitigation ids); controls already declared are
 * shown as done. `checklist.md` is a GitHub task list, one file while it is small enough for GitHub
 * to show, else an index of the owners and a file per owner (`checklistMarkdownFiles`);
 * `checklist.csv` has every row and imports into an issue tracker.
 */
import type { CompileAnalysis } from "../compiler.js";
import { createHash } from "node:crypto";
import type { Emitter, OutputFile } from "./emitter.js";
import { fileStem } from "./diagrams/model-index.js";
import {
  answerFor,
  builtinControlView,
  ByNumber,
  eachMitigation,
  compareNumbersById,
  type FindingRows,
  type FindingView,
  type FindingViewList,
  type MappingView,
} from "./findings-view.js";
import { locationView, type LocationView } from "./location-view.js";
import {
  atlasMitigationUrl,
  bySeverityThenIdOf,
  cmp,
  MARKDOWN,
  MARKDOWN_CELL,
  REPORT_LIMITS,
  reportTitle,
  SEVERITY_ORDER,
  subjectKey,
  type Format,
  type Safe,
} from "./report-view.js";
import { tidyMarkdown } from "./report-md.js";
import { memoize } from "../memoize.js";
import { renderWith } from "./templates.js";
import {
  CHECKLIST_MD_SHA256,
  checklistHead,
  checklistIndex,
  checklistIndexRow,
  checklistMarkdown,
  checklistOwner,
  cutTaskLine,
  type ChecklistIndexView,
} from "./checklist-md.js";
import { producedFile } from "./text-sink.js";
import type { ReadList } from "../analysis/made-on-read.js";
import { HIDDEN_CHARS, withoutHidden } from "../hidden-chars.js";

// ---- data ----------------------------------------------------------------------------------------

/** The `mitigates` of a done control before its findings are sorted in (read-only). */
const NO_IDS: ReadList<string> = [];

/** A declared control that mitigates findings on one subject. */
export interface DoneControl {
  control: string;
  title: string;
  atlas: MappingView[];
  location: LocationView;
  impliedBy?: string;
  /** Ids of the findings it mitigates, sorted (their numbers kept, each id made when read). */
  mitigates: ReadList<string>;
}

/** One component (or flow, or data asset) of an owner. */
export interface ChecklistSubject {
  subject: FindingView["subject"];
  system?: string;
  /** Open findings, most severe first (their numbers kept, a view made on each read). */
  open: FindingRows;
  done: DoneControl[];
  accepted: number;
}

/** One owner's part of the checklist; `owner` undefined for subjects nobody owns. */
export interface ChecklistOwner {
  owner?: string;
  subjects: ChecklistSubject[];
  open: number;
}

/** The whole checklist, every open finding included. */
export interface ChecklistData {
  title: string;
  toolVersion: string;
  generatedAt?: string;
  owners: ChecklistOwner[];
  open: number;
  /** Tasks (a control for a finding): to do, done, and the distinct controls the tasks to do name. */
  tasks: { todo: number; done: number; controls: number };
  /** The whole model's cheapest cut (paths.json `cut`), each of its controls a task; none: no cut. */
  cut: ChecklistCut | undefined;
}

/**
 * The controls that together break every attack path the analysis found to the crown jewels: the
 * highest-leverage tasks, which a checklist of findings alone did not show where the component they
 * go on has no finding of its own (fine-tuning's `access_control` on `sft_mix`).
 */
export interface ChecklistCut {
  total: number;
  /** The search stopped early: `total` is an upper bound. */
  bounded: boolean;
  tasks: {
    control: string;
    title: string;
    atlas: readonly MappingView[];
    on: string;
    kind: string;
    owner: string | undefined;
    system: string | undefined;
    cost: number;
    location: LocationView;
  }[];
  /** Components and flows no built-in control cuts (lower the likelihood there, or redesign). */
  uncuttable: string[];
}

/** The cheapest cut of every crown jewel as checklist tasks (none when nothing is exposed). */
function cutTasks(analysis: CompileAnalysis): ChecklistCut | undefined {
  const cut = analysis.paths.cut;
  if (!cut || (cut.controls.length === 0 && cut.uncuttable.length === 0)) return undefined;
  const { components, flows } = analysis.model;
  const nameOf = (on: { type: "component" | "flow"; index: number }) =>
    on.type === "component" ? components[on.index]!.name : flows[on.index]!.id;
  return {
    total: cut.total,
    bounded: cut.quality === "bounded",
    tasks: cut.controls.map((c) => {
      const comp = c.on.type === "component" ? components[c.on.index]! : undefined;
      const flow = comp ? undefined : flows[c.on.index]!;
      return {
        control: c.control,
        ...builtinControlView(c.control),
        on: comp ? comp.name : flow!.id,
        kind: comp ? comp.kind : "flow",
        ...answerFor(analysis.model, c.on),
        cost: c.cost,
        location: locationView(comp ? comp.nameLoc : flow!.loc),
      };
    }),
    uncuttable: cut.uncuttable.map(nameOf),
  };
}

/** Titles and ATLAS ids of user-declared controls, for the done list. */
function userControls(analysis: CompileAnalysis): Map<string, { title: string; atlas: string[] }> {
  return new Map(
    analysis.model.controls.map((c) => [c.name, { title: c.title ?? c.name, atlas: [...c.atlas] }]),
  );
}

/**
 * Groups every finding by owner and subject; linear in the findings, plus sorting. Each phase is a
 * function of its own: V8 compiles a long loop while it runs (on-stack replacement) together with
 * the rest of its function, and code past the loop that has not run yet sent that compiled code back
 * (three compilations of one large function at 10k components, tens of milliseconds each).
 */
export function checklistData(
  analysis: CompileAnalysis,
  run: { toolVersion: string; generatedAt?: string },
): ChecklistData {
  const grouped = groupFindings(
    analysis.findingsView,
    builtinTitlesOf(analysis.findingsView),
    userControls(analysis),
  );
  const keyOf = sortGroups(grouped.groups, analysis.findingsView);
  const list = ownersInOrder(grouped.owners, keyOf);
  return {
    title: reportTitle(analysis.model),
    toolVersion: run.toolVersion,
    ...(run.generatedAt !== undefined ? { generatedAt: run.generatedAt } : {}),
    owners: list,
    open: list.reduce((n, o) => n + o.open, 0),
    tasks: { todo: grouped.todo, done: grouped.doneTasks, controls: grouped.todoControls.size },
    cut: cutTasks(analysis),
  };
}

/** The title and ATLAS mitigations of each control the findings recommend. */
function builtinTitlesOf(findings: FindingViewList): Map<string, { title: string; atlas: MappingView[] }> {
  // A recommendation carries its control's title and ATLAS ids: kept as it is, not copied.
  // Findings come sorted by id, so neighbours often share one recommended list: a list just read is
  // skipped (reading it again would set the same entries).
  const builtinTitles = new Map<string, { title: string; atlas: MappingView[] }>();
  let lastList: FindingView["recommended"] | undefined;
  for (const f of findings) {
    if (f.recommended === lastList) continue;
    lastList = f.recommended;
    for (const r of f.recommended) builtinTitles.set(r.control, r);
  }
  return builtinTitles;
}

/**
 * An owner's open findings per severity (SEVERITY_ORDER), tasks to do and the controls they name,
 * counted as `groupFindings` groups them: the split checklist's index and each owner's file read
 * them, and counting again walked every open finding's view (two passes, 0.35 s at 100k).
 */
interface OwnerCounts {
  readonly severities: number[];
  todo: number;
  readonly controls: Set<string>;
}
const ownerCounts = new WeakMap<ChecklistOwner, OwnerCounts>();

function ownerCountsOf(o: ChecklistOwner): OwnerCounts {
  let c = ownerCounts.get(o);
  if (c === undefined)
    ownerCounts.set(o, (c = { severities: SEVERITY_ORDER.map(() => 0), todo: 0, controls: new Set() }));
  return c;
}

/** The findings grouped by owner and subject, unsorted, with the task counts. */
function groupFindings(
  findings: FindingViewList,
  builtinTitles: Map<string, { title: string; atlas: MappingView[] }>,
  user: Map<string, { title: string; atlas: string[] }>,
): {
  owners: Map<string, ChecklistOwner>;
  groups: Grouped[];
  todo: number;
  doneTasks: number;
  todoControls: Set<string>;
} {
  const owners = new Map<string, ChecklistOwner>();
  const subjectsOf = new Map<ChecklistOwner, Map<string, Grouped>>();
  // The findings view shares one subject view per subject: a finding finds its group by that object
  // (one lookup by identity) and only a subject view seen for the first time makes a key and looks
  // up its owner. The owner is checked again, so views built otherwise still group by both.
  const bySubjectView = new Map<FindingView["subject"], Grouped>();
  const groups: Grouped[] = [];
  let todo = 0;
  let doneTasks = 0;
  const todoControls = new Set<string>();
  let last: Grouped | undefined;
  for (let i = 0; i < findings.length; i++) {
    const f = findings.at(i)!;
    const ownerKey = f.owner ?? "";
    // A rule's findings with keys (one per tool, say) follow each other on one subject: the group
    // just used is tried before the map.
    let g = last !== undefined && last.s.subject === f.subject ? last : bySubjectView.get(f.subject);
    if (g === undefined || g.ownerKey !== ownerKey) {
      let owner = owners.get(ownerKey);
      if (!owner) {
        owner = { subjects: [], open: 0, ...(f.owner !== undefined ? { owner: f.owner } : {}) };
        owners.set(ownerKey, owner);
        subjectsOf.set(owner, new Map());
      }
      const subjects = subjectsOf.get(owner)!;
      const key = subjectKey(f.subject);
      g = subjects.get(key);
      if (!g) {
        const s: ChecklistSubject = { subject: f.subject, open: [], done: [], accepted: 0 };
        if (f.system !== undefined) s.system = f.system;
        g = { s, owner, ownerKey, key, doneIndex: undefined, open: [], mitigates: new Map() };
        subjects.set(key, g);
        groups.push(g);
        owner.subjects.push(s);
      }
      bySubjectView.set(f.subject, g);
    }
    last = g;
    const s = g.s;
    if (f.status === "open") {
      g.open.push(i);
      g.owner.open++;
      const counts = ownerCountsOf(g.owner);
      const rank = SEVERITY_ORDER.indexOf(f.severity);
      if (rank >= 0) counts.severities[rank]!++;
      // Every recommended control of an open finding is a task: one the subject declared where it
      // counts would have mitigated the finding (a control it goes around is `bypassed`, still to do).
      for (const r of f.recommended) {
        todo++;
        todoControls.add(r.control);
        counts.todo++;
        counts.controls.add(r.control);
      }
    } else if (f.status === "accepted") s.accepted++;
    else {
      const here = g;
      eachMitigation(f, (control, impliedBy, location) => {
        let d = findDone(here, control, location);
        if (!d) {
          const info = builtinTitles.get(control) ?? userInfo(user, control);
          d = {
            control,
            title: info.title,
            atlas: info.atlas,
            location,
            ...(impliedBy ? { impliedBy } : {}),
            mitigates: NO_IDS,
          };
          addDone(here, d);
          doneTasks++;
        }
        let numbers = here.mitigates.get(d);
        if (!numbers) here.mitigates.set(d, (numbers = []));
        numbers.push(i);
      });
    }
  }
  return { owners, groups, todo, doneTasks, todoControls };
}

/**
 * Sorts each subject's open findings (most severe first, by their numbers in `findings`) into the
 * subject's list, and its done controls; the subjects' keys.
 */
function sortGroups(groups: readonly Grouped[], findings: FindingViewList): Map<ChecklistSubject, string> {
  const keyOf = new Map<ChecklistSubject, string>();
  const order = bySeverityThenIdOf(findings);
  const viewOf = (i: number) => findings.at(i)!;
  const byId = compareNumbersById(findings);
  const idOf = (i: number) => findings.at(i)!.id;
  for (const { s, key, open, mitigates } of groups) {
    keyOf.set(s, key);
    s.open = new ByNumber(open.sort(order), viewOf);
    for (const [d, numbers] of mitigates) d.mitigates = new ByNumber(numbers.sort(byId), idOf);
    s.done.sort(
      (a, b) =>
        cmp(a.control, b.control) ||
        cmp(a.location.file, b.location.file) ||
        a.location.line - b.location.line,
    );
  }
  return keyOf;
}

/** Owners by name (no owner last), each one's subjects most severe first. */
function ownersInOrder(
  owners: Map<string, ChecklistOwner>,
  keyOf: Map<ChecklistSubject, string>,
): ChecklistOwner[] {
  // Open findings are sorted: the first is the most severe.
  const worst = (s: ChecklistSubject) =>
    s.open.length ? SEVERITY_ORDER.indexOf(s.open.at(0)!.severity) : SEVERITY_ORDER.length;
  const list = [...owners.values()].sort((a, b) =>
    a.owner === undefined ? 1 : b.owner === undefined ? -1 : cmp(a.owner, b.owner),
  );
  // Each subject's sort key computed once, not twice per comparison.
  for (const o of list)
    o.subjects = o.subjects
      .map((s) => ({ s, worst: worst(s), key: keyOf.get(s)! }))
      .sort((a, b) => a.worst - b.worst || b.s.open.length - a.s.open.length || cmp(a.key, b.key))
      .map((x) => x.s);
  return list;
}

/** A subject being grouped: its checklist entry, owner and key, and its declared controls by place. */
interface Grouped {
  readonly s: ChecklistSubject;
  readonly owner: ChecklistOwner;
  readonly ownerKey: string;
  readonly key: string;
  /** The done controls by control and place, once a subject has more than DONE_SCAN of them. */
  doneIndex: Map<string, DoneControl> | undefined;
  /** The numbers of its open findings, in the views' order until sorted. */
  readonly open: number[];
  /** The numbers of the findings each done control mitigates, in the views' order until sorted. */
  readonly mitigates: Map<DoneControl, number[]>;
}

/**
 * Declared controls a subject's list is searched through one by one before it gets an index: a
 * subject has a few (each control it declares, at each place), and a scan of a few beats making a
 * key string per mitigation; the index keeps a subject with very many linear.
 */
const DONE_SCAN = 8;

const doneKey = (control: string, l: LocationView) => `${control}\u0000${l.file}:${l.line}:${l.column}`;

/** The done entry of a control at a place (same file, line and column), if the subject has one. */
function findDone(g: Grouped, control: string, l: LocationView): DoneControl | undefined {
  if (g.doneIndex) return g.doneIndex.get(doneKey(control, l));
  for (const d of g.s.done)
    if (
      d.control === control &&
      (d.location === l ||
        (d.location.line === l.line && d.location.column === l.column && d.location.file === l.file))
    )
      return d;
  return undefined;
}

function addDone(g: Grouped, d: DoneControl): void {
  const list = g.s.done;
  list.push(d);
  if (g.doneIndex) g.doneIndex.set(doneKey(d.control, d.location), d);
  else if (list.length > DONE_SCAN)
    g.doneIndex = new Map(list.map((x) => [doneKey(x.control, x.location), x]));
}

function userInfo(
  user: Map<string, { title: string; atlas: string[] }>,
  control: string,
): { title: string; atlas: MappingView[] } {
  const u = user.get(control);
  return { title: u?.title ?? control, atlas: (u?.atlas ?? []).map((id) => ({ id, name: "" })) };
}

// ---- checklist.md ----------------------------------------------------------------------------------

/** The view checklist.md.hbs lays out. */
export interface ChecklistView {
  title: Safe;
  toolVersion: Safe;
  generatedAt: Safe;
  open: number;
  todo: number;
  /** Distinct controls the tasks to do name. */
  controls: number;
  done: number;
  /** The cheapest cut's tasks, most effective first (empty: no cut). */
  cut: {
    total: Safe;
    /** One owner's file: `tasks` are the cut's tasks on that owner's components only. */
    share: boolean;
    tasks: { control: Safe; title: Safe; atlas: Safe; on: Safe; owner: Safe; cost: number; where: Safe }[];
    /** One owner's file: the tasks of its share not listed (`checklist.csv` and `paths.json` have them). */
    more: number;
    uncuttable: Safe;
  };
  owners: {
    owner: Safe;
    hasOwner: boolean;
    open: number;
    subjects: {
      subject: Safe;
      kind: Safe;
      title: Safe;
      system: Safe;
      accepted: number;
      findings: {
        id: Safe;
        title: Safe;
        severity: Safe;
        message: Safe;
        where: Safe;
        tasks: { control: Safe; title: Safe; atlas: Safe; bypassed: boolean }[];
      }[];
      done: { control: Safe; title: Safe; atlas: Safe; where: Safe; impliedBy: Safe; mitigates: Safe }[];
    }[];
    more: number;
    moreSubjects: number;
  }[];
}

const atlasList = (f: Format, atlas: readonly MappingView[]) =>
  f.join(
    atlas.map((a) => f.link(atlasMitigationUrl(a.id), a.name ? `${a.id} ${a.name}` : a.id)),
    ", ",
  );

/**
 * Open findings listed in each owner's file of a split checklist: REPORT_LIMITS.checklistFindingsPerOwner,
 * lowered when many owners share REPORT_LIMITS.checklistFindings (never below 10). A split checklist
 * is one of thousands of findings; what it lists is laid out, encoded and written on every compile
 * (about 57 ms per MB at 10k), so the whole stays about the size one file had before the split
 * (6.5 MB at 10k, 12 MB at 100k) instead of growing with the model (ADR 15).
 */
export function checklistPerOwner(owners: number): number {
  const share = Math.floor(REPORT_LIMITS.checklistFindings / Math.max(1, owners));
  return Math.min(REPORT_LIMITS.checklistFindingsPerOwner, Math.max(10, share));
}

/** Builds the checklist view for one format, at most `perOwner` open findings per owner (all by default). */
export function checklistView(d: ChecklistData, f: Format, perOwner = Infinity): ChecklistView {
  const viewer = checklistViewer(f);
  return { ...viewer.head(d), owners: d.owners.map((o) => viewer.owner(o, perOwner)) };
}

type OwnerView = ChecklistView["owners"][number];

type CutTask = ChecklistCut["tasks"][number];
const cutsByOwner = new WeakMap<ChecklistData, Map<string | undefined, CutTask[]>>();

/** The cheapest cut's tasks by the owner of the place they go, in the cut's order (one pass per data). */
function cutByOwner(d: ChecklistData): Map<string | undefined, CutTask[]> {
  let by = cutsByOwner.get(d);
  if (!by) {
    cutsByOwner.set(d, (by = new Map<string | undefined, CutTask[]>()));
    for (const t of d.cut?.tasks ?? []) {
      let list = by.get(t.owner);
      if (!list) by.set(t.owner, (list = []));
      list.push(t);
    }
  }
  return by;
}
type CutTaskView = ChecklistView["cut"]["tasks"][number];

/**
 * The parts of checklist views in one format, escaping each shared value once (the findings view
 * shares one recommendation list per control set and one mitigation list per control, and rule
 * titles and severities repeat on every finding of a rule): the header of the whole checklist or of
 * one owner's file, and each owner's section, built one at a time.
 */
export function checklistViewer(f: Format): {
  /** The header and cheapest cut; `owner`: one owner's file (its counts and its share of the cut). */
  head(d: ChecklistData, owner?: ChecklistOwner): Omit<ChecklistView, "owners">;
  /** One owner's section, at most `perOwner` open findings (and components) listed. */
  owner(o: ChecklistOwner, perOwner: number): OwnerView;
  /** One task of the cheapest cut. */
  cutTask(t: ChecklistCut["tasks"][number]): CutTaskView;
} {
  const atlasOf = memoize((atlas: readonly MappingView[]) => atlasList(f, atlas));
  const text = memoize((s: string) => f.text(s));
  const tasksOf = memoize((recommended: FindingView["recommended"]) =>
    recommended.map((r) => ({
      control: f.code(r.control),
      title: text(r.title),
      atlas: atlasOf(r.atlas),
      bypassed: r.bypassed,
    })),
  );
  const cutTask = (t: ChecklistCut["tasks"][number]): CutTaskView => ({
    control: f.code(t.control),
    title: text(t.title),
    atlas: atlasOf(t.atlas),
    on: f.code(t.on),
    owner: f.text(t.owner ?? ""),
    cost: t.cost,
    where: f.loc(t.location),
  });
  const head = (d: ChecklistData, o?: ChecklistOwner): Omit<ChecklistView, "owners"> => {
    const counts = o === undefined ? { open: d.open, ...d.tasks } : { open: o.open, ...ownerTasks(o) };
    // An owner's share, at most as many tasks as findings an owner's file lists, so the file's
    // header stays small beside the limit (its findings are measured against it, its header is not).
    const share = o === undefined ? undefined : (cutByOwner(d).get(o.owner) ?? []);
    const cutOf = share ? share.slice(0, REPORT_LIMITS.checklistFindingsPerOwner) : d.cut?.tasks;
    return {
      title: f.text(d.title),
      toolVersion: f.text(d.toolVersion),
      generatedAt: f.text(d.generatedAt ?? ""),
      open: counts.open,
      todo: counts.todo,
      controls: counts.controls,
      done: counts.done,
      cut: {
        total: f.text(d.cut ? `${d.cut.total}${d.cut.bounded ? " at most" : ""}` : ""),
        share: o !== undefined,
        tasks: (cutOf ?? []).map(cutTask),
        more: share ? share.length - cutOf!.length : 0,
        // The places no control cuts have no owner: they are listed with the whole checklist only.
        uncuttable: f.join(
          (o === undefined ? (d.cut?.uncuttable ?? []) : []).map((u) => f.code(u)),
          ", ",
        ),
      },
    };
  };
  const owner = (o: ChecklistOwner, perOwner: number): OwnerView => {
    let budget = perOwner;
    let more = 0;
    let moreSubjects = 0;
    const subjects: OwnerView["subjects"] = [];
    for (const s of o.subjects) {
      // At most `perOwner` components too: components with only declared controls would
      // otherwise make the list grow with the model.
      if (subjects.length >= perOwner) {
        moreSubjects++;
        more += s.open.length;
        continue;
      }
      const shown = s.open.slice(0, Math.max(0, budget));
      budget -= shown.length;
      more += s.open.length - shown.length;
      // A subject whose open findings are all past the cap is left out entirely, done list too.
      if (shown.length === 0 && s.open.length > 0) {
        moreSubjects++;
        continue;
      }
      subjects.push({
        subject: f.code(s.subject.name),
        kind: f.text(s.subject.type === "component" ? s.subject.kind : s.subject.type),
        title: f.text(s.subject.title ?? ""),
        system: f.text(s.system ?? ""),
        accepted: s.accepted,
        findings: shown.map((x) => ({
          id: f.code(x.id),
          title: text(x.title),
          severity: text(x.severity),
          message: f.rich(x.message),
          where: f.loc(x.location),
          tasks: tasksOf(x.recommended),
        })),
        done: s.done.map((c) => ({
          control: f.code(c.control),
          title: text(c.title),
          atlas: atlasOf(c.atlas),
          where: f.loc(c.location),
          impliedBy: c.impliedBy ? f.code(c.impliedBy) : f.lit(""),
          mitigates: f.join(
            c.mitigates.map((id) => f.code(id)),
            ", ",
          ),
        })),
      });
    }
    return {
      owner: f.text(o.owner ?? "no owner"),
      hasOwner: o.owner !== undefined,
      open: o.open,
      subjects,
      more,
      moreSubjects,
    };
  };
  return { head, owner, cutTask };
}

/** One owner's tasks: to do (and the distinct controls they name) and done, as the header counts them. */
export function ownerTasks(o: ChecklistOwner): { todo: number; done: number; controls: number } {
  const counted = ownerCounts.get(o);
  if (counted !== undefined) {
    let done = 0;
    for (const s of o.subjects) done += s.done.length;
    return { todo: counted.todo, done, controls: counted.controls.size };
  }
  let todo = 0;
  let done = 0;
  const controls = new Set<string>();
  for (const s of o.subjects) {
    done += s.done.length;
    for (const x of s.open)
      for (const r of x.recommended) {
        todo++;
        controls.add(r.control);
      }
  }
  return { todo, done, controls: controls.size };
}

// ---- checklist.csv ---------------------------------------------------------------------------------

/** Columns of checklist.csv, in order. */
export const CSV_COLUMNS = [
  "summary",
  "state",
  "owner",
  "system",
  "component",
  "kind",
  "finding",
  "rule",
  "title",
  "severity",
  "control",
  "control_title",
  "atlas_mitigations",
  "location",
  "fingerprint",
] as const;

// A field is quoted when it holds a comma, quote or line break; most fields (ids, severities, names)
// hold none and do not start like a formula, so one character test and one scan decide.
const NEEDS_QUOTES = /[",\r\n]/;
/** What csvField changes besides a formula start: quoting, or hidden characters (as spaces). */
const NOT_PLAIN = new RegExp(`[",\\r\\n${HIDDEN_CHARS}]`);

/** Whether a field starting with this UTF-16 unit would run as a formula: `=`, `+`, `-`, `@`, tab, CR. */
const formulaStart = (c: number) => c === 61 || c === 43 || c === 45 || c === 64 || c === 9 || c === 13;

/**
 * One CSV field (RFC 4180): hidden characters as spaces, quoted when it holds a comma, quote or line
 * break, quotes doubled.
 * A value a spreadsheet would run as a formula (starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return) gets a leading apostrophe, which spreadsheets show as text; a tracker import keeps it.
 */
export function csvField(value: string): string {
  // Spreadsheets and trackers show hidden characters (hidden-chars.ts) no better than Markdown does.
  const clean = withoutHidden(value);
  const v = formulaStart(clean.charCodeAt(0)) ? `'${clean}` : clean;
  return NEEDS_QUOTES.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/**
 * checklist.csv: a header and one row per task (open finding x recommended control, or a declared
 * control), CRLF line ends, handed on piece by piece as it is written.
 */
function checklistCsvRows(d: ChecklistData, put: (piece: string) => void): void {
  put(`${CSV_COLUMNS.join(",")}\r\n`);
  // Cells in CSV_COLUMNS order. Each group of cells is escaped once and shared: owner to kind by the
  // rows of a component, finding to severity by those of a finding, control to ATLAS ids by those of
  // a control (the findings view shares one recommendation per control and list).
  // `file:line`: a line number needs no quoting and cannot start the field, so only the file decides
  // (tested once per run of locations in one file) whether the field needs csvField.
  let lastFile: string | undefined;
  let plainFile = false;
  const location = (l: LocationView) => {
    if (l.file !== lastFile) {
      lastFile = l.file;
      plainFile = csvField(l.file) === l.file;
    }
    return plainFile ? `${l.file}:${l.line}` : csvField(`${l.file}:${l.line}`);
  };
  // By control name, checked against the title and ATLAS list it was made from: a recommendation
  // that declares a control is a new object per finding, but its name, title and list are shared.
  const controls = new Map<string, { title: string; atlas: readonly MappingView[]; text: string }>();
  const control = (c: { control: string; title: string; atlas: readonly MappingView[] }) => {
    const known = controls.get(c.control);
    if (known !== undefined && known.title === c.title && known.atlas === c.atlas) return known.text;
    const text = `${csvField(c.control)},${csvField(c.title)},${csvField(c.atlas.map((a) => a.id).join(" "))}`;
    if (known === undefined) controls.set(c.control, { title: c.title, atlas: c.atlas, text });
    return text;
  };
  const row = (summary: string, state: string, base: string, finding: string, rest: string) =>
    put(`${csvField(summary)},${state},${base},${finding},${rest}\r\n`);
  /** A row whose summary is known to need no quotes and no formula guard: written as it is. */
  const plainRow = (summary: string, state: string, base: string, finding: string, rest: string) =>
    put(`${summary},${state},${base},${finding},${rest}\r\n`);
  for (const o of d.owners)
    for (const s of o.subjects) {
      const kind = s.subject.type === "component" ? s.subject.kind : s.subject.type;
      const name = s.subject.name;
      const base = `${csvField(o.owner ?? "")},${csvField(s.system ?? "")},${csvField(name)},${csvField(kind)}`;
      const plainName = !NOT_PLAIN.test(name);
      for (const x of s.open) {
        const finding = `${csvField(x.id)},${csvField(x.rule)},${csvField(x.title)},${csvField(x.severity)}`;
        const tail = `${location(x.location)},${csvField(x.fingerprint)}`;
        if (x.recommended.length === 0)
          row(`Address ${x.rule} on ${name}: ${x.title}`, "todo", base, finding, `,,,${tail}`);
        // A summary is made of its parts and text without quotes, commas or line breaks: when no
        // part holds one either, and it starts with a letter (or a control name that cannot start a
        // formula), csvField would return it unchanged, so it is written without being joined into
        // one string and scanned again (one summary per row, most of the file's rows).
        const plainParts = plainName && !NOT_PLAIN.test(x.rule) && !NOT_PLAIN.test(x.title);
        for (const r of x.recommended) {
          const plain = plainParts && !NOT_PLAIN.test(r.control);
          if (r.bypassed)
            row(
              `${r.control} is declared on ${name} but does not count for ${x.rule} (${x.title})`,
              "todo",
              base,
              finding,
              `${control(r)},${tail}`,
            );
          else
            (plain ? plainRow : row)(
              `Add ${r.control} to ${name} for ${x.rule} (${x.title})`,
              "todo",
              base,
              finding,
              `${control(r)},${tail}`,
            );
        }
      }
      for (const c of s.done) {
        const ids = c.mitigates.map((id) => id);
        const rules = [...new Set(ids.map((id) => id.split(":")[0]!))].join(" ");
        row(
          `${c.control} mitigates ${ids.join(", ")}`,
          "done",
          base,
          `${csvField(ids.join(" "))},${csvField(rules)},,`,
          `${control(c)},${location(c.location)},`,
        );
      }
    }
  // The cheapest cut's controls: tasks of no single finding (finding and rule empty).
  for (const t of d.cut?.tasks ?? [])
    row(
      `Add ${t.control} to ${t.on}: part of the cheapest cut of every attack path to the crown jewels`,
      "todo",
      `${csvField(t.owner ?? "")},${csvField(t.system ?? "")},${csvField(t.on)},${csvField(t.kind)}`,
      `,,${csvField("Cheapest cut")},`,
      `${control(t)},${location(t.location)},`,
    );
}

// ---- checklist.md, split by owner -------------------------------------------------------------------

/**
 * Most bytes of checklist.md by default, and of each owner's file once it is split
 * (`--checklist-max-kb`; 0: no limit). GitHub shows a Markdown file's preview only when it is small
 * ("generally less than 2 MB", and a complex one times out): 1 MB leaves a margin (ADR 15).
 */
export const CHECKLIST_MAX_BYTES = 1_000_000;

/**
 * Fewest bytes an open finding's line, or a component's heading, takes in the built-in layout: a
 * bound that skips laying out what cannot fit (an owner of 100,000 findings is not laid out whole).
 */
const MIN_LINE_BYTES = 16;

/** Bytes an owner's section takes at least in the built-in layout. */
const leastBytes = (o: ChecklistOwner) => (o.open + o.subjects.length) * MIN_LINE_BYTES;

/**
 * checklist.md as one file when the whole checklist (every open finding) fits in `maxBytes`;
 * otherwise checklist.md is an index of the owners and each owner's section is a file of its own,
 * `checklist/<stem>.md` (`ownerFileStems`), rendered when it is written. `render` lays out a
 * checklist view: the built-in layout or a `--templates` override, for the one file and each
 * owner's file alike; the index is laid out here. `maxBytes` 0: one file, never split nor cut.
 */
export function checklistMarkdownFiles(
  d: ChecklistData,
  render: (v: ChecklistView) => string,
  maxBytes: number,
): OutputFile[] {
  // No byte limit: one file, each owner still capped by count (a whole organisation's findings in
  // one string would pass V8's longest string at a few hundred thousand components).
  if (maxBytes === 0)
    return [
      {
        path: "checklist.md",
        contents: tidyMarkdown(render(checklistView(d, MARKDOWN, checklistPerOwner(d.owners.length)))),
      },
    ];
  const viewer = checklistViewer(MARKDOWN);
  const whole = wholeChecklist(d, viewer, render, maxBytes);
  if (whole !== undefined) return [{ path: "checklist.md", contents: whole }];
  const stems = ownerFileStems(d.owners.map((o) => o.owner));
  const paths = stems.map((s) => `checklist/${s}.md`);
  return [
    { path: "checklist.md", contents: checklistIndexText(d, viewer, paths, maxBytes) },
    ...d.owners.map((o, i) =>
      producedFile(paths[i]!, (put) =>
        put(ownerFileText(d, o, viewer, render, maxBytes, checklistPerOwner(d.owners.length))),
      ),
    ),
  ];
}

/**
 * The whole checklist when its text fits in `maxBytes`, else undefined. Measured first in the
 * built-in layout, owner by owner, and given up past twice the limit (tidying only removes trailing
 * spaces and extra blank lines), so a model far too large is never laid out whole; then laid out by
 * `render` and measured exactly.
 */
function wholeChecklist(
  d: ChecklistData,
  viewer: ReturnType<typeof checklistViewer>,
  render: (v: ChecklistView) => string,
  maxBytes: number,
): string | undefined {
  const head = viewer.head(d);
  const headText = checklistHead(head);
  let chars = headText.length;
  const owners: ChecklistView["owners"] = [];
  const parts: string[] = [];
  for (const o of d.owners) {
    if (chars + leastBytes(o) > 2 * maxBytes) return undefined;
    const v = viewer.owner(o, Infinity);
    const part = checklistOwner(v);
    chars += part.length;
    if (chars > 2 * maxBytes) return undefined;
    owners.push(v);
    parts.push(part);
  }
  // The built-in layout is the texts just measured (checklistMarkdown), not laid out again.
  const laidOut =
    render === checklistMarkdown && owners.length > 0
      ? headText + parts.join("")
      : render({ ...head, owners });
  const text = tidyMarkdown(laidOut);
  return Buffer.byteLength(text) <= maxBytes ? text : undefined;
}

/**
 * One owner's file: its header (its counts, its share of the cheapest cut) and its section, at most
 * `perOwner` open findings (and components) listed, when that fits in `maxBytes`; otherwise as many
 * as fit (found by doubling, then halving, the number listed). What is not listed is counted in the
 * usual "…and N more … in checklist.csv" line.
 */
function ownerFileText(
  d: ChecklistData,
  o: ChecklistOwner,
  viewer: ReturnType<typeof checklistViewer>,
  render: (v: ChecklistView) => string,
  maxBytes: number,
  perOwner: number,
): string {
  const head = viewer.head(d, o);
  const text = (n: number) => tidyMarkdown(render({ ...head, owners: [viewer.owner(o, n)] }));
  const fits = (t: string) => Buffer.byteLength(t) <= maxBytes;
  // Listing `all` open findings (and components) lists everything the cap lets in.
  const all = Math.min(perOwner, Math.max(o.open, o.subjects.length));
  if (all * 2 * MIN_LINE_BYTES <= 2 * maxBytes) {
    const whole = text(all);
    if (fits(whole)) return whole;
  }
  let best = text(0);
  if (!fits(best)) return best; // the limit is below the header's own size
  let lo = 0;
  let hi = all;
  for (let n = 16; n < all; n *= 2) {
    const t = text(n);
    if (!fits(t)) {
      hi = n;
      break;
    }
    lo = n;
    best = t;
  }
  while (hi - lo > 1) {
    const mid = lo + Math.floor((hi - lo) / 2);
    const t = text(mid);
    if (fits(t)) {
      lo = mid;
      best = t;
    } else hi = mid;
  }
  return best;
}

/** An owner's severity counts, most severe first (SEVERITY_ORDER). */
export function severityCounts(o: ChecklistOwner): number[] {
  const counted = ownerCounts.get(o);
  if (counted !== undefined) return [...counted.severities];
  const counts = SEVERITY_ORDER.map(() => 0);
  for (const s of o.subjects) for (const x of s.open) counts[SEVERITY_ORDER.indexOf(x.severity)]!++;
  return counts;
}

/**
 * checklist.md of a split checklist: the header and the cheapest cut (its tasks as many as fit in
 * half of `maxBytes`; each owner's file lists its own), then a table of the owners with their
 * counts and a link to their files (as many rows as fit; every file is written all the same).
 */
function checklistIndexText(
  d: ChecklistData,
  viewer: ReturnType<typeof checklistViewer>,
  paths: readonly string[],
  maxBytes: number,
): string {
  const full = viewer.head(d);
  const noTasks = { ...full, cut: { ...full.cut, tasks: [] } };
  let used = Buffer.byteLength(checklistHead(noTasks));
  const tasks: CutTaskView[] = [];
  for (const t of d.cut?.tasks ?? []) {
    const v = viewer.cutTask(t);
    const bytes = Buffer.byteLength(cutTaskLine(v));
    if (used + bytes > maxBytes / 2) break;
    used += bytes;
    tasks.push(v);
  }
  const cell = MARKDOWN_CELL;
  const rows: ChecklistIndexView["rows"] = [];
  // Room kept for the section's text around the rows.
  used += 1000;
  for (const [i, o] of d.owners.entries()) {
    const row = {
      owner: o.owner === undefined ? cell.lit("*no owner*") : cell.text(o.owner),
      open: o.open,
      severities: severityCounts(o),
      ...ownerTasks(o),
      file: cell.fileLink(paths[i]!),
    };
    const bytes = Buffer.byteLength(checklistIndexRow(row));
    if (used + bytes > maxBytes) break;
    used += bytes;
    rows.push(row);
  }
  return tidyMarkdown(
    checklistIndex({
      ...full,
      cut: { ...full.cut, tasks },
      cutMore: (d.cut?.tasks.length ?? 0) - tasks.length,
      maxKb: maxBytes / 1000,
      severities: SEVERITY_ORDER.map((s) => MARKDOWN.text(s)),
      rows,
      rowsMore: d.owners.length - rows.length,
    }),
  );
}

/**
 * The file stem of each owner's checklist (`checklist/<stem>.md`), in the order given: `owner-` and
 * the owner's name as `fileStem` makes it safe on every file system (lowercase ASCII, a hash of the
 * exact name when it had to be changed), `no-owner` for subjects nobody owns. The prefix keeps every
 * owner's stem apart from `no-owner` and from names Windows reserves (`con`, `nul`). Two owners whose
 * stems still meet (a name that reads like another's folded form and hash) get the whole hash, and
 * a counter if even that meets.
 */
export function ownerFileStems(owners: readonly (string | undefined)[]): string[] {
  const stemOf = (o: string | undefined) => (o === undefined ? "no-owner" : `owner-${fileStem(o)}`);
  const stems = owners.map(stemOf);
  const count = new Map<string, number>();
  for (const s of stems) count.set(s, (count.get(s) ?? 0) + 1);
  const seen = new Set<string>();
  return stems.map((s, i) => {
    const o = owners[i];
    let stem = s;
    if (count.get(s)! > 1 && o !== undefined && `owner-${o}` !== s)
      stem = `owner-${createHash("sha256").update(o).digest("hex")}`;
    // `--` never occurs in a stem `fileStem` makes, so a counted stem cannot take another owner's.
    for (let n = 2; seen.has(stem); n++) stem = `${s}--${n}`;
    seen.add(stem);
    return stem;
  });
}

/** `checklist.md` (one file, or an index and `checklist/<owner>.md`) and `checklist.csv`. */
export const checklistEmitter: Emitter = {
  name: "checklist",
  emit: ({ analysis, toolVersion, generatedAt, templatesDir, checklistMaxBytes }) => {
    const data = checklistData(analysis, { toolVersion, ...(generatedAt ? { generatedAt } : {}) });
    const render = renderWith("checklist.md.hbs", templatesDir, {
      sha256: CHECKLIST_MD_SHA256,
      render: checklistMarkdown,
    });
    return [
      ...checklistMarkdownFiles(data, render, checklistMaxBytes ?? CHECKLIST_MAX_BYTES),
      producedFile("checklist.csv", (put) => checklistCsvRows(data, put)),
    ];
  },
};
