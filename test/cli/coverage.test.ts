import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RULES } from "../../src/analysis/rules/index.js";
import { BUILTIN_CONTROL_BY_ID } from "../../src/catalog/controls.js";
import { ATLAS, ATLAS_TECHNIQUES, ATLAS_VERSION } from "../../src/catalog/frameworks.js";
import type { Coverage, TechniqueCoverage } from "../../src/cli/commands/coverage.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";

/**
 * `aithreat coverage`: tactic by tactic, which ATLAS techniques the model's findings and declared
 * controls address, and which no rule examined. Checked against the ATLAS data from first principles.
 */

const MODEL = `zone internet "Internet" { trust untrusted }
zone vpc "VPC" { trust internal }
source forum "Community forum" in internet { type forum }
vectorstore kb "Knowledge base" in vpc
agent helper "Helper agent" in vpc {
  autonomy step
  controls [spotlighting]
}
flow forum -> kb "crawl" { kind ingest }
flow kb -> helper "retrieve" { kind retrieve }
`;
// An organisation rule citing a technique no built-in rule looks for.
const ORG_RULE = `rule ORG-1 "Agents need their own accounts" { match [agent]  atlas [AML.T0012] }\n`;

const created: string[] = [];
test.after(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

async function coverage(text: string, format = "json") {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-coverage-"));
  created.push(dir);
  fs.writeFileSync(path.join(dir, "model.aithreat"), text);
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(["coverage", path.join(dir, "model.aithreat"), "--format", format], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const topLevel = ATLAS.techniques.filter((t) => !t.parent);
const citedBy = (id: string) => RULES.filter((r) => r.meta.atlas.includes(id)).map((r) => r.meta.id);

test("every top-level technique sits under each of its tactics, in ATLAS order, counted once", async () => {
  const { code, stdout, stderr } = await coverage(MODEL);
  assert.is(code, 0, stderr);
  const c = JSON.parse(stdout) as Coverage;
  assert.is(c.atlasVersion, ATLAS_VERSION);
  assert.equal(
    c.tactics.map((t) => t.id),
    ATLAS.tactics.map((t) => t.id),
  );
  for (const tactic of c.tactics) {
    assert.equal(
      tactic.techniques.map((t) => t.id),
      topLevel.filter((t) => t.tactics.includes(tactic.id)).map((t) => t.id),
      tactic.name,
    );
    const k = tactic.counts;
    assert.is(k.found + k.examined + k.notExamined, tactic.techniques.length);
  }
  const s = c.summary;
  assert.is(s.techniques, topLevel.length);
  assert.is(s.found + s.examined + s.notExamined, s.techniques);
});

test("status: found where a finding cites the technique or a sub-technique, examined where only a rule looks", async () => {
  const c = JSON.parse((await coverage(MODEL)).stdout) as Coverage;
  const all = new Map<string, TechniqueCoverage>();
  for (const tactic of c.tactics) for (const t of tactic.techniques) all.set(t.id, t);
  const injection = all.get("AML.T0051")!;
  assert.is(injection.status, "found");
  assert.ok(injection.findings.ids.includes("AT-25:helper"), injection.findings.ids.join(", "));
  assert.is(injection.subTechniques?.find((s) => s.id === "AML.T0051.001")?.status, "found");
  for (const t of all.values()) {
    const ids = [t.id, ...(t.subTechniques ?? []).map((x) => x.id)];
    const rules = [...new Set(ids.flatMap(citedBy))];
    assert.equal([...t.rules].sort(), rules.sort(), `${t.id}: rules`);
    if (rules.length === 0) assert.is(t.status, "not_examined", t.id);
    else assert.ok(t.status === "found" || t.status === "examined", t.id);
    assert.is(t.status === "found", t.findings.ids.length > 0, `${t.id}: found iff it has findings`);
  }
  // AT-08 (tampered third-party model) looks for supply-chain compromise and finds nothing here.
  assert.is(all.get("AML.T0010")!.status, "examined");
});

test("controls address the techniques linked to their ATLAS mitigations", async () => {
  const c = JSON.parse((await coverage(MODEL)).stdout) as Coverage;
  assert.equal(c.controls, [
    {
      control: "spotlighting",
      builtIn: true,
      mitigations: [...BUILTIN_CONTROL_BY_ID.get("spotlighting")!.atlas],
    },
  ]);
  const spot = new Set(BUILTIN_CONTROL_BY_ID.get("spotlighting")!.atlas);
  const links = (id: string): string[] => {
    const t = ATLAS_TECHNIQUES.get(id)!;
    return t.mitigations.length > 0 || !t.parent
      ? t.mitigations
      : ATLAS_TECHNIQUES.get(t.parent)!.mitigations;
  };
  let addressed = 0;
  for (const tactic of c.tactics)
    for (const t of tactic.techniques) {
      const expected = [t.id, ...(t.subTechniques ?? []).map((x) => x.id)]
        .flatMap(links)
        .filter((m) => spot.has(m));
      assert.equal(
        t.controls.flatMap((x) => x.mitigations).sort(),
        [...new Set(expected)].sort(),
        `${t.id}: controls`,
      );
      if (expected.length > 0) addressed++;
    }
  assert.ok(addressed > 0, "spotlighting addresses some technique");
  const s = c.summary;
  assert.ok(s.controlled > 0 && s.controlledOnly <= s.controlled);
});

test("organisation rules count: the technique they cite is examined, and found when they fire", async () => {
  const before = JSON.parse((await coverage(MODEL)).stdout) as Coverage;
  const after = JSON.parse((await coverage(MODEL + ORG_RULE)).stdout) as Coverage;
  const find = (c: Coverage) => c.tactics.flatMap((t) => t.techniques).find((t) => t.id === "AML.T0012")!;
  assert.is(find(before).status, "not_examined");
  assert.is(find(after).status, "found");
  assert.equal(find(after).rules, ["ORG-1"]);
  assert.equal(find(after).findings.ids, ["ORG-1:helper"]);
  assert.is(after.summary.notExamined, before.summary.notExamined - 1);
});

test("text: a summary, then each tactic with its techniques", async () => {
  const { code, stdout } = await coverage(MODEL, "text");
  assert.is(code, 0);
  const c = JSON.parse((await coverage(MODEL)).stdout) as Coverage;
  const s = c.summary;
  assert.ok(
    stdout.startsWith(
      `ATLAS ${ATLAS_VERSION} coverage: ${s.techniques} techniques; ${s.found} with findings, ${s.examined} examined without findings, ${s.notExamined} not examined by any rule\n`,
    ),
    stdout.slice(0, 200),
  );
  assert.match(stdout, `declared controls address ${s.controlled} techniques`);
  let at = 0;
  for (const t of c.tactics) {
    const header = `\n${t.name} (${t.id}): ${t.counts.found} found, ${t.counts.examined} examined, ${t.counts.notExamined} not examined, ${t.counts.controlled} addressed by controls\n`;
    const i = stdout.indexOf(header);
    assert.ok(i > at, `${t.name} missing or out of order`);
    at = i;
  }
  // Rules in reading order (by number), whichever rules of the catalog look for prompt injection.
  const injectionRules = [
    ...new Set(
      ["AML.T0051", ...ATLAS.techniques.filter((t) => t.parent === "AML.T0051").map((t) => t.id)].flatMap(
        citedBy,
      ),
    ),
  ].sort((a, b) => Number(a.slice(3)) - Number(b.slice(3)));
  assert.match(
    stdout,
    `\n  found     AML.T0051 LLM Prompt Injection: 1 finding (1 mitigated) from ${injectionRules.join(", ")}; controls spotlighting [AML.M0020, AML.M0021]\n`,
  );
  assert.match(
    stdout,
    "\n    found     AML.T0051.001 LLM Prompt Injection: Indirect: 1 finding (1 mitigated) from AT-25, ",
  );
  assert.match(stdout, /\n {2}- {9}AML\.T0012 Valid Accounts: not examined by any rule\n/);
});

test("an invalid model exits 2 with its diagnostics", async () => {
  const { code, stderr } = await coverage('rule ORG-1 "t" { match [agnet] }\n', "text");
  assert.is(code, 2);
  assert.match(stderr, "error AT3020");
});

test.run();
