import { scratchI32, scratchU8 } from "../../graph/arena.js";
import type { CompactGraph } from "../../graph/compact.js";
import { adjacency, type Adjacency } from "./adjacency.js";

/** A dominator tree over the nodes reachable from a virtual root joined to `roots`. */
export interface DominatorTree {
  /** Immediate dominator of each node; `root` (= nodeCount) for nodes only the virtual root dominates; -1 unreachable. */
  readonly idom: Int32Array;
  /** Depth in the tree (root 0), -1 unreachable. */
  readonly depth: Int32Array;
  readonly root: number;
}

/**
 * Dominators by Lengauer and Tarjan's algorithm (balanced link-eval forest, O(m alpha(m, n))), with
 * a virtual root joined to every entry (so "dominates" means "every path from any entry passes
 * here"). Edges whose `weight` is Infinity are cut. Typed arrays and explicit stacks only: the
 * iterative Cooper-Harvey-Kennedy scheme it replaces walked long idom chains on every pass over a
 * large model, and took tens of BFS-times per tree.
 */
export function dominators(
  g: CompactGraph,
  roots: readonly number[],
  direction: "forward" | "backward" = "forward",
  weight?: Float64Array,
): DominatorTree {
  const succ = adjacency(g, direction, weight);
  return dominatorsOn(succ, roots);
}

// The slots of a preorder number's record in `DominatorScratch.forest` (LT's arrays, interleaved).
const ANCESTOR = 0;
const LABEL = 1;
/** semi(label): cached beside the label, so EVAL and LINK compare without another random load. */
const LABEL_SEMI = 2;
const CHILD = 3;
const SIZE = 4;
const SEMI = 5;
const BUCKET = 6;
const NEXT = 7;
const SLOTS = 8;

/**
 * The working arrays of `dominatorsOn`, shared by every tree of an analysis over graphs of one size:
 * only each tree's answer (idom, depth) is new. On a large heap every fresh typed array adds to the
 * external memory that makes V8 collect garbage, so a dozen per tree is felt.
 *
 * The layout is for the cache: at 100k nodes the arrays exceed L2, so a random access is a miss.
 * The DFS tests a byte per step (`seen`, which stays in L2) and leaves the non-tree steps in a
 * sequential list; they are sorted afterwards in passes whose loads do not wait on each other; and
 * the fields one step of LT reads together sit in one record per preorder number.
 */
export class DominatorScratch {
  /** Per node: reached yet, and its preorder number. */
  readonly seen: Uint8Array;
  readonly number: Int32Array;
  /**
   * By preorder number (1 the virtual root): the node; its DFS tree parent's number; the least
   * number among its tree and forward predecessors (1 for a root, the virtual root stepping in).
   */
  readonly vertex: Int32Array;
  readonly parent: Int32Array;
  readonly least: Int32Array;
  /** The DFS's suspended nodes: node, its number and its next slot. */
  readonly stackNode: Int32Array;
  readonly stackNumber: Int32Array;
  readonly stackPos: Int32Array;
  /** Back and cross predecessors by target number: those of k are `laterSource[laterStart[k - 1] .. laterStart[k])`. */
  readonly laterStart: Int32Array;
  laterSource: Int32Array = new Int32Array(0);
  /** The DFS's non-tree steps as (source number, target node) pairs, then (target, source) numbers. */
  pairs: Int32Array = new Int32Array(0);
  pairSlots = 0;
  /** By preorder number (0 the empty forest), SLOTS slots: the link-eval forest and the buckets. */
  readonly forest: Int32Array;
  /** By preorder number: the immediate dominator's number; and EVAL's path. */
  readonly dom: Int32Array;
  readonly path: Int32Array;

  /**
   * `steps`: the most steps of a graph it will serve, so that their two lists are taken now, below
   * any tree (a caller giving each tree's arrays back after it must not give these back with them).
   */
  constructor(
    readonly nodeCount: number,
    steps = 0,
  ) {
    // The nodes and the virtual root, numbered from 1.
    const size = nodeCount + 2;
    this.seen = scratchU8(nodeCount);
    this.number = scratchI32(nodeCount);
    this.vertex = scratchI32(size);
    this.parent = scratchI32(size);
    this.least = scratchI32(size);
    this.stackNode = scratchI32(size);
    this.stackNumber = scratchI32(size);
    this.stackPos = scratchI32(size);
    this.laterStart = scratchI32(size + 1);
    this.forest = scratchI32(SLOTS * size);
    this.dom = scratchI32(size);
    this.path = scratchI32(size);
    if (steps > 0) {
      this.laterSource = scratchI32(steps);
      this.pairs = scratchI32(2 * steps);
    }
  }
}

/**
 * `dominators` over a prepared adjacency, `succ` the direction of the paths. The DFS that numbers
 * the nodes sees every step into a reached node once, so it collects the predecessors Lengauer and
 * Tarjan need itself: no adjacency the other way is needed.
 */
export function dominatorsOn(
  succ: Adjacency,
  roots: readonly number[],
  scratch: DominatorScratch = new DominatorScratch(succ.nodeCount),
): DominatorTree {
  const n = succ.nodeCount;
  if (scratch.nodeCount !== n) throw new Error("dominator scratch sized for another graph");
  const m = succ.node.length;
  if (scratch.laterSource.length < m) scratch.laterSource = scratchI32(m);
  if (scratch.pairs.length < 2 * m) scratch.pairs = scratchI32(2 * m);
  // Each phase is its own function: V8 optimises a long loop while it runs, and code after the loop
  // that had not run yet then deoptimises the whole function.
  const count = preorder(succ, roots, scratch);
  sortSteps(roots, count, scratch);
  semidominators(count, scratch);
  const root = n;
  const { vertex, dom } = scratch;
  const idom = scratchI32(n + 1).fill(-1);
  const depth = scratchI32(n + 1).fill(-1);
  idom[root] = root;
  depth[root] = 0;
  // In preorder a node's dominator comes before it.
  for (let k = 2; k <= count; k++) {
    const w = vertex[k]!;
    const d = vertex[dom[k]!]!;
    idom[w] = d;
    depth[w] = depth[d]! + 1;
  }
  return { idom, depth, root };
}

/**
 * Numbers the nodes in preorder by an iterative DFS from the virtual root (number 1), whose
 * children are the roots in order; each tree step sets its target's `parent` and `least`, and
 * every other step into a reached node is listed in `pairs` as (source number, target node) for
 * `sortSteps`. Returns the highest number.
 */
function preorder(succ: Adjacency, roots: readonly number[], scratch: DominatorScratch): number {
  const { start, node } = succ;
  const { seen, number, vertex, parent, least, stackNode, stackNumber, stackPos, pairs } = scratch;
  seen.fill(0);
  let count = 1;
  vertex[1] = succ.nodeCount;
  let p = 0;
  for (let k = 0; k < roots.length; k++) {
    const r = roots[k]!;
    if (seen[r] !== 0) continue;
    seen[r] = 1;
    number[r] = ++count;
    vertex[count] = r;
    parent[count] = 1;
    least[count] = 1;
    // The node being scanned (v, number kv) and its next slot, in locals; the stack holds the rest.
    let sp = 0;
    let v = r;
    let kv = count;
    let i = start[r]!;
    let end = start[r + 1]!;
    for (;;) {
      if (i < end) {
        const w = node[i++]!;
        if (seen[w] === 0) {
          seen[w] = 1;
          number[w] = ++count;
          vertex[count] = w;
          parent[count] = kv;
          least[count] = kv;
          stackNode[sp] = v;
          stackNumber[sp] = kv;
          stackPos[sp++] = i;
          v = w;
          kv = count;
          i = start[w]!;
          end = start[w + 1]!;
        } else {
          pairs[p] = kv;
          pairs[p + 1] = w;
          p += 2;
        }
        continue;
      }
      if (sp === 0) break;
      v = stackNode[--sp]!;
      kv = stackNumber[sp]!;
      i = stackPos[sp]!;
      end = start[v + 1]!;
    }
  }
  scratch.pairSlots = p;
  return count;
}

/**
 * Sorts the DFS's non-tree steps by kind. A forward step comes from a smaller number, like the tree
 * step, and only the least of those matters (LT's EVAL of a number not linked yet is the number
 * itself). A back or cross step comes from a larger number and needs EVAL when its target's turn
 * comes: those are bucketed by target (a counting sort), so LT reads them in order.
 */
function sortSteps(roots: readonly number[], count: number, scratch: DominatorScratch): void {
  const { number, least, pairs, pairSlots: p, laterStart, laterSource } = scratch;
  // A root the DFS reached from another root first is still a step from the virtual root.
  for (let k = 0; k < roots.length; k++) least[number[roots[k]!]!] = 1;
  laterStart.fill(0, 0, count + 2);
  let later = 0;
  for (let j = 0; j < p; j += 2) {
    const kv = pairs[j]!;
    const kw = number[pairs[j + 1]!]!;
    if (kw > kv) {
      if (kv < least[kw]!) least[kw] = kv;
    } else if (kw < kv) {
      pairs[later] = kw;
      pairs[later + 1] = kv;
      later += 2;
      laterStart[kw + 1]!++;
    }
  }
  for (let k = 1; k <= count + 1; k++) laterStart[k]! += laterStart[k - 1]!;
  // Each target's run fills from its start; after this loop laterStart[k] is where k's run ends.
  for (let j = 0; j < later; j += 2) laterSource[laterStart[pairs[j]!]!++] = pairs[j + 1]!;
}

/**
 * Lengauer and Tarjan's sophisticated version (balanced link-eval forest, O(m alpha(m, n))): the
 * simple one's path compression alone degrades on the deep DFS trees of a large model (about 30
 * BFS-times per tree at 100k). Works on preorder numbers 1..count (the virtual root is 1; 0 is the
 * empty forest, with size and semi 0); leaves each number's immediate dominator in `dom`.
 */
function semidominators(count: number, scratch: DominatorScratch): void {
  const { parent, least, laterStart, laterSource, forest: f, dom, path } = scratch;
  for (let k = 0; k <= count; k++) {
    const at = SLOTS * k;
    f[at + ANCESTOR] = 0;
    f[at + LABEL] = k;
    f[at + LABEL_SEMI] = k;
    f[at + CHILD] = 0;
    f[at + SIZE] = 1;
    // Until k's turn: the least of its tree and forward predecessors.
    f[at + SEMI] = k >= 2 ? least[k]! : k;
    f[at + BUCKET] = 0;
    f[at + NEXT] = 0;
  }
  f[SIZE] = 0;
  for (let w = count; w >= 2; w--) {
    const W = SLOTS * w;
    let semi = f[W + SEMI]!;
    for (let j = laterStart[w - 1]!, end = laterStart[w]!; j < end; j++) {
      const s = leastSemi(laterSource[j]!, f, path);
      if (s < semi) semi = s;
    }
    // w is the only number labelled w so far: its cached semi(label) is its own.
    f[W + SEMI] = semi;
    f[W + LABEL_SEMI] = semi;
    f[W + NEXT] = f[SLOTS * semi + BUCKET]!;
    f[SLOTS * semi + BUCKET] = w;
    const p = parent[w]!;
    link(p, w, f);
    const P = SLOTS * p;
    for (let v = f[P + BUCKET]!; v !== 0; v = f[SLOTS * v + NEXT]!) {
      const u = evaluate(v, f, path);
      dom[v] = f[SLOTS * u + SEMI]! < f[SLOTS * v + SEMI]! ? u : p;
    }
    f[P + BUCKET] = 0;
  }
  for (let w = 2; w <= count; w++) if (dom[w] !== f[SLOTS * w + SEMI]) dom[w] = dom[dom[w]!]!;
  dom[1] = 1;
}

/** Adds the tree edge v -> w to the forest, keeping it balanced (LT's LINK). */
function link(v: number, w: number, f: Int32Array): void {
  const W = SLOTS * w;
  const semiW = f[W + LABEL_SEMI]!;
  let s = w;
  for (;;) {
    const S = SLOTS * s;
    const c = f[S + CHILD]!;
    const C = SLOTS * c;
    if (!(semiW < f[C + LABEL_SEMI]!)) break;
    if (f[S + SIZE]! + f[SLOTS * f[C + CHILD]! + SIZE]! >= 2 * f[C + SIZE]!) {
      f[C + ANCESTOR] = s;
      f[S + CHILD] = f[C + CHILD]!;
    } else {
      f[C + SIZE] = f[S + SIZE]!;
      f[S + ANCESTOR] = c;
      s = c;
    }
  }
  f[SLOTS * s + LABEL] = f[W + LABEL]!;
  f[SLOTS * s + LABEL_SEMI] = semiW;
  const V = SLOTS * v;
  f[V + SIZE]! += f[W + SIZE]!;
  if (f[V + SIZE]! < 2 * f[W + SIZE]!) {
    const t = s;
    s = f[V + CHILD]!;
    f[V + CHILD] = t;
  }
  while (s !== 0) {
    f[SLOTS * s + ANCESTOR] = v;
    s = f[SLOTS * s + CHILD]!;
  }
}

/** Compresses v's way up the forest (v and its ancestor both linked), keeping the least semi(label). */
function compress(v: number, f: Int32Array, path: Int32Array): void {
  let len = 0;
  for (let x = v; f[SLOTS * f[SLOTS * x + ANCESTOR]! + ANCESTOR] !== 0; x = f[SLOTS * x + ANCESTOR]!)
    path[len++] = x;
  for (let k = len - 1; k >= 0; k--) {
    const X = SLOTS * path[k]!;
    const A = SLOTS * f[X + ANCESTOR]!;
    if (f[A + LABEL_SEMI]! < f[X + LABEL_SEMI]!) {
      f[X + LABEL] = f[A + LABEL]!;
      f[X + LABEL_SEMI] = f[A + LABEL_SEMI]!;
    }
    f[X + ANCESTOR] = f[A + ANCESTOR]!;
  }
}

/** The number of least semidominator on v's way up the forest (LT's EVAL), compressing that way. */
function evaluate(v: number, f: Int32Array, path: Int32Array): number {
  const V = SLOTS * v;
  const a = f[V + ANCESTOR]!;
  if (a === 0) return f[V + LABEL]!;
  if (f[SLOTS * a + ANCESTOR] !== 0) compress(v, f, path);
  const A = SLOTS * f[V + ANCESTOR]!;
  return f[A + LABEL_SEMI]! >= f[V + LABEL_SEMI]! ? f[V + LABEL]! : f[A + LABEL]!;
}

/** semi(EVAL(v)), read from the cache beside the labels (one record fewer than `evaluate`). */
function leastSemi(v: number, f: Int32Array, path: Int32Array): number {
  const V = SLOTS * v;
  const a = f[V + ANCESTOR]!;
  if (a === 0) return f[V + LABEL_SEMI]!;
  if (f[SLOTS * a + ANCESTOR] !== 0) compress(v, f, path);
  const A = SLOTS * f[V + ANCESTOR]!;
  const x = f[A + LABEL_SEMI]!;
  const y = f[V + LABEL_SEMI]!;
  return x < y ? x : y;
}

// Per tree: the query number that last climbed through each node (see commonDominator).
const climbed = new WeakMap<DominatorTree, { stamp: Int32Array; query: number }>();

/**
 * The deepest node dominating every node of `nodes` (the virtual root when only it does). Nodes that
 * a climb already passed in this query lie under the answer so far, so each tree node is climbed at
 * most once per query: a crown jewel read by half the model costs one pass over the tree, not one
 * walk to the top per reader.
 */
export function commonDominator(t: DominatorTree, nodes: ArrayLike<number>): number {
  let memo = climbed.get(t);
  if (!memo) climbed.set(t, (memo = { stamp: scratchI32(t.idom.length), query: 0 }));
  const stamp = memo.stamp;
  const q = ++memo.query;
  let acc = -1;
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]!;
    // Nothing is above the virtual root: the answer cannot change once it is reached.
    if (acc === t.root) break;
    if (t.depth[v]! < 0) continue;
    if (acc === -1) {
      acc = v;
      stamp[v] = q;
      continue;
    }
    let b = v;
    while (t.depth[b]! > t.depth[acc]! && stamp[b] !== q) {
      stamp[b] = q;
      b = t.idom[b]!;
    }
    if (stamp[b] === q) continue;
    let a = acc;
    while (t.depth[a]! > t.depth[b]!) a = t.idom[a]!;
    while (a !== b) {
      stamp[b] = q;
      a = t.idom[a]!;
      b = t.idom[b]!;
    }
    stamp[a] = q;
    acc = a;
  }
  return acc;
}

/** The chain of dominators from `v` up to (excluding) the virtual root. */
export function dominatorChain(t: DominatorTree, v: number): number[] {
  const out: number[] = [];
  for (let x = v; x >= 0 && x !== t.root; x = t.idom[x]!) out.push(x);
  return out;
}
