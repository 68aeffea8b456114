import fs from "node:fs";
/** Exit codes, the CLI's contract with CI (docs/cli.md). */
export const EXIT = {
  /** Valid model, gates passed. */
  OK: 0,
  /** A gate failed: findings or policy over the bar, or `fmt --check` would change a file. */
  GATE: 1,
  /** Invalid model or command line. */
  INVALID: 2,
  /** A bug in aithreat. */
  INTERNAL: 3,
} as const;

/** Where a command writes; the real process streams, or buffers in tests. */
export interface Io {
  out(text: string): void;
  err(text: string): void;
  /** Whether stderr is a terminal (colours, progress). */
  readonly tty: boolean;
  readonly cwd: string;
  readonly env: Readonly<Record<string, string | undefined>>;
}

/**
 * A reader that stopped reading (`aithreat rules | head`) is not an error: the rest of the output is
 * dropped quietly, as Unix tools do, instead of an unhandled EPIPE with a stack trace. The run goes
 * on to its own exit code, since that is the verdict: `compile --format sarif --fail-on high | head`
 * still exits 1 when the gate fails (the process used to exit 0 on the spot, after the gate had said
 * "failed" on stderr). Standard output that cannot be written otherwise (`> /dev/full`, a full disk)
 * is where the command line sent the results, as for an `--out` that cannot be written: a short
 * message and exit 2, where the error escaped with a stack trace and exit 1 ("gate failed").
 * Standard error that cannot be written only loses messages: the run goes on.
 */
const guarded = new WeakSet<NodeJS.WriteStream>();
function quietOnClosedPipe(stream: NodeJS.WriteStream, results: boolean): void {
  // Other listeners do not count: a worker thread's output pipe adds one that rethrows.
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", (e: NodeJS.ErrnoException) => {
    // The stream is destroyed now, and `write` below skips it.
    if (e.code === "EPIPE" || !results) return;
    try {
      // Node's text without its code prefix and syscall suffix: `no space left on device`.
      const why = e.message.replace(/^[A-Z]+: /, "").replace(/, write$/, "");
      fs.writeSync(2, `error AT9002: cannot write to standard output: ${why}\n`);
    } catch {
      // Standard error fails too: the exit code still says what happened.
    }
    process.exit(EXIT.INVALID);
  });
}

/** Writes to a stream unless its reader has gone (a destroyed stream takes nothing more). */
const write = (stream: NodeJS.WriteStream, text: string): void => {
  if (!stream.destroyed) stream.write(text);
};

/** The process's own streams. */
export function processIo(): Io {
  quietOnClosedPipe(process.stdout, true);
  quietOnClosedPipe(process.stderr, false);
  return {
    out: (t) => write(process.stdout, t),
    err: (t) => write(process.stderr, t),
    tty: Boolean(process.stderr.isTTY) && !process.env["NO_COLOR"],
    cwd: process.cwd(),
    env: process.env,
  };
}

/** Collects output in memory, for tests. */
export function bufferIo(
  env: Record<string, string | undefined> = {},
  cwd = process.cwd(),
): Io & { stdout: string; stderr: string } {
  const io = {
    stdout: "",
    stderr: "",
    out(t: string) {
      io.stdout += t;
    },
    err(t: string) {
      io.stderr += t;
    },
    tty: false,
    cwd,
    env,
  };
  return io;
}
