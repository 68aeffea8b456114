import path from "node:path";
import { at, diag, type Diagnostic, type Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import type { LoadedFile } from "./imports.js";
import { didYouMean, partialMatch } from "./suggest.js";
import { RESERVED_WORDS } from "../syntax/words.js";
import { isAscii, lookalikes, skeleton } from "./lookalike.js";

/** What a global name denotes. */
export type SymbolCategory = "zone" | "component" | "data" | "control" | "rule";

/** A name as written: its text and span in the file that writes it. */
export interface Named {
  readonly text: string;
  readonly start: number;
  readonly end: number;
}

/** A declared name. `index` is the entity's index within its category; the name spans `start..end`. */
export interface Sym {
  readonly category: SymbolCategory;
  readonly index: number;
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
  /** For components: the kind word, for messages. */
  readonly detail: string | undefined;
}

/** Where a symbol's name is written (built when a diagnostic needs it, not stored). */
export const nameLocOf = (sym: Sym): Location => ({ file: sym.file, start: sym.start, end: sym.end });

const RESERVED = new Set(RESERVED_WORDS);
const ARTICLE: Record<SymbolCategory, string> = {
  zone: "a zone",
  component: "a component",
  data: "a data asset",
  control: "a control",
  rule: "a rule",
};
const NOUN: Record<SymbolCategory, string> = {
  zone: "zone",
  component: "component",
  data: "data asset",
  control: "control",
  rule: "rule",
};

/** AT2005's hint: the import that lets `from` see a declaration of `declared`. */
export function importHint(from: SourceFile, declared: SourceFile): string {
  const rel = path.posix.relative(path.posix.dirname(from.path), declared.path);
  return `add \`import "${rel.startsWith(".") ? rel : `./${rel}`}"\``;
}

/**
 * The global symbol table. Names are global across the files of a compilation (so duplicates across
 * files are errors), but a file may only refer to names declared in itself or in files it imports,
 * directly or transitively: a file reads on its own, and splitting a model holds no surprises.
 */
export class SymbolTable {
  private readonly table = new Map<string, Sym>();
  /** The skeleton of each name with a character outside ASCII, to the first name that reads so. */
  private readonly skeletons = new Map<string, string>();
  private byCategory: Map<SymbolCategory, string[]> | undefined;
  private byLength: Map<SymbolCategory, Map<number, string[]>> | undefined;
  private readonly seen = new Map<number, boolean>();
  private readonly visited: Uint8Array;
  private memoFile = -1;
  private readonly memo: Uint8Array;
  private readonly memoTouched: number[] = [];

  constructor(
    private readonly files: readonly LoadedFile[],
    private readonly diagnostics: Diagnostic[],
  ) {
    this.visited = new Uint8Array(files.length);
    this.memo = new Uint8Array(files.length);
  }

  /** Declares a name; reports AT2002 and returns false when it is taken. */
  declare(name: Named, sym: Sym): boolean {
    if (name.text === "") return false; // recovered from a syntax error, already reported
    const prior = this.table.get(name.text);
    if (prior) {
      // Files load importer first, so a name an importer declares again comes first. The error
      // belongs in the importer, which can see both, not in the shared file it imports.
      const importer = prior.file.id !== sym.file.id && this.canSee(prior.file.id, sym.file.id);
      const [again, original] = importer ? [prior, sym] : [sym, prior];
      const zones = importer && prior.category === "zone" && sym.category === "zone";
      this.diagnostics.push(
        diag(
          "AT2002",
          nameLocOf(again),
          `\`${name.text}\` is already declared as ${ARTICLE[original.category]}${importer ? ` in \`${original.file.path}\`, which this file imports` : ""}`,
          {
            hint: zones
              ? `to put components in the imported zone, place them with \`in ${name.text}\`; to declare another zone, give it its own name`
              : "give each declaration its own name; names are shared by all files of the model",
            notes: [
              { message: importer ? "declared here" : "first declared here", location: nameLocOf(original) },
            ],
          },
        ),
      );
      return false;
    }
    this.table.set(name.text, sym);
    this.byCategory = undefined;
    this.byLength = undefined;
    this.lookAlike(name, sym);
    return true;
  }

  /**
   * AT2006 when a name reads like one declared before it (`сache` with a Cyrillic `с`, and `cache`):
   * both are names, but every output prints them alike. Only names with a character outside ASCII
   * have another skeleton (lookalike.ts), so an ASCII model never builds the table.
   */
  private lookAlike(name: Named, sym: Sym): void {
    const ascii = isAscii(name.text);
    if (ascii && this.skeletons.size === 0) return;
    const read = ascii ? name.text : skeleton(name.text);
    const prior = this.skeletons.get(read) ?? (read !== name.text ? this.priorAscii(read) : undefined);
    if (prior && prior !== name.text) {
      const first = this.table.get(prior)!;
      const alike = lookalikes(name.text, prior);
      this.diagnostics.push(
        diag(
          "AT2006",
          at(sym.file, name),
          `\`${name.text}\` looks like the ${NOUN[first.category]} \`${prior}\` but is another name${alike ? ` ${alike}` : ""}`,
          {
            hint: "rename one of them: every report, diagram and SARIF result prints the two alike",
            notes: [{ message: `\`${prior}\` is declared here`, location: nameLocOf(first) }],
          },
        ),
      );
    }
    if (!ascii && !this.skeletons.has(read)) this.skeletons.set(read, name.text);
  }

  /** An ASCII name declared before, when it is `read` (only non-ASCII names are in `skeletons`). */
  private priorAscii(read: string): string | undefined {
    return isAscii(read) && this.table.has(read) ? read : undefined;
  }

  /** The symbol of a name, without checks. */
  get(name: string): Sym | undefined {
    return this.table.get(name);
  }

  /** Names declared in a category (for suggestions). */
  names(category: SymbolCategory): readonly string[] {
    // Built when a diagnostic first asks, in declaration order: most compilations never ask.
    if (!this.byCategory) {
      const by = new Map<SymbolCategory, string[]>();
      for (const [text, sym] of this.table) {
        let names = by.get(sym.category);
        if (!names) by.set(sym.category, (names = []));
        names.push(text);
      }
      this.byCategory = by;
    }
    return this.byCategory.get(category) ?? [];
  }

  /**
   * The names of the expected categories that `suggest` could propose for `text` (its length window:
   * within a third of the name's length), plus `extra`. With a million names, every unknown
   * reference scanning all of them would make a model with many typos quadratic; a name's length
   * picks its few candidates from an index instead. The suggestion is the same either way.
   */
  private near(text: string, expected: readonly SymbolCategory[], extra: readonly string[]): string[] {
    if (!this.byLength) {
      const index = new Map<SymbolCategory, Map<number, string[]>>();
      for (const [name, sym] of this.table) {
        let byLen = index.get(sym.category);
        if (!byLen) index.set(sym.category, (byLen = new Map<number, string[]>()));
        let list = byLen.get(name.length);
        if (!list) byLen.set(name.length, (list = []));
        list.push(name);
      }
      this.byLength = index;
    }
    const length = text.toLowerCase().length;
    const limit = Math.max(1, Math.floor(length / 3));
    const out: string[] = [];
    for (const category of expected) {
      const byLen = this.byLength.get(category);
      if (!byLen) continue;
      for (let l = Math.max(0, length - limit); l <= length + limit; l++)
        for (const name of byLen.get(l) ?? []) out.push(name);
    }
    for (const name of extra) out.push(name);
    return out;
  }

  /**
   * Resolves a reference written in `from` to one of the expected categories. Reports AT2001
   * (unknown, with a suggestion), AT2004 (wrong category) or AT2005 (declared in a file not imported).
   * `extra` names (e.g. built-in controls) count as valid candidates for suggestions; `what` says what
   * an unknown name should have been when the caller also takes names from elsewhere (flows), and
   * `not` what a name of another category is not (AT2004), for the same reason. `partial` names the categories whose declared
   * names, with `extra`, form a closed list in which a shortening is suggested too (controls:
   * `signing` for `artifact_signing`); suggest.ts says why the model's other names are not.
   */
  resolve(
    ref: Named,
    from: SourceFile,
    expected: readonly SymbolCategory[],
    extra: readonly string[] = [],
    what: string = expected.map((c) => NOUN[c]).join(" or "),
    partial: readonly SymbolCategory[] = [],
    not: string = expected.map((c) => ARTICLE[c]).join(" or "),
  ): Sym | undefined {
    const sym = this.table.get(ref.text);
    // The common case, first and without allocating: a visible name of the expected category.
    if (sym && expected.includes(sym.category) && this.canSee(from.id, sym.file.id)) return sym;
    // Recovered from a syntax error, or a reserved word the parser already reported: nothing to add.
    if (ref.text === "" || RESERVED.has(ref.text)) return undefined;
    if (!sym) {
      const candidates = this.near(ref.text, expected, extra);
      this.diagnostics.push(
        diag("AT2001", at(from, ref), `unknown ${what} \`${ref.text}\``, {
          hint: didYouMean(ref.text, candidates) ?? this.shortening(ref.text, partial, extra),
        }),
      );
      return undefined;
    }
    if (!expected.includes(sym.category)) {
      const candidates = this.near(ref.text, expected, extra);
      const suggestion =
        didYouMean(
          ref.text,
          candidates.filter((n) => n !== ref.text),
        ) ?? this.shortening(ref.text, partial, extra);
      this.diagnostics.push(
        diag(
          "AT2004",
          at(from, ref),
          `\`${ref.text}\` is ${sym.detail ? `${/^[aeiou]/.test(sym.detail) ? "an" : "a"} \`${sym.detail}\`` : ARTICLE[sym.category]}, not ${not}`,
          {
            hint: suggestion,
            notes: [{ message: "declared here", location: nameLocOf(sym) }],
          },
        ),
      );
      return undefined;
    }
    if (!this.canSee(from.id, sym.file.id)) {
      this.diagnostics.push(
        diag(
          "AT2005",
          at(from, ref),
          `\`${ref.text}\` is declared in \`${sym.file.path}\`, which this file does not import`,
          {
            hint: importHint(from, sym.file),
            notes: [{ message: "declared here", location: nameLocOf(sym) }],
          },
        ),
      );
    }
    return sym;
  }

  /** The hint for a shortening of a name of the `partial` categories or of `extra` (see `resolve`). */
  private shortening(
    text: string,
    partial: readonly SymbolCategory[],
    extra: readonly string[],
  ): string | undefined {
    if (partial.length === 0) return undefined;
    const s = partialMatch(text, [...extra, ...partial.flatMap((c) => this.names(c))]);
    return s === undefined || s === text ? undefined : `did you mean \`${s}\`?`;
  }

  /**
   * Whether `fileId` may use declarations of `target`: itself, or a file it imports, transitively.
   * Answered per pair with a search that stops at the target (direct imports are found at once),
   * instead of materialising every file's closure, which is quadratic on long import chains. Answers
   * are remembered per pair, and those of the file being resolved also in a flat array, since the
   * resolver asks about one file's references in a row.
   */
  canSee(fileId: number, target: number): boolean {
    if (fileId === target) return true;
    if (this.memoFile !== fileId) {
      for (const t of this.memoTouched) this.memo[t] = 0;
      this.memoTouched.length = 0;
      this.memoFile = fileId;
    }
    const memo = this.memo[target];
    if (memo !== 0) return memo === 1;
    const key = fileId * 1048576 + target;
    let found = this.seen.get(key);
    if (found === undefined) {
      found = this.search(fileId, target);
      this.seen.set(key, found);
    }
    this.memo[target] = found ? 1 : 2;
    this.memoTouched.push(target);
    return found;
  }

  private search(fileId: number, target: number): boolean {
    const visited = this.visited;
    const queue = [fileId];
    visited[fileId] = 1;
    let found = false;
    for (let head = 0; head < queue.length && !found; head++) {
      for (const imp of this.files[queue[head]!]?.imports ?? []) {
        const t = imp.target;
        if (t === undefined || visited[t] === 1) continue;
        if (t === target) {
          found = true;
          break;
        }
        visited[t] = 1;
        queue.push(t);
      }
    }
    for (const f of queue) visited[f] = 0;
    return found;
  }
}
