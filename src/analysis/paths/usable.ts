import { scratchF64, scratchI32 } from "../../graph/arena.js";
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

/** Drops cut steps; O(n + m), typed arrays only (counted first). */
export function usableGraph(ag: AttackGraph): UsableGraph {
  let count = 0;
  for (let e = 0; e < ag.g.edgeCount; e++) if (ag.weight[e] !== Infinity) count++;
  const from = scratchI32(count);
  const to = scratchI32(count);
  const orig = scratchI32(count);
  const weight = scratchF64(count);
  for (let e = 0, i = 0; e < ag.g.edgeCount; e++) {
    if (ag.weight[e] === Infinity) continue;
    from[i] = ag.g.edgeFrom[e]!;
    to[i] = ag.g.edgeTo[e]!;
    orig[i] = e;
    weight[i++] = ag.weight[e]!;
  }
  return { g: buildCompactGraph(ag.g.nodeCount, from, to), original: orig, weight };
}
