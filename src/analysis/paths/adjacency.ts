import { scratchF64, scratchI32 } from "../../graph/arena.js";
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
  const slots = csrEdge.length;
  const node = scratchI32(slots);
  const w = scratchF64(slots);
  let cut = 0;
  for (let i = 0; i < slots; i++) {
    const e = csrEdge[i]!;
    node[i] = other[e]!;
    if (weight) {
      const x = weight[e]!;
      w[i] = x;
      if (x === Infinity) cut++;
    }
  }
  // Nothing cut (the usable graph): the CSR's own offsets and edge order serve as they are.
  if (cut === 0) return { nodeCount: n, start: csrStart, edge: csrEdge, node, weight: w };
  // Otherwise the slots are compacted in order, reading only what was just copied out.
  const m = slots - cut;
  const start = scratchI32(n + 1);
  const edge = scratchI32(m);
  const keptNode = scratchI32(m);
  const keptWeight = scratchF64(m);
  let k = 0;
  for (let v = 0; v < n; v++) {
    start[v] = k;
    for (let i = csrStart[v]!, end = csrStart[v + 1]!; i < end; i++) {
      if (w[i] === Infinity) continue;
      edge[k] = csrEdge[i]!;
      keptNode[k] = node[i]!;
      keptWeight[k++] = w[i]!;
    }
  }
  start[n] = k;
  return { nodeCount: n, start, edge, node: keptNode, weight: keptWeight };
}

/**
 * `adj` over `nodeCount` nodes (at least its own): the nodes added have no steps. The way out is
 * searched on the attack graph, whose components the usable graph's turned nodes follow, so its
 * answers sit in arrays of the usable graph's size.
 */
export function padded(adj: Adjacency, nodeCount: number): Adjacency {
  const n = adj.nodeCount;
  if (nodeCount === n) return adj;
  const start = scratchI32(nodeCount + 1);
  start.set(adj.start);
  start.fill(adj.start[n]!, n + 1);
  return { ...adj, nodeCount, start };
}
