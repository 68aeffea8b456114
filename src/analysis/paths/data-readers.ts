import { currentArena, scratchCopyI32, scratchI32, scratchScope, scratchU8 } from "../../graph/arena.js";
import type { CompactGraph } from "../../graph/compact.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import type { Facts } from "../facts.js";
import { IndexedMinHeap } from "./heap.js";
import { strongComponents } from "./scc.js";
import { Slots, TargetGroup } from "./target-groups.js";

/** Where an asset's readers are marked: bit `bit` of `group`. */
export interface ReaderMarks {
  readonly group: TargetGroup;
  readonly bit: number;
}

/**
 * The assets that the flows declaring `carries` name, of those asked about: per such flow
 * (`flows`, ascending), `data[start[k] .. start[k + 1])`.
 */
export interface NamedCarries {
  readonly flows: Int32Array;
  readonly start: Int32Array;
  readonly data: readonly number[];
}

/**
 * Reads every flow's `carries` once, keeping the assets flagged in `wanted` (by data index). Flow
 * objects are scattered over the heap: at 1M components reading them is most of the cost, so the
 * targets' holders and the readers' naming flows share one pass (`buildTargets`).
 */
export function namedCarries(tg: ThreatGraph, wanted: Uint8Array): NamedCarries {
  const declares = tg.declaresCarries;
  let count = 0;
  for (let f = 0; f < declares.length; f++) if (declares[f]) count++;
  const flows = scratchI32(count);
  const start = scratchI32(count + 1);
  const data: number[] = [];
  const all = tg.model.flows;
  for (let f = 0, k = 0; f < declares.length; f++) {
    if (!declares[f]) continue;
    const carries = all[f]!.carries;
    for (let j = 0; j < carries.length; j++) if (wanted[carries[j]!]) data.push(carries[j]!);
    flows[k++] = f;
    start[k] = data.length;
  }
  return { flows, start, data };
}

/**
 * Components each data asset reaches from its holders, honouring `carries` on the way (as the
 * sensitivity facts do: a flow that names assets carries only those; any other flow carries every
 * asset but secrets), keeping those marked in `keep`, as a target group per 32 assets (never listed:
 * see target-groups.ts). Bit-parallel, 32 assets per pass. Flows without `carries` let every non-secret asset through, so inside a strongly connected
 * component of those flows every member reaches the same non-secret assets: non-secret assets spread
 * over that condensation (one node per component, visited in topological order), and only the flows
 * that name assets can send a mask back up. Secrets move on naming flows only, so they spread node by
 * node over the few components those reach. `named` must list, of every flow declaring `carries`, at
 * least the assets of `assets` it names (more are ignored); read from the model when not given. With
 * `turnedNode`, each group is made as its `mapped(turnedNode)` would be (no copy of it).
 *
 * Inside an arena, what the groups keep lies below the searches' arrays, which are given back: each
 * batch's support and bits are written into a block taken first, at most the kept nodes each (on
 * fresh pages, those past what is written are never touched; reused ones are zeroed when taken),
 * and the groups are made after the release.
 */
export function dataReaders(
  tg: ThreatGraph,
  facts: Facts,
  assets: readonly number[],
  holders: ReadonlyMap<number, Iterable<number>>,
  keep: Uint8Array,
  named?: NamedCarries,
  turnedNode?: Int32Array,
): Map<number, ReaderMarks> {
  const g = facts.info;
  const n = g.nodeCount;
  const out = new Map<number, ReaderMarks>();
  const isSecret = (d: number) => tg.model.data[d]?.classification === "secret";
  const open = assets.filter((d) => !isSecret(d));
  const secret = assets.filter(isSecret);
  if (assets.length === 0) return out;
  if (!named) {
    const wanted = scratchU8(tg.model.data.length);
    for (const d of assets) wanted[d] = 1;
    named = namedCarries(tg, wanted);
  }
  const batches: (readonly number[])[] = [];
  for (let b = 0; b < open.length; b += 32) batches.push(open.slice(b, b + 32));
  for (let b = 0; b < secret.length; b += 32) batches.push(secret.slice(b, b + 32));
  let kept = 0;
  for (let v = 0; v < n; v++) if (keep[v]) kept++;
  const supports = new Supports(
    currentArena() ? scratchI32(2 * kept * batches.length) : undefined,
    kept,
    turnedNode,
  );

  scratchScope(() => {
    const allowedOf = scratchI32(tg.model.flows.length);
    // Per asset, its bit in the batch at hand (0 for the others).
    const bitOf = scratchI32(tg.model.data.length);
    const { flows: namingFlows, start: namedStart, data: namedData } = named;
    // What each naming flow lets through for a batch.
    const naming = (batch: readonly number[]) => {
      for (let i = 0; i < batch.length; i++) bitOf[batch[i]!] = 1 << i;
      for (let k = 0; k < namingFlows.length; k++) {
        let allowed = 0;
        for (let j = namedStart[k]!; j < namedStart[k + 1]!; j++) allowed |= bitOf[namedData[j]!]!;
        allowedOf[namingFlows[k]!] = allowed;
      }
      for (let i = 0; i < batch.length; i++) bitOf[batch[i]!] = 0;
    };
    let b = 0;
    if (open.length > 0) {
      // The strongly connected components of the flows without `carries` (no DAG: the steps between
      // them are laid out below, with their flows), and the steps between components.
      const { comp, count } = openComponents(g, facts.infoFlow, tg.declaresCarries);
      // The steps between components, laid out by source component (a counting sort): the sweep
      // reads each component's steps and their flows in one run, with no index to follow.
      const qStart = scratchI32(count + 1);
      for (let e = 0; e < g.edgeCount; e++) {
        const a = comp[g.edgeFrom[e]!]!;
        if (a !== comp[g.edgeTo[e]!]) qStart[a + 1]!++;
      }
      for (let x = 0; x < count; x++) qStart[x + 1]! += qStart[x]!;
      const cross = qStart[count]!;
      const qTo = scratchI32(cross);
      // The naming flow of each step between components, -1 for a flow without `carries`.
      const qFlow = scratchI32(cross);
      const fill = scratchCopyI32(qStart, count);
      for (let e = 0; e < g.edgeCount; e++) {
        const a = comp[g.edgeFrom[e]!]!;
        const y = comp[g.edgeTo[e]!]!;
        if (a === y) continue;
        const i = fill[a]!++;
        qTo[i] = y;
        const f = facts.infoFlow[e]!;
        qFlow[i] = tg.declaresCarries[f] ? f : -1;
      }
      dropRedundant(qStart, qTo, qFlow, count);
      const mask = scratchI32(count);
      // One sweep in topological order (higher ids first) settles every mask, except where a naming
      // flow leads back up to a component already swept: those are revisited from a heap, in the same
      // order, until nothing changes. (A heap over every reached component cost a log factor per
      // component, per batch of 32 assets: most of the index at 1M.)
      const heap = new IndexedMinHeap(count);
      const spread = (x: number, swept: number) => {
        const m = mask[x]!;
        for (let i = qStart[x]!; i < qStart[x + 1]!; i++) {
          const f = qFlow[i]!;
          const pass = f < 0 ? m : m & allowedOf[f]!;
          const y = qTo[i]!;
          if ((mask[y]! | pass) !== mask[y]) {
            mask[y]! |= pass;
            if (y >= swept) heap.push(y, count - y);
          }
        }
      };
      for (; b < batches.length && b * 32 < open.length; b++) {
        const batch = batches[b]!;
        naming(batch);
        mask.fill(0);
        let top = -1;
        batch.forEach((d, i) => {
          for (const h of holders.get(d) ?? []) {
            const x = comp[h]!;
            mask[x]! |= 1 << i;
            if (x > top) top = x;
          }
        });
        for (let x = top; x >= 0; x--) if (mask[x] !== 0) spread(x, x);
        // Every component counts as swept now: any change queues its component again.
        while (heap.length > 0) spread(heap.pop(), 0);
        supports.add(keep, mask, comp);
      }
    }

    if (secret.length > 0) {
      // A FIFO worklist over nodes (each queued at most once at a time), along naming flows only.
      const mask = scratchI32(n);
      const inQueue = scratchU8(n);
      const ring = scratchI32(n);
      for (; b < batches.length; b++) {
        const batch = batches[b]!;
        naming(batch);
        mask.fill(0);
        let head = 0;
        let size = 0;
        const push = (v: number) => {
          inQueue[v] = 1;
          ring[(head + size++) % n] = v;
        };
        batch.forEach((d, i) => {
          for (const h of holders.get(d) ?? []) {
            mask[h]! |= 1 << i;
            if (!inQueue[h]) push(h);
          }
        });
        while (size > 0) {
          const v = ring[head]!;
          head = (head + 1) % n;
          size--;
          inQueue[v] = 0;
          for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
            const e = g.outEdges[i]!;
            const f = facts.infoFlow[e]!;
            if (!tg.declaresCarries[f]) continue;
            const pass = mask[v]! & allowedOf[f]!;
            const w = g.edgeTo[e]!;
            if ((mask[w]! | pass) !== mask[w]) {
              mask[w]! |= pass;
              if (!inQueue[w]) push(w);
            }
          }
        }
        supports.add(keep, mask, undefined);
      }
    }
  });
  // The groups, above what the searches gave back.
  batches.forEach((batch, b) => {
    const group = supports.group(b);
    batch.forEach((d, bit) => out.set(d, { group, bit }));
  });
  return out;
}

/**
 * Tarjan's components of the steps of `g` whose flow declares no `carries`. Their neighbours are
 * copied out of `g`'s out-slots as they lie (an upper bound of room, given back with the caller's
 * scratch), in the order a graph built from the steps would hold them: a node's edges in id order,
 * so the components and their numbering are the same (no edge ids, in-edges or DAG built; exported
 * for tests).
 */
export function openComponents(
  g: CompactGraph,
  infoFlow: Int32Array,
  declaresCarries: Uint8Array,
): { comp: Int32Array; count: number } {
  const n = g.nodeCount;
  const { outStart, outEdges, edgeTo } = g;
  const start = scratchI32(n + 1);
  const next = scratchI32(outEdges.length);
  let k = 0;
  for (let v = 0; v < n; v++) {
    start[v] = k;
    for (let i = outStart[v]!, end = outStart[v + 1]!; i < end; i++) {
      const e = outEdges[i]!;
      if (!declaresCarries[infoFlow[e]!]) next[k++] = edgeTo[e]!;
    }
  }
  start[n] = k;
  return strongComponents(n, start, next);
}

/**
 * Each batch's kept nodes and their slots (target-groups.ts), in order: in `block` (batch b at
 * 2 * kept * b, its slots `kept` further on) when given, else as groups made at once. With
 * `turnedNode`, a node that has a turned node is its turned node, after the others (as
 * `TargetGroup.mapped` lays them out): the groups are made turned, with no copy of each.
 */
class Supports {
  private readonly slots: Slots[] = [];
  private readonly made: TargetGroup[] = [];
  private bits: Int32Array | undefined;
  /** `keptComponents` of the last `comp` asked with (taken in that `comp`'s scratch, dead with it). */
  private keptComps: { of: Int32Array; nodes: Int32Array; comps: Int32Array; moved: Int32Array } | undefined;
  constructor(
    private readonly block: Int32Array | undefined,
    private readonly kept: number,
    private readonly turnedNode: Int32Array | undefined,
  ) {}

  /** The next batch: node v kept with bits `mask[comp[v]]` (or `mask[v]` without `comp`), if any. */
  add(keep: Uint8Array, mask: Int32Array, comp: Int32Array | undefined): void {
    const { block, kept, turnedNode } = this;
    if (!block) {
      const bits = (this.bits ??= scratchI32(keep.length));
      for (let v = 0; v < keep.length; v++) bits[v] = keep[v] ? mask[comp ? comp[v]! : v]! : 0;
      const group = TargetGroup.ofMasks(bits);
      this.made.push(turnedNode ? group.mapped(turnedNode) : group);
      return;
    }
    const at = 2 * kept * this.slots.length;
    const slots = new Slots();
    this.slots.push(slots);
    let k = 0;
    if (comp) {
      // The kept nodes' components, listed once per `comp` (above it, in the caller's scratch):
      // each batch then reads two short lists in order, not every node's flag and component.
      if (this.keptComps?.of !== comp) this.keptComps = { of: comp, ...keptComponents(keep, kept, comp) };
      const { nodes, comps, moved } = this.keptComps;
      // The nodes kept as they are, then (with turned nodes) those replaced by their turned nodes:
      // one pass over the kept nodes, the turned ones listed (with their bits) for the second.
      let movedCount = 0;
      for (let i = 0; i < kept; i++) {
        const m = mask[comps[i]!]!;
        if (m === 0) continue;
        const v = nodes[i]!;
        const w = turnedNode ? turnedNode[v]! : -1;
        if (w >= 0) {
          moved[movedCount++] = w;
          moved[movedCount++] = m;
          continue;
        }
        block[at + k] = v;
        block[at + kept + k++] = slots.of(m);
      }
      for (let j = 0; j < movedCount; j += 2) {
        block[at + k] = moved[j]!;
        block[at + kept + k++] = slots.of(moved[j + 1]!);
      }
      return;
    }
    // (The secrets' node-by-node masks, a few batches: two passes, the turned nodes in the second.)
    for (let turned = 0; turned < (turnedNode ? 2 : 1); turned++) {
      const moved = turned === 1;
      for (let v = 0; v < keep.length; v++) {
        if (!keep[v]) continue;
        const m = mask[v]!;
        if (m === 0) continue;
        const w = turnedNode ? turnedNode[v]! : -1;
        if (w >= 0 !== moved) continue;
        block[at + k] = moved ? w : v;
        block[at + kept + k++] = slots.of(m);
      }
    }
  }

  /** Batch b's group (in the arena: its support and slots left where they were written). */
  group(b: number): TargetGroup {
    const { block, kept } = this;
    if (!block) return this.made[b]!;
    const at = 2 * kept * b;
    const slots = this.slots[b]!;
    let size = 0;
    for (const s of slots.sizes) size += s;
    return new TargetGroup(block.subarray(at, at + size), block.subarray(at + kept, at + kept + size), slots);
  }
}

/**
 * The nodes marked in `keep` (`kept` of them), ascending, and the component of each; and room for
 * a batch's turned nodes with their bits (two numbers a node).
 */
function keptComponents(
  keep: Uint8Array,
  kept: number,
  comp: Int32Array,
): { nodes: Int32Array; comps: Int32Array; moved: Int32Array } {
  const nodes = scratchI32(kept);
  const comps = scratchI32(kept);
  const moved = scratchI32(2 * kept);
  for (let v = 0, i = 0; v < keep.length; v++)
    if (keep[v]) {
      nodes[i] = v;
      comps[i++] = comp[v]!;
    }
  return { nodes, comps, moved };
}

/**
 * Leaves out, in place (its scratch given back with the caller's), the steps between components
 * that add nothing to the spread: a second step without `carries` from one component to another (it
 * lets the same mask through), and a naming step where one without `carries` joins the same two (it
 * lets a part of that mask through).
 * Parallel flows are common in a generated model (about a third of the steps between components at
 * 100k), and every batch of 32 assets walks every step it reaches.
 */
function dropRedundant(qStart: Int32Array, qTo: Int32Array, qFlow: Int32Array, count: number): void {
  // The last source component that had a step without `carries` to each component (1 + its id).
  const openFrom = scratchI32(count);
  let k = 0;
  let begin = 0;
  for (let x = 0; x < count; x++) {
    const end = qStart[x + 1]!;
    for (let i = begin; i < end; i++) if (qFlow[i]! < 0) openFrom[qTo[i]!] = -(x + 1);
    qStart[x] = k;
    for (let i = begin; i < end; i++) {
      const y = qTo[i]!;
      const f = qFlow[i]!;
      if (f < 0) {
        // The first step without `carries` to y is kept (its mark turns positive), the others dropped.
        if (openFrom[y] !== -(x + 1)) continue;
        openFrom[y] = x + 1;
      } else if (Math.abs(openFrom[y]!) === x + 1) continue;
      qTo[k] = y;
      qFlow[k++] = f;
    }
    begin = end;
  }
  qStart[count] = k;
}
