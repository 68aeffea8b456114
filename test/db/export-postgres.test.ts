/**
 * The PostgreSQL export against a real server: every sample, a model full of characters to escape,
 * and a generated 10k-component model are exported, loaded with the export's own `load.sql` (psql,
 * `\copy`), and the documented recursive queries are compared with aithreat's own analysis:
 * reachability sets exactly, exposure counts, most likely path distances (bit for bit), steps on it
 * (fewest among equally likely paths), fewest steps of any way in, and the attack paths the
 * `attack_path` function walks. The server is a throwaway cluster (test/helpers/postgres.ts).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedHost } from "../../bench/gen/memory-host.js";
import { ENTRY_CLASSES, type EntryClass } from "../../src/analysis/facts.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { loadModels } from "../../src/cli/common.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { analyzeModel, runFrontEnd, type CompileAnalysis } from "../../src/compiler.js";
import { exportFiles } from "../../src/emit/export/index.js";
import { PG_QUERIES } from "../../src/emit/export/postgres-queries.js";
import { REPLACEMENT } from "../../src/emit/export/escape.js";
import { TEST_TODAY, dump } from "../helpers/compile.js";
import { startPostgres, type PgServer } from "../helpers/postgres.js";
import { NASTY_DESCRIPTION, NASTY_MODEL, NASTY_TAG, NASTY_TITLE } from "./nasty-model.js";
import { referenceOf } from "./reference.js";

let pg: PgServer | undefined;
const work = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-export-pg-"));
const server = (): PgServer => {
  if (!pg) throw new Error("the PostgreSQL server did not start (see the first test)");
  return pg;
};

test.after(() => {
  pg?.stop();
  fs.rmSync(work, { recursive: true, force: true });
});

/** Exports a model with the CLI into a fresh folder and loads it with the export's load.sql. */
async function exportAndLoad(models: string[], schema: string): Promise<void> {
  const out = path.join(work, schema);
  const io = bufferIo();
  const code = await main(
    [
      "export",
      ...models,
      "--to",
      "postgres",
      "--out",
      out,
      "--pg-schema",
      schema,
      "--today",
      TEST_TODAY,
      "-q",
    ],
    io,
  );
  assert.is(code, 0, io.stderr);
  server().runFile("load.sql", out);
}

function analysisOf(models: string[]): CompileAnalysis {
  const loaded = loadModels(bufferIo(), { models, today: TEST_TODAY });
  if (!("model" in loaded) || !loaded.ok) throw new Error(`invalid model: ${models.join(" ")}`);
  return analyzeModel(loaded.model);
}

const num = (s: string | null | undefined): number | null =>
  s === null || s === undefined ? null : Number(s);

/** Compares every documented query's answer in `schema` with aithreat's analysis of the same model. */
function compare(schema: string, analysis: CompileAnalysis, label: string, checkPaths: boolean): void {
  const db = server();
  const ref = referenceOf(analysis);

  // Reachability: the exact set of entries per crown-jewel property.
  const reach = new Map<string, string[]>([...ref.reach.keys()].map((k) => [k, []]));
  for (const [crown, entry] of db.query(
    `SELECT c.name, e.name FROM ${schema}.reachability r JOIN ${schema}.crown c ON c.id = r.crown JOIN ${schema}.component e ON e.id = r.entry`,
  ))
    reach.get(crown!)!.push(entry!);
  for (const [crown, want] of ref.reach)
    assert.equal(reach.get(crown)!.sort(), [...want].sort(), `${label}: entries reaching ${crown}`);

  // The exposure matrix, cell by cell.
  const rows = db.query(
    `SELECT name, entry_class, reachable, entries, dist, steps, fewest_steps_in FROM ${schema}.exposure_matrix`,
  );
  assert.is(rows.length, ref.cells.size * ENTRY_CLASSES.length, `${label}: one row per crown and class`);
  for (const [name, cls, reachable, entries, dist, steps, fewest] of rows) {
    const cell = ref.cells.get(name!)!.get(cls as EntryClass)!;
    const where = `${label}: ${name} from ${cls}`;
    assert.is(Number(entries), cell.entries, `${where}: entries`);
    assert.is(reachable === "t", cell.entries > 0, `${where}: reachable`);
    if (cell.dist === Infinity) {
      assert.is(dist, null, `${where}: no path`);
      continue;
    }
    // The same sums of the same doubles in the same order: equal to the last bit.
    assert.is(num(dist), cell.dist, `${where}: distance`);
    assert.is(Math.exp(-num(dist)!), cell.likelihood, `${where}: likelihood`);
    assert.is(num(steps), cell.tightSteps, `${where}: steps on the most likely path`);
    assert.ok(num(steps)! <= cell.aithreatSteps, `${where}: never more steps than aithreat's own path`);
    assert.is(num(fewest), cell.fewestIn ?? null, `${where}: fewest steps in`);
  }
  if (!checkPaths) return;

  // attack_path: a connected walk from an entry of the class to a target (and on to a sink) whose
  // likelihood is the cell's.
  const steps = db.query(
    `SELECT c.name, k.cls, p.leg, p.n, p.src, p.dst, p.likelihood
     FROM ${schema}.crown c CROSS JOIN (VALUES ${ENTRY_CLASSES.map((c) => `('${c}')`).join(", ")}) k(cls),
          LATERAL ${schema}.attack_path(c.name, k.cls) p
     ORDER BY c.name, k.cls, p.leg = 'out', p.n`,
  );
  const walks = new Map<string, typeof steps>();
  for (const r of steps) {
    const key = `${r[0]}|${r[1]}`;
    walks.set(key, [...(walks.get(key) ?? []), r]);
  }
  for (const [crown, row] of ref.cells) {
    for (const [cls, cell] of row) {
      const walk = walks.get(`${crown}|${cls}`) ?? [];
      const where = `${label}: attack_path(${crown}, ${cls})`;
      if (cell.dist === Infinity) {
        assert.is(walk.length, 0, `${where}: no path`);
        continue;
      }
      assert.is(walk.length, cell.tightSteps, `${where}: steps`);
      const into = walk.filter((r) => r[2] === "in");
      const out = walk.filter((r) => r[2] === "out");
      for (let i = 1; i < walk.length; i++) assert.is(walk[i]![4], walk[i - 1]![5], `${where}: connected`);
      if (into.length > 0) {
        assert.ok(ref.entries.get(cls)!.has(into[0]![4]!), `${where}: starts at an entry`);
        assert.ok(ref.targetNodes.get(crown)!.has(into.at(-1)![5]!), `${where}: reaches a target`);
      }
      if (out.length > 0) assert.ok(ref.sinks.has(out.at(-1)![5]!), `${where}: ends at a sink`);
      const likelihood = walk.reduce((p, r) => p * Number(r[6]), 1);
      assert.ok(Math.abs(likelihood - cell.likelihood) <= 1e-12, `${where}: likelihood ${likelihood}`);
    }
  }
}

test("a throwaway PostgreSQL server starts in a temporary folder", () => {
  pg = startPostgres();
  assert.ok(fs.existsSync(path.join(pg.dir, "data", "PG_VERSION")));
  assert.equal(pg.query("SELECT 1 + 1"), [["2"]]);
});

test("every sample: the SQL answers what aithreat's analysis answers", async () => {
  const samples = fs
    .readdirSync("samples", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  assert.ok(samples.length >= 7);
  for (const sample of samples) {
    const schema = `s_${sample.replace(/-/g, "_")}`;
    const models = [path.join("samples", sample)];
    await exportAndLoad(models, schema);
    compare(schema, analysisOf(models), sample, true);
  }
});

test("the exported queries are the documented ones, and every one was created", () => {
  const created = new Set(
    server()
      .query(
        `SELECT table_name FROM information_schema.views WHERE table_schema = 's_rag_support'
         UNION SELECT matviewname FROM pg_matviews WHERE schemaname = 's_rag_support'
         UNION SELECT routine_name FROM information_schema.routines WHERE routine_schema = 's_rag_support'`,
      )
      .map((r) => r[0]!),
  );
  assert.equal([...created].sort(), PG_QUERIES.map((q) => q.name).sort());
  const queries = fs.readFileSync(path.join(work, "s_rag_support", "queries.sql"), "utf8");
  const doc = fs.readFileSync("docs/scale.md", "utf8");
  for (const q of PG_QUERIES) {
    assert.ok(queries.includes(q.sql), `queries.sql holds ${q.name}`);
    assert.ok(doc.includes(q.sql), `docs/scale.md quotes ${q.name} verbatim`);
  }
});

test("strings that need escaping arrive in the database unchanged (NUL becomes U+FFFD)", async () => {
  const file = path.join(work, "nasty.aithreat");
  fs.writeFileSync(file, NASTY_MODEL);
  await exportAndLoad([file], "nasty");
  const db = server();
  const hex = (sql: string) =>
    Buffer.from(db.query(`SELECT encode(convert_to((${sql}), 'UTF8'), 'hex')`)[0]![0]!, "hex").toString(
      "utf8",
    );
  assert.is(hex("SELECT title FROM nasty.component WHERE name = 'visitor'"), NASTY_TITLE);
  assert.is(
    hex("SELECT description FROM nasty.data_asset WHERE name = 'secrets'"),
    NASTY_DESCRIPTION.replace("\0", REPLACEMENT),
  );
  assert.is(hex("SELECT tags[1] FROM nasty.component WHERE name = 'visitor'"), NASTY_TAG);
  assert.is(hex("SELECT tags[2] FROM nasty.component WHERE name = 'visitor'"), " leading space");
  assert.is(hex("SELECT array_to_string(regulated, '/') FROM nasty.data_asset"), "GDPR; art. 32/a|b");
  assert.is(hex("SELECT system FROM nasty.component WHERE name = 'visitor'"), 'Nasty "strings", system');
  assert.is(hex("SELECT title FROM nasty.flow WHERE name = 'visitor->api'"), 'ask, "nicely"');
  assert.is(hex("SELECT props->>'role' FROM nasty.component WHERE name = 'visitor'"), "public");
  // The model has a step cut by a declared control, and a result flowing back from an invoke.
  assert.equal(db.query("SELECT count(*) FROM nasty.step WHERE weight IS NULL"), [["1"]]);
  assert.equal(db.query("SELECT count(*) FROM nasty.step WHERE returned"), [["1"]]);
  compare("nasty", analysisOf([file]), "nasty", true);
});

test("a generated 10k-component model: the SQL answers what aithreat's analysis answers", () => {
  const generated = generateModel({ components: 10_000, seed: 1 });
  const { host, inputs, root } = generatedHost(generated.files);
  const front = runFrontEnd({
    inputs,
    root,
    host,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  assert.ok(front.ok, dump(front));
  const analysis = analyzeModel(front.model);
  const result = exportFiles(analysis, "postgres", { pgSchema: "gen10k" });
  assert.ok("files" in result);
  const out = path.join(work, "gen10k");
  for (const f of result.files) {
    fs.mkdirSync(path.dirname(path.join(out, f.path)), { recursive: true });
    fs.writeFileSync(path.join(out, f.path), f.contents);
  }
  server().runFile("load.sql", out);
  assert.equal(server().query("SELECT count(*) FROM gen10k.component"), [["10000"]]);
  compare("gen10k", analysis, "gen10k", false);
});

test.run();
