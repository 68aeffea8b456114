/**
 * A binary min-heap of node ids keyed by float64, with decrease-key through a position index.
 * Typed arrays only: Dijkstra over a million nodes allocates nothing per step. Equal keys pop in
 * ascending node order, so the order nodes were pushed in never changes what a search finds (a
 * search may then take its seeds lazily, in key order: dijkstra.ts).
 */
export class IndexedMinHeap {
  private readonly heap: Int32Array;
  private readonly pos: Int32Array;
  private readonly key: Float64Array;
  private size = 0;

  constructor(capacity: number) {
    this.heap = new Int32Array(capacity);
    this.pos = new Int32Array(capacity).fill(-1);
    this.key = new Float64Array(capacity);
  }

  get length(): number {
    return this.size;
  }

  /** Inserts v, or lowers its key; a higher key is ignored. */
  push(v: number, k: number): void {
    const p = this.pos[v]!;
    if (p >= 0) {
      if (k >= this.key[v]!) return;
      this.key[v] = k;
      this.up(p);
      return;
    }
    this.key[v] = k;
    this.heap[this.size] = v;
    this.pos[v] = this.size;
    this.up(this.size++);
  }

  /** Removes and returns the node with the smallest key. */
  pop(): number {
    const top = this.heap[0]!;
    const last = this.heap[--this.size]!;
    this.pos[top] = -2;
    if (this.size > 0) {
      this.heap[0] = last;
      this.pos[last] = 0;
      this.down(0);
    }
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
    const top = this.heap[0]!;
    const kt = this.key[top]!;
    return k < kt || (k === kt && v <= top);
  }

  /** Whether v has been popped. */
  done(v: number): boolean {
    return this.pos[v] === -2;
  }

  private up(i: number): void {
    const h = this.heap;
    const v = h[i]!;
    const k = this.key[v]!;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      const pv = h[parent]!;
      const kp = this.key[pv]!;
      if (kp < k || (kp === k && pv < v)) break;
      h[i] = pv;
      this.pos[pv] = i;
      i = parent;
    }
    h[i] = v;
    this.pos[v] = i;
  }

  private down(i: number): void {
    const h = this.heap;
    const v = h[i]!;
    const k = this.key[v]!;
    for (;;) {
      let child = 2 * i + 1;
      if (child >= this.size) break;
      if (child + 1 < this.size) {
        const a = h[child]!;
        const b = h[child + 1]!;
        const ka = this.key[a]!;
        const kb = this.key[b]!;
        if (kb < ka || (kb === ka && b < a)) child++;
      }
      const cv = h[child]!;
      const kc = this.key[cv]!;
      if (kc > k || (kc === k && cv > v)) break;
      h[i] = cv;
      this.pos[cv] = i;
      i = child;
    }
    h[i] = v;
    this.pos[v] = i;
  }
}
