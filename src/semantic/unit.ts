import type { DeclarationNode } from "../ast/nodes.js";
import { COMMON_COMPONENT_PROPS, COMPONENT_KINDS, DECLARATION_PROPS, FLOW_PROPS } from "./vocabulary.js";
import type { SymbolCategory } from "./symbols.js";
import { ownCopy } from "../syntax/strings.js";

/*
 * A file unit: what the semantic stage keeps of one file once its own checks are done (check-file.ts)
 * and its syntax tree is gone. It holds, per kind of declaration and in source order, the names,
 * spans and converted property values the whole-program stage (resolve.ts) needs to bind names and
 * build the model, packed into one byte array plus a string table: a few allocations per file
 * instead of a tree of small objects, cheap to keep for thousands of files and cheap to move
 * between threads (the array is transferred, the strings are copied once each).
 *
 * Integers are stored as varints (7 bits a byte, zigzag for the -1 of "absent"), and source offsets
 * as the difference from the previous offset in the section, most of them one or two bytes: a unit
 * takes about a third of what it took as an Int32Array. Units live at least until the model is
 * built, and V8 counts every byte of them as external memory (a full collection of the whole heap
 * for each 64 MB of new ones).
 *
 * Each record kind has its writer and reader side by side below; they must read back exactly what
 * they wrote, field for field (test/semantic/unit.test.ts round-trips every kind).
 */

/** A name as written in a file: its text and span. */
export interface Ref {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** The head of a declaration: keyword span, whole span, name and title. */
export interface Head {
  readonly name: Ref | undefined;
  readonly kwStart: number;
  readonly kwEnd: number;
  readonly start: number;
  readonly end: number;
  readonly title: string | undefined;
}

/** A control a property implies (`rate_limit true` -> `rate_limit`), located at the property. */
export interface Implied {
  readonly control: string;
  readonly impliedBy: string;
  readonly start: number;
  readonly end: number;
}

/** A property value after conversion (kind-specific properties keep these). */
export type PropValue = string | number | boolean | readonly string[];

/**
 * Spans of the properties a block set, as `[key, start, end]` triples flattened; `key` indexes
 * PROP_KEYS. Only properties the spec accepts (and each only once) are listed, as `propLocs` has them.
 */
export type Spans = readonly number[];

/** A name declared in the file, in declaration order; `index` counts within its category in this file. */
export interface DeclDraft {
  readonly category: SymbolCategory;
  readonly index: number;
  readonly name: Ref;
  readonly detail: string | undefined;
}

/** `system "Title" { ... }` (the first of the file; a second is an error reported with the file). */
export interface SystemDraft {
  readonly title: string;
  readonly start: number;
  readonly end: number;
  readonly owner: string | undefined;
  readonly version: string | undefined;
  readonly description: string | undefined;
  readonly contact: string | undefined;
  readonly repository: string | undefined;
}

/** A zone; `enclosing` is the index (in this file) of the zone block around it, or -1. */
export interface ZoneDraft {
  readonly head: Head;
  readonly parent: Ref | undefined;
  readonly enclosing: number;
  readonly trust: string | undefined;
  /** A `trust` property was written (even with a value that did not check). */
  readonly hasTrust: boolean;
  readonly description: string | undefined;
  readonly owner: string | undefined;
  readonly spans: Spans;
}

/** A data asset. */
export interface DataDraft {
  readonly head: Head;
  readonly classification: string | undefined;
  readonly crown: readonly string[];
  readonly regulated: readonly string[];
  readonly description: string | undefined;
  readonly owner: string | undefined;
  readonly spans: Spans;
}

/** A user-declared control; the rule and ATLAS ids it names are checked with the whole program. */
export interface ControlDraft {
  readonly head: Head;
  readonly mitigates: readonly string[];
  readonly atlas: readonly string[];
  readonly cost: number | undefined;
  readonly description: string | undefined;
  readonly owner: string | undefined;
  readonly ruleRefs: readonly Ref[];
  readonly atlasRefs: readonly Ref[];
  readonly spans: Spans;
}

/** A component; `props` holds the kind-specific properties that checked, in the vocabulary's order. */
export interface ComponentDraft {
  readonly head: Head;
  readonly kind: string;
  readonly parent: Ref | undefined;
  readonly enclosing: number;
  readonly trust: string | undefined;
  readonly description: string | undefined;
  readonly owner: string | undefined;
  readonly holds: readonly Ref[];
  readonly controls: readonly Ref[];
  readonly crown: readonly string[];
  readonly tags: readonly string[];
  readonly stateless: boolean | undefined;
  readonly props: readonly (readonly [string, PropValue])[];
  readonly implied: readonly Implied[];
  readonly spans: Spans;
}

/** A flow; `from` and `to` have empty text when recovery invented them. */
export interface FlowDraft {
  readonly name: Ref | undefined;
  readonly from: Ref;
  readonly to: Ref;
  readonly start: number;
  readonly end: number;
  readonly title: string | undefined;
  readonly kind: string | undefined;
  readonly description: string | undefined;
  readonly auth: string | undefined;
  readonly encrypted: boolean | undefined;
  readonly controls: readonly Ref[];
  readonly carries: readonly Ref[];
  readonly implied: readonly Implied[];
  readonly spans: Spans;
}

/** `asset target crown ...`; `crown` is false when the statement was malformed (already reported). */
export interface AssetDraft {
  readonly target: Ref;
  readonly start: number;
  readonly end: number;
  readonly crown: boolean;
  readonly cia: readonly string[];
}

/** `accept RULE on target { ... }`. */
export interface AcceptDraft {
  readonly rule: Ref;
  readonly target: Ref;
  readonly start: number;
  readonly end: number;
  readonly reason: string | undefined;
  readonly owner: string | undefined;
  readonly expires: string | undefined;
  readonly ticket: string | undefined;
  /** Span of the `expires` property, or -1. */
  readonly expiresStart: number;
  readonly expiresEnd: number;
}

/** A top-level `import "path"`: the path as written and the spans of statement and string. */
export interface ImportDraft {
  readonly spec: string;
  readonly triple: boolean;
  readonly start: number;
  readonly end: number;
  readonly pathStart: number;
  readonly pathEnd: number;
}

/** Every property key of the vocabulary, in a fixed order: `Spans` store keys as indexes into it. */
export const PROP_KEYS: readonly string[] = [
  ...new Set([
    ...Object.keys(COMMON_COMPONENT_PROPS),
    ...Object.values(COMPONENT_KINDS).flatMap((k) => Object.keys(k.props)),
    ...Object.keys(FLOW_PROPS),
    ...Object.values(DECLARATION_PROPS).flatMap((d) => Object.keys(d)),
  ]),
].sort();

/** Index of a property key in PROP_KEYS. */
export const PROP_KEY_INDEX: ReadonlyMap<string, number> = new Map(PROP_KEYS.map((k, i) => [k, i]));

// Sections of a unit, one per record kind.
const S_DECL = 0;
const S_SYSTEM = 1;
const S_ZONE = 2;
const S_DATA = 3;
const S_CONTROL = 4;
const S_COMPONENT = 5;
const S_FLOW = 6;
const S_ASSET = 7;
const S_ACCEPT = 8;
const S_IMPORT = 9;
const SECTIONS = 10;
// The header of `bytes`, in 32-bit words: SECTIONS starts, SECTIONS counts, then the unnamed flows.
const H_COUNT = SECTIONS;
const H_UNNAMED = 2 * SECTIONS;
const HEADER = 2 * SECTIONS + 1;

/** Slots of UnitWriter's string cache: 2 ** STRING_CACHE_BITS. */
const STRING_CACHE_BITS = 10;
const STRING_CACHE = 1 << STRING_CACHE_BITS;

const CATEGORIES: readonly SymbolCategory[] = ["zone", "component", "data", "control", "rule"];

/**
 * One file's unit: records packed in `bytes`, strings in `strings`, numbers in `numbers`. The first
 * HEADER 32-bit words of `bytes` (little-endian) hold each section's start and record count and the
 * number of unnamed flows, so a unit is one ArrayBuffer.
 */
export interface FileUnit {
  readonly bytes: Uint8Array;
  readonly strings: readonly string[];
  readonly numbers: readonly number[];
  /** `rule` and `policy` declarations, kept as syntax for the later stages that validate them. */
  readonly rules: readonly DeclarationNode[];
  readonly policies: readonly DeclarationNode[];
}

/** The unit of a file with nothing in it (unreadable or binary). */
export function emptyUnit(): FileUnit {
  return new UnitWriter().finish();
}

/**
 * What a writer fills and `finish` copies out: the section buffers and the string cache. A thread
 * checks file after file, so the finished writer hands them to the next one instead of each file
 * growing ten new buffers by doubling (half the front end's typed-array bytes went to those steps).
 */
class Scratch {
  readonly sections: VarintBuffer[] = Array.from({ length: SECTIONS }, () => new VarintBuffer());
  readonly cacheText: (string | undefined)[] = new Array<string | undefined>(STRING_CACHE).fill(undefined);
  readonly cacheIndex = new Int32Array(STRING_CACHE);
}

/** A finished writer's scratch, for the next writer on this thread. */
let spare: Scratch | undefined;

/**
 * Largest section buffer kept for the next file, in bytes (a section of a file of a few MB): one
 * huge file should not pin its buffers for the rest of the process.
 */
const KEEP_BYTES = 1 << 20;

/** Builds a unit record by record; each `write*` matches the `read*` of UnitReader. `finish` once. */
export class UnitWriter {
  private readonly scratch: Scratch = takeScratch();
  private readonly sections: VarintBuffer[] = this.scratch.sections;
  private readonly counts = new Array<number>(SECTIONS).fill(0);
  private unnamedFlows = 0;
  private out: VarintBuffer = this.sections[0]!;
  private readonly strings: string[] = [];
  private readonly numbers: number[] = [];
  readonly rules: DeclarationNode[] = [];
  readonly policies: DeclarationNode[] = [];

  private begin(section: number): void {
    this.out = this.sections[section]!;
    this.counts[section]!++;
  }

  private int(n: number): void {
    this.out.push(n);
  }

  // Strings repeat (kind words, enum values, a component's name in its flows), but a table of every
  // distinct string costs more than it saves on a large file (a 50 MB file has a million distinct
  // titles): a small direct-mapped cache keeps the frequent ones shared and lets the rest repeat.
  private readonly cacheText = this.scratch.cacheText;
  private readonly cacheIndex = this.scratch.cacheIndex;

  private str(s: string): void {
    const n = s.length;
    const h =
      n === 0
        ? 0
        : (Math.imul(n, 0x9e3779b1) ^
            Math.imul(s.charCodeAt(0), 0x85ebca6b) ^
            Math.imul(s.charCodeAt(n >> 1), 0xc2b2ae35) ^
            Math.imul(s.charCodeAt(n - 1), 0x27d4eb2f)) >>>
          (32 - STRING_CACHE_BITS);
    if (this.cacheText[h] === s) {
      this.out.push(this.cacheIndex[h]!);
      return;
    }
    const i = this.strings.length;
    // A copy, not a view into the file's text: the model keeps these strings, not the texts.
    const own = ownCopy(s);
    this.strings.push(own);
    this.cacheText[h] = own;
    this.cacheIndex[h] = i;
    this.out.push(i);
  }

  private optStr(s: string | undefined): void {
    if (s === undefined) this.out.push(-1);
    else this.str(s);
  }

  private optBool(b: boolean | undefined): void {
    this.out.push(b === undefined ? 0 : b ? 2 : 1);
  }

  private optNum(n: number | undefined): void {
    if (n === undefined) this.out.push(-1);
    else {
      this.out.push(this.numbers.length);
      this.numbers.push(n);
    }
  }

  private ref(r: Ref): void {
    this.str(r.text);
    this.out.offsets(r.start, r.end);
  }

  private optRef(r: Ref | undefined): void {
    if (r === undefined) this.out.push(-1);
    else this.ref(r);
  }

  private strList(list: readonly string[]): void {
    this.out.push(list.length);
    for (const s of list) this.str(s);
  }

  private refList(list: readonly Ref[]): void {
    this.out.push(list.length);
    for (const r of list) this.ref(r);
  }

  private spans(spans: Spans): void {
    this.out.push(spans.length);
    for (let i = 0; i < spans.length; i += 3) {
      this.out.push(spans[i]!);
      this.out.offsets(spans[i + 1]!, spans[i + 2]!);
    }
  }

  private head(h: Head): void {
    this.optRef(h.name);
    this.out.offsets(h.kwStart, h.kwEnd);
    this.out.offsets(h.start, h.end);
    this.optStr(h.title);
  }

  private implied(list: readonly Implied[]): void {
    this.out.push(list.length);
    for (const x of list) {
      this.str(x.control);
      this.str(x.impliedBy);
      this.out.offsets(x.start, x.end);
    }
  }

  private value(v: PropValue): void {
    if (typeof v === "string") {
      this.out.push(0);
      this.str(v);
    } else if (typeof v === "number") {
      this.out.push(1);
      this.optNum(v);
    } else if (typeof v === "boolean") {
      this.out.push(v ? 3 : 2);
    } else {
      this.out.push(4);
      this.strList(v);
    }
  }

  decl(d: DeclDraft): void {
    this.begin(S_DECL);
    this.int(CATEGORIES.indexOf(d.category));
    this.int(d.index);
    this.ref(d.name);
    this.optStr(d.detail);
  }

  system(d: SystemDraft): void {
    this.begin(S_SYSTEM);
    this.str(d.title);
    this.out.offsets(d.start, d.end);
    this.optStr(d.owner);
    this.optStr(d.version);
    this.optStr(d.description);
    this.optStr(d.contact);
    this.optStr(d.repository);
  }

  zone(d: ZoneDraft): void {
    this.begin(S_ZONE);
    this.head(d.head);
    this.optRef(d.parent);
    this.int(d.enclosing);
    this.optStr(d.trust);
    this.int(d.hasTrust ? 1 : 0);
    this.optStr(d.description);
    this.optStr(d.owner);
    this.spans(d.spans);
  }

  data(d: DataDraft): void {
    this.begin(S_DATA);
    this.head(d.head);
    this.optStr(d.classification);
    this.strList(d.crown);
    this.strList(d.regulated);
    this.optStr(d.description);
    this.optStr(d.owner);
    this.spans(d.spans);
  }

  control(d: ControlDraft): void {
    this.begin(S_CONTROL);
    this.head(d.head);
    this.strList(d.mitigates);
    this.strList(d.atlas);
    this.optNum(d.cost);
    this.optStr(d.description);
    this.optStr(d.owner);
    this.refList(d.ruleRefs);
    this.refList(d.atlasRefs);
    this.spans(d.spans);
  }

  component(d: ComponentDraft): void {
    this.begin(S_COMPONENT);
    this.head(d.head);
    this.str(d.kind);
    this.optRef(d.parent);
    this.int(d.enclosing);
    this.optStr(d.trust);
    this.optStr(d.description);
    this.optStr(d.owner);
    this.refList(d.holds);
    this.refList(d.controls);
    this.strList(d.crown);
    this.strList(d.tags);
    this.optBool(d.stateless);
    this.int(d.props.length);
    for (const [key, v] of d.props) {
      this.str(key);
      this.value(v);
    }
    this.implied(d.implied);
    this.spans(d.spans);
  }

  flow(d: FlowDraft): void {
    this.begin(S_FLOW);
    if (!d.name) this.unnamedFlows++;
    this.optRef(d.name);
    this.ref(d.from);
    this.ref(d.to);
    this.out.offsets(d.start, d.end);
    this.optStr(d.title);
    this.optStr(d.kind);
    this.optStr(d.description);
    this.optStr(d.auth);
    this.optBool(d.encrypted);
    this.refList(d.controls);
    this.refList(d.carries);
    this.implied(d.implied);
    this.spans(d.spans);
  }

  asset(d: AssetDraft): void {
    this.begin(S_ASSET);
    this.ref(d.target);
    this.out.offsets(d.start, d.end);
    this.out.push(d.crown ? 1 : 0);
    this.strList(d.cia);
  }

  accept(d: AcceptDraft): void {
    this.begin(S_ACCEPT);
    this.ref(d.rule);
    this.ref(d.target);
    this.out.offsets(d.start, d.end);
    this.optStr(d.reason);
    this.optStr(d.owner);
    this.optStr(d.expires);
    this.optStr(d.ticket);
    this.out.offsets(d.expiresStart, d.expiresEnd);
  }

  import(d: ImportDraft): void {
    this.begin(S_IMPORT);
    this.str(d.spec);
    this.out.push(d.triple ? 1 : 0);
    this.out.offsets(d.start, d.end);
    this.out.offsets(d.pathStart, d.pathEnd);
  }

  private finished = false;

  /** Packs the records into a unit (one exact-size array) and hands the scratch to the next writer. */
  finish(): FileUnit {
    // A second call would read buffers the next writer may already be filling.
    if (this.finished) throw new Error("UnitWriter.finish called twice");
    this.finished = true;
    let total = 4 * HEADER;
    for (const s of this.sections) total += s.length;
    const bytes = new Uint8Array(total);
    let at = 4 * HEADER;
    this.sections.forEach((s, i) => {
      setWord(bytes, i, at);
      setWord(bytes, H_COUNT + i, this.counts[i]!);
      bytes.set(s.view(), at);
      at += s.length;
    });
    setWord(bytes, H_UNNAMED, this.unnamedFlows);
    releaseScratch(this.scratch);
    return {
      bytes,
      strings: this.strings,
      numbers: this.numbers,
      rules: this.rules,
      policies: this.policies,
    };
  }
}

function takeScratch(): Scratch {
  const s = spare ?? new Scratch();
  spare = undefined;
  return s;
}

function releaseScratch(s: Scratch): void {
  for (let i = 0; i < SECTIONS; i++) {
    if (s.sections[i]!.capacity > KEEP_BYTES) s.sections[i] = new VarintBuffer();
    else s.sections[i]!.reset();
  }
  // Cached indexes point into this unit's string table.
  s.cacheText.fill(undefined);
  spare = s;
}

/** Header word `i` of a unit. */
function word(bytes: Uint8Array, i: number): number {
  const p = 4 * i;
  return bytes[p]! | (bytes[p + 1]! << 8) | (bytes[p + 2]! << 16) | (bytes[p + 3]! << 24);
}

function setWord(bytes: Uint8Array, i: number, v: number): void {
  const p = 4 * i;
  bytes[p] = v & 0xff;
  bytes[p + 1] = (v >>> 8) & 0xff;
  bytes[p + 2] = (v >>> 16) & 0xff;
  bytes[p + 3] = v >>> 24;
}

/**
 * A growing byte array of varints (one section of a unit being written): typed storage the
 * collector does not scan, where a JS array of a large file's millions of integers would be a heap
 * object it scans and copies as it grows.
 */
class VarintBuffer {
  private data = new Uint8Array(256);
  length = 0;
  /** The last source offset written (offsets are stored as the difference from it). */
  private last = 0;

  /** Bytes it holds before growing. */
  get capacity(): number {
    return this.data.length;
  }

  reset(): void {
    this.length = 0;
    this.last = 0;
  }

  /** Writes a 32-bit integer (zigzag varint: -1 takes one byte). */
  push(v: number): void {
    if (this.length + 5 > this.data.length) {
      const bigger = new Uint8Array(this.data.length * 2);
      bigger.set(this.data);
      this.data = bigger;
    }
    const d = this.data;
    let z = ((v << 1) ^ (v >> 31)) >>> 0;
    let n = this.length;
    while (z >= 0x80) {
      d[n++] = (z & 0x7f) | 0x80;
      z >>>= 7;
    }
    d[n++] = z;
    this.length = n;
  }

  /** Writes two source offsets (a start and an end), each as the difference from the one before. */
  offsets(start: number, end: number): void {
    this.push(start - this.last);
    this.push(end - start);
    this.last = end;
  }

  /** The bytes written so far. */
  view(): Uint8Array {
    return this.data.subarray(0, this.length);
  }
}

/** The list a reader returns for every empty list: most entities have no controls, tags or holds. */
const EMPTY: readonly never[] = Object.freeze([]);

/** Reads one section of a unit back, record by record. */
export class UnitReader {
  private pos: number;
  private readonly bytes: Uint8Array;
  /** The last source offset read (see VarintBuffer.offsets). */
  private last = 0;
  private readonly strings: readonly string[];
  /** Records in the section. */
  readonly count: number;

  private constructor(
    private readonly unit: FileUnit,
    section: number,
  ) {
    this.bytes = unit.bytes;
    this.strings = unit.strings;
    this.pos = word(unit.bytes, section);
    this.count = word(unit.bytes, H_COUNT + section);
  }

  /** Readers of each section. */
  static decls = (u: FileUnit) => new UnitReader(u, S_DECL);
  static systems = (u: FileUnit) => new UnitReader(u, S_SYSTEM);
  static zones = (u: FileUnit) => new UnitReader(u, S_ZONE);
  static data = (u: FileUnit) => new UnitReader(u, S_DATA);
  static controls = (u: FileUnit) => new UnitReader(u, S_CONTROL);
  static components = (u: FileUnit) => new UnitReader(u, S_COMPONENT);
  static flows = (u: FileUnit) => new UnitReader(u, S_FLOW);
  static assets = (u: FileUnit) => new UnitReader(u, S_ASSET);
  static accepts = (u: FileUnit) => new UnitReader(u, S_ACCEPT);
  static imports = (u: FileUnit) => new UnitReader(u, S_IMPORT);

  /** Records in a section without reading it; `unnamedFlows` counts the flows without a name. */
  static counts(u: FileUnit): {
    zones: number;
    components: number;
    data: number;
    controls: number;
    flows: number;
    unnamedFlows: number;
  } {
    const h = u.bytes;
    return {
      zones: word(h, H_COUNT + S_ZONE),
      components: word(h, H_COUNT + S_COMPONENT),
      data: word(h, H_COUNT + S_DATA),
      controls: word(h, H_COUNT + S_CONTROL),
      flows: word(h, H_COUNT + S_FLOW),
      unnamedFlows: word(h, H_UNNAMED),
    };
  }

  /** Reads a zigzag varint (VarintBuffer.push); one byte, the common case, stays small to inline. */
  private int(): number {
    const z = this.bytes[this.pos++]!;
    return z < 0x80 ? (z >>> 1) ^ -(z & 1) : this.longInt(z);
  }

  /** The rest of a varint whose first byte `first` has its high bit set. */
  private longInt(first: number): number {
    const b = this.bytes;
    let p = this.pos;
    let z = first & 0x7f;
    let shift = 7;
    let c: number;
    do {
      c = b[p++]!;
      z |= (c & 0x7f) << shift;
      shift += 7;
    } while (c >= 0x80);
    this.pos = p;
    return (z >>> 1) ^ -(z & 1);
  }

  /** Reads a start offset (VarintBuffer.offsets); `end` must follow. */
  private start(): number {
    return (this.last += this.int());
  }

  /** Reads the end offset after `start`. */
  private end(): number {
    return (this.last += this.int());
  }

  private str(): string {
    return this.strings[this.int()]!;
  }

  private optStr(): string | undefined {
    const i = this.int();
    return i < 0 ? undefined : this.strings[i]!;
  }

  private optBool(): boolean | undefined {
    const b = this.int();
    return b === 0 ? undefined : b === 2;
  }

  private optNum(): number | undefined {
    const i = this.int();
    return i < 0 ? undefined : this.unit.numbers[i]!;
  }

  private ref(): Ref {
    return this.refOf(this.str());
  }

  private refOf(text: string): Ref {
    const start = this.start();
    const end = this.end();
    return { text, start, end };
  }

  private optRef(): Ref | undefined {
    const i = this.int();
    return i < 0 ? undefined : this.refOf(this.strings[i]!);
  }

  private strList(): readonly string[] {
    const n = this.int();
    if (n === 0) return EMPTY;
    const out = new Array<string>(n);
    for (let i = 0; i < n; i++) out[i] = this.str();
    return out;
  }

  private refList(): readonly Ref[] {
    const n = this.int();
    if (n === 0) return EMPTY;
    const out = new Array<Ref>(n);
    for (let i = 0; i < n; i++) out[i] = this.ref();
    return out;
  }

  private spans(): readonly number[] {
    const n = this.int();
    if (n === 0) return EMPTY;
    const out = new Array<number>(n);
    for (let i = 0; i < n; i += 3) {
      out[i] = this.int();
      out[i + 1] = this.start();
      out[i + 2] = this.end();
    }
    return out;
  }

  private head(): Head {
    const name = this.optRef();
    const kwStart = this.start();
    const kwEnd = this.end();
    const start = this.start();
    const end = this.end();
    return { name, kwStart, kwEnd, start, end, title: this.optStr() };
  }

  private implied(): readonly Implied[] {
    const n = this.int();
    if (n === 0) return EMPTY;
    const out: Implied[] = [];
    for (let i = 0; i < n; i++) {
      const control = this.str();
      const impliedBy = this.str();
      const start = this.start();
      out.push({ control, impliedBy, start, end: this.end() });
    }
    return out;
  }

  private value(): PropValue {
    const tag = this.int();
    if (tag === 0) return this.str();
    if (tag === 1) return this.optNum()!;
    if (tag === 2 || tag === 3) return tag === 3;
    return this.strList();
  }

  decl(): DeclDraft {
    const category = CATEGORIES[this.int()]!;
    const index = this.int();
    const name = this.ref();
    return { category, index, name, detail: this.optStr() };
  }

  system(): SystemDraft {
    const title = this.str();
    const start = this.start();
    const end = this.end();
    return {
      title,
      start,
      end,
      owner: this.optStr(),
      version: this.optStr(),
      description: this.optStr(),
      contact: this.optStr(),
      repository: this.optStr(),
    };
  }

  zone(): ZoneDraft {
    return {
      head: this.head(),
      parent: this.optRef(),
      enclosing: this.int(),
      trust: this.optStr(),
      hasTrust: this.int() === 1,
      description: this.optStr(),
      owner: this.optStr(),
      spans: this.spans(),
    };
  }

  data(): DataDraft {
    return {
      head: this.head(),
      classification: this.optStr(),
      crown: this.strList(),
      regulated: this.strList(),
      description: this.optStr(),
      owner: this.optStr(),
      spans: this.spans(),
    };
  }

  control(): ControlDraft {
    return {
      head: this.head(),
      mitigates: this.strList(),
      atlas: this.strList(),
      cost: this.optNum(),
      description: this.optStr(),
      owner: this.optStr(),
      ruleRefs: this.refList(),
      atlasRefs: this.refList(),
      spans: this.spans(),
    };
  }

  component(): ComponentDraft {
    const head = this.head();
    const kind = this.str();
    const parent = this.optRef();
    const enclosing = this.int();
    const trust = this.optStr();
    const description = this.optStr();
    const owner = this.optStr();
    const holds = this.refList();
    const controls = this.refList();
    const crown = this.strList();
    const tags = this.strList();
    const stateless = this.optBool();
    const n = this.int();
    const props: [string, PropValue][] = [];
    for (let i = 0; i < n; i++) {
      const key = this.str();
      props.push([key, this.value()]);
    }
    return {
      head,
      kind,
      parent,
      enclosing,
      trust,
      description,
      owner,
      holds,
      controls,
      crown,
      tags,
      stateless,
      props,
      implied: this.implied(),
      spans: this.spans(),
    };
  }

  flow(): FlowDraft {
    return {
      name: this.optRef(),
      from: this.ref(),
      to: this.ref(),
      start: this.start(),
      end: this.end(),
      title: this.optStr(),
      kind: this.optStr(),
      description: this.optStr(),
      auth: this.optStr(),
      encrypted: this.optBool(),
      controls: this.refList(),
      carries: this.refList(),
      implied: this.implied(),
      spans: this.spans(),
    };
  }

  asset(): AssetDraft {
    const target = this.ref();
    const start = this.start();
    const end = this.end();
    const crown = this.int() === 1;
    return { target, start, end, crown, cia: this.strList() };
  }

  accept(): AcceptDraft {
    return {
      rule: this.ref(),
      target: this.ref(),
      start: this.start(),
      end: this.end(),
      reason: this.optStr(),
      owner: this.optStr(),
      expires: this.optStr(),
      ticket: this.optStr(),
      expiresStart: this.start(),
      expiresEnd: this.end(),
    };
  }

  import(): ImportDraft {
    const spec = this.str();
    const triple = this.int() === 1;
    const start = this.start();
    const end = this.end();
    return { spec, triple, start, end, pathStart: this.start(), pathEnd: this.end() };
  }
}
