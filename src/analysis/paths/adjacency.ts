import type { CompactGraph } from "../../graph/compact.js";

/**
 * One direction of a CSR graph with each slot's neighbour and weight copied out in slot order, and
 * the cut steps (weight Infinity) left out. A search then reads a node's steps sequentially and
 * tests nothing per step; through the edge id (`edgeTo[outEdges[i]]`, `weight[outEdges[i]]`) every
 * step is a random load, which on a large model costs more than the search itself. Built once per
 * analysis and shared by every search in that direction.
 */
export interface Adjacency {
  readonly nodeCount: number;
  /** Steps of node v are slots `start[v] .. start[v + 1]`, in the CSR's order. */
  readonly start: Int32Array;
  /** Edge id, neighbour and (finite) weight of each slot. */
  readonly edge: Int32Array;
  readonly node: Int32Array;
  readonly weight: Float64Array;
}

/**
 * The adjacency of `g` in one direction, without the edges whose `weight` is Infinity; without
 * `weight` every step weighs 0. O(n + m).
 */
export function adjacency(
  g: CompactGraph,
  direction: "forward" | "backward",
  weight?: Float64Array,
): Adjacency {
  const n = g.nodeCount;
  const csrStart = direction === "forward" ? g.outStart : g.inStart;
  const csrEdge = direction === "forward" ? g.outEdges : g.inEdges;
  const other = direction === "forward" ? g.edgeTo : g.edgeFrom;
  let m = 0;
  for (let i = 0; i < csrEdge.length; i++) if (weight?.[csrEdge[i]!] !== Infinity) m++;
  const node = new Int32Array(m);
  const w = new Float64Array(m);
  if (m === csrEdge.length) {
    // Nothing cut (the usable graph): the CSR's own offsets and edge order serve as they are.
    for (let i = 0; i < m; i++) {
      const e = csrEdge[i]!;
      node[i] = other[e]!;
      if (weight) w[i] = weight[e]!;
    }
    return { nodeCount: n, start: csrStart, edge: csrEdge, node, weight: w };
  }
  const start = new Int32Array(n + 1);
  const edge = new Int32Array(m);
  let k = 0;
  for (let v = 0; v < n; v++) {
    start[v] = k;
    for (let i = csrStart[v]!, end = csrStart[v + 1]!; i < end; i++) {
      const e = csrEdge[i]!;
      if (weight![e] === Infinity) continue;
      edge[k] = e;
      node[k] = other[e]!;
      w[k++] = weight![e]!;
    }
  }
  start[n] = k;
  return { nodeCount: n, start, edge, node, weight: w };
}
