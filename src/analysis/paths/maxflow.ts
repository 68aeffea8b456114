/**
 * Dinic's max-flow on integer capacities, arrays only. Used for the cheapest set of controls that
 * cuts every attack path: capacities are control costs, an uncuttable step has capacity INF, and the
 * minimum cut is read off the residual graph after the flow saturates.
 */
export const INF = 1 << 29;

export class FlowNetwork {
  private to: number[] = [];
  private cap: number[] = [];
  private next: number[] = [];
  private readonly head: Int32Array;

  constructor(readonly nodeCount: number) {
    this.head = new Int32Array(nodeCount).fill(-1);
  }

  /** Adds an arc with capacity `c` (and its residual twin); returns the arc id. */
  addArc(u: number, v: number, c: number): number {
    const id = this.to.length;
    this.to.push(v, u);
    this.cap.push(c, 0);
    this.next.push(this.head[u]!, this.head[v]!);
    this.head[u] = id;
    this.head[v] = id + 1;
    return id;
  }

  /** Max flow from s to t; stops early once the flow reaches `limit` (the cut is then at least that). */
  maxFlow(s: number, t: number, limit = INF): number {
    const n = this.nodeCount;
    const to = Int32Array.from(this.to);
    const cap = Int32Array.from(this.cap);
    const next = Int32Array.from(this.next);
    const head = this.head;
    const level = new Int32Array(n);
    const it = new Int32Array(n);
    const queue = new Int32Array(n);
    let flow = 0;
    const stackV = new Int32Array(n + 1);
    const stackE = new Int32Array(n + 1);
    for (;;) {
      level.fill(-1);
      level[s] = 0;
      let qh = 0;
      let qt = 0;
      queue[qt++] = s;
      while (qh < qt) {
        const v = queue[qh++]!;
        for (let e = head[v]!; e !== -1; e = next[e]!) {
          if (cap[e]! > 0 && level[to[e]!] === -1) {
            level[to[e]!] = level[v]! + 1;
            queue[qt++] = to[e]!;
          }
        }
      }
      if (level[t] === -1) break;
      it.set(head);
      // Iterative blocking-flow DFS: push one augmenting path at a time along level edges.
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
          let advanced = false;
          for (let e = it[v]!; e !== -1; e = next[e]!) {
            const w = to[e]!;
            if (cap[e]! > 0 && level[w] === level[v]! + 1) {
              it[v] = e;
              stackE[depth] = e;
              stackV[++depth] = w;
              advanced = true;
              break;
            }
          }
          if (!advanced) {
            it[v] = -1;
            level[v] = -1;
            depth--;
            if (depth >= 0) it[stackV[depth]!] = next[it[stackV[depth]!]!]!;
          }
        }
        if (!found) break;
        let push = INF;
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
    this.arcsTo = to;
    this.arcNext = next;
    return flow;
  }

  private residual?: Int32Array;
  private arcsTo?: Int32Array;
  private arcNext?: Int32Array;

  /** After `maxFlow`: the nodes on the source side of a minimum cut. */
  sourceSide(s: number): Uint8Array {
    const seen = new Uint8Array(this.nodeCount);
    const cap = this.residual!;
    const to = this.arcsTo!;
    const next = this.arcNext!;
    const queue = [s];
    seen[s] = 1;
    while (queue.length > 0) {
      const v = queue.pop()!;
      for (let e = this.head[v]!; e !== -1; e = next[e]!) {
        if (cap[e]! > 0 && !seen[to[e]!]) {
          seen[to[e]!] = 1;
          queue.push(to[e]!);
        }
      }
    }
    return seen;
  }

  /** Endpoints of an arc id returned by `addArc`. */
  arc(id: number): { from: number; to: number; cap: number } {
    return { from: this.to[id + 1]!, to: this.to[id]!, cap: this.cap[id]! };
  }
}
