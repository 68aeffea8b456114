/**
 * metrics.json: valid against its documented schema (schemas/metrics-1.0.schema.json, draft 2020-12,
 * checked with ajv in strict mode) for every sample and for runs with passing and failing policies;
 * byte-identical across runs; and the schema is strict enough to reject what it should.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Ajv2020Module from "ajv/dist/2020.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { scorecard } from "../../src/analysis/metrics/scorecard.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { expandInputs } from "../../src/cli/inputs.js";
import { nodeHost } from "../../src/cli/node-host.js";
import { analyzeModel, runFrontEnd } from "../../src/compiler.js";
import type { EmitContext } from "../../src/emit/emitter.js";
import { METRICS_SCHEMA_ID, metricsJsonEmitter, type MetricsJson } from "../../src/emit/metrics-json.js";
import { dump, frontEndOf, TEST_TODAY } from "../helpers/compile.js";

// ajv is CommonJS; under NodeNext its default export sits on `.default`.
const Ajv2020 = Ajv2020Module.default;
const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SCHEMA = JSON.parse(
  fs.readFileSync(path.join(REPO, "schemas", "metrics-1.0.schema.json"), "utf8"),
) as Record<string, unknown>;
const validate = new Ajv2020({ allErrors: true, strict: true }).compile(SCHEMA);
const errors = (doc: unknown): string[] =>
  validate(doc) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || "/"} ${e.message ?? ""}`);

const SAMPLES = fs
  .readdirSync(path.join(REPO, "samples"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function sampleContext(sample: string, generatedAt?: string): EmitContext {
  const { files } = expandInputs([path.join(REPO, "samples", sample)]);
  const front = runFrontEnd({
    inputs: files,
    root: REPO,
    host: nodeHost,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  if (!front.ok) throw new Error(dump(front));
  return {
    analysis: analyzeModel(front.model),
    toolVersion: "0.0.0-test",
    ...(generatedAt ? { generatedAt } : {}),
  };
}

function textContext(text: string): EmitContext {
  const front = frontEndOf(text);
  if (!front.ok) throw new Error(dump(front));
  return { analysis: analyzeModel(front.model), toolVersion: "0.0.0-test" };
}

const emit = (ctx: EmitContext): { text: string; doc: MetricsJson } => {
  const files = metricsJsonEmitter.emit(ctx);
  assert.equal(
    files.map((f) => f.path),
    ["metrics.json"],
  );
  const text = files[0]!.contents as string;
  return { text, doc: JSON.parse(text) as MetricsJson };
};

test("the schema's $id is what metrics.json names in `$schema`", () => {
  assert.is(SCHEMA["$id"], METRICS_SCHEMA_ID);
});

for (const sample of SAMPLES) {
  test(`metrics.json of ${sample} is valid and deterministic`, () => {
    const a = emit(sampleContext(sample));
    assert.equal(errors(a.doc), [], sample);
    assert.is(a.doc.$schema, METRICS_SCHEMA_ID);
    assert.is(a.doc.generatedAt, undefined, "no timestamp unless asked");
    // A second, independent compile gives the same bytes.
    assert.is(emit(sampleContext(sample)).text, a.text);
  });
}

test("--timestamp adds generatedAt, and the document stays valid", () => {
  const { doc } = emit(sampleContext(SAMPLES[0]!, "2026-06-01T12:00:00.000Z"));
  assert.is(doc.generatedAt, "2026-06-01T12:00:00.000Z");
  assert.equal(errors(doc), []);
});

const GATED = `zone internet "Internet" { trust untrusted }
zone corp "Corp" { trust internal }
actor alice "Alice" in internet
agent helper "Helper" in corp
store memory "Memory" in corp { crown integrity }
flow alice -> helper { kind prompt }
flow helper -> memory { kind write }
policy release "Release gate" {
  exposed_crown_jewels 0
  trifecta_violations 0
  max_path_likelihood 0.9
}
policy { open_threats 100 }
`;

test("a run with policies: verdicts, offenders with locations, and a scorecard with status", () => {
  const ctx = textContext(GATED);
  const { doc } = emit(ctx);
  assert.equal(errors(doc), []);
  assert.is(doc.policy.passed, false);
  assert.equal(
    doc.policy.policies.map((p) => [p.label, p.origin, p.location.line]),
    [
      ["release", "model", 8],
      ["model.aithreat:13", "model", 13],
    ],
  );
  const release = doc.policy.policies[0]!;
  assert.equal(
    release.thresholds.map((t) => [t.metric, t.bound, t.threshold, t.value, t.passed, t.location.line]),
    [
      // memory is reachable from alice: 1 exposed crown jewel, over the maximum of 0
      ["exposed_crown_jewels", "max", 0, 1, false, 9],
      ["trifecta_violations", "max", 0, 0, true, 10],
      // 0.9 (direct injection) x 0.6 (memory poisoning) = 0.54, under 0.9
      ["max_path_likelihood", "max", 0.9, 0.54, true, 11],
    ],
  );
  // The offender is the crown jewel, located at its `crown` marking (line 5).
  assert.equal(
    release.thresholds[0]!.offenders.map((o) => [o.name, o.location?.line]),
    [["memory", 5]],
  );
  // The scorecard carries the status of each metric a policy names, non-headline ones appended.
  const card = doc.scorecard;
  assert.equal(card, JSON.parse(JSON.stringify(scorecard(ctx.analysis.metrics, ctx.analysis.policy))));
  const status = (id: string) => card.find((e) => e.id === id)?.status;
  assert.is(status("exposed_crown_jewels"), "fail");
  assert.is(status("trifecta_violations"), "pass");
  assert.is(status("mitigation_coverage"), undefined);
  assert.equal(
    card.slice(-2).map((e) => e.id),
    ["open_threats", "max_path_likelihood"],
  );
});

test("the schema rejects unknown fields, out-of-range values and missing sections", () => {
  const { doc } = emit(textContext(GATED));
  const broken = (edit: (d: Record<string, unknown> & MetricsJson) => void): string[] => {
    const copy = JSON.parse(JSON.stringify(doc)) as Record<string, unknown> & MetricsJson;
    edit(copy);
    return errors(copy);
  };
  assert.ok(broken((d) => (d.metrics.mitigation.coverage = 120)).length > 0, "coverage above 100");
  assert.ok(broken((d) => (d["extra"] = 1)).length > 0, "an undeclared top-level field");
  assert.ok(
    broken((d) => ((d.metrics.cut as unknown as Record<string, unknown>)["extra"] = 1)).length > 0,
    "an undeclared metric field",
  );
  assert.ok(
    broken((d) => delete (d.metrics as unknown as Record<string, unknown>)["agentic"]).length > 0,
    "a missing section",
  );
  assert.ok(broken((d) => (d.schemaVersion = "2.0")).length > 0, "another major version");
});

test.run();
