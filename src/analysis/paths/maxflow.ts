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

  /** Max flow from s to t; stops early once the flow reaches `limit`. */
  maxFlow(s: number, t: number, limit = Infinity): number {
    const n = this.nodeCount;
    const to = this.to;
    const cap = this.cap.slice(0, this.arcs);
    const next = this.next;
    const head = this.head;
    const level = new Int32Array(n);
    const it = new Int32Array(n);
    const queue = new Int32Array(n);
    const stackV = new Int32Array(n + 1);
    const stackE = new Int32Array(n + 1);
    let flow = 0;
    for (;;) {
      level.fill(-1);
      level[s] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = s;
      while (qh < qt && level[t] === -1) {
        const v = queue[qh++]!;
        for (let e = head[v]!; e !== -1; e = next[e]!) {
          const w = to[e]!;
          if (cap[e]! > 0 && level[w] === -1) {
            level[w] = level[v]! + 1;
            queue[qt++] = w;
          }
        }
      }
      if (level[t] === -1) break;
      it.set(head);
      // Iterative blocking-flow DFS along level edges; a dead end is never visited again this phase.
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
          let e = it[v]!;
          while (e !== -1 && !(cap[e]! > 0 && level[to[e]!] === level[v]! + 1)) e = next[e]!;
          it[v] = e;
          if (e !== -1) {
            stackE[depth] = e;
            stackV[++depth] = to[e]!;
          } else {
            level[v] = -1;
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

  /** Endpoints of an arc id returned by `addArc`. */
  arc(id: number): { from: number; to: number } {
    return { from: this.to[id + 1]!, to: this.to[id]! };
  }
}
