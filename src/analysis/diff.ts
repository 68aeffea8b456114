import type { CompileAnalysis } from "../compiler.js";
import type { Location } from "../diagnostics/diagnostic.js";
import type { FindingView, FindingViewList } from "../emit/findings-view.js";
import { metricDeltas, type MetricDelta } from "./metrics/scorecard.js";
import type { ResolvedModel } from "../semantic/model.js";
import { lineCol } from "../source.js";

/**
 * What changed between two versions of a model, for `aithreat diff`: components and flows added,
 * removed or changed (matched by name, flows by id), findings new, resolved and re-scored (matched
 * by fingerprint), attack-path exposure opened and closed per crown jewel property, and metric deltas.
 *
 * Matching by name means a renamed component is a removal plus an addition, and its findings (whose
 * fingerprints hash the subject's name) show as resolved plus new; the findings of every other
 * subject keep their fingerprints and do not move. docs/cli.md says so to users.
 */

/** A component or flow as the diff lists it. */
export interface EntityRef {
  name: string;
  kind: string;
  title?: string;
  /** `path:line` of its declaration (in the version it exists in). */
  where: string;
}

/** One changed property: a scalar before and after, or a list with what was added and removed. */
export type FieldChange =
  { field: string; before: string; after: string } | { field: string; added: string[]; removed: string[] };

/** A component or flow present in both versions with different properties. */
export interface EntityChange extends EntityRef {
  changes: FieldChange[];
}

/** A finding as the diff lists it. */
export interface FindingRef {
  id: string;
  fingerprint: string;
  rule: string;
  title: string;
  subject: string;
  severity: string;
  residualSeverity: string;
  status: string;
  message: string;
  where: string;
}

/** A finding present in both versions whose severity, residual severity or status changed. */
export interface FindingChange {
  id: string;
  fingerprint: string;
  rule: string;
  title: string;
  subject: string;
  before: { severity: string; residualSeverity: string; status: string };
  after: { severity: string; residualSeverity: string; status: string };
  where: string;
}

/** A change in how one entry class reaches one crown jewel property. */
export interface ExposureChange {
  crown: string;
  property: string;
  entryClass: string;
  before: { reachable: boolean; entries: number; bestLikelihood: number };
  after: { reachable: boolean; entries: number; bestLikelihood: number };
}

/** A crown jewel property that exists in one version only. */
export interface TargetRef {
  crown: string;
  property: string;
  exposedTo: string[];
}

/**
 * A scorecard metric that moved between the versions (docs/metrics.md): its value before and after,
 * the change judged by the metric's direction, and the names behind a count that came or went.
 */
export type MetricChange = MetricDelta;

/** Finding counts of one version. */
export interface FindingTotals {
  findings: number;
  open: number;
  mitigated: number;
  accepted: number;
  openBySeverity: Record<string, number>;
}

/** The whole diff. */
export interface ModelDiff {
  components: { added: EntityRef[]; removed: EntityRef[]; changed: EntityChange[] };
  flows: { added: EntityRef[]; removed: EntityRef[]; changed: EntityChange[] };
  findings: {
    new: FindingRef[];
    resolved: FindingRef[];
    rescored: FindingChange[];
    unchanged: number;
    before: FindingTotals;
    after: FindingTotals;
  };
  attackPaths: {
    opened: ExposureChange[];
    closed: ExposureChange[];
    changed: ExposureChange[];
    targetsAdded: TargetRef[];
    targetsRemoved: TargetRef[];
    cut: { before: number; after: number };
  };
  /**
   * Every metric a policy can name whose value or named items changed, in the registry's order
   * (headline metrics first), and the policy verdict of each version.
   */
  metrics: { changes: MetricChange[]; policy: { before: boolean; after: boolean } };
}

const where = (loc: Location): string => `${loc.file.path}:${lineCol(loc.file, loc.start).line}`;

const byName = <T>(items: { map<U>(fn: (t: T) => U): U[] }, key: (t: T) => string): Map<string, T> =>
  new Map(items.map((t) => [key(t), t]));

const sortedNames = (xs: readonly string[]) => [...xs].sort();
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The properties of a component or flow that the diff compares, each as a scalar or a sorted list. */
type Signature = Record<string, string | string[]>;

function componentSignature(m: ResolvedModel, i: number): Signature {
  const c = m.components[i]!;
  const props: string[] = [];
  for (const [k, v] of Object.entries(c.props as Record<string, unknown>).sort(([a], [b]) => cmp(a, b))) {
    if (v !== undefined) props.push(`${k} ${Array.isArray(v) ? `[${v.join(", ")}]` : JSON.stringify(v)}`);
  }
  return {
    kind: c.kind,
    title: c.title ?? "",
    zone: c.zone !== undefined ? m.zones[c.zone]!.name : "",
    trust: c.trust,
    owner: c.owner ?? "",
    controls: sortedNames(c.controls.map((u) => u.name)),
    holds: sortedNames(c.holds.map((d) => m.data[d]!.name)),
    crown: sortedNames(c.crown),
    properties: props,
  };
}

function flowSignature(m: ResolvedModel, i: number): Signature {
  const f = m.flows[i]!;
  return {
    from: m.components[f.from]!.name,
    to: m.components[f.to]!.name,
    kind: f.kind,
    title: f.title ?? "",
    auth: f.auth ?? "",
    encrypted: f.encrypted === undefined ? "" : String(f.encrypted),
    controls: sortedNames(f.controls.map((u) => u.name)),
    carries: sortedNames(f.carries.map((d) => m.data[d]!.name)),
  };
}

function fieldChanges(before: Signature, after: Signature): FieldChange[] {
  const out: FieldChange[] = [];
  for (const field of Object.keys(after)) {
    const b = before[field] ?? "";
    const a = after[field]!;
    if (Array.isArray(a) || Array.isArray(b)) {
      const bl = Array.isArray(b) ? b : b ? [b] : [];
      const al = Array.isArray(a) ? a : a ? [a] : [];
      const added = al.filter((x) => !bl.includes(x));
      const removed = bl.filter((x) => !al.includes(x));
      if (added.length > 0 || removed.length > 0) out.push({ field, added, removed });
    } else if (a !== b) out.push({ field, before: b, after: a });
  }
  return out;
}

/** Diffs two sets of named entities (components or flows). */
function diffEntities(
  before: ResolvedModel,
  after: ResolvedModel,
  list: (m: ResolvedModel) => readonly { index: number; loc: Location; title?: string }[],
  name: (m: ResolvedModel, i: number) => string,
  kind: (m: ResolvedModel, i: number) => string,
  signature: (m: ResolvedModel, i: number) => Signature,
): { added: EntityRef[]; removed: EntityRef[]; changed: EntityChange[] } {
  const ref = (m: ResolvedModel, e: ReturnType<typeof list>[number]): EntityRef => ({
    name: name(m, e.index),
    kind: kind(m, e.index),
    ...(e.title !== undefined ? { title: e.title } : {}),
    where: where(e.loc),
  });
  const old = byName(list(before), (e) => name(before, e.index));
  const now = byName(list(after), (e) => name(after, e.index));
  const added = [...now].filter(([n]) => !old.has(n)).map(([, e]) => ref(after, e));
  const removed = [...old].filter(([n]) => !now.has(n)).map(([, e]) => ref(before, e));
  const changed: EntityChange[] = [];
  for (const [n, e] of now) {
    const o = old.get(n);
    if (!o) continue;
    const changes = fieldChanges(signature(before, o.index), signature(after, e.index));
    if (changes.length > 0) changed.push({ ...ref(after, e), changes });
  }
  const byRefName = (a: EntityRef, b: EntityRef) => cmp(a.name, b.name);
  return { added: added.sort(byRefName), removed: removed.sort(byRefName), changed: changed.sort(byRefName) };
}

const findingWhere = (f: FindingView) => `${f.location.file}:${f.location.line}`;

function findingRef(f: FindingView): FindingRef {
  return {
    id: f.id,
    fingerprint: f.fingerprint,
    rule: f.rule,
    title: f.title,
    subject: f.subject.name,
    severity: f.severity,
    residualSeverity: f.residual.severity,
    status: f.status,
    message: f.message,
    where: findingWhere(f),
  };
}

function totals(views: FindingViewList): FindingTotals {
  const open = views.filter((f) => f.status === "open");
  const openBySeverity: Record<string, number> = { critical: 0, high: 0, medium: 0, low: 0, info: 0 };
  for (const f of open) openBySeverity[f.severity] = (openBySeverity[f.severity] ?? 0) + 1;
  return {
    findings: views.length,
    open: open.length,
    mitigated: views.filter((f) => f.status === "mitigated").length,
    accepted: views.filter((f) => f.status === "accepted").length,
    openBySeverity,
  };
}

function diffFindings(before: FindingViewList, after: FindingViewList): ModelDiff["findings"] {
  const old = byName(before, (f) => f.fingerprint);
  const now = byName(after, (f) => f.fingerprint);
  const rescored: FindingChange[] = [];
  let unchanged = 0;
  for (const f of after) {
    const o = old.get(f.fingerprint);
    if (!o) continue;
    const b = { severity: o.severity, residualSeverity: o.residual.severity, status: o.status };
    const a = { severity: f.severity, residualSeverity: f.residual.severity, status: f.status };
    if (b.severity === a.severity && b.residualSeverity === a.residualSeverity && b.status === a.status) {
      unchanged++;
      continue;
    }
    rescored.push({
      id: f.id,
      fingerprint: f.fingerprint,
      rule: f.rule,
      title: f.title,
      subject: f.subject.name,
      before: b,
      after: a,
      where: findingWhere(f),
    });
  }
  return {
    new: after.filter((f) => !old.has(f.fingerprint)).map(findingRef),
    resolved: before.filter((f) => !now.has(f.fingerprint)).map(findingRef),
    rescored,
    unchanged,
    before: totals(before),
    after: totals(after),
  };
}

function diffPaths(before: CompileAnalysis, after: CompileAnalysis): ModelDiff["attackPaths"] {
  const key = (t: { crown: string; property: string }) => `${t.crown}\u0000${t.property}`;
  const old = byName(before.pathsView.targets, key);
  const now = byName(after.pathsView.targets, key);
  const exposedTo = (t: (typeof before.pathsView.targets)[number]) =>
    t.exposure.filter((e) => e.reachable).map((e) => e.entryClass);
  const out: ModelDiff["attackPaths"] = {
    opened: [],
    closed: [],
    changed: [],
    targetsAdded: [],
    targetsRemoved: [],
    cut: { before: before.pathsView.cut.total, after: after.pathsView.cut.total },
  };
  for (const [k, t] of now) {
    const o = old.get(k);
    if (!o) {
      out.targetsAdded.push({ crown: t.crown, property: t.property, exposedTo: exposedTo(t) });
      continue;
    }
    const cells = byName(o.exposure, (e) => e.entryClass);
    for (const a of t.exposure) {
      const b = cells.get(a.entryClass) ?? { reachable: false, entries: 0, bestLikelihood: 0 };
      const change: ExposureChange = {
        crown: t.crown,
        property: t.property,
        entryClass: a.entryClass,
        before: { reachable: b.reachable, entries: b.entries, bestLikelihood: b.bestLikelihood },
        after: { reachable: a.reachable, entries: a.entries, bestLikelihood: a.bestLikelihood },
      };
      if (!b.reachable && a.reachable) out.opened.push(change);
      else if (b.reachable && !a.reachable) out.closed.push(change);
      else if (a.reachable && (a.bestLikelihood !== b.bestLikelihood || a.entries !== b.entries))
        out.changed.push(change);
    }
  }
  for (const [k, t] of old) {
    if (!now.has(k))
      out.targetsRemoved.push({ crown: t.crown, property: t.property, exposedTo: exposedTo(t) });
  }
  return out;
}

/** Diffs two compiled versions of a model (`before` is the old one). */
export function diffModels(before: CompileAnalysis, after: CompileAnalysis): ModelDiff {
  const bm = before.model;
  const am = after.model;
  return {
    components: diffEntities(
      bm,
      am,
      (m) => m.components,
      (m, i) => m.components[i]!.name,
      (m, i) => m.components[i]!.kind,
      componentSignature,
    ),
    flows: diffEntities(
      bm,
      am,
      (m) => m.flows,
      (m, i) => m.flows[i]!.id,
      (m, i) => m.flows[i]!.kind,
      flowSignature,
    ),
    findings: diffFindings(before.findingsView, after.findingsView),
    attackPaths: diffPaths(before, after),
    metrics: {
      changes: metricDeltas(before.metrics, after.metrics).filter(
        (m) => m.change !== "same" || m.added !== undefined || m.removed !== undefined,
      ),
      policy: { before: before.policy.passed, after: after.policy.passed },
    },
  };
}
