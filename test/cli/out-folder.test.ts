/**
 * The output folder is replaced as a whole, so aithreat replaces only folders it wrote (they hold its
 * marker file) or empty ones: `--out .` or a folder of models is refused, never wiped. And a reader
 * that closes the pipe early (`aithreat rules | head`) ends the run quietly, with the command's own exit
 * code; a standard output that cannot be written is a usage error.
 */
import { spawn, spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { HOST_TAG, LEFTOVER_AGE_MS, OUTPUT_MARKER } from "../../src/cli/write-outputs.js";
import { TEST_TODAY } from "../helpers/compile.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SAMPLE = path.join(REPO, "samples", "rag-support");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-out-folder-"));

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(args, io);
  return { code, stderr: io.stderr };
}

test("a folder aithreat wrote is replaced on the next run; an empty folder is used", async () => {
  const out = path.join(tmp, "ours");
  assert.is((await run("compile", SAMPLE, "--out", out, "-q")).code, 0);
  assert.ok(fs.existsSync(path.join(out, OUTPUT_MARKER)), "the marker is written");
  fs.writeFileSync(path.join(out, "stale.txt"), "from an older run");
  assert.is((await run("compile", SAMPLE, "--out", out, "-q")).code, 0);
  assert.not.ok(fs.existsSync(path.join(out, "stale.txt")), "the whole folder was replaced");
  const empty = path.join(tmp, "empty");
  fs.mkdirSync(empty);
  assert.is((await run("export", SAMPLE, "--to", "graphml", "--out", empty, "-q")).code, 0);
  assert.ok(fs.existsSync(path.join(empty, "model.graphml")));
});

test("what a killed run left beside --out is removed once the new output is in place, unless its run may still be going", async () => {
  const out = path.join(tmp, "swept");
  // A process that has ended: its id is free (reused ids only make the sweep keep a folder).
  const gone = spawnSync(process.execPath, ["-e", ""]).pid;
  const other = "0123abcd" === HOST_TAG ? "0123abce" : "0123abcd";
  let made = 0;
  /** A sibling folder as a run of `host` (none: an aithreat before the host tag) left it, last touched `ageMs` ago. */
  const sibling = (kind: string, host: string | undefined, pid: number, files: string[], ageMs: number) => {
    const dir = path.join(tmp, `.swept.aithreat-${kind}-${host ? `${host}-` : ""}${pid}-x${made++}`);
    fs.mkdirSync(dir);
    const then = (Date.now() - ageMs) / 1000;
    for (const f of files) {
      fs.writeFileSync(path.join(dir, f), "x");
      fs.utimesSync(path.join(dir, f), then, then);
    }
    fs.utimesSync(dir, then, then);
    return dir;
  };
  const minutes = (n: number) => n * 60_000;
  const { here, elsewhere } = LEFTOVER_AGE_MS;
  const removed = [
    sibling("tmp", HOST_TAG, gone, [OUTPUT_MARKER, "findings.json"], here + minutes(1)),
    sibling("tmp", HOST_TAG, gone, [], here + minutes(1)),
    sibling("old", HOST_TAG, gone, [OUTPUT_MARKER], here + minutes(1)),
    sibling("tmp", other, gone, [OUTPUT_MARKER], elsewhere + minutes(1)),
    sibling("tmp", undefined, gone, [OUTPUT_MARKER], elsewhere + minutes(1)),
  ];
  const touched = sibling("tmp", HOST_TAG, gone, [OUTPUT_MARKER], here + minutes(1));
  fs.writeFileSync(path.join(touched, "report.html"), "being written");
  const kept = [
    sibling("tmp", HOST_TAG, gone, [OUTPUT_MARKER], 0),
    touched,
    sibling("tmp", HOST_TAG, process.pid, [OUTPUT_MARKER], elsewhere + minutes(1)),
    sibling("tmp", HOST_TAG, gone, ["thesis.tex"], elsewhere + minutes(1)),
    sibling("tmp", other, gone, [OUTPUT_MARKER], elsewhere - minutes(60)),
    sibling("tmp", undefined, gone, [OUTPUT_MARKER], minutes(60)),
  ];
  const otherOutput = path.join(tmp, `.swept2.aithreat-tmp-${HOST_TAG}-${gone}-x1y2`);
  fs.mkdirSync(otherOutput);
  kept.push(otherOutput);
  assert.is((await run("compile", SAMPLE, "--out", out, "-q")).code, 0);
  for (const d of removed) assert.not.ok(fs.existsSync(d), `${path.basename(d)} removed`);
  for (const d of kept) assert.ok(fs.existsSync(d), `${path.basename(d)} kept`);
  assert.ok(fs.existsSync(path.join(out, OUTPUT_MARKER)), "the run itself wrote its folder");
  for (const d of kept) fs.rmSync(d, { recursive: true });
});

test("a folder with files aithreat did not write is refused (exit 2) and left as it was", async () => {
  const project = path.join(tmp, "project");
  fs.mkdirSync(project);
  fs.copyFileSync(
    path.join(
      SAMPLE,
      fs.readdirSync(SAMPLE).find((f) => f.endsWith(".aithreat"))!,
    ),
    path.join(project, "model.aithreat"),
  );
  fs.writeFileSync(path.join(project, "notes.txt"), "important");
  const before = fs.readdirSync(project).sort();
  for (const args of [
    ["compile", path.join(project, "model.aithreat"), "--out", project],
    ["export", path.join(project, "model.aithreat"), "--to", "graphml", "--out", project],
  ]) {
    const r = await run(...args, "--root", project);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /AT9002/);
    assert.match(r.stderr, /did not write/);
    assert.equal(fs.readdirSync(project).sort(), before);
    assert.is(fs.readFileSync(path.join(project, "notes.txt"), "utf8"), "important");
  }
});

test("an --out that is a symbolic link is written through: its folder is replaced, the link stays", async () => {
  // The new folder was renamed over the link itself: `out -> reports` became a plain folder `out`,
  // and `reports` kept the previous run's files.
  const reports = path.join(tmp, "reports");
  const link = path.join(tmp, "reports-link");
  assert.is((await run("compile", SAMPLE, "--out", reports, "-q")).code, 0);
  fs.writeFileSync(path.join(reports, "stale.txt"), "from an older run");
  fs.symlinkSync(reports, link);
  const r = await run("compile", SAMPLE, "--out", link, "-q");
  assert.is(r.code, 0, r.stderr);
  assert.ok(fs.lstatSync(link).isSymbolicLink(), "the link stays a link");
  assert.not.ok(fs.existsSync(path.join(reports, "stale.txt")), "the folder it points to was replaced");
  assert.ok(fs.existsSync(path.join(reports, "findings.json")));
  assert.equal(
    fs.readdirSync(tmp).filter((f) => f.includes("aithreat-")),
    [],
    "nothing is left beside either",
  );
  // A link that leads nowhere is refused before the models are read, in words.
  const dangling = path.join(tmp, "dangling-out");
  fs.symlinkSync(path.join(tmp, "no-such-folder"), dangling);
  const d = await run("compile", SAMPLE, "--out", dangling, "-q");
  assert.is(d.code, 2, d.stderr);
  assert.match(
    d.stderr,
    /cannot write `--out .*dangling-out`: it is a symbolic link to `.*no-such-folder`, which does not exist/,
  );
  assert.not.match(d.stderr, /ENOTDIR|rename/);
});

test("a refused --out is reported before the models are loaded, so a broken model adds nothing", async () => {
  const taken = path.join(tmp, "taken");
  fs.mkdirSync(taken);
  fs.writeFileSync(path.join(taken, "notes.txt"), "important");
  const broken = path.join(tmp, "broken.aithreat");
  fs.writeFileSync(broken, "system s {\n  model m {\n");
  for (const command of [["compile"], ["export", "--to", "graphml"]]) {
    const r = await run(...command, broken, "--out", taken, "--root", tmp);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /AT9002: cannot write `--out .*taken`: it holds files aithreat did not write/);
    // Only the refusal: the model, which does not parse, was never read.
    assert.is(r.stderr.match(/error AT\d+/g)?.length, 1, r.stderr);
  }
  // A file where a folder of the path should be is refused as early, not by Node's mkdir message.
  for (const command of [["compile"], ["export", "--to", "graphml"]]) {
    const r = await run(...command, broken, "--out", path.join(broken, "out"), "--root", tmp);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /AT9002: cannot write `--out .*out`: a file stands in its path/);
    assert.is(r.stderr.match(/error AT\d+/g)?.length, 1, r.stderr);
  }
  // The same broken model with a usable folder is reported as a syntax error.
  const r = await run("compile", broken, "--out", path.join(tmp, "fresh"), "--root", tmp);
  assert.is(r.code, 2);
  assert.not.match(r.stderr, /AT9002/);
  assert.match(r.stderr, /error AT1\d+/);
});

test("--pg-schema refuses the database's own schemas and reserved words: load.sql drops the schema", async () => {
  for (const schema of ["public", "information_schema", "pg_catalog", "user", "select", "Upper", "1x"]) {
    const r = await run(
      "export",
      SAMPLE,
      "--to",
      "postgres",
      "--pg-schema",
      schema,
      "--out",
      path.join(tmp, "pg"),
    );
    assert.is(r.code, 2, schema);
    assert.match(r.stderr, /AT9002.*--pg-schema/);
  }
  assert.not.ok(fs.existsSync(path.join(tmp, "pg")), "nothing written");
  assert.is(
    (
      await run(
        "export",
        SAMPLE,
        "--to",
        "postgres",
        "--pg-schema",
        "threats_2026",
        "--out",
        path.join(tmp, "pg"),
        "-q",
      )
    ).code,
    0,
  );
});

test("a reader that closes the pipe early ends the run quietly, exit 0, no stack trace", async () => {
  const child = spawn(
    process.execPath,
    [path.join(REPO, "bin", "aithreat.js"), "rules", "--format", "json"],
    {
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  // Read one chunk of a 250 KB output (more than a pipe holds), then close our end, as `head -1` does.
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.is(code, 0, stderr);
  assert.not.match(stderr, /EPIPE|Unhandled|    at /);
});

test("a reader that closes the pipe early leaves the exit code to the gate: a failed gate still exits 1", async () => {
  // `compile --format sarif --fail-on high | head`: the SARIF (over 300 KB) is printed after the
  // outputs are written, and the gate is judged after that. The closed pipe used to end the
  // process with 0 there, after stderr had said "gate failed".
  const out = path.join(tmp, "closed-pipe-gate");
  const child = spawn(
    process.execPath,
    [
      path.join(REPO, "bin", "aithreat.js"),
      "compile",
      SAMPLE,
      "--out",
      out,
      "--format",
      "sarif",
      "--fail-on",
      "high",
    ],
    { stdio: ["ignore", "pipe", "pipe"], env: { ...process.env, AITHREAT_TODAY: TEST_TODAY } },
  );
  let stderr = "";
  child.stderr.on("data", (d: Buffer) => (stderr += d.toString()));
  child.stdout.once("data", () => child.stdout.destroy());
  const code = await new Promise<number | null>((resolve) => child.on("close", (c) => resolve(c)));
  assert.is(code, 1, stderr);
  assert.match(stderr, /^gate failed: \d+ open findings at or above `high`$/m);
  assert.not.match(stderr, /EPIPE|Unhandled|    at /);
  assert.ok(fs.existsSync(path.join(out, "findings.sarif")));
});

test("standard output that cannot be written: a short message and exit 2, no stack trace", () => {
  if (!fs.existsSync("/dev/full")) return; // Linux's always-full device
  const full = fs.openSync("/dev/full", "w");
  try {
    const bin = path.join(REPO, "bin", "aithreat.js");
    const r = spawnSync(process.execPath, [bin, "rules", "--format", "json"], {
      stdio: ["ignore", full, "pipe"],
      encoding: "utf8",
    });
    // The error escaped as uncaught: Node's stack trace and exit 1, which says "gate failed".
    assert.is(r.status, 2, r.stderr);
    assert.is(r.stderr, "error AT9002: cannot write to standard output: no space left on device\n");
    // Standard error that cannot be written only loses messages: the exit code is the command's.
    const quiet = spawnSync(process.execPath, [bin, "check", SAMPLE], { stdio: ["ignore", "pipe", full] });
    assert.is(quiet.status, 0);
  } finally {
    fs.closeSync(full);
  }
});

test("a stop signal while the folder is written ends the run once it is whole, with nothing left beside it", () => {
  // The writer signals its own process halfway through the files, as Ctrl-C or `kill` during the
  // write of a large compile does. The signal used to kill it there, leaving the temporary folder.
  const module = path.join(REPO, "dist", "src", "cli", "write-outputs.js");
  const script = `
    import fs from "node:fs";
    import path from "node:path";
    import { writeFolderAtomically } from ${JSON.stringify(module)};
    const [out, signal] = process.argv.slice(1);
    writeFolderAtomically(out, (temp) => fs.writeFileSync(path.join(temp, "old.txt"), "previous run"));
    writeFolderAtomically(out, (temp) => {
      fs.writeFileSync(path.join(temp, "a.txt"), "first");
      process.kill(process.pid, signal);
      fs.writeFileSync(path.join(temp, "b.txt"), "second");
    });
  `;
  for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"]) {
    const parent = path.join(tmp, `signal-${signal}`);
    const out = path.join(parent, "out");
    const child = spawnSync(process.execPath, ["--input-type=module", "-e", script, out, signal], {
      encoding: "utf8",
    });
    assert.is(child.signal, signal, child.stderr);
    assert.equal(fs.readdirSync(parent), ["out"], "no temporary or previous folder is left");
    assert.equal(fs.readdirSync(out).sort(), [OUTPUT_MARKER, "a.txt", "b.txt"], "the new folder is whole");
  }
});

test.run();
