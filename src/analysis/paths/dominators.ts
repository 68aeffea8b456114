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
 * Dominators by Lengauer and Tarjan's algorithm (simple version: path compression, O(m log n)), with
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

  constructor(readonly nodeCount: number) {
    const size = nodeCount + 1;
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
  const root = n;
  const succStart = succ.start;
  const succNode = succ.node;
  const succWeight = succ.weight;
  const predStart = pred.start;
  const predNode = pred.node;
  const predWeight = pred.weight;
  const { isRoot, dfn, vertex, parent, stackNode, stackPos } = scratch;
  isRoot.fill(0);
  for (const r of roots) isRoot[r] = 1;

  // Preorder numbering by an iterative DFS from the virtual root (its children: the roots, in order).
  dfn.fill(-1);
  parent.fill(-1);
  let count = 0;
  dfn[root] = count;
  vertex[count++] = root;
  for (const r of roots) {
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

  // semi holds preorder numbers; label/ancestor form the link-eval forest.
  const { semi, label, ancestor, bucketHead, bucketNext, path } = scratch;
  ancestor.fill(-1);
  bucketHead.fill(-1);
  bucketNext.fill(-1);
  const idom = new Int32Array(n + 1).fill(-1);
  for (let i = 0; i < count; i++) {
    const v = vertex[i]!;
    semi[v] = i;
    label[v] = v;
  }
  const evalNode = (v: number): number => {
    if (ancestor[v] === -1) return v;
    // Compress the path to the forest root, top-down, so each label is the minimum-semi on its way.
    let len = 0;
    for (let x = v; ancestor[ancestor[x]!] !== -1; x = ancestor[x]!) path[len++] = x;
    for (let k = len - 1; k >= 0; k--) {
      const x = path[k]!;
      const a = ancestor[x]!;
      if (semi[label[a]!]! < semi[label[x]!]!) label[x] = label[a]!;
      ancestor[x] = ancestor[a]!;
    }
    return label[v]!;
  };
  for (let i = count - 1; i >= 1; i--) {
    const w = vertex[i]!;
    if (isRoot[w] && semi[root]! < semi[w]!) semi[w] = semi[root]!;
    for (let j = predStart[w]!; j < predStart[w + 1]!; j++) {
      const v = predNode[j]!;
      if (dfn[v] === -1 || predWeight[j] === Infinity) continue;
      const u = evalNode(v);
      if (semi[u]! < semi[w]!) semi[w] = semi[u]!;
    }
    const s = vertex[semi[w]!]!;
    bucketNext[w] = bucketHead[s]!;
    bucketHead[s] = w;
    const p = parent[w]!;
    ancestor[w] = p;
    for (let v = bucketHead[p]!; v !== -1; v = bucketNext[v]!) {
      const u = evalNode(v);
      idom[v] = semi[u]! < semi[v]! ? u : p;
    }
    bucketHead[p] = -1;
  }
  for (let i = 1; i < count; i++) {
    const w = vertex[i]!;
    if (idom[w] !== vertex[semi[w]!]) idom[w] = idom[idom[w]!]!;
  }
  idom[root] = root;
  const depth = new Int32Array(n + 1).fill(-1);
  depth[root] = 0;
  for (let i = 1; i < count; i++) {
    const w = vertex[i]!;
    depth[w] = depth[idom[w]!]! + 1;
  }
  return { idom, depth, root };
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
