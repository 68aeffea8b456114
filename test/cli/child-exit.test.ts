/**
 * A child Node that runs out of memory (bin/child-exit.js): the `aithreat` process that started it
 * prints one message saying what happened, on how much model and what to do, and exits with the
 * internal-error code instead of the shell's 134 (SIGABRT) or 137 (SIGKILL).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { writeModel } from "../../bench/gen/generate.js";
import { EXIT } from "../../src/cli/io.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// This file runs from dist/test/cli/; the launcher is bin/ at the top.
const BIN = path.resolve(here, "../../../bin/aithreat.js");
const childExitUrl = pathToFileURL(path.resolve(here, "../../../bin/child-exit.js")).href;

// bin/child-exit.js is plain JavaScript; its types, as used here.
interface Run {
  readonly command?: string;
  readonly bytes?: number;
  readonly largeBytes?: number;
  readonly heapMb?: number;
  readonly totalMb?: number;
}
interface ChildExit {
  readonly INTERNAL_EXIT: number;
  readonly heapLimitMb: (flags: readonly string[]) => number | undefined;
  readonly childExit: (
    code: number | null,
    signal: string | null,
    run: Run,
  ) => { exitCode: number; message: string } | undefined;
}
const load = async () => (await import(childExitUrl)) as ChildExit;

test("the internal-error exit code is the CLI's", async () => {
  const { INTERNAL_EXIT } = await load();
  assert.is(INTERNAL_EXIT, EXIT.INTERNAL);
});

test("a child aborted with a full heap: what happened, on how much model, and what to do", async () => {
  const { childExit } = await load();
  const run = { command: "compile", bytes: 12.5 * 2 ** 20, heapMb: 6144, totalMb: 32768 };
  for (const [code, signal] of [
    [null, "SIGABRT"],
    [134, null],
  ] as const) {
    const r = childExit(code, signal, run);
    assert.ok(r, `${code} ${signal}`);
    assert.is(r.exitCode, EXIT.INTERNAL);
    assert.match(r.message, /^error AT9999: internal error: out of memory: /);
    assert.match(r.message, /`aithreat compile` on 12\.5 MB of model files/);
    assert.match(r.message, /its 6144 MB heap was full/);
    assert.match(r.message, /`NODE_OPTIONS=--max-old-space-size=12288`/);
    assert.match(r.message, /`aithreat check`/);
    assert.match(r.message, /`compile --only <outputs>`/);
    assert.match(r.message, /split/);
    // One message: a line and its help, nothing of a stack.
    assert.is(r.message.trimEnd().split("\n").length, 2);
  }
  // Twice the heap would not fit the machine: a larger machine, not a larger heap here.
  const small = childExit(null, "SIGABRT", { ...run, totalMb: 8192 });
  assert.match(small!.message, /this machine has 8192 MB of memory: run it on a larger one/);
  // A model over the size the launcher measures, or not sized at all.
  const large = childExit(null, "SIGABRT", { command: "compile", largeBytes: 64 * 2 ** 20, heapMb: 16384 });
  assert.match(large!.message, /on over 64\.0 MB of model files/);
});

test("a child killed (SIGKILL, as the kernel's out-of-memory killer does) is said to be out of memory", async () => {
  const { childExit } = await load();
  for (const [code, signal] of [
    [null, "SIGKILL"],
    [137, null],
  ] as const) {
    const r = childExit(code, signal, { command: "paths", bytes: 300 * 1024, heapMb: 4096, totalMb: 4000 });
    assert.ok(r);
    assert.is(r.exitCode, EXIT.INTERNAL);
    assert.match(r.message, /`aithreat paths` on 300 KB of model files was killed/);
    assert.match(
      r.message,
      /the machine ran out of memory \(its heap limit was 4096 MB of the machine's 4000 MB\)/,
    );
    assert.match(r.message, /`aithreat check`/);
  }
});

test("any other end is passed on as it is", async () => {
  const { childExit } = await load();
  for (const [code, signal] of [
    [0, null],
    [1, null],
    [2, null],
    [3, null],
    [null, "SIGINT"],
    [null, "SIGTERM"],
    [null, "SIGHUP"],
  ] as const) {
    assert.is(childExit(code, signal, { command: "compile" }), undefined, `${code} ${signal}`);
  }
});

test("the child's heap limit is the last one its flags set", async () => {
  const { heapLimitMb } = await load();
  assert.is(heapLimitMb([]), undefined);
  assert.is(heapLimitMb(["--max-old-space-size=4096"]), 4096);
  assert.is(
    heapLimitMb(["--max_old_space_size=100", "--max-semi-space-size=64", "--max-old-space-size=200"]),
    200,
  );
  // NODE_OPTIONS="--max-old-space-size 8192": the value as a word of its own.
  assert.is(heapLimitMb(["--max-old-space-size", "8192"]), 8192);
  assert.is(heapLimitMb(["--max-old-space-size", "--x"]), undefined);
});

const temps: string[] = [];
test.after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

test("a real child out of memory: one message after V8's naming the command, and exit code 3", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-oom-"));
  temps.push(dir);
  // About 550 KB of model: above what runs in the launcher's own process under a 16 MB heap, so it
  // goes to a child, which inherits NODE_OPTIONS' heap limit (the launcher keeps a user's own) and
  // runs out of it within a second.
  writeModel({ components: 2000, seed: 1 }, path.join(dir, "model"), ["aithreat"]);
  const r = spawnSync(
    "bash",
    // No core file from the abort, whatever the machine's default. Options before the command, one
    // with a value: the message names the command, not the first word that is no option.
    [
      "-c",
      'ulimit -c 0; exec "$0" "$1" -q --today 2026-01-01 compile model --out out',
      process.execPath,
      BIN,
    ],
    {
      cwd: dir,
      encoding: "utf8",
      timeout: 60_000,
      env: { ...process.env, NODE_OPTIONS: "--max-old-space-size=16", AITHREAT_NO_RESPAWN: "" },
    },
  );
  assert.is(r.signal, null, r.stderr.slice(-2000));
  assert.is(r.status, EXIT.INTERNAL, r.stderr.slice(-2000));
  const tail = r.stderr.slice(r.stderr.lastIndexOf("error AT9999"));
  assert.match(
    tail,
    /^error AT9999: internal error: out of memory: the Node process running `aithreat compile` on \d+ KB of model files stopped \(SIGABRT\), most likely because its 16 MB heap was full/,
  );
  assert.match(tail, /\n {2}= help: .*`NODE_OPTIONS=--max-old-space-size=4096`/);
  assert.not.ok(fs.existsSync(path.join(dir, "out")), "no output folder from a run that failed");
});

test.run();
