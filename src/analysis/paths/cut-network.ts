import { scratchF64, scratchI32, scratchScope, scratchU8 } from "../../graph/arena.js";
import type { AttackGraph, CutTarget } from "./attack-graph.js";
import { componentOf, type UsableGraph } from "./usable.js";

/** What an arc of the cut network stands for: a component or a step, in the influence leg or the way out. */
export type CutArcKind = "node" | "flow" | "way-out node" | "way-out flow";
const KINDS: readonly CutArcKind[] = ["node", "flow", "way-out node", "way-out flow"];

/** One question's flow network as parallel arc arrays (valid until the next `build`). */
export interface CutNetwork {
  readonly nodeCount: number;
  readonly count: number;
  readonly tail: Int32Array;
  readonly head: Int32Array;
  readonly cap: Float64Array;
  /**
   * Per arc: `index * 4 + kind` of what it stands for; negative for an arc nothing may cut: the link
   * from reader r into the way out is `link(r)`, any other -1.
   */
  readonly meta: Int32Array;
  readonly S: number;
  readonly T: number;
}

const S = 0;
const T = 1;

/**
 * The capacity of a step no control can cut (CutSolver's UNCUTTABLE): finite, above any realistic
 * sum of control costs.
 */
export const UNCUTTABLE_STEP = 1 << 24;

/**
 * What `CutNetworkBuilder` marks, given the capacities, besides its own reach: in `influence` the
 * components the entries reach over the influence leg's uncuttable arcs (both halves: the entries,
 * and over uncuttable steps the components no control cuts), and in `folded` what a shared network
 * folds into S: 1 for those, 2 where only the in-half is (an uncuttable step from one of them leads
 * into it; its own control cuts). A cut below UNCUTTABLE_STEP crosses no uncuttable arc, so every
 * node S reaches over uncuttable arcs is on its source side, and the minimum cut closest to the
 * entries is the same with them folded; the solver checks each answer's value and asks a network
 * without the fold otherwise.
 */
export interface Fold {
  readonly capacity: CutCapacities;
  readonly influence: Uint8Array;
  readonly folded: Uint8Array;
}

/**
 * The capacity of every arc a network can have (UNCUTTABLE where no control cuts it), as arrays the
 * solver fills with plain loops: per component in the influence leg and the way out, per usable
 * step, and the one cost every way-out step has (one control applies to any flow).
 */
export interface CutCapacities {
  readonly node: Float64Array;
  readonly wayOutNode: Float64Array;
  readonly flow: Float64Array;
  readonly wayOutFlow: number;
}

/**
 * Links (arcs a shared network opens and closes per question) have meta codes below -1: -2 - i for
 * link number i, which is v for influence target v's link to T and n + r for reader r's link into
 * the way out (n components). `linkNumber` reads i back.
 */
export const linkNumber = (code: number): number => -2 - code;

/**
 * Builds the node-split flow network of one cut question over only the part of the attack graph that
 * can matter. Layer 0 (influence): a component v is `in0(v) -> out0(v)` (its own control), a usable
 * step u -> v is `out0(u) -> in0(v)`. Layer 1 (the way out of a disclosure): the same over the way-out
 * steps, with the lethal-trifecta controls. An influence target ends at T; a disclosure reader links
 * `out0(r) -> in1(r)`; an observable sink ends at T from `in1`.
 *
 * Exact reductions, none of which changes the minimum cut closest to the entries:
 * - only nodes on some entry -> target path are kept (a node off every such path carries no flow, and
 *   the residual graph cannot reach it through a cut either): layer 0 keeps what is reachable from an
 *   entry and reaches a target (a backward search from the targets inside the forward reach computed
 *   once), layer 1 what is reachable from a kept reader and reaches a sink (a forward search from the
 *   readers inside the backward reach from the sinks computed once);
 * - entries are the source itself (the attacker's own: both halves hang off S by unbounded arcs), so
 *   their steps start at S; steps into an entry are dropped (flow never needs to return to S);
 * - the out-half of an influence target and of a sink is T itself (unbounded arcs into T); the steps
 *   leaving them are dropped;
 * - given `folded` (a shared network: the `Fold` its constructor marks), what S reaches over
 *   uncuttable arcs is S too, as an entry is: exact for a cut below UNCUTTABLE, which the solver checks.
 * Node ids follow the searches' discovery order, so neighbours in the graph sit close in memory.
 *
 * A shared network (`build(targets, true)`, for many questions in turn) folds no influence target
 * into T: each keeps its out-half and its steps onward, and a link `out0(v) -> T` that a question
 * opens or closes like a reader's link into the way out.
 *
 * A build can only count (no arc arrays: `build` without `arcs`), so that a question asked of a
 * network of its own takes arcs at their number; the shared network is built at once into arrays
 * that grow (CutSolver's `share`: a count was a search as long as the build). The searches read the
 * steps off the graphs' CSR with the filters inline: the filtered copies the builder kept (80 MB at
 * 1M) paid off when every question built a network of its own.
 */
export class CutNetworkBuilder {
  private readonly n: number;
  readonly isEntry: Uint8Array;
  /** Non-entry components some entry reaches over usable steps. */
  readonly fromEntries: Uint8Array;
  /** Components that reach an observable sink over way-out steps (sinks included). */
  private readonly toSinks: Uint8Array;
  private readonly isSink: Uint8Array;
  /** 1 where a reader can start the way out in some network: it reaches a sink and an entry reaches it. */
  readonly linkable: Uint8Array;
  /** Whether builds give a way-out component one node where they can (`halvesAsOne`; tests: false, to compare). */
  mergesHalves = true;

  constructor(
    private readonly ag: AttackGraph,
    private readonly ug: UsableGraph,
    sinks: readonly number[],
    private readonly withWayOut: boolean,
    /** What `reachingSinks` marks in `toSinks`, over the attack graph's components, if the caller has it. */
    reached: Uint8Array | undefined,
    /** Marked by the same search from the entries (zeroed arrays of n). */
    fold: Fold,
  ) {
    const n = (this.n = ug.g.nodeCount);
    const g = ug.g;
    // The searches are module functions over locals: in the constructor every `this.` array read
    // in the loops stayed a property load.
    const isEntry = (this.isEntry = scratchU8(n));
    for (const v of ag.entries) isEntry[v] = 1;
    const fromEntries = (this.fromEntries = scratchU8(n));
    const isSink = (this.isSink = scratchU8(n));
    const toSinks = (this.toSinks = scratchU8(n));
    const linkable = (this.linkable = scratchU8(n));
    // The searches' queue is given back: the marks above are what the builder keeps.
    scratchScope(() => {
      const queue = scratchI32(n);
      reachedAndFolded(g, ag.entries, isEntry, fromEntries, queue, fold);
      if (withWayOut) {
        if (reached) {
          toSinks.set(reached);
          for (const v of sinks) isSink[v] = 1;
        } else reachingSinks(ag, sinks, isSink, toSinks, queue);
        // A turned node's way out is its component's (it links into the component's way-out node).
        for (let i = 0; i < ug.turned.length; i++) toSinks[ug.components + i] = toSinks[ug.turned[i]!]!;
      }
    });
    for (let v = 0; v < n; v++) linkable[v] = toSinks[v]! & (isEntry[v]! | fromEntries[v]!);
  }

  kindOf(code: number): CutArcKind {
    return KINDS[code & 3]!;
  }

  indexOf(code: number): number {
    return code >>> 2;
  }

  /** The meta code of the link from influence target v to T in a shared network. */
  targetLink(v: number): number {
    return -2 - v;
  }

  /** The meta code of the link from reader r into the way out. */
  readerLink(r: number): number {
    return -2 - this.n - r;
  }

  /**
   * The network for these targets, or "unbounded" when an influence target is itself an entry
   * (nothing can cut it). Shared: influence targets that are entries are left out instead, and the
   * others link to T (see the class comment). The arcs go to `arcs`, or to larger arrays taken
   * from the arena in scope (`grown`) once they are full: the network's arrays are those returned.
   * A build without `arcs` only counts (the network's `count`, with empty arrays). `scratch` is left
   * as it was given (every id -1). `folded`: per component, 1 where both its halves are S (as an
   * entry's), 2 where its in-half is.
   */
  build(
    targets: readonly CutTarget[],
    shared: boolean,
    capacity: CutCapacities,
    scratch: BuildScratch,
    arcs?: CutArcs,
    folded?: Uint8Array,
  ): CutNetwork | "unbounded" {
    const { in0, out0, in1, out1, queue0, queue1 } = scratch;
    const { fromEntries, isSink, toSinks, linkable } = this;
    // Per component: 1 where both halves are S (an entry, or folded), 2 where only the in-half is.
    const inS = folded ?? this.isEntry;
    const store = arcs !== undefined;
    let { tail, head, cap, meta } = arcs ?? NO_ARCS;
    let count = 0;
    const arc = (u: number, v: number, c: number, m: number) => {
      if (store) {
        if (count === tail.length) ({ tail, head, cap, meta } = grown({ tail, head, cap, meta }, count));
        tail[count] = u;
        head[count] = v;
        cap[count] = c;
        meta[count] = m;
      }
      count++;
    };
    let next = 2;
    let q0 = 0;
    let q1 = 0;
    let unbounded = false;
    // Influence targets first: their out-half is T, whatever else they are.
    for (const t of targets) {
      if (t.mode === "disclosure") {
        if (!this.withWayOut) throw new Error("cut solver built without the way-out layer");
        continue;
      }
      // Indexed loops over the node lists: a disclosure target can have tens of thousands of readers.
      const nodes = t.nodes;
      for (let i = 0; i < nodes.length; i++) {
        const v = nodes[i]!;
        if (inS[v] === 1) unbounded ||= !shared;
        else if (fromEntries[v] && in0[v] === -1) {
          in0[v] = inS[v] === 2 ? S : next++;
          out0[v] = shared ? next++ : T;
          queue0[q0++] = v;
          if (shared) arc(out0[v], T, Infinity, this.targetLink(v));
        }
      }
    }
    if (!unbounded)
      for (const t of targets) {
        if (t.mode !== "disclosure") continue;
        const nodes = t.nodes;
        for (let i = 0; i < nodes.length; i++) {
          // A turned reader links into its component's way out (a component is a reader as itself
          // or as its turned node, never both).
          const r = nodes[i]!;
          const b = componentOf(this.ug, r);
          if (in1[b] !== -1 || !linkable[r]) continue;
          in1[b] = next++;
          out1[b] = isSink[b] ? T : next++;
          queue1[q1++] = b;
          if (inS[r] === 1) arc(S, in1[b], Infinity, this.readerLink(r));
          else {
            if (in0[r] === -1) {
              in0[r] = inS[r] === 2 ? S : next++;
              out0[r] = next++;
              queue0[q0++] = r;
            }
            if (out0[r] !== T) arc(out0[r]!, in1[b], Infinity, this.readerLink(r));
          }
        }
      }
    if (!unbounded) {
      // Layer 0, backward from the targets inside the entries' reach: every queued node is a
      // non-entry some entry reaches; its steps from an entry start at S, those from a node no entry
      // reaches are left out.
      const { inStart, inEdges, edgeFrom } = this.ug.g;
      const { node: capNode, flow: capFlow } = capacity;
      for (let qh = 0; qh < q0; qh++) {
        const w = queue0[qh]!;
        const into = in0[w]!;
        arc(into, out0[w]!, capNode[w]!, w * 4);
        // An in-half folded into S: its steps in would lead back to S.
        if (into === S) continue;
        for (let i = inStart[w]!, end = inStart[w + 1]!; i < end; i++) {
          const e = inEdges[i]!;
          const u = edgeFrom[e]!;
          // (A count reads no capacity: a step's is a read far from the others.)
          if (inS[u] === 1) {
            arc(S, into, store ? capFlow[e]! : 0, e * 4 + 1);
            continue;
          }
          if (!fromEntries[u]) continue;
          if (in0[u] === -1) {
            in0[u] = inS[u] === 2 ? S : next++;
            out0[u] = next++;
            queue0[q0++] = u;
          }
          if (out0[u] !== T) arc(out0[u]!, into, store ? capFlow[e]! : 0, e * 4 + 1);
        }
      }
      // Layer 1, forward from the readers inside the sinks' reach, over the way-out steps towards a
      // component that reaches a sink; a sink's out-half is T. A component first met here (no
      // reader's link into it: those are all made above) whose own capacity is at least what its
      // steps in can carry has one node (`halvesAsOne`).
      const { outStart, outEdges, edgeTo, inStart: stepsIn } = this.ag.g;
      const exfilWeight = this.ag.exfilWeight;
      const capOutNode = capacity.wayOutNode;
      const cap1 = capacity.wayOutFlow;
      const mergesHalves = this.mergesHalves;
      for (let qh = 0; qh < q1; qh++) {
        const v = queue1[qh]!;
        const from = out1[v]!;
        if (from !== in1[v]) arc(in1[v]!, from, capOutNode[v]!, v * 4 + 2);
        if (from === T) continue;
        for (let i = outStart[v]!, end = outStart[v + 1]!; i < end; i++) {
          const e = outEdges[i]!;
          const w = edgeTo[e]!;
          if (toSinks[w] !== 1 || exfilWeight[e] === Infinity) continue;
          if (in1[w] === -1) {
            in1[w] = next++;
            out1[w] = isSink[w]
              ? T
              : mergesHalves && halvesAsOne(capOutNode[w]!, cap1, stepsIn[w + 1]! - stepsIn[w]!)
                ? in1[w]
                : next++;
            queue1[q1++] = w;
          }
          arc(from, in1[w]!, cap1, e * 4 + 3);
        }
      }
    }
    for (let i = 0; i < q0; i++) in0[queue0[i]!] = out0[queue0[i]!] = -1;
    for (let i = 0; i < q1; i++) in1[queue1[i]!] = out1[queue1[i]!] = -1;
    if (unbounded) return "unbounded";
    return { nodeCount: next, count, tail, head, cap, meta, S, T };
  }
}

/**
 * Whether a way-out component's two halves can be one node: nothing links into its in-half (no
 * reader's link), its `steps` steps in (of the attack graph, a bound on those the network has) carry
 * `stepCap` each at most, and its own capacity is at least their sum. Then its own arc is saturated
 * only when every arc into it is too, and never crosses the cut closest to the source: `reduced`'s
 * contraction of halves, made as the network is built (no arc, and one node fewer, to build and
 * reduce). The common case: a component no lethal-trifecta control applies to (UNCUTTABLE).
 */
function halvesAsOne(own: number, stepCap: number, steps: number): boolean {
  return own >= stepCap * steps;
}

/**
 * Exact reductions, in place, which keep the minimum cut closest to the source and what each arc of
 * it stands for:
 * - **Halves merged.** A component's own arc `x -> y` (its in-half's one arc out, its out-half's one
 *   arc in) whose capacity is at least the sum of the capacities into x never crosses that cut: the
 *   flow through it is at most what enters x, so it is saturated only when every arc into x is too,
 *   and then x, like y, is reached only from y back along the flow; unsaturated, it joins them. x and
 *   y are on the same side of the cut either way, so y becomes x and the arc goes. (Against the sum
 *   out of y the same holds only strictly: at a tie a saturated arc x -> y is the cut closest to the
 *   source, so it is not used.) Links count as unbounded, whatever the solver sets them to.
 * - **Series elimination.** A node with one arc in and one arc out (neither a link: the solver opens
 *   and closes those one by one) goes, and its two arcs become one from the first's tail to the
 *   second's head, of the smaller capacity, standing for (meta code) the arc that has it, the first
 *   on a tie. On the chain such a node sat on, the minimum cut closest to the source crosses the first
 *   arc of least capacity (a saturated chain carries exactly that much; an unsaturated one leaves
 *   every node on it reachable together), which is the arc the one arc stands for; nothing else
 *   reaches the node, so no other cut changes. Not where the arc into the node has capacity 0 (a
 *   control of cost 0): with no flow on the chain and both its ends reached otherwise, that arc alone
 *   crosses the cut, and the one arc would not.
 * The nodes left are numbered in their order, the arcs kept in theirs. Returns the network's new size
 * (its arrays are the same). Temporaries: per node and per arc, from the arena in scope.
 */
export function reduced(net: CutNetwork): { nodeCount: number; count: number } {
  const { nodeCount: n, count, tail, head, cap, meta } = net;
  const dead = scratchU8(count);
  // Node ids after: -1 for a node that goes.
  const id = scratchI32(n);
  // Arcs in per node and the last of them, and the contraction's groups, for the series elimination
  // (a node's arcs in are the same after the contraction: only the gone nodes' one arc in goes).
  const inDegree = scratchI32(n);
  const inArc = scratchI32(n);
  const into = scratchI32(n);
  // The sums are given back before the series elimination takes its own arrays.
  const merged = scratchScope(() => mergeHalves(net, dead, id, inDegree, inArc, into));
  const outDegree = scratchI32(n);
  const outArc = scratchI32(n);
  // Each arc moved onto the node its tail is now part of, in the pass that counts the arcs out.
  for (let a = 0; a < count; a++) {
    if (dead[a]) continue;
    let u = tail[a]!;
    if (merged && into[u] !== 0) tail[a] = u = groupOf(into, u);
    outDegree[u]!++;
    outArc[u] = a;
  }
  for (let x = 2; x < n; x++) {
    if (id[x] === -1) continue;
    let keep = inDegree[x] !== 1 || outDegree[x] !== 1;
    const a = inArc[x]!;
    const b = outArc[x]!;
    // (An arc into x of capacity 0 stays: see above.)
    keep ||= a === b || meta[a]! < -1 || meta[b]! < -1 || !(cap[a]! > 0);
    if (keep) continue;
    // Arcs merged earlier keep their ids: a is whatever now ends at x, b whatever now leaves it.
    const v = head[b]!;
    head[a] = v;
    if (cap[b]! < cap[a]!) {
      cap[a] = cap[b]!;
      meta[a] = meta[b]!;
    }
    dead[b] = 1;
    inArc[v] = a;
    id[x] = -1;
  }
  let nodes = 0;
  for (let v = 0; v < n; v++) id[v] = v < 2 || id[v] !== -1 ? nodes++ : -1;
  let kept = 0;
  for (let a = 0; a < count; a++) {
    if (dead[a]) continue;
    tail[kept] = id[tail[a]!]!;
    head[kept] = id[head[a]!]!;
    cap[kept] = cap[a]!;
    meta[kept] = meta[a]!;
    kept++;
  }
  return { nodeCount: nodes, count: kept };
}

/**
 * The first reduction of `reduced`: contracts each arc x -> y where y has no other arc in and the
 * arc is never saturated or never alone: its capacity is at least the sum into x, or above the sum
 * out of y (sums over the groups once nodes have been taken in; arcs inside a group count, which
 * only makes the test harder). Marks the arc in `dead`, y -1 in `gone` and x + 1 in `into` (the
 * caller moves the arcs onto the node their tail is now part of: `groupOf`), and counts every node's
 * arcs in (`inDegree`, the last in `inArc`). Returns how many arcs it contracted.
 */
function mergeHalves(
  net: CutNetwork,
  dead: Uint8Array,
  gone: Int32Array,
  inDegree: Int32Array,
  inArc: Int32Array,
  into: Int32Array,
): number {
  const { nodeCount: n, count, tail, head, cap, meta } = net;
  const inCap = scratchF64(n);
  const outCap = scratchF64(n);
  for (let a = 0; a < count; a++) {
    const v = head[a]!;
    const c = meta[a]! < -1 ? Infinity : cap[a]!;
    inDegree[v]!++;
    inArc[v] = a;
    inCap[v]! += c;
    outCap[tail[a]!]! += c;
  }
  const find = (v: number): number => groupOf(into, v);
  let merged = 0;
  for (let a = 0; a < count; a++) {
    if (meta[a]! < -1) continue;
    const y = head[a]!;
    if (y < 2 || inDegree[y] !== 1) continue;
    const x = find(tail[a]!);
    if (x < 2 || x === y || !(cap[a]! >= inCap[x]! || cap[a]! > outCap[y]!)) continue;
    outCap[x]! += outCap[y]! - cap[a]!;
    dead[a] = 1;
    into[y] = x + 1;
    gone[y] = -1;
    merged++;
  }
  return merged;
}

/** The node v is now part of (`into`: per node taken in, the node it went into + 1), paths halved. */
function groupOf(into: Int32Array, v: number): number {
  let r = v;
  while (into[r] !== 0) r = into[r]! - 1;
  while (into[v] !== 0 && into[v] !== r + 1) {
    const up = into[v]! - 1;
    into[v] = r + 1;
    v = up;
  }
  return r;
}

/** Where a build writes its arcs, as parallel arrays. */
export interface CutArcs {
  readonly tail: Int32Array;
  readonly head: Int32Array;
  readonly cap: Float64Array;
  readonly meta: Int32Array;
}

const NO_ARCS: CutArcs = {
  tail: new Int32Array(0),
  head: new Int32Array(0),
  cap: new Float64Array(0),
  meta: new Int32Array(0),
};

/**
 * Twice the room (at least 64 arcs), with the first `count` arcs copied: a build that was given too
 * little room grows its arrays so (the arrays it outgrew stay taken, with whatever else its caller
 * took since; together they are less than the last).
 */
function grown(arcs: CutArcs, count: number): CutArcs {
  const more = cutArcs(Math.max(64, 2 * count));
  more.tail.set(arcs.tail.subarray(0, count));
  more.head.set(arcs.head.subarray(0, count));
  more.cap.set(arcs.cap.subarray(0, count));
  more.meta.set(arcs.meta.subarray(0, count));
  return more;
}

/** Room for `count` arcs. */
export function cutArcs(count: number): CutArcs {
  return {
    tail: scratchI32(count),
    head: scratchI32(count),
    cap: scratchF64(count),
    meta: scratchI32(count),
  };
}

/** A build's ids and queues, per node of the usable graph (ids -1 between builds). */
export class BuildScratch {
  readonly in0: Int32Array;
  readonly out0: Int32Array;
  readonly in1: Int32Array;
  readonly out1: Int32Array;
  readonly queue0: Int32Array;
  readonly queue1: Int32Array;

  constructor(n: number) {
    this.in0 = scratchI32(n).fill(-1);
    this.out0 = scratchI32(n).fill(-1);
    this.in1 = scratchI32(n).fill(-1);
    this.out1 = scratchI32(n).fill(-1);
    this.queue0 = scratchI32(n);
    this.queue1 = scratchI32(n);
  }
}

/**
 * Marks in `reached` the non-entry components some entry reaches over usable steps (`queue`: n
 * scratch), and the `fold` in the same search: first over the uncuttable arcs from the entries, every
 * step out of the nodes it takes in read once for both, then on from everything else those steps
 * reached. (Two searches read the steps out of the fold twice.)
 */
function reachedAndFolded(
  g: UsableGraph["g"],
  entries: Int32Array,
  isEntry: Uint8Array,
  reached: Uint8Array,
  queue: Int32Array,
  fold: Fold,
): void {
  const { outStart, outEdges, edgeTo } = g;
  const { influence, folded } = fold;
  const { flow, node } = fold.capacity;
  // The fold's own queue (its nodes are scanned in it, and not again below).
  const inFold = scratchI32(g.nodeCount);
  let ft = 0;
  for (let i = 0; i < entries.length; i++) {
    const v = entries[i]!;
    if (influence[v]) continue;
    influence[v] = 1;
    inFold[ft++] = v;
  }
  let qt = 0;
  // Every entry is marked before the search: a step into one passes whatever its own control.
  for (let fh = 0; fh < ft; fh++) {
    const v = inFold[fh]!;
    for (let i = outStart[v]!, end = outStart[v + 1]!; i < end; i++) {
      const e = outEdges[i]!;
      const w = edgeTo[e]!;
      if (!isEntry[w] && !reached[w]) {
        reached[w] = 1;
        queue[qt++] = w;
      }
      if (flow[e]! < UNCUTTABLE_STEP || influence[w]) continue;
      if (node[w]! >= UNCUTTABLE_STEP) {
        influence[w] = 1;
        inFold[ft++] = w;
      } else folded[w] = 2;
    }
  }
  for (let i = 0; i < ft; i++) folded[inFold[i]!] = 1;
  for (let qh = 0; qh < qt; qh++) {
    const v = queue[qh]!;
    if (influence[v]) continue;
    for (let i = outStart[v]!, end = outStart[v + 1]!; i < end; i++) {
      const w = edgeTo[outEdges[i]!]!;
      if (!isEntry[w] && !reached[w]) {
        reached[w] = 1;
        queue[qt++] = w;
      }
    }
  }
}

/** Marks the sinks, and every component that reaches one over way-out steps (sinks included). */
function reachingSinks(
  ag: AttackGraph,
  sinks: readonly number[],
  isSink: Uint8Array,
  toSinks: Uint8Array,
  queue: Int32Array,
): void {
  const { inStart, inEdges, edgeFrom } = ag.g;
  const exfilWeight = ag.exfilWeight;
  let qt = 0;
  for (const v of sinks) {
    isSink[v] = 1;
    if (!toSinks[v]) {
      toSinks[v] = 1;
      queue[qt++] = v;
    }
  }
  for (let qh = 0; qh < qt; qh++) {
    const w = queue[qh]!;
    for (let i = inStart[w]!, end = inStart[w + 1]!; i < end; i++) {
      const e = inEdges[i]!;
      const u = edgeFrom[e]!;
      if (!toSinks[u] && exfilWeight[e] !== Infinity) {
        toSinks[u] = 1;
        queue[qt++] = u;
      }
    }
  }
}
