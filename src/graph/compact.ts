import { scratchCopyI32, scratchI32, scratchScope, scratchU8 } from "./arena.js";
/**
 * The compact graph the analysis traverses: node ids are component indices (declaration order),
 * edge ids are flow indices, adjacency in CSR form both ways. Built in O(n + m) with a counting sort;
 * typed arrays keep a million-node graph in a few tens of megabytes.
 */
export interface CompactGraph {
  readonly nodeCount: number;
  readonly edgeCount: number;
  readonly edgeFrom: Int32Array;
  readonly edgeTo: Int32Array;
  /** Out-edges of node v are `outEdges[outStart[v] .. outStart[v + 1])`. */
  readonly outStart: Int32Array;
  readonly outEdges: Int32Array;
  /** In-edges of node v are `inEdges[inStart[v] .. inStart[v + 1])`. */
  readonly inStart: Int32Array;
  readonly inEdges: Int32Array;
}

function csr(n: number, key: Int32Array): { start: Int32Array; edges: Int32Array } {
  const start = scratchI32(n + 1);
  for (let e = 0; e < key.length; e++) start[key[e]! + 1]!++;
  for (let v = 0; v < n; v++) start[v + 1]! += start[v]!;
  const edges = scratchI32(key.length);
  // Each node's next slot, above the graph's arrays and given back (4 bytes a node that lay under
  // everything after a graph: the threat graph's, the facts', the usable graph's).
  scratchScope(() => fillSlots(start, key, edges, scratchCopyI32(start, n)));
  return { start, edges };
}

function fillSlots(start: Int32Array, key: Int32Array, edges: Int32Array, fill: Int32Array): void {
  // Edges keep their id order within a node, so traversals are deterministic.
  for (let e = 0; e < key.length; e++) edges[fill[key[e]!]!++] = e;
}

/**
 * Builds the CSR graph from edge endpoint arrays. Int32Arrays are taken over as the graph's own
 * (callers build them for it; a copy of each was one more large allocation per graph).
 */
export function buildCompactGraph(
  nodeCount: number,
  from: Int32Array | readonly number[],
  to: Int32Array | readonly number[],
): CompactGraph {
  // Plain lists are copied into the arena in scope, as every array here.
  const edgeFrom = from instanceof Int32Array ? from : scratchCopyI32(from);
  const edgeTo = to instanceof Int32Array ? to : scratchCopyI32(to);
  const out = csr(nodeCount, edgeFrom);
  const inn = csr(nodeCount, edgeTo);
  return {
    nodeCount,
    edgeCount: edgeFrom.length,
    edgeFrom,
    edgeTo,
    outStart: out.start,
    outEdges: out.edges,
    inStart: inn.start,
    inEdges: inn.edges,
  };
}

/**
 * The nodes the sources reach over the edges `pass` accepts (sources included): forward along
 * out-edges, or `backward` along in-edges (the nodes that reach the sources). Scratch arrays, for the
 * analysis's filtered searches (`pass` must take none that outlive it); `bfs` below is the plain one
 * the benchmarks time. Nodes already marked in `seen` (the answer, when given) are neither seeded nor
 * left: a caller whose marks are closed in the search's direction adds only what they miss.
 */
export function reachOver(
  g: CompactGraph,
  sources: ArrayLike<number>,
  pass: (e: number) => boolean,
  backward = false,
  seen: Uint8Array = scratchU8(g.nodeCount),
): Uint8Array {
  return swept(
    g,
    sources,
    backward,
    (start, edges, other, marks, queue, tail) => byPass(start, edges, other, pass, marks, queue, tail),
    seen,
  );
}

/** Queues the sources not yet `seen` and marks them; gives the queue's length. */
export function seeded(sources: ArrayLike<number>, seen: Uint8Array, queue: Int32Array): number {
  let tail = 0;
  for (let i = 0; i < sources.length; i++) {
    const s = sources[i]!;
    if (!seen[s]) {
      seen[s] = 1;
      queue[tail++] = s;
    }
  }
  return tail;
}

function byPass(
  start: Int32Array,
  edges: Int32Array,
  other: Int32Array,
  pass: (e: number) => boolean,
  seen: Uint8Array,
  queue: Int32Array,
  tail: number,
): void {
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      const e = edges[i]!;
      const w = other[e]!;
      if (seen[w] === 0 && pass(e)) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
}

/**
 * `reachOver` over the edges of finite weight, `weight[e]` (or `weight[index[e]]`, a level table):
 * the test read inline, where `reachOver`'s `pass` is a call to whichever closure its many callers
 * passed last (V8 cannot inline it), on every step of the search.
 */
export function reachFinite(
  g: CompactGraph,
  sources: ArrayLike<number>,
  weight: Float64Array,
  backward = false,
  index?: Uint16Array,
): Uint8Array {
  return swept(g, sources, backward, (start, edges, other, seen, queue, tail) => {
    if (index) finiteByLevel(start, edges, other, weight, index, seen, queue, tail);
    else finiteByEdge(start, edges, other, weight, seen, queue, tail);
  });
}

/** A search loop with its edge test inline, given the direction's arrays and the seeded queue. */
type Sweep = (
  start: Int32Array,
  edges: Int32Array,
  other: Int32Array,
  seen: Uint8Array,
  queue: Int32Array,
  tail: number,
) => void;

/**
 * The set-up every search here shares: the answer (`seen`, scratch by default; nodes already marked
 * in it are neither seeded nor left), the queue above it given back (several answers are kept for a
 * whole analysis, and their queues, 4 bytes a node each, would sit below everything after them), the
 * direction's arrays, the sources seeded. `run` is called once per search, so the call costs nothing
 * per edge; each loop is a function of its own with its edge test inline where it can be, which V8
 * keeps monomorphic.
 */
function swept(
  g: CompactGraph,
  sources: ArrayLike<number>,
  backward: boolean,
  run: Sweep,
  seen: Uint8Array = scratchU8(g.nodeCount),
): Uint8Array {
  scratchScope(() => {
    const queue = scratchI32(g.nodeCount);
    const [start, edges] = backward ? [g.inStart, g.inEdges] : [g.outStart, g.outEdges];
    const other = backward ? g.edgeFrom : g.edgeTo;
    run(start, edges, other, seen, queue, seeded(sources, seen, queue));
  });
  return seen;
}

function finiteByEdge(
  start: Int32Array,
  edges: Int32Array,
  other: Int32Array,
  weight: Float64Array,
  seen: Uint8Array,
  queue: Int32Array,
  tail: number,
): void {
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      const e = edges[i]!;
      const w = other[e]!;
      if (seen[w] === 0 && weight[e] !== Infinity) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
}

function finiteByLevel(
  start: Int32Array,
  edges: Int32Array,
  other: Int32Array,
  weight: Float64Array,
  index: Uint16Array,
  seen: Uint8Array,
  queue: Int32Array,
  tail: number,
): void {
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      const e = edges[i]!;
      const w = other[e]!;
      if (seen[w] === 0 && weight[index[e]!] !== Infinity) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
}

/**
 * `reachOver` over the edges whose code is `value` (`keep` true) or is not (`keep` false), with the
 * test inline: the rule helpers' searches (over `invoke` flows, over steps that take no result back)
 * each passed a closure of their own, a call V8 cannot inline in the shared loop.
 */
export function reachByCode(
  g: CompactGraph,
  sources: ArrayLike<number>,
  code: Uint8Array,
  value: number,
  keep: boolean,
  backward = false,
): Uint8Array {
  return swept(g, sources, backward, (start, edges, other, seen, queue, tail) =>
    byCode(start, edges, other, code, value, keep, seen, queue, tail),
  );
}

function byCode(
  start: Int32Array,
  edges: Int32Array,
  other: Int32Array,
  code: Uint8Array,
  value: number,
  keep: boolean,
  seen: Uint8Array,
  queue: Int32Array,
  tail: number,
): void {
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      const e = edges[i]!;
      const w = other[e]!;
      if (seen[w] === 0 && (code[e] === value) === keep) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
}

/** Plain BFS from a set of sources, with arrays of its own (bench/analysis.ts times one with its scratch allocated once). */
export function bfs(g: CompactGraph, sources: ArrayLike<number>): Uint8Array {
  const seen = new Uint8Array(g.nodeCount);
  const queue = new Int32Array(g.nodeCount);
  let head = 0;
  let tail = seeded(sources, seen, queue);
  while (head < tail) {
    const v = queue[head++]!;
    for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
      const w = g.edgeTo[g.outEdges[i]!]!;
      if (!seen[w]) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  return seen;
}
