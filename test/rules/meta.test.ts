import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RULES } from "../../src/analysis/rules/index.js";
import { BUILTIN_CONTROL_BY_ID } from "../../src/catalog/controls.js";
import { ATLAS_TECHNIQUES, COSAI_RISKS, NIST_IDS, OWASP, OWASP_IDS } from "../../src/catalog/frameworks.js";

/** Conventions of the rule catalog, turned into tests. */
const RULE_DIR = path.resolve("src/analysis/rules");

test("every rule file is registered, and every registered rule's id matches its file name", () => {
  const files = fs.readdirSync(RULE_DIR).filter((f) => f.endsWith(".ts") && f !== "index.ts");
  const index = fs.readFileSync(path.join(RULE_DIR, "index.ts"), "utf8");
  for (const f of files)
    assert.ok(index.includes(`./${f.replace(/\.ts$/, ".js")}`), `${f} is not imported by rules/index.ts`);
  assert.is(RULES.length, files.length, "registry size differs from the number of rule files");
  for (const rule of RULES) {
    const prefix = rule.meta.id.toLowerCase();
    assert.ok(
      files.some((f) => f.startsWith(`${prefix}-`)),
      `no file named ${prefix}-*.ts for ${rule.meta.id}`,
    );
  }
});

test("rule ids are unique, well formed", () => {
  const ids = RULES.map((r) => r.meta.id);
  assert.is(new Set(ids).size, ids.length);
  for (const id of ids) assert.ok(/^(AT|AS)-\d{2,3}$/.test(id), `bad id ${id}`);
});

test("every external id a rule cites exists in the shipped data", () => {
  for (const { meta } of RULES) {
    for (const t of meta.atlas)
      assert.ok(ATLAS_TECHNIQUES.has(t), `${meta.id}: unknown ATLAS technique ${t}`);
    for (const o of meta.owasp)
      assert.ok(
        OWASP_IDS.has(o),
        `${meta.id}: unknown OWASP id ${o} (write it with its year, e.g. LLM01:2025)`,
      );
    for (const n of meta.nist) assert.ok(NIST_IDS.has(n), `${meta.id}: unknown NIST AI 100-2 id ${n}`);
    for (const c of meta.cosai) assert.ok(COSAI_RISKS.has(c), `${meta.id}: unknown CoSAI risk ${c}`);
    for (const m of meta.mitigations)
      assert.ok(BUILTIN_CONTROL_BY_ID.has(m), `${meta.id}: unknown built-in control ${m}`);
  }
});

test("every rule's metadata is complete and written as sentences", () => {
  for (const { meta } of RULES) {
    for (const key of [
      "title",
      "description",
      "likelihoodBasis",
      "impactBasis",
      "detection",
      "falsePositives",
    ] as const) {
      assert.ok(meta[key].trim().length > 0, `${meta.id}: empty ${key}`);
    }
    assert.ok(meta.stride.length > 0, `${meta.id}: no STRIDE category`);
    assert.ok(meta.appliesTo.length > 0, `${meta.id}: appliesTo is empty`);
    if (meta.category === "threat") {
      assert.ok(meta.atlas.length > 0, `${meta.id}: a threat must cite at least one ATLAS technique`);
      assert.ok(meta.mitigations.length > 0, `${meta.id}: a threat must name mitigating controls`);
    }
    assert.not.match(meta.title, /[<>]/, `${meta.id}: no markup in titles`);
  }
});

test("the catalog has at least 50 threat rules", () => {
  assert.ok(
    RULES.filter((r) => r.meta.category === "threat").length >= 50,
    `only ${RULES.filter((r) => r.meta.category === "threat").length} threat rules`,
  );
});

test("every OWASP LLM 2025, ML 2023 and Agentic 2026 entry is mapped by at least one rule", () => {
  const cited = new Set(RULES.flatMap((r) => r.meta.owasp));
  const lists = [OWASP.llm2025.entries, OWASP.ml2023.entries, OWASP.agentic2026.entries];
  const missing = lists
    .flat()
    .filter((e) => !cited.has(e.id))
    .map((e) => e.id);
  assert.equal(missing, [], `unmapped OWASP entries: ${missing.join(", ")}`);
});

test.run();
