import path from "node:path";
import type { NameNode } from "../ast/nodes.js";
import { at, diag, type Diagnostic, type Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import type { LoadedFile } from "./imports.js";
import { didYouMean } from "./suggest.js";
import { RESERVED_WORDS } from "../syntax/tokens.js";

/** What a global name denotes. */
export type SymbolCategory = "zone" | "component" | "data" | "control" | "rule";

/** A declared name. `index` is the entity's index within its category. */
export interface Sym {
  readonly category: SymbolCategory;
  readonly index: number;
  readonly file: SourceFile;
  readonly nameLoc: Location;
  /** For components: the kind word, for messages. */
  readonly detail?: string;
}

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

/**
 * The global symbol table. Names are global across the files of a compilation (so duplicates across
 * files are errors), but a file may only refer to names declared in itself or in files it imports,
 * directly or transitively: a file reads on its own, and splitting a model holds no surprises.
 */
export class SymbolTable {
  private readonly table = new Map<string, Sym>();
  private readonly byCategory = new Map<SymbolCategory, string[]>();
  private readonly seen = new Map<number, boolean>();

  constructor(
    private readonly files: readonly LoadedFile[],
    private readonly diagnostics: Diagnostic[],
  ) {}

  /** Declares a name; reports AT2002 and returns false when it is taken. */
  declare(name: NameNode, sym: Sym): boolean {
    if (name.text === "") return false; // recovered from a syntax error, already reported
    const prior = this.table.get(name.text);
    if (prior) {
      this.diagnostics.push(
        diag(
          "AT2002",
          at(sym.file, name),
          `\`${name.text}\` is already declared as ${ARTICLE[prior.category]}`,
          {
            hint: "give each declaration its own name; names are shared by all files of the model",
            notes: [{ message: "first declared here", location: prior.nameLoc }],
          },
        ),
      );
      return false;
    }
    this.table.set(name.text, sym);
    let names = this.byCategory.get(sym.category);
    if (!names) this.byCategory.set(sym.category, (names = []));
    names.push(name.text);
    return true;
  }

  /** The symbol of a name, without checks. */
  get(name: string): Sym | undefined {
    return this.table.get(name);
  }

  /** Names declared in a category (for suggestions). */
  names(category: SymbolCategory): readonly string[] {
    return this.byCategory.get(category) ?? [];
  }

  /**
   * Resolves a reference written in `from` to one of the expected categories. Reports AT2001
   * (unknown, with a suggestion), AT2004 (wrong category) or AT2005 (declared in a file not imported).
   * `extra` names (e.g. built-in controls) count as valid candidates for suggestions.
   */
  resolve(
    ref: NameNode,
    from: SourceFile,
    expected: readonly SymbolCategory[],
    extra: readonly string[] = [],
  ): Sym | undefined {
    // Recovered from a syntax error, or a reserved word the parser already reported: nothing to add.
    if (ref.text === "" || RESERVED.has(ref.text)) return undefined;
    const sym = this.table.get(ref.text);
    const what = expected.map((c) => NOUN[c]).join(" or ");
    if (!sym) {
      const candidates = [...expected.flatMap((c) => this.names(c)), ...extra];
      this.diagnostics.push(
        diag("AT2001", at(from, ref), `unknown ${what} \`${ref.text}\``, {
          hint: didYouMean(ref.text, candidates),
        }),
      );
      return undefined;
    }
    if (!expected.includes(sym.category)) {
      const candidates = [...expected.flatMap((c) => this.names(c)), ...extra];
      const suggestion = didYouMean(
        ref.text,
        candidates.filter((n) => n !== ref.text),
      );
      this.diagnostics.push(
        diag(
          "AT2004",
          at(from, ref),
          `\`${ref.text}\` is ${sym.detail ? `${/^[aeiou]/.test(sym.detail) ? "an" : "a"} \`${sym.detail}\`` : ARTICLE[sym.category]}, not ${expected.map((c) => ARTICLE[c]).join(" or ")}`,
          {
            hint: suggestion,
            notes: [{ message: "declared here", location: sym.nameLoc }],
          },
        ),
      );
      return undefined;
    }
    if (!this.canSee(from.id, sym.file.id)) {
      const rel = path.posix.relative(path.posix.dirname(from.path), sym.file.path);
      this.diagnostics.push(
        diag(
          "AT2005",
          at(from, ref),
          `\`${ref.text}\` is declared in \`${sym.file.path}\`, which this file does not import`,
          {
            hint: `add \`import "${rel.startsWith(".") ? rel : `./${rel}`}"\``,
            notes: [{ message: "declared here", location: sym.nameLoc }],
          },
        ),
      );
    }
    return sym;
  }

  /**
   * Whether `fileId` may use declarations of `target`: itself, or a file it imports, transitively.
   * Answered per pair with a search that stops at the target (direct imports are found at once) and
   * memoised, instead of materialising every file's closure, which is quadratic on long import chains.
   */
  canSee(fileId: number, target: number): boolean {
    if (fileId === target) return true;
    const key = fileId * 1048576 + target;
    const known = this.seen.get(key);
    if (known !== undefined) return known;
    const visited = new Set<number>([fileId]);
    const queue = [fileId];
    let found = false;
    while (queue.length > 0 && !found) {
      const f = queue.shift()!;
      for (const imp of this.files[f]?.imports ?? []) {
        if (imp.target === undefined || visited.has(imp.target)) continue;
        if (imp.target === target) {
          found = true;
          break;
        }
        visited.add(imp.target);
        queue.push(imp.target);
      }
    }
    this.seen.set(key, found);
    return found;
  }
}
