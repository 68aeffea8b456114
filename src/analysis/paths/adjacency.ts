import type { CompactGraph } from "../../graph/compact.js";

/**
 * One direction of a CSR graph with each slot's neighbour and weight copied out in slot order. A
 * search then reads a node's steps sequentially; through the edge id (`edgeTo[outEdges[i]]`,
 * `weight[outEdges[i]]`) every step is a random load, which on a large model costs more than the
 * search itself. Built once per analysis and shared by every search in that direction.
 */
export interface Adjacency {
  readonly nodeCount: number;
  /** Steps of node v are slots `start[v] .. start[v + 1]`. */
  readonly start: Int32Array;
  /** Edge id, neighbour and weight (Infinity: cut) of each slot. */
  readonly edge: Int32Array;
  readonly node: Int32Array;
  readonly weight: Float64Array;
}

/** The adjacency of `g` in one direction; without `weight` every step weighs 0. O(n + m). */
export function adjacency(
  g: CompactGraph,
  direction: "forward" | "backward",
  weight?: Float64Array,
): Adjacency {
  const start = direction === "forward" ? g.outStart : g.inStart;
  const edge = direction === "forward" ? g.outEdges : g.inEdges;
  const other = direction === "forward" ? g.edgeTo : g.edgeFrom;
  const m = edge.length;
  const node = new Int32Array(m);
  const w = new Float64Array(m);
  for (let i = 0; i < m; i++) {
    const e = edge[i]!;
    node[i] = other[e]!;
    if (weight) w[i] = weight[e]!;
  }
  return { nodeCount: g.nodeCount, start, edge, node, weight: w };
}
