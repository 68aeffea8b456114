#!/usr/bin/env node
// Entry point of the `aithreat` command. Runs the bundled CLI (one file, fast to start): as CommonJS
// with V8's code cache (dist/aithreat.cjs, bundle-loader.js), else as an ES module
// (dist/aithreat.mjs), or, in a checkout built with tsc only, the compiled modules. All come from
// `npm install`'s prepare step or `npm run build`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

const cached = fileURLToPath(new URL("../dist/aithreat.cjs", import.meta.url));
const bundled = new URL("../dist/aithreat.mjs", import.meta.url);
const modules = new URL("../dist/src/cli/main.js", import.meta.url);
const entry = existsSync(fileURLToPath(bundled)) ? bundled : modules;
if (!existsSync(cached) && !existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    "aithreat is not built: run `npm install` (or `npm run build`) in the aithreat folder first\n",
  );
  process.exit(3);
}

/**
 * Node flags for organisation-size models (docs/scale.md), added by running the CLI in a child
 * Node with them, unless the user set them already:
 * - a 64 MB young generation: a model is built from millions of objects, and with Node's default
 *   (16 MB) the collector copies the survivors around several times more often (about 10-20% of
 *   the CPU time of a large check);
 * - an old-generation limit of three quarters of the machine's memory (at least 4 GB, at most
 *   16 GB) instead of V8's default, which depends on the machine and is 2-4 GB: a 1M-component
 *   model needs about 3 GB.
 * AITHREAT_NO_RESPAWN=1 runs in this process as it is.
 */
function extraFlags() {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  const has = (flag) =>
    given.some((a) => a.startsWith(flag) || a.startsWith(`--${flag.slice(2).replace(/-/g, "_")}`));
  const flags = [];
  if (!has("--max-semi-space-size")) flags.push("--max-semi-space-size=64");
  if (!has("--max-old-space-size")) {
    const mb = Math.floor((os.totalmem() * 0.75) / 1024 / 1024);
    flags.push(`--max-old-space-size=${Math.min(16384, Math.max(4096, mb))}`);
  }
  return flags;
}

// Commands that only check (or print) models.
const LIGHT = new Set(["check", "fmt", "init"]);

/**
 * Whether the model is small enough to run in this process, without the flags, where the code cache
 * of the bundle also works (V8 rejects it under other flags). Measured back to back: the 10k model
 * (2.7 MB) checks in 1.3 s of CPU here against 1.7 s in the child, and compiles in 10.8 s against
 * 11.8 s; at 100k (27 MB) the child's young generation pays, 67.6 s against 73.5 s of CPU for the
 * compile. So `check` runs here up to 16 MB of models, anything else up to 8 MB (about 30k
 * components), each also at most a fraction of this process's heap limit, and `--version`, `--help`
 * and usage errors always. Anything not known to be small (the check cannot load, a large folder
 * tree) starts the child as before.
 */
async function small(args) {
  const positional = args.filter((a) => !a.startsWith("-"));
  const command = positional[0];
  if (command === undefined) return true;
  const { default: v8 } = await import("node:v8");
  const heap = v8.getHeapStatistics().heap_size_limit;
  const limit = LIGHT.has(command) ? Math.min(16 << 20, heap / 64) : Math.min(8 << 20, heap / 256);
  // `diff --base REV` with no paths compares the current folder.
  const paths = command === "diff" && positional.length === 1 ? ["."] : positional.slice(1);
  try {
    const { modelBytesAtMost } = await import(new URL("../dist/src/cli/inputs.js", import.meta.url).href);
    return modelBytesAtMost(paths, limit);
  } catch {
    return false;
  }
}

let flags = process.env.AITHREAT_NO_RESPAWN === "1" ? [] : extraFlags();
if (flags.length > 0 && (await small(process.argv.slice(2)))) flags = [];
if (flags.length > 0) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
      env: { ...process.env, AITHREAT_NO_RESPAWN: "1", AITHREAT_PARENT_PID: String(process.pid) },
    },
  );
  // The child gets Ctrl-C from the terminal itself; forward what is sent to this process alone.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    if (signal) {
      process.removeAllListeners(signal);
      process.kill(process.pid, signal);
    } else process.exitCode = code ?? 3;
  });
} else {
  const parent = Number(process.env.AITHREAT_PARENT_PID);
  if (parent > 0 && parent === process.ppid) {
    // When the `aithreat` process that started this one dies, stop too (bin/parent-watch.js).
    const { Worker } = await import("node:worker_threads");
    const watch = new Worker(new URL("./parent-watch.js", import.meta.url), { workerData: { parent } });
    // A watch that cannot start only means an orphan is not stopped; an unheard 'error' would end the run.
    watch.on("error", () => undefined);
    watch.unref();
  }
  const { main } = existsSync(cached)
    ? (await import("./bundle-loader.js")).loadBundle(cached, `${cached}.cache`).exports
    : await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
