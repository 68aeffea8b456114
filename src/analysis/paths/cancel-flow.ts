import { scratchI32 } from "../../graph/arena.js";
import type { Residual, SlotLog } from "./maxflow.js";

/** Work arrays for `cancelFlow`, sized to the network. */
export class CancelScratch {
  readonly stamp: Int32Array;
  readonly it: Int32Array;
  readonly stackV: Int32Array;
  readonly stackE: Int32Array;
  private round = 0;

  constructor(nodeCount: number) {
    this.stamp = scratchI32(nodeCount);
    this.it = scratchI32(nodeCount);
    this.stackV = scratchI32(nodeCount + 1);
    this.stackE = scratchI32(nodeCount + 1);
  }

  /** A fresh mark for one search (no clearing between searches). */
  next(): number {
    return ++this.round;
  }
}

/**
 * Takes every unit of flow off the arc at position `j` of a residual network holding a valid s -> t
 * flow, leaving a valid flow: each unit is sent back along a flow-carrying path from s to the arc's
 * tail and from its head to t (depth-first searches over arcs that carry flow; `forward` is 1 at the
 * positions of the network's own arcs, 0 at their twins). Such paths exist whenever no flow-carrying
 * path leads from the arc's head back to its tail, which holds for the link into the way out (the
 * way-out layer never leads back into the influence layer). `changed`, if given, hears every arc
 * whose flow it lowers.
 */
export function cancelFlow(
  r: Residual,
  forward: Uint8Array,
  j: number,
  s: number,
  t: number,
  scratch: CancelScratch,
  changed?: SlotLog,
): void {
  const { start, head, cap, back, twin } = r;
  const { stamp, it, stackV, stackE } = scratch;
  const path: number[] = [];
  /** Appends to `path` the arcs of a flow-carrying path from `from` to `to` (`ahead`) or from `to` to `from`. */
  const search = (from: number, to: number, ahead: boolean): void => {
    const mark = scratch.next();
    let depth = 0;
    stackV[0] = from;
    stamp[from] = mark;
    it[from] = start[from]!;
    while (stackV[depth] !== to) {
      const v = stackV[depth]!;
      let k = it[v]!;
      const end = start[v + 1]!;
      // Ahead: own arcs out of v with flow. Behind: twins at v whose own arc (into v) has flow.
      while (
        k < end &&
        !(
          stamp[head[k]!] !== mark &&
          (ahead ? forward[k] === 1 && cap[twin[k]!]! > 0 : forward[k] === 0 && cap[k]! > 0)
        )
      )
        k++;
      it[v] = k + 1;
      if (k < end) {
        const w = head[k]!;
        stamp[w] = mark;
        it[w] = start[w]!;
        stackE[depth] = ahead ? k : twin[k]!;
        stackV[++depth] = w;
      } else if (depth === 0) throw new Error("flow to cancel has no path");
      else depth--;
    }
    for (let i = 0; i < depth; i++) path.push(stackE[i]!);
  };
  let amount = cap[twin[j]!]!;
  while (amount > 0) {
    path.length = 0;
    path.push(j);
    search(head[twin[j]!]!, s, false);
    search(head[j]!, t, true);
    let d = amount;
    for (const a of path) d = Math.min(d, cap[twin[a]!]!);
    for (const a of path) {
      changed?.note(a);
      const k = twin[a]!;
      cap[a]! += d;
      back[k]! += d;
      cap[k]! -= d;
      back[a]! -= d;
    }
    amount -= d;
  }
}
