import { scratchF64, scratchI32, scratchU8 } from "../../graph/arena.js";
import type { CompactGraph } from "../../graph/compact.js";
import { adjacency, type Adjacency } from "./adjacency.js";
import { LevelQueue } from "./heap.js";

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
  private readonly queue: LevelQueue;
  private readonly touched: Int32Array;
  private touchedCount = 0;

  constructor(n: number) {
    this.dist = scratchF64(n).fill(Infinity);
    this.via = scratchI32(n).fill(-2);
    this.queue = new LevelQueue(n);
    this.touched = scratchI32(n);
  }

  /** One search; `seedDist(i)` is the starting distance of `seeds[i]` (same semantics as `dijkstra`). */
  search(
    adj: Adjacency,
    seeds: ArrayLike<number>,
    seedDist: (i: number) => number,
    onSettle?: (v: number) => boolean,
  ): void {
    const { dist, via, queue, touched } = this;
    let count = this.reset();
    for (let i = 0; i < seeds.length; i++) {
      const s = seeds[i]!;
      const d = seedDist(i);
      if (d < dist[s]!) {
        if (dist[s] === Infinity) touched[count++] = s;
        dist[s] = d;
        via[s] = -1;
        queue.push(s, d);
      }
    }
    this.touchedCount = this.settle(adj, count, onSettle);
  }

  /**
   * The same search as `search` over the seeds of `order` that `accept` takes, with `seedDist(v)`
   * their starting distances, `order` sorted by (distance, node): a seed enters the queue only when
   * it would be the next node settled, so a search that stops early never touches the seeds it did
   * not reach (a crown jewel read by half the model, and top-k stops after k entries). The queue's
   * order is total (ties by node), so taking seeds late settles the same nodes through the same steps.
   */
  searchOrdered(
    adj: Adjacency,
    order: ArrayLike<number>,
    seedDist: (v: number) => number,
    accept: (v: number) => boolean,
    onSettle?: (v: number) => boolean,
  ): void {
    this.touchedCount = this.reset();
    this.touchedCount = this.settleOrdered(adj, order, seedDist, accept, onSettle);
  }

  /** Clears the previous search (only the nodes it touched); returns the touched count, 0. */
  private reset(): number {
    const { dist, via, queue, touched } = this;
    for (let i = 0; i < this.touchedCount; i++) {
      const v = touched[i]!;
      dist[v] = Infinity;
      via[v] = -2;
    }
    queue.reset(touched, this.touchedCount);
    return 0;
  }

  /**
   * Settles the queue until it is empty or `onSettle` says stop; `count` nodes touched so far, returns
   * the new count. The hot loop of every search: no closure but `onSettle`, locals only.
   */
  private settle(adj: Adjacency, count: number, onSettle: ((v: number) => boolean) | undefined): number {
    const queue = this.queue;
    for (;;) {
      const v = queue.pop();
      if (v < 0 || (onSettle !== undefined && onSettle(v))) break;
      count = this.relax(adj, v, count);
    }
    return count;
  }

  /** Offers v's settled distance to its neighbours; returns the touched count. */
  private relax(adj: Adjacency, v: number, count: number): number {
    const { level, levels } = adj;
    return level ? this.relaxLevels(adj, level, levels!, v, count) : this.relaxWeights(adj, v, count);
  }

  /** `relax` over slots that hold their weights. */
  private relaxWeights(adj: Adjacency, v: number, count: number): number {
    const { dist, via, queue, touched } = this;
    const { start, edge, node, weight } = adj;
    const dv = dist[v]!;
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      const nd = dv + weight[i]!;
      const u = node[i]!;
      const du = dist[u]!;
      if (nd < du) {
        if (du === Infinity) touched[count++] = u;
        dist[u] = nd;
        via[u] = edge[i]!;
        queue.push(u, nd);
      }
    }
    return count;
  }

  /** `relax` over slots that hold their levels (`Adjacency.level`): the same sums. */
  private relaxLevels(
    adj: Adjacency,
    level: Uint16Array,
    levels: Float64Array,
    v: number,
    count: number,
  ): number {
    const { dist, via, queue, touched } = this;
    const { start, edge, node } = adj;
    const dv = dist[v]!;
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      const nd = dv + levels[level[i]!]!;
      const u = node[i]!;
      const du = dist[u]!;
      if (nd < du) {
        if (du === Infinity) touched[count++] = u;
        dist[u] = nd;
        via[u] = edge[i]!;
        queue.push(u, nd);
      }
    }
    return count;
  }

  /** `settle` taking the seeds of `order` lazily (see `searchOrdered`); returns the touched count. */
  private settleOrdered(
    adj: Adjacency,
    order: ArrayLike<number>,
    seedDist: (v: number) => number,
    accept: (v: number) => boolean,
    onSettle: ((v: number) => boolean) | undefined,
  ): number {
    const { dist, via, queue, touched } = this;
    let count = 0;
    // The next seed to take (-1: none left), its distance and its place in `order`.
    let s = -1;
    let sd = Infinity;
    let p = 0;
    for (;;) {
      if (s < 0) {
        for (; p < order.length; p++) {
          const v = order[p]!;
          if (!accept(v)) continue;
          // In distance order: after the first unreachable seed, every other one is too.
          const d = seedDist(v);
          if (d === Infinity) p = order.length;
          else {
            s = v;
            sd = d;
            p++;
          }
          break;
        }
      }
      if (s >= 0 && queue.notAfterTop(s, sd)) {
        // Seeded from the start, s would hold sd unless a step offered strictly less (a step that
        // offered sd queued s at sd already).
        if (!queue.done(s) && sd <= dist[s]!) {
          if (dist[s] === Infinity) touched[count++] = s;
          if (sd < dist[s]!) queue.push(s, sd);
          dist[s] = sd;
          via[s] = -1;
        }
        s = -1;
        continue;
      }
      const v = queue.pop();
      if (v < 0 || (onSettle !== undefined && onSettle(v))) break;
      count = this.relax(adj, v, count);
    }
    return count;
  }
}

/**
 * Fewest steps from the seeds over a prepared adjacency (its edges with a finite weight), by
 * breadth-first search: what `dijkstra` gives with every usable edge weighing 1, in linear time.
 */
export function fewestStepsOn(adj: Adjacency, seeds: readonly number[]): Float64Array {
  const dist = scratchF64(adj.nodeCount).fill(Infinity);
  fewestStepsInto(adj, seeds, dist, 1, 0, scratchI32(adj.nodeCount), scratchU8(adj.nodeCount));
  return dist;
}

/**
 * `fewestStepsOn` written into `out[v * stride + offset]` (Infinity there for every node on entry),
 * so several searches fill one interleaved table; `queue` (n nodes) and `seen` (n zeros on entry,
 * not on return) are only scratch. A step is tested against `seen`, a byte per node, and the table
 * written once per node reached: at 1M components the table of four classes is 32 MB, and a test
 * per step in it missed the cache where the bytes mostly hit. The queue is walked level by level,
 * so a node's count is never read back.
 */
export function fewestStepsInto(
  adj: Adjacency,
  seeds: readonly number[],
  out: Float64Array,
  stride: number,
  offset: number,
  queue: Int32Array,
  seen: Uint8Array,
): void {
  let tail = 0;
  for (const s of seeds) {
    if (seen[s] !== 0) continue;
    seen[s] = 1;
    out[s * stride + offset] = 0;
    queue[tail++] = s;
  }
  const { start, node } = adj;
  let steps = 1;
  for (let head = 0, levelEnd = tail; head < tail; steps++, levelEnd = tail) {
    for (; head < levelEnd; head++) {
      const v = queue[head]!;
      for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
        const w = node[i]!;
        if (seen[w] !== 0) continue;
        seen[w] = 1;
        out[w * stride + offset] = steps;
        queue[tail++] = w;
      }
    }
  }
}

/**
 * The nodes with a finite distance, sorted by (distance, node): the seed order `searchOrdered`
 * takes. Distances repeat (sums of a few step weights), so the distinct values are listed first and
 * the nodes bucketed by their rank in node order, instead of a comparator sort of every node.
 * (`most`: how many distinct values are kept in a sorted list before all are sorted natively.)
 */
export function byDistance(dist: Float64Array, most = 1024): Int32Array {
  const n = dist.length;
  const { values, distinct, count } = fewDistinct(dist, most) ?? sortedDistinct(dist);
  const start = scratchI32(distinct + 1);
  const rankOf = scratchI32(n);
  for (let v = 0; v < n; v++) {
    if (dist[v] === Infinity) continue;
    const r = rankIn(values, distinct, dist[v]!);
    rankOf[v] = r;
    start[r + 1]!++;
  }
  for (let r = 0; r < distinct; r++) start[r + 1]! += start[r]!;
  const out = scratchI32(count);
  for (let v = 0; v < n; v++) if (dist[v]! < Infinity) out[start[rankOf[v]!]!++] = v;
  return out;
}

/** The distinct finite distances ascending (`values[0 .. distinct)`), and how many finite ones. */
interface Distinct {
  readonly values: Float64Array;
  readonly distinct: number;
  readonly count: number;
}

/**
 * `Distinct` by insertion into a sorted list, one pass over the nodes with no copy of the distances
 * (a native sort of every finite distance was most of `byDistance` at 1M), or undefined when there
 * are more than `most` distinct values.
 */
function fewDistinct(dist: Float64Array, most: number): Distinct | undefined {
  const values = scratchF64(most);
  let distinct = 0;
  let count = 0;
  let last = NaN;
  for (let v = 0; v < dist.length; v++) {
    const x = dist[v]!;
    if (!(x < Infinity)) continue;
    count++;
    if (x === last) continue;
    last = x;
    let lo = 0;
    let hi = distinct;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (values[mid]! < x) lo = mid + 1;
      else hi = mid;
    }
    if (lo < distinct && values[lo] === x) continue;
    if (distinct === most) return undefined;
    values.copyWithin(lo + 1, lo, distinct);
    values[lo] = x;
    distinct++;
  }
  return { values, distinct, count };
}

/** `Distinct` by a native sort of every finite distance. */
function sortedDistinct(dist: Float64Array): Distinct {
  const n = dist.length;
  let count = 0;
  for (let v = 0; v < n; v++) if (dist[v]! < Infinity) count++;
  const values = scratchF64(count);
  for (let v = 0, i = 0; v < n; v++) if (dist[v]! < Infinity) values[i++] = dist[v]!;
  values.sort();
  let distinct = 0;
  for (let i = 0; i < count; i++) if (i === 0 || values[i] !== values[i - 1]) values[distinct++] = values[i]!;
  return { values, distinct, count };
}

/** The index of `x` among the ascending `values[0 .. count)` (x is one of them). */
function rankIn(values: Float64Array, count: number, x: number): number {
  let lo = 0;
  let hi = count - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (values[mid]! < x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
