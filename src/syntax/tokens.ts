import { Lexer, createToken, type TokenType } from "chevrotain";
import { COMPONENT_KIND_WORDS, DECL_WORDS } from "./words.js";

export { COMPONENT_KIND_WORDS, RESERVED_WORDS } from "./words.js";

/**
 * Tokens of the .aithreat language, in matching order. The order matters where patterns overlap:
 * - comments before anything that could start with `/`;
 * - triple-quoted strings before plain strings, and terminated strings before the "unterminated"
 *   catch-alls, which exist so one missing quote is one clear error instead of a cascade;
 * - `Date` before `NumberLit` (`2027-03-31` would otherwise lex as the number 2027);
 * - keywords before `Identifier`, each with `longer_alt: Identifier` so `zones` stays a name.
 */

export const WhiteSpace = createToken({
  name: "WhiteSpace",
  pattern: /[ \t\r\n\f\v\u00a0\ufeff]+/,
  group: Lexer.SKIPPED,
});
export const LineComment = createToken({ name: "LineComment", pattern: /\/\/[^\r\n]*/, group: "comments" });
export const BlockComment = createToken({
  name: "BlockComment",
  pattern: /\/\*[\s\S]*?\*\//,
  group: "comments",
  line_breaks: true,
});
export const UnterminatedComment = createToken({
  name: "UnterminatedComment",
  pattern: /\/\*[\s\S]*/,
  line_breaks: true,
});

export const TripleString = createToken({
  name: "TripleString",
  pattern: /"""[\s\S]*?"""/,
  line_breaks: true,
  label: "string",
});
export const StringLit = createToken({
  name: "StringLit",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*"/,
  label: "string",
});
export const UnterminatedString = createToken({
  name: "UnterminatedString",
  pattern: /"(?:[^"\\\r\n]|\\[^\r\n])*\\?/,
});

export const Arrow = createToken({ name: "Arrow", pattern: /->/, label: "`->`" });
export const LBrace = createToken({ name: "LBrace", pattern: /\{/, label: "`{`" });
export const RBrace = createToken({ name: "RBrace", pattern: /\}/, label: "`}`" });
export const LBracket = createToken({ name: "LBracket", pattern: /\[/, label: "`[`" });
export const RBracket = createToken({ name: "RBracket", pattern: /\]/, label: "`]`" });
export const Comma = createToken({ name: "Comma", pattern: /,/, label: "`,`" });
export const Colon = createToken({ name: "Colon", pattern: /:/, label: "`:`" });

// chevrotain drops the `u` flag of token regexes, so patterns that need Unicode classes are custom
// matchers over a sticky regex. The result only needs to look like a RegExpExecArray to chevrotain.
function sticky(source: string): (text: string, offset: number) => RegExpExecArray | null {
  const re = new RegExp(source, "uy");
  return (text, offset) => {
    re.lastIndex = offset;
    return re.exec(text);
  };
}

const DIGITS = ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"];
export const DateLit = createToken({
  name: "DateLit",
  pattern: { exec: sticky(String.raw`\d{4}-\d{2}-\d{2}(?![\p{L}\p{M}\p{N}_.-])`) },
  line_breaks: false,
  start_chars_hint: DIGITS,
  label: "date",
});
// A number glued to letters (`12abc`) is one error token, matched whole: a lookahead that rejects
// the letter instead would make the lexer rescan the digits from every offset (quadratic on a long run).
export const MalformedNumber = createToken({
  name: "MalformedNumber",
  pattern: { exec: sticky(String.raw`-?\d+(?:\.\d+)?[\p{L}\p{M}_][\p{L}\p{M}\p{N}_]*`) },
  line_breaks: false,
  start_chars_hint: [...DIGITS, "-"],
  label: "number",
});
export const NumberLit = createToken({
  name: "NumberLit",
  pattern: { exec: sticky(String.raw`-?\d+(?:\.\d+)?`) },
  line_breaks: false,
  start_chars_hint: [...DIGITS, "-"],
  label: "number",
});

/**
 * First-character hints for a custom pattern. chevrotain indexes characters below 256 one by one and
 * above 255 in buckets of 255 (code / 255), so one matching character per bucket covers the bucket:
 * a few hundred hints instead of tens of thousands, which keeps building the lexer cheap.
 */
function startHints(matches: (ch: string) => boolean): string[] {
  const out: string[] = [];
  for (let c = 0; c < 256; c++) if (matches(String.fromCharCode(c))) out.push(String.fromCharCode(c));
  for (let bucket = 1; bucket * 255 <= 0xffff; bucket++) {
    for (let c = Math.max(256, bucket * 255); c < Math.min(0x10000, bucket * 255 + 255); c++) {
      if (matches(String.fromCharCode(c))) {
        out.push(String.fromCharCode(c));
        break;
      }
    }
  }
  return out;
}

// Names: a letter or `_`, then letters, digits, `_`; inner `.` and `-` join segments (`AML.M0007`,
// `AT-33`, `eu-west`), but never `->`, so `a->b` is two names and an arrow.
const NAME_START = /[\p{L}_]/u;
export const Identifier = createToken({
  name: "Identifier",
  pattern: { exec: sticky(String.raw`[\p{L}_][\p{L}\p{M}\p{N}_]*(?:[.-](?!>)[\p{L}\p{M}\p{N}_]+)*`) },
  line_breaks: false,
  label: "name",
  // Its first-character hints are set by `theLexer`: any letter can start a name.
});

/**
 * A run of characters that can start no token (`$$$`, `;`, a lone `-`): one error token, so a
 * megabyte of junk is one diagnostic found in linear time, not a lexer error per character.
 */
export const Unexpected = createToken({
  name: "Unexpected",
  pattern: {
    exec: sticky(String.raw`(?:[^ \t\r\n\f\v\u00a0\ufeff"/\p{L}0-9_{}\[\],:\-]|-(?![>0-9])|/(?![/*]))+`),
  },
  line_breaks: false,
  label: "unexpected characters",
});

/** Every keyword belongs to this category, so a list can accept a reserved word as a plain value. */
export const Keyword = createToken({ name: "Keyword", pattern: Lexer.NA });
/** Keywords that open a generic declaration (`zone`, `model`, `data` ...): one token class for the parser. */
export const DeclKeyword = createToken({
  name: "DeclKeyword",
  pattern: Lexer.NA,
  label: "a declaration keyword",
});

function keyword(word: string, declares = DECL_WORDS.has(word)): TokenType {
  return createToken({
    name: `Kw_${word}`,
    pattern: new RegExp(word),
    longer_alt: Identifier,
    categories: declares ? [Keyword, DeclKeyword] : [Keyword],
    label: `\`${word}\``,
  });
}

/** Statement keywords (not component kinds). */
export const KW = {
  system: keyword("system"),
  import: keyword("import"),
  zone: keyword("zone"),
  data: keyword("data"),
  asset: keyword("asset"),
  flow: keyword("flow"),
  control: keyword("control"),
  accept: keyword("accept"),
  rule: keyword("rule"),
  policy: keyword("policy"),
  in: keyword("in"),
  on: keyword("on"),
} as const;

export const KIND_TOKENS: Record<(typeof COMPONENT_KIND_WORDS)[number], TokenType> = Object.fromEntries(
  COMPONENT_KIND_WORDS.map((w) => [w, keyword(w, true)]),
) as Record<(typeof COMPONENT_KIND_WORDS)[number], TokenType>;

export const allTokens: TokenType[] = [
  WhiteSpace,
  LineComment,
  BlockComment,
  UnterminatedComment,
  TripleString,
  StringLit,
  UnterminatedString,
  DateLit,
  MalformedNumber,
  NumberLit,
  Arrow,
  LBrace,
  RBrace,
  LBracket,
  RBracket,
  Comma,
  Colon,
  Keyword,
  DeclKeyword,
  // Longest first: `data` must not shadow `dataset` (chevrotain rejects the shadowed order).
  ...[...Object.values(KW), ...COMPONENT_KIND_WORDS.map((w) => KIND_TOKENS[w])].sort(
    (a, b) => b.name.length - a.name.length || (a.name < b.name ? -1 : 1),
  ),
  Identifier,
  Unexpected,
];

let lexer: Lexer | undefined;

/**
 * The one lexer instance, built on first use: chevrotain lexers are stateless between `tokenize`
 * calls, and building one costs about 40 ms, which a run that never falls back from the fast parser
 * (fast-parse.ts) to chevrotain never pays.
 */
export function theLexer(): Lexer {
  if (lexer) return lexer;
  // The hints of the two Unicode-class tokens take a scan of the BMP (about 15 ms, at every start of
  // the CLI when made with the tokens), so they are made here; chevrotain reads them only now.
  // Any letter can start a name: BMP letters, and high surrogates for astral ones.
  Identifier.START_CHARS_HINT = startHints((ch) => NAME_START.test(ch) || (ch >= "\ud800" && ch <= "\udbff"));
  Unexpected.START_CHARS_HINT = startHints((ch) => !/[ \t\r\n\f\v\u00a0\ufeff"\p{L}0-9_{}[\],:]/u.test(ch));
  return (lexer = new Lexer(allTokens, { positionTracking: "onlyOffset", ensureOptimizations: false }));
}
