/**
 * `aithreat init` on a real file system: the starter it writes checks clean, an existing file is
 * never overwritten without `--force`, and paths resolve against the working directory.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { COMMANDS } from "../../src/cli/commands/index.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { DEFAULT_STARTER_TITLE, starterModel } from "../../src/cli/starter.js";
import { TEST_TODAY } from "../helpers/compile.js";
import {
  CLASSIFICATIONS,
  COMPONENT_KIND_NAMES,
  FLOW_KIND_NAMES,
  TRUST_LEVELS,
} from "../../src/semantic/vocabulary.js";

const temps: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-init-"));
  temps.push(dir);
  return dir;
}

/** Runs the CLI in `cwd`, as a user in that folder would. */
async function run(cwd: string, ...args: string[]) {
  const io = bufferIo({}, cwd);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** Checks a model file and returns its diagnostics as JSON. */
async function check(cwd: string, file: string) {
  const r = await run(cwd, "check", file, "--format", "json", "--today", TEST_TODAY);
  const out = JSON.parse(r.stdout) as { diagnostics: { code: string; severity: string; message: string }[] };
  return { code: r.code, diagnostics: out.diagnostics };
}

test.after(() => {
  for (const dir of temps) fs.rmSync(dir, { recursive: true, force: true });
});

test("writes model.aithreat in the working directory, and it checks clean", async () => {
  const dir = tempDir();
  const r = await run(dir, "init");
  assert.is(r.code, 0, r.stderr);
  const file = path.join(dir, "model.aithreat");
  assert.ok(fs.existsSync(file));
  assert.match(r.stdout, "wrote model.aithreat");
  assert.is(fs.readFileSync(file, "utf8"), starterModel());
  const c = await check(dir, file);
  assert.equal(c.diagnostics, []);
  assert.is(c.code, 0);
});

// `fmt` is written in parallel with `init`; until it is registered this check has nothing to run.
const fmtRegistered = COMMANDS.some((c) => c.command.split(" ")[0] === "fmt");

test("the starter is already in the canonical layout, so `fmt` leaves a fresh model alone", async () => {
  if (!fmtRegistered) return;
  const dir = tempDir();
  assert.is((await run(dir, "init")).code, 0);
  const r = await run(dir, "fmt", "--check", "model.aithreat");
  assert.is(r.code, 0, r.stdout + r.stderr);
});

test("the starter explains the main constructs in comments", () => {
  const text = starterModel();
  for (const construct of ["system", "data", "zone", "flow", "control", "asset", "accept", "crown"]) {
    assert.ok(
      text.split("\n").some((line) => line.trimStart().startsWith("//") && line.includes(construct)),
      `no comment mentions \`${construct}\``,
    );
  }
});

test("the starter's comments list every component kind, flow kind, trust level and classification", () => {
  // Its list of flow kinds lacked `request` and `load`, so a newcomer reading it took them for absent.
  const comments = starterModel()
    .split("\n")
    .filter((line) => line.trimStart().startsWith("//"))
    .join(" ");
  const words = new Set(comments.split(/[^\p{L}\p{N}_]+/u));
  const vocabulary = [...COMPONENT_KIND_NAMES, ...FLOW_KIND_NAMES, ...TRUST_LEVELS, ...CLASSIFICATIONS];
  assert.equal(
    vocabulary.filter((w) => !words.has(w)),
    [],
  );
});

test("refuses to overwrite an existing file, leaving it untouched", async () => {
  const dir = tempDir();
  const file = path.join(dir, "model.aithreat");
  fs.writeFileSync(file, "// my work\n");
  const r = await run(dir, "init");
  assert.is(r.code, 2);
  assert.match(r.stderr, "already exists");
  assert.match(r.stderr, "--force");
  assert.is(r.stdout, "");
  assert.is(fs.readFileSync(file, "utf8"), "// my work\n");
});

test("--force overwrites the file", async () => {
  const dir = tempDir();
  const file = path.join(dir, "model.aithreat");
  fs.writeFileSync(file, "// my work\n");
  const r = await run(dir, "init", "--force");
  assert.is(r.code, 0, r.stderr);
  assert.is(fs.readFileSync(file, "utf8"), starterModel());
});

test("writes a named file, creating its folders, relative to the working directory", async () => {
  const dir = tempDir();
  const r = await run(dir, "init", "models/support/bot.aithreat", "--title", "Support bot");
  assert.is(r.code, 0, r.stderr);
  const file = path.join(dir, "models", "support", "bot.aithreat");
  assert.match(fs.readFileSync(file, "utf8"), 'system "Support bot" {');
  assert.is((await check(dir, file)).code, 0);
});

test("a folder gets model.aithreat inside it", async () => {
  const dir = tempDir();
  fs.mkdirSync(path.join(dir, "existing"));
  assert.is((await run(dir, "init", "existing")).code, 0);
  assert.ok(fs.existsSync(path.join(dir, "existing", "model.aithreat")));
  assert.is((await run(dir, "init", "fresh/")).code, 0);
  assert.ok(fs.existsSync(path.join(dir, "fresh", "model.aithreat")));
});

test("rejects a file name without the .aithreat extension", async () => {
  const dir = tempDir();
  const r = await run(dir, "init", "model.txt");
  assert.is(r.code, 2);
  assert.match(r.stderr, "does not end in `.aithreat`");
  assert.not.ok(fs.existsSync(path.join(dir, "model.txt")));
});

test("a title with quotes and backslashes is escaped and still checks clean", async () => {
  const dir = tempDir();
  const title = 'The "quoted" \\ system';
  assert.is((await run(dir, "init", "--title", title)).code, 0);
  const c = await check(dir, path.join(dir, "model.aithreat"));
  assert.equal(c.diagnostics, []);
});

test("a title with a line break is refused", async () => {
  const dir = tempDir();
  const r = await run(dir, "init", "--title", "two\nlines");
  assert.is(r.code, 2);
  assert.not.ok(fs.existsSync(path.join(dir, "model.aithreat")));
});

test("--help shows examples", async () => {
  const r = await run(tempDir(), "init", "--help");
  assert.is(r.code, 0);
  assert.match(r.stdout, "--force");
  assert.match(r.stdout, "Examples:");
});

test("the default title is used when none is given", () => {
  assert.match(starterModel(), `system "${DEFAULT_STARTER_TITLE}" {`);
});

test.run();
