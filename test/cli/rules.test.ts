import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RULES } from "../../src/analysis/rules/index.js";
import { BUILTIN_CONTROLS } from "../../src/catalog/controls.js";
import { ATLAS_MITIGATIONS, ATLAS_VERSION } from "../../src/catalog/frameworks.js";
import type { RuleView } from "../../src/cli/commands/rules.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";

/** `aithreat rules`: the catalog with its mappings, in text and JSON, plus a model's organisation rules. */

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const ORG = path.join(REPO, "samples", "org-multi-file");

async function run(...args: string[]) {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, REPO);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

interface RulesJson {
  atlasVersion: string;
  frameworks: { owasp: string[] };
  rules: RuleView[];
  controls: { id: string; atlas: { id: string; name: string }[]; mitigates: string[] }[];
}

test("text: every rule with its ATLAS, OWASP, NIST, CoSAI mappings and controls", async () => {
  const { code, stdout, stderr } = await run("rules");
  assert.is(code, 0, stderr);
  for (const rule of RULES) {
    assert.ok(
      stdout.includes(`\n${rule.meta.id}  ${rule.meta.title}\n`) || stdout.startsWith(`${rule.meta.id}  `),
      rule.meta.id,
    );
  }
  const block = stdout.split("\n\n").find((b) => b.startsWith("AT-25  "))!;
  assert.equal(block.split("\n"), [
    "AT-25  Indirect prompt injection through untrusted content",
    "    threat; STRIDE tampering, elevation_of_privilege; default severity high (likelihood high x impact high)",
    `    ATLAS ${ATLAS_VERSION}: AML.T0051.001 LLM Prompt Injection: Indirect; AML.T0070 RAG Poisoning`,
    "    OWASP: LLM01:2025 Prompt Injection; ASI01:2026 Agent Goal Hijack",
    "    NIST AI 100-2 E2025: NISTAML.015 Indirect Prompt Injection (section 3.4)",
    "    CoSAI Risk Map 2025: riskPromptInjection Prompt Injection",
    "    controls: spotlighting [AML.M0020, AML.M0021], input_filter [AML.M0015, AML.M0020], taint_tracking [AML.M0030], output_filter [AML.M0020, AML.M0033], audit_log [AML.M0024]",
  ]);
  const threats = RULES.filter((r) => r.meta.category === "threat").length;
  assert.match(
    stdout,
    `${RULES.length} built-in rules (${threats} threats, ${RULES.length - threats} assumption checks); ATLAS ${ATLAS_VERSION}`,
  );
  const quiet = await run("rules", "--quiet");
  assert.not.match(quiet.stdout, "built-in rules (");
});

test("json: every rule with named mappings, OWASP lists with their year, controls with ATLAS mitigations", async () => {
  const { code, stdout } = await run("rules", "--format", "json");
  assert.is(code, 0);
  const out = JSON.parse(stdout) as RulesJson;
  assert.is(out.atlasVersion, ATLAS_VERSION);
  assert.equal(out.frameworks.owasp, [
    "OWASP Top 10 for LLM Applications 2025",
    "OWASP Machine Learning Security Top 10 2023",
    "OWASP Top 10 for Agentic Applications 2026",
  ]);
  assert.equal(
    out.rules.map((r) => r.id),
    RULES.map((r) => r.meta.id),
  );
  for (const [i, view] of out.rules.entries()) {
    const meta = RULES[i]!.meta;
    assert.is(view.origin, "built-in");
    assert.equal(
      view.atlas.techniques.map((t) => t.id),
      [...meta.atlas],
    );
    for (const t of view.atlas.techniques) assert.ok(t.name.length > 0, `${meta.id}: ${t.id} has no name`);
    for (const o of view.owasp) {
      const year = o.id.split(":")[1]!;
      assert.ok(o.list.endsWith(year), `${meta.id}: ${o.id} listed under ${o.list}`);
      assert.ok(o.name.length > 0);
    }
    assert.equal(
      view.controls.map((c) => c.id),
      [...meta.mitigations],
    );
  }
  assert.equal(
    out.controls.map((c) => c.id),
    BUILTIN_CONTROLS.map((c) => c.id),
  );
  for (const c of out.controls) {
    const builtin = BUILTIN_CONTROLS.find((b) => b.id === c.id)!;
    assert.equal(
      c.atlas,
      builtin.atlas.map((id) => ({ id, name: ATLAS_MITIGATIONS.get(id)! })),
    );
    assert.equal(
      c.mitigates,
      RULES.filter((r) => r.meta.mitigations.includes(c.id)).map((r) => r.meta.id),
    );
  }
});

test("with models: the organisation rules follow the catalog, located where they are declared", async () => {
  const { code, stdout, stderr } = await run("rules", ORG, "--format", "json");
  assert.is(code, 0, stderr);
  const out = JSON.parse(stdout) as RulesJson;
  const org = out.rules.filter((r) => r.origin === "organisation");
  assert.equal(
    org.map((r) => r.id),
    ["GLX-001", "GLX-002", "GLX-003"],
  );
  const glx1 = org[0]!;
  assert.equal(glx1.declaredAt && [glx1.declaredAt.file, glx1.declaredAt.line, glx1.declaredAt.column], [
    "samples/org-multi-file/shared/rules.aithreat",
    7,
    6,
  ]);
  assert.is(glx1.severity, "high");
  assert.match(glx1.remediation ?? "", /approval service/);
  assert.equal(
    org[1]!.controls.map((c) => [c.id, c.builtIn, c.atlas.map((a) => a.id)]),
    [["gateway_dlp", false, ["AML.M0020"]]],
  );
  const text = await run("rules", ORG);
  assert.match(
    text.stdout,
    "GLX-002  Model endpoints scan prompts with the gateway DLP\n    organisation threat, declared at samples/org-multi-file/shared/rules.aithreat:21:6",
  );
  assert.match(text.stdout, "controls: gateway_dlp (declared) [AML.M0020]");
  assert.match(text.stdout, ", 3 organisation rules;");
});

test("an invalid model is reported and exits 2; a bad format is a usage error", async () => {
  const bad = await run("rules", path.join(REPO, "test", "baselines", "AT3020-unknown-kind-in-rule"));
  assert.is(bad.code, 2);
  assert.match(bad.stderr, "error AT3020: `agnet` is not a component kind");
  const usage = await run("rules", "--format", "yaml");
  assert.is(usage.code, 2);
  assert.match(usage.stderr, "error AT9002");
});

test("--help shows examples", async () => {
  const { code, stdout } = await run("rules", "--help");
  assert.is(code, 0);
  assert.match(stdout, "aithreat rules --format json");
  assert.match(stdout, "aithreat rules samples/org-multi-file");
});

test.run();
