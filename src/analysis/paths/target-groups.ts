import { scratchCopyI32, scratchI32, scratchScope } from "../../graph/arena.js";
/**
 * Attack targets marked 32 to a group instead of listed one by one. A confidential asset of a
 * generated model is read by about half of it, and there are max(10, N/1000) crown jewels: listing
 * every crown jewel's readers grows with the square of the model (about 500 targets x 500k readers at
 * 1M). A group keeps, for the nodes that belong to any of its targets (its support, ascending), which
 * of its 32 bits each carries, as an index into the distinct bit sets met (its slots): queries read a
 * group in one pass over its support and fold per slot, so a node costs the same whether it belongs
 * to one target or to thirty-two.
 */
export class TargetGroup {
  /** Nodes that belong to some target of the group, ascending. */
  readonly support: Int32Array;
  /** Slot of each support node. */
  readonly slotAt: Int32Array;
  /** The bit set of each slot. */
  readonly slotMask: Int32Array;
  /** Nodes per slot. */
  readonly slotSize: Int32Array;

  /**
   * Builds the group from its support (ascending) and the bits of each support node (none 0), or,
   * with `slots`, from its support and the slot of each node, numbered by `slots`.
   */
  constructor(support: Int32Array, masks: Int32Array);
  constructor(support: Int32Array, slotAt: Int32Array, slots: Slots);
  constructor(support: Int32Array, codes: Int32Array, slots?: Slots) {
    this.support = support;
    if (slots) this.slotAt = codes;
    else {
      slots = new Slots();
      this.slotAt = scratchI32(support.length);
      for (let k = 0; k < support.length; k++) this.slotAt[k] = slots.of(codes[k]!);
    }
    this.slotMask = Int32Array.from(slots.masks);
    this.slotSize = Int32Array.from(slots.sizes);
  }

  /** The group of nodes `0..masks.length-1`, node v with bits `masks[v]` (0 for none). */
  static ofMasks(masks: Int32Array): TargetGroup {
    let size = 0;
    for (let v = 0; v < masks.length; v++) if (masks[v] !== 0) size++;
    const support = scratchI32(size);
    const bits = scratchI32(size);
    for (let v = 0, k = 0; v < masks.length; v++) {
      if (masks[v] === 0) continue;
      support[k] = v;
      bits[k++] = masks[v]!;
    }
    return new TargetGroup(support, bits);
  }

  /** A group of up to 32 node lists, list i on bit i. */
  static ofLists(lists: readonly (readonly number[])[]): TargetGroup {
    if (lists.length > 32) throw new Error("at most 32 targets per group");
    const marks = new Map<number, number>();
    lists.forEach((list, i) => {
      for (const v of list) marks.set(v, (marks.get(v) ?? 0) | (1 << i));
    });
    const nodes = scratchCopyI32(Int32Array.from(marks.keys()).sort());
    return new TargetGroup(
      nodes,
      nodes.map((v) => marks.get(v)!),
    );
  }

  /**
   * The group with each node v that has `to[v] >= 0` replaced by `to[v]` (this group when none has).
   * The new ids must lie above every node and ascend with v (turned nodes: after the components, in
   * their order), so the support stays ascending: the nodes kept, then the replaced ones.
   */
  mapped(to: Int32Array): TargetGroup {
    const { support, slotAt, slotMask } = this;
    let moved = 0;
    for (let k = 0; k < support.length; k++) if (to[support[k]!]! >= 0) moved++;
    if (moved === 0) return this;
    const nodes = scratchI32(support.length);
    const masks = scratchI32(support.length);
    let kept = 0;
    let at = support.length - moved;
    for (let k = 0; k < support.length; k++) {
      const v = support[k]!;
      const w = to[v]!;
      const i = w >= 0 ? at++ : kept++;
      nodes[i] = w >= 0 ? w : v;
      masks[i] = slotMask[slotAt[k]!]!;
    }
    return new TargetGroup(nodes, masks);
  }

  /** How many nodes carry `bit`. */
  sizeOf(bit: number): number {
    let size = 0;
    for (let s = 0; s < this.slotMask.length; s++)
      if (this.slotMask[s]! & (1 << bit)) size += this.slotSize[s]!;
    return size;
  }

  /** The nodes that carry `bit`, ascending. */
  nodesOf(bit: number): number[] {
    return Array.from(this.nodeArrayOf(bit));
  }

  /**
   * The nodes that carry `bit`, ascending, in a new typed array: off the JavaScript heap (a reader
   * target's list is up to half the model, a large object kept until a full collection as a list).
   */
  nodeArrayOf(bit: number): Int32Array {
    const out = new Int32Array(this.sizeOf(bit));
    const { support, slotAt, slotMask } = this;
    const b = 1 << bit;
    for (let k = 0, i = 0; k < support.length; k++) if (slotMask[slotAt[k]!]! & b) out[i++] = support[k]!;
    return out;
  }

  /** Whether node v carries `bit` (binary search in the support). */
  has(v: number, bit: number): boolean {
    const { support } = this;
    let lo = 0;
    let hi = support.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const x = support[mid]!;
      if (x === v) return (this.slotMask[this.slotAt[mid]!]! & (1 << bit)) !== 0;
      if (x < v) lo = mid + 1;
      else hi = mid - 1;
    }
    return false;
  }

  /** Per slot, its support nodes in ascending order (a CSR over the slots). */
  slotMembers(): { start: Int32Array; nodes: Int32Array } {
    const slots = this.slotMask.length;
    const start = scratchI32(slots + 1);
    for (let s = 0; s < slots; s++) start[s + 1] = start[s]! + this.slotSize[s]!;
    const fill = scratchCopyI32(start, slots);
    const nodes = scratchI32(this.support.length);
    for (let k = 0; k < this.support.length; k++) nodes[fill[this.slotAt[k]!]!++] = this.support[k]!;
    return { start, nodes };
  }
}

/** A group's slots, numbered as they are first met (a distinct bit set each), with their sizes. */
export class Slots {
  private readonly slotOf = new Map<number, number>();
  readonly masks: number[] = [];
  readonly sizes: number[] = [];
  // Neighbouring nodes mostly carry the same bits: the last slot is checked before the map.
  private lastMask = 0;
  private lastSlot = -1;

  /** The slot of bit set `m` (not 0), counting one more node in it. */
  of(m: number): number {
    let s = m === this.lastMask ? this.lastSlot : this.slotOf.get(m);
    if (s === undefined) {
      s = this.masks.length;
      this.slotOf.set(m, s);
      this.masks.push(m);
      this.sizes.push(0);
    }
    this.lastMask = m;
    this.lastSlot = s;
    this.sizes[s]!++;
    return s;
  }
}

/** A target's place in a group, as the queries read it. */
export interface Marked {
  readonly group: TargetGroup;
  readonly bit: number;
}

/** The targets by group (in order of first appearance), each with its index in `targets`. */
export function byGroup(targets: readonly Marked[]): Map<TargetGroup, { index: number; bit: number }[]> {
  const out = new Map<TargetGroup, { index: number; bit: number }[]>();
  targets.forEach((t, index) => {
    let list = out.get(t.group);
    if (!list) out.set(t.group, (list = []));
    list.push({ index, bit: t.bit });
  });
  return out;
}

/**
 * The nodes of the targets, each once, in the order a walk over the targets' ascending node lists
 * meets them (target by target): the order in which the cut network numbers them, found without
 * walking any list (a node's first target is folded per slot, then the nodes are bucketed by it).
 */
export function nodesInOrder(n: number, targets: readonly Marked[]): Int32Array {
  // The list is a plain typed array (the cut reads it throughout), and the first-target table (a
  // slot per node) is scratch given back here: both were taken below the cut's arrays and stayed
  // under them.
  return scratchScope(() => inOrder(n, targets));
}

function inOrder(n: number, targets: readonly Marked[]): Int32Array {
  const none = targets.length;
  const first = scratchI32(n).fill(none);
  for (const [group, members] of byGroup(targets)) {
    const { slotMask, support, slotAt } = group;
    const slotFirst = scratchI32(slotMask.length).fill(none);
    for (let s = 0; s < slotMask.length; s++) {
      // Members are in target order: the first whose bit the slot has is its first target.
      const m = members.find((x) => slotMask[s]! & (1 << x.bit));
      if (m) slotFirst[s] = m.index;
    }
    for (let k = 0; k < support.length; k++) {
      const v = support[k]!;
      const f = slotFirst[slotAt[k]!]!;
      if (f < first[v]!) first[v] = f;
    }
  }
  const start = scratchI32(none + 2);
  for (let v = 0; v < n; v++) start[first[v]! + 1]!++;
  for (let i = 0; i < none; i++) start[i + 1]! += start[i]!;
  const out = new Int32Array(start[none]!);
  for (let v = 0; v < n; v++) if (first[v]! < none) out[start[first[v]!]!++] = v;
  return out;
}
