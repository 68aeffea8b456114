import type { IToken } from "chevrotain";
import type { BlockNode, CommentNode, FileNode, StatementNode } from "../ast/nodes.js";
import { diag, type Diagnostic, type StageResult } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { valueTypesOf } from "../semantic/vocabulary.js";
import { meantDate } from "./dates.js";
import { fastParse, type NameTable } from "./fast-parse.js";
import { AithreatGrammar } from "./grammar.js";
import { commentNode, fileNode } from "./nodes.js";
import {
  Arrow,
  BlockComment,
  Colon,
  Comma,
  DateLit,
  Identifier,
  KW,
  LBrace,
  LBracket,
  theLexer,
  MalformedNumber,
  NumberLit,
  RBrace,
  RBracket,
  StringLit,
  Unexpected,
  UnterminatedComment,
  UnterminatedString,
} from "./tokens.js";
import { plural } from "../words.js";
import { codePoint, withoutHidden } from "../hidden-chars.js";
import { didYouMean } from "../semantic/suggest.js";
import { COMPONENT_KIND_NAMES } from "../semantic/vocabulary.js";

/** Deepest nesting of `{` and `[` accepted; real models need a handful, hostile ones get a diagnostic. */
export const MAX_NESTING = 64;
/** Errors reported per file before the rest are summarised by AT1022. */
export const MAX_ERRORS_PER_FILE = 100;

// Building a chevrotain parser costs 10-25 ms; one instance serves every parse of the process.
let grammar: AithreatGrammar | undefined;
function sharedGrammar(): AithreatGrammar {
  grammar ??= new AithreatGrammar();
  return grammar;
}

/** Source text shown inside a message: short, one line, no hidden characters (hidden-chars.ts) or backticks. */
export function preview(text: string): string {
  const chars = [...text];
  const shown = chars.length > 20 ? `${chars.slice(0, 20).join("")}...` : text;
  return withoutHidden(shown.replace(/[\t\n\r]/g, "?"), "?").replace(/`/g, "'");
}

/** Spaces and characters that show nothing: the lexer skips only ASCII's space, tab and line breaks. */
const UNSEEN = /^[\p{White_Space}\p{Cf}\p{Cc}\p{Co}\p{Cn}]$/u;

/** Curly and other typographic quotes, which a text pasted from a document brings instead of `"`. */
const TYPOGRAPHIC_QUOTE = /^[\u2018-\u201f\u00ab\u00bb\u2039\u203a\u301d-\u301f\uff02]+$/;

/** Arrows from other notations (`=>`, `→`): a flow's arrow is `->`. */
const OTHER_ARROW = /^(?:=>|=+>|\u2192|\u21d2|\u27f6|\u27f9)$/;

/** Quotes that are not the language's: single quotes and backticks, as other languages write strings. */
const OTHER_QUOTE = /^['`]+$/;

/**
 * How a property would be written without a separator another format puts between a name and its
 * value (`autonomy: loop`, `capabilities = [read]`): the name, then the value that follows, if short.
 */
function bare(key: IToken, next: IToken | undefined): string {
  const image = next?.image ?? "";
  const value =
    next?.tokenType === LBracket
      ? "[...]"
      : image !== "" && image.length <= 24 && !/[\r\n]/.test(image)
        ? image
        : "...";
  return `\`${key.image} ${value}\``;
}

/** Options of `parseFile`. */
export interface ParseOptions {
  /** Interns names across the files of one compilation (one copy of each name's text). */
  readonly names?: NameTable;
}

/**
 * Numbers joined by `.`, `/` or `-` (`2.3.0`, `2027/01/31`, `31.01.2027`, `27-01-2027`): a version or
 * a date written another way, which the lexer splits into numbers and stray characters. Returns the
 * run starting at `start` when it is one, for one error where there were three.
 */
const DOTTED = /-?\d+(?:[./-]\d+){2,}(?![\p{L}\p{M}\p{N}_])/uy;
function dottedRun(text: string, start: number): string | undefined {
  DOTTED.lastIndex = start;
  return DOTTED.exec(text)?.[0];
}

/**
 * What to write for a run of numbers and dots that is no date (`1.2.3`), by the property it follows:
 * one that takes a number gets a number (its first two parts, `cost 1.2`), one that takes text the
 * run in quotes (`version "1.2.3"`), and one the vocabulary does not know (a policy's metric) both.
 */
function dottedRunHint(run: string, key: string | undefined): string {
  const types = key === undefined ? new Set<string>() : valueTypesOf(key);
  const number = `${run.split(".").slice(0, 2).join(".")}`;
  const text = `write a version or other dotted number as a string: \`"${run}"\``;
  if (key !== undefined && types.size > 0 && [...types].every((t) => t === "number"))
    return `\`${key}\` takes a number, with one \`.\` at most: e.g. \`${key} ${number}\``;
  if (types.has("string") || types.has("string-list")) return text;
  return `a number has one \`.\` at most (e.g. \`${number}\`); ${text}`;
}

/**
 * Lexes and parses one file into a syntax tree; every lexical and syntax error is reported, up to a
 * cap. A file without errors takes the hand-written fast path (fast-parse.ts); any other file is
 * parsed by the chevrotain grammar, whose error recovery reports every error in one run.
 */
export function parseFile(file: SourceFile, options: ParseOptions = {}): StageResult<FileNode> {
  const fast = fastParse(file.text, options.names);
  if (fast) return { value: fast, diagnostics: [] };
  return parseWithRecovery(file);
}

/** The chevrotain path of `parseFile`, for files with errors (and for tests comparing the two paths). */
export function parseWithRecovery(file: SourceFile): StageResult<FileNode> {
  const text = file.text;
  const diagnostics: Diagnostic[] = [];
  // Every span stays inside the file, whatever recovery produced.
  const clamp = (x: number) => (Number.isFinite(x) ? Math.max(0, Math.min(x, text.length)) : text.length);
  const loc = (start: number, end: number) => ({
    file,
    start: clamp(start),
    end: Math.max(clamp(start), clamp(end)),
  });
  const lexed = theLexer().tokenize(text);

  // `key` is the property name a separator follows, `next` the token after it (for the hint).
  const junk = (start: number, image: string, key?: IToken, next?: IToken) => {
    const chars = [...image];
    // A Unicode space the lexer does not skip (an em space pasted from a document) or a character
    // that shows nothing (a zero-width space, a control character) is named by its code point: shown
    // as it is, the message would point at nothing visible.
    const unseen = chars.every((c) => UNSEEN.test(c));
    diagnostics.push(
      diag(
        "AT1010",
        loc(start, start + image.length),
        `unexpected ${chars.length === 1 ? "character" : "characters"} \`${unseen ? chars.slice(0, 8).map(codePoint).join(" ") + (chars.length > 8 ? " ..." : "") : preview(image)}\``,
        {
          hint: unseen
            ? "an invisible or non-ASCII space: replace it with a plain space, or delete it"
            : TYPOGRAPHIC_QUOTE.test(image)
              ? 'a typographic quote (as a word processor writes it): strings use straight double quotes `"`'
              : OTHER_QUOTE.test(image)
                ? 'strings use double quotes `"`'
                : key && image === "="
                  ? `a property takes its value without \`=\`: write ${bare(key, next)}`
                  : image === ";"
                    ? "no `;` is needed: a property or a statement ends where the next one starts"
                    : OTHER_ARROW.test(image)
                      ? "a flow's arrow is `->`"
                      : "names use letters, digits, `_` and inner `.` or `-`; put other text in double quotes",
        },
      ),
    );
  };
  // The lexer's own errors are rare now that junk is a token (only characters no rule covers at all).
  for (const e of lexed.errors) junk(e.offset, text.slice(e.offset, e.offset + e.length));

  const tokens: IToken[] = [];
  // Offsets of the brackets still open, so the file's end can say which block never closed.
  const open: number[] = [];
  const all = lexed.tokens;
  for (let i = 0; i < all.length; i++) {
    const t = all[i]!;
    const type = t.tokenType;
    // Inside a block (not a list), after a property name: where other formats separate a name from
    // its value (`autonomy: loop`, `tags = [a]`) or properties from each other (`kind prompt, auth
    // session`). Said once with the fix, and skipped so the rest of the block parses as meant.
    const inBlock = open.length > 0 && text[open[open.length - 1]!] === "{";
    const prev = tokens[tokens.length - 1];
    const key = inBlock && prev?.tokenType === Identifier ? prev : undefined;
    if (type === Unexpected) {
      if (OTHER_ARROW.test(t.image) && prev?.tokenType === Identifier) {
        // Parse on as the arrow it stands for, so `flow a => b` is one error.
        junk(t.startOffset, t.image);
        t.tokenType = Arrow;
        t.tokenTypeIdx = Arrow.tokenTypeIdx ?? t.tokenTypeIdx;
        tokens.push(t);
        continue;
      }
      junk(t.startOffset, t.image, key, all[i + 1]);
      continue;
    }
    // `flow reply: a -> b` names a flow; any other `:` after a name in a block is a separator.
    if (type === Colon && key && tokens[tokens.length - 2]?.tokenType !== KW.flow) {
      diagnostics.push(
        diag("AT1020", loc(t.startOffset, t.startOffset + 1), "a property takes its value without `:`", {
          hint: `write ${bare(key, all[i + 1])}`,
        }),
      );
      continue;
    }
    if (type === Comma && inBlock) {
      diagnostics.push(
        diag("AT1020", loc(t.startOffset, t.startOffset + 1), "properties are not separated by commas", {
          hint: "separate properties with spaces or line breaks (`{ kind invoke  auth api_key }`); a list of values goes in brackets (`holds [a, b]`)",
        }),
      );
      continue;
    }
    if (type === UnterminatedComment) {
      diagnostics.push(
        diag("AT1012", loc(t.startOffset, t.startOffset + 2), "unterminated block comment", {
          hint: "close the comment with `*/`",
        }),
      );
      continue;
    }
    const run = type === NumberLit ? dottedRun(text, t.startOffset) : undefined;
    if (run !== undefined && run.length > t.image.length) {
      const date = meantDate(run);
      const where = loc(t.startOffset, t.startOffset + run.length);
      diagnostics.push(
        date
          ? diag("AT3013", where, `\`${run}\` is not a date: dates are written YYYY-MM-DD`, {
              hint: date.iso ? `write \`${date.iso}\`` : "write the day as YYYY-MM-DD, e.g. `2027-03-31`",
            })
          : diag("AT1010", where, `\`${run}\` is neither a number nor a name`, {
              hint: dottedRunHint(run, key?.image),
            }),
      );
      // One token for the run: a date, or a name (which a string property takes) for the rest.
      const as = date ? DateLit : Identifier;
      const joined = { ...t, image: run, tokenType: as, tokenTypeIdx: as.tokenTypeIdx ?? t.tokenTypeIdx };
      joined.endOffset = t.startOffset + run.length - 1;
      tokens.push(joined);
      while (i + 1 < all.length && all[i + 1]!.startOffset < t.startOffset + run.length) i++;
      continue;
    }
    if (type === MalformedNumber) {
      diagnostics.push(
        diag(
          "AT1010",
          loc(t.startOffset, t.startOffset + t.image.length),
          `\`${preview(t.image)}\` is neither a number nor a name`,
          {
            hint: "names start with a letter or `_`; put a space between a number and what follows",
          },
        ),
      );
      // Parse on as the number it starts with, so one typo is one error.
      t.tokenType = NumberLit;
      t.tokenTypeIdx = NumberLit.tokenTypeIdx ?? t.tokenTypeIdx;
    } else if (type === UnterminatedString) {
      diagnostics.push(
        diag("AT1011", loc(t.startOffset, t.startOffset + t.image.length), "unterminated string", {
          hint: 'close the string with `"` on the same line, or use `"""` for text over several lines',
        }),
      );
      // Parse on as if the string were closed, so one missing quote is one error.
      t.tokenType = StringLit;
      t.tokenTypeIdx = StringLit.tokenTypeIdx ?? t.tokenTypeIdx;
    } else if (type === LBrace || type === LBracket) {
      open.push(t.startOffset);
      if (open.length > MAX_NESTING) {
        diagnostics.push(
          diag("AT1021", loc(t.startOffset, t.startOffset + 1), `nesting deeper than ${MAX_NESTING} levels`, {
            hint: "flatten the model; blocks never need to nest this deep",
          }),
        );
        return { value: emptyFile(text), diagnostics };
      }
    } else if (type === RBrace || type === RBracket) {
      open.pop();
    }
    tokens.push(t);
  }

  // Brackets still open at the end of the file: report each at its opening, then close them with
  // synthetic tokens so the parser keeps everything inside instead of discarding the whole block.
  const synthetic = new Set<IToken>();
  for (let i = open.length - 1; i >= 0; i--) {
    const start = open[i]!;
    const brace = text[start] === "{";
    diagnostics.push(
      diag("AT1020", loc(start, start + 1), `this \`${brace ? "{" : "["}\` is never closed`, {
        hint: `add \`${brace ? "}" : "]"}\` where the ${brace ? "block" : "list"} ends`,
      }),
    );
    const type = brace ? RBrace : RBracket;
    const closer = {
      image: "",
      startOffset: text.length,
      endOffset: text.length,
      tokenType: type,
      tokenTypeIdx: type.tokenTypeIdx ?? 0,
      isInsertedInRecovery: true,
    } as IToken;
    synthetic.add(closer);
    tokens.push(closer);
  }

  const parser = sharedGrammar();
  parser.problems = [];
  parser.input = tokens;
  // A file whose top level failed to re-synchronise yields no statements, only the errors.
  const statements = parser.file() ?? [];

  const seen = new Set<string>();
  let rewritten = false;
  // Where the words reported as misspelt declaration keywords start.
  const misspeltAt = new Set<number>();
  const reportMisspelt = ({ word, hint }: { word: IToken; hint: string }): void => {
    const at = word.startOffset;
    misspeltAt.add(at);
    diagnostics.push(
      diag("AT1020", loc(at, at + word.image.length), `\`${word.image}\` is not a declaration keyword`, {
        hint,
      }),
    );
  };
  const positions = new TokenPositions(tokens);
  for (const e of parser.errors) {
    const t = e.token;
    // Errors at our own synthetic closers repeat "never closed", which is already reported.
    if (synthetic.has(t)) continue;
    const start = Number.isFinite(t.startOffset) ? t.startOffset : text.length;
    const end = Number.isFinite(t.startOffset) ? start + Math.max(1, t.image.length) : text.length;
    const key = `${start}:${e.message}`;
    if (seen.has(key)) continue;
    seen.add(key);
    // After a misspelt declaration the parser's recovery may take the enclosing block's `}` as a
    // stray one: lexically a block is open there, so that error only repeats the first.
    if (
      rewritten &&
      t.tokenType === RBrace &&
      e.message.endsWith("no block is open here") &&
      positions.openBefore(t)
    )
      continue;
    const misspelt = misspeltDeclaration(text, tokens, positions.indexOf(t), t);
    if (misspelt) {
      rewritten = true;
      // Two errors of the recovery can point at one misspelt declaration (its title, then its `{`).
      if (!misspeltAt.has(misspelt.word.startOffset)) reportMisspelt(misspelt);
      continue;
    }
    diagnostics.push(diag("AT1020", loc(start, end), e.message));
  }
  // A misspelt declaration the recovery never stopped at: after an error, the parser skips tokens
  // to re-synchronise, or takes a word left over from the broken line as a property whose value is
  // the misspelt keyword (`-> x` then `agnet bot "Bot" { }` on the next line), so no error points at
  // it. A line that starts `word name "title"` or `word name {` with a word close to a declaration
  // keyword is one, unless the word is a property's key, which the checks report (AT3002).
  if (parser.errors.length > 0) {
    const keys = propertyKeys(statements);
    for (let j = 2; j < tokens.length; j++) {
      const t = tokens[j]!;
      if (t.tokenType !== StringLit && t.tokenType !== LBrace) continue;
      const misspelt = misspeltDeclaration(text, tokens, j, t);
      if (!misspelt) continue;
      const at = misspelt.word.startOffset;
      if (misspeltAt.has(at) || keys.has(at)) continue;
      reportMisspelt(misspelt);
    }
  }
  for (const p of parser.problems) {
    diagnostics.push(diag(p.code, loc(p.start, p.end), p.message, { hint: p.hint }));
  }
  // Drop references to the token vector so a large file's tokens can be collected.
  parser.input = [];
  parser.problems = [];

  const comments: CommentNode[] = (lexed.groups["comments"] ?? []).map((t) =>
    commentNode(t.image, t.tokenType === BlockComment, t.startOffset, t.startOffset + t.image.length),
  );

  return {
    value: fileNode(statements.slice(), comments, 0, text.length),
    diagnostics: capErrors(file, diagnostics),
  };
}

function emptyFile(text: string): FileNode {
  return fileNode([], [], 0, text.length);
}

/** Keeps the first MAX_ERRORS_PER_FILE errors of a file (by position) and summarises the rest. */
export function capErrors(file: SourceFile, diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const errors = diagnostics.filter((d) => d.severity === "error");
  if (errors.length <= MAX_ERRORS_PER_FILE) return [...diagnostics];
  const byPos = (a: Diagnostic, b: Diagnostic) => (a.location?.start ?? 0) - (b.location?.start ?? 0);
  const kept = [...errors].sort(byPos).slice(0, MAX_ERRORS_PER_FILE);
  const rest = diagnostics.filter((d) => d.severity !== "error");
  const last = kept[kept.length - 1]?.location;
  const more = errors.length - MAX_ERRORS_PER_FILE;
  return [
    ...kept,
    ...rest,
    diag(
      "AT1022",
      last ? { file, start: last.start, end: last.end } : { file, start: 0, end: 0 },
      `${plural(more, "more error")} in this file not shown`,
      {
        hint: "fix the errors above and run again",
      },
    ),
  ];
}

/** Words that start a declaration: the statement keywords and the component kinds. */
const DECLARATION_WORDS: readonly string[] = [
  ...Object.keys(KW).filter((w) => w !== "in" && w !== "on"),
  ...COMPONENT_KIND_NAMES,
];

/**
 * A declaration whose keyword is misspelt (`stor db { }`, `vectorstor kb "KB" { }`): the parser sees
 * a stray name, or inside a block a property `vectorstor kb` followed by a title it cannot place, and
 * says only that. When the error's token is such a word at the start of a statement (or the title or
 * `{` after a `word name` pair) and the word is close to a declaration keyword, the diagnostic names
 * the word and the keyword instead.
 */
function misspeltDeclaration(
  text: string,
  tokens: readonly IToken[],
  i: number,
  at: IToken,
): { word: IToken; hint: string } | undefined {
  if (i < 0) return undefined;
  const isName = (t: IToken | undefined) => t !== undefined && t.tokenType === Identifier;
  // A statement starts after `{`, `}` or at the file's start (properties and declarations share a line
  // only inside `{ }`, where the block's own `{` precedes).
  const startsStatement = (j: number) =>
    j === 0 ||
    tokens[j - 1]!.tokenType === LBrace ||
    tokens[j - 1]!.tokenType === RBrace ||
    // The lexer does not set `endOffset`: the previous token ends where its image does.
    text
      .slice(tokens[j - 1]!.startOffset + tokens[j - 1]!.image.length, tokens[j]!.startOffset)
      .includes("\n");
  let word: IToken | undefined;
  if (isName(at) && startsStatement(i)) word = at;
  else if (
    (at.tokenType === StringLit || at.tokenType === LBrace) &&
    i >= 2 &&
    isName(tokens[i - 1]) &&
    isName(tokens[i - 2]) &&
    startsStatement(i - 2)
  )
    word = tokens[i - 2];
  if (!word) return undefined;
  // A keyword the word begins (`vector` of `vectorstore`) says more than one a letter or two away.
  const lower = word.image.toLowerCase();
  const begun = lower.length >= 3 ? DECLARATION_WORDS.filter((w) => w.startsWith(lower)) : [];
  const hint =
    begun.length === 1 ? `did you mean \`${begun[0]}\`?` : didYouMean(word.image, DECLARATION_WORDS);
  return hint ? { word, hint: `${hint} A declaration is written \`kind name "title" { ... }\`` } : undefined;
}

/** Where the keys of the properties in these statements start, in blocks at any depth. */
function propertyKeys(statements: readonly StatementNode[]): Set<number> {
  const keys = new Set<number>();
  const inBlock = (block: BlockNode | undefined): void => {
    for (const item of block?.items ?? []) {
      if (item.kind === "property") {
        keys.add(item.key.start);
        inBlock(item.body);
      } else if ("body" in item) inBlock(item.body);
    }
  };
  for (const s of statements) if ("body" in s) inBlock(s.body);
  return keys;
}

/**
 * Where an error's token sits among the parser's tokens, found by offset (they are in order), and
 * the brace depth before each, counted once when first asked: a file of garbage can give thousands
 * of errors, and a scan of every token per error was quadratic in it.
 */
class TokenPositions {
  private depth: Int32Array | undefined;
  constructor(private readonly tokens: readonly IToken[]) {}

  /** The token's index (-1: not among them, as a token inserted by recovery). */
  indexOf(at: IToken): number {
    const tokens = this.tokens;
    let lo = 0;
    let hi = tokens.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >>> 1;
      const t = tokens[mid]!;
      if (t === at) return mid;
      if (t.startOffset < at.startOffset) lo = mid + 1;
      else hi = mid - 1;
    }
    // Tokens sharing an offset (a synthetic closer at the end): a short scan around it.
    for (let j = Math.max(0, lo - 2); j < Math.min(tokens.length, lo + 2); j++)
      if (tokens[j] === at) return j;
    return -1;
  }

  /** Whether more `{` than `}` come before token `at`: lexically, a block is open there. */
  openBefore(at: IToken): boolean {
    const i = this.indexOf(at);
    if (i < 0) return false;
    if (!this.depth) {
      const depth = (this.depth = new Int32Array(this.tokens.length));
      let d = 0;
      this.tokens.forEach((t, j) => {
        depth[j] = d;
        if (t.tokenType === LBrace) d++;
        else if (t.tokenType === RBrace) d--;
      });
    }
    return this.depth[i]! > 0;
  }
}
