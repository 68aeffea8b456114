/**
 * One copy of each name's text for a whole compilation. A model names the same things over and over
 * (`kind`, `invoke`, a component at every flow that touches it); without interning every use is its
 * own string. The table is keyed by a hash the scanner computes while it reads the characters, and
 * compares candidates against the source text in place, so a name seen before allocates nothing.
 *
 * Each entry also carries a small integer tag (the keyword class for reserved words, 0 otherwise),
 * so telling a keyword from a name is the same lookup.
 */
export class Interner {
  private keys: (string | undefined)[];
  private hashes: Int32Array;
  private tags: Uint8Array;
  private mask: number;
  private count = 0;

  constructor(capacity = 1024) {
    let size = 16;
    while (size < capacity * 2) size *= 2;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.tags = new Uint8Array(size);
    this.mask = size - 1;
  }

  /** Number of distinct strings held. */
  get size(): number {
    return this.count;
  }

  /**
   * The canonical string for `text.slice(start, end)`, whose hash (`hashStep` over its UTF-16 code
   * units from `HASH_SEED`) the caller already computed. Returns the slot; read it with `key`/`tag`.
   */
  slot(text: string, start: number, end: number, hash: number): number {
    const len = end - start;
    const keys = this.keys;
    let i = hash & this.mask;
    for (;;) {
      const k = keys[i];
      if (k === undefined) break;
      if (this.hashes[i] === hash && k.length === len && text.startsWith(k, start)) return i;
      i = (i + 1) & this.mask;
    }
    return this.insert(i, text.slice(start, end), hash, 0);
  }

  /** The canonical copy of a whole string (names that took the slow path, keywords at start-up). */
  slotOf(s: string, tag = 0): number {
    const i = this.slot(s, 0, s.length, hashOf(s));
    if (tag !== 0) this.tags[i] = tag;
    return i;
  }

  /** The string in a slot. */
  key(slot: number): string {
    return this.keys[slot]!;
  }

  /** The tag of a slot (0 unless set by `slotOf`). */
  tag(slot: number): number {
    return this.tags[slot]!;
  }

  private insert(at: number, s: string, hash: number, tag: number): number {
    if ((this.count + 1) * 2 > this.keys.length) {
      this.grow();
      let i = hash & this.mask;
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
      at = i;
    }
    this.keys[at] = s;
    this.hashes[at] = hash;
    this.tags[at] = tag;
    this.count++;
    return at;
  }

  private grow(): void {
    const oldKeys = this.keys;
    const oldHashes = this.hashes;
    const oldTags = this.tags;
    const size = oldKeys.length * 2;
    this.keys = new Array<string | undefined>(size).fill(undefined);
    this.hashes = new Int32Array(size);
    this.tags = new Uint8Array(size);
    this.mask = size - 1;
    for (let j = 0; j < oldKeys.length; j++) {
      const k = oldKeys[j];
      if (k === undefined) continue;
      let i = oldHashes[j]! & this.mask;
      while (this.keys[i] !== undefined) i = (i + 1) & this.mask;
      this.keys[i] = k;
      this.hashes[i] = oldHashes[j]!;
      this.tags[i] = oldTags[j]!;
    }
  }
}

/** Start value of the name hash (FNV-1a, 32 bits). */
export const HASH_SEED = 0x811c9dc5 | 0;

/** One step of the name hash. */
export const hashStep = (h: number, c: number): number => Math.imul(h ^ c, 16777619);

/** The hash of a whole string. */
export function hashOf(s: string): number {
  let h = HASH_SEED;
  for (let i = 0; i < s.length; i++) h = hashStep(h, s.charCodeAt(i));
  return h;
}
