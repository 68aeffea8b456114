import { scratchCopyI32, scratchF64, scratchI32, scratchU8 } from "../../graph/arena.js";
import type { Condensation } from "./scc.js";

const NEG_INF = -Infinity;
function logAdd(a: number, b: number): number {
  if (a === NEG_INF) return b;
  if (b === NEG_INF) return a;
  const hi = Math.max(a, b);
  return hi + Math.log1p(Math.exp(Math.min(a, b) - hi));
}

/**
 * Soft chokepoints for many target sets over one condensation: the share of entry-to-target paths
 * through each node, counted on the condensation DAG (a strongly connected component counts as one
 * node, so cycles do not make counts infinite). Counts are kept as logarithms: path counts in a large
 * DAG overflow float64. The forward count from the entries is shared by every target; each target's
 * backward count visits only the components that both reach it and are reached from an entry (the
 * only ones with a share), with state reset through a touched list.
 */
export class ShareWorkspace {
  /** Log number of paths from the entries to each component (-Infinity: none). */
  private readonly from: Float64Array;
  /** Entry components in the order the entries list them (the order `total` is summed in). */
  private readonly entryComps: Int32Array;
  private readonly isEntryComp: Uint8Array;
  private readonly to: Float64Array;
  /** 1: relevant to the current target; 2: a target component. */
  private readonly mark: Uint8Array;
  private readonly list: Int32Array;
  private listCount = 0;
  /** Members of each component (CSR by component id). */
  private readonly memberStart: Int32Array;
  private readonly members: Int32Array;

  constructor(
    private readonly c: Condensation,
    entries: readonly number[],
  ) {
    const from = scratchF64(c.count).fill(NEG_INF);
    this.isEntryComp = scratchU8(c.count);
    // (Scratch, not a list that would outlive the analysis's heap growth: 286,000 entries at 1M.)
    const order = scratchI32(entries.length);
    let entryCount = 0;
    for (const v of entries) {
      const x = c.comp[v]!;
      if (!this.isEntryComp[x]) {
        this.isEntryComp[x] = 1;
        order[entryCount++] = x;
        from[x] = 0;
      }
    }
    this.entryComps = order.subarray(0, entryCount);
    for (let i = 0; i < c.count; i++) {
      const x = c.topo[i]!;
      if (from[x] === NEG_INF) continue;
      for (let j = c.dag.outStart[x]!; j < c.dag.outStart[x + 1]!; j++) {
        const y = c.succ[j]!;
        from[y] = logAdd(from[y]!, from[x]!);
      }
    }
    this.from = from;
    this.to = scratchF64(c.count).fill(NEG_INF);
    this.mark = scratchU8(c.count);
    this.list = scratchI32(c.count);
    const n = c.comp.length;
    this.memberStart = scratchI32(c.count + 1);
    for (let v = 0; v < n; v++) this.memberStart[c.comp[v]! + 1]!++;
    for (let x = 0; x < c.count; x++) this.memberStart[x + 1]! += this.memberStart[x]!;
    const fill = scratchCopyI32(this.memberStart, c.count);
    this.members = scratchI32(n);
    for (let v = 0; v < n; v++) this.members[fill[c.comp[v]!]!++] = v;
  }

  /**
   * Calls `visit(node, share)` for every node with a share above 0 of the paths from the entries to
   * `targets` (nodes in an entry's or a target's component excluded), and returns the path count.
   * A component whose log share is below `floor` is not visited (`top` passes a floor below which
   * every share is under its minimum, so most components cost no `exp` and no walk of members).
   */
  shares(targets: ArrayLike<number>, visit: (node: number, share: number) => void, floor = NEG_INF): number {
    const { c, from, to, mark, list } = this;
    for (let i = 0; i < this.listCount; i++) {
      to[list[i]!] = NEG_INF;
      mark[list[i]!] = 0;
    }
    // The components that reach a target, walked back from the targets over components an entry
    // reaches (a component no entry reaches has no share, and neither has anything above it).
    let count = 0;
    for (let i = 0; i < targets.length; i++) {
      const x = c.comp[targets[i]!]!;
      if (mark[x] === 2) continue;
      if (mark[x] === 0 && from[x] !== NEG_INF) list[count++] = x;
      mark[x] = 2;
    }
    for (let head = 0; head < count; head++) {
      const y = list[head]!;
      for (let j = c.dag.inStart[y]!; j < c.dag.inStart[y + 1]!; j++) {
        const x = c.pred[j]!;
        if (mark[x] !== 0 || from[x] === NEG_INF) continue;
        mark[x] = 1;
        list[count++] = x;
      }
    }
    // Target components no entry reaches were marked but not listed: clear them now.
    for (let i = 0; i < targets.length; i++) {
      const x = c.comp[targets[i]!]!;
      if (from[x] === NEG_INF) mark[x] = 0;
    }
    this.listCount = count;
    // Sinks first (component ids are in reverse topological order): a component's count is the sum of
    // its successors', in the order of its out-edges (as a full pass sums them, bit for bit).
    // (A large set is listed in order by a scan of the marks, a small one by sorting.)
    if (count > c.count >>> 4) {
      let k = 0;
      for (let x = 0; k < count; x++) if (mark[x] !== 0) list[k++] = x;
    } else list.subarray(0, count).sort();
    const order = list;
    for (let i = 0; i < count; i++) {
      const x = order[i]!;
      let acc = mark[x] === 2 ? 0 : NEG_INF;
      for (let j = c.dag.outStart[x]!; j < c.dag.outStart[x + 1]!; j++) {
        const y = c.succ[j]!;
        if (mark[y] !== 0) acc = logAdd(acc, to[y]!);
      }
      to[x] = acc;
    }
    let total = NEG_INF;
    for (const x of this.entryComps) total = logAdd(total, to[x]!);
    if (total === NEG_INF) return 0;
    for (let i = 0; i < count; i++) {
      const x = order[i]!;
      // Inside a cycle with an entry or a target every path "passes" every member; that says nothing.
      if (this.isEntryComp[x] || mark[x] === 2) continue;
      const s = from[x]! + to[x]! - total;
      if (s === NEG_INF || s < floor) continue;
      const share = Math.min(1, Math.exp(s));
      for (let k = this.memberStart[x]!; k < this.memberStart[x + 1]!; k++) visit(this.members[k]!, share);
    }
    return Math.exp(total);
  }

  /**
   * The busiest nodes by share (at least `min`), leaving out those marked in `exclude`: the first
   * `limit` by share (higher first), then node. Kept as a small sorted list while the shares are
   * visited: a crown jewel read by half the model has tens of thousands of nodes with a share, and
   * sorting them all to keep ten cost more than counting them.
   */
  top(
    targets: ArrayLike<number>,
    exclude: Uint8Array,
    limit = 10,
    min = 0.05,
  ): { node: number; share: number }[] {
    this.best.start(exclude, limit, min);
    this.shares(targets, this.offer, logFloor(min));
    return this.best.list();
  }

  // One visitor for every `top` call: a fresh closure per call deoptimised `shares` at the next call.
  private readonly best = new Busiest();
  private readonly offer = (node: number, share: number): void => this.best.offer(node, share);
}

/**
 * A log share below which exp(share) is surely under `min`: ln(min) less a margin far above exp's
 * rounding error, so that no share `Busiest.offer` would keep is skipped.
 */
function logFloor(min: number): number {
  return min > 0 ? Math.log(min) - 1e-6 : NEG_INF;
}

/** The busiest nodes offered so far (see `ShareWorkspace.top`), as a small sorted list. */
class Busiest {
  private nodes: number[] = [];
  private shares: number[] = [];
  private exclude: Uint8Array = new Uint8Array(0);
  private limit = 0;
  private min = 0;

  start(exclude: Uint8Array, limit: number, min: number): void {
    this.nodes = [];
    this.shares = [];
    this.exclude = exclude;
    this.limit = limit;
    this.min = min;
  }

  offer(node: number, share: number): void {
    const { nodes, shares, limit } = this;
    if (share < this.min || this.exclude[node] || limit <= 0) return;
    let len = nodes.length;
    if (len === limit) {
      if (!before(share, node, shares[len - 1]!, nodes[len - 1]!)) return;
      len--; // the last one drops out
    } else {
      nodes.push(0);
      shares.push(0);
    }
    let i = len;
    for (; i > 0 && before(share, node, shares[i - 1]!, nodes[i - 1]!); i--) {
      nodes[i] = nodes[i - 1]!;
      shares[i] = shares[i - 1]!;
    }
    nodes[i] = node;
    shares[i] = share;
  }

  list(): { node: number; share: number }[] {
    return this.nodes.map((node, i) => ({ node, share: this.shares[i]! }));
  }
}

/** Whether (share a, node x) comes before (b, y). */
const before = (a: number, x: number, b: number, y: number): boolean => a > b || (a === b && x < y);

/** Share of entry-to-target paths through each node, as a dense array (see `ShareWorkspace`). */
export function pathShares(
  c: Condensation,
  entries: readonly number[],
  targets: readonly number[],
): { share: Float64Array; total: number } {
  const share = scratchF64(c.comp.length);
  const total = new ShareWorkspace(c, entries).shares(targets, (v, s) => (share[v] = s));
  return { share, total };
}
