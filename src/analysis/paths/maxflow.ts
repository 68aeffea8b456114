/**
 * Dinic's max-flow on integer capacities, typed arrays only. Used for the cheapest set of controls
 * that cuts every attack path: capacities are control costs, an uncuttable step has a huge capacity,
 * and the minimum cut is read off the residual graph. A network can be cloned cheaply (array copies),
 * so the part shared by many cut questions is built once.
 */
export const INF = 1 << 29;

export class FlowNetwork {
  private to: Int32Array;
  private cap: Int32Array;
  private next: Int32Array;
  private readonly head: Int32Array;
  private arcs = 0;
  private residual?: { start: Int32Array; head: Int32Array; cap: Int32Array };

  constructor(
    readonly nodeCount: number,
    capacityHint = 16,
  ) {
    this.head = new Int32Array(nodeCount).fill(-1);
    this.to = new Int32Array(capacityHint * 2);
    this.cap = new Int32Array(capacityHint * 2);
    this.next = new Int32Array(capacityHint * 2);
  }

  /** Number of arc ids in use (each `addArc` takes two: the arc and its residual twin). */
  get arcCount(): number {
    return this.arcs;
  }

  /** A copy with the same arcs and capacities, to which more arcs can be added independently. */
  clone(extraArcs = 0): FlowNetwork {
    const c = new FlowNetwork(this.nodeCount, 1);
    c.to = new Int32Array(this.arcs + 2 * extraArcs);
    c.cap = new Int32Array(this.arcs + 2 * extraArcs);
    c.next = new Int32Array(this.arcs + 2 * extraArcs);
    c.to.set(this.to.subarray(0, this.arcs));
    c.cap.set(this.cap.subarray(0, this.arcs));
    c.next.set(this.next.subarray(0, this.arcs));
    c.head.set(this.head);
    c.arcs = this.arcs;
    return c;
  }

  private grow(): void {
    const size = Math.max(16, this.to.length * 2);
    for (const key of ["to", "cap", "next"] as const) {
      const bigger = new Int32Array(size);
      bigger.set(this[key]);
      this[key] = bigger;
    }
  }

  /** Adds an arc with capacity `c` (and its residual twin); returns the arc id. */
  addArc(u: number, v: number, c: number): number {
    if (this.arcs + 2 > this.to.length) this.grow();
    const id = this.arcs;
    this.to[id] = v;
    this.to[id + 1] = u;
    this.cap[id] = c;
    this.cap[id + 1] = 0;
    this.next[id] = this.head[u]!;
    this.next[id + 1] = this.head[v]!;
    this.head[u] = id;
    this.head[v] = id + 1;
    this.arcs += 2;
    return id;
  }

  /**
   * The arcs laid out by tail (CSR), each with its head, capacity and the position of its twin. Arcs
   * are added in whatever order the caller builds them, so following `next` jumps across the whole
   * network, a cache miss per arc on a large model; every traversal of a solve runs on this copy.
   */
  private layout(): { start: Int32Array; head: Int32Array; cap: Int32Array; twin: Int32Array } {
    const n = this.nodeCount;
    const m = this.arcs;
    const start = new Int32Array(n + 1);
    // The tail of arc a is the head of its twin a ^ 1.
    for (let a = 0; a < m; a++) start[this.to[a ^ 1]! + 1]!++;
    for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
    const fill = start.slice(0, n);
    const pos = new Int32Array(m);
    // Within a tail, arcs keep the order `next` walks them in (newest first), so answers do not change.
    for (let a = m - 1; a >= 0; a--) pos[a] = fill[this.to[a ^ 1]!]!++;
    const head = new Int32Array(m);
    const cap = new Int32Array(m);
    const twin = new Int32Array(m);
    for (let a = 0; a < m; a++) {
      const j = pos[a]!;
      head[j] = this.to[a]!;
      cap[j] = this.cap[a]!;
      twin[j] = pos[a ^ 1]!;
    }
    return { start, head, cap, twin };
  }

  /**
   * Max flow from s to t; stops early once the flow reaches `limit`.
   *
   * Levels are distances *to* t in the residual graph (a BFS from t over the twins of arcs with
   * capacity left), so the blocking-flow search only ever enters nodes that can still reach t: on an
   * attack graph most of the network cannot reach a given target, and a BFS from s would label all
   * of it in every phase. The BFS stops once s is labelled, since only nodes closer to t are used.
   */
  maxFlow(s: number, t: number, limit = Infinity): number {
    const n = this.nodeCount;
    const { start, head: to, cap, twin } = this.layout();
    const dist = new Int32Array(n);
    const it = new Int32Array(n);
    const queue = new Int32Array(n);
    const stackV = new Int32Array(n + 1);
    const stackE = new Int32Array(n + 1);
    // Only nodes on some s -> t path can ever carry flow (the residual graph never reaches further
    // than the first one did): a per-target question touches its own part of the network only.
    const alive = between(n, start, to, cap, twin, s, t, queue);
    let flow = 0;
    for (;;) {
      dist.fill(-1);
      dist[t] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = t;
      while (qh < qt && dist[s] === -1) {
        const w = queue[qh++]!;
        for (let j = start[w]!; j < start[w + 1]!; j++) {
          const v = to[j]!;
          // Arc j runs w -> v; its twin runs v -> w and is usable while it has capacity.
          if (dist[v] === -1 && alive[v] === 1 && cap[twin[j]!]! > 0) {
            dist[v] = dist[w]! + 1;
            queue[qt++] = v;
          }
        }
      }
      if (dist[s] === -1) break;
      it.set(start.subarray(0, n));
      // Iterative blocking-flow DFS along arcs one step closer to t; a dead end is dropped for the phase.
      for (;;) {
        let depth = 0;
        stackV[0] = s;
        let found = false;
        while (depth >= 0) {
          const v = stackV[depth]!;
          if (v === t) {
            found = true;
            break;
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
            dist[v] = -1;
            depth--;
            if (depth >= 0) it[stackV[depth]!]!++;
          }
        }
        if (!found) break;
        let push = Infinity;
        for (let i = 0; i < depth; i++) push = Math.min(push, cap[stackE[i]!]!);
        for (let i = 0; i < depth; i++) {
          cap[stackE[i]!]! -= push;
          cap[twin[stackE[i]!]!]! += push;
        }
        flow += push;
        if (flow >= limit) break;
      }
      if (flow >= limit) break;
    }
    this.residual = { start, head: to, cap };
    return flow;
  }

  /** After `maxFlow`: the nodes on the source side of a minimum cut. */
  sourceSide(s: number): Uint8Array {
    const seen = new Uint8Array(this.nodeCount);
    const { start, head, cap } = this.residual!;
    const queue = new Int32Array(this.nodeCount);
    let qt = 0;
    seen[s] = 1;
    queue[qt++] = s;
    for (let qh = 0; qh < qt; qh++) {
      const v = queue[qh]!;
      for (let j = start[v]!; j < start[v + 1]!; j++) {
        const w = head[j]!;
        if (cap[j]! > 0 && !seen[w]) {
          seen[w] = 1;
          queue[qt++] = w;
        }
      }
    }
    return seen;
  }

  /** Tail and head of an arc id returned by `addArc` (without allocating, for scans over every arc). */
  arcFrom(id: number): number {
    return this.to[id + 1]!;
  }
  arcTo(id: number): number {
    return this.to[id]!;
  }

  /** Endpoints of an arc id returned by `addArc`. */
  arc(id: number): { from: number; to: number } {
    return { from: this.to[id + 1]!, to: this.to[id]! };
  }
}

/** Nodes reachable from s and reaching t over arcs with capacity left, in the CSR layout (1 each). */
function between(
  n: number,
  start: Int32Array,
  to: Int32Array,
  cap: Int32Array,
  twin: Int32Array,
  s: number,
  t: number,
  queue: Int32Array,
): Uint8Array {
  const mark = new Uint8Array(n);
  let qt = 0;
  mark[s] = 1;
  queue[qt++] = s;
  for (let qh = 0; qh < qt; qh++) {
    const v = queue[qh]!;
    for (let j = start[v]!; j < start[v + 1]!; j++) {
      const w = to[j]!;
      if (mark[w] === 0 && cap[j]! > 0) {
        mark[w] = 1;
        queue[qt++] = w;
      }
    }
  }
  if (mark[t] === 0) return new Uint8Array(n);
  // Backward from t: arc j runs w -> v and its twin v -> w; among the nodes reached above.
  qt = 0;
  mark[t] = 3;
  queue[qt++] = t;
  for (let qh = 0; qh < qt; qh++) {
    const w = queue[qh]!;
    for (let j = start[w]!; j < start[w + 1]!; j++) {
      const v = to[j]!;
      if (mark[v] === 1 && cap[twin[j]!]! > 0) {
        mark[v] = 3;
        queue[qt++] = v;
      }
    }
  }
  for (let v = 0; v < n; v++) mark[v] = mark[v] === 3 ? 1 : 0;
  return mark;
}
