import { scratchI32, scratchU8 } from "../../graph/arena.js";
import { SlotLog, type Residual } from "./maxflow.js";

/**
 * The source side of the minimum cut closest to s (what the residual graph reaches from s), for a
 * network that answers many questions in turn, without a search over the whole network each time.
 *
 * A question's residual graph differs from the network with every arc at full capacity (the base)
 * only on the arcs its flow saturated, which `saturated` lists (max-flow notes every arc it
 * saturates), and on the links it keeps closed, which `update` is given. The base's BFS levels from
 * s are computed once. A node keeps its place when some residual arc reaches it from a kept node of
 * a lower level; one that loses it (it is a saturated arc's head, or its BFS parent was lost) is
 * checked in level order, so a question only looks at the nodes near what its flow saturated. Kept
 * nodes are reachable; the lost ones the residual graph still reaches from a kept node (by longer
 * paths, or back along arcs with flow) are found by a search among the lost ones alone. What stays
 * unreached is the far side of the cut, usually a few nodes next to the targets even when the source
 * side is nearly the whole network.
 *
 * The base can also be a flow (`takeFlowBase`, `useBase("flow")`): the residual graph of one
 * question, searched once, its levels over residual arcs. Questions that start from that flow (a
 * solver restores it) then differ from it only on the arcs `changed` lists (max-flow and the
 * solver note what they change): lost nodes are found the same way, and nodes the base did not
 * reach are reached only over an arc that gained capacity, from where the search among the lost
 * ones also enters them.
 *
 * `layer`: 1 for the nodes only links into a second layer lead to (the way out of a disclosure):
 * while every such link is closed, the whole layer is unreached and left out of the work.
 */
export class ResidualReach {
  readonly saturated: SlotLog;
  /** Positions whose capacity changed since `useBase("flow")` (either side of an arc may be listed). */
  readonly changed: SlotLog;
  /**
   * The network's levels at full capacity, made by the first `update` that reads them: the first
   * question's flow saturates too many arcs for the level order, so it searches the whole residual
   * graph, and only later questions that start over from no flow compare with the full network.
   */
  private fullBase?: Base;
  /**
   * The same levels without the second layer, for updates while it is closed (an influence question
   * that starts over from no flow): no arc leads from that layer back into the first, so the first
   * layer's levels are the full network's, and a closed layer's are never read. A search of the first
   * layer alone (a few thousand nodes at 100k, against the whole network).
   */
  private fullBaseOff?: Base;
  private flowBase?: Base;
  /** Undefined: the full network's (`full`, made when first read). */
  private base?: Base;
  /** The base the last `update` compared with (what `reached` reads). */
  private compared?: Base;
  /**
   * The levels of the first update's residual graph, when that update searched all of it with the
   * second layer open (the first question's: its flow saturates too many arcs for the level order),
   * for `takeFlowBase`.
   */
  private firstSearch?: Omit<Base, "along">;
  private bucket: Int32Array = new Int32Array(0);
  private readonly nextInBucket: Int32Array;
  private readonly queued: Int32Array;
  private readonly lost: Int32Array;
  private readonly found: Int32Array;
  private readonly lostList: Int32Array;
  private readonly queue: Int32Array;
  private round = 0;
  private layerOff = false;
  /** Whether the last `update` searched the whole residual graph (reached: `found` of this round). */
  private searched = false;
  /** The unreached nodes of the last `update` (s and t excluded), `unreachedCount` of them. */
  readonly unreached: Int32Array;
  unreachedCount = 0;
  /**
   * Whether the last `update` compared with the flow base, with the second layer open: then `moved`
   * lists the nodes whose side differs from the base's (`movedCount`; `isMoved`), and every other
   * node is on the side the base put it (after a whole search too: a pass over the nodes).
   */
  againstFlow = false;
  readonly moved: Int32Array;
  movedCount = 0;
  private readonly movedIn: Int32Array;

  constructor(
    private readonly r: Residual,
    /** 1 at the positions of the network's own arcs, 0 at their twins. */
    private readonly forward: Uint8Array,
    private readonly s: number,
    private readonly t: number,
    private readonly layer: Uint8Array,
    /** Above this many seeds, `update` searches the whole residual graph instead. */
    private readonly searchAbove = r.nodeCount / 32,
  ) {
    const n = r.nodeCount;
    this.saturated = new SlotLog(r.head.length);
    this.changed = new SlotLog(r.head.length);
    this.queue = scratchI32(n);
    this.nextInBucket = scratchI32(n);
    this.queued = scratchI32(n);
    this.lost = scratchI32(n);
    this.found = scratchI32(n);
    this.lostList = scratchI32(n);
    this.unreached = scratchI32(n);
    this.moved = scratchI32(n);
    this.movedIn = scratchI32(n);
  }

  /** The full network's levels; `off`: the first layer's alone (`fullBaseOff`). */
  private full(off: boolean): Base {
    const made = off ? this.fullBaseOff : this.fullBase;
    if (made) return made;
    const full = this.levels(this.forward, undefined, off);
    if (off) this.fullBaseOff = full;
    else this.fullBase = full;
    this.fitBuckets(full);
    return full;
  }

  /** Room in `bucket` for every level of `base`. */
  private fitBuckets(base: Base): void {
    if (this.bucket.length < base.maxLevel + 2) this.bucket = scratchI32(base.maxLevel + 2).fill(-1);
  }

  /** Whether u is in `moved` (after an update `againstFlow`). */
  isMoved(u: number): boolean {
    return this.movedIn[u] === this.round;
  }

  /**
   * BFS levels from s over the positions marked in `along` (the network's own arcs, or the residual
   * arcs of a flow), t left out, and the second layer too if `layerOff`; `unreached`: the nodes left
   * at -1, listed.
   */
  private levels(along: Uint8Array, unreached: number[] | undefined, layerOff = false): Base {
    const { nodeCount: n, start, head } = this.r;
    const { s, t, queue } = this;
    const layer = this.layer;
    // The layer's marks are 0 and 1: with the layer on, 2 leaves no node out.
    const off = layerOff ? 1 : 2;
    const level = scratchI32(n).fill(-1);
    let qt = 0;
    level[s] = 0;
    queue[qt++] = s;
    let maxLevel = 0;
    for (let qh = 0; qh < qt; qh++) {
      const v = queue[qh]!;
      const d = level[v]! + 1;
      for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
        const w = head[j]!;
        if (along[j] === 1 && w !== t && level[w] === -1 && layer[w] !== off) {
          level[w] = d;
          maxLevel = d;
          queue[qt++] = w;
        }
      }
    }
    if (unreached) for (let v = 0; v < n; v++) if (level[v] === -1 && v !== t) unreached.push(v);
    return { level, maxLevel, along, unreached: Int32Array.from(unreached ?? []) };
  }

  get hasFlowBase(): boolean {
    return this.flowBase !== undefined;
  }

  /**
   * Takes the current residual graph as the flow base (`useBase("flow")` moves to it). `asFirst`: the
   * caller vouches that it is the residual graph the first `update` read (the first question's flow
   * restored, with the same links open); if that update searched the whole residual graph with the
   * second layer open, its levels are the base's (a BFS's levels are its distances, whatever the
   * order), and no search is made again.
   */
  takeFlowBase(asFirst = false): void {
    const { cap } = this.r;
    const along = scratchU8(cap.length);
    for (let j = 0; j < cap.length; j++) along[j] = cap[j]! > 0 ? 1 : 0;
    const first = this.firstSearch;
    this.flowBase = asFirst && first ? { ...first, along } : this.levels(along, []);
    this.firstSearch = undefined;
    this.fitBuckets(this.flowBase);
  }

  /**
   * Compare the next questions with the network at full capacity, or with the flow base; the caller
   * vouches that the residual graph is now that of the flow base (for "flow").
   */
  useBase(which: "full" | "flow"): void {
    this.base = which === "flow" ? this.flowBase! : undefined;
    this.changed.clear();
  }

  /** Whether the residual graph of the last `update` reaches u from s. */
  reached(u: number): boolean {
    if (this.searched) return this.found[u] === this.round;
    if (this.layerOff && this.layer[u] === 1) return false;
    if (this.compared!.level[u]! < 0) return this.found[u] === this.round;
    return !(this.lost[u] === this.round && this.found[u] !== this.round);
  }

  /**
   * Recomputes the reach for the current residual capacities. `layerOpen`: whether any link into
   * the second layer is open (if not, the caller vouches that none is). `closed`: the positions of
   * the closed links into the second layer (only read while it is open; links into t need not be
   * listed), `closedCount` of them.
   */
  update(layerOpen: boolean, closed: Int32Array, closedCount: number): void {
    const { r, forward, layer, nextInBucket, queued, lost, found, lostList, queue, t } = this;
    const fromFlow = this.base !== undefined;
    const { start, head, cap, back, twin } = r;
    const round = ++this.round;
    const off = (this.layerOff = !layerOpen);
    const log = this.saturated;
    const slots = log.list;
    let kept = 0;
    for (let i = 0; i < log.length; i++) {
      const j = slots[i]!;
      // Positions with capacity again, twins (their arc's flow back to 0) and arcs into t (never a
      // seed) leave the log.
      if (cap[j] !== 0 || forward[j] !== 1 || head[j] === this.t) {
        log.mark[j] = 0;
        continue;
      }
      slots[kept++] = j;
    }
    log.length = kept;
    // Many seeds (a flow across much of the network): a plain search costs less than the level
    // order, which looks at every lost node and its neighbours several times. Against the full
    // network the seeds are counted before its levels are read (made, the first time), so the first
    // question, whose flow saturates that many, never makes them.
    if (!fromFlow && kept + (off ? 0 : closedCount) > this.searchAbove) return this.searchAll(round, false);
    const base = (this.compared = this.base ?? this.full(off));
    const { level, along, maxLevel } = base;
    const bucket = this.bucket;
    const push = (v: number) => {
      if (queued[v] === round) return;
      queued[v] = round;
      nextInBucket[v] = bucket[level[v]!]!;
      bucket[level[v]!] = v;
    };
    // Seeds: heads of saturated arcs that were their BFS parent's step.
    const seed = (j: number) => {
      const v = head[j]!;
      const lu = level[head[twin[j]!]!]!;
      if (lu >= 0 && level[v] === lu + 1 && !(off && layer[v] === 1)) push(v);
    };
    let seeds = kept;
    const raised: number[] = [];
    if (fromFlow) {
      // Against the flow base: both sides of every arc that changed, saturated or newly open.
      seeds = 0;
      const { list, length } = this.changed;
      for (let i = 0; i < length; i++)
        for (let q = list[i]!, k = 0; k < 2; k++, q = twin[q]!) {
          if (head[q] === t) continue;
          if (cap[q] === 0 && along[q] === 1) {
            seed(q);
            seeds++;
          } else if (cap[q]! > 0 && along[q] === 0) raised.push(q);
        }
    } else {
      for (let i = 0; i < kept; i++) seed(slots[i]!);
      if (!off) {
        for (let i = 0; i < closedCount; i++) seed(closed[i]!);
        seeds += closedCount;
      }
    }
    // Against a flow base most seeds are arcs whose flow went back to 0 and lose few nodes: the bar
    // for a plain search is higher there (measured on the generated 100k model: about 7 ms against
    // 35 ms a search).
    if (fromFlow && seeds > 8 * this.searchAbove) {
      bucket.fill(-1);
      return this.searchAll(round, !off);
    }
    this.searched = false;
    this.againstFlow = fromFlow && !off;
    this.movedCount = 0;
    let lostCount = 0;
    for (let d = 1; d <= maxLevel; d++) {
      for (let v = bucket[d]!; v !== -1; v = nextInBucket[v]!) {
        let held = false;
        for (let j = start[v]!, end = start[v + 1]!; j < end && !held; j++) {
          if (!(back[j]! > 0)) continue;
          const u = head[j]!;
          const lu = level[u]!;
          held = lu >= 0 && lu < d && lost[u] !== round && !(off && layer[u] === 1);
        }
        if (held) continue;
        lost[v] = round;
        lostList[lostCount++] = v;
        for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
          const w = head[j]!;
          if (along[j] === 1 && level[w] === d + 1 && !(off && layer[w] === 1)) push(w);
        }
      }
      bucket[d] = -1;
    }
    // The lost nodes the residual graph reaches from a kept one, and from there (with the nodes the
    // base did not reach, entered over an arc that gained capacity).
    const isKept = (u: number) => level[u]! >= 0 && lost[u] !== round && !(off && layer[u] === 1);
    const open = (w: number) =>
      w !== t && found[w] !== round && (lost[w] === round || level[w]! < 0) && !(off && layer[w] === 1);
    let qt = 0;
    for (const q of raised) {
      const w = head[q]!;
      if (isKept(head[twin[q]!]!) && open(w)) {
        found[w] = round;
        queue[qt++] = w;
      }
    }
    for (let i = 0; i < lostCount; i++) {
      const v = lostList[i]!;
      for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
        if (!(back[j]! > 0)) continue;
        if (found[v] !== round && isKept(head[j]!)) {
          found[v] = round;
          queue[qt++] = v;
          break;
        }
      }
    }
    for (let qh = 0; qh < qt; qh++) {
      const v = queue[qh]!;
      for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
        if (!(cap[j]! > 0)) continue;
        const w = head[j]!;
        if (open(w)) {
          found[w] = round;
          queue[qt++] = w;
        }
      }
    }
    let count = 0;
    const { moved, movedIn } = this;
    let movedCount = 0;
    for (let i = 0; i < lostCount; i++) {
      const v = lostList[i]!;
      if (found[v] === round) continue;
      this.unreached[count++] = v;
      moved[movedCount++] = v;
      movedIn[v] = round;
    }
    const before = base.unreached;
    for (let i = 0; i < before.length; i++) {
      const v = before[i]!;
      if (found[v] === round) {
        moved[movedCount++] = v;
        movedIn[v] = round;
      } else if (!(off && layer[v] === 1)) this.unreached[count++] = v;
    }
    this.unreachedCount = count;
    this.movedCount = movedCount;
  }

  /** `update` by a search of the whole residual graph (`againstFlow`: with the flow base's `moved`). */
  private searchAll(round: number, againstFlow: boolean): void {
    this.searched = true;
    this.againstFlow = againstFlow;
    this.movedCount = 0;
    this.search(round);
  }

  /**
   * The reach by a search from s over every residual arc; unreached: every other node but t. The
   * first update's search (the second layer open, against the full network) also keeps its levels
   * (`firstSearch`).
   */
  private search(round: number): void {
    const { r, found, queue, unreached } = this;
    const { nodeCount: n, start, head, cap } = r;
    const keep = round === 1 && !this.layerOff && !this.base;
    const level = keep ? scratchI32(n).fill(-1) : undefined;
    let qt = 0;
    found[this.s] = round;
    queue[qt++] = this.s;
    if (level) level[this.s] = 0;
    for (let qh = 0; qh < qt; qh++) {
      const v = queue[qh]!;
      for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
        if (!(cap[j]! > 0)) continue;
        const w = head[j]!;
        if (found[w] !== round) {
          found[w] = round;
          queue[qt++] = w;
          if (level) level[w] = level[v]! + 1;
        }
      }
    }
    let count = 0;
    for (let v = 0; v < n; v++) if (found[v] !== round && v !== this.t) unreached[count++] = v;
    this.unreachedCount = count;
    // (t is not reached: the flow is maximum. The last node queued is the farthest.)
    if (level)
      this.firstSearch = { level, maxLevel: level[queue[qt - 1]!]!, unreached: unreached.slice(0, count) };
    if (!this.againstFlow) return;
    // The nodes on another side than the flow base's, by a pass over them all: the caller then reads
    // the cut against the base's (1M's disclosure questions mostly take this search).
    const { moved, movedIn } = this;
    const baseLevel = this.base!.level;
    let movedCount = 0;
    for (let v = 0; v < n; v++) {
      if (v === this.t || baseLevel[v]! >= 0 === (found[v] === round)) continue;
      moved[movedCount++] = v;
      movedIn[v] = round;
    }
    this.movedCount = movedCount;
  }
}

/** Levels from s over some arcs, and the nodes they leave unreached (for a flow base). */
interface Base {
  readonly level: Int32Array;
  readonly maxLevel: number;
  readonly along: Uint8Array;
  readonly unreached: Int32Array;
}
