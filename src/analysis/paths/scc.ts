import type { CompactGraph } from "../../graph/compact.js";
import { buildCompactGraph } from "../../graph/compact.js";

/** Strongly connected components and the condensation DAG. */
export interface Condensation {
  /** Component id of each node; ids are in reverse topological order of the DAG (sinks first). */
  readonly comp: Int32Array;
  readonly count: number;
  /** The DAG between components (edges deduplicated per pair is not needed for reachability). */
  readonly dag: CompactGraph;
  /** Component ids in topological order (sources first). */
  readonly topo: Int32Array;
}

/**
 * Tarjan's algorithm, iterative so a million-node chain cannot overflow the stack. Tarjan numbers
 * components in reverse topological order, which gives the condensation's order for free.
 */
export function condense(g: CompactGraph): Condensation {
  // Two functions, one loop each: V8 optimises a long loop while it runs, and a later loop that had
  // not run yet then deoptimises the whole function.
  const { comp, count } = components(g);
  const topo = new Int32Array(count);
  for (let i = 0; i < count; i++) topo[i] = count - 1 - i;
  return { comp, count, dag: between(g, comp, count), topo };
}

/** Tarjan's components: each node's component id (reverse topological order) and how many. */
function components(g: CompactGraph): { comp: Int32Array; count: number } {
  const n = g.nodeCount;
  const index = new Int32Array(n).fill(-1);
  const low = new Int32Array(n);
  const comp = new Int32Array(n).fill(-1);
  const stack = new Int32Array(n);
  const onStack = new Uint8Array(n);
  const callNode = new Int32Array(n);
  const callEdge = new Int32Array(n);
  let sp = 0;
  let counter = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    callNode[0] = root;
    callEdge[0] = g.outStart[root]!;
    index[root] = low[root] = counter++;
    stack[sp++] = root;
    onStack[root] = 1;
    while (depth >= 0) {
      const v = callNode[depth]!;
      const ei = callEdge[depth]!;
      if (ei < g.outStart[v + 1]!) {
        callEdge[depth] = ei + 1;
        const w = g.edgeTo[g.outEdges[ei]!]!;
        if (index[w] === -1) {
          index[w] = low[w] = counter++;
          stack[sp++] = w;
          onStack[w] = 1;
          depth++;
          callNode[depth] = w;
          callEdge[depth] = g.outStart[w]!;
        } else if (onStack[w] && index[w]! < low[v]!) {
          low[v] = index[w]!;
        }
        continue;
      }
      if (low[v] === index[v]) {
        let w: number;
        do {
          w = stack[--sp]!;
          onStack[w] = 0;
          comp[w] = count;
        } while (w !== v);
        count++;
      }
      depth--;
      if (depth >= 0) {
        const u = callNode[depth]!;
        if (low[v]! < low[u]!) low[u] = low[v]!;
      }
    }
  }
  return { comp, count };
}

/** The edges between components, as a graph over the components (typed arrays, counted first). */
function between(g: CompactGraph, comp: Int32Array, count: number): CompactGraph {
  const { edgeFrom, edgeTo, edgeCount } = g;
  let m = 0;
  for (let e = 0; e < edgeCount; e++) if (comp[edgeFrom[e]!] !== comp[edgeTo[e]!]) m++;
  const from = new Int32Array(m);
  const to = new Int32Array(m);
  for (let e = 0, k = 0; e < edgeCount; e++) {
    const a = comp[edgeFrom[e]!]!;
    const b = comp[edgeTo[e]!]!;
    if (a !== b) {
      from[k] = a;
      to[k++] = b;
    }
  }
  return buildCompactGraph(count, from, to);
}
