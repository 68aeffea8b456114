import type { SourceFile } from "../source.js";
import { DIAGNOSTICS, type DiagnosticCode, type Severity } from "./catalog.js";

/** A range of a source file, as offsets; line and column are computed only when printed. */
export interface Location {
  readonly file: SourceFile;
  readonly start: number;
  readonly end: number;
}

/** Extra context attached to a diagnostic, optionally located elsewhere ("first declared here"). */
export interface Note {
  readonly message: string;
  readonly location?: Location;
}

/** One problem found in the input, located when it concerns a file. */
export interface Diagnostic {
  readonly code: DiagnosticCode;
  readonly severity: Severity;
  /** Lowercase, no trailing period, identifiers in backticks. */
  readonly message: string;
  readonly location?: Location;
  /** What to do about it, shown as `= hint:`. */
  readonly hint?: string;
  readonly notes?: readonly Note[];
}

/** The result of every pipeline stage: a value plus what went wrong on the way. */
export interface StageResult<T> {
  readonly value: T;
  readonly diagnostics: readonly Diagnostic[];
}

/** Builds a diagnostic with the catalog's default severity unless one is given. */
export function diag(
  code: DiagnosticCode,
  location: Location | undefined,
  message: string,
  extra: { hint?: string | undefined; notes?: readonly Note[]; severity?: Severity } = {},
): Diagnostic {
  const d: {
    code: DiagnosticCode;
    severity: Severity;
    message: string;
    location?: Location;
    hint?: string;
    notes?: readonly Note[];
  } = { code, severity: extra.severity ?? DIAGNOSTICS[code].severity, message };
  if (location) d.location = location;
  if (extra.hint !== undefined) d.hint = extra.hint;
  if (extra.notes && extra.notes.length > 0) d.notes = extra.notes;
  return d;
}

/** Location helper for a node-like thing with offsets. */
export function at(file: SourceFile, node: { start: number; end: number }): Location {
  return { file, start: node.start, end: node.end };
}

/** True when any diagnostic is an error. */
export function hasErrors(diagnostics: readonly Diagnostic[]): boolean {
  return diagnostics.some((d) => d.severity === "error");
}

/** Sorts diagnostics by file, position, then code, so output is deterministic whatever the stage order. */
export function sortDiagnostics(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  return [...diagnostics].sort((a, b) => {
    const pa = a.location?.file.path ?? "";
    const pb = b.location?.file.path ?? "";
    if (pa !== pb) return pa < pb ? -1 : 1;
    const oa = a.location?.start ?? -1;
    const ob = b.location?.start ?? -1;
    if (oa !== ob) return oa - ob;
    if (a.code !== b.code) return a.code < b.code ? -1 : 1;
    return a.message < b.message ? -1 : a.message > b.message ? 1 : 0;
  });
}
