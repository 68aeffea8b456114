import { buildCompactGraph, type CompactGraph } from "../../graph/compact.js";
import type { AttackGraph } from "./attack-graph.js";

/** The attack graph without the steps declared controls cut, with a map back to attack-graph edges. */
export interface UsableGraph {
  readonly g: CompactGraph;
  /** Usable edge -> attack-graph edge. */
  readonly original: Int32Array;
  /** Weight (-ln likelihood) per usable edge. */
  readonly weight: Float64Array;
}

/** Drops cut steps; O(n + m). */
export function usableGraph(ag: AttackGraph): UsableGraph {
  const from: number[] = [];
  const to: number[] = [];
  const original: number[] = [];
  for (let e = 0; e < ag.g.edgeCount; e++) {
    if (ag.weight[e] === Infinity) continue;
    from.push(ag.g.edgeFrom[e]!);
    to.push(ag.g.edgeTo[e]!);
    original.push(e);
  }
  const orig = Int32Array.from(original);
  const weight = new Float64Array(orig.length);
  for (let i = 0; i < orig.length; i++) weight[i] = ag.weight[orig[i]!]!;
  return { g: buildCompactGraph(ag.g.nodeCount, from, to), original: orig, weight };
}
