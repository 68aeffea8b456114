/**
 * The attack paths of a compile on a second thread (src/cli/paths-worker.ts): what the worker sends
 * back is the analysis the main thread would make, its steps naming the main thread's own control
 * objects; an answer made from other files is refused, as is a worker that could not load; and a
 * compile with the worker writes the same bytes as one without.
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

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SAMPLE = path.join(REPO, "samples", "agent-mcp");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-paths-worker-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const job = (models: string[]): PathsJob => ({ models, today: TEST_TODAY, paths: { k: 3 } });

function load(models: string[]): ResolvedModel {
  const loaded = loadModels(bufferIo({}), { models, today: TEST_TODAY });
  if (!("model" in loaded) || !loaded.ok) throw new Error("the sample did not load");
  return loaded.model;
}

test("the worker's paths equal the main thread's, with the main thread's own controls on each step", () => {
  const model = load([SAMPLE]);
  const here = pathsOfModel(model, { k: 3 });
  const worker = startPathsWorker(job([SAMPLE]), { force: true });
  assert.ok(worker, "a forced worker starts");
  const got = worker.take(model, here.analysed);
  assert.is(worker.declined, undefined);
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

test("an answer made from other model files is refused", () => {
  const copy = path.join(tmp, "copy");
  fs.cpSync(SAMPLE, copy, { recursive: true });
  const worker = startPathsWorker(job([SAMPLE]), { force: true })!;
  // Same texts, other paths: the digest covers both, so this stands for a file edited mid-run.
  const model = load([copy]);
  assert.is(worker.take(model, pathsOfModel(model).analysed), undefined);
  assert.is(worker.declined, "the model files changed during the run");
});

test("a worker that cannot load the model declines, and the caller works the paths out itself", () => {
  const worker = startPathsWorker(job([path.join(tmp, "missing.aithreat")]), { force: true })!;
  const model = load([SAMPLE]);
  assert.is(worker.take(model, pathsOfModel(model).analysed), undefined);
  assert.is(worker.declined, "the worker could not load the model");
});

test("small models get no worker unless forced", () => {
  assert.is(startPathsWorker(job([SAMPLE])), undefined);
});

/** Every file under `dir` with its bytes, sorted by path. */
function contents(dir: string): [string, string][] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]);
}

test("compile writes the same bytes with the worker as without", async () => {
  const out = (mode: string) => path.join(tmp, `out-${mode}`);
  for (const mode of ["always", "never"]) {
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY, AITHREAT_THREADS: mode });
    assert.is(await main(["compile", SAMPLE, "--out", out(mode), "-q"], io), 0, io.stderr);
  }
  const withWorker = contents(out("always"));
  assert.ok(withWorker.some(([f]) => f === "paths.json"));
  assert.equal(withWorker, contents(out("never")));
});

test.run();
