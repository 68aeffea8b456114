import type { AttackPath, CutReport, PathAnalysis, PathStep, TargetReport } from "../analysis/paths/model.js";
import type { ResolvedModel } from "../semantic/model.js";
import { lineCol } from "../source.js";
import type { Location } from "../diagnostics/diagnostic.js";

/** `path:line:col` of a location. */
export function where(loc: Location): string {
  const { line, column } = lineCol(loc.file, loc.start);
  return `${loc.file.path}:${line}:${column}`;
}

/** JSON-ready view of one step, with names and locations instead of indices. */
export interface StepView {
  from: string;
  to: string;
  flow: string;
  kind: string;
  returning: boolean;
  rule?: string;
  technique?: string;
  action?: string;
  likelihood: number;
  controls: string[];
  location: string;
}

/** JSON-ready view of a path. */
export interface PathView {
  entry: string;
  entryClasses: string[];
  likelihood: number;
  steps: StepView[];
  exfil: StepView[];
  firstBoundaryCrossing?: string;
}

/** JSON-ready view of the cut. */
export interface CutView {
  feasible: boolean;
  quality: string;
  total: number;
  controls: { control: string; on: string; onType: string; cost: number }[];
  uncuttable: string[];
}

/** JSON-ready view of one target. */
export interface TargetView {
  crown: string;
  crownType: string;
  property: string;
  mode: string;
  exposure: {
    entryClass: string;
    reachable: boolean;
    entries: number;
    bestLikelihood: number;
    shortestSteps: number;
    fewestSteps: number;
  }[];
  paths: PathView[];
  morePathsAtLeast: number;
  chokepoints: { entryClass: string; components: string[] }[];
  exfilChokepoints: string[];
  softChokepoints?: { component: string; share: number }[];
  cut?: CutView;
}

/** The whole path analysis as plain data (what `paths --format json` prints). */
export interface PathsView {
  entries: { name: string; classes: string[] }[];
  targets: TargetView[];
  cut: CutView;
  softChokepoints: { component: string; share: number }[];
  notes: string[];
}

const round = (x: number) => Math.round(x * 1e4) / 1e4;

/** Builds the view; entry classes per entry come from the facts of the same run. */
export function pathsView(
  model: ResolvedModel,
  pa: PathAnalysis,
  entryClasses: (v: number) => string[],
): PathsView {
  const name = (v: number) => model.components[v]!.name;
  const step = (s: PathStep): StepView => {
    const f = model.flows[s.flow]!;
    return {
      from: name(s.from),
      to: name(s.to),
      flow: f.id,
      kind: f.kind,
      returning: s.returning,
      ...(s.technique
        ? { rule: s.technique.rule, technique: s.technique.technique, action: s.technique.action }
        : {}),
      likelihood: round(s.likelihood),
      controls: s.controls.map((c) => c.name),
      location: where(f.loc),
    };
  };
  const path = (p: AttackPath): PathView => ({
    entry: name(p.entry),
    entryClasses: [...p.entryClasses],
    likelihood: round(p.likelihood),
    steps: p.steps.map(step),
    exfil: p.exfil.map(step),
    ...(p.firstCrossing >= 0
      ? { firstBoundaryCrossing: model.flows[p.steps[p.firstCrossing]!.flow]!.id }
      : {}),
  });
  const cut = (c: CutReport): CutView => ({
    feasible: c.feasible,
    quality: c.quality,
    total: c.total,
    controls: c.controls.map((x) => ({
      control: x.control,
      on: x.on.type === "component" ? name(x.on.index) : model.flows[x.on.index]!.id,
      onType: x.on.type,
      cost: x.cost,
    })),
    uncuttable: c.uncuttable.map((x) => (x.type === "component" ? name(x.index) : model.flows[x.index]!.id)),
  });
  const target = (t: TargetReport): TargetView => ({
    crown: t.crown,
    crownType: t.crownType,
    property: t.property,
    mode: t.mode,
    exposure: t.exposure.map((e) => ({ ...e, bestLikelihood: round(e.bestLikelihood) })),
    paths: t.paths.map(path),
    morePathsAtLeast: t.morePaths,
    chokepoints: t.chokepoints.map((c) => ({ entryClass: c.entryClass, components: c.nodes.map(name) })),
    exfilChokepoints: t.exfilChokepoints.map(name),
    ...(t.softChokepoints
      ? {
          softChokepoints: t.softChokepoints.map((s) => ({ component: name(s.node), share: round(s.share) })),
        }
      : {}),
    ...(t.cut ? { cut: cut(t.cut) } : {}),
  });
  return {
    entries: pa.entries.map((v) => ({ name: name(v), classes: entryClasses(v) })),
    targets: pa.targets.map(target),
    cut: cut(pa.cut),
    softChokepoints: pa.softChokepoints.map((s) => ({ component: name(s.node), share: round(s.share) })),
    notes: [...pa.notes],
  };
}

/**
 * What a path without steps means, said after its entry: the entry is the crown jewel itself (a
 * component crown jewel, which an entry may also read for a disclosure), holds its data (influence),
 * or reads it (disclosure). Undefined for a path with steps.
 */
export function noStepsRelation(
  t: Pick<TargetView, "mode" | "crown" | "crownType">,
  p: PathView,
): "reads" | "holds" | "itself" | undefined {
  if (p.steps.length > 0) return undefined;
  if (t.crownType === "component" && p.entry === t.crown) return "itself";
  return t.mode === "disclosure" ? "reads" : "holds";
}
