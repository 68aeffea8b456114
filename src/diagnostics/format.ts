import { lineCol, lineText } from "../source.js";
import type { Diagnostic, Location } from "./diagnostic.js";
import { withoutHidden } from "../hidden-chars.js";
import { plural } from "../words.js";

/** Options for the human-readable format. */
export interface FormatOptions {
  /** ANSI colours, only for a terminal. */
  readonly color?: boolean;
  /** Print the code frame under the first line (default true). */
  readonly frame?: boolean;
}

const ansi = {
  red: (s: string) => `\x1b[31m${s}\x1b[0m`,
  yellow: (s: string) => `\x1b[33m${s}\x1b[0m`,
  cyan: (s: string) => `\x1b[36m${s}\x1b[0m`,
  bold: (s: string) => `\x1b[1m${s}\x1b[0m`,
};
const plain = (s: string) => s;

/** `path:line:col`, the clickable, greppable prefix of every located line. */
export function formatLocation(loc: Location): string {
  const { line, column } = lineCol(loc.file, loc.start);
  return `${loc.file.path}:${line}:${column}`;
}

// Source lines can hold anything; tabs are expanded so carets line up, and control characters
// are shown as `?` so a hostile file cannot move the terminal cursor or change its colours.
function displayable(s: string): string {
  return terminalText(s.replace(/\t/g, "    "));
}

/**
 * Text for a terminal that quotes model text (titles, reasons, source lines): hidden characters
 * (hidden-chars.ts) and carriage returns shown as `?`, as diagnostics show them, so a model can
 * neither drive the terminal nor reorder what it shows.
 */
export function terminalText(s: string): string {
  return withoutHidden(s.includes("\r") ? s.replace(/\r/g, "?") : s, "?");
}

/**
 * terminalText for one line of a diagnostic (its place, message, hint or a note): a line feed is
 * shown as `?` too, since a model string quoted there (`import "a\nb"`) would otherwise start a line
 * of its own, one that could read as another `path:line:col - error` to a person or a CI matcher.
 */
export function terminalLine(s: string): string {
  const text = terminalText(s);
  return text.includes("\n") ? text.replace(/\n/g, "?") : text;
}

const MAX_FRAME_WIDTH = 160;

function codeFrame(
  loc: Location,
  paint: (s: string) => string,
  gutterPaint: (s: string) => string,
): string[] {
  const { line, column } = lineCol(loc.file, loc.start);
  const raw = lineText(loc.file, line);
  const end = lineCol(loc.file, Math.max(loc.start, loc.end));
  const endCol = end.line === line ? end.column : raw.length + 1;
  // Cut very long lines (minified or generated input) to a window around the error.
  let from = 0;
  if (raw.length > MAX_FRAME_WIDTH && column > MAX_FRAME_WIDTH / 2) from = column - 1 - MAX_FRAME_WIDTH / 2;
  const shown = raw.slice(from, from + MAX_FRAME_WIDTH);
  const before = displayable(raw.slice(from, column - 1)).length;
  const width = Math.max(
    1,
    Math.min(displayable(raw.slice(column - 1, endCol - 1)).length, MAX_FRAME_WIDTH - before),
  );
  const num = String(line);
  const pad = " ".repeat(num.length);
  return [
    gutterPaint(`${pad} |`),
    `${gutterPaint(`${num} |`)} ${displayable(shown)}`,
    `${gutterPaint(`${pad} |`)} ${" ".repeat(before)}${paint("^".repeat(width))}`,
  ];
}

/** Formats one diagnostic: `file:line:col - error AT2001: message`, a code frame, hints and notes. */
export function formatDiagnostic(d: Diagnostic, options: FormatOptions = {}): string {
  const c = options.color ? ansi : { red: plain, yellow: plain, cyan: plain, bold: plain };
  const sevPaint = d.severity === "error" ? c.red : d.severity === "warning" ? c.yellow : c.cyan;
  // Messages quote model text (names, values, paths): each shown on its one line, as the frame is.
  const head = `${sevPaint(d.severity)} ${d.code}: ${c.bold(terminalLine(d.message))}`;
  const where = (loc: Location) => terminalLine(formatLocation(loc));
  const lines = [d.location ? `${where(d.location)} - ${head}` : head];
  // A file with no text (one that could not be read, is empty, or whose text compile let go:
  // `releaseText`) has no line worth showing.
  if (d.location && options.frame !== false && d.location.file.text.length > 0)
    lines.push(...codeFrame(d.location, sevPaint, c.cyan));
  if (d.hint) lines.push(`  = hint: ${terminalLine(d.hint)}`);
  for (const note of d.notes ?? []) {
    lines.push(`  = note: ${terminalLine(note.message)}${note.location ? ` (${where(note.location)})` : ""}`);
  }
  return lines.join("\n");
}

/** A summary line such as `2 errors, 1 warning`. */
export function summarize(diagnostics: readonly Diagnostic[]): string {
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.filter((d) => d.severity === "warning").length;
  return `${plural(errors, "error")}, ${plural(warnings, "warning")}`;
}

/** The JSON shape of a diagnostic for `--format json` (documented in docs/cli.md). */
export interface DiagnosticJson {
  code: string;
  severity: string;
  message: string;
  file?: string;
  line?: number;
  column?: number;
  endLine?: number;
  endColumn?: number;
  hint?: string;
  notes?: { message: string; file?: string; line?: number; column?: number }[];
}

/** Converts a diagnostic to plain JSON with 1-based lines and columns. */
export function diagnosticToJson(d: Diagnostic): DiagnosticJson {
  const out: DiagnosticJson = { code: d.code, severity: d.severity, message: d.message };
  if (d.location) {
    const s = lineCol(d.location.file, d.location.start);
    const e = lineCol(d.location.file, d.location.end);
    Object.assign(out, {
      file: d.location.file.path,
      line: s.line,
      column: s.column,
      endLine: e.line,
      endColumn: e.column,
    });
  }
  if (d.hint) out.hint = d.hint;
  if (d.notes) {
    out.notes = d.notes.map((n) => {
      if (!n.location) return { message: n.message };
      const p = lineCol(n.location.file, n.location.start);
      return { message: n.message, file: n.location.file.path, line: p.line, column: p.column };
    });
  }
  return out;
}
