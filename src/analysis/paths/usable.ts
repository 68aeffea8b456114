import { scratchI32 } from "../../graph/arena.js";
import { buildCompactGraph, type CompactGraph } from "../../graph/compact.js";
import type { AttackGraph } from "./attack-graph.js";

/**
 * The attack graph without the steps declared controls cut, with a map back to attack-graph edges,
 * and a turned node per component of `AttackGraph.turned` after the components: its in-steps are
 * copies of the component's usable turning steps (`StepTechnique.turns`), and it has no out-steps.
 * A disclosure reader that only a step turns is its turned node, so the leg that reaches it ends
 * with a step that turns it (ADR 4); everything else about a turned node is its component's.
 */
export interface UsableGraph {
  readonly g: CompactGraph;
  /** Usable edge -> attack-graph edge (a turned node's in-step -> the step it copies). */
  readonly original: Int32Array;
  /**
   * Weight (-ln likelihood) per usable edge: the attack graph's weight of its `original` step. Built
   * when first read (the analysis reads the attack graph's levels instead, so that no copy sits
   * under the cut network), and kept.
   */
  readonly weight: Float64Array;
  /** How many components: nodes from here on are turned nodes. */
  readonly components: number;
  /** The component of each turned node (node `components + i` is `turned[i]`'s). */
  readonly turned: Int32Array;
}

/** The component a node of the usable graph stands for (itself, or a turned node's component). */
export function componentOf(ug: UsableGraph, v: number): number {
  return v < ug.components ? v : ug.turned[v - ug.components]!;
}

/** Drops cut steps and adds the turned nodes' steps; O(n + m), typed arrays only (counted first). */
export function usableGraph(ag: AttackGraph): UsableGraph {
  const { edgeFrom, edgeTo, edgeCount } = ag.g;
  const { stepLevel, levelWeight, techniqueOf, turnedNode } = ag;
  let count = 0;
  let copies = 0;
  for (let e = 0; e < edgeCount; e++) {
    if (levelWeight[stepLevel[e]!] === Infinity) continue;
    count++;
    if (turnedNode[edgeTo[e]!]! >= 0 && techniqueOf(e)?.turns) copies++;
  }
  const from = scratchI32(count + copies);
  const to = scratchI32(count + copies);
  const orig = scratchI32(count + copies);
  let i = 0;
  for (let e = 0; e < edgeCount; e++) {
    if (levelWeight[stepLevel[e]!] === Infinity) continue;
    from[i] = edgeFrom[e]!;
    to[i] = edgeTo[e]!;
    orig[i++] = e;
  }
  if (copies > 0)
    for (let e = 0; e < edgeCount; e++) {
      const t = turnedNode[edgeTo[e]!]!;
      if (t < 0 || levelWeight[stepLevel[e]!] === Infinity || !techniqueOf(e)?.turns) continue;
      from[i] = edgeFrom[e]!;
      to[i] = t;
      orig[i++] = e;
    }
  const n = ag.g.nodeCount;
  let weight: Float64Array | undefined;
  return {
    g: buildCompactGraph(n + ag.turned.length, from, to),
    original: orig,
    // Plain, not from the arena: read (by tests) after the analysis's scratch may be given back.
    get weight() {
      return (weight ??= Float64Array.from(orig, (e) => levelWeight[stepLevel[e]!]!));
    },
    components: n,
    turned: ag.turned,
  };
}
