import type { Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { PROP_KEYS, type Spans } from "./unit.js";

/**
 * Where each property of an entity was written, read as `entity.propLocs["kind"]`. A model has a few
 * million properties; holding a `Location` object per property cost more memory than the rest of
 * the entity. Instead the spans of every entity live in one growing Int32Array per model
 * (`SpanTable`), and an entity's `PropLocs` is a small object that points into it; reading a key
 * builds its `Location` on the spot. The keys are getters on the prototype (one per property of the
 * vocabulary), so `propLocs[key]` reads like a plain record and gives `undefined` for a property the
 * entity does not set.
 */
export class SpanTable {
  private data = new Int32Array(1024);
  private length = 0;

  /** Appends spans (`[key, start, end]` triples) and returns where they start. */
  add(spans: Spans): number {
    const at = this.length;
    if (at + spans.length > this.data.length) {
      let size = this.data.length * 2;
      while (size < at + spans.length) size *= 2;
      const grown = new Int32Array(size);
      grown.set(this.data.subarray(0, at));
      this.data = grown;
    }
    for (let i = 0; i < spans.length; i++) this.data[at + i] = spans[i]!;
    this.length += spans.length;
    return at;
  }

  /** Releases the unused end of the array once every entity is built. */
  trim(): void {
    if (this.length < this.data.length) this.data = this.data.slice(0, this.length);
  }

  /** Start and end of key `key` among the `count` triples at `at`, as a Location, or undefined. */
  find(file: SourceFile, at: number, count: number, key: number): Location | undefined {
    const d = this.data;
    for (let i = at, end = at + 3 * count; i < end; i += 3)
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
