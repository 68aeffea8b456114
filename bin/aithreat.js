#!/usr/bin/env node
// Entry point of the `aithreat` command. Runs the bundled CLI (one file, fast to start): as CommonJS
// with V8's code cache (dist/aithreat.cjs, bundle-loader.js), else as an ES module
// (dist/aithreat.mjs), or, in a checkout built with tsc only, the compiled modules. All come from
// `npm install`'s prepare step or `npm run build`.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import { availableParallelism } from "node:os";
import { basename } from "node:path";
import { fileURLToPath } from "node:url";
import { childExit, heapLimitMb } from "./child-exit.js";
import { codeCacheFile, givenFlags, launchFlags } from "./launch-flags.js";

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
 * How large the model is (src/cli/launch-size.ts), with its bytes when they were told and the
 * command as yargs will find it (after any leading options and their values): "small" runs
 * in this process, "pooled", "medium" and "large" in a child Node with the flags `launchFlags`
 * (launch-flags.js) gives each; a size with no flags ("pooled" from five cores up) runs in this
 * process too. Anything that cannot be sized is "large". AITHREAT_NO_RESPAWN=1 runs in this process
 * as it is.
 */
async function size(args) {
  try {
    const { default: v8 } = await import("node:v8");
    const [{ launchSizing, LARGE_BYTES, MAX_WORKER_BYTES }, { usableCores }] = await Promise.all([
      import(new URL("../dist/src/cli/launch-size.js", import.meta.url).href),
      import(new URL("../dist/src/cores.js", import.meta.url).href),
    ]);
    const cores = usableCores();
    const sized = launchSizing(args, v8.getHeapStatistics().heap_size_limit, process.cwd(), {
      cores,
      threads: process.env.AITHREAT_THREADS,
    });
    // How far the sizing counted: a compile's up to MAX_WORKER_BYTES (launchSizing).
    const largeBytes = sized.command === "compile" ? MAX_WORKER_BYTES : LARGE_BYTES;
    return { ...sized, largeBytes, cores };
  } catch {
    return { size: "large", bytes: undefined, largeBytes: undefined, command: undefined };
  }
}

const args = process.argv.slice(2);
const endOfOptions = args.indexOf("--");
const debug = (endOfOptions < 0 ? args : args.slice(0, endOfOptions)).includes("--debug");
const sized = process.env.AITHREAT_NO_RESPAWN === "1" ? { size: "small" } : await size(args);
// As src/cores.ts counts them (a container's CPU quota included), else as Node does.
const cores = sized.cores ?? availableParallelism();
// A compile that runs its attack paths on a thread of its own keeps Node's pool (launchSizing).
const flags = launchFlags(sized.size, givenFlags(), { cores, pathsWorker: sized.pathsWorker === true });
if (debug && process.env.AITHREAT_NO_RESPAWN !== "1")
  process.stderr.write(
    `debug: launch size ${sized.size} (${sized.bytes ?? "untold"} bytes of model files, ${cores} cores): ${flags.length > 0 ? `running in a child Node with ${flags.join(" ")}` : "running in this process"}\n`,
  );
if (flags.length > 0) {
  const child = spawn(
    process.execPath,
    [...process.execArgv, ...flags, fileURLToPath(import.meta.url), ...process.argv.slice(2)],
    {
      stdio: "inherit",
      // A medium or large child watches this process (parent-watch.js): its run takes minutes and
      // gigabytes. A pooled one (at most 8 MB of models, seconds) does not: the watch's thread is a
      // Node environment of its own, about 10 MB, the brief's margin at 1k components.
      env: {
        ...process.env,
        AITHREAT_NO_RESPAWN: "1",
        AITHREAT_PARENT_PID: sized.size === "pooled" ? "" : String(process.pid),
      },
    },
  );
  // The child gets Ctrl-C from the terminal itself; forward what is sent to this process alone.
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    process.on(signal, () => child.kill(signal));
  }
  child.on("exit", (code, signal) => {
    // Out of memory (bin/child-exit.js): one message after V8's own, and the internal-error code.
    const oom = childExit(code, signal, {
      command: sized.command,
      bytes: sized.bytes,
      largeBytes: sized.largeBytes,
      heapMb: heapLimitMb([...givenFlags(), ...flags]),
    });
    if (oom) {
      process.stderr.write(oom.message);
      process.exitCode = oom.exitCode;
    } else if (signal) {
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
  let main;
  if (existsSync(cached)) {
    const cache = codeCacheFile(cached, givenFlags());
    const loaded = (await import("./bundle-loader.js")).loadBundle(cached, cache);
    if (debug)
      process.stderr.write(
        `debug: code cache ${basename(cache)} ${!existsSync(cache) ? "absent" : loaded.script.cachedDataRejected ? "rejected" : "accepted"}\n`,
      );
    main = loaded.exports.main;
  } else main = (await import(entry.href)).main;
  process.exitCode = await main(process.argv.slice(2));
}
