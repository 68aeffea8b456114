/**
 * `modelBytesUpTo`, which `bin/aithreat.js` asks before starting a second Node with the flags for
 * large models: it counts the model files the arguments name and every file they import, and errs
 * towards "more" whenever it cannot tell.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { modelBytesUpTo } from "../../src/cli/inputs.js";
import {
  commandIndex,
  LARGE_BYTES,
  launchSize,
  launchSizing,
  MIN_WORKER_BYTES,
  POOLED_BYTES,
} from "../../src/cli/launch-size.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";

const BIN = path.resolve(fileURLToPath(import.meta.url), "../../../../bin/aithreat.js");
/** Whether the model files `args` name, with their imports, are at most `limit` bytes. */
const modelBytesAtMost = (args: readonly string[], limit: number, cwd?: string): boolean =>
  modelBytesUpTo(args, limit, cwd) !== undefined;

const temps: string[] = [];

/** A temporary tree of files (path -> text); returns its folder. */
function tree(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-size-"));
  temps.push(dir);
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), text);
  }
  return dir;
}

const bytes = (dir: string, ...names: string[]) =>
  names.reduce((sum, n) => sum + fs.statSync(path.join(dir, n)).size, 0);

test("a folder's model files are counted, other files and dot-folders not", () => {
  const dir = tree({
    "a.aithreat": 'system a "A"\n',
    "sub/b.aithreat": 'system b "B"\n',
    "notes.txt": "x".repeat(1000),
    ".hidden/c.aithreat": "x".repeat(1000),
  });
  const size = bytes(dir, "a.aithreat", "sub/b.aithreat");
  assert.ok(modelBytesAtMost([dir], size));
  assert.not.ok(modelBytesAtMost([dir], size - 1));
});

test("imported files count, also outside the folders named, each once", () => {
  const big = "// shared\n" + "x".repeat(5000) + "\n";
  const dir = tree({
    "systems/s1.aithreat": 'import "../shared/zones.aithreat"\nsystem s1 "S1"\n',
    "systems/s2.aithreat": 'import "../shared/zones.aithreat"\nimport """../shared/zones.aithreat"""\n',
    "shared/zones.aithreat": big,
  });
  const own = bytes(dir, "systems/s1.aithreat", "systems/s2.aithreat");
  const all = own + bytes(dir, "shared/zones.aithreat");
  assert.ok(modelBytesAtMost([path.join(dir, "systems")], all));
  assert.not.ok(modelBytesAtMost([path.join(dir, "systems")], all - 1));
  // A single file named on the command line brings its imports along too.
  assert.not.ok(modelBytesAtMost([path.join(dir, "systems/s1.aithreat")], big.length));
});

test("the word import without a path is not followed; a path it cannot read plainly answers more", () => {
  const plain = tree({ "m.aithreat": 'system m "M" { description "we import data and it is important" }\n' });
  assert.ok(modelBytesAtMost([plain], 1000));
  for (const line of ['import "sh\\u0061red.aithreat"', 'import "shäred.aithreat"', 'import ""']) {
    const dir = tree({ "m.aithreat": `${line}\n`, "shared.aithreat": "\n" });
    assert.not.ok(modelBytesAtMost([path.join(dir, "m.aithreat")], 1000), line);
  }
});

test("options, missing paths and imports of missing files are skipped", () => {
  const dir = tree({ "m.aithreat": 'import "./gone.aithreat"\nsystem m "M"\n' });
  const size = bytes(dir, "m.aithreat");
  assert.ok(
    modelBytesAtMost(["--quiet", "-q", path.join(dir, "nothing-here"), path.join(dir, "m.aithreat")], size),
  );
  assert.ok(modelBytesAtMost(["m.aithreat"], size, dir), "relative to the working folder");
  assert.ok(modelBytesAtMost([], 0));
});

test("a FIFO named like a model, or imported, is left to the command: reading it would block", () => {
  const dir = tree({ "m.aithreat": 'import "./pipe.aithreat"\nsystem m "M"\n' });
  spawnSync("mkfifo", [path.join(dir, "pipe.aithreat")]);
  // Nobody writes to the FIFO, so a read never returns: the child is killed at the time bound.
  for (const args of [
    ["check", dir],
    ["check", path.join(dir, "pipe.aithreat")],
    ["fmt", dir],
  ]) {
    const r = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", timeout: 20_000 });
    assert.equal(r.status, 2, `${args.join(" ")}: exit ${r.status ?? r.signal}\n${r.stderr}`);
    assert.match(r.stderr, /AT1001: cannot read `[^`]*pipe\.aithreat`: is not a regular file/);
  }
});

test("an option's file given as a pipe (`--baseline <(...)`) reaches the command whole", () => {
  const dir = tree({ "m.aithreat": 'agent bot "Bot"\n' });
  const first = spawnSync(process.execPath, [BIN, "compile", dir, "-o", path.join(dir, "a"), "-q"]);
  assert.equal(first.status, 0, String(first.stderr));
  const r = spawnSync(
    "bash",
    [
      "-c",
      'exec "$0" "$1" compile "$2" -o "$2/b" --baseline <(cat "$2/a/findings.json")',
      process.execPath,
      BIN,
      dir,
    ],
    { encoding: "utf8", timeout: 20_000 },
  );
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stderr, /gate passed/);
});

test.after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

test("the launcher sizes a command line by its models; diff also counts the folder it would compare", () => {
  const heap = 4096 * 2 ** 20;
  // 9 MB of model: above the 8 MB a compile runs in-process with, below the 16 MB a check does.
  const dir = tree({ "big.aithreat": `// padding\n${"x".repeat(9 << 20)}\n`, "small.aithreat": "\n" });
  assert.is(launchSize(["--version"], heap, dir), "small");
  assert.is(launchSize(["compile", "small.aithreat", "--out", "out"], heap, dir), "small");
  assert.is(launchSize(["compile", ".", "--out", "out"], heap, dir), "medium");
  // Between POOLED_BYTES and 8 MB a command that analyses takes the pooled child; a check does not.
  const mid = tree({ "mid.aithreat": `// padding\n${"x".repeat(POOLED_BYTES)}\n` });
  assert.is(launchSize(["compile", "mid.aithreat", "--out", "out"], heap, mid), "pooled");
  assert.is(launchSize(["paths", "mid.aithreat"], heap, mid), "pooled");
  assert.is(launchSize(["check", "mid.aithreat"], heap, mid), "small");
  const under = tree({ "under.aithreat": `// padding\n${"x".repeat(POOLED_BYTES - 100)}\n` });
  assert.is(launchSize(["compile", "under.aithreat", "--out", "out"], heap, under), "small");
  assert.is(launchSize(["check", "."], heap, dir), "small");
  // `main` is the base revision, not a path: the current folder is what diff compares.
  assert.is(launchSize(["diff", "--base", "main"], heap, dir), "medium");
  assert.is(launchSize(["diff", "--base=main"], heap, dir), "medium");
  // A smaller heap lowers the in-process limit; past LARGE_BYTES a run is large.
  assert.is(launchSize(["check", "."], 256 << 20, dir), "medium");
  assert.is(launchSize(["compile", "."], heap, dir) === "large", 9 << 20 > LARGE_BYTES);
  // With the bytes it measured, which the launcher names when a child runs out of memory.
  assert.equal(launchSizing(["compile", "."], heap, dir), {
    size: "medium",
    bytes: bytes(dir, "big.aithreat", "small.aithreat"),
    command: "compile",
    pathsWorker: false,
  });
  assert.equal(launchSizing(["--version"], heap, dir), {
    size: "small",
    bytes: undefined,
    command: undefined,
    pathsWorker: false,
  });
  // From MIN_WORKER_BYTES a compile may run the attack paths on a thread of its own; other commands not.
  const worker = tree({ "w.aithreat": `// ${"x".repeat(MIN_WORKER_BYTES)}\n` });
  const machine = { cores: 2, threads: undefined };
  assert.is(launchSizing(["compile", "."], heap, worker, machine).pathsWorker, true);
  assert.is(launchSizing(["paths", "."], heap, worker, machine).pathsWorker, false);
});

test("a command that analyses a model over POOLED_BYTES runs in a child with a smaller worker pool", () => {
  const agent = 'zone z "Z" {\n  trust internal\n  agent bot "Bot" {}\n}\n';
  const dir = tree({ "big.aithreat": `// ${"x".repeat(POOLED_BYTES)}\n${agent}`, "small.aithreat": agent });
  const run = (file: string, command = "paths", env: Record<string, string> = {}) =>
    spawnSync(process.execPath, [BIN, command, path.join(dir, file), "--debug"], {
      encoding: "utf8",
      env: { ...process.env, AITHREAT_NO_RESPAWN: "", NODE_OPTIONS: "", ...env },
    });
  const big = run("big.aithreat");
  assert.is(big.status, 0, big.stderr);
  const sized = /^debug: launch size pooled \(\d+ bytes of model files, (\d+) cores\): (.*)$/m.exec(
    big.stderr,
  );
  assert.ok(sized, big.stderr);
  const cores = Number(sized[1]);
  assert.ok(cores >= 1 && cores <= os.availableParallelism(), big.stderr);
  assert.is(
    sized[2],
    cores < 5
      ? `running in a child Node with --v8-pool-size=${Math.max(1, cores - 1)}`
      : "running in this process",
  );
  // The child (or this process) found the plain code cache and V8 took it.
  assert.match(big.stderr, /^debug: code cache aithreat\.cjs\.cache accepted$/m);
  // A pool size of the user's own is kept.
  const own = run("big.aithreat", "paths", { NODE_OPTIONS: "--v8-pool-size=3" });
  assert.is(own.status, 0, own.stderr);
  assert.not.match(own.stderr, /with --v8-pool-size/);
  // The same command on a small model, or a check of the large one, runs in this process.
  for (const r of [run("small.aithreat"), run("big.aithreat", "check")]) {
    assert.is(r.status, 0, r.stderr);
    assert.match(r.stderr, /^debug: launch size small .*: running in this process$/m);
  }
});

test("the command is found as yargs finds it, after leading options and their values", () => {
  const cases: [string[], string | undefined][] = [
    [["compile", "m", "--out", "x"], "compile"],
    [["--quiet", "compile", "m", "--out", "x"], "compile"],
    [["-q", "compile", "m"], "compile"],
    [["--debug", "-q", "paths", "m"], "paths"],
    // A global flag takes `true` or `false` after it, nothing else.
    [["--debug", "true", "check", "m"], "check"],
    [["-q", "false", "check", "m"], "check"],
    [["--no-debug", "check", "m"], "check"],
    // Any other option before the command takes the next word as its value.
    [["--today", "2026-01-01", "compile", "m"], "compile"],
    [["--root", "proj", "-q", "compile", "m"], "compile"],
    [["-o", "out", "compile", "m"], "compile"],
    [["--today=2026-01-01", "compile", "m"], "compile"],
    [["-qo", "out", "compile", "m"], "compile"],
    // A short option's value attached to it.
    [["-k3", "paths", "m"], "paths"],
    [["-qk3", "paths", "m"], "paths"],
    // ...unless the next word is an option itself.
    [["--timestamp", "--quiet", "compile", "m"], "compile"],
    // After `--`, the first word is the command (main.ts moves the words after `--` first).
    [["-q", "--", "check", "-draft.aithreat"], "check"],
    [["--version"], undefined],
    [["--today", "2026-01-01"], undefined],
    [[], undefined],
  ];
  for (const [args, command] of cases) {
    const at = commandIndex(args);
    assert.is(at < 0 ? undefined : args[at], command, args.join(" "));
  }
});

test("commandIndex agrees with the command the CLI runs", async () => {
  const dir = tree({ "m.aithreat": `zone z "Z" { trust internal  store s "S" }\n` });
  const model = path.join(dir, "m.aithreat");
  for (const lead of [
    ["-q"],
    ["--today", "2026-01-01"],
    ["--root", dir, "--quiet"],
    ["--debug", "true"],
    ["--today", "2026-01-01", "--"],
  ]) {
    const args = [...lead, "check", model, ...(lead.includes("--") ? [] : ["--format", "json"])];
    assert.is(args[commandIndex(args)], "check", args.join(" "));
    const io = bufferIo({}, dir);
    const code = await main(args, io);
    assert.is(code, 0, `${args.join(" ")}: ${io.stderr}`);
    // What `check` prints, and only `check`: its summary, or its JSON document.
    assert.ok(/1 file checked|^\{\s*"files": 1,/.test(io.stdout + io.stderr), io.stdout + io.stderr);
  }
  // The sizing names it too, for the launcher's out-of-memory message (bin/child-exit.js).
  const sized = launchSizing(["--today", "2026-01-01", "-q", "check", model], 4096 * 2 ** 20, dir);
  assert.is(sized.command, "check");
});

test.run();
