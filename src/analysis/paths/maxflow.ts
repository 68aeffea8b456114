import { scratchF64, scratchI32, scratchU8 } from "../../graph/arena.js";
/**
 * Max-flow (Dinic) on a residual network laid out by tail (CSR), typed arrays only. Used for the
 * cheapest set of controls that cuts every attack path: capacities are control costs, an uncuttable
 * step has a huge finite capacity, an arc nothing may cut has capacity Infinity, and the minimum cut
 * is read off the residual graph. Capacities are doubles: integer sums stay exact far beyond what a
 * 32-bit capacity could hold (thousands of uncuttable steps in one cut).
 */

/** "No control cuts this" in the attack graph's per-step cut costs; as a `FlowNetwork` capacity, just large. */
export const INF = 1 << 29;

/**
 * A residual network: the arcs of node v are `start[v] .. start[v + 1]`, each with its twin's
 * position. `back[j]` mirrors `cap[twin[j]]` (the capacity left on the arc into this node), so the
 * level search from t reads it beside `head[j]` instead of jumping to the twin.
 */
export interface Residual {
  readonly nodeCount: number;
  readonly start: Int32Array;
  readonly head: Int32Array;
  readonly cap: Float64Array;
  readonly back: Float64Array;
  readonly twin: Int32Array;
}

/**
 * Typed arrays reused by every network a solver lays out and solves (a cut solver answers many
 * questions over networks of similar size): grown on demand, never cleared beyond what is used.
 */
export class FlowWorkspace {
  start: Int32Array = new Int32Array(0);
  head: Int32Array = new Int32Array(0);
  cap: Float64Array = new Float64Array(0);
  back: Float64Array = new Float64Array(0);
  twin: Int32Array = new Int32Array(0);
  nodes: Int32Array = new Int32Array(0);
  dist: Int32Array = new Int32Array(0);
  it: Int32Array = new Int32Array(0);
  stackV: Int32Array = new Int32Array(0);
  stackE: Int32Array = new Int32Array(0);
  seen: Uint8Array = new Uint8Array(0);
  /** Nodes at the front of `nodes` whose `dist` a running `maxFlow` set. */
  labelled = 0;

  fit(nodeCount: number, arcCount: number): void {
    const m = 2 * arcCount;
    if (this.head.length < m) {
      const size = Math.ceil(m * 1.25);
      this.head = scratchI32(size);
      this.cap = scratchF64(size);
      this.back = scratchF64(size);
      this.twin = scratchI32(size);
    }
    if (this.start.length < nodeCount + 1) {
      const size = Math.ceil((nodeCount + 1) * 1.25);
      this.start = scratchI32(size);
      this.nodes = scratchI32(size);
      // -1 between calls: `maxFlow` puts back only the levels it set (see there).
      this.dist = scratchI32(size).fill(-1);
      this.it = scratchI32(size);
      this.stackV = scratchI32(size);
      this.stackE = scratchI32(size);
      this.seen = scratchU8(size);
    }
  }
}

/**
 * Lays arcs given as parallel arrays (tail, head, capacity; `count` of them) out by tail, each with a
 * twin of capacity 0, into the workspace. Within a tail, arcs keep the order they were given in.
 * `pos`, if given, receives each arc's position.
 */
export function layOut(
  ws: FlowWorkspace,
  nodeCount: number,
  count: number,
  tail: Int32Array,
  head: Int32Array,
  cap: Float64Array,
  pos?: Int32Array,
): Residual {
  ws.fit(nodeCount, count);
  const start = ws.start.subarray(0, nodeCount + 1);
  start.fill(0);
  for (let a = 0; a < count; a++) {
    start[tail[a]! + 1]!++;
    start[head[a]! + 1]!++;
  }
  for (let v = 0; v < nodeCount; v++) start[v + 1]! += start[v]!;
  const fill = ws.it;
  fill.set(start.subarray(0, nodeCount));
  const m = 2 * count;
  const to = ws.head.subarray(0, m);
  const c = ws.cap.subarray(0, m);
  const back = ws.back.subarray(0, m);
  const twin = ws.twin.subarray(0, m);
  for (let a = 0; a < count; a++) {
    const u = tail[a]!;
    const v = head[a]!;
    const i = fill[u]!++;
    const j = fill[v]!++;
    to[i] = v;
    to[j] = u;
    c[i] = cap[a]!;
    c[j] = 0;
    back[i] = 0;
    back[j] = cap[a]!;
    twin[i] = j;
    twin[j] = i;
    if (pos) pos[a] = i;
  }
  return { nodeCount, start, head: to, cap: c, back, twin };
}

/**
 * Positions a flow noted (those it saturated, or changed: the caller says which), each listed once
 * until the owner clears it: a solver that keeps one network for many questions reads what a flow
 * did from here instead of scanning every arc.
 */
export class SlotLog {
  readonly mark: Uint8Array;
  list: Int32Array = new Int32Array(64);
  length = 0;
  /** Another log that hears every position this one does. */
  next?: SlotLog;

  constructor(slots: number) {
    this.mark = scratchU8(slots);
  }

  clear(): void {
    for (let i = 0; i < this.length; i++) this.mark[this.list[i]!] = 0;
    this.length = 0;
  }

  note(j: number): void {
    this.next?.note(j);
    if (this.mark[j]) return;
    this.mark[j] = 1;
    if (this.length === this.list.length) {
      const grown = scratchI32(this.list.length * 2);
      grown.set(this.list);
      this.list = grown;
    }
    this.list[this.length++] = j;
  }
}

/**
 * Max flow from s to t, in place on `r.cap` (which becomes the residual capacities); stops early
 * once the flow reaches `limit`. Returns Infinity when a path of unbounded arcs joins s to t.
 * `saturated`, if given, hears every position whose capacity the flow takes to 0; `touched`, every
 * position whose capacity it changes.
 *
 * Levels are distances *to* t in the residual graph (a BFS from t over the twins of arcs with
 * capacity left), stopped once s is labelled, so the blocking-flow search only enters nodes that can
 * still reach t in as many steps. The blocking flow is a depth-first search with current arcs; after
 * an augmentation it resumes from the tail of the first arc it saturated instead of from s.
 */
export function maxFlow(
  ws: FlowWorkspace,
  r: Residual,
  s: number,
  t: number,
  limit = Infinity,
  saturated?: SlotLog,
  touched?: SlotLog,
): number {
  if (s === t) return Infinity;
  const flow = phases(ws, r, s, t, limit, saturated, touched);
  // Levels back to -1 where the last phase set them: a question on a large network that its flow
  // finishes in a few short phases then costs those, not a pass over every node per phase.
  clearLevels(ws.dist, ws.nodes, ws.labelled);
  ws.labelled = 0;
  return flow;
}

function clearLevels(dist: Int32Array, nodes: Int32Array, count: number): void {
  for (let i = 0; i < count; i++) dist[nodes[i]!] = -1;
}

/** `maxFlow`'s phases; the nodes labelled by the last one are `ws.nodes[0 .. ws.labelled)`. */
function phases(
  ws: FlowWorkspace,
  r: Residual,
  s: number,
  t: number,
  limit: number,
  saturated: SlotLog | undefined,
  touched: SlotLog | undefined,
): number {
  const { nodeCount: n, start, head: to, cap, back, twin } = r;
  const { dist, it, nodes: queue, stackV, stackE } = ws;
  let flow = 0;
  for (;;) {
    clearLevels(dist, queue, ws.labelled);
    dist[t] = 0;
    let qh = 0;
    let qt = 0;
    queue[qt++] = t;
    while (qh < qt && dist[s] === -1) {
      const w = queue[qh++]!;
      const d = dist[w]! + 1;
      for (let j = start[w]!, end = start[w + 1]!; j < end; j++) {
        // Arc j runs w -> v; the arc v -> w (its twin) is usable while it has capacity (back[j]).
        if (back[j]! > 0) {
          const v = to[j]!;
          if (dist[v] === -1) {
            dist[v] = d;
            queue[qt++] = v;
          }
        }
      }
    }
    ws.labelled = qt;
    if (dist[s] === -1) break;
    // Current arcs of the labelled nodes (the only ones the search enters): copied whole when most are.
    if (qt > n >>> 3) it.set(start.subarray(0, n));
    else for (let i = 0; i < qt; i++) it[queue[i]!] = start[queue[i]!]!;
    let depth = 0;
    stackV[0] = s;
    for (;;) {
      const v = stackV[depth]!;
      if (v === t) {
        let push = Infinity;
        for (let i = 0; i < depth; i++) if (cap[stackE[i]!]! < push) push = cap[stackE[i]!]!;
        if (push === Infinity) return Infinity;
        let resume = -1;
        for (let i = 0; i < depth; i++) {
          const j = stackE[i]!;
          const k = twin[j]!;
          touched?.note(j);
          cap[j]! -= push;
          back[k]! -= push;
          cap[k]! += push;
          back[j]! += push;
          if (cap[j] === 0) {
            if (resume < 0) resume = i;
            saturated?.note(j);
          }
        }
        flow += push;
        if (flow >= limit) return flow;
        // Resume from the tail of the first saturated arc: the path up to it still has capacity.
        depth = resume;
        continue;
      }
      const want = dist[v]! - 1;
      const end = start[v + 1]!;
      let j = it[v]!;
      while (j < end && !(cap[j]! > 0 && dist[to[j]!] === want)) j++;
      it[v] = j;
      if (j < end) {
        stackE[depth] = j;
        stackV[++depth] = to[j]!;
      } else {
        // A dead end for the rest of the phase.
        dist[v] = -1;
        if (depth === 0) break;
        depth--;
      }
    }
  }
  return flow;
}

/**
 * After `maxFlow`: the nodes reachable from s in the residual graph (the source side of the minimum
 * cut closest to s), 1 each in a view of the workspace valid until its next use.
 */
export function sourceSide(ws: FlowWorkspace, r: Residual, s: number): Uint8Array {
  const { nodeCount: n, start, head, cap } = r;
  const seen = ws.seen.subarray(0, n);
  seen.fill(0);
  const queue = ws.nodes;
  let qt = 0;
  seen[s] = 1;
  queue[qt++] = s;
  for (let qh = 0; qh < qt; qh++) {
    const v = queue[qh]!;
    for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
      // Capacity first: half the arcs are twins, mostly empty, and their heads need not be read.
      if (!(cap[j]! > 0)) continue;
      const w = head[j]!;
      if (!seen[w]) {
        seen[w] = 1;
        queue[qt++] = w;
      }
    }
  }
  return seen;
}

/** A network built arc by arc (small uses and tests); `maxFlow` lays it out and runs the kernel above. */
export class FlowNetwork {
  private tail = new Int32Array(16);
  private head = new Int32Array(16);
  private cap = new Float64Array(16);
  private count = 0;
  private residual?: Residual;
  private readonly ws = new FlowWorkspace();

  constructor(readonly nodeCount: number) {}

  /** Adds an arc with capacity `c`; returns its id. */
  addArc(u: number, v: number, c: number): number {
    if (this.count === this.tail.length) {
      const grow = <A extends Int32Array | Float64Array>(a: A): A => {
        const b = new (a.constructor as new (n: number) => A)(a.length * 2);
        b.set(a);
        return b;
      };
      this.tail = grow(this.tail);
      this.head = grow(this.head);
      this.cap = grow(this.cap);
    }
    this.tail[this.count] = u;
    this.head[this.count] = v;
    this.cap[this.count] = c;
    return this.count++;
  }

  /** Max flow from s to t (see `maxFlow`). */
  maxFlow(s: number, t: number, limit = Infinity): number {
    this.residual = layOut(this.ws, this.nodeCount, this.count, this.tail, this.head, this.cap);
    return maxFlow(this.ws, this.residual, s, t, limit);
  }

  /** After `maxFlow`: the nodes on the source side of a minimum cut. */
  sourceSide(s: number): Uint8Array {
    return sourceSide(this.ws, this.residual!, s);
  }

  /** Endpoints of an arc id returned by `addArc`. */
  arc(id: number): { from: number; to: number } {
    return { from: this.tail[id]!, to: this.head[id]! };
  }
}
