#!/usr/bin/env node
// Entry point of the `aithreat` command. Runs the bundled CLI (dist/aithreat.mjs, one file, fast to
// start) or, in a checkout built with tsc only, the compiled modules. Both come from `npm install`'s
// prepare step or `npm run build`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";

const bundled = new URL("../dist/aithreat.mjs", import.meta.url);
const modules = new URL("../dist/src/cli/main.js", import.meta.url);
const entry = existsSync(fileURLToPath(bundled)) ? bundled : modules;
if (!existsSync(fileURLToPath(entry))) {
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

const flags = process.env.AITHREAT_NO_RESPAWN === "1" ? [] : extraFlags();
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
    // When the `aithreat` process that started this one dies, even by SIGKILL, stop too, so a killed
    // run never leaves an orphan working on. The check, analysis and emitters are synchronous and
    // block this thread's event loop, so the watch runs on a thread of its own.
    const { Worker } = await import("node:worker_threads");
    const watch = new Worker(
      `setInterval(() => { if (process.ppid !== ${parent}) process.kill(process.pid, "SIGKILL"); }, 250);`,
      { eval: true },
    );
    watch.unref();
  }
  const { main } = await import(entry.href);
  process.exitCode = await main(process.argv.slice(2));
}
