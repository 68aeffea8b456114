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
  const back = direction === "forward" ? "backward" : "forward";
  return dominatorsOn(adjacency(g, direction, weight), adjacency(g, back, weight), roots);
}

/**
 * The working arrays of `dominatorsOn`, shared by every tree of an analysis over graphs of one size:
 * only each tree's answer (idom, depth) is new. On a large heap every fresh typed array adds to the
 * external memory that makes V8 collect garbage, so a dozen per tree is felt.
 */
export class DominatorScratch {
  readonly isRoot: Uint8Array;
  readonly dfn: Int32Array;
  readonly vertex: Int32Array;
  readonly parent: Int32Array;
  readonly stackNode: Int32Array;
  readonly stackPos: Int32Array;
  readonly semi: Int32Array;
  readonly label: Int32Array;
  readonly ancestor: Int32Array;
  readonly bucketHead: Int32Array;
  readonly bucketNext: Int32Array;
  readonly path: Int32Array;
  /** By preorder number (1-based, 0 the empty forest): balanced linking's child and size, and dom. */
  readonly child: Int32Array;
  readonly size: Int32Array;
  readonly dom: Int32Array;

  constructor(readonly nodeCount: number) {
    // The nodes and the virtual root, numbered from 1.
    const size = nodeCount + 2;
    this.child = new Int32Array(size);
    this.size = new Int32Array(size);
    this.dom = new Int32Array(size);
    this.isRoot = new Uint8Array(size);
    this.dfn = new Int32Array(size);
    this.vertex = new Int32Array(size);
    this.parent = new Int32Array(size);
    this.stackNode = new Int32Array(size);
    this.stackPos = new Int32Array(size);
    this.semi = new Int32Array(size);
    this.label = new Int32Array(size);
    this.ancestor = new Int32Array(size);
    this.bucketHead = new Int32Array(size);
    this.bucketNext = new Int32Array(size);
    this.path = new Int32Array(size);
  }
}

/** `dominators` over prepared adjacencies: `succ` the direction of the paths, `pred` the other. */
export function dominatorsOn(
  succ: Adjacency,
  pred: Adjacency,
  roots: readonly number[],
  scratch: DominatorScratch = new DominatorScratch(succ.nodeCount),
): DominatorTree {
  const n = succ.nodeCount;
  if (scratch.nodeCount !== n) throw new Error("dominator scratch sized for another graph");
  // Each phase is its own function: V8 optimises a long loop while it runs, and code after the loop
  // that had not run yet then deoptimises the whole function.
  const count = preorder(succ, roots, scratch);
  semidominators(pred, count, scratch);
  const root = n;
  const { vertex, dom } = scratch;
  const idom = new Int32Array(n + 1).fill(-1);
  const depth = new Int32Array(n + 1).fill(-1);
  idom[root] = root;
  depth[root] = 0;
  // In preorder a node's dominator comes before it.
  for (let k = 2; k <= count; k++) {
    const w = vertex[k - 1]!;
    const d = vertex[dom[k]! - 1]!;
    idom[w] = d;
    depth[w] = depth[d]! + 1;
  }
  return { idom, depth, root };
}

/**
 * Preorder numbering (`dfn`, `vertex`, `parent`) by an iterative DFS from the virtual root, whose
 * children are the roots in order; returns how many nodes it numbered (the root included).
 */
function preorder(succ: Adjacency, roots: readonly number[], scratch: DominatorScratch): number {
  const root = succ.nodeCount;
  const { start: succStart, node: succNode, weight: succWeight } = succ;
  const { isRoot, dfn, vertex, parent, stackNode, stackPos } = scratch;
  isRoot.fill(0);
  for (let k = 0; k < roots.length; k++) isRoot[roots[k]!] = 1;
  dfn.fill(-1);
  let count = 0;
  dfn[root] = count;
  vertex[count++] = root;
  for (let k = 0; k < roots.length; k++) {
    const r = roots[k]!;
    if (dfn[r] !== -1) continue;
    dfn[r] = count;
    vertex[count++] = r;
    parent[r] = root;
    let sp = 0;
    stackNode[0] = r;
    stackPos[0] = succStart[r]!;
    while (sp >= 0) {
      const v = stackNode[sp]!;
      const i = stackPos[sp]!;
      if (i >= succStart[v + 1]!) {
        sp--;
        continue;
      }
      stackPos[sp] = i + 1;
      if (succWeight[i] === Infinity) continue;
      const w = succNode[i]!;
      if (dfn[w] !== -1) continue;
      dfn[w] = count;
      vertex[count++] = w;
      parent[w] = v;
      stackNode[++sp] = w;
      stackPos[sp] = succStart[w]!;
    }
  }
  return count;
}

/**
 * Lengauer and Tarjan's sophisticated version (balanced link-eval forest, O(m alpha(m, n))): the
 * simple one's path compression alone degrades on the deep DFS trees of a large model (about 30
 * BFS-times per tree at 100k). Works on preorder numbers 1..count (the virtual root is 1; 0 is the
 * empty forest, with size and semi 0); leaves each number's immediate dominator in `dom`.
 */
function semidominators(pred: Adjacency, count: number, scratch: DominatorScratch): void {
  const root = pred.nodeCount;
  const { start: predStart, node: predNode, weight: predWeight } = pred;
  const { isRoot, dfn, vertex, parent, semi, label, ancestor, bucketHead, bucketNext, child, size, dom } =
    scratch;
  for (let k = 0; k <= count; k++) {
    semi[k] = k;
    label[k] = k;
    ancestor[k] = 0;
    child[k] = 0;
    size[k] = 1;
    bucketHead[k] = 0;
  }
  size[0] = 0;
  for (let w = count; w >= 2; w--) {
    const node = vertex[w - 1]!;
    // The virtual root (number 1) steps into every root.
    if (isRoot[node]) semi[w] = 1;
    for (let j = predStart[node]!; j < predStart[node + 1]!; j++) {
      const v = predNode[j]!;
      if (dfn[v] === -1 || predWeight[j] === Infinity) continue;
      const u = evaluate(dfn[v]! + 1, scratch);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    const s = semi[w]!;
    bucketNext[w] = bucketHead[s]!;
    bucketHead[s] = w;
    const p = parent[node] === root ? 1 : dfn[parent[node]!]! + 1;
    link(p, w, scratch);
    for (let v = bucketHead[p]!; v !== 0; v = bucketNext[v]!) {
      const u = evaluate(v, scratch);
      dom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = 0;
  }
  for (let w = 2; w <= count; w++) if (dom[w] !== semi[w]) dom[w] = dom[dom[w]!]!;
  dom[1] = 1;
}

/** Adds the tree edge v -> w to the forest, keeping it balanced (LT's LINK). */
function link(v: number, w: number, scratch: DominatorScratch): void {
  const { semi, label, ancestor, child, size } = scratch;
  let s = w;
  while (semi[label[w]!]! < semi[label[child[s]!]!]!) {
    const c = child[s]!;
    if (size[s]! + size[child[c]!]! >= 2 * size[c]!) {
      ancestor[c] = s;
      child[s] = child[c]!;
    } else {
      size[c] = size[s]!;
      ancestor[s] = c;
      s = c;
    }
  }
  label[s] = label[w]!;
  size[v]! += size[w]!;
  if (size[v]! < 2 * size[w]!) {
    const t = s;
    s = child[v]!;
    child[v] = t;
  }
  while (s !== 0) {
    ancestor[s] = v;
    s = child[s]!;
  }
}

/** The number of least semidominator on v's way up the forest (LT's EVAL), compressing that way. */
function evaluate(v: number, scratch: DominatorScratch): number {
  const { semi, label, ancestor, path } = scratch;
  if (ancestor[v] === 0) return label[v]!;
  let len = 0;
  for (let x = v; ancestor[ancestor[x]!] !== 0; x = ancestor[x]!) path[len++] = x;
  for (let k = len - 1; k >= 0; k--) {
    const x = path[k]!;
    const a = ancestor[x]!;
    if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
    ancestor[x] = ancestor[a]!;
  }
  const a = ancestor[v]!;
  return semi[label[a]!]! >= semi[label[v]!]! ? label[v]! : label[a]!;
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
  if (!memo) climbed.set(t, (memo = { stamp: new Int32Array(t.idom.length), query: 0 }));
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
