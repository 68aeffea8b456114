import { usableCores } from "../cores.js";
import { modelBytesUpTo } from "./inputs.js";

/**
 * How `bin/aithreat.js` runs a command line: "small" in its own process, without Node flags (where
 * the code cache of the bundle also works: V8 rejects it under other flags); "pooled" in a child Node
 * whose one flag sizes V8's worker pool to the cores (ADR 0018); "medium" and "large" in a child Node
 * with a larger young generation and heap (docs/scale.md), "large" with the larger of the two young
 * generations, and that pool too unless a compile may run its paths worker (`pathsWorker`).
 */
export type LaunchSize = "small" | "pooled" | "medium" | "large";

/**
 * Model bytes up to which a command that analyses runs in this process. Above it the child's smaller
 * worker pool pays for the second Node start (about 55 ms): on 2 cores a compile of the 1k model
 * (280 kB) took 0.81 s with one pool thread against 1.01 s with Node's four, of the 10k model 3.24
 * against 3.82 s, while a 300-component model (87 kB) gained 0.04 s and a 100-component one 0.03 s.
 */
export const POOLED_BYTES = 256 << 10;

/**
 * Below this many bytes of model files a compile's paths worker (paths-worker.ts) costs more than it
 * saves: a second isolate compiles the whole front end and path code again, and its compile and
 * collector tasks share V8's platform threads with the main thread's. Measured (medians, idle
 * machine, `AITHREAT_THREADS`): the 10k model (2.7 MB) compiled in 3.83 s with the worker against
 * 3.38 s without, even when its answer was not waited for; at 100k (27 MB) in 22.1 s with both
 * threads against 23.3 s with none, the main thread's CPU 18.4 against 21.0 s. Here because the
 * launcher asks too (a compile that may run the worker keeps Node's worker pool, ADR 0018).
 */
export const MIN_WORKER_BYTES = 12 << 20;
/**
 * Above this many, the second model would cost memory an organisation-size compile needs (the
 * paths of a 1M-component tree take seconds of its minutes, and its model gigabytes).
 */
export const MAX_WORKER_BYTES = 96 << 20;

/**
 * Whether model files of this size (undefined: not told, or more than MAX_WORKER_BYTES) are worth a
 * compile's paths worker, as both the compile and the launcher ask it (each with its own core count).
 */
export const worthAPathsWorker = (bytes: number | undefined): boolean =>
  bytes !== undefined && bytes >= MIN_WORKER_BYTES && bytes <= MAX_WORKER_BYTES;

/** Model bytes from which a run is "large". */
export const LARGE_BYTES = 64 << 20;

// Commands that only check (or print) models.
const LIGHT = new Set(["check", "fmt", "init"]);

/**
 * The options yargs knows before the command (src/cli/main.ts `main`), all of them flags: `-q` is
 * `--quiet`. yargs gives any other option written there the next word as its value.
 */
const GLOBAL_FLAGS = new Set(["debug", "quiet", "q", "help", "version"]);

/**
 * Where the command is in a command line, as yargs finds it: the first word that is neither an
 * option nor an option's value; -1 when there is none. Before the command yargs knows only the
 * global flags (`--debug`, `--quiet` or `-q`, `--help`, `--version`, which take `true` or `false`
 * after them, and `--no-<name>`): any other option takes the next word as its value unless it is
 * written `--name=value` or the next word is an option, so in `aithreat --today 2026-01-01 compile m`
 * the command is `compile`, not the date. A group of short options (`-qk 3`) is decided by its last
 * letter, and one with its value attached (`-k3`) takes no next word. After `--` every word is a plain argument (main.ts `afterDoubleDash`).
 */
export function commandIndex(args: readonly string[]): number {
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    if (a === "--") return i + 1 < args.length ? i + 1 : -1;
    if (a === "-" || !a.startsWith("-")) return i;
    if (a.includes("=") || a.startsWith("--no-")) continue;
    // A short option with its value attached (`-k3`, `-qk3`), as yargs reads a group whose rest is
    // not all letters.
    if (!a.startsWith("--") && /[^a-zA-Z]/.test(a.slice(2))) continue;
    const next = args[i + 1];
    const name = a.startsWith("--") ? a.slice(2) : a.slice(-1);
    if (GLOBAL_FLAGS.has(name)) {
      if (next === "true" || next === "false") i++;
    } else if (next !== undefined && !next.startsWith("-")) i++;
  }
  return -1;
}

/**
 * Sizes a command line by the model files it names. Measured back to back: the 10k model (2.7 MB)
 * checks in 1.3 s of CPU in-process against 1.7 s in the child, and compiles in 10.8 s against
 * 11.8 s; at 100k (27 MB) the child's young generation pays, 67.6 s against 73.5 s of CPU for the
 * compile. So `check`, `fmt` and `init` run in-process up to 16 MB of models (a smaller worker
 * pool gained a check of the 10k model nothing); any other command up to POOLED_BYTES, then in the
 * pooled child up to 8 MB (about 30k components), each limit also at most a fraction of the heap
 * limit `heapLimit`; no command at all (`--version`, `--help`) always in-process. Anything not known
 * to be small (a large folder tree, models that cannot be sized) is "large".
 *
 * The command is found as yargs finds it (`commandIndex`). Every other argument that is not an
 * option counts as a path, an option's value too (a file or folder that exists adds its model files;
 * anything else adds nothing): the sizing errs towards "more".
 * `diff` also counts the current folder, which it compares when it is given no path: whether it
 * was cannot be told without knowing which options take a value (`diff --base main` names none).
 */
export function launchSize(args: readonly string[], heapLimit: number, cwd = process.cwd()): LaunchSize {
  return launchSizing(args, heapLimit, cwd).size;
}

/** How the launcher runs a command line (`launchSizing`). */
export interface LaunchSizing {
  readonly size: LaunchSize;
  /**
   * The model files' bytes, undefined when there is no command, a size that cannot be told, or more
   * than LARGE_BYTES (a compile: more than MAX_WORKER_BYTES).
   */
  readonly bytes: number | undefined;
  readonly command: string | undefined;
  /**
   * A compile that will run its attack paths on a thread of its own, as compile.ts decides it:
   * `AITHREAT_THREADS=always`, or a second core and MIN_WORKER_BYTES to MAX_WORKER_BYTES of models
   * (as far as the bytes are told) unless `never`. `--only`, which starts no worker, is not read.
   */
  readonly pathsWorker: boolean;
}

/** What `launchSizing` asks of the machine: its usable cores and `$AITHREAT_THREADS`. */
export interface LaunchMachine {
  readonly cores: number;
  readonly threads: string | undefined;
}

/**
 * `launchSize` with the command it found, the model files' bytes it measured and whether a compile
 * may run a paths worker. The launcher names the command and bytes when the child it started runs
 * out of memory (bin/child-exit.js), and gives a child that may run the worker Node's own pool.
 */
export function launchSizing(
  args: readonly string[],
  heapLimit: number,
  cwd = process.cwd(),
  machine: LaunchMachine = { cores: usableCores(), threads: process.env.AITHREAT_THREADS },
): LaunchSizing {
  const at = commandIndex(args);
  if (at < 0) return { size: "small", bytes: undefined, command: undefined, pathsWorker: false };
  const command = args[at]!;
  const light = LIGHT.has(command);
  const inProcess = light ? Math.min(16 << 20, heapLimit / 64) : Math.min(POOLED_BYTES, heapLimit / 256);
  const pooled = light ? inProcess : Math.min(8 << 20, heapLimit / 256);
  const others = args.filter((a, i) => i !== at && !a.startsWith("-"));
  const paths = command === "diff" ? [".", ...others] : others;
  // LARGE_BYTES is above every other limit: one walk tells all four apart (a compile's goes on to
  // MAX_WORKER_BYTES, to tell whether its paths worker runs).
  const bytes = modelBytesUpTo(paths, command === "compile" ? MAX_WORKER_BYTES : LARGE_BYTES, cwd);
  const { cores, threads } = machine;
  const pathsWorker =
    command === "compile" &&
    (threads === "always" || (threads !== "never" && cores >= 2 && worthAPathsWorker(bytes)));
  if (bytes === undefined) return { size: "large", bytes, command, pathsWorker };
  const size =
    bytes <= inProcess ? "small" : bytes <= pooled ? "pooled" : bytes <= LARGE_BYTES ? "medium" : "large";
  return { size, bytes, command, pathsWorker };
}
