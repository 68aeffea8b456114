import type { CompileAnalysis } from "../compiler.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";

/** A file an emitter produces; paths are relative to the output folder, with `/` separators. */
export interface OutputFile {
  readonly path: string;
  readonly contents: string | Uint8Array;
  /**
   * Produces a large file's text piece by piece (the same text as `contents`, which is then built
   * only when read). The writer runs it as it writes the file, encoding into a reused buffer (or the
   * write thread's ring) and writing about every quarter megabyte (WRITE_CHUNK in text-sink.ts), so a file of hundreds of megabytes is never held: neither in memory, nor on the heap where
   * the collector would trace it again and again.
   */
  readonly produce?: (put: (piece: string) => void) => void;
}

/** What every emitter gets: the whole analysis and the run's options. */
export interface EmitContext {
  readonly analysis: CompileAnalysis;
  /** aithreat's version, for outputs that record their producer. */
  readonly toolVersion: string;
  /** ISO time of the run, only with `--timestamp` (outputs are otherwise byte-identical across runs). */
  readonly generatedAt?: string;
  /** A folder of templates overriding the built-in ones (`--templates`). */
  readonly templatesDir?: string;
  /** Every diagnostic of the run (front end and analysis; warnings only, since errors stop it). */
  readonly diagnostics?: readonly Diagnostic[];
  /** Most results findings.sarif holds (`--sarif-max-results`; 0: all); SARIF_MAX_RESULTS by default. */
  readonly sarifMaxResults?: number;
  /** Most bytes findings.junit.xml holds (`--junit-max-kb`; 0: no limit); JUNIT_MAX_BYTES by default. */
  readonly junitMaxBytes?: number;
  /**
   * Most bytes of checklist.md, past which it is split by owner, and of each owner's file
   * (`--checklist-max-kb`; 0: one file of any size, each owner's findings still capped by count);
   * CHECKLIST_MAX_BYTES by default.
   */
  readonly checklistMaxBytes?: number;
}

/**
 * One output format. Emitters are pure: they return files, never write them; the CLI writes all of
 * them into a temporary folder and moves it into place, so a failed run leaves no half-written output.
 */
export interface Emitter {
  readonly name: string;
  readonly emit: (ctx: EmitContext) => OutputFile[];
}
