import type { Condensation } from "./scc.js";

const NEG_INF = -Infinity;
function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/** Log path counts from the entries to each condensation node; shared by every target's shares. */
export interface EntryPaths {
  readonly from: Float64Array;
  readonly entryComps: ReadonlySet<number>;
}

/** The forward pass of `pathShares`, which does not depend on the target: computed once per analysis. */
export function entryPaths(c: Condensation, entries: readonly number[]): EntryPaths {
  const from = new Float64Array(c.count).fill(NEG_INF);
  const entryComps = new Set(entries.map((v) => c.comp[v]!));
  for (const x of entryComps) from[x] = 0;
  for (let i = 0; i < c.count; i++) {
    const x = c.topo[i]!;
    if (from[x] === NEG_INF) continue;
    for (let j = c.dag.outStart[x]!; j < c.dag.outStart[x + 1]!; j++) {
      const y = c.dag.edgeTo[c.dag.outEdges[j]!]!;
      from[y] = logAdd(from[y]!, from[x]!);
    }
  }
  return { from, entryComps };
}

/**
 * Share of entry-to-target paths through each node, counted on the condensation DAG (a strongly
 * connected component counts as one node, so cycles do not make counts infinite). Counts are kept as
 * logarithms: path counts in a large DAG overflow float64. Two linear passes, the first of which
 * (`entryPaths`) can be shared by many targets.
 */
export function pathShares(
  c: Condensation,
  entries: readonly number[] | EntryPaths,
  targets: readonly number[],
): { share: Float64Array; total: number } {
  const { from, entryComps } = "from" in entries ? entries : entryPaths(c, entries);
  const to = new Float64Array(c.count).fill(NEG_INF);
  const isTarget = new Uint8Array(c.count);
  for (const v of targets) isTarget[c.comp[v]!] = 1;
  for (let i = c.count - 1; i >= 0; i--) {
    const x = c.topo[i]!;
    let acc = isTarget[x] ? 0 : NEG_INF;
    for (let j = c.dag.outStart[x]!; j < c.dag.outStart[x + 1]!; j++)
      acc = logAdd(acc, to[c.dag.edgeTo[c.dag.outEdges[j]!]!]!);
    to[x] = acc;
  }
  let total = NEG_INF;
  for (const x of entryComps) total = logAdd(total, to[x]!);
  const share = new Float64Array(c.comp.length);
  if (total === NEG_INF) return { share, total: 0 };
  for (let v = 0; v < c.comp.length; v++) {
    const x = c.comp[v]!;
    // Inside a cycle with an entry or a target every path "passes" every member; that says nothing.
    if (entryComps.has(x) || isTarget[x]) continue;
    const s = from[x]! + to[x]! - total;
    share[v] = s === NEG_INF ? 0 : Math.min(1, Math.exp(s));
  }
  return { share, total: Math.exp(total) };
}

/** The busiest nodes by share, excluding the given ones (entries, targets). */
export function topShares(
  share: Float64Array,
  exclude: ReadonlySet<number>,
  limit = 10,
  min = 0.05,
): { node: number; share: number }[] {
  const out: { node: number; share: number }[] = [];
  for (let v = 0; v < share.length; v++)
    if (share[v]! >= min && !exclude.has(v)) out.push({ node: v, share: share[v]! });
  out.sort((a, b) => b.share - a.share || a.node - b.node);
  return out.slice(0, limit);
}
