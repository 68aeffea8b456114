import { scratchCopyI32, scratchF64, scratchI32, scratchScope, scratchU16 } from "../../graph/arena.js";
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
  /** Edge id, neighbour and (finite) weight of each slot (no weights when `level` is given). */
  readonly edge: Int32Array;
  readonly node: Int32Array;
  readonly weight: Float64Array;
  /**
   * With a level table (an index that is a Uint16Array): each slot's level, the slot weighing
   * `levels[level[i]]`. Two bytes a slot where a weight took eight (35 MB of the exposure's peak at
   * 1M components, for the two directions), and the same double.
   */
  readonly level?: Uint16Array;
  readonly levels?: Float64Array;
}

const NO_WEIGHTS = new Float64Array(0);

/**
 * The adjacency of `g` in one direction, without the edges whose `weight` is Infinity; without
 * `weight` every step weighs 0; with `index`, edge e weighs `weight[index[e]]` (the usable graph's
 * edges read their step's weight from the attack graph's few levels). O(n + m).
 *
 * Beware: with a Uint16Array `index` and no edge cut, the answer holds levels, not weights: `level`
 * and `levels` are set and `weight` is empty, so a reader must go through `level` when it is there
 * (as Dijkstra's relax does). With an Int32Array index, or when an edge is cut, `weight` is filled.
 *
 * Filled by edge id, each edge written to its slot: a CSR keeps a node's edges in id order
 * (`buildCompactGraph`), so the k-th kept edge of v in id order is v's k-th kept slot. Reading the
 * edges in id order reads every per-edge array in order and only writes at random; reading the CSR's
 * slots in order loaded each step's neighbour and weight at random through its edge id, two cache
 * misses per step on a large model.
 */
export function adjacency(
  g: CompactGraph,
  direction: "forward" | "backward",
  weight?: Float64Array,
  index?: Int32Array | Uint16Array,
): Adjacency {
  const n = g.nodeCount;
  const m = g.edgeCount;
  const forward = direction === "forward";
  const csrStart = forward ? g.outStart : g.inStart;
  const csrEdge = forward ? g.outEdges : g.inEdges;
  const key = forward ? g.edgeFrom : g.edgeTo;
  const other = forward ? g.edgeTo : g.edgeFrom;
  const cut = weight ? cutCount(weight, index, m) : 0;
  // Nothing cut (the usable graph): the CSR's own offsets and edge order serve as they are.
  if (cut === 0) {
    const node = scratchI32(m);
    if (weight && index instanceof Uint16Array) {
      const level = scratchU16(m);
      scratchScope(() => scatterLevels(key, other, index, scratchCopyI32(csrStart, n), node, level));
      return {
        nodeCount: n,
        start: csrStart,
        edge: csrEdge,
        node,
        weight: NO_WEIGHTS,
        level,
        levels: weight,
      };
    }
    const w = scratchF64(m);
    scratchScope(() => scatter(key, other, weight, index, scratchCopyI32(csrStart, n), undefined, node, w));
    return { nodeCount: n, start: csrStart, edge: csrEdge, node, weight: w };
  }
  // Otherwise each node's kept steps are counted first, and only they are laid out.
  const kept = m - cut;
  const start = scratchI32(n + 1);
  for (let e = 0; e < m; e++) if (weight![index ? index[e]! : e] !== Infinity) start[key[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const edge = scratchI32(kept);
  const node = scratchI32(kept);
  const w = scratchF64(kept);
  scratchScope(() => scatter(key, other, weight, index, scratchCopyI32(start, n), edge, node, w));
  return { nodeCount: n, start, edge, node, weight: w };
}

function cutCount(weight: Float64Array, index: Int32Array | Uint16Array | undefined, m: number): number {
  let cut = 0;
  for (let e = 0; e < m; e++) if (weight[index ? index[e]! : e] === Infinity) cut++;
  return cut;
}

/** `scatter` of every edge (none cut) with its level, not its weight. */
function scatterLevels(
  key: Int32Array,
  other: Int32Array,
  index: Uint16Array,
  fill: Int32Array,
  node: Int32Array,
  level: Uint16Array,
): void {
  const m = key.length;
  for (let e = 0; e < m; e++) {
    const s = fill[key[e]!]!++;
    node[s] = other[e]!;
    level[s] = index[e]!;
  }
}

/**
 * Writes each kept edge (weight not Infinity) into its node's next slot (`fill`, each node's first
 * slot, is advanced): its id into `edge` (when given), its other end into `node`, its weight into `w`
 * (`weight[index[e]]` with `index`).
 */
function scatter(
  key: Int32Array,
  other: Int32Array,
  weight: Float64Array | undefined,
  index: Int32Array | Uint16Array | undefined,
  fill: Int32Array,
  edge: Int32Array | undefined,
  node: Int32Array,
  w: Float64Array,
): void {
  const m = key.length;
  if (!weight) {
    for (let e = 0; e < m; e++) node[fill[key[e]!]!++] = other[e]!;
    return;
  }
  for (let e = 0; e < m; e++) {
    const x = weight[index ? index[e]! : e]!;
    if (x === Infinity) continue;
    const s = fill[key[e]!]!++;
    if (edge) edge[s] = e;
    node[s] = other[e]!;
    w[s] = x;
  }
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
