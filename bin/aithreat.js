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
 * - a 64 MB young generation, 256 MB from 64 MB of model files: a model is built from millions of
 *   objects, and with Node's default (16 MB) the collector copies the survivors around several times
 *   more often (about 10-20% of the CPU time of a large check). Past a few gigabytes of heap each
 *   young collection also costs about 30 ms however little survives (the 1M-component compile's
 *   output stage), so there fewer of them pay: 1,665 -> 453 collections and 50 -> 23 s of pauses,
 *   4:17 -> 3:55 wall, the same peak memory; at 100k components 256 MB gained nothing measurable
 *   and cost 0.3 GB;
 * - an old-generation limit of three quarters of the machine's memory (at least 4 GB, at most
 *   16 GB) instead of V8's default, which depends on the machine and is 2-4 GB: a 1M-component
 *   model needs about 3 GB.
 * AITHREAT_NO_RESPAWN=1 runs in this process as it is.
 */
function extraFlags(youngMb) {
  const given = [...process.execArgv, ...(process.env.NODE_OPTIONS ?? "").split(/\s+/)];
  const has = (flag) =>
    given.some((a) => a.startsWith(flag) || a.startsWith(`--${flag.slice(2).replace(/-/g, "_")}`));
  const flags = [];
  if (!has("--max-semi-space-size")) flags.push(`--max-semi-space-size=${youngMb}`);
  if (!has("--max-old-space-size")) {
    const mb = Math.floor((os.totalmem() * 0.75) / 1024 / 1024);
    flags.push(`--max-old-space-size=${Math.min(16384, Math.max(4096, mb))}`);
  }
  return flags;
}

/**
 * How large the model is (src/cli/launch-size.ts): "small" runs in this process, "medium" and
 * "large" in the child with the young generation `extraFlags` gives each. Anything that cannot be
 * sized is "large".
 */
async function size(args) {
  try {
    const { default: v8 } = await import("node:v8");
    const { launchSize } = await import(new URL("../dist/src/cli/launch-size.js", import.meta.url).href);
    return launchSize(args, v8.getHeapStatistics().heap_size_limit);
  } catch {
    return "large";
  }
}

const sized = process.env.AITHREAT_NO_RESPAWN === "1" ? "small" : await size(process.argv.slice(2));
const flags = sized === "small" ? [] : extraFlags(sized === "large" ? 256 : 64);
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
