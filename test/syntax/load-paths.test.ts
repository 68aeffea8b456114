/**
 * The front end's fast ways to load a file must give exactly what the plain way gives:
 * - streaming (each statement checked as the fast parser finishes it, no whole-file tree) against
 *   parsing the whole file and then checking its tree;
 * - worker threads (parallel.ts) against loading everything on the main thread.
 * Units, diagnostics and the resolved model are compared field for field.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedHost } from "../../bench/gen/memory-host.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import type { Diagnostic } from "../../src/diagnostics/diagnostic.js";
import { formatDiagnostic } from "../../src/diagnostics/format.js";
import type { CompilerHost } from "../../src/host.js";
import { checkFile } from "../../src/semantic/check-file.js";
import { defaultCheck, loadProgram } from "../../src/semantic/imports.js";
import { createCheckPool } from "../../src/semantic/parallel.js";
import { resolveProgram } from "../../src/semantic/resolve.js";
import type { FileUnit } from "../../src/semantic/unit.js";
import { makeSourceFile } from "../../src/source.js";
import { NameTable } from "../../src/syntax/fast-parse.js";
import { parseFile } from "../../src/syntax/parse.js";
import { unitSections } from "../helpers/units.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const RESOLVE = { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS };

/** Every `.aithreat` file below a folder. */
function modelFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".aithreat"))
    .map((f) => path.join(dir, f))
    .sort();
}

/** A unit as plain data, every section read back. */
function unitData(unit: FileUnit): unknown {
  return { ...unitSections(unit), rules: unit.rules, policies: unit.policies };
}

const shown = (ds: readonly Diagnostic[]) => ds.map((d) => formatDiagnostic(d, { color: false }));

test("streaming check gives the unit and diagnostics of the whole-tree check, on every sample and baseline", () => {
  const files = [...modelFiles(path.join(REPO, "samples")), ...modelFiles(path.join(REPO, "test/baselines"))];
  assert.ok(files.length > 80, `only ${files.length} model files found`);
  let withErrors = 0;
  for (const [i, abs] of files.entries()) {
    const file = makeSourceFile(i, path.relative(REPO, abs), fs.readFileSync(abs, "utf8"));
    const streamed = defaultCheck(new NameTable())(file);
    const parsed = parseFile(file);
    const whole = checkFile(file, parsed.value);
    assert.equal(unitData(streamed.unit), unitData(whole.unit), file.path);
    assert.equal(
      shown(streamed.diagnostics),
      shown([...parsed.diagnostics, ...whole.diagnostics]),
      file.path,
    );
    if (streamed.diagnostics.length > 0) withErrors++;
  }
  // The comparison covers files the fast parser gives up on, and files with semantic errors.
  assert.ok(withErrors >= 20, `only ${withErrors} files with diagnostics`);
});

/** A pool with one worker thread that takes every file, however small. */
function oneWorkerPool(host: CompilerHost) {
  return createCheckPool({
    host,
    workers: 1,
    maxFileSize: 64 * 1024 * 1024,
    minBytes: 0,
    tailWaitMs: 120_000,
  });
}

/** A generated organisation with errors planted in some files, as an in-memory host. */
function plantedModel(): { host: CompilerHost; inputs: string[]; root: string } {
  const generated = generateModel({ components: 3000, files: 12, seed: 7, coupling: 1 });
  let n = 0;
  const files = generated.files.map((f) => {
    if (!f.path.startsWith("systems/")) return f;
    n++;
    // A syntax error (recovering parser), an unknown property and an unknown reference (semantic).
    const extra =
      n % 3 === 0
        ? `\nflow ; broken\n`
        : n % 3 === 1
          ? `\nzone z_planted_${n} "Planted" { trust internal  colour blue }\n`
          : `\ndata d_planted_${n} "Planted" { classification personal  owner nobody }\nflow nowhere_${n} -> elsewhere_${n} { kind copy }\n`;
    return { path: f.path, text: f.text + extra };
  });
  return generatedHost(files);
}

test("worker threads load exactly what the main thread alone loads", () => {
  const { host, inputs, root } = plantedModel();
  const serial = loadProgram(inputs, root, host);
  const pool = oneWorkerPool(host);
  let threaded;
  try {
    threaded = loadProgram(inputs, root, host, { pool });
  } finally {
    pool.close();
  }
  assert.is(pool.stats.workers, 1);
  assert.ok(pool.stats.byWorkers > 0, "no file was checked by the worker");
  assert.is(pool.stats.byWorkers + pool.stats.byMain, inputs.length);

  // The host's bytes are untouched (the pool transfers copies to the worker, never the host's own).
  const again = loadProgram(inputs, root, host);
  assert.equal(
    again.value.files.map((f) => f.source.text),
    serial.value.files.map((f) => f.source.text),
  );

  const a = serial.value.files;
  const b = threaded.value.files;
  assert.equal(
    b.map((f) => [f.source.id, f.source.path, f.source.text.length, f.isInput]),
    a.map((f) => [f.source.id, f.source.path, f.source.text.length, f.isInput]),
  );
  for (let i = 0; i < a.length; i++)
    assert.equal(unitData(b[i]!.unit!), unitData(a[i]!.unit!), a[i]!.source.path);
  // Every diagnostic is located in the threaded program's own file records.
  for (const d of threaded.diagnostics)
    assert.ok(!d.location || b.some((f) => f.source === d.location!.file));
  const diagnostics = shown(threaded.diagnostics);
  assert.equal(diagnostics, shown(serial.diagnostics));
  assert.ok(diagnostics.some((d) => d.includes("AT1020")) && diagnostics.some((d) => d.includes("AT3002")));

  const ra = resolveProgram(serial.value, RESOLVE);
  const rb = resolveProgram(threaded.value, RESOLVE);
  assert.equal(shown(rb.diagnostics), shown(ra.diagnostics));
  assert.ok(ra.diagnostics.some((d) => d.code === "AT2001"));
  assert.equal(
    rb.value.components.map((c) => [c.name, c.kind, c.zone, c.trust, c.loc.file.path, c.loc.start]),
    ra.value.components.map((c) => [c.name, c.kind, c.zone, c.trust, c.loc.file.path, c.loc.start]),
  );
  assert.equal(
    rb.value.flows.map((f) => [f.id, f.from, f.to, f.kind, f.loc.start]),
    ra.value.flows.map((f) => [f.id, f.from, f.to, f.kind, f.loc.start]),
  );
});

test("files the pool cannot take (missing, not UTF-8, too large) are read and reported by the loader", () => {
  const { host: base, inputs, root } = plantedModel();
  const latin1 = `${root}/systems/latin1.aithreat`;
  const big = `${root}/systems/big.aithreat`;
  const extra = new Map<string, Uint8Array>([
    [latin1, Uint8Array.from([0x7a, 0x6f, 0x6e, 0x65, 0x20, 0xe9])],
    [big, new Uint8Array(4096).fill(0x20)],
  ]);
  const host: CompilerHost = {
    stat: (p) => (extra.has(p) ? { size: extra.get(p)!.length } : base.stat(p)),
    readFile: (p) => extra.get(p) ?? base.readFile(p),
    realpath: (p) => (extra.has(p) ? p : base.realpath(p)),
  };
  const all = [...inputs, latin1, big].sort();
  const maxFileSize = 2048;
  const plain = loadProgram(all, root, host, { maxFileSize: 64 * 1024 * 1024 });
  const pool = oneWorkerPool(host);
  let threaded;
  try {
    threaded = loadProgram(all, root, host, { pool, maxFileSize: 64 * 1024 * 1024 });
  } finally {
    pool.close();
  }
  assert.equal(shown(threaded.diagnostics), shown(plain.diagnostics));
  assert.ok(shown(plain.diagnostics).some((d) => d.includes("AT1002")));
  // Too large for the pool's limit: the loader's own check reports it, as without threads.
  const small = createCheckPool({ host, workers: 1, maxFileSize, minBytes: 0, tailWaitMs: 120_000 });
  let limited;
  try {
    limited = loadProgram([big], root, host, { pool: small, maxFileSize });
  } finally {
    small.close();
  }
  assert.equal(
    shown(limited.diagnostics),
    shown(loadProgram([big], root, host, { maxFileSize }).diagnostics),
  );
  assert.ok(shown(limited.diagnostics)[0]!.includes("AT1004"));
});

test.run();
