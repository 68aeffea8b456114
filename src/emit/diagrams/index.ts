import type { CompileAnalysis } from "../../compiler.js";
import { diagramIndex, type DiagramIndex } from "./model-index.js";
import { pathViews } from "./path-views.js";
import {
  byExposure,
  DIAGRAM_LIMITS,
  pick,
  rankAgents,
  rankZones,
  type DiagramLimits,
  type LeftOut,
} from "./selection.js";
import { agentView, overviewViews, zoneViews } from "./system-views.js";
import type { DiagramView } from "./view.js";

export type { DiagramView } from "./view.js";
export { byExposure, DIAGRAM_LIMITS, type DiagramLimits, type LeftOut } from "./selection.js";
export { pathViewId } from "./path-views.js";
export { MAX_NODES } from "./graph.js";

/** The views of a compile and what the limits left out. */
export interface DiagramSet {
  readonly views: readonly DiagramView[];
  readonly leftOut: LeftOut;
  readonly limits: DiagramLimits;
  /** The model index the views were drawn from (risk per zone and component). */
  readonly index: DiagramIndex;
}

/**
 * Every diagram of a compile, each at most MAX_NODES nodes: the overview, one view per zone (a very
 * large zone adds parts), one per agent, one per listed attack path, within DIAGRAM_LIMITS (the
 * riskiest first; see `diagramSet`). Order: overview, zones and agents in declaration order, paths in
 * the order `pathsView` lists them. Views are built from one index of the model, so the total work is
 * linear in the model's size.
 */
export function diagramViews(analysis: CompileAnalysis): DiagramView[] {
  return [...diagramSet(analysis).views];
}

/** The views of a compile with what they leave out; built once per analysis and limits. */
export function diagramSet(analysis: CompileAnalysis, limits: DiagramLimits = DIAGRAM_LIMITS): DiagramSet {
  // The diagrams emitter and the reports both ask for the views of the same analysis: build them once.
  let perLimits = built.get(analysis);
  if (!perLimits) built.set(analysis, (perLimits = new Map<DiagramLimits, DiagramSet>()));
  let set = perLimits.get(limits);
  if (!set) perLimits.set(limits, (set = buildViews(analysis, limits)));
  return set;
}

// A memo keyed by the (immutable) analysis object, so it holds nothing once the analysis is gone.
const built = new WeakMap<CompileAnalysis, Map<DiagramLimits, DiagramSet>>();

function buildViews(analysis: CompileAnalysis, limits: DiagramLimits): DiagramSet {
  const dx = diagramIndex(analysis);
  const m = analysis.model;
  // Parts go first to the components outside any zone (they belong to the overview), then to the
  // zones with views, riskiest first.
  let partsLeft = limits.parts;
  const partsLeftOut: LeftOut["parts"][number][] = [];
  const allot = (zone: number | undefined) => (needed: number) => {
    const drawn = Math.min(needed, partsLeft);
    partsLeft -= drawn;
    if (drawn < needed) partsLeftOut.push({ zone, drawn, of: needed });
    return drawn;
  };
  const views: DiagramView[] = overviewViews(dx, allot(undefined));

  const ranked = rankZones(dx);
  const zones = pick(ranked, limits.zones);
  const byZone = new Map<number, DiagramView[]>();
  for (const z of ranked) if (zones.chosen.has(z)) byZone.set(z, zoneViews(dx, z, allot(z)));
  for (const z of m.zones) views.push(...(byZone.get(z.index) ?? []));

  const agents = pick(rankAgents(dx), limits.agents);
  for (const c of m.components) if (agents.chosen.has(c.index)) views.push(agentView(dx, c.index));

  const withPaths = analysis.pathsView.targets.filter((t) => t.paths.length > 0);
  const targets = pick([...withPaths].sort(byExposure), limits.pathTargets);
  views.push(
    ...pathViews(
      dx,
      withPaths.filter((t) => targets.chosen.has(t)),
    ),
  );
  return {
    views: uniqueIds(views),
    leftOut: { zones: zones.rest, parts: partsLeftOut, agents: agents.rest, pathTargets: targets.rest },
    limits,
    index: dx,
  };
}

/**
 * Ids are unique by construction; a case-insensitive clash (possible only between a hashed stem and a
 * name that happens to look like one) gets a numbered suffix rather than overwriting a file.
 */
function uniqueIds(views: DiagramView[]): DiagramView[] {
  const taken = new Set<string>();
  return views.map((v) => {
    let id = v.id;
    for (let i = 2; taken.has(id.toLowerCase()); i++) id = `${v.id}~${i}`;
    taken.add(id.toLowerCase());
    return id === v.id ? v : { ...v, id };
  });
}
