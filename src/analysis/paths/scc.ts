import { scratchI32 } from "../../graph/arena.js";
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
  /**
   * The DAG's neighbours in slot order: `succ[j]` is the head of out-slot j (`dag.outStart`), `pred[j]`
   * the tail of in-slot j (`dag.inStart`). The passes over every component (reach masks per group,
   * path counts per target) read them in order, one random load per step fewer than through the
   * edge ids.
   */
  readonly succ: Int32Array;
  readonly pred: Int32Array;
}

/**
 * Tarjan's algorithm, iterative so a million-node chain cannot overflow the stack. Tarjan numbers
 * components in reverse topological order, which gives the condensation's order for free.
 */
export function condense(g: CompactGraph): Condensation {
  // Two functions, one loop each: V8 optimises a long loop while it runs, and a later loop that had
  // not run yet then deoptimises the whole function.
  const { comp, count } = strongComponents(g.nodeCount, g.outStart, slotNeighbours(g.outEdges, g.edgeTo));
  const topo = scratchI32(count);
  for (let i = 0; i < count; i++) topo[i] = count - 1 - i;
  const dag = between(g, comp, count);
  return {
    comp,
    count,
    dag,
    topo,
    succ: slotNeighbours(dag.outEdges, dag.edgeTo),
    pred: slotNeighbours(dag.inEdges, dag.edgeFrom),
  };
}

/**
 * Each slot's neighbour, `end[edges[j]]`, gathered in one pass: independent loads the CPU overlaps,
 * where a pass following the edge ids (the DFS, a sweep over the DAG) would wait on them at every
 * step.
 */
function slotNeighbours(edges: Int32Array, end: Int32Array): Int32Array {
  const out = scratchI32(edges.length);
  for (let j = 0; j < edges.length; j++) out[j] = end[edges[j]!]!;
  return out;
}

/**
 * Tarjan's components of the graph whose node v has the neighbours `next[start[v] .. start[v + 1])`:
 * each node's component id (reverse topological order) and how many. A caller that needs no
 * condensation DAG (the data readers) lays out only these two arrays, with no edge ids or in-edges.
 *
 * Laid out for the cache: the neighbours are read in slot order from one array, the node being
 * scanned and its low link live in locals, and one node-indexed array holds the DFS index while a
 * node is on the stack and n + its component id after (so the on-stack test is the index test, as in
 * Pearce's variant). The DFS and the numbering are Tarjan's, unchanged.
 */
export function strongComponents(
  n: number,
  start: Int32Array,
  next: Int32Array,
): { comp: Int32Array; count: number } {
  const index = scratchI32(n).fill(-1);
  const stack = scratchI32(n);
  // The DFS's call stack: the suspended node, its next slot and its low link.
  const callNode = scratchI32(n);
  const callSlot = scratchI32(n);
  const callLow = scratchI32(n);
  let sp = 0;
  let counter = 0;
  let count = 0;
  for (let root = 0; root < n; root++) {
    if (index[root] !== -1) continue;
    let depth = 0;
    let v = root;
    let i = start[root]!;
    let end = start[root + 1]!;
    let low = counter;
    index[root] = counter++;
    stack[sp++] = root;
    for (;;) {
      if (i < end) {
        const w = next[i++]!;
        const iw = index[w]!;
        if (iw === -1) {
          callNode[depth] = v;
          callSlot[depth] = i;
          callLow[depth++] = low;
          v = w;
          i = start[w]!;
          end = start[w + 1]!;
          low = counter;
          index[w] = counter++;
          stack[sp++] = w;
        } else if (iw < low) low = iw; // on the stack (a finished component's nodes hold n + id)
        continue;
      }
      if (low === index[v]) {
        let w: number;
        do {
          w = stack[--sp]!;
          index[w] = n + count;
        } while (w !== v);
        count++;
      }
      if (depth === 0) break;
      const childLow = low;
      v = callNode[--depth]!;
      i = callSlot[depth]!;
      end = start[v + 1]!;
      low = callLow[depth]!;
      if (childLow < low) low = childLow;
    }
  }
  for (let v = 0; v < n; v++) index[v]! -= n;
  return { comp: index, count };
}

/** The edges between components, as a graph over the components (typed arrays, counted first). */
function between(g: CompactGraph, comp: Int32Array, count: number): CompactGraph {
  const { edgeFrom, edgeTo, edgeCount } = g;
  let m = 0;
  for (let e = 0; e < edgeCount; e++) if (comp[edgeFrom[e]!] !== comp[edgeTo[e]!]) m++;
  const from = scratchI32(m);
  const to = scratchI32(m);
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
