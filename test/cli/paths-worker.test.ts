/**
 * The attack paths of a compile on a second thread (src/cli/paths-worker.ts): what the worker sends
 * back is the analysis the main thread would make, its steps naming the main thread's own control
 * objects; an answer made from other files is refused, as is a worker that could not load, and one
 * still loading is not waited for; a compile with the worker writes the same bytes as one without,
 * and its paths did come from the worker, also when compile let most of the files' texts go.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pathsOfModel } from "../../src/compiler.js";
import { loadModels } from "../../src/cli/common.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { startPathsWorker, type PathsJob } from "../../src/cli/paths-worker.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { folderContents } from "../helpers/folders.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SAMPLE = path.join(REPO, "samples", "agent-mcp");
const MULTI_FILE = path.join(REPO, "samples", "org-multi-file");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-paths-worker-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const job = (models: string[]): PathsJob => ({ models, today: TEST_TODAY, paths: { k: 3 } });
/** A worker whatever the model's size, which has answered before the test goes on. */
function answered(models: string[]) {
  const worker = startPathsWorker(job(models), { force: true });
  assert.ok(worker, "a forced worker starts");
  assert.ok(worker.wait(30_000), "the worker answers");
  return worker;
}

function load(models: string[]): ResolvedModel {
  const loaded = loadModels(bufferIo({}), { models, today: TEST_TODAY });
  if (!("model" in loaded) || !loaded.ok) throw new Error("the model did not load");
  return loaded.model;
}

test("the worker's paths equal the main thread's, with the main thread's own controls on each step", () => {
  const model = load([SAMPLE]);
  const here = pathsOfModel(model, { k: 3 });
  const worker = answered([SAMPLE]);
  const got = worker.take(model, here.analysed);
  assert.is(worker.outcome, "");
  assert.ok(got);
  assert.equal(got, here.paths);
  // Not copies: the very objects the main thread's model holds (their locations name its files).
  const own = new Set(
    [...here.analysed.components, ...here.analysed.flows].flatMap((x) => x.controls as object[]),
  );
  const used = got.targets
    .flatMap((t) => t.paths.flatMap((p) => [...p.steps, ...p.exfil]))
    .flatMap((s) => s.controls);
  assert.ok(used.length > 0, "the sample's paths cross declared controls");
  for (const u of used) assert.ok(own.has(u), `control ${u.name} is the model's own object`);
});

test("an answer made from other model files is refused: other paths, or the same path edited", () => {
  const copy = path.join(tmp, "copy");
  fs.cpSync(SAMPLE, copy, { recursive: true });
  const elsewhere = answered([SAMPLE]);
  // Same texts, other paths.
  const copied = load([copy]);
  assert.is(elsewhere.take(copied, pathsOfModel(copied).analysed), undefined);
  assert.is(elsewhere.outcome, "the model files changed during the run");
  // The same path, edited after the worker read it.
  const edited = answered([copy]);
  const file = path.join(
    copy,
    fs.readdirSync(copy).find((f) => f.endsWith(".aithreat"))!,
  );
  fs.appendFileSync(file, "\n// edited during the run\n");
  const now = load([copy]);
  assert.is(edited.take(now, pathsOfModel(now).analysed), undefined);
  assert.is(edited.outcome, "the model files changed during the run");
});

test("a worker that cannot load the model declines, and the caller works the paths out itself", () => {
  const worker = answered([path.join(tmp, "missing.aithreat")]);
  const model = load([SAMPLE]);
  assert.is(worker.take(model, pathsOfModel(model).analysed), undefined);
  assert.is(worker.outcome, "the worker could not load the model");
});

test("a worker still loading when the paths are needed is not waited for (unless patient)", () => {
  const model = load([SAMPLE]);
  const analysed = pathsOfModel(model).analysed;
  // Asked at once: a thread needs tens of milliseconds to start, let alone load a model.
  const hasty = startPathsWorker(job([SAMPLE]), { force: true })!;
  assert.is(hasty.take(model, analysed), undefined);
  assert.is(hasty.outcome, "the worker was still loading the model");
  const patient = startPathsWorker(job([SAMPLE]), { force: true, patient: true })!;
  assert.ok(patient.take(model, analysed));
  assert.is(patient.outcome, "");
});

test("small models get no worker unless forced", () => {
  assert.is(startPathsWorker(job([SAMPLE])), undefined);
});

test("compile writes the same bytes with the threads as without, the paths from the worker", async () => {
  const out = (mode: string) => path.join(tmp, `out-${mode}`);
  const stderr: Record<string, string> = {};
  for (const mode of ["always", "never"]) {
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY, AITHREAT_THREADS: mode });
    assert.is(await main(["compile", SAMPLE, "--out", out(mode), "-q", "--debug"], io), 0, io.stderr);
    stderr[mode] = io.stderr;
  }
  assert.match(stderr["always"]!, "debug: the attack paths came from the paths worker");
  assert.not.match(stderr["never"]!, "paths worker");
  const withThreads = folderContents(out("always"));
  assert.ok(withThreads.some(([f]) => f === "paths.json"));
  assert.equal(withThreads, folderContents(out("never")));
});

test("compile takes the worker's paths when it lets most files' texts go (its digest taken first)", async () => {
  // Many files, most with nothing a diagnostic could show a line of: compile lets their texts go
  // before the analysis, and a digest of the texts taken after that would refuse the worker's answer.
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY, AITHREAT_THREADS: "always" });
  const out = path.join(tmp, "out-multi");
  assert.is(await main(["compile", MULTI_FILE, "--out", out, "-q", "--debug"], io), 0, io.stderr);
  assert.match(io.stderr, "debug: the attack paths came from the paths worker");
});

test("a folder the size check cannot read (a link loop) is reported by the load, not a crash", async () => {
  const dir = path.join(tmp, "loop");
  fs.mkdirSync(dir);
  fs.symlinkSync("loop.aithreat", path.join(dir, "loop.aithreat"));
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(["compile", dir, "--out", path.join(tmp, "out-loop"), "-q"], io);
  assert.is(code, 2, io.stderr);
  assert.match(io.stderr, "AT1001");
  assert.not.match(io.stderr, "internal error");
});

test.run();
