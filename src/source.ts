/** A source file as the compiler sees it: a project-relative path and its text, BOM removed. */
export interface SourceFile {
  /** Index in the compilation's file table (load order). */
  readonly id: number;
  /** Path relative to the project root, with forward slashes; this is what diagnostics print. */
  readonly path: string;
  /**
   * Text of the file without a leading byte-order mark; "" once `compile` let it go (`releaseText`:
   * lines and columns stay exact, but there is no line to show).
   */
  readonly text: string;
}

/** A 1-based line and column; the column counts UTF-16 code units, as editors and SARIF do by default. */
export interface LineCol {
  line: number;
  column: number;
}

// Line starts are computed on first use and cached per file: positions are stored as offsets
// everywhere (cheap), and only turned into line/column when a diagnostic or a report prints them.
// The text's length is kept beside them, so a file whose text was let go (`releaseText`) still
// gives every line and column.
interface Lines {
  readonly starts: Int32Array;
  readonly length: number;
}
const linesCache = new WeakMap<SourceFile, Lines>();
// Outputs print many locations of one file in a row: the last file's lines are at hand.
let lastFile: SourceFile | undefined;
let lastLines: Lines | undefined;

function linesOf(file: SourceFile): Lines {
  if (file === lastFile) return lastLines!;
  let lines = linesCache.get(file);
  if (!lines) {
    lines = { starts: computeLineStarts(file.text), length: file.text.length };
    linesCache.set(file, lines);
  }
  lastFile = file;
  lastLines = lines;
  return lines;
}

function computeLineStarts(text: string): Int32Array {
  const starts: number[] = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return Int32Array.from(starts);
}

/** Offsets at which each line starts; `\r\n`, `\n` and a lone `\r` all end a line. */
export function lineStarts(file: SourceFile): Int32Array {
  return linesOf(file).starts;
}

/** The length of the file's text, also once the text was let go. */
export function textLength(file: SourceFile): number {
  return linesOf(file).length;
}

/**
 * Lets the file's text go, keeping its line starts and length: lines and columns stay exact, but
 * the file has no line to show (`lineText` gives "", and a diagnostic there prints no code frame).
 * For `compile`, whose model outlives the texts' use: the model keeps no view into them (its strings
 * are copies, `ownCopy`), so at 1M components about 280 MB go.
 */
export function releaseText(file: SourceFile): void {
  linesOf(file);
  (file as { text: string }).text = "";
}

/** Line and column of an offset (clamped to the text). */
export function lineCol(file: SourceFile, offset: number): LineCol {
  const { starts, length } = linesOf(file);
  const off = Math.max(0, Math.min(offset, length));
  const line = lineIndex(starts, off);
  return { line: line + 1, column: off - starts[line]! + 1 };
}

/**
 * The 0-based line holding an offset, from `lineStarts`: the last line start at or before it. (Any
 * ascending starts beginning at 0 serve: the findings' joined messages find their string so.)
 */
export function lineIndex(starts: ArrayLike<number>, offset: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** The text of a 1-based line, without its line terminator. */
export function lineText(file: SourceFile, line: number): string {
  const starts = lineStarts(file);
  const start = starts[line - 1];
  if (start === undefined) return "";
  const next = starts[line];
  let end = next === undefined ? file.text.length : next;
  while (end > start && (file.text.charCodeAt(end - 1) === 10 || file.text.charCodeAt(end - 1) === 13)) end--;
  return file.text.slice(start, end);
}

/** Creates a source file record, removing a UTF-8 byte-order mark if present. */
export function makeSourceFile(id: number, path: string, text: string): SourceFile {
  return { id, path, text: text.charCodeAt(0) === 0xfeff ? text.slice(1) : text };
}
