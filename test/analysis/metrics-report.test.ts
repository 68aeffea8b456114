/**
 * The scorecard where people and scripts read it: `compile` writes metrics.json (valid against
 * schemas/metrics-1.0.schema.json, checked with ajv in strict mode, the file as written to disk), and
 * report.md / report.html open with the same scorecard, computed once per run, with the policy
 * verdict of each metric a policy names.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020Module from "ajv/dist/2020.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scorecardOf } from "../../src/analysis/metrics/index.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { MetricsJson } from "../../src/emit/metrics-json.js";
import { metricRows } from "../../src/emit/report-view.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { memoryContext } from "../helpers/outputs.js";

// ajv is CommonJS; under NodeNext its default export sits on `.default`.
const Ajv2020 = Ajv2020Module.default;
const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REPO, "schemas", "metrics-1.0.schema.json"), "utf8"),
) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(SCHEMA);
const errors = (doc: unknown): string[] =>
  validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-metrics-report-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// One agent with all three trifecta legs (forum text via kb, personal data from the CRM, a mailer),
// one public endpoint without a rate limit; two policies, one failing and one passing.
const MODEL = `zone internet "Internet" { trust untrusted }
zone corp "Corp" { trust internal }
source forum "Forum" in internet { type forum }
endpoint api "API" in corp { exposure public  auth session }
vectorstore kb "KB" in corp
store crm "CRM" in corp { holds [pii] }
agent bot "Bot" in corp { autonomy step  memory session  identity service_account }
tool mailer "Mailer" in corp { capabilities [send_external] }
data pii "PII" { classification personal  crown confidentiality }
flow forum -> kb { kind ingest }
flow kb -> bot { kind retrieve }
flow crm -> bot { kind read }
flow bot -> mailer { kind invoke }
policy release { trifecta_violations 0  verified_provenance 50 }
policy lenient { trifecta_violations 1 }
`;

async function compile(): Promise<{ code: number; out: string; stderr: string }> {
  const dir = fs.mkdtempSync(path.join(tmp, "case-"));
  fs.writeFileSync(path.join(dir, "model.aithreat"), MODEL);
  const out = path.join(dir, "out");
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, dir);
  const code = await main(["compile", dir, "--root", dir, "--out", out, "--quiet"], io);
  return { code, out, stderr: io.stderr };
}

test("compile writes metrics.json, valid against its schema, with the run's scorecard", async () => {
  const r = await compile();
  // `release` fails on the trifecta: exit 1, every output written.
  assert.is(r.code, 1, r.stderr);
  const doc = JSON.parse(fs.readFileSync(path.join(r.out, "metrics.json"), "utf8")) as MetricsJson;
  assert.equal(errors(doc), []);
  // bot has all three legs: one violation. The only artifact is the mailer tool, which states no
  // `origin in_house` and no `artifact_signing`: 0 of 1 verified, 0%.
  const entry = (id: string) => doc.scorecard.find((e) => e.id === id)!;
  assert.equal([entry("trifecta_violations").value, entry("trifecta_violations").status], [1, "fail"]);
  assert.equal(entry("trifecta_violations").thresholds, [
    { policy: "release", bound: "max", value: 0, passed: false },
    { policy: "lenient", bound: "max", value: 1, passed: true },
  ]);
  assert.equal([entry("verified_provenance").value, entry("verified_provenance").status], [0, "fail"]);
  // Metrics no policy names carry no status.
  assert.is(entry("cut_cost").status, undefined);
});

test("report.md and report.html open with the same scorecard, policy verdicts included", async () => {
  const r = await compile();
  const doc = JSON.parse(fs.readFileSync(path.join(r.out, "metrics.json"), "utf8")) as MetricsJson;
  const md = fs.readFileSync(path.join(r.out, "report.md"), "utf8");
  const html = fs.readFileSync(path.join(r.out, "report.html"), "utf8");
  // The rows of the Markdown metrics table, in order: one per scorecard entry of metrics.json.
  const table = md.slice(md.indexOf("| metric | value | better | policy |"));
  const rows = table
    .split("\n")
    .slice(2)
    .filter((l) => l.startsWith("| "));
  const titles = rows
    .slice(0, doc.scorecard.length)
    .map((l) => l.split(" | ")[0]!.slice(2).replace(/\\/g, ""));
  assert.equal(
    titles,
    doc.scorecard.map((e) => e.title),
  );
  assert.match(
    md,
    "| Lethal\\-trifecta violations | 1 | lower | fail \\(release\\: at most 0, not met; lenient\\: at most 1\\) |",
  );
  assert.match(md, "| Verified provenance | 0% | higher | fail \\(release\\: at least 50%, not met\\) |");
  // The summary (with the scorecard) comes before the first section of the body.
  assert.ok(md.indexOf("| metric | value | better | policy |") < md.indexOf("## System at a glance"));
  assert.match(
    html,
    '<tr><th scope="row">Lethal-trifecta violations</th><td>1</td><td>lower</td><td>fail (release: at most 0, not met; lenient: at most 1)</td></tr>',
  );
});

test("the scorecard is computed once per run: metrics.json and the reports share it", () => {
  const { analysis } = memoryContext({ "m.aithreat": MODEL });
  const first = scorecardOf(analysis.metrics, analysis.policy);
  assert.is(scorecardOf(analysis.metrics, analysis.policy), first, "the same entries, not a recomputation");
  const rows = metricRows(analysis)!;
  assert.equal(
    rows.map((r) => [r.name, r.value, r.better]),
    first.map((e) => [e.title, e.display, e.direction]),
  );
});

test.run();
