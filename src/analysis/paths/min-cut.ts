import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST } from "../../catalog/controls.js";
import type { ResolvedModel } from "../../semantic/model.js";
import type { Rule } from "../rule.js";
import type { AttackGraph, AttackTarget } from "./attack-graph.js";
import { FlowNetwork, INF } from "./maxflow.js";
import type { CutReport } from "./model.js";
import type { UsableGraph } from "./usable.js";

/** The rule whose controls close the way out in a disclosure (the lethal trifecta). */
const EXFIL_RULE = "AT-37";

interface Placement {
  readonly control: string;
  readonly on: { readonly type: "component" | "flow"; readonly index: number };
  readonly cost: number;
}

/**
 * The cheapest set of controls that cuts every path from the entries to the targets, as a minimum
 * cut. Placement model: a control on a flow cuts that step; a control on a component cuts every step
 * into it (node splitting). Costs are the controls' declared or default costs. Disclosure targets get
 * a second copy of the graph for the way out (readers -> observable sinks), where the lethal-trifecta
 * controls apply. A placement chosen in both legs is charged twice by the optimisation but once in the
 * reported total, so the report can only be cheaper than the optimum it came from.
 */
export function cheapestCut(
  model: ResolvedModel,
  ag: AttackGraph,
  ug: UsableGraph,
  rules: readonly Rule[],
  targets: readonly AttackTarget[],
  sinks: readonly number[],
): CutReport {
  const n = ug.g.nodeCount;
  const disclosure = targets.some((t) => t.mode === "disclosure");
  const layers = disclosure ? 2 : 1;
  // Node ids: layer L, node v -> in = 2(Ln + v), out = in + 1; then source and sink.
  const S = 2 * n * layers;
  const T = S + 1;
  const net = new FlowNetwork(T + 1);
  const inId = (layer: number, v: number) => 2 * (layer * n + v);
  const placements = new Map<number, Placement>();
  const cost = (name: string) =>
    Math.round(
      model.controls.find((c) => c.name === name)?.cost ??
        BUILTIN_CONTROL_BY_ID.get(name)?.cost ??
        DEFAULT_CONTROL_COST,
    );

  const isEntry = new Uint8Array(n);
  for (const v of ag.entries) isEntry[v] = 1;
  for (let v = 0; v < n; v++) {
    const c = isEntry[v] ? INF : ag.nodeCutCost[v]!;
    const id = net.addArc(inId(0, v), inId(0, v) + 1, c);
    if (c < INF)
      placements.set(id, { control: ag.nodeCutControl[v]!, on: { type: "component", index: v }, cost: c });
  }
  for (let i = 0; i < ug.g.edgeCount; i++) {
    const e = ug.original[i]!;
    const c = ag.flowCutCost[e]!;
    const id = net.addArc(inId(0, ug.g.edgeFrom[i]!) + 1, inId(0, ug.g.edgeTo[i]!), c);
    if (c < INF)
      placements.set(id, {
        control: ag.flowCutControl[e]!,
        on: { type: "flow", index: flowOf(ag, e) },
        cost: c,
      });
  }
  for (const v of ag.entries) net.addArc(S, inId(0, v), INF);

  if (disclosure) {
    const exfilControls = [...BUILTIN_CONTROL_BY_ID.values()].filter(
      (c) =>
        c.effect === "cut" &&
        (rules.find((r) => r.meta.id === EXFIL_RULE)?.meta.mitigations.includes(c.id) ?? false),
    );
    const cheapest = exfilControls
      .map((c) => ({ id: c.id, cost: cost(c.id) }))
      .sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1))[0];
    for (let v = 0; v < n; v++) {
      const c = cheapest ? cheapest.cost : INF;
      const id = net.addArc(inId(1, v), inId(1, v) + 1, c);
      if (cheapest && c < INF)
        placements.set(id, { control: cheapest.id, on: { type: "component", index: v }, cost: c });
    }
    for (let i = 0; i < ug.g.edgeCount; i++) {
      const id = net.addArc(
        inId(1, ug.g.edgeFrom[i]!) + 1,
        inId(1, ug.g.edgeTo[i]!),
        cheapest ? cheapest.cost : INF,
      );
      if (cheapest)
        placements.set(id, {
          control: cheapest.id,
          on: { type: "flow", index: flowOf(ag, ug.original[i]!) },
          cost: cheapest.cost,
        });
    }
    for (const s of sinks) net.addArc(inId(1, s) + 1, T, INF);
  }
  for (const t of targets) {
    for (const v of t.nodes) {
      if (t.mode === "influence") net.addArc(inId(0, v) + 1, T, INF);
      // A reader under the attacker's influence starts the way out in layer 2.
      else net.addArc(inId(0, v) + 1, inId(1, v), INF);
    }
  }
  const flow = net.maxFlow(S, T, INF);
  if (flow >= INF) return { feasible: false, total: 0, controls: [], quality: "exact" };
  const side = net.sourceSide(S);
  const chosen = new Map<string, Placement>();
  for (const [arc, p] of placements) {
    const a = net.arc(arc);
    if (side[a.from] && !side[a.to]) chosen.set(`${p.control}@${p.on.type}:${p.on.index}`, p);
  }
  const controls = [...chosen.values()].sort((a, b) =>
    a.on.type !== b.on.type
      ? a.on.type < b.on.type
        ? -1
        : 1
      : a.on.index - b.on.index || (a.control < b.control ? -1 : 1),
  );
  return { feasible: true, total: controls.reduce((s, p) => s + p.cost, 0), controls, quality: "exact" };
}

function flowOf(ag: AttackGraph, e: number): number {
  return ag.flowIndex[e]!;
}

/** Re-exported for callers that only need the constant. */
export { INF };
