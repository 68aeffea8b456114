/**
 * Unnamed flows by their end points: a hash set of flow indexes in one Int32Array (index + 1, 0 in
 * a free slot), matched through the flows themselves (`from` and `to` are component indexes), so a
 * slot is 4 bytes where `[from, to, index]` took 12. Sized up front for the flows it will get (the
 * units count their unnamed flows), so it does not grow by copies: V8 counts every ArrayBuffer byte
 * as external memory and each 64 MB of new ones starts a full collection of the whole heap.
 */
export class PairIndex {
  private slots: Int32Array;
  private mask: number;
  private count = 0;

  /** An index for `capacity` flows of `flows` (it still grows, should more come). */
  constructor(
    capacity: number,
    private readonly flows: readonly { readonly from: number; readonly to: number }[],
  ) {
    let size = 16;
    while (size * 3 < capacity * 4) size *= 2;
    this.slots = new Int32Array(size);
    this.mask = size - 1;
  }

  /** The slot of the flow from `a` to `b`, or the free slot where it would go. */
  private slot(a: number, b: number): number {
    const s = this.slots;
    let i = (Math.imul(a, 0x9e3779b1) ^ Math.imul(b, 0x85ebca6b)) & this.mask;
    for (let v = s[i]!; v !== 0; v = s[i]!) {
      const f = this.flows[v - 1]!;
      if (f.from === a && f.to === b) break;
      i = (i + 1) & this.mask;
    }
    return i;
  }

  /** The index of the flow from `a` to `b`, if one was added. */
  get(a: number, b: number): number | undefined {
    const v = this.slots[this.slot(a, b)]!;
    return v === 0 ? undefined : v - 1;
  }

  /** Adds flow `index`, from `a` to `b`, none like it added before (`flows[index]` may not exist yet). */
  add(a: number, b: number, index: number): void {
    // At most three quarters full: linear probing stays short, and the table is 5-11 bytes a flow.
    if ((this.count + 1) * 4 > (this.mask + 1) * 3) this.grow();
    this.slots[this.slot(a, b)] = index + 1;
    this.count++;
  }

  private grow(): void {
    const old = this.slots;
    const size = 2 * (this.mask + 1);
    this.slots = new Int32Array(size);
    this.mask = size - 1;
    for (const v of old) {
      if (v === 0) continue;
      const f = this.flows[v - 1]!;
      this.slots[this.slot(f.from, f.to)] = v;
    }
  }
}
