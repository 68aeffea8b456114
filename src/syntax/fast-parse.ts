import type {
  BlockItem,
  BlockNode,
  CommentNode,
  DeclarationKeyword,
  FileNode,
  ListNode,
  NameNode,
  StatementNode,
  StringNode,
  ValueNode,
} from "../ast/nodes.js";
import { HASH_SEED, hashOf, hashStep, Interner } from "./interner.js";
import {
  acceptNode,
  assetNode,
  blockNode,
  commentNode,
  dateNode,
  declarationNode,
  fileNode,
  flowNode,
  importNode,
  listNode,
  nameNode,
  numberNode,
  propertyNode,
  stringNode,
} from "./nodes.js";
import { decodeString } from "./strings.js";
import { COMPONENT_KIND_WORDS, DECL_WORDS, STATEMENT_WORDS } from "./words.js";

/*
 * The fast path of the parser: a hand-written scanner and recursive-descent parser for files
 * without errors, about an order of magnitude faster than the chevrotain parser and without a token
 * object per token. It accepts a subset of what the chevrotain grammar accepts without errors and
 * builds the same tree for it (test/syntax/fast-parse.test.ts checks both on random input). At the
 * first thing it does not handle (any lexical or syntax error, an invalid escape, a reserved word
 * used as a reference, nesting past the limit, a character it is unsure about) it gives up and
 * `parseFile` parses the file again with chevrotain, whose error recovery and messages stay the only
 * source of syntax diagnostics. Giving up is always safe; accepting what chevrotain would reject, or
 * building another tree, would be a bug.
 */

// Token kinds.
const EOF = 0;
const NAME = 1;
const KEYWORD = 2;
const STRING = 3;
const TRIPLE = 4;
const NUMBER = 5;
const DATE = 6;
const ARROW = 7;
const LBRACE = 8;
const RBRACE = 9;
const LBRACKET = 10;
const RBRACKET = 11;
const COMMA = 12;
const COLON = 13;

// Keyword classes (interner tags; 0 is a plain name).
const KW_IMPORT = 1;
const KW_FLOW = 2;
const KW_ACCEPT = 3;
const KW_ASSET = 4;
const KW_DECL = 5;
const KW_IN = 6;
const KW_ON = 7;

const KEYWORD_CLASS: Readonly<Record<string, number>> = Object.fromEntries([
  ...STATEMENT_WORDS.map((w): [string, number] => [
    w,
    w === "import"
      ? KW_IMPORT
      : w === "flow"
        ? KW_FLOW
        : w === "accept"
          ? KW_ACCEPT
          : w === "asset"
            ? KW_ASSET
            : w === "in"
              ? KW_IN
              : w === "on"
                ? KW_ON
                : DECL_WORDS.has(w)
                  ? KW_DECL
                  : 0,
  ]),
  ...COMPONENT_KIND_WORDS.map((w): [string, number] => [w, KW_DECL]),
]);

/** The names of one compilation, keywords pre-tagged; share one between the files of a program. */
export class NameTable extends Interner {
  constructor(capacity = 1024) {
    super(capacity);
    for (const [word, cls] of Object.entries(KEYWORD_CLASS)) this.slotOf(word, cls);
  }
}

/** Deepest nesting of `{` and `[` (the same limit parse.ts enforces with AT1021). */
const MAX_NESTING = 64;

/** Thrown to give the file to the chevrotain parser; one instance made once, so giving up costs no stack capture. */
class GiveUp extends Error {}
const GIVE_UP = new GiveUp("the fast parser gives this file to the chevrotain parser");

// Sticky regexes for the rare non-ASCII cases; the same patterns as tokens.ts.
const UNICODE_NAME = /[\p{L}_][\p{L}\p{M}\p{N}_]*(?:[.-](?!>)[\p{L}\p{M}\p{N}_]+)*/uy;
// What may not follow a number (it would be a malformed number) or a date (it would not be one).
const AFTER_NUMBER = /[\p{L}\p{M}_]/uy;
const AFTER_DATE = /[\p{L}\p{M}\p{N}_.-]/uy;

/** Whether the sticky `re` matches at offset `i` of `text`. */
function matchesAt(re: RegExp, text: string, i: number): boolean {
  re.lastIndex = i;
  return re.test(text);
}

// ASCII character classes: 1 = name character (letter, digit, `_`), 2 = also a letter or `_`.
const NAME_CHAR = new Uint8Array(128);
for (let c = 48; c <= 57; c++) NAME_CHAR[c] = 1;
for (let c = 65; c <= 90; c++) NAME_CHAR[c] = 2;
for (let c = 97; c <= 122; c++) NAME_CHAR[c] = 2;
NAME_CHAR[95] = 2;

const isDigit = (c: number) => c >= 48 && c <= 57;

/**
 * Parses a file that has no syntax errors, or returns undefined (the caller then runs the
 * recovering parser). `names` interns identifier text across files.
 */
export function fastParse(text: string, names: NameTable = new NameTable()): FileNode | undefined {
  try {
    return new FastParser(text, names).file();
  } catch (e) {
    if (e === GIVE_UP) return undefined;
    throw e;
  }
}

/**
 * Parses a file that has no syntax errors statement by statement, handing each top-level statement
 * to `visit` as soon as it is complete instead of building the file's tree: the semantic stage
 * checks it and drops it, so no whole-file tree ever lives (a 50 MB file's tree is about 1 GB).
 * Returns false when the fast parser gives up, possibly after some statements were visited: the
 * caller then discards what it built from them and takes the recovering parser's path.
 */
export function fastParseEach(
  text: string,
  names: NameTable,
  visit: (statement: StatementNode) => void,
): boolean {
  try {
    new FastParser(text, names, false).each(visit);
    return true;
  } catch (e) {
    if (e === GIVE_UP) return false;
    throw e;
  }
}

class FastParser {
  private pos = 0;
  // The current token.
  private tok = EOF;
  private start = 0;
  private end = 0;
  /** Interned text of a NAME or KEYWORD token; raw text of NUMBER and DATE tokens. */
  private word = "";
  private tokKw = 0;
  // One token of lookahead, filled on demand (only `flow a: ...` and list commas need it).
  private hasPeek = false;
  private peekTok = EOF;
  private peekStart = 0;
  private peekEnd = 0;
  private peekWord = "";
  private peekKw = 0;
  private depth = 0;
  private readonly comments: CommentNode[] = [];
  // Items of the lists under construction, as a stack: each list is copied out at its exact size.
  private readonly stack: unknown[] = [];

  constructor(
    private readonly text: string,
    private readonly names: NameTable,
    /** The semantic stage never reads comments; only whole trees (fmt, tests) keep them. */
    private readonly keepComments = true,
  ) {
    this.next();
  }

  file(): FileNode {
    const mark = this.stack.length;
    while (this.tok !== EOF) this.stack.push(this.statement());
    const statements = this.take<StatementNode>(mark);
    return fileNode(statements, this.comments.slice(), 0, this.text.length);
  }

  each(visit: (statement: StatementNode) => void): void {
    while (this.tok !== EOF) visit(this.statement());
  }

  // ---- scanner ----------------------------------------------------------------------------------

  private next(): void {
    if (this.hasPeek) {
      this.hasPeek = false;
      this.tok = this.peekTok;
      this.start = this.peekStart;
      this.end = this.peekEnd;
      this.word = this.peekWord;
      this.tokKw = this.peekKw;
      return;
    }
    this.scan();
  }

  /** Scans the token after the current one into the peek slot; returns its kind. */
  private peek(): number {
    if (this.hasPeek) return this.peekTok;
    const tok = this.tok;
    const start = this.start;
    const end = this.end;
    const word = this.word;
    const kw = this.tokKw;
    this.scan();
    this.peekTok = this.tok;
    this.peekStart = this.start;
    this.peekEnd = this.end;
    this.peekWord = this.word;
    this.peekKw = this.tokKw;
    this.hasPeek = true;
    this.tok = tok;
    this.start = start;
    this.end = end;
    this.word = word;
    this.tokKw = kw;
    return this.peekTok;
  }

  private scan(): void {
    const text = this.text;
    const n = text.length;
    let i = this.pos;
    let c = 0;
    for (;;) {
      if (i >= n) {
        this.set(EOF, n, n);
        return;
      }
      c = text.charCodeAt(i);
      // Whitespace: space, \t \n \v \f \r, no-break space, BOM (the lexer's WhiteSpace).
      if (c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0xfeff) {
        i++;
        continue;
      }
      if (c === 47) {
        const d = text.charCodeAt(i + 1);
        if (d === 47) {
          let j = i + 2;
          while (j < n) {
            const e = text.charCodeAt(j);
            if (e === 10 || e === 13) break;
            j++;
          }
          if (this.keepComments) this.comments.push(commentNode(text.slice(i, j), false, i, j));
          i = j;
          continue;
        }
        if (d === 42) {
          const close = text.indexOf("*/", i + 2);
          if (close < 0) throw GIVE_UP;
          if (this.keepComments)
            this.comments.push(commentNode(text.slice(i, close + 2), true, i, close + 2));
          i = close + 2;
          continue;
        }
        throw GIVE_UP;
      }
      break;
    }
    if (c < 128) {
      const cls = NAME_CHAR[c]!;
      if (cls === 2) return this.name(i);
      if (cls === 1) return this.number(i, i);
    }
    switch (c) {
      case 34:
        return this.string(i);
      case 123:
        return this.punct(LBRACE, i);
      case 125:
        return this.punct(RBRACE, i);
      case 91:
        return this.punct(LBRACKET, i);
      case 93:
        return this.punct(RBRACKET, i);
      case 44:
        return this.punct(COMMA, i);
      case 58:
        return this.punct(COLON, i);
      case 45: {
        const d = text.charCodeAt(i + 1);
        if (d === 62) {
          this.set(ARROW, i, i + 2);
          return;
        }
        if (isDigit(d)) return this.number(i, i + 1);
        throw GIVE_UP;
      }
    }
    if (c >= 128) return this.unicodeName(i);
    throw GIVE_UP;
  }

  private set(tok: number, start: number, end: number): void {
    this.tok = tok;
    this.start = start;
    this.end = end;
    this.pos = end;
  }

  private punct(tok: number, i: number): void {
    this.set(tok, i, i + 1);
  }

  /** A name or keyword starting with an ASCII letter or `_`. */
  private name(i: number): void {
    const text = this.text;
    const n = text.length;
    let h = hashStep(HASH_SEED, text.charCodeAt(i));
    let j = i + 1;
    for (;;) {
      while (j < n) {
        const c = text.charCodeAt(j);
        if (c >= 128) return this.unicodeName(i);
        if (NAME_CHAR[c] === 0) break;
        h = hashStep(h, c);
        j++;
      }
      // Inner `.` and `-` join segments when a name character follows (never `->`).
      const c = text.charCodeAt(j);
      if ((c === 46 || c === 45) && j + 1 < n) {
        const d = text.charCodeAt(j + 1);
        if (d >= 128) return this.unicodeName(i);
        if (NAME_CHAR[d] !== 0) {
          h = hashStep(hashStep(h, c), d);
          j += 2;
          continue;
        }
      }
      break;
    }
    const slot = this.names.slot(text, i, j, h);
    this.word = this.names.key(slot);
    this.tokKw = this.names.tag(slot);
    this.set(this.tokKw === 0 ? NAME : KEYWORD, i, j);
  }

  /** A name with non-ASCII characters: matched by the lexer's own pattern, text in NFC. */
  private unicodeName(i: number): void {
    UNICODE_NAME.lastIndex = i;
    const m = UNICODE_NAME.exec(this.text);
    if (!m) throw GIVE_UP;
    const image = m[0];
    const slot = this.names.slotOf(image.normalize("NFC"));
    this.word = this.names.key(slot);
    // The match may be all ASCII (a name or keyword followed by a no-break space): the lexer then
    // sees a keyword. Keywords are ASCII, so a name with other characters never is one, even when
    // its normal form happens to be.
    this.tokKw = image === this.word ? this.names.tag(slot) : 0;
    this.set(this.tokKw === 0 ? NAME : KEYWORD, i, i + image.length);
  }

  /** A date or a number; `digits` is where the digits start (after a `-`). */
  private number(i: number, digits: number): void {
    const text = this.text;
    const n = text.length;
    if (i === digits && i + 10 <= n && this.isDate(i)) {
      // The lexer's lookahead: a date may not run on into a name, a number, `.` or `-`.
      const c = i + 10 < n ? text.charCodeAt(i + 10) : 32;
      if (c < 128 ? NAME_CHAR[c] !== 0 || c === 46 || c === 45 : matchesAt(AFTER_DATE, text, i + 10))
        throw GIVE_UP;
      this.word = text.slice(i, i + 10);
      this.set(DATE, i, i + 10);
      return;
    }
    let j = digits;
    while (j < n && isDigit(text.charCodeAt(j))) j++;
    if (text.charCodeAt(j) === 46 && isDigit(text.charCodeAt(j + 1))) {
      j += 2;
      while (j < n && isDigit(text.charCodeAt(j))) j++;
    }
    // A number glued to a letter (`12abc`) is an error token for the lexer; a digit cannot follow.
    if (j < n) {
      const c = text.charCodeAt(j);
      if (c < 128 ? NAME_CHAR[c] === 2 : matchesAt(AFTER_NUMBER, text, j)) throw GIVE_UP;
    }
    this.word = text.slice(i, j);
    this.set(NUMBER, i, j);
  }

  private isDate(i: number): boolean {
    const t = this.text;
    return (
      isDigit(t.charCodeAt(i)) &&
      isDigit(t.charCodeAt(i + 1)) &&
      isDigit(t.charCodeAt(i + 2)) &&
      isDigit(t.charCodeAt(i + 3)) &&
      t.charCodeAt(i + 4) === 45 &&
      isDigit(t.charCodeAt(i + 5)) &&
      isDigit(t.charCodeAt(i + 6)) &&
      t.charCodeAt(i + 7) === 45 &&
      isDigit(t.charCodeAt(i + 8)) &&
      isDigit(t.charCodeAt(i + 9))
    );
  }

  private string(i: number): void {
    const text = this.text;
    const n = text.length;
    if (text.charCodeAt(i + 1) === 34 && text.charCodeAt(i + 2) === 34) {
      const close = text.indexOf('"""', i + 3);
      if (close < 0) throw GIVE_UP;
      this.set(TRIPLE, i, close + 3);
      return;
    }
    let j = i + 1;
    for (;;) {
      if (j >= n) throw GIVE_UP;
      const c = text.charCodeAt(j);
      if (c === 34) break;
      if (c === 10 || c === 13) throw GIVE_UP;
      if (c === 92) {
        const d = text.charCodeAt(j + 1);
        if (j + 1 >= n || d === 10 || d === 13) throw GIVE_UP;
        j += 2;
        continue;
      }
      j++;
    }
    this.set(STRING, i, j + 1);
  }

  // ---- parser -----------------------------------------------------------------------------------

  // Through methods, so the compiler does not narrow the token across `next()` calls.
  private is(tok: number): boolean {
    return this.tok === tok;
  }

  private kw(): number {
    return this.tokKw;
  }

  /** The items pushed since `mark`, as an array of exactly their number. */
  private take<T>(mark: number): T[] {
    const items = this.stack.slice(mark) as T[];
    this.stack.length = mark;
    return items;
  }

  private expect(tok: number): number {
    if (this.tok !== tok) throw GIVE_UP;
    const start = this.start;
    this.next();
    return start;
  }

  private nameHere(): NameNode {
    if (!this.is(NAME)) throw GIVE_UP;
    const node = nameNode(this.word, this.start, this.end);
    this.next();
    return node;
  }

  private statement(): StatementNode {
    if (!this.is(KEYWORD)) throw GIVE_UP;
    const start = this.start;
    switch (this.kw()) {
      case KW_IMPORT: {
        this.next();
        const path = this.stringValue();
        return importNode(path, start, path.end);
      }
      case KW_FLOW: {
        this.next();
        let name: NameNode | undefined;
        if (this.is(NAME) && this.peek() === COLON) {
          name = this.nameHere();
          this.next();
        }
        const from = this.nameHere();
        this.expect(ARROW);
        const to = this.nameHere();
        const title = this.is(STRING) || this.is(TRIPLE) ? this.stringValue() : undefined;
        const body = this.is(LBRACE) ? this.block() : undefined;
        return flowNode(
          name,
          from,
          to,
          title,
          body,
          start,
          Math.max(start + 4, body?.end ?? title?.end ?? to.end),
        );
      }
      case KW_ACCEPT: {
        this.next();
        const rule = this.nameHere();
        if (!this.is(KEYWORD) || this.kw() !== KW_ON) throw GIVE_UP;
        this.next();
        const target = this.nameHere();
        const body = this.is(LBRACE) ? this.block() : undefined;
        return acceptNode(rule, target, body, start, Math.max(start + 6, body?.end ?? target.end));
      }
      case KW_ASSET: {
        this.next();
        const target = this.nameHere();
        const key = this.nameHere();
        const value = this.startsValue() ? this.value() : undefined;
        const body = this.is(LBRACE) ? this.block() : undefined;
        return assetNode(
          target,
          key,
          value,
          body,
          start,
          Math.max(start + 5, body?.end ?? value?.end ?? key.end),
        );
      }
      case KW_DECL: {
        const keyword = this.word as DeclarationKeyword;
        const keywordEnd = this.end;
        this.next();
        const name = this.is(NAME) ? this.nameHere() : undefined;
        const title = this.is(STRING) || this.is(TRIPLE) ? this.stringValue() : undefined;
        let parent: NameNode | undefined;
        if (this.is(KEYWORD) && this.kw() === KW_IN) {
          this.next();
          parent = this.nameHere();
        }
        const body = this.is(LBRACE) ? this.block() : undefined;
        const end = body?.end ?? parent?.end ?? title?.end ?? name?.end ?? keywordEnd;
        return declarationNode(keyword, { start, end: keywordEnd }, name, title, parent, body, start, end);
      }
      default:
        throw GIVE_UP;
    }
  }

  private block(): BlockNode {
    const start = this.start;
    this.enter();
    this.next();
    const mark = this.stack.length;
    for (;;) {
      if (this.is(RBRACE)) break;
      if (this.is(NAME)) this.stack.push(this.property());
      else this.stack.push(this.statement());
    }
    const end = this.end;
    this.depth--;
    this.next();
    return blockNode(this.take<BlockItem>(mark), start, end);
  }

  private enter(): void {
    if (++this.depth > MAX_NESTING) throw GIVE_UP;
  }

  private property(): BlockItem {
    const key = nameNode(this.word, this.start, this.end);
    this.next();
    const value = this.startsValue() ? this.value() : undefined;
    const body = this.is(LBRACE) ? this.block() : undefined;
    // A property without a value is AT1023, reported by the recovering parser.
    if (!value && !body) throw GIVE_UP;
    return propertyNode(key, value, body, key.start, body?.end ?? value?.end ?? key.end);
  }

  private startsValue(): boolean {
    const t = this.tok;
    return t === STRING || t === TRIPLE || t === NUMBER || t === DATE || t === NAME || t === LBRACKET;
  }

  private value(): ValueNode {
    const start = this.start;
    const end = this.end;
    switch (this.tok) {
      case STRING:
      case TRIPLE:
        return this.stringValue();
      case NUMBER: {
        const image = this.word;
        this.next();
        return numberNode(parseFloat(image), image, start, end);
      }
      case DATE: {
        const image = this.word;
        this.next();
        return dateNode(image, start, end);
      }
      case NAME:
        return this.nameHere();
      case LBRACKET:
        return this.list();
      default:
        throw GIVE_UP;
    }
  }

  private list(): ListNode {
    const start = this.start;
    this.enter();
    this.next();
    const mark = this.stack.length;
    if (this.startsValue() || this.is(KEYWORD)) {
      this.stack.push(this.listItem());
      // A comma continues the list when an item follows it; otherwise it is the trailing comma.
      while (this.is(COMMA)) {
        const after = this.peek();
        if (!(
          after === STRING ||
          after === TRIPLE ||
          after === NUMBER ||
          after === DATE ||
          after === NAME ||
          after === LBRACKET ||
          after === KEYWORD
        ))
          break;
        this.next();
        this.stack.push(this.listItem());
      }
      if (this.is(COMMA)) this.next();
    }
    if (!this.is(RBRACKET)) throw GIVE_UP;
    const end = this.end;
    this.depth--;
    this.next();
    return listNode(this.take<ValueNode>(mark), start, end);
  }

  private listItem(): ValueNode {
    // Inside a list a reserved word is a plain name.
    if (this.is(KEYWORD)) {
      const node = nameNode(this.word, this.start, this.end);
      this.next();
      return node;
    }
    return this.value();
  }

  private stringValue(): StringNode {
    const start = this.start;
    const end = this.end;
    const triple = this.is(TRIPLE);
    if (!triple && !this.is(STRING)) throw GIVE_UP;
    const q = triple ? 3 : 1;
    const { value, errors } = decodeString(this.text.slice(start + q, end - q), triple);
    if (errors.length > 0) throw GIVE_UP;
    this.next();
    return stringNode(value, triple, start, end);
  }
}

/** For tests: the hash the scanner computes for a name equals `hashOf` of its text. */
export const nameHash = hashOf;
