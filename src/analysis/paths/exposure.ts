import { scratchCopyI32, scratchF64, scratchI32, scratchU8 } from "../../graph/arena.js";
import type { CompactGraph } from "../../graph/compact.js";
import { ENTRY_BIT, ENTRY_CLASSES, type EntryClass } from "../facts.js";
import type { AttackGraph, AttackTarget } from "./attack-graph.js";
import type { Adjacency } from "./adjacency.js";
import { type DijkstraWorkspace, fewestStepsInto } from "./dijkstra.js";
import type { ExposureCell } from "./model.js";
import { reachGroupMask } from "./reach.js";
import type { Condensation } from "./scc.js";
import type { TargetGroup } from "./target-groups.js";

// The exposure matrix, phase by phase. Each loop over nodes or entries is a small function of its
// own: V8 optimises a function after running bytecode in proportion to its size, so a loop inside a
// large function ran unoptimised for the whole of a cold 10k analysis.

/** The targets of each group, with their indexes in the target list. */
export type Groups = ReadonlyMap<TargetGroup, readonly { index: number; bit: number }[]>;

/** Entries reaching each target: per entry class (`ENTRY_CLASSES` order, CLASS_COUNT per target), and in all. */
export interface ExposureCounts {
  readonly byClass: Int32Array;
  readonly any: Int32Array;
}

export const CLASS_COUNT = ENTRY_CLASSES.length;

/**
 * Which targets each entry reaches, one pass per group of 32 targets (bit-parallel reachability over
 * the condensation). Entries with the same reach mask and the same classes count together: on a
 * coupled model most entries reach the same targets, so the bits are walked once per group of them,
 * not once per entry.
 */
export function exposureCounts(
  cond: Condensation,
  targetCount: number,
  groups: Groups,
  entries: readonly number[],
  entryBits: Uint8Array,
  allowedBits: number,
): ExposureCounts {
  const byClass = new Int32Array(targetCount * CLASS_COUNT);
  const any = new Int32Array(targetCount);
  const reach = scratchI32(cond.count);
  const same = new MaskCounts(entries.length);
  for (const [group, members] of groups) {
    const mask = reachGroupMask(cond, group, reach);
    countByMask(entries, cond.comp, mask, entryBits, allowedBits, same);
    for (let i = 0; i < same.size; i++) {
      const slot = same.used[i]!;
      addCount(members, same.masks[slot]!, same.bits[slot]!, same.counts[slot]!, byClass, any);
    }
    same.clear();
  }
  return { byClass, any };
}

/**
 * Entries counted by (reach mask, entry bits) in an open-addressing table of typed arrays. A Map
 * keyed by `mask * 16 + bits` held a heap number for every key above 2^30 (a mask with one of its
 * top target bits set): at 1M components the groups made 12 million insertions, a quarter of the
 * exposure phase. A slot with count 0 is empty.
 */
class MaskCounts {
  readonly masks: Int32Array;
  readonly bits: Uint8Array;
  readonly counts: Int32Array;
  /** The slots in use, the first `size` of them. */
  readonly used: Int32Array;
  size = 0;
  private readonly shift: number;

  constructor(most: number) {
    // At most one key per entry, in a table at most half full.
    const log = Math.max(4, 32 - Math.clz32(2 * most));
    this.shift = 32 - log;
    this.masks = scratchI32(1 << log);
    this.bits = scratchU8(1 << log);
    this.counts = scratchI32(1 << log);
    this.used = scratchI32(most);
  }

  add(m: number, b: number): void {
    const last = this.counts.length - 1;
    let slot = Math.imul(m ^ (b << 27), 0x9e3779b1) >>> this.shift;
    for (;;) {
      const c = this.counts[slot]!;
      if (c === 0) {
        this.masks[slot] = m;
        this.bits[slot] = b;
        this.counts[slot] = 1;
        this.used[this.size++] = slot;
        return;
      }
      if (this.masks[slot] === m && this.bits[slot] === b) {
        this.counts[slot] = c + 1;
        return;
      }
      slot = slot === last ? 0 : slot + 1;
    }
  }

  clear(): void {
    for (let i = 0; i < this.size; i++) this.counts[this.used[i]!] = 0;
    this.size = 0;
  }
}

/** Counts the entries that reach a target of the group by (reach mask, allowed entry bits). */
function countByMask(
  entries: readonly number[],
  comp: Int32Array,
  mask: Int32Array,
  entryBits: Uint8Array,
  allowedBits: number,
  into: MaskCounts,
): void {
  for (let i = 0; i < entries.length; i++) {
    const v = entries[i]!;
    const m = mask[comp[v]!]!;
    if (m !== 0) into.add(m, entryBits[v]! & allowedBits);
  }
}

function addCount(
  members: readonly { index: number; bit: number }[],
  m: number,
  bits: number,
  count: number,
  byClass: Int32Array,
  any: Int32Array,
): void {
  for (const { index, bit } of members) {
    if (((m >>> bit) & 1) === 0) continue;
    any[index]! += count;
    for (let c = 0; c < CLASS_COUNT; c++)
      if (bits & ENTRY_BIT[ENTRY_CLASSES[c]!]) byClass[index * CLASS_COUNT + c]! += count;
  }
}

/**
 * Every class's answers interleaved per node (a class without entries stays at Infinity): its best
 * distance at `dist[v * C + c]` and fewest steps at `hops[v * C + c]`, and its `via` (for the step
 * counts). The searches share one workspace (top-k reuses it too): at 1M every fresh array of n
 * entries adds to the external memory that starts a full collection of the model's heap.
 */
export function classAnswers(
  forward: Adjacency,
  classes: readonly EntryClass[],
  seedsOf: (cls: EntryClass) => number[],
  search: DijkstraWorkspace,
): { dist: Float64Array; hops: Float64Array; via: Map<EntryClass, Int32Array> } {
  const n = forward.nodeCount;
  const C = classes.length;
  const dist = scratchF64(n * C).fill(Infinity);
  const hops = scratchF64(n * C).fill(Infinity);
  const via = new Map<EntryClass, Int32Array>();
  const queue = scratchI32(n);
  const seen = scratchU8(n);
  for (let c = 0; c < C; c++) {
    const seeds = seedsOf(classes[c]!);
    if (seeds.length === 0) continue;
    search.search(forward, seeds, () => 0);
    interleave(search.dist, dist, C, c);
    via.set(classes[c]!, scratchCopyI32(search.via));
    // Fewest steps, apart from likelihood: breadth-first over the same usable steps.
    if (c > 0) seen.fill(0);
    fewestStepsInto(forward, seeds, hops, C, c, queue, seen);
  }
  return { dist, hops, via };
}

function interleave(from: Float64Array, to: Float64Array, stride: number, offset: number): void {
  for (let v = 0, at = offset; v < from.length; v++, at += stride) to[at] = from[v]!;
}

/** What the exposure cells read besides the classes' answers. */
export interface CellInputs {
  readonly classes: readonly EntryClass[];
  readonly answers: ReturnType<typeof classAnswers>;
  readonly counts: ExposureCounts;
  readonly ag: AttackGraph;
  readonly usable: CompactGraph;
  /** The way out: distance and steps to a sink, and the search's `via`. */
  readonly exfilDist: Float64Array;
  readonly exfilHops: Float64Array | undefined;
  readonly exfilVia: Int32Array;
}

/**
 * The exposure cells of every target. Per group, each slot's (nodes with the same targets of the
 * group) best node and fewest steps per class are folded in ascending node order; a target's answer
 * then folds the slots it has, so a node costs the same whether it belongs to one target or to 32.
 */
export function exposureCells(
  targets: readonly AttackTarget[],
  groups: Groups,
  input: CellInputs,
): ExposureCell[][] {
  const C = input.classes.length;
  const best = { dist: new Float64Array(C), node: new Int32Array(C), fewest: new Float64Array(C) };
  const out: ExposureCell[][] = new Array<ExposureCell[]>(targets.length);
  for (const [group, members] of groups) {
    const disclosure = targets[members[0]!.index]!.mode === "disclosure";
    const slots = foldSlots(group, C, input.answers, disclosure ? input : undefined);
    for (const { index, bit } of members) {
      bestOfSlots(group.slotMask, bit, slots, C, best);
      out[index] = cellsOf(index, disclosure, best, input);
    }
  }
  return out;
}

/** Per slot and class: the best distance, its node, and the fewest steps. */
interface SlotAnswers {
  readonly dist: Float64Array;
  readonly node: Int32Array;
  readonly hops: Float64Array;
}

/** Folds the group's support into its slots; `wayOut` adds each node's way out (disclosure). */
function foldSlots(
  group: TargetGroup,
  C: number,
  answers: { readonly dist: Float64Array; readonly hops: Float64Array },
  wayOut: CellInputs | undefined,
): SlotAnswers {
  const { support, slotAt } = group;
  const slots = group.slotMask.length;
  const slotDist = scratchF64(slots * C).fill(Infinity);
  const slotNode = scratchI32(slots * C).fill(-1);
  const slotHops = scratchF64(slots * C).fill(Infinity);
  const { dist: classDist, hops: classHops } = answers;
  const exfilDist = wayOut?.exfilDist;
  const exfilHops = wayOut?.exfilHops;
  for (let k = 0; k < support.length; k++) {
    const v = support[k]!;
    const out = exfilDist ? exfilDist[v]! : 0;
    const outHops = exfilHops ? exfilHops[v]! : 0;
    for (let c = 0, at = v * C, to = slotAt[k]! * C; c < C; c++, at++, to++) {
      const d = classDist[at]! + out;
      if (d < slotDist[to]!) {
        slotDist[to] = d;
        slotNode[to] = v;
      }
      const h = classHops[at]! + outHops;
      if (h < slotHops[to]!) slotHops[to] = h;
    }
  }
  return { dist: slotDist, node: slotNode, hops: slotHops };
}

/** Folds the slots carrying `bit` into `best` (per class: distance, node, fewest steps). */
function bestOfSlots(
  slotMask: Int32Array,
  bit: number,
  slots: SlotAnswers,
  C: number,
  best: { dist: Float64Array; node: Int32Array; fewest: Float64Array },
): void {
  const { dist, node, fewest } = best;
  dist.fill(Infinity);
  node.fill(-1);
  fewest.fill(Infinity);
  for (let sl = 0; sl < slotMask.length; sl++) {
    if (((slotMask[sl]! >>> bit) & 1) === 0) continue;
    for (let c = 0, at = sl * C; c < C; c++, at++) {
      // Ties go to the lower node, as one ascending pass over the target's nodes would.
      const d = slots.dist[at]!;
      if (d < dist[c]! || (d === dist[c]! && d !== Infinity && slots.node[at]! < node[c]!)) {
        dist[c] = d;
        node[c] = slots.node[at]!;
      }
      if (slots.hops[at]! < fewest[c]!) fewest[c] = slots.hops[at]!;
    }
  }
}

function cellsOf(
  index: number,
  disclosure: boolean,
  best: { dist: Float64Array; node: Int32Array; fewest: Float64Array },
  input: CellInputs,
): ExposureCell[] {
  const { classes, ag, usable, counts } = input;
  return classes.map((cls, c) => {
    const node = best.node[c]!;
    const steps =
      node < 0
        ? 0
        : countSteps(usable, input.answers.via.get(cls)!, node, "forward") +
          (disclosure ? countSteps(ag.g, input.exfilVia, node, "backward") : 0);
    const entriesReaching = counts.byClass[index * CLASS_COUNT + ENTRY_CLASSES.indexOf(cls)]!;
    const d = best.dist[c]!;
    const f = best.fewest[c]!;
    return {
      entryClass: cls,
      reachable: entriesReaching > 0,
      entries: entriesReaching,
      bestLikelihood: d === Infinity ? 0 : Math.exp(-d),
      shortestSteps: steps,
      fewestSteps: f === Infinity ? 0 : f,
    };
  });
}

function countSteps(g: CompactGraph, via: Int32Array, v: number, direction: "forward" | "backward"): number {
  let steps = 0;
  for (let x = v; via[x]! >= 0 && steps <= g.nodeCount; steps++)
    x = direction === "forward" ? g.edgeFrom[via[x]!]! : g.edgeTo[via[x]!]!;
  return steps;
}
