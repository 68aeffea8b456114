import type { Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { PROP_KEYS, type Spans } from "./unit.js";

/** Bytes in the first chunk of a SpanTable, and the most in any later one (1 MB). */
const FIRST_CHUNK_BYTES = 4096;
const CHUNK_BYTES = 1 << 20;
/** The most bytes one `[key, start, end]` triple takes (three 5-byte varints). */
const TRIPLE_MAX = 15;

/**
 * Where each property of an entity was written, read as `entity.propLocs["kind"]`. A model has a few
 * million properties; holding a `Location` object per property cost more memory than the rest of
 * the entity. Instead the spans of every entity live in a few byte-array chunks per model
 * (`SpanTable`), and an entity's `PropLocs` is a small object that points into them; reading a key
 * builds its `Location` on the spot. The keys are getters on the prototype (one per property of the
 * vocabulary), so `propLocs[key]` reads like a plain record and gives `undefined` for a property the
 * entity does not set.
 */
export class SpanTable {
  // V8 counts every ArrayBuffer byte as external memory and starts a full collection of the whole
  // heap for each 64 MB of new ones, so the table keeps its bytes few and allocates each once:
  // - a triple is three zigzag varints (key, start minus the previous triple's end, length), about
  //   4 bytes where three Int32s took 12;
  // - chunks, not one array grown by doubling: a full chunk stays where it is and is never copied.
  //   They start small (a small model needs a few kilobytes) and double up to CHUNK_BYTES.
  private readonly chunks: Uint8Array[] = [new Uint8Array(FIRST_CHUNK_BYTES)];
  private data: Uint8Array = this.chunks[0]!;
  /** Bytes used in the last chunk. */
  private length = 0;
  /** The files entities were added from, by id (each entry's head names its file's id). */
  private readonly files: SourceFile[] = [];

  /**
   * Appends an entity's spans (`[key, start, end]` triples) of `file`, after a head of the file's
   * id and the count of triples, and returns where they start: the chunk's index times CHUNK_BYTES
   * plus the offset in the chunk (an entity's spans never straddle two chunks). The head is kept
   * here, not in the entity's `PropLocs`, which so holds two fields, not four (16 bytes less each).
   */
  add(file: SourceFile, spans: Spans): number {
    const count = spans.length / 3;
    const most = varintBytes(file.id) + varintBytes(count) + count * TRIPLE_MAX;
    // A chunk made larger than CHUNK_BYTES for one huge entity takes nothing after it: an address
    // past CHUNK_BYTES would name the next chunk.
    if (this.length + most > this.data.length || this.length >= CHUNK_BYTES) {
      const size = Math.max(Math.min(this.data.length * 2, CHUNK_BYTES), most);
      this.data = new Uint8Array(size);
      this.chunks.push(this.data);
      this.length = 0;
    }
    const at = this.length;
    this.files[file.id] = file;
    let n = putVarint(this.data, at, file.id);
    n = putVarint(this.data, n, count);
    let last = 0;
    for (let i = 0; i + 2 < spans.length; i += 3) {
      const start = spans[i + 1]!;
      const end = spans[i + 2]!;
      n = putVarint(this.data, n, spans[i]!);
      n = putVarint(this.data, n, start - last);
      n = putVarint(this.data, n, end - start);
      last = end;
    }
    this.length = n;
    return (this.chunks.length - 1) * CHUNK_BYTES + at;
  }

  /** Releases the unused end of the last chunk once every entity is built. */
  trim(): void {
    if (this.length < this.data.length) {
      this.data = this.data.slice(0, this.length);
      this.chunks[this.chunks.length - 1] = this.data;
    }
  }

  /** Start and end of key `key` in the entity added at `at`, as a Location, or undefined. */
  find(at: number, key: number): Location | undefined {
    const d = this.chunks[Math.floor(at / CHUNK_BYTES)]!;
    const cursor = { d, p: at % CHUNK_BYTES };
    const fileId = readVarint(cursor);
    const count = readVarint(cursor);
    let last = 0;
    for (let t = 0; t < count; t++) {
      const k = readVarint(cursor);
      const start = last + readVarint(cursor);
      const end = start + readVarint(cursor);
      if (k === key) return { file: this.files[fileId]!, start, end };
      last = end;
    }
    return undefined;
  }
}

/** Writes `v` (a 32-bit integer) at `n` as a zigzag varint; returns the position after it. */
function putVarint(d: Uint8Array, n: number, v: number): number {
  let z = ((v << 1) ^ (v >> 31)) >>> 0;
  while (z >= 0x80) {
    d[n++] = (z & 0x7f) | 0x80;
    z >>>= 7;
  }
  d[n++] = z;
  return n;
}

/** The bytes `putVarint` takes for `v` (0 <= v < 2^30). */
function varintBytes(v: number): number {
  const z = v * 2;
  return z < 1 << 7 ? 1 : z < 1 << 14 ? 2 : z < 1 << 21 ? 3 : z < 1 << 28 ? 4 : 5;
}

/** Reads a zigzag varint at the cursor and moves past it. */
function readVarint(c: { readonly d: Uint8Array; p: number }): number {
  let z = 0;
  let shift = 0;
  let b: number;
  do {
    b = c.d[c.p++]!;
    z |= (b & 0x7f) << shift;
    shift += 7;
  } while (b >= 0x80);
  return (z >>> 1) ^ -(z & 1);
}

/** The property locations of one entity (see SpanTable). */
export class PropLocs {
  constructor(
    private readonly _table: SpanTable,
    private readonly _at: number,
  ) {}

  /** The location of a property, or undefined when the entity does not set it. */
  locationOf(key: string): Location | undefined {
    const index = PROP_KEYS.indexOf(key);
    return index < 0 ? undefined : this._table.find(this._at, index);
  }
}

PROP_KEYS.forEach((key, index) => {
  Object.defineProperty(PropLocs.prototype, key, {
    get(this: { _table: SpanTable; _at: number }) {
      return this._table.find(this._at, index);
    },
    enumerable: false,
    configurable: false,
  });
});

/** Property locations as the model types them (a read-only record keyed by property name). */
export type PropLocations = Readonly<Record<string, Location>>;

/** The `propLocs` of an entity whose spans are `spans`. */
export function propLocs(file: SourceFile, table: SpanTable, spans: Spans): PropLocations {
  return new PropLocs(table, table.add(file, spans)) as unknown as PropLocations;
}
