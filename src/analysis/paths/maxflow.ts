import { scratchF64, scratchI32, scratchU8 } from "../../graph/arena.js";
/**
 * Max-flow (Boykov-Kolmogorov) on a residual network laid out by tail (CSR), typed arrays only. Used for the
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
 * sink's search tree, which grows along arcs into its nodes, reads it beside `head[j]` instead of
 * jumping to the twin.
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
  /** The source tree's ring of active nodes (max-flow), then the queue of `sourceSide`. */
  nodes: Int32Array = new Int32Array(0);
  /** The sink tree's ring of active nodes. */
  sinkRing: Int32Array = new Int32Array(0);
  /**
   * Per node: its search tree (0 none, 1 the source's, 2 the sink's), the tree it is active in, and
   * the rings it has a place in (bits).
   */
  tree: Uint8Array = new Uint8Array(0);
  activeIn: Uint8Array = new Uint8Array(0);
  inRing: Uint8Array = new Uint8Array(0);
  /** Per tree node: the arc to its parent (`ORPHAN` while it has none, `ROOT` at s and t). */
  parent: Int32Array = new Int32Array(0);
  /** Per tree node: when its distance to the root was last known to be `depth` (BK's marks). */
  stamp: Int32Array = new Int32Array(0);
  depth: Int32Array = new Int32Array(0);
  /** Per active node: the arc its growth goes on from. */
  it: Int32Array = new Int32Array(0);
  orphans: Int32Array = new Int32Array(0);
  seen: Uint8Array = new Uint8Array(0);
  /** Grows with every augmentation across calls, so stamps from earlier calls never read as current. */
  time = 0;

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
      this.sinkRing = scratchI32(size);
      this.tree = scratchU8(size);
      this.activeIn = scratchU8(size);
      this.inRing = scratchU8(size);
      this.parent = scratchI32(size);
      this.stamp = scratchI32(size);
      this.depth = scratchI32(size);
      this.it = scratchI32(size);
      this.orphans = scratchI32(size);
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

/** `FlowWorkspace.parent` of s and t, and of a node that lost its parent. */
const ROOT = -2;
const ORPHAN = -1;
const SOURCE = 1;
const SINK = 2;

/**
 * The next round's stamp. Before it would leave int32 (the stamps' type, where it could never read
 * as current again and an adoption's walk would run past a root), every stamp starts over: a stamp
 * older than the round only makes a distance unknown, which is re-derived.
 */
function nextTime(ws: FlowWorkspace): number {
  if (ws.time >= 0x7ffffffe) {
    ws.stamp.fill(0);
    ws.time = 0;
  }
  return ++ws.time;
}

/**
 * Max flow from s to t, in place on `r.cap` (which becomes the residual capacities); stops early
 * once the flow reaches `limit`. Returns Infinity when a path of unbounded arcs joins s to t.
 * `saturated`, if given, hears every position whose capacity the flow takes to 0; `touched`, every
 * position whose capacity it changes. It may start from any flow already on `r` (the cut solver's
 * shared network keeps one between questions).
 *
 * Boykov-Kolmogorov: a search tree grows from s over arcs with capacity left and one from t over
 * arcs into it; where they meet is an augmenting path. After an augmentation the trees are kept:
 * the nodes below a saturated arc look for another parent in their own tree (with BK's marks of
 * known distances to the root), and only those that find none leave it. Dinic, used before,
 * searched again from t in each of its phases: at 1M components, 38 phases labelled 17.8M nodes.
 *
 * It stops as soon as either tree can grow no further. A node leaving a tree makes its neighbours
 * active again (those of both trees: more than the stop needs, since a scan ends where it meets the
 * other tree) and sends an active one back to the arc it had passed, so a tree with nothing active
 * holds every node that can reach it (the sink's) or that it reaches (the source's) apart from the
 * other tree's, and the two meet nowhere: no augmenting path is left. The trees take turns, a node
 * each: a follow-up question, whose flow is nearly maximum already, then costs about twice the
 * smaller tree (usually the sink's) instead of a search of the source's side.
 *
 * `grow: "sink"` grows the sink's tree alone (the source's is s): it stops once that tree holds
 * every node that can reach t, and meets s over an arc out of s. For a follow-up question whose cut
 * leaves the smaller part of the network on the sink's side, that is about half the turns' growth.
 */
export function maxFlow(
  ws: FlowWorkspace,
  r: Residual,
  s: number,
  t: number,
  limit = Infinity,
  saturated?: SlotLog,
  touched?: SlotLog,
  grow: "turns" | "sink" = "turns",
): number {
  if (s === t) return Infinity;
  const { nodeCount: n, start, head: to, cap, back, twin } = r;
  const { tree, activeIn, inRing, parent, stamp, depth, it, orphans } = ws;
  const rings = [ws.nodes, ws.nodes, ws.sinkRing] as const;
  let turn = SINK;
  // Turns: the source's tree, then the sink's (turn ^ 3); the sink's alone: always SINK.
  const flip = grow === "sink" ? 0 : 3;
  // Trees and rings start empty: byte fills, cheap beside any search of the network.
  tree.fill(0, 0, n);
  activeIn.fill(0, 0, n);
  inRing.fill(0, 0, n);
  // Per tree (index 1 and 2): active nodes, and its ring's first and next free place.
  const active = [0, 0, 0];
  const first = [0, 0, 0];
  const next = [0, 0, 0];
  const activate = (v: number): void => {
    const side = tree[v]!;
    if (activeIn[v] === side) return;
    activeIn[v] = side;
    active[side]!++;
    it[v] = start[v]!;
    // A node has at most one place in each ring: one it left stays and serves again.
    if (inRing[v]! & side) return;
    inRing[v]! |= side;
    rings[side]![next[side]!] = v;
    next[side] = next[side]! + 1 === n ? 0 : next[side]! + 1;
  };
  let time = nextTime(ws);
  const root = (v: number, side: number): void => {
    tree[v] = side;
    parent[v] = ROOT;
    stamp[v] = time;
    depth[v] = 0;
    activate(v);
  };
  root(s, SOURCE);
  root(t, SINK);
  let orphanCount = 0;
  let flow = 0;
  for (;;) {
    // Grow the trees in turns (each first in, first out) until they meet over an arc from a to b.
    let meet = -1;
    while (active[SOURCE]! > 0 && active[SINK]! > 0) {
      const side = (turn ^= flip);
      const ring = rings[side]!;
      const p = ring[first[side]!]!;
      if (activeIn[p] !== side) {
        // It left the tree after it was queued.
        inRing[p]! &= ~side;
        first[side] = first[side]! + 1 === n ? 0 : first[side]! + 1;
        continue;
      }
      const fromSource = side === SOURCE;
      // The source's tree follows arcs out of p, the sink's arcs into p (their twins' capacity).
      const open = fromSource ? cap : back;
      const end = start[p + 1]!;
      let j = it[p]!;
      for (; j < end; j++) {
        if (!(open[j]! > 0)) continue;
        const q = to[j]!;
        const other = tree[q]!;
        if (other === 0) {
          tree[q] = side;
          parent[q] = fromSource ? j : twin[j]!;
          stamp[q] = stamp[p]!;
          depth[q] = depth[p]! + 1;
          activate(q);
        } else if (other !== side) {
          meet = fromSource ? j : twin[j]!;
          break;
        } else if (stamp[q]! <= stamp[p]! && depth[q]! > depth[p]! + 1) {
          // A shorter way to the root than q knew: BK's heuristic keeps the trees shallow.
          parent[q] = fromSource ? j : twin[j]!;
          stamp[q] = stamp[p]!;
          depth[q] = depth[p]! + 1;
        }
      }
      it[p] = j;
      if (meet >= 0) break;
      activeIn[p] = 0;
      inRing[p]! &= ~side;
      active[side]!--;
      first[side] = first[side]! + 1 === n ? 0 : first[side]! + 1;
    }
    if (meet < 0) break;

    // Augment along s .. a -> b .. t by its narrowest arc.
    const a = to[twin[meet]!]!;
    const b = to[meet]!;
    let push = cap[meet]!;
    for (let v = a; v !== s;) {
      const j = parent[v]!;
      if (cap[j]! < push) push = cap[j]!;
      v = to[twin[j]!]!;
    }
    for (let v = b; v !== t;) {
      const j = parent[v]!;
      if (cap[j]! < push) push = cap[j]!;
      v = to[j]!;
    }
    if (push === Infinity) return Infinity;
    const send = (j: number): boolean => {
      const k = twin[j]!;
      touched?.note(j);
      cap[j]! -= push;
      back[k]! -= push;
      cap[k]! += push;
      back[j]! += push;
      if (cap[j] !== 0) return false;
      saturated?.note(j);
      return true;
    };
    send(meet);
    for (let v = a; v !== s;) {
      const j = parent[v]!;
      const up = to[twin[j]!]!;
      if (send(j)) {
        parent[v] = ORPHAN;
        orphans[orphanCount++] = v;
      }
      v = up;
    }
    for (let v = b; v !== t;) {
      const j = parent[v]!;
      const up = to[j]!;
      if (send(j)) {
        parent[v] = ORPHAN;
        orphans[orphanCount++] = v;
      }
      v = up;
    }
    flow += push;
    if (flow >= limit) return flow;
    time = nextTime(ws);

    // Adopt the orphans: a parent in the same tree whose way to the root is intact, the nearest
    // known; without one the orphan leaves its tree and its children become orphans in turn.
    while (orphanCount > 0) {
      const v = orphans[--orphanCount]!;
      const side = tree[v]!;
      const fromSource = side === SOURCE;
      let best = -1;
      let bestDepth = 0x7fffffff;
      // A parent in the source's tree needs capacity on the arc into v, in the sink's on the arc out.
      const joined = fromSource ? back : cap;
      for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
        if (!(joined[j]! > 0)) continue;
        const q = to[j]!;
        if (tree[q] !== side || parent[q] === ORPHAN) continue;
        let d = 0;
        let u = q;
        for (;;) {
          if (stamp[u] === time) {
            d += depth[u]!;
            break;
          }
          const pj = parent[u]!;
          if (pj === ROOT) {
            stamp[u] = time;
            depth[u] = 0;
            break;
          }
          if (pj === ORPHAN) {
            d = -1;
            break;
          }
          d++;
          u = fromSource ? to[twin[pj]!]! : to[pj]!;
        }
        if (d < 0) continue;
        if (d < bestDepth) {
          best = j;
          bestDepth = d;
        }
        // Mark the way just walked with its distances, so later orphans stop there.
        for (let w = q, dw = d; stamp[w] !== time; dw--) {
          stamp[w] = time;
          depth[w] = dw;
          const pj = parent[w]!;
          w = fromSource ? to[twin[pj]!]! : to[pj]!;
        }
      }
      if (best >= 0) {
        parent[v] = fromSource ? twin[best]! : best;
        stamp[v] = time;
        depth[v] = bestDepth + 1;
        continue;
      }
      // No parent: v leaves its tree. Its neighbours in either tree that an arc joins to it the way
      // their tree grows become active again (they may now reach v, or a path through it); its
      // children are orphans.
      if (activeIn[v] !== 0) {
        active[activeIn[v]!]!--;
        activeIn[v] = 0;
      }
      tree[v] = 0;
      for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
        const q = to[j]!;
        const other = tree[q]!;
        if (other === 0) continue;
        if (other === SOURCE ? back[j]! > 0 : cap[j]! > 0) {
          // Active already, its growth may have gone past the arc from (or to) v: back to it.
          if (activeIn[q] === other) it[q] = Math.min(it[q]!, twin[j]!);
          else activate(q);
        }
        if (other !== side) continue;
        const pj = parent[q]!;
        if (pj >= 0 && (fromSource ? to[twin[pj]!] === v : to[pj] === v)) {
          parent[q] = ORPHAN;
          orphans[orphanCount++] = q;
        }
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
