import { scratchF64, scratchI32, scratchU8 } from "../../graph/arena.js";
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
    this.heap = scratchI32(capacity);
    this.keys = scratchF64(capacity);
    this.pos = scratchI32(capacity).fill(-1);
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

/**
 * Dijkstra's queue: node ids popped in (key, node) order, the same total order as `IndexedMinHeap`,
 * for monotone use (no key pushed below the key last popped: weights are never negative).
 *
 * Path likelihoods take few distinct values (sums of a dozen step weights: about a hundred distances
 * at 100k), so most keys are tied and a heap of every node spends its time sifting equal keys by
 * node. Here a node waits in the bucket of its key instead, found through a hash table of the keys;
 * only the distinct keys are in a heap. When a key's turn comes its bucket is sorted by node
 * (natively) and read in order, beside a small heap of nodes pushed at that same key meanwhile
 * (zero-weight steps). About twice as fast as the 4-ary heap on the 100k model's searches. With
 * every key distinct it degrades to a heap of keys plus a table entry per node, still O(log n) a
 * step: about 1.3x slower than the 4-ary heap with random continuous weights on the same graph.
 *
 * A node pushed again with a smaller key leaves its older entry behind; it is skipped when reached,
 * the node being popped by then.
 */
export class LevelQueue {
  private readonly isDone: Uint8Array;
  /** The current key's bucket, sorted: nodes run[runAt .. runEnd). */
  private readonly run: Int32Array;
  private runAt = 0;
  private runEnd = 0;
  /** Nodes pushed at the current key after its bucket was sorted: a binary min-heap of ids. */
  private readonly extra: Int32Array;
  private extraSize = 0;
  /** The current key; NaN before the first (no key equals it). Whether a node was popped at it. */
  private level = NaN;
  private poppedAtLevel = false;
  /** The distinct keys waiting, a binary min-heap, and each one's bucket (the end of its last entry). */
  private keys = new Float64Array(64);
  private keyCount = 0;
  private readonly bucket = new KeyTable();
  /** Bucket entries, chained backwards: node and the end of the previous entry of its bucket (0 none). */
  private entryNode: Int32Array;
  private entryNext: Int32Array;
  private entries = 0;

  constructor(nodeCount: number) {
    this.isDone = scratchU8(nodeCount);
    this.run = scratchI32(nodeCount);
    this.extra = scratchI32(nodeCount);
    this.entryNode = scratchI32(nodeCount);
    this.entryNext = scratchI32(nodeCount);
  }

  /** Empties the queue and forgets the given nodes (every node pushed since the last reset). */
  reset(nodes: Int32Array, count: number): void {
    for (let i = 0; i < count; i++) this.isDone[nodes[i]!] = 0;
    // Only the waiting keys are in the table.
    for (let i = 0; i < this.keyCount; i++) this.bucket.delete(this.keys[i]!);
    this.runAt = this.runEnd = this.extraSize = this.keyCount = this.entries = 0;
    this.level = NaN;
    this.poppedAtLevel = false;
  }

  /**
   * Queues v at key k: k at least the key last popped, and v not queued at k already (Dijkstra
   * pushes a node only with a strictly smaller distance than it had).
   */
  push(v: number, k: number): void {
    if (k === this.level) {
      this.pushExtra(v);
      return;
    }
    if (k < this.level) this.unstage();
    const last = this.bucket.get(k);
    if (last === 0) this.pushKey(k);
    if (this.entries === this.entryNode.length) this.grow();
    const e = this.entries++;
    this.entryNode[e] = v;
    this.entryNext[e] = last;
    this.bucket.set(k, e + 1);
  }

  /** Removes and returns the next node in (key, node) order; -1 when the queue is empty. */
  pop(): number {
    for (;;) {
      if (this.runAt < this.runEnd || this.extraSize > 0) {
        const v =
          this.extraSize > 0 && (this.runAt === this.runEnd || this.extra[0]! < this.run[this.runAt]!)
            ? this.popExtra()
            : this.run[this.runAt++]!;
        // A second entry of a node at one key (pushed again at its own key) is dropped here.
        if (this.isDone[v]) continue;
        this.isDone[v] = 1;
        this.poppedAtLevel = true;
        return v;
      }
      if (this.keyCount === 0) return -1;
      this.nextLevel();
    }
  }

  /** Whether (k, v) comes before every queued node, or ties with one of them at v: true when empty. */
  notAfterTop(v: number, k: number): boolean {
    while (this.runAt === this.runEnd && this.extraSize === 0) {
      if (this.keyCount === 0 || k < this.keys[0]!) return true;
      // The least waiting key, at or below k, becomes current and its nodes decide (pushes at k now
      // join it, as they should; a push below it puts it back: `unstage`). A key whose nodes were
      // all popped at smaller keys since is passed over here: `pop` would pass over it to the key
      // after, which may come after (v, k).
      this.nextLevel();
    }
    if (k !== this.level) return k < this.level;
    const r = this.runAt < this.runEnd ? this.run[this.runAt]! : 0x7fffffff;
    const x = this.extraSize > 0 ? this.extra[0]! : 0x7fffffff;
    return v <= (r < x ? r : x);
  }

  /** Whether v has been popped. */
  done(v: number): boolean {
    return this.isDone[v] === 1;
  }

  /** Makes the least waiting key current: its bucket's nodes not popped yet, sorted. */
  private nextLevel(): void {
    const k = this.popKey();
    let m = 0;
    const { run, isDone, entryNode, entryNext } = this;
    for (let e = this.bucket.get(k); e !== 0; e = entryNext[e - 1]!) {
      const v = entryNode[e - 1]!;
      if (!isDone[v]) run[m++] = v;
    }
    this.bucket.delete(k);
    if (m > 1) run.subarray(0, m).sort();
    this.runAt = 0;
    this.runEnd = m;
    this.level = k;
    this.poppedAtLevel = false;
  }

  /**
   * Puts the current key back among the waiting ones, its nodes in its bucket again: `notAfterTop`
   * made it current early and a smaller key came after. Nothing may have been popped at it.
   */
  private unstage(): void {
    if (this.poppedAtLevel) throw new Error("LevelQueue: key pushed below the key last popped");
    const k = this.level;
    this.level = NaN;
    const nodes = [...this.run.subarray(this.runAt, this.runEnd), ...this.extra.subarray(0, this.extraSize)];
    this.runAt = this.runEnd = this.extraSize = 0;
    for (const v of nodes) this.push(v, k);
  }

  private grow(): void {
    const node = new Int32Array(2 * this.entryNode.length + 16);
    const next = new Int32Array(node.length);
    node.set(this.entryNode);
    next.set(this.entryNext);
    this.entryNode = node;
    this.entryNext = next;
  }

  private pushExtra(v: number): void {
    const h = this.extra;
    let i = this.extraSize++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! < v) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = v;
  }

  private popExtra(): number {
    const h = this.extra;
    const top = h[0]!;
    const size = --this.extraSize;
    if (size > 0) {
      const v = h[size]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && h[c + 1]! < h[c]!) c++;
        if (h[c]! > v) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = v;
    }
    return top;
  }

  private pushKey(k: number): void {
    if (this.keyCount === this.keys.length) {
      const keys = new Float64Array(2 * this.keyCount);
      keys.set(this.keys);
      this.keys = keys;
    }
    const h = this.keys;
    let i = this.keyCount++;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (h[parent]! < k) break;
      h[i] = h[parent]!;
      i = parent;
    }
    h[i] = k;
  }

  private popKey(): number {
    const h = this.keys;
    const top = h[0]!;
    const size = --this.keyCount;
    if (size > 0) {
      const k = h[size]!;
      let i = 0;
      for (;;) {
        let c = 2 * i + 1;
        if (c >= size) break;
        if (c + 1 < size && h[c + 1]! < h[c]!) c++;
        if (h[c]! > k) break;
        h[i] = h[c]!;
        i = c;
      }
      h[i] = k;
    }
    return top;
  }
}

/**
 * Float64 keys to positive int32 values (0: absent): open addressing over the keys' bits with
 * linear probing, deletion by shifting the probe run back (no tombstones). V8's Map, keyed by
 * doubles, cost several times a heap step per lookup once keys came and went by the thousand.
 */
export class KeyTable {
  private keys = new Float64Array(16);
  private values = new Int32Array(16);
  private mask = 15;
  private size = 0;
  private readonly bits = new Float64Array(1);
  private readonly words = new Int32Array(this.bits.buffer);

  /** The value of k, 0 when absent. */
  get(k: number): number {
    const { keys, values, mask } = this;
    for (let i = this.slot(k); ; i = (i + 1) & mask) {
      const v = values[i]!;
      if (v === 0 || keys[i] === k) return v;
    }
  }

  /** Sets k's value (positive). */
  set(k: number, value: number): void {
    if (2 * (this.size + 1) > this.values.length) this.grow();
    const { keys, values, mask } = this;
    let i = this.slot(k);
    while (values[i] !== 0 && keys[i] !== k) i = (i + 1) & mask;
    if (values[i] === 0) this.size++;
    keys[i] = k;
    values[i] = value;
  }

  delete(k: number): void {
    const { keys, values, mask } = this;
    let i = this.slot(k);
    while (values[i] !== 0 && keys[i] !== k) i = (i + 1) & mask;
    if (values[i] === 0) return;
    this.size--;
    // Moves back each later key of the run whose home is not cyclically in (hole, its slot]: past
    // the hole, a lookup from its home would stop before reaching it.
    for (let j = (i + 1) & mask; values[j] !== 0; j = (j + 1) & mask) {
      const home = this.slot(keys[j]!);
      if (i <= j ? home > i && home <= j : home > i || home <= j) continue;
      keys[i] = keys[j]!;
      values[i] = values[j]!;
      i = j;
    }
    values[i] = 0;
  }

  private slot(k: number): number {
    // -0 === 0: one slot for both.
    this.bits[0] = k + 0;
    const h = Math.imul(this.words[0]! ^ Math.imul(this.words[1]!, 0x85ebca6b), 0x9e3779b1);
    return (h ^ (h >>> 15)) & this.mask;
  }

  private grow(): void {
    const { keys, values } = this;
    this.keys = new Float64Array(2 * keys.length);
    this.values = new Int32Array(2 * keys.length);
    this.mask = 2 * keys.length - 1;
    this.size = 0;
    for (let i = 0; i < keys.length; i++) if (values[i] !== 0) this.set(keys[i]!, values[i]!);
  }
}
