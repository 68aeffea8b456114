import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST, canPlace } from "../../catalog/controls.js";
import type { ResolvedModel } from "../../semantic/model.js";
import type { Rule } from "../rule.js";
import { EXFIL_RULE, type AttackGraph, type AttackTarget } from "./attack-graph.js";
import { CutNetworkBuilder, type CutArcKind } from "./cut-network.js";
import { FlowWorkspace, INF, layOut, maxFlow, sourceSide } from "./maxflow.js";
import type { CutReport } from "./model.js";
import type { UsableGraph } from "./usable.js";

/**
 * Capacity of a step no control can cut. Finite (above any realistic sum of control costs), so a cut
 * still exists: it names the cheapest controls for everything cuttable plus the steps that only
 * lowering controls or a redesign can address, instead of giving up on the whole question.
 */
const UNCUTTABLE = 1 << 24;

type On = { readonly type: "component" | "flow"; readonly index: number };
type Option = { readonly id: string; readonly cost: number } | undefined;

const INFEASIBLE: CutReport = { feasible: false, total: 0, controls: [], uncuttable: [], quality: "exact" };

/**
 * The cheapest set of controls that cuts every path from the entries to a set of targets, as a
 * minimum cut (max-flow). Placement model: a control on a flow cuts that step; a control on a
 * component cuts every step into it (node splitting); a control only goes where it makes sense
 * (CONTROL_PLACEMENT). Costs are declared or default. Disclosure targets use a second copy of the
 * graph for the way out (readers -> observable sinks), where the lethal-trifecta controls apply; a
 * placement chosen in both legs is charged twice by the optimisation but once in the reported total,
 * so the report can only be cheaper than the optimum it came from.
 *
 * Each question builds its own network over only the nodes that lie on some entry -> target path
 * (cut-network.ts), so a question about one crown jewel costs about that crown jewel's part of the
 * graph. The cut reported is the minimum cut closest to the entries (the residual graph's source
 * side), which every maximum flow yields alike: the answer does not depend on how the flow was found.
 */
export class CutSolver {
  private readonly builder: CutNetworkBuilder;
  /** Way-out leg: cheapest lethal-trifecta control per component, and on a flow. */
  private readonly wayOutNode: Option[] = [];
  private wayOutFlow: Option;
  private readonly ws = new FlowWorkspace();

  constructor(
    private readonly model: ResolvedModel,
    private readonly ag: AttackGraph,
    private readonly ug: UsableGraph,
    rules: readonly Rule[],
    sinks: readonly number[],
    withWayOut: boolean,
  ) {
    const cost = (name: string) =>
      Math.round(
        model.controls.find((c) => c.name === name)?.cost ??
          BUILTIN_CONTROL_BY_ID.get(name)?.cost ??
          DEFAULT_CONTROL_COST,
      );
    if (withWayOut) {
      const exfilRule = rules.find((r) => r.meta.id === EXFIL_RULE);
      const ranked = [...BUILTIN_CONTROL_BY_ID.values()]
        .filter((c) => c.effect === "cut" && (exfilRule?.meta.mitigations.includes(c.id) ?? false))
        .map((c) => ({ id: c.id, cost: cost(c.id) }))
        .sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1));
      const cheapest = new Map<string, Option>();
      const cheapestFor = (on: string) => {
        if (!cheapest.has(on))
          cheapest.set(
            on,
            ranked.find((c) => canPlace(c.id, on)),
          );
        return cheapest.get(on);
      };
      for (let v = 0; v < ug.g.nodeCount; v++) this.wayOutNode.push(cheapestFor(model.components[v]!.kind));
      this.wayOutFlow = cheapestFor("flow");
    }
    this.builder = new CutNetworkBuilder(ag, ug, sinks, withWayOut, (kind, index) =>
      this.capacity(kind, index),
    );
  }

  /** The control an arc of the network stands for (undefined: uncuttable), by its kind and index. */
  private option(kind: CutArcKind, index: number): Option {
    const ag = this.ag;
    switch (kind) {
      case "node": {
        const c = ag.nodeCutCost[index]!;
        return c < INF ? { id: ag.nodeCutControl[index]!, cost: c } : undefined;
      }
      case "flow": {
        const e = this.ug.original[index]!;
        const c = ag.flowCutCost[e]!;
        return c < INF ? { id: ag.flowCutControl[e]!, cost: c } : undefined;
      }
      case "way-out node":
        return this.wayOutNode[index];
      case "way-out flow":
        return this.wayOutFlow;
    }
  }

  private capacity(kind: CutArcKind, index: number): number {
    return this.option(kind, index)?.cost ?? UNCUTTABLE;
  }

  private place(kind: CutArcKind, index: number): On {
    if (kind === "node" || kind === "way-out node") return { type: "component", index };
    const e = kind === "flow" ? this.ug.original[index]! : index;
    return { type: "flow", index: this.ag.flowIndex[e]! };
  }

  /** The cheapest cut for these targets. */
  solve(targets: readonly AttackTarget[]): CutReport {
    const net = this.builder.build(targets);
    if (net === "unbounded") return INFEASIBLE;
    const r = layOut(this.ws, net.nodeCount, net.count, net.tail, net.head, net.cap);
    if (maxFlow(this.ws, r, net.S, net.T) === Infinity) return INFEASIBLE;
    const side = sourceSide(this.ws, r, net.S);
    const chosen = new Map<string, { control: string; on: On; cost: number }>();
    const stuck = new Map<string, On>();
    for (let a = 0; a < net.count; a++) {
      const code = net.meta[a]!;
      if (code < 0 || !(side[net.tail[a]!] === 1 && side[net.head[a]!] === 0)) continue;
      const kind = this.builder.kindOf(code);
      const index = this.builder.indexOf(code);
      const on = this.place(kind, index);
      const o = this.option(kind, index);
      if (o) chosen.set(`${o.id}@${on.type}:${on.index}`, { control: o.id, on, cost: o.cost });
      else stuck.set(`${on.type}:${on.index}`, on);
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
