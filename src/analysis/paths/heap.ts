/**
 * A 4-ary min-heap of node ids keyed by float64, with decrease-key through a position index.
 * Typed arrays only: Dijkstra over a million nodes allocates nothing per step. Equal keys pop in
 * ascending node order, so the order nodes were pushed in never changes what a search finds (a
 * search may then take its seeds lazily, in key order: dijkstra.ts).
 *
 * Keys are stored in heap order beside the nodes (`keys[i]` is the key of `heap[i]`), so a sift
 * compares slots without a random load through the node id; four children per slot make the heap
 * half as deep as a binary one, and the four are adjacent in memory. Together about 1.5x faster
 * than the binary heap with node-indexed keys on the 100k model's searches.
 */
export class IndexedMinHeap {
  private readonly heap: Int32Array;
  private readonly keys: Float64Array;
  /** Slot of each node in the heap; -1 never pushed since the last reset, -2 popped. */
  private readonly pos: Int32Array;
  private size = 0;

  constructor(capacity: number) {
    this.heap = new Int32Array(capacity);
    this.keys = new Float64Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
  }

  get length(): number {
    return this.size;
  }

  /** Inserts v, or lowers its key; a higher key is ignored. */
  push(v: number, k: number): void {
    const p = this.pos[v]!;
    if (p >= 0) {
      if (k < this.keys[p]!) this.up(p, v, k);
      return;
    }
    this.up(this.size++, v, k);
  }

  /** Removes and returns the node with the smallest key. */
  pop(): number {
    const top = this.heap[0]!;
    this.pos[top] = -2;
    const last = --this.size;
    if (last > 0) this.down(this.heap[last]!, this.keys[last]!, last);
    return top;
  }

  /** Empties the heap and forgets the given nodes (every node pushed since the last reset). */
  reset(nodes: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.pos[nodes[i]!] = -1;
    this.size = 0;
  }

  /** Whether (k, v) comes before the top of the heap (or is it): true on an empty heap. */
  notAfterTop(v: number, k: number): boolean {
    if (this.size === 0) return true;
    const kt = this.keys[0]!;
    return k < kt || (k === kt && v <= this.heap[0]!);
  }

  /** Whether v has been popped. */
  done(v: number): boolean {
    return this.pos[v] === -2;
  }

  /** Puts (v, k) at slot i or above it, moving larger parents down. */
  private up(i: number, v: number, k: number): void {
    const { heap, keys, pos } = this;
    while (i > 0) {
      const parent = (i - 1) >> 2;
      const kp = keys[parent]!;
      const pv = heap[parent]!;
      if (kp < k || (kp === k && pv < v)) break;
      heap[i] = pv;
      keys[i] = kp;
      pos[pv] = i;
      i = parent;
    }
    heap[i] = v;
    keys[i] = k;
    pos[v] = i;
  }

  /** Puts (v, k) at the root or below it, among the first `size` slots, moving smaller children up. */
  private down(v: number, k: number, size: number): void {
    const { heap, keys, pos } = this;
    let i = 0;
    for (;;) {
      const first = 4 * i + 1;
      if (first >= size) break;
      const end = first + 4 < size ? first + 4 : size;
      let c = first;
      let kc = keys[first]!;
      let vc = heap[first]!;
      for (let j = first + 1; j < end; j++) {
        const kj = keys[j]!;
        if (kj < kc || (kj === kc && heap[j]! < vc)) {
          c = j;
          kc = kj;
          vc = heap[j]!;
        }
      }
      if (kc > k || (kc === k && vc > v)) break;
      heap[i] = vc;
      keys[i] = kc;
      pos[vc] = i;
      i = c;
    }
    heap[i] = v;
    keys[i] = k;
    pos[v] = i;
  }
}
