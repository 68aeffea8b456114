import type { CompactGraph } from "../../graph/compact.js";
import { adjacency, type Adjacency } from "./adjacency.js";
import { IndexedMinHeap } from "./heap.js";

/** Shortest distances (sum of -ln likelihood) and the edge each node was reached by (-1 seed, -2 never). */
export interface ShortestPaths {
  readonly dist: Float64Array;
  readonly via: Int32Array;
}

/**
 * Dijkstra over edge weights w = -ln(p): the shortest path is the most likely one when step
 * likelihoods multiply. `direction: "backward"` walks in-edges, so seeds are targets and `via` points
 * toward them. Edges with an infinite weight are cut. `onSettle` may stop the search early (top-k).
 */
export function dijkstra(
  g: CompactGraph,
  weight: Float64Array,
  seeds: readonly { node: number; dist: number }[],
  direction: "forward" | "backward",
  onSettle?: (v: number) => boolean,
): ShortestPaths {
  const ws = new DijkstraWorkspace(g.nodeCount);
  const nodes = Int32Array.from(seeds, (s) => s.node);
  const dists = Float64Array.from(seeds, (s) => s.dist);
  ws.search(adjacency(g, direction, weight), nodes, (i) => dists[i]!, onSettle);
  return ws;
}

/**
 * Dijkstra state for many searches over one graph (top-k runs one per crown jewel): a search resets
 * only the nodes the previous one touched, so a search that stops after a few settled nodes costs
 * those nodes, not the whole graph. Between searches `dist` and `via` hold the last search's answer.
 */
export class DijkstraWorkspace implements ShortestPaths {
  readonly dist: Float64Array;
  readonly via: Int32Array;
  private readonly heap: IndexedMinHeap;
  private readonly touched: Int32Array;
  private touchedCount = 0;

  constructor(n: number) {
    this.dist = new Float64Array(n).fill(Infinity);
    this.via = new Int32Array(n).fill(-2);
    this.heap = new IndexedMinHeap(n);
    this.touched = new Int32Array(n);
  }

  /** One search; `seedDist(i)` is the starting distance of `seeds[i]` (same semantics as `dijkstra`). */
  search(
    adj: Adjacency,
    seeds: ArrayLike<number>,
    seedDist: (i: number) => number,
    onSettle?: (v: number) => boolean,
  ): void {
    const { dist, via, heap, touched } = this;
    for (let i = 0; i < this.touchedCount; i++) {
      const v = touched[i]!;
      dist[v] = Infinity;
      via[v] = -2;
    }
    heap.reset(touched, this.touchedCount);
    let count = 0;
    for (let i = 0; i < seeds.length; i++) {
      const s = seeds[i]!;
      const d = seedDist(i);
      if (d < dist[s]!) {
        if (dist[s] === Infinity) touched[count++] = s;
        dist[s] = d;
        via[s] = -1;
        heap.push(s, d);
      }
    }
    const { start, edge, node, weight } = adj;
    while (heap.length > 0) {
      const v = heap.pop();
      if (onSettle?.(v)) break;
      const dv = dist[v]!;
      for (let i = start[v]!; i < start[v + 1]!; i++) {
        const w = weight[i]!;
        if (w === Infinity) continue;
        const u = node[i]!;
        const nd = dv + w;
        if (nd < dist[u]!) {
          if (dist[u] === Infinity) touched[count++] = u;
          dist[u] = nd;
          via[u] = edge[i]!;
          heap.push(u, nd);
        }
      }
    }
    this.touchedCount = count;
  }
}

/**
 * Fewest steps from the seeds over a prepared adjacency (its edges with a finite weight), by
 * breadth-first search: what `dijkstra` gives with every usable edge weighing 1, in linear time.
 */
export function fewestStepsOn(adj: Adjacency, seeds: readonly number[]): Float64Array {
  const n = adj.nodeCount;
  const dist = new Float64Array(n).fill(Infinity);
  const queue = new Int32Array(n);
  let tail = 0;
  for (const s of seeds) {
    if (dist[s] !== Infinity) continue;
    dist[s] = 0;
    queue[tail++] = s;
  }
  const { start, node, weight } = adj;
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      if (weight[i] === Infinity) continue;
      const u = node[i]!;
      if (dist[u] !== Infinity) continue;
      dist[u] = dist[v]! + 1;
      queue[tail++] = u;
    }
  }
  return dist;
}
