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
 * A reader that stopped reading (`aithreat rules | head`) is not an error: stop quietly, as Unix tools
 * do, instead of an unhandled EPIPE with a stack trace.
 */
const guarded = new WeakSet<NodeJS.WriteStream>();
function quietOnClosedPipe(stream: NodeJS.WriteStream): void {
  // Other listeners do not count: a worker thread's output pipe adds one that rethrows.
  if (guarded.has(stream)) return;
  guarded.add(stream);
  stream.on("error", (e: NodeJS.ErrnoException) => {
    if (e.code === "EPIPE") process.exit(EXIT.OK);
    throw e;
  });
}

/** The process's own streams. */
export function processIo(): Io {
  quietOnClosedPipe(process.stdout);
  quietOnClosedPipe(process.stderr);
  return {
    out: (t) => process.stdout.write(t),
    err: (t) => process.stderr.write(t),
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
