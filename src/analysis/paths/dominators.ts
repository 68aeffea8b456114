import type { CompactGraph } from "../../graph/compact.js";

/** A dominator tree over the nodes reachable from a virtual root joined to `roots`. */
export interface DominatorTree {
  /** Immediate dominator of each node; `root` (= nodeCount) for nodes only the virtual root dominates; -1 unreachable. */
  readonly idom: Int32Array;
  /** Depth in the tree (root 0), -1 unreachable. */
  readonly depth: Int32Array;
  readonly root: number;
}

/**
 * Dominators by the iterative algorithm of Cooper, Harvey and Kennedy over reverse postorder, with a
 * virtual root joined to every entry (so "dominates" means "every path from any entry passes here").
 * `usable(e)` lets a caller ignore cut edges. Near-linear in practice: it converges in a few passes.
 */
export function dominators(
  g: CompactGraph,
  roots: readonly number[],
  direction: "forward" | "backward" = "forward",
  usable?: (e: number) => boolean,
): DominatorTree {
  const n = g.nodeCount;
  const root = n;
  const succStart = direction === "forward" ? g.outStart : g.inStart;
  const succEdges = direction === "forward" ? g.outEdges : g.inEdges;
  const succNode = direction === "forward" ? g.edgeTo : g.edgeFrom;
  const predStart = direction === "forward" ? g.inStart : g.outStart;
  const predEdges = direction === "forward" ? g.inEdges : g.outEdges;
  const predNode = direction === "forward" ? g.edgeFrom : g.edgeTo;
  const isRoot = new Uint8Array(n);
  for (const r of roots) isRoot[r] = 1;

  // Iterative DFS from the virtual root for postorder numbers.
  const post = new Int32Array(n + 1).fill(-1);
  const order: number[] = [];
  const visited = new Uint8Array(n + 1);
  const stackNode: number[] = [];
  const stackPos: number[] = [];
  visited[root] = 1;
  for (const r of roots) {
    if (visited[r]) continue;
    visited[r] = 1;
    stackNode.push(r);
    stackPos.push(succStart[r]!);
    while (stackNode.length > 0) {
      const top = stackNode.length - 1;
      const v = stackNode[top]!;
      const i = stackPos[top]!;
      if (i < succStart[v + 1]!) {
        stackPos[top] = i + 1;
        const e = succEdges[i]!;
        if (usable && !usable(e)) continue;
        const w = succNode[e]!;
        if (!visited[w]) {
          visited[w] = 1;
          stackNode.push(w);
          stackPos.push(succStart[w]!);
        }
      } else {
        post[v] = order.length;
        order.push(v);
        stackNode.pop();
        stackPos.pop();
      }
    }
  }
  post[root] = order.length;
  const idom = new Int32Array(n + 1).fill(-1);
  idom[root] = root;
  const intersect = (a: number, b: number): number => {
    while (a !== b) {
      while (post[a]! < post[b]!) a = idom[a]!;
      while (post[b]! < post[a]!) b = idom[b]!;
    }
    return a;
  };
  let changed = true;
  while (changed) {
    changed = false;
    for (let k = order.length - 1; k >= 0; k--) {
      const v = order[k]!;
      let nd = isRoot[v] ? root : -1;
      for (let i = predStart[v]!; i < predStart[v + 1]!; i++) {
        const e = predEdges[i]!;
        if (usable && !usable(e)) continue;
        const p = predNode[e]!;
        if (idom[p] === -1) continue;
        nd = nd === -1 ? p : intersect(p, nd);
      }
      if (nd !== -1 && idom[v] !== nd) {
        idom[v] = nd;
        changed = true;
      }
    }
  }
  const depth = new Int32Array(n + 1).fill(-1);
  depth[root] = 0;
  for (let k = order.length - 1; k >= 0; k--) {
    const v = order[k]!;
    if (idom[v]! >= 0) depth[v] = depth[idom[v]!]! + 1;
  }
  return { idom: idom.subarray(0, n + 1), depth, root };
}

/** The deepest node dominating every node of `nodes` (the virtual root when only it does). */
export function commonDominator(t: DominatorTree, nodes: readonly number[]): number {
  let acc = -1;
  for (const v of nodes) {
    if (t.depth[v]! < 0) continue;
    if (acc === -1) {
      acc = v;
      continue;
    }
    let a = acc;
    let b = v;
    while (t.depth[a]! > t.depth[b]!) a = t.idom[a]!;
    while (t.depth[b]! > t.depth[a]!) b = t.idom[b]!;
    while (a !== b) {
      a = t.idom[a]!;
      b = t.idom[b]!;
    }
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
