import type {
  BlockItem,
  BlockNode,
  CommentNode,
  FileNode,
  ListNode,
  Span,
  StringNode,
  ValueNode,
} from "../ast/nodes.js";
import type { SourceFile } from "../source.js";
import { encodeString } from "./strings.js";

/**
 * The canonical layout of a `.aithreat` file (`aithreat fmt`).
 *
 * The printer walks the tree in source order and keeps a cursor into the file's comments: before
 * anything is printed at offset `p`, every comment that starts before `p` is printed first. Where a
 * comment lands depends on where it was written:
 * - between statements or properties, on a line of its own: above the next item (a block comment
 *   followed by code on the same line stays in front of that code);
 * - on the line where an item (or a block's `{`) ends: at the end of that line;
 * - inside a statement's header or a value: inline; a `//` comment there ends the line and the header
 *   continues on the next line with a double indent, except right before `{`, where it moves behind
 *   the brace;
 * - inside a list: the list breaks to one item per line, so each comment can keep its line.
 * Nothing is reordered, so the syntax tree of the output equals the input's apart from offsets
 * (`sameSyntaxTree`), and printing the output again gives the same text.
 */

/** Lines longer than this break a one-line block into one property per line. */
export const MAX_LINE_WIDTH = 100;
const INDENT = "  ";
// Continued header lines get two levels, so they never look like the first item of a block.
const CONTINUATION = 2;

/** Prints a file that parsed without errors in its canonical layout. */
export function formatSource(file: SourceFile, ast: FileNode): string {
  return new Printer(file.text, ast.comments).file(ast);
}

class Printer {
  // Finished text, one chunk per finished line (a multi-line string or comment may add several).
  private readonly done: string[] = [];
  private cur = "";
  private lineOpen = false;
  private lastBlank = true;
  // Set once a `//` comment is on the current line: anything else written must start a new line.
  private mustBreak = false;
  private next = 0;
  private readonly comments: readonly CommentNode[];

  constructor(
    private readonly text: string,
    comments: readonly CommentNode[],
  ) {
    this.comments = [...comments].sort((a, b) => a.start - b.start);
  }

  file(ast: FileNode): string {
    this.sequence(ast.statements, 0, 0, this.text.length, false, (s) => this.item(s, 0));
    this.endLine();
    return this.done.join("");
  }

  // ---- output -------------------------------------------------------------------------------

  private write(s: string): void {
    this.lineOpen = true;
    const nl = s.lastIndexOf("\n");
    if (nl < 0) {
      this.cur += s;
      return;
    }
    this.done.push(this.cur + s.slice(0, nl + 1));
    this.cur = s.slice(nl + 1);
  }

  private endLine(): void {
    if (!this.lineOpen) return;
    this.done.push(`${this.cur}\n`);
    this.cur = "";
    this.lineOpen = false;
    this.lastBlank = false;
    this.mustBreak = false;
  }

  private blankLine(): void {
    if (this.lastBlank) return;
    this.done.push("\n");
    this.lastBlank = true;
  }

  private startLine(indent: number): void {
    this.endLine();
    this.write(INDENT.repeat(indent));
  }

  private width(): number {
    let n = 0;
    // Code points, not UTF-16 units, so a name in another script is not counted twice.
    for (const _ of this.cur) n++;
    return n;
  }

  // ---- comments -------------------------------------------------------------------------------

  private peekComment(before: number): CommentNode | undefined {
    const c = this.comments[this.next];
    return c && c.start < before ? c : undefined;
  }

  private hasCommentIn(start: number, end: number): boolean {
    let lo = this.next;
    let hi = this.comments.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.comments[mid]?.start ?? 0) < start) lo = mid + 1;
      else hi = mid;
    }
    const c = this.comments[lo];
    return c !== undefined && c.start < end;
  }

  /**
   * Writes a comment at the current position. `align` is the indent of a comment on its own line:
   * a block comment whose continuation lines all start with `*` is re-aligned under it, any other
   * keeps its inner lines as written (they may be deliberate ASCII art).
   */
  private writeComment(c: CommentNode, align?: number): void {
    if (!c.block) {
      this.write(c.text.trimEnd());
      this.mustBreak = true;
      return;
    }
    let lines = c.text.split(/\r\n|\r|\n/).map((l) => l.trimEnd());
    if (align !== undefined && lines.length > 1 && lines.slice(1).every((l) => /^\s*\*/.test(l))) {
      const pad = `${INDENT.repeat(align)} `;
      lines = lines.map((l, i) => (i === 0 ? l : pad + l.trimStart()));
    }
    this.write(lines.join("\n"));
  }

  /** Comments inside a header or a value: inline, a `//` comment ending the line. */
  private inlineComments(before: number, indent: number): boolean {
    let any = false;
    for (let c = this.peekComment(before); c; c = this.peekComment(before)) {
      if (this.mustBreak) this.continuation(indent);
      else this.write(" ");
      this.writeComment(c);
      this.next++;
      any = true;
    }
    return any;
  }

  private continuation(indent: number): void {
    this.startLine(indent + CONTINUATION);
  }

  // ---- layout -------------------------------------------------------------------------------

  private newlines(from: number, to: number): number {
    let n = 0;
    for (let i = from; i < to; i++) {
      const ch = this.text.charCodeAt(i);
      if (ch === 10) n++;
      else if (ch === 13) {
        n++;
        if (this.text.charCodeAt(i + 1) === 10) i++;
      }
    }
    return n;
  }

  /**
   * Prints items (statements, block items or list items) one per line with the comments around
   * them. `from`..`to` is the region they live in: the file, or the inside of `{ }` or `[ ]`.
   * `trailOk` says the current line ends with an opening bracket a same-line comment may follow.
   */
  private sequence<T extends Span>(
    items: readonly T[],
    indent: number,
    from: number,
    to: number,
    trailOk: boolean,
    print: (item: T) => void,
  ): void {
    let prevEnd = from;
    // Something of this sequence stands on a line of its own: blank lines before later items count.
    let printed = false;
    // The current line ends with code (or a bracket) that a comment on the same line trails.
    let trail = trailOk;
    // The current line ends with a block comment that stood in front of the next thing.
    let inline = false;

    const begin = (start: number): void => {
      const nl = this.newlines(prevEnd, start);
      if (inline && nl === 0 && !this.mustBreak) {
        this.write(" ");
        return;
      }
      this.endLine();
      // Blank lines between items are kept, at most one; never right after `{` or at the top.
      if (printed && nl >= 2) this.blankLine();
      this.startLine(indent);
    };
    const comments = (before: number): void => {
      for (let c = this.peekComment(before); c; c = this.peekComment(before)) {
        this.next++;
        // `prevEnd` may lie past a comment deferred from in front of `{`: that one trails the brace too.
        if (trail && !this.mustBreak && (c.start < prevEnd || this.newlines(prevEnd, c.start) === 0)) {
          this.write(" ");
          this.writeComment(c);
          inline = false;
        } else {
          begin(c.start);
          this.writeComment(c, indent);
          printed = true;
          trail = false;
          inline = c.block;
        }
        prevEnd = Math.max(prevEnd, c.end);
      }
    };

    for (const item of items) {
      comments(item.start);
      begin(item.start);
      print(item);
      printed = true;
      trail = true;
      inline = false;
      prevEnd = item.end;
    }
    comments(to);
  }

  private item(it: BlockItem, indent: number): void {
    switch (it.kind) {
      case "declaration":
        this.token(it.keyword, it.keywordSpan.start, indent, "");
        if (it.name) this.token(it.name.text, it.name.start, indent);
        if (it.title) this.value(it.title, indent);
        if (it.parent) {
          this.token("in", it.parent.start, indent);
          this.token(it.parent.text, it.parent.start, indent);
        }
        break;
      case "flow":
        this.token("flow", it.start, indent, "");
        if (it.name) this.token(`${it.name.text}:`, it.name.start, indent);
        this.token(it.from.text, it.from.start, indent);
        this.token("->", it.to.start, indent);
        this.token(it.to.text, it.to.start, indent);
        if (it.title) this.value(it.title, indent);
        break;
      case "import":
        this.token("import", it.start, indent, "");
        this.value(it.path, indent);
        break;
      case "accept":
        this.token("accept", it.start, indent, "");
        this.token(it.rule.text, it.rule.start, indent);
        this.token("on", it.target.start, indent);
        this.token(it.target.text, it.target.start, indent);
        break;
      case "asset":
        this.token("asset", it.start, indent, "");
        this.token(it.target.text, it.target.start, indent);
        this.token(it.key.text, it.key.start, indent);
        if (it.value) this.value(it.value, indent);
        break;
      case "property":
        this.token(it.key.text, it.key.start, indent, "");
        if (it.value) this.value(it.value, indent);
        break;
      default:
        it satisfies never;
    }
    if (it.kind !== "import" && it.body) this.block(it.body, indent);
  }

  /** One token of a header, after the comments written in front of it. */
  private token(text: string, offset: number, indent: number, sep = " "): void {
    const commented = this.inlineComments(offset, indent);
    if (this.mustBreak) {
      this.continuation(indent);
      this.write(text);
    } else {
      this.write((commented ? " " : sep) + text);
    }
  }

  private value(v: ValueNode, indent: number, sep = " "): void {
    if (v.kind === "list" && this.hasCommentIn(v.start, v.end)) this.brokenList(v, indent, sep);
    else this.token(this.flatValue(v), v.start, indent, sep);
  }

  private brokenList(list: ListNode, indent: number, sep: string): void {
    this.token("[", list.start, indent, sep);
    this.sequence(list.items, indent + 1, list.start + 1, list.end - 1, true, (v) => {
      this.value(v, indent + 1, "");
      this.write(",");
    });
    this.startLine(indent);
    this.write("]");
  }

  private block(b: BlockNode, indent: number): void {
    // A `//` comment between the header and `{` would push the brace onto a line of its own: it
    // moves behind the brace instead, which keeps it on the header's line.
    let deferred = false;
    for (let i = this.next; this.comments[i] && this.comments[i]!.start < b.start; i++) {
      if (!this.comments[i]!.block) deferred = true;
    }
    if (!deferred) this.inlineComments(b.start, indent);

    const flat = deferred ? undefined : this.flatBlock(b, true);
    if (flat !== undefined && this.width() + 1 + [...flat].length <= MAX_LINE_WIDTH) {
      this.write(` ${flat}`);
      return;
    }
    if (b.items.length === 0 && !this.hasCommentIn(b.start, b.end) && !deferred) {
      this.write(" {}");
      return;
    }
    this.write(" {");
    this.sequence(b.items, indent + 1, b.start + 1, b.end - 1, true, (it) => this.item(it, indent + 1));
    this.startLine(indent);
    this.write("}");
  }

  /**
   * The one-line form of a block, when it may have one: properties only (nested blocks included),
   * no comments, and written on one line in the source, so the author's choice of one line or many
   * is kept and the layout is stable under reformatting.
   */
  private flatBlock(b: BlockNode, outer: boolean): string | undefined {
    if (outer && (this.newlines(b.start, b.end) > 0 || this.hasCommentIn(b.start, b.end))) return undefined;
    if (b.items.length === 0) return "{}";
    const parts: string[] = [];
    for (const it of b.items) {
      if (it.kind !== "property") return undefined;
      let s = it.key.text;
      if (it.value) s += ` ${this.flatValue(it.value)}`;
      if (it.body) {
        const inner = this.flatBlock(it.body, false);
        if (inner === undefined) return undefined;
        s += ` ${inner}`;
      }
      parts.push(s);
    }
    // Two spaces between properties: on one line they read as pairs, as in `{ trust internal  owner "x" }`.
    return `{ ${parts.join("  ")} }`;
  }

  private flatValue(v: ValueNode): string {
    switch (v.kind) {
      case "name":
      case "number":
      case "date":
        return v.text;
      case "string":
        return this.stringText(v);
      case "list":
        return `[${v.items.map((i) => this.flatValue(i)).join(", ")}]`;
      default:
        return v satisfies never;
    }
  }

  // Triple-quoted text is printed as written: re-indenting or re-wrapping it would change its value.
  // Only its line ends become LF, and only when the value shows the parser reads them as LF (a
  // value holding a CR, from an escape or an older parser, keeps the text byte for byte).
  private stringText(s: StringNode): string {
    if (!s.triple) return encodeString(s.value);
    const raw = this.text.slice(s.start + 3, s.end - 3);
    return `"""${s.value.includes("\r") ? raw : raw.replace(/\r\n?/g, "\n")}"""`;
  }
}

/** A copy of a syntax tree without offsets (`start`, `end`, `keywordSpan`), for comparing trees. */
export function withoutOffsets(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(withoutOffsets);
  if (node === null || typeof node !== "object") return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node)) {
    if (k === "start" || k === "end" || k === "keywordSpan") continue;
    out[k] = withoutOffsets(v);
  }
  return out;
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  if (ka.length !== kb.length) return false;
  const ra = a as Record<string, unknown>;
  const rb = b as Record<string, unknown>;
  return ka.every((k) => Object.prototype.hasOwnProperty.call(rb, k) && deepEqual(ra[k], rb[k]));
}

/** Whether two files have the same statements, ignoring offsets and comments. */
export function sameSyntaxTree(a: FileNode, b: FileNode): boolean {
  return deepEqual(withoutOffsets(a.statements), withoutOffsets(b.statements));
}

/**
 * The comments of a file as the formatter may rewrite them: whitespace runs collapsed (it re-indents
 * comment lines and strips trailing blanks), kind and order kept. Equal lists mean no comment was lost.
 */
export function commentSignature(ast: FileNode): string[] {
  return ast.comments.map((c) => `${c.block ? "block" : "line"}:${c.text.replace(/\s+/g, " ").trim()}`);
}
