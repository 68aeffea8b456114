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
  private residual?: Int32Array;

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
   * Max flow from s to t; stops early once the flow reaches `limit`.
   *
   * Levels are distances *to* t in the residual graph (a BFS from t over the twins of arcs with
   * capacity left), so the blocking-flow search only ever enters nodes that can still reach t: on an
   * attack graph most of the network cannot reach a given target, and a BFS from s would label all
   * of it in every phase. The BFS stops once s is labelled, since only nodes closer to t are used.
   */
  maxFlow(s: number, t: number, limit = Infinity): number {
    const n = this.nodeCount;
    const to = this.to;
    const cap = this.cap.slice(0, this.arcs);
    const next = this.next;
    const head = this.head;
    const dist = new Int32Array(n);
    const it = new Int32Array(n);
    const queue = new Int32Array(n);
    const stackV = new Int32Array(n + 1);
    const stackE = new Int32Array(n + 1);
    // Only nodes on some s -> t path can ever carry flow (the residual graph never reaches further
    // than the first one did): a per-target question touches its own part of the network only.
    const alive = this.between(s, t, cap, queue);
    let flow = 0;
    for (;;) {
      dist.fill(-1);
      dist[t] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = t;
      while (qh < qt && dist[s] === -1) {
        const w = queue[qh++]!;
        for (let a = head[w]!; a !== -1; a = next[a]!) {
          const v = to[a]!;
          // Arc a runs w -> v; its twin a ^ 1 runs v -> w and is usable while it has capacity.
          if (dist[v] === -1 && alive[v] === 1 && cap[a ^ 1]! > 0) {
            dist[v] = dist[w]! + 1;
            queue[qt++] = v;
          }
        }
      }
      if (dist[s] === -1) break;
      it.set(head);
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
          let e = it[v]!;
          while (e !== -1 && !(cap[e]! > 0 && dist[to[e]!] === want)) e = next[e]!;
          it[v] = e;
          if (e !== -1) {
            stackE[depth] = e;
            stackV[++depth] = to[e]!;
          } else {
            dist[v] = -1;
            depth--;
            if (depth >= 0) it[stackV[depth]!] = next[it[stackV[depth]!]!]!;
          }
        }
        if (!found) break;
        let push = Infinity;
        for (let i = 0; i < depth; i++) push = Math.min(push, cap[stackE[i]!]!);
        for (let i = 0; i < depth; i++) {
          cap[stackE[i]!]! -= push;
          cap[stackE[i]! ^ 1]! += push;
        }
        flow += push;
        if (flow >= limit) break;
      }
      if (flow >= limit) break;
    }
    this.residual = cap;
    return flow;
  }

  /** Nodes reachable from s and reaching t over arcs with capacity (1), both marked in one array. */
  private between(s: number, t: number, cap: Int32Array, queue: Int32Array): Uint8Array {
    const mark = new Uint8Array(this.nodeCount);
    const { to, next, head } = this;
    let qt = 0;
    mark[s] = 1;
    queue[qt++] = s;
    for (let qh = 0; qh < qt; qh++) {
      const v = queue[qh]!;
      for (let a = head[v]!; a !== -1; a = next[a]!) {
        const w = to[a]!;
        if (mark[w] === 0 && cap[a]! > 0) {
          mark[w] = 1;
          queue[qt++] = w;
        }
      }
    }
    if (mark[t] === 0) return new Uint8Array(this.nodeCount);
    // Backward from t over arcs into each node (the twins' heads), among the nodes reached above.
    qt = 0;
    mark[t] = 3;
    queue[qt++] = t;
    for (let qh = 0; qh < qt; qh++) {
      const w = queue[qh]!;
      for (let a = head[w]!; a !== -1; a = next[a]!) {
        const v = to[a]!;
        if (mark[v] === 1 && cap[a ^ 1]! > 0) {
          mark[v] = 3;
          queue[qt++] = v;
        }
      }
    }
    for (let v = 0; v < mark.length; v++) mark[v] = mark[v] === 3 ? 1 : 0;
    return mark;
  }

  /** After `maxFlow`: the nodes on the source side of a minimum cut. */
  sourceSide(s: number): Uint8Array {
    const seen = new Uint8Array(this.nodeCount);
    const cap = this.residual!;
    const stack = [s];
    seen[s] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (let e = this.head[v]!; e !== -1; e = this.next[e]!) {
        const w = this.to[e]!;
        if (cap[e]! > 0 && !seen[w]) {
          seen[w] = 1;
          stack.push(w);
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
