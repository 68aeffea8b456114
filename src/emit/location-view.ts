import type { Location } from "../diagnostics/diagnostic.js";
import { lineIndex, lineStarts, textLength } from "../source.js";

/** A location as outputs print it: project-relative path, 1-based line and column (UTF-16 units). */
export interface LocationView {
  file: string;
  line: number;
  column: number;
  endLine: number;
  endColumn: number;
}

/**
 * Converts an offset location to lines and columns (as `lineCol` does for each end). The end is
 * found by stepping on from the start's line: nearly every range ends on its first lines, where a
 * second binary search over the file's lines would cost more.
 */
export function locationView(loc: Location): LocationView {
  const starts = lineStarts(loc.file);
  const length = textLength(loc.file);
  const start = Math.max(0, Math.min(loc.start, length));
  const end = Math.max(start, Math.min(loc.end, length));
  const line = lineIndex(starts, start);
  let endLine = line;
  while (endLine + 1 < starts.length && starts[endLine + 1]! <= end && endLine - line < 8) endLine++;
  if (endLine + 1 < starts.length && starts[endLine + 1]! <= end) endLine = lineIndex(starts, end);
  return {
    file: loc.file.path,
    line: line + 1,
    column: start - starts[line]! + 1,
    endLine: endLine + 1,
    endColumn: end - starts[endLine]! + 1,
  };
}
