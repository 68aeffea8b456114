import type { CompileAnalysis } from "../../compiler.js";
import { diagramIndex } from "./model-index.js";
import { pathViews } from "./path-views.js";
import { agentView, overviewViews, zoneViews } from "./system-views.js";
import type { DiagramView } from "./view.js";

export type { DiagramView } from "./view.js";
export { pathViewId } from "./path-views.js";
export { MAX_NODES } from "./graph.js";

/**
 * Every diagram of a compile, each at most MAX_NODES nodes: the overview, one view per zone (a very
 * large zone adds parts), one per agent, one per listed attack path. Order: overview, zones and agents
 * in declaration order, paths in the order `pathsView` lists them. Views are built from one index of
 * the model, so the total work is linear in the model's size.
 */
export function diagramViews(analysis: CompileAnalysis): DiagramView[] {
  // The diagrams emitter and the reports both ask for the views of the same analysis: build them once.
  let views = built.get(analysis);
  if (!views) built.set(analysis, (views = buildViews(analysis)));
  return [...views];
}

// A memo keyed by the (immutable) analysis object, so it holds nothing once the analysis is gone.
const built = new WeakMap<CompileAnalysis, readonly DiagramView[]>();

function buildViews(analysis: CompileAnalysis): DiagramView[] {
  const dx = diagramIndex(analysis);
  const m = analysis.model;
  const views: DiagramView[] = overviewViews(dx);
  for (const z of m.zones) views.push(...zoneViews(dx, z.index));
  for (const c of m.components) if (c.kind === "agent") views.push(agentView(dx, c.index));
  views.push(...pathViews(dx, analysis.pathsView.targets));
  return uniqueIds(views);
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
