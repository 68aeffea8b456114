// What `bin/aithreat.js` makes of the way the child Node that runs a medium or large model ended:
// a child that ran out of memory gets one clear message and the internal-error exit code, instead
// of V8's fatal-error dump alone and the shell's 134 or 137.
import os from "node:os";

/** The exit code of an internal error (src/cli/io.ts `EXIT.INTERNAL`, docs/cli.md). */
export const INTERNAL_EXIT = 3;

/** The last `--max-old-space-size` (or `--max_old_space_size`) among Node flags, in MB. */
export function heapLimitMb(flags) {
  let mb;
  for (let i = 0; i < flags.length; i++) {
    // `--max-old-space-size=N`, or the flag and its value as two words (NODE_OPTIONS allows both).
    const m = /^--max[-_]old[-_]space[-_]size(?:=(\d+))?$/.exec(flags[i]);
    if (!m) continue;
    const value = m[1] ?? (/^\d+$/.test(flags[i + 1] ?? "") ? flags[i + 1] : undefined);
    if (value !== undefined) mb = Number(value);
  }
  return mb;
}

function megabytes(bytes) {
  return bytes < 1 << 20
    ? `${Math.max(1, Math.round(bytes / 1024))} KB`
    : `${(bytes / 2 ** 20).toFixed(1)} MB`;
}

/**
 * How the child's end is reported, or undefined when it is passed on as it is (its own exit code,
 * or a signal such as Ctrl-C's, which the parent then raises on itself). A child stopped by SIGABRT
 * (V8 aborts so when the heap is full, after its fatal-error dump) or SIGKILL (what the kernel's
 * out-of-memory killer sends), or exiting with the codes a shell gives those (134, 137), is
 * reported as out of memory: `{ exitCode: INTERNAL_EXIT, message }`.
 *
 * `run` says what ran: `command` (found as yargs finds it, after any options and their values:
 * src/cli/launch-size.ts `commandIndex`), `bytes` (the model files' size, undefined when not told:
 * more than `largeBytes`, or not sized), `heapMb` (the child's heap limit) and `totalMb` (the
 * machine's memory).
 */
export function childExit(code, signal, run) {
  const how =
    signal === "SIGABRT" || (signal === null && code === 134)
      ? "abort"
      : signal === "SIGKILL" || (signal === null && code === 137)
        ? "kill"
        : undefined;
  if (how === undefined) return undefined;
  const { command, bytes, largeBytes, heapMb, totalMb = Math.floor(os.totalmem() / 2 ** 20) } = run;
  const what = `\`aithreat${command ? ` ${command}` : ""}\``;
  const model =
    bytes !== undefined
      ? `${megabytes(bytes)} of model files`
      : largeBytes !== undefined
        ? `over ${megabytes(largeBytes)} of model files (or a size that could not be told)`
        : "its model files";
  const heap = heapMb !== undefined ? `${heapMb} MB` : "its";
  const less =
    "or ask for less: `aithreat check` (no analysis), `compile --only <outputs>` (only the outputs named), or the model split into parts checked on their own";
  if (how === "abort") {
    const more = heapMb !== undefined ? Math.max(heapMb * 2, 4096) : 8192;
    const fits = more <= totalMb;
    return {
      exitCode: INTERNAL_EXIT,
      message:
        `error AT9999: internal error: out of memory: the Node process running ${what} on ${model} stopped (${signal ?? `exit code ${code}`}), most likely because its ${heap} heap was full (V8's report above says \`heap out of memory\`)\n` +
        `  = help: ${fits ? `give it a larger heap, e.g. \`NODE_OPTIONS=--max-old-space-size=${more}\` (this machine has ${totalMb} MB); ` : `this machine has ${totalMb} MB of memory: run it on a larger one with \`NODE_OPTIONS=--max-old-space-size=${more}\`, `}${less}\n`,
    };
  }
  return {
    exitCode: INTERNAL_EXIT,
    message:
      `error AT9999: internal error: out of memory: the Node process running ${what} on ${model} was killed (${signal ?? `exit code ${code}`}), most likely by the system because the machine ran out of memory (its heap limit was ${heap === "its" ? "Node's default" : heap} of the machine's ${totalMb} MB)\n` +
      `  = help: free memory for it (other programs, containers' memory limits), or run it on a larger machine; \`NODE_OPTIONS=--max-old-space-size=MB\` below the memory it can have makes Node stop with a clear error instead; ${less}\n`,
  };
}
