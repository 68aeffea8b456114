import type { Location } from "../diagnostics/diagnostic.js";
import { lineCol } from "../source.js";

/** A location as outputs print it: project-relative path, 1-based line and column (UTF-16 units). */
export interface LocationView {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/** Converts an offset location to lines and columns. */
export function locationView(loc: Location): LocationView {
  const s = lineCol(loc.file, loc.start);
  const e = lineCol(loc.file, Math.max(loc.start, loc.end));
  return { file: loc.file.path, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
}
