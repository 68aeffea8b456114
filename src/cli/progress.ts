import type { Io } from "./io.js";
import { nounFor } from "../words.js";

/**
 * Progress of a long command on a terminal: one status line on stderr, rewritten in place as the
 * command moves from stage to stage (`[1.2s] analysing 12,400 components...`) and erased at the end,
 * so it never mixes with the output. Nothing at all when stderr is not a terminal (CI logs, pipes,
 * tests) or with `--quiet`. The pipeline runs synchronously, so a stage is announced before it
 * starts rather than animated while it runs.
 */
export interface Progress {
  /** Announces the stage about to run. */
  stage(label: string): void;
  /** Erases the status line (before other output to stderr, and at the end). */
  clear(): void;
}

/** Options of a progress line; `now` is injectable so tests see fixed times. */
export interface ProgressOptions {
  readonly quiet?: boolean;
  readonly now?: () => number;
}

const NONE: Progress = { stage: () => {}, clear: () => {} };

// Erase the line and return to its start: `\r` then "erase in line" (CSI 2 K).
const ERASE = "\r\x1b[2K";

/** A progress line for the command's stderr, or a silent one when it should not show. */
export function createProgress(io: Io, options: ProgressOptions = {}): Progress {
  if (!io.tty || options.quiet) return NONE;
  const now = options.now ?? (() => performance.now());
  const start = now();
  let shown = false;
  return {
    stage(label) {
      const seconds = ((now() - start) / 1000).toFixed(1);
      io.err(`${ERASE}[${seconds}s] ${label}...`);
      shown = true;
    },
    clear() {
      if (shown) io.err(ERASE);
      shown = false;
    },
  };
}

/** A count for a status line, with thousands separators fixed to `,` (not the machine's locale). */
export function count(n: number, noun: string): string {
  const digits = String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  return `${digits} ${nounFor(n, noun)}`;
}
