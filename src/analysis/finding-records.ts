import type { Location } from "../diagnostics/diagnostic.js";
import { currentArena, scratchI32, type Arena } from "../graph/arena.js";
import { lineIndex, type SourceFile } from "../source.js";
import type { Acceptance, ControlUse, ResolvedModel, Subject } from "../semantic/model.js";
import type { Fact } from "./facts.js";
import {
  fingerprintBytes,
  fingerprintHex,
  severityOf,
  type Finding,
  type FindingStatus,
  type Severity,
  FINDING_STATUSES,
} from "./findings.js";
import { MadeOnRead, type ReadList } from "./made-on-read.js";
import { LEVELS, type Level, type RuleMeta } from "./rule.js";

/**
 * What reads findings one at a time by number (ADR 0021): the engine's records, or a plain list of
 * `Finding` objects (tests, `explain`'s one finding). Outputs read through this, so a record's
 * derived fields (id, fingerprint, names) are made when asked and not kept per finding.
 */
export interface FindingSource {
  readonly length: number;
  id(i: number): string;
  fingerprint(i: number): string;
  rule(i: number): string;
  category(i: number): Finding["category"];
  title(i: number): string;
  message(i: number): string;
  subjectType(i: number): Subject["type"];
  subjectIndex(i: number): number;
  location(i: number): Location;
  factCount(i: number): number;
  /** The j-th fact of finding i. */
  fact(i: number, j: number): Fact;
  /** The j-th fact's location of finding i (its text not made). */
  factLocation(i: number, j: number): Location;
  likelihood(i: number): Level;
  impact(i: number): Level;
  severity(i: number): Severity;
  rationale(i: number): string;
  status(i: number): FindingStatus;
  mitigatedBy(i: number): readonly ControlUse[];
  residualLikelihood(i: number): Level;
  residualSeverity(i: number): Severity;
  acceptance(i: number): Acceptance | undefined;
  recommended(i: number): readonly string[];
}

/** A list of findings as consumers read it: the engine's records and a plain `Finding[]` both are one. */
export type FindingList = ReadList<Finding>;

/** A `FindingSource` over a list of findings: what a list that is not the engine's records reads through. */
export function sourceOf(list: FindingList): FindingSource {
  if (list instanceof FindingRecords) return list;
  return new ListSource(list);
}

class ListSource implements FindingSource {
  constructor(private readonly list: FindingList) {}
  private f(i: number): Finding {
    return this.list.at(i)!;
  }
  get length(): number {
    return this.list.length;
  }
  id(i: number): string {
    return this.f(i).id;
  }
  fingerprint(i: number): string {
    return this.f(i).fingerprint;
  }
  rule(i: number): string {
    return this.f(i).rule;
  }
  category(i: number): Finding["category"] {
    return this.f(i).category;
  }
  title(i: number): string {
    return this.f(i).title;
  }
  message(i: number): string {
    return this.f(i).message;
  }
  subjectType(i: number): Subject["type"] {
    return this.f(i).subject.type;
  }
  subjectIndex(i: number): number {
    return this.f(i).subject.index;
  }
  location(i: number): Location {
    return this.f(i).location;
  }
  factCount(i: number): number {
    return this.f(i).facts.length;
  }
  fact(i: number, j: number): Fact {
    return this.f(i).facts[j]!;
  }
  factLocation(i: number, j: number): Location {
    return this.f(i).facts[j]!.loc;
  }
  likelihood(i: number): Level {
    return this.f(i).likelihood;
  }
  impact(i: number): Level {
    return this.f(i).impact;
  }
  severity(i: number): Severity {
    return this.f(i).severity;
  }
  rationale(i: number): string {
    return this.f(i).rationale;
  }
  status(i: number): FindingStatus {
    return this.f(i).status;
  }
  mitigatedBy(i: number): readonly ControlUse[] {
    return this.f(i).mitigatedBy;
  }
  residualLikelihood(i: number): Level {
    return this.f(i).residualLikelihood;
  }
  residualSeverity(i: number): Severity {
    return this.f(i).residualSeverity;
  }
  acceptance(i: number): Acceptance | undefined {
    return this.f(i).acceptance;
  }
  recommended(i: number): readonly string[] {
    return this.f(i).recommended;
  }
}

const SUBJECT_TYPES: readonly Subject["type"][] = ["component", "flow", "data"];

/** A subject type as its code in the records (the order of `SUBJECT_TYPES`). */
const subjectTypeCode = (t: Subject["type"]): number => (t === "component" ? 0 : t === "flow" ? 1 : 2);

/** A level as its code in the records (its place in `LEVELS`). */
const levelCode = (l: Level): number => (l === "low" ? 0 : l === "medium" ? 1 : l === "high" ? 2 : 3);

/** A status as its code in the records (its place in `FINDING_STATUSES`). */
const statusCode = (s: FindingStatus): number => (s === "open" ? 0 : s === "mitigated" ? 1 : 2);

const sameFact = (a: Fact, b: Fact): boolean =>
  a === b ||
  (a.text === b.text && a.loc.file === b.loc.file && a.loc.start === b.loc.start && a.loc.end === b.loc.end);

/** Whether `fs[i]` says what one of `fs[0..i)` already said (word for word at the same place). */
function saidBefore(fs: readonly Fact[], i: number): boolean {
  const f = fs[i]!;
  for (let j = 0; j < i; j++) if (sameFact(f, fs[j]!)) return true;
  return false;
}

/** Whether two lists hold the same controls in the same order. */
function sameUses(a: readonly ControlUse[], b: readonly ControlUse[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Characters joined into one string before it is sealed: large enough for V8's large-object space. */
const JOINED_CHARS = 1 << 18;

/**
 * Texts of their own per finding (messages) kept joined in long strings (ADR 0021): a text is its
 * position and length. Each message was a string of its own, flattened by the engine, copied by two
 * young collections and marked by each full one; joined, the template's pieces die young and the
 * characters are written once, into a string the young collections never copy (it is made in the
 * large-object space). Reading one makes a slice of the joined string.
 */
export class JoinedTexts {
  private pending: string[] = [];
  private pendingChars = 0;
  private total = 0;
  /** The sealed strings, and the position of each one's first character. */
  private readonly joined: string[] = [];
  private readonly joinedStart: number[] = [];
  /** How many strings are sealed: it grows when an `add` seals the texts before it. */
  get sealedCount(): number {
    return this.joined.length;
  }
  /** Adds a text; gives its position (its length is its own). */
  add(s: string): number {
    const at = this.total;
    // Positions are kept in Int32 columns: past them a read would give another text, so stop loudly.
    if (at + s.length > 0x7fffffff)
      throw new RangeError("JoinedTexts: more than 2^31 - 1 characters of messages or facts");
    this.pending.push(s);
    this.total += s.length;
    this.pendingChars += s.length;
    if (this.pendingChars >= JOINED_CHARS) this.seal();
    return at;
  }
  /** Joins the texts added since the last seal (reading needs them sealed). */
  seal(): void {
    if (this.pending.length === 0) return;
    this.joinedStart.push(this.total - this.pendingChars);
    this.joined.push(this.pending.join(""));
    this.pending = [];
    this.pendingChars = 0;
  }
  /** The text at `at` of `length` characters (sealed). */
  read(at: number, length: number): string {
    // The sealed string holding it: the last that starts at or before it.
    const k = lineIndex(this.joinedStart, at);
    const from = at - this.joinedStart[k]!;
    return this.joined[k]!.substring(from, from + length);
  }
}

/** Values per chunk of a `ChunkedInt32` (256 KB). */
const LIST_BITS = 16;
const LIST_MASK = (1 << LIST_BITS) - 1;

/**
 * A list of Int32 values in fixed-size chunks, each taken (from the rule stage's arena when one is in
 * scope) by `take`: written once, never copied while it grows, and copied out once, exact-size.
 */
class ChunkedInt32 {
  private readonly chunks: Int32Array[] = [];
  length = 0;
  constructor(private readonly take: (n: number) => Int32Array) {}
  push(v: number): void {
    const n = this.length++;
    const c = n >> LIST_BITS;
    if (c === this.chunks.length) this.chunks.push(this.take(1 << LIST_BITS));
    this.chunks[c]![n & LIST_MASK] = v;
  }
  get(i: number): number {
    return this.chunks[i >> LIST_BITS]![i & LIST_MASK]!;
  }
  /** The values as one exact-size array of their own (outside any arena). */
  toArray(): Int32Array {
    const out = new Int32Array(this.length);
    for (let c = 0, at = 0; at < this.length; c++, at += 1 << LIST_BITS) {
      const chunk = this.chunks[c]!;
      out.set(at + chunk.length <= this.length ? chunk : chunk.subarray(0, this.length - at), at);
    }
    return out;
  }
}

/**
 * What a fact object carries once a table has numbered it: the table's token, its number there, and
 * the object itself (a copy made with a spread carries the first two but not itself: a new fact).
 */
const FACT_TABLE = Symbol("fact table");
const FACT_NUMBER = Symbol("fact number");
const FACT_SELF = Symbol("fact self");
interface NumberedFact extends Fact {
  [FACT_TABLE]?: object;
  [FACT_NUMBER]?: number;
  [FACT_SELF]?: Fact;
}

/**
 * The distinct fact objects the findings show, each a number (ADR 0021 step 2, third part): its
 * text is a position and length in joined strings (`JoinedTexts`), its location three numbers
 * (file, start and end). A finding keeps its facts as numbers, so the fact objects and their texts
 * are not kept alive by the findings: each one's characters are written once, into a string the
 * young collections never copy, and what the rules' caches hold dies with them. A fact object met
 * again (the library's facts are shared by every finding showing them) keeps its number, which the
 * object carries (symbol keys, which no output writes): a map from facts to numbers would keep
 * every fact alive, and a weak one made the young collections slower than the copying it saved.
 */
class FactTable {
  private readonly token = {};
  readonly texts = new JoinedTexts();
  readonly textAt: ChunkedInt32;
  readonly textLength: ChunkedInt32;
  /**
   * Each fact's location as three numbers: its file's place in `files`, start and end. The location
   * objects were kept for the facts alone (407 thousand at 100k, and a pointer per fact); a read
   * makes one.
   */
  readonly locFile: ChunkedInt32;
  readonly locStart: ChunkedInt32;
  readonly locEnd: ChunkedInt32;
  readonly files: SourceFile[] = [];
  private readonly fileNumbers = new Map<SourceFile, number>();
  private lastFile: SourceFile | undefined = undefined;
  private lastFileNumber = -1;
  /** The numbers of frozen (or sealed) facts, which take no keys: rare constants, kept alive anyway. */
  private readonly frozen = new Map<Fact, number>();
  /** Numbered facts whose texts are not sealed yet, with each one's position (`repoint`). */
  private unsealed: NumberedFact[] = [];
  private unsealedAt: number[] = [];
  constructor(take: (n: number) => Int32Array) {
    this.textAt = new ChunkedInt32(take);
    this.textLength = new ChunkedInt32(take);
    this.locFile = new ChunkedInt32(take);
    this.locStart = new ChunkedInt32(take);
    this.locEnd = new ChunkedInt32(take);
  }
  /** The number of a fact's file (a rule's facts are mostly in one file: the last is kept). */
  private fileNumber(file: SourceFile): number {
    if (file === this.lastFile) return this.lastFileNumber;
    let k = this.fileNumbers.get(file);
    if (k === undefined) this.fileNumbers.set(file, (k = this.files.push(file) - 1));
    this.lastFile = file;
    return (this.lastFileNumber = k);
  }
  /** The fact's number, given it on first sight. */
  numberFor(fact: Fact): number {
    const f = fact as NumberedFact;
    if (f[FACT_TABLE] === this.token && f[FACT_SELF] === f) return f[FACT_NUMBER]!;
    const extensible = Object.isExtensible(f);
    if (!extensible) {
      const known = this.frozen.get(f);
      if (known !== undefined) return known;
    }
    // Every column has a row per number given: the next number is their length.
    const n = this.locFile.length;
    const loc = f.loc;
    this.locFile.push(this.fileNumber(loc.file));
    this.locStart.push(loc.start);
    this.locEnd.push(loc.end);
    const text = f.text;
    // Flattened where it is, as the engine did for every fact: a fact a rule's cache keeps would
    // otherwise keep its text's tree of pieces alive while the rules run, for the young collections
    // to copy (joining does not flatten it).
    text.charCodeAt(0);
    const sealed = this.texts.sealedCount;
    const at = this.texts.add(text);
    this.textAt.push(at);
    this.textLength.push(text.length);
    // Marking a frozen (or sealed) fact would throw and fail its rule: its number is kept here.
    if (!extensible) {
      this.frozen.set(f, n);
    } else {
      f[FACT_TABLE] = this.token;
      f[FACT_NUMBER] = n;
      f[FACT_SELF] = f;
      this.unsealed.push(f);
      this.unsealedAt.push(at);
    }
    if (this.texts.sealedCount !== sealed) this.repoint();
    return n;
  }
  /** Seals the texts (reading needs them sealed), and lets go of the facts numbered last. */
  seal(): void {
    this.texts.seal();
    this.repoint();
  }
  /**
   * Points the text of each fact just sealed at its characters in the joined string (an equal
   * string: a slice, a few bytes, where a text of its own held them all again). The rule library
   * keeps the facts it shares for the whole stage, so each of their texts was held twice, in the
   * fact and in the table (the library's caches at the rules' end at 100k 205 -> 186 MB, ADR 0023).
   */
  private repoint(): void {
    const facts = this.unsealed;
    const at = this.unsealedAt;
    for (let i = 0; i < facts.length; i++) {
      const f = facts[i]! as { text: string };
      f.text = this.texts.read(at[i]!, f.text.length);
    }
    this.unsealed = [];
    this.unsealedAt = [];
  }
}

/** The fact table as the finished records read it: every column exact-size, the texts sealed. */
interface FactColumns {
  readonly texts: JoinedTexts;
  readonly textAt: Int32Array;
  readonly textLength: Int32Array;
  readonly locFile: Int32Array;
  readonly locStart: Int32Array;
  readonly locEnd: Int32Array;
  readonly files: readonly SourceFile[];
}

/** A record's fields while the rules report them: one Int32 each, a row per record. */
const F_RULE = 0; // rule << 10 | subject type << 8 | levels
const F_SUBJECT = 1;
const F_MESSAGE_AT = 2;
const F_MESSAGE_LENGTH = 3;
const F_RATIONALE = 4;
const F_RECOMMENDED = 5;
const F_MITIGATED_BY = 6;
const F_ACCEPTANCE = 7;
const F_FACT_START = 8;
const F_FACT_COUNT = 9;
const FIELDS = 10;
/** Records per chunk (320 KB of rows). */
const CHUNK_BITS = 13;
const CHUNK = 1 << CHUNK_BITS;
const CHUNK_MASK = CHUNK - 1;

/**
 * The findings while the rules report them, in report order: rows of Int32 fields in fixed-size
 * chunks (from the rule stage's arena when there is one), turned into exact-size typed columns in id
 * order by `finish`. Ten lists of small integers grown by push allocated about 140 MB per run at 100k
 * (each growth copies the list), all of it garbage by the end of the stage; a chunk is written once.
 * Chunks are not given back when a rule's records are dropped: the next rule writes over them. A
 * chunk from the arena must outlive every release while the rules run (`checkChunks`).
 */
export class RecordsBuilder {
  private readonly chunks: Int32Array[] = [];
  private count = 0;
  /** The arena the last chunk taken from one came from, and its top just after (`chunkIn`). */
  private chunkArena: Arena | undefined;
  private chunkTop = 0;
  readonly key: string[] = [];
  readonly messages = new JoinedTexts();
  /** The distinct facts; every finding's facts, as their numbers, one after another (a range each). */
  private readonly factTable = new FactTable((n) => this.chunkIn(currentArena(), n));
  private readonly facts = new ChunkedInt32((n) => this.chunkIn(currentArena(), n));
  /** Shared tables the records index: 0 is always "none" where one can be absent. */
  readonly rationales: string[] = [];
  readonly recommendedLists: (readonly string[])[] = [];
  readonly mitigationLists: (readonly ControlUse[])[] = [[]];
  readonly acceptances: (Acceptance | undefined)[] = [undefined];
  private readonly rationaleIndex = new Map<string, number>();
  private readonly recommendedIndex = new Map<readonly string[], number>();
  /** The mitigation lists' numbers by their first control (most lists hold one). */
  private readonly mitigationsByFirst = new Map<ControlUse, number[]>();

  get length(): number {
    return this.count;
  }
  // The last rationale and recommended list and their numbers: a rule reports most findings with its
  // standard ones, so most findings skip the tables' lookups.
  private lastRationale = "";
  private lastRationaleNumber = -1;
  private lastRecommended: readonly string[] | undefined = undefined;
  private lastRecommendedNumber = -1;
  private rationaleOf(s: string): number {
    if (s === this.lastRationale && this.lastRationaleNumber >= 0) return this.lastRationaleNumber;
    let i = this.rationaleIndex.get(s);
    if (i === undefined) this.rationaleIndex.set(s, (i = this.rationales.push(s) - 1));
    this.lastRationale = s;
    return (this.lastRationaleNumber = i);
  }
  private recommendedOf(list: readonly string[]): number {
    if (list === this.lastRecommended) return this.lastRecommendedNumber;
    let i = this.recommendedIndex.get(list);
    if (i === undefined) this.recommendedIndex.set(list, (i = this.recommendedLists.push(list) - 1));
    this.lastRecommended = list;
    return (this.lastRecommendedNumber = i);
  }
  /**
   * The number of a list of controls: one list per distinct list, copied exact-size when new. A list
   * per mitigated finding was 103,616 lists at 100k for 120,883 controls; one control declared on a
   * component mitigates the findings of several rules and subjects.
   */
  private mitigationsOf(uses: readonly ControlUse[]): number {
    let lists = this.mitigationsByFirst.get(uses[0]!);
    if (lists === undefined) this.mitigationsByFirst.set(uses[0]!, (lists = []));
    for (const k of lists) if (sameUses(this.mitigationLists[k]!, uses)) return k;
    const k = this.mitigationLists.push(uses.slice()) - 1;
    lists.push(k);
    return k;
  }
  /** Appends a finding's record; its facts are kept each said once, in order, as their numbers. */
  add(
    rule: number,
    subject: Subject,
    key: string,
    message: string,
    likelihood: Level,
    impact: Level,
    residualLikelihood: Level,
    status: FindingStatus,
    rationale: string,
    recommended: readonly string[],
    mitigatedBy: readonly ControlUse[] | undefined,
    acceptance: Acceptance | undefined,
    facts: readonly Fact[],
  ): void {
    this.checkChunks();
    const n = this.count++;
    const c = n >> CHUNK_BITS;
    if (c === this.chunks.length) this.chunks.push(this.chunkIn(currentArena(), CHUNK * FIELDS));
    const row = this.chunks[c]!;
    const at = (n & CHUNK_MASK) * FIELDS;
    row[at + F_RULE] =
      (rule << 10) |
      (subjectTypeCode(subject.type) << 8) |
      levelCode(likelihood) |
      (levelCode(impact) << 2) |
      (levelCode(residualLikelihood) << 4) |
      (statusCode(status) << 6);
    row[at + F_SUBJECT] = subject.index;
    row[at + F_MESSAGE_AT] = this.messages.add(message);
    row[at + F_MESSAGE_LENGTH] = message.length;
    row[at + F_RATIONALE] = this.rationaleOf(rationale);
    row[at + F_RECOMMENDED] = this.recommendedOf(recommended);
    row[at + F_MITIGATED_BY] = mitigatedBy ? this.mitigationsOf(mitigatedBy) : 0;
    row[at + F_ACCEPTANCE] = acceptance ? this.acceptances.push(acceptance) - 1 : 0;
    row[at + F_FACT_START] = this.facts.length;
    row[at + F_FACT_COUNT] = this.pushFacts(facts);
    this.key.push(key);
  }
  /**
   * Appends the numbers of the facts, each said once (a rule that joins two chains, one per reason a
   * finding has, repeated the steps they share, word for word at the same place); gives how many.
   */
  private pushFacts(fs: readonly Fact[]): number {
    const start = this.facts.length;
    for (let i = 0; i < fs.length; i++)
      if (!saidBefore(fs, i)) this.facts.push(this.factTable.numberFor(fs[i]!));
    return this.facts.length - start;
  }
  /** A new chunk of n values, from `arena` when it has room (its top after it is kept, for `checkChunks`). */
  private chunkIn(arena: Arena | undefined, n: number): Int32Array {
    const before = arena?.used;
    const chunk = scratchI32(n);
    if (arena !== undefined && arena.used !== before) {
      this.chunkArena = arena;
      this.chunkTop = arena.used;
    }
    return chunk;
  }
  /**
   * Stops loudly when the arena's top has gone below the last chunk taken from it: the chunk was
   * given back while its rows are in use (a rule reported inside a `scratchScope`, or between a
   * `mark` and its `release`), and what the arena hands out next would write over them.
   */
  private checkChunks(): void {
    const arena = this.chunkArena;
    if (arena !== undefined && arena.used < this.chunkTop)
      throw new Error(
        "the findings' records were given back to the arena while in use (a rule reported inside a scratchScope?)",
      );
  }
  /** Field `f` of record `r`. */
  private field(r: number, f: number): number {
    return this.chunks[r >> CHUNK_BITS]![(r & CHUNK_MASK) * FIELDS + f]!;
  }
  /** Drops the records from `n` on (a rule that threw reports nothing). */
  truncate(n: number): void {
    if (n >= this.count) return;
    // The facts the dropped records gave numbers keep them (unread): only the ranges go.
    this.facts.length = this.field(n, F_FACT_START);
    this.key.length = n;
    this.count = n;
  }
  /** The records in the order given (record numbers of this builder), as a finished list. */
  finish(model: ResolvedModel, metas: readonly RuleMeta[], order: ArrayLike<number>): FindingRecords {
    const n = order.length;
    const rule = new Uint16Array(n);
    const subjectType = new Uint8Array(n);
    const subjectIndex = new Int32Array(n);
    const levels = new Uint8Array(n);
    const rationale = new Int32Array(n);
    const recommended = new Int32Array(n);
    const mitigatedBy = new Int32Array(n);
    const acceptance = new Int32Array(n);
    const factStart = new Int32Array(n);
    const factCount = new Int32Array(n);
    // Each key once (at 100k 88,907 keys, 17,172 distinct), 0 for none.
    const key = new Int32Array(n);
    const keys: string[] = [""];
    const keyNumbers = new Map<string, number>([["", 0]]);
    const messageAt = new Int32Array(n);
    const messageLength = new Int32Array(n);
    this.checkChunks();
    this.messages.seal();
    const table = this.factTable;
    table.seal();
    const chunks = this.chunks;
    for (let i = 0; i < n; i++) {
      const r = order[i]!;
      const row = chunks[r >> CHUNK_BITS]!;
      const at = (r & CHUNK_MASK) * FIELDS;
      const packed = row[at + F_RULE]!;
      rule[i] = packed >>> 10;
      subjectType[i] = (packed >> 8) & 3;
      levels[i] = packed & 255;
      subjectIndex[i] = row[at + F_SUBJECT]!;
      rationale[i] = row[at + F_RATIONALE]!;
      recommended[i] = row[at + F_RECOMMENDED]!;
      mitigatedBy[i] = row[at + F_MITIGATED_BY]!;
      acceptance[i] = row[at + F_ACCEPTANCE]!;
      const k = this.key[r]!;
      if (k !== "") {
        let x = keyNumbers.get(k);
        if (x === undefined) keyNumbers.set(k, (x = keys.push(k) - 1));
        key[i] = x;
      }
      messageAt[i] = row[at + F_MESSAGE_AT]!;
      messageLength[i] = row[at + F_MESSAGE_LENGTH]!;
      // The facts stay where they were reported: a finding's range is read through its own start.
      factStart[i] = row[at + F_FACT_START]!;
      factCount[i] = row[at + F_FACT_COUNT]!;
    }
    return new FindingRecords(model, metas, {
      rule,
      subjectType,
      subjectIndex,
      levels,
      rationale,
      recommended,
      mitigatedBy,
      acceptance,
      factStart,
      factCount,
      key,
      keys,
      messageAt,
      messageLength,
      messages: this.messages,
      facts: this.facts.toArray(),
      factTable: {
        texts: table.texts,
        textAt: table.textAt.toArray(),
        textLength: table.textLength.toArray(),
        locFile: table.locFile.toArray(),
        locStart: table.locStart.toArray(),
        locEnd: table.locEnd.toArray(),
        files: table.files,
      },
      rationales: this.rationales,
      recommendedLists: this.recommendedLists,
      mitigationLists: this.mitigationLists,
      acceptances: this.acceptances,
    });
  }
}

interface Columns {
  readonly rule: Uint16Array;
  readonly subjectType: Uint8Array;
  readonly subjectIndex: Int32Array;
  readonly levels: Uint8Array;
  readonly rationale: Int32Array;
  readonly recommended: Int32Array;
  readonly mitigatedBy: Int32Array;
  readonly acceptance: Int32Array;
  readonly factStart: Int32Array;
  readonly factCount: Int32Array;
  /** Each finding's key as its place in `keys` (0: none). */
  readonly key: Int32Array;
  readonly keys: readonly string[];
  readonly messageAt: Int32Array;
  readonly messageLength: Int32Array;
  readonly messages: JoinedTexts;
  /** Every finding's facts as numbers in `factTable`, in report order (a range per finding). */
  readonly facts: Int32Array;
  readonly factTable: FactColumns;
  readonly rationales: readonly string[];
  readonly recommendedLists: readonly (readonly string[])[];
  readonly mitigationLists: readonly (readonly ControlUse[])[];
  readonly acceptances: readonly (Acceptance | undefined)[];
}

/**
 * The findings of a run as records in typed columns, sorted by id (ADR 0021): rule, subject, key,
 * levels and status, and indices into shared tables (rationales, recommended lists, mitigations,
 * acceptances) and into one list of every finding's facts. Nothing a finding can be derived from is
 * kept as a string or object of its own: the id, title, category, subject's name, kind and
 * location, severity and residual severity are read from the rule and the model when asked. The
 * fingerprint is worked out on first read and kept as 8 bytes. `at(i)` (and iteration) gives a
 * `Finding` that reads through the records.
 */
export class FindingRecords extends MadeOnRead<Finding> implements FindingSource, FindingList {
  readonly length: number;
  private readonly c: Columns;
  /** Each finding's fingerprint bytes, once worked out (`hasPrint`). */
  private readonly prints: Uint8Array;
  private readonly hasPrint: Uint8Array;
  constructor(
    readonly model: ResolvedModel,
    /** Rule metadata by the rule number of a record. */
    readonly metas: readonly RuleMeta[],
    columns: Columns,
  ) {
    super();
    this.c = columns;
    this.length = columns.rule.length;
    this.prints = new Uint8Array(this.length * 8);
    this.hasPrint = new Uint8Array(this.length);
  }
  meta(i: number): RuleMeta {
    return this.metas[this.c.rule[i]!]!;
  }
  /** The rule's number (its place in the run's rules) of finding i. */
  ruleNumber(i: number): number {
    return this.c.rule[i]!;
  }
  rule(i: number): string {
    return this.meta(i).id;
  }
  category(i: number): Finding["category"] {
    return this.meta(i).category;
  }
  title(i: number): string {
    return this.meta(i).title;
  }
  key(i: number): string | undefined {
    const k = this.c.key[i]!;
    return k === 0 ? undefined : this.c.keys[k];
  }
  subjectName(i: number): string {
    const x = this.c.subjectIndex[i]!;
    const t = this.c.subjectType[i]!;
    const m = this.model;
    return t === 0 ? m.components[x]!.name : t === 1 ? m.flows[x]!.id : m.data[x]!.name;
  }
  subjectKind(i: number): string {
    const t = this.c.subjectType[i]!;
    return t === 0 ? this.model.components[this.c.subjectIndex[i]!]!.kind : t === 1 ? "flow" : "data";
  }
  subjectType(i: number): Subject["type"] {
    return SUBJECT_TYPES[this.c.subjectType[i]!]!;
  }
  subjectIndex(i: number): number {
    return this.c.subjectIndex[i]!;
  }
  subject(i: number): Subject {
    return { type: this.subjectType(i), index: this.c.subjectIndex[i]! };
  }
  location(i: number): Location {
    const x = this.c.subjectIndex[i]!;
    const t = this.c.subjectType[i]!;
    const m = this.model;
    return t === 0 ? m.components[x]!.nameLoc : t === 1 ? m.flows[x]!.loc : m.data[x]!.nameLoc;
  }
  /** `RULE:subject` (+ `:key`), made on each call. */
  id(i: number): string {
    const k = this.c.keys[this.c.key[i]!]!;
    const base = `${this.meta(i).id}:${this.subjectName(i)}`;
    return k === "" ? base : `${base}:${k}`;
  }
  fingerprint(i: number): string {
    if (this.hasPrint[i] === 0) {
      fingerprintBytes(this.id(i), this.prints, i * 8);
      this.hasPrint[i] = 1;
    }
    return fingerprintHex(this.prints, i * 8);
  }
  message(i: number): string {
    return this.c.messages.read(this.c.messageAt[i]!, this.c.messageLength[i]!);
  }
  factCount(i: number): number {
    return this.c.factCount[i]!;
  }
  /** The j-th fact of finding i, made on each call (its text a slice of the joined texts). */
  fact(i: number, j: number): Fact {
    const t = this.c.factTable;
    const n = this.c.facts[this.c.factStart[i]! + j]!;
    return { text: t.texts.read(t.textAt[n]!, t.textLength[n]!), loc: this.factLoc(n) };
  }
  factLocation(i: number, j: number): Location {
    return this.factLoc(this.c.facts[this.c.factStart[i]! + j]!);
  }
  /** The location of fact number `n` in the table, made on each call. */
  private factLoc(n: number): Location {
    const t = this.c.factTable;
    return { file: t.files[t.locFile[n]!]!, start: t.locStart[n]!, end: t.locEnd[n]! };
  }
  facts(i: number): Fact[] {
    const out: Fact[] = [];
    for (let j = 0, n = this.c.factCount[i]!; j < n; j++) out.push(this.fact(i, j));
    return out;
  }
  likelihood(i: number): Level {
    return LEVELS[this.c.levels[i]! & 3]!;
  }
  impact(i: number): Level {
    return LEVELS[(this.c.levels[i]! >> 2) & 3]!;
  }
  residualLikelihood(i: number): Level {
    return LEVELS[(this.c.levels[i]! >> 4) & 3]!;
  }
  status(i: number): FindingStatus {
    return FINDING_STATUSES[this.c.levels[i]! >> 6]!;
  }
  severity(i: number): Severity {
    return severityOf(this.likelihood(i), this.impact(i));
  }
  residualSeverity(i: number): Severity {
    return severityOf(this.residualLikelihood(i), this.impact(i));
  }
  rationale(i: number): string {
    return this.c.rationales[this.c.rationale[i]!]!;
  }
  mitigatedBy(i: number): readonly ControlUse[] {
    return this.c.mitigationLists[this.c.mitigatedBy[i]!]!;
  }
  /** The mitigations' list number (0: none); equal numbers are one list. */
  mitigationsNumber(i: number): number {
    return this.c.mitigatedBy[i]!;
  }
  acceptance(i: number): Acceptance | undefined {
    return this.c.acceptances[this.c.acceptance[i]!];
  }
  recommended(i: number): readonly string[] {
    return this.c.recommendedLists[this.c.recommended[i]!]!;
  }
  /** Finding i as a plain object (made on each call; fields in the order findings always had). */
  finding(i: number): Finding {
    const key = this.key(i);
    const acceptance = this.acceptance(i);
    return {
      id: this.id(i),
      fingerprint: this.fingerprint(i),
      rule: this.rule(i),
      category: this.category(i),
      title: this.title(i),
      message: this.message(i),
      subject: this.subject(i),
      subjectName: this.subjectName(i),
      subjectKind: this.subjectKind(i),
      ...(key !== undefined ? { key } : {}),
      location: this.location(i),
      facts: this.facts(i),
      likelihood: this.likelihood(i),
      impact: this.impact(i),
      severity: this.severity(i),
      rationale: this.rationale(i),
      status: this.status(i),
      mitigatedBy: this.mitigatedBy(i),
      residualLikelihood: this.residualLikelihood(i),
      residualSeverity: this.residualSeverity(i),
      ...(acceptance ? { acceptance } : {}),
      recommended: this.recommended(i),
    };
  }
  protected item(i: number): Finding {
    return this.finding(i);
  }
  /** What `JSON.stringify` writes: the list of findings (the records hold the model). */
  toJSON(): Finding[] {
    return this.map((f) => f);
  }
  /** The number of findings with that status, read from the records alone. */
  countStatus(s: FindingStatus): number {
    const want = statusCode(s);
    let n = 0;
    for (let i = 0; i < this.length; i++) if (this.c.levels[i]! >> 6 === want) n++;
    return n;
  }
}
