import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST, canPlace } from "../../catalog/controls.js";
import type { ResolvedModel } from "../../semantic/model.js";
import type { Rule } from "../rule.js";
import { EXFIL_RULE, type AttackGraph, type AttackTarget } from "./attack-graph.js";
import { FlowNetwork, INF } from "./maxflow.js";
import type { CutReport } from "./model.js";
import type { UsableGraph } from "./usable.js";

/**
 * Capacity of a step no control can cut. Finite (above any realistic sum of control costs), so a cut
 * still exists: it names the cheapest controls for everything cuttable plus the steps that only
 * lowering controls or a redesign can address, instead of giving up on the whole question.
 */
const UNCUTTABLE = 1 << 24;

type On = { readonly type: "component" | "flow"; readonly index: number };

/**
 * The cheapest set of controls that cuts every path from the entries to a set of targets, as a
 * minimum cut (Dinic). Placement model: a control on a flow cuts that step; a control on a component
 * cuts every step into it (node splitting); a control only goes where it makes sense
 * (CONTROL_PLACEMENT). Costs are declared or default. Disclosure targets use a second copy of the
 * graph for the way out (readers -> observable sinks), where the lethal-trifecta controls apply; a
 * placement chosen in both legs is charged twice by the optimisation but once in the reported total,
 * so the report can only be cheaper than the optimum it came from. The network is built once; each
 * question clones it and adds only its own target arcs.
 */
export class CutSolver {
  private readonly base: FlowNetwork;
  private readonly n: number;
  private readonly S: number;
  private readonly T: number;
  private readonly twoLayers: boolean;
  /** Per arc id: the control placed there (index into `placements`), or -1. */
  private readonly placementOf: Int32Array;
  private readonly placements: { control: string; on: On; cost: number }[] = [];
  /** Per arc id: an uncuttable step (index into `blocked`), or -1. */
  private readonly blockedOf: Int32Array;
  private readonly blocked: On[] = [];

  constructor(
    model: ResolvedModel,
    ag: AttackGraph,
    ug: UsableGraph,
    rules: readonly Rule[],
    sinks: readonly number[],
    withWayOut: boolean,
  ) {
    const n = (this.n = ug.g.nodeCount);
    this.twoLayers = withWayOut;
    const layers = withWayOut ? 2 : 1;
    this.S = 2 * n * layers;
    this.T = this.S + 1;
    const arcsEstimate =
      layers * (n + Math.max(ug.g.edgeCount, ag.g.edgeCount)) + ag.entries.length + sinks.length;
    const net = (this.base = new FlowNetwork(this.T + 1, arcsEstimate));
    const placementOf: number[] = [];
    const blockedOf: number[] = [];
    const inId = (layer: number, v: number) => 2 * (layer * n + v);
    const cost = (name: string) =>
      Math.round(
        model.controls.find((c) => c.name === name)?.cost ??
          BUILTIN_CONTROL_BY_ID.get(name)?.cost ??
          DEFAULT_CONTROL_COST,
      );
    const arc = (u: number, v: number, best: { id: string; cost: number } | undefined, on: On): void => {
      const id = net.addArc(u, v, best ? best.cost : UNCUTTABLE);
      if (best) {
        placementOf[id] = this.placements.length;
        this.placements.push({ control: best.id, on, cost: best.cost });
      } else {
        blockedOf[id] = this.blocked.length;
        this.blocked.push(on);
      }
    };
    const isEntry = new Uint8Array(n);
    for (const v of ag.entries) isEntry[v] = 1;

    // Layer 0: influence. Entries are the attacker's own: they cannot be cut.
    for (let v = 0; v < n; v++) {
      if (isEntry[v]) net.addArc(inId(0, v), inId(0, v) + 1, INF);
      else
        arc(
          inId(0, v),
          inId(0, v) + 1,
          ag.nodeCutCost[v]! < INF ? { id: ag.nodeCutControl[v]!, cost: ag.nodeCutCost[v]! } : undefined,
          { type: "component", index: v },
        );
    }
    for (let i = 0; i < ug.g.edgeCount; i++) {
      const e = ug.original[i]!;
      const best =
        ag.flowCutCost[e]! < INF ? { id: ag.flowCutControl[e]!, cost: ag.flowCutCost[e]! } : undefined;
      arc(inId(0, ug.g.edgeFrom[i]!) + 1, inId(0, ug.g.edgeTo[i]!), best, {
        type: "flow",
        index: ag.flowIndex[e]!,
      });
    }
    for (const v of ag.entries) net.addArc(this.S, inId(0, v), INF);

    // Layer 1: the way out of a disclosure, closed by the controls of the lethal-trifecta rule. It
    // runs on the whole attack graph: a step the influence leg cannot take may still carry data out.
    if (withWayOut) {
      const exfilRule = rules.find((r) => r.meta.id === EXFIL_RULE);
      const ranked = [...BUILTIN_CONTROL_BY_ID.values()]
        .filter((c) => c.effect === "cut" && (exfilRule?.meta.mitigations.includes(c.id) ?? false))
        .map((c) => ({ id: c.id, cost: cost(c.id) }))
        .sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1));
      const cheapest = new Map<string, { id: string; cost: number } | undefined>();
      const cheapestFor = (on: string) => {
        if (!cheapest.has(on))
          cheapest.set(
            on,
            ranked.find((c) => canPlace(c.id, on)),
          );
        return cheapest.get(on);
      };
      for (let v = 0; v < n; v++)
        arc(inId(1, v), inId(1, v) + 1, cheapestFor(model.components[v]!.kind), {
          type: "component",
          index: v,
        });
      const onFlow = cheapestFor("flow");
      for (let e = 0; e < ag.g.edgeCount; e++) {
        if (ag.exfilWeight[e] === Infinity) continue;
        arc(inId(1, ag.g.edgeFrom[e]!) + 1, inId(1, ag.g.edgeTo[e]!), onFlow, {
          type: "flow",
          index: ag.flowIndex[e]!,
        });
      }
      for (const s of sinks) net.addArc(inId(1, s) + 1, this.T, INF);
    }
    this.placementOf = new Int32Array(net.arcCount).fill(-1);
    this.blockedOf = new Int32Array(net.arcCount).fill(-1);
    placementOf.forEach((p, i) => (this.placementOf[i] = p));
    blockedOf.forEach((b, i) => (this.blockedOf[i] = b));
  }

  /** The cheapest cut for these targets. */
  solve(targets: readonly AttackTarget[]): CutReport {
    const n = this.n;
    const links = targets.reduce((s, t) => s + t.nodes.length, 0);
    const net = this.base.clone(links);
    for (const t of targets) {
      if (t.mode === "disclosure" && !this.twoLayers)
        throw new Error("cut solver built without the way-out layer");
      // Influence targets end at the sink; a reader under influence starts the way out in layer 1.
      for (const v of t.nodes) net.addArc(2 * v + 1, t.mode === "influence" ? this.T : 2 * (n + v), INF);
    }
    const flow = net.maxFlow(this.S, this.T);
    if (flow >= INF) return { feasible: false, total: 0, controls: [], uncuttable: [], quality: "exact" };
    const side = net.sourceSide(this.S);
    const chosen = new Map<string, { control: string; on: On; cost: number }>();
    const stuck = new Map<string, On>();
    for (let id = 0; id < this.placementOf.length; id += 2) {
      const p = this.placementOf[id]!;
      const b = this.blockedOf[id]!;
      if (p < 0 && b < 0) continue;
      if (!(side[net.arcFrom(id)] === 1 && side[net.arcTo(id)] === 0)) continue;
      if (p >= 0) {
        const pl = this.placements[p]!;
        chosen.set(`${pl.control}@${pl.on.type}:${pl.on.index}`, pl);
      } else {
        const on = this.blocked[b]!;
        stuck.set(`${on.type}:${on.index}`, on);
      }
    }
    const byPlace = (a: On, b: On) => (a.type !== b.type ? (a.type < b.type ? -1 : 1) : a.index - b.index);
    const controls = [...chosen.values()].sort(
      (a, b) => byPlace(a.on, b.on) || (a.control < b.control ? -1 : 1),
    );
    const uncuttable = [...stuck.values()].sort(byPlace);
    return {
      feasible: uncuttable.length === 0,
      total: controls.reduce((s, p) => s + p.cost, 0),
      controls,
      uncuttable,
      quality: "exact",
    };
  }
}
