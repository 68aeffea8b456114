import type { Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { PROP_KEYS, type Spans } from "./unit.js";

/** Integers in the first chunk of a SpanTable, and the most in any later one (1 MB). */
const FIRST_CHUNK_INTS = 1024;
const CHUNK_INTS = 1 << 18;

/**
 * Where each property of an entity was written, read as `entity.propLocs["kind"]`. A model has a few
 * million properties; holding a `Location` object per property cost more memory than the rest of
 * the entity. Instead the spans of every entity live in a few Int32Array chunks per model
 * (`SpanTable`), and an entity's `PropLocs` is a small object that points into them; reading a key
 * builds its `Location` on the spot. The keys are getters on the prototype (one per property of the
 * vocabulary), so `propLocs[key]` reads like a plain record and gives `undefined` for a property the
 * entity does not set.
 */
export class SpanTable {
  // Chunks, not one array grown by doubling: a full chunk stays where it is, so the table never
  // copies what it holds, and V8, which counts every ArrayBuffer byte as external memory and starts
  // a full collection for each 64 MB of new ones, sees the spans' size once instead of about four
  // times. Chunks start small (a small model needs a few kilobytes) and double up to CHUNK_INTS.
  private readonly chunks: Int32Array[] = [new Int32Array(FIRST_CHUNK_INTS)];
  private data: Int32Array = this.chunks[0]!;
  /** Integers used in the last chunk. */
  private length = 0;

  /**
   * Appends spans (`[key, start, end]` triples) and returns where they start: the chunk's index
   * times CHUNK_INTS plus the offset in the chunk (an entity's spans never straddle two chunks).
   */
  add(spans: Spans): number {
    if (this.length + spans.length > this.data.length) {
      const size = Math.max(Math.min(this.data.length * 2, CHUNK_INTS), spans.length);
      this.data = new Int32Array(size);
      this.chunks.push(this.data);
      this.length = 0;
    }
    const d = this.data;
    const at = this.length;
    for (let i = 0; i < spans.length; i++) d[at + i] = spans[i]!;
    this.length += spans.length;
    return (this.chunks.length - 1) * CHUNK_INTS + at;
  }

  /** Releases the unused end of the last chunk once every entity is built. */
  trim(): void {
    if (this.length < this.data.length) {
      this.data = this.data.slice(0, this.length);
      this.chunks[this.chunks.length - 1] = this.data;
    }
  }

  /** Start and end of key `key` among the `count` triples at `at`, as a Location, or undefined. */
  find(file: SourceFile, at: number, count: number, key: number): Location | undefined {
    const d = this.chunks[Math.floor(at / CHUNK_INTS)]!;
    for (let i = at % CHUNK_INTS, end = i + 3 * count; i < end; i += 3)
      if (d[i] === key) return { file, start: d[i + 1]!, end: d[i + 2]! };
    return undefined;
  }
}

/** The property locations of one entity (see SpanTable). */
export class PropLocs {
  constructor(
    private readonly _file: SourceFile,
    private readonly _table: SpanTable,
    private readonly _at: number,
    private readonly _count: number,
  ) {}

  /** The location of a property, or undefined when the entity does not set it. */
  locationOf(key: string): Location | undefined {
    const index = PROP_KEYS.indexOf(key);
    return index < 0 ? undefined : this._table.find(this._file, this._at, this._count, index);
  }
}

PROP_KEYS.forEach((key, index) => {
  Object.defineProperty(PropLocs.prototype, key, {
    get(this: { _file: SourceFile; _table: SpanTable; _at: number; _count: number }) {
      return this._table.find(this._file, this._at, this._count, index);
    },
    enumerable: false,
    configurable: false,
  });
});

/** Property locations as the model types them (a read-only record keyed by property name). */
export type PropLocations = Readonly<Record<string, Location>>;

/** The `propLocs` of an entity whose spans are `spans`. */
export function propLocs(file: SourceFile, table: SpanTable, spans: Spans): PropLocations {
  const at = table.add(spans);
  return new PropLocs(file, table, at, spans.length / 3) as unknown as PropLocations;
}
