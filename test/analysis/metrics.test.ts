/**
 * Every metric on hand-built models. Each expected number is derived by hand in the comment above
 * it, from the model text and the metric's definition in docs/metrics.md, never copied from a run.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { UNTRUSTED_CONTENT } from "../../src/analysis/facts.js";
import type { Finding } from "../../src/analysis/findings.js";
import { BLAST_RADIUS_CAP } from "../../src/analysis/metrics/agents.js";
import { cutMetrics } from "../../src/analysis/metrics/exposure.js";
import { mitigationMetrics } from "../../src/analysis/metrics/mitigation.js";
import { UNTRUSTED_SOURCE_CAP } from "../../src/analysis/metrics/untrusted.js";
import { MATURITY_LIKELIHOOD } from "../../src/analysis/paths/attack-graph.js";
import type { CutReport } from "../../src/analysis/paths/model.js";
import { defineRule, type Level, type Rule } from "../../src/analysis/rule.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { ATLAS_TECHNIQUES } from "../../src/catalog/frameworks.js";
import { analyzeModel, type CompileAnalysis } from "../../src/compiler.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import { analyzeFile } from "../helpers/analyze.js";
import { dump, frontEndOf } from "../helpers/compile.js";

function model(text: string): ResolvedModel {
  const r = frontEndOf(text);
  if (!r.ok) throw new Error(dump(r));
  return r.model;
}
const analysisOf = (text: string, rules?: readonly Rule[]): CompileAnalysis =>
  analyzeModel(model(text), rules ? { rules } : {});

const ZONES = `zone internet "Internet" { trust untrusted }\nzone corp "Corp" { trust internal }\n`;

// ---- mitigation coverage and residual risk --------------------------------------------------------

/** A finding with only what the mitigation metrics read; the rest is filler. */
function finding(
  id: string,
  o: {
    category?: "threat" | "assumption";
    likelihood: Level;
    impact: Level;
    severity: Finding["severity"];
    status: Finding["status"];
    controls: number;
    residualLikelihood: Level;
  },
): Finding {
  return {
    id,
    rule: id.split(":")[0]!,
    category: o.category ?? "threat",
    likelihood: o.likelihood,
    impact: o.impact,
    severity: o.severity,
    status: o.status,
    mitigatedBy: Array.from({ length: o.controls }, (_, i) => ({ name: `c${i}` })),
    residualLikelihood: o.residualLikelihood,
  } as unknown as Finding;
}

test("mitigation: coverage, status by severity, inherent and residual risk", () => {
  const m = mitigationMetrics([
    // likelihood high (3) x impact very_high (4) = 12, one control lowers it to low (1): residual 4
    finding("T-1:a", {
      likelihood: "high",
      impact: "very_high",
      severity: "critical",
      status: "mitigated",
      controls: 1,
      residualLikelihood: "low",
    }),
    // medium (2) x high (3) = 6, no control: residual 6
    finding("T-2:a", {
      likelihood: "medium",
      impact: "high",
      severity: "medium",
      status: "open",
      controls: 0,
      residualLikelihood: "medium",
    }),
    // high (3) x high (3) = 9, accepted without a control: residual 9 (acceptance is no control)
    finding("T-3:a", {
      likelihood: "high",
      impact: "high",
      severity: "high",
      status: "accepted",
      controls: 0,
      residualLikelihood: "high",
    }),
    // very_high (4) x very_high (4) = 16, two controls lower it to medium (2): residual 8; accepted too
    finding("T-4:a", {
      likelihood: "very_high",
      impact: "very_high",
      severity: "critical",
      status: "accepted",
      controls: 2,
      residualLikelihood: "medium",
    }),
    // an assumption counts apart, never as a threat
    finding("AS-1:a", {
      category: "assumption",
      likelihood: "high",
      impact: "high",
      severity: "high",
      status: "open",
      controls: 0,
      residualLikelihood: "high",
    }),
  ]);
  assert.is(m.threats, 4);
  // T-1 and T-4 declare controls: 2 of 4
  assert.is(m.withControl, 2);
  assert.is(m.coverage, 50);
  assert.equal(m.status, { open: 1, mitigated: 1, accepted: 2 });
  assert.equal(m.bySeverity, [
    { severity: "critical", total: 2, open: 0, mitigated: 1, accepted: 1 },
    { severity: "high", total: 1, open: 0, mitigated: 0, accepted: 1 },
    { severity: "medium", total: 1, open: 1, mitigated: 0, accepted: 0 },
    { severity: "low", total: 0, open: 0, mitigated: 0, accepted: 0 },
    { severity: "info", total: 0, open: 0, mitigated: 0, accepted: 0 },
  ]);
  // 12 + 6 + 9 + 16 = 43 before controls; 4 + 6 + 9 + 8 = 27 after
  assert.is(m.inherentRisk, 43);
  assert.is(m.residualRisk, 27);
  // (43 - 27) / 43 = 37.209...% -> 37.2
  assert.is(m.riskReduction, 37.2);
  assert.is(m.openAssumptions, 1);
});

test("mitigation: a model without threats is fully covered and has no risk", () => {
  const m = mitigationMetrics([]);
  assert.is(m.coverage, 100);
  assert.is(m.residualRisk, 0);
  assert.is(m.riskReduction, 0);
});

// ---- exposure ----------------------------------------------------------------------------------

test("exposure: crown jewels per entry class, best likelihood and path length", () => {
  const a = analysisOf(`${ZONES}
actor alice "Alice" in internet
source web "Web pages" in internet { type web }
agent helper "Helper" in corp { autonomy step  memory none  identity none }
vectorstore kb "KB" in corp
store memory "Memory" in corp { crown integrity }
store vault "Vault" in corp { crown integrity }
flow web -> kb { kind ingest }
flow kb -> helper { kind retrieve }
flow alice -> helper { kind prompt }
flow helper -> memory { kind write }`);
  const e = a.metrics.exposure;
  // Step likelihoods come from the ATLAS maturity of each step's technique.
  const p = (id: string) => MATURITY_LIKELIHOOD[ATLAS_TECHNIQUES.get(id)!.maturity]!;
  assert.is(p("AML.T0051.000"), 0.9); // direct prompt injection: realized
  assert.is(p("AML.T0051.001"), 0.6); // indirect prompt injection: demonstrated
  assert.is(p("AML.T0070"), 0.6); // RAG poisoning: demonstrated
  assert.is(p("AML.T0080.000"), 0.6); // agent memory poisoning: demonstrated
  // Two crown jewels; nothing flows to `vault`, so only `memory` is exposed.
  assert.is(e.crownJewels, 2);
  assert.is(e.exposedCrownJewels, 1);
  assert.equal(e.exposed, ["memory"]);
  const memory = e.targets.find((t) => t.crown === "memory")!;
  assert.equal(memory.byEntryClass, [
    // alice -> helper (direct injection, 0.9) -> memory (memory poisoning, 0.6): 0.54 in 2 steps
    { entryClass: "user_input", entries: 1, bestLikelihood: 0.54, steps: 2, fewestSteps: 2 },
    // web -> kb (RAG poisoning, 0.6) -> helper (indirect injection, 0.6) -> memory (0.6): 0.216 in 3 steps
    { entryClass: "external_data", entries: 1, bestLikelihood: 0.216, steps: 3, fewestSteps: 3 },
  ]);
  // The target's best is the best class (0.54), its length the shortest of the classes (2).
  assert.is(memory.bestLikelihood, 0.54);
  assert.is(memory.steps, 2);
  assert.is(memory.fewestSteps, 2);
  const vault = e.targets.find((t) => t.crown === "vault")!;
  assert.equal([vault.exposed, vault.bestLikelihood, vault.steps, vault.byEntryClass], [false, 0, 0, []]);
  // One user-input entry (alice) and one outside-data entry (web), each reaching the one target.
  assert.equal(e.byEntryClass, [
    { entryClass: "user_input", entries: 1, crownJewels: 1, targets: 1 },
    { entryClass: "external_data", entries: 1, crownJewels: 1, targets: 1 },
    { entryClass: "tool_output", entries: 0, crownJewels: 0, targets: 0 },
    { entryClass: "supply_chain", entries: 0, crownJewels: 0, targets: 0 },
  ]);
  assert.is(e.maxLikelihood, 0.54);
});

test("exposure: the fewest steps can be a less likely path than the most likely one", () => {
  // Two ways from the web into the helper's memory: through the index (3 steps, nothing lowered) and
  // straight into the helper (2 steps) over a flow whose guardrail lowers the injection.
  const model = (guard: string) =>
    analysisOf(`${ZONES}
source web "Web pages" in internet { type web }
agent helper "Helper" in corp { autonomy step  memory none  identity none }
vectorstore kb "KB" in corp
store memory "Memory" in corp { crown integrity }
flow web -> kb { kind ingest }
flow kb -> helper { kind retrieve }
flow web -> helper { kind retrieve ${guard} }
flow helper -> memory { kind write }`).metrics.exposure.targets.find((t) => t.crown === "memory")!;
  const open = model("");
  // Unguarded, the 2-step path is both the shortest and the most likely: 0.6 x 0.6.
  assert.equal([open.steps, open.fewestSteps, open.bestLikelihood], [2, 2, 0.36]);
  const guarded = model("controls [spotlighting]");
  // Spotlighting halves the direct injection (0.6 x 0.5 x 0.6 = 0.18): the most likely path now goes
  // through the index (0.216 in 3 steps), while the fewest steps stay 2.
  assert.equal([guarded.steps, guarded.fewestSteps, guarded.bestLikelihood], [3, 2, 0.216]);
});

// ---- cheapest cut ------------------------------------------------------------------------------

test("cut: size is the number of controls, cost their total, uncuttable the steps left", () => {
  const m = model(`${ZONES}
agent helper "Helper" in corp
store memory "Memory" in corp
flow helper -> memory { kind write }`);
  const report: CutReport = {
    feasible: false,
    total: 7, // 2 + 5, as the solver adds the costs of what it chose
    controls: [
      { control: "access_control", on: { type: "component", index: 1 }, cost: 2 },
      { control: "spotlighting", on: { type: "flow", index: 0 }, cost: 5 },
    ],
    uncuttable: [{ type: "component", index: 0 }],
    quality: "exact",
  };
  assert.equal(cutMetrics(m, report), {
    size: 2,
    cost: 7,
    feasible: false,
    quality: "exact",
    controls: [
      { control: "access_control", on: "memory", cost: 2 },
      { control: "spotlighting", on: "helper->memory", cost: 5 },
    ],
    uncuttable: 1,
  });
});

test("cut: the metric reads the global cut of the path analysis", () => {
  const a = analysisOf(`${ZONES}
actor alice "Alice" in internet
agent helper "Helper" in corp
store memory "Memory" in corp { crown integrity }
flow alice -> helper { kind prompt }
flow helper -> memory { kind write }`);
  // One path, so one control on it cuts everything: size 1, and the cost is that control's.
  assert.is(a.metrics.cut.size, 1);
  assert.is(a.metrics.cut.size, a.paths.cut.controls.length);
  assert.is(a.metrics.cut.cost, a.paths.cut.controls[0]!.cost);
  assert.ok(a.metrics.cut.feasible);
});

// ---- untrusted input ---------------------------------------------------------------------------

test("untrusted input: distinct sources, entry classes and boundaries crossed per agent and model", () => {
  const u = analysisOf(`${ZONES}
zone lab "Lab" { trust internal }
actor alice "Alice" in internet
actor bob "Bob" in internet
source web "Web pages" in internet { type web }
vectorstore kb "KB" in corp
agent helper "Helper" in corp
agent analyst "Analyst" in lab
agent offline "Offline" in corp
model llm "LLM" in corp { family generative }
flow alice -> helper { kind prompt }
flow bob -> helper { kind prompt }
flow web -> kb { kind ingest }
flow kb -> helper { kind retrieve }
flow helper -> analyst { kind delegate }
flow llm -> analyst { kind serve }
flow llm -> offline { kind serve }`).metrics.untrustedInput;
  const row = (name: string) => u.components.find((c) => c.component === name);
  // helper: alice and bob (user input) and web (outside data) = 3; alice -> helper crosses internet ->
  // corp (1); web -> kb crosses (1), kb -> helper stays in corp (0): fewest 1.
  assert.equal(row("helper"), {
    component: "helper",
    kind: "agent",
    sources: 3,
    sourcesAtLeast: false,
    entryClasses: ["user_input", "external_data"],
    boundaries: 1,
  });
  // analyst: the same three through the delegation, which crosses corp -> lab: 1 + 1 = 2.
  assert.equal([row("analyst")?.sources, row("analyst")?.boundaries], [3, 2]);
  // offline: nothing untrusted reaches it.
  assert.equal(
    [row("offline")?.sources, row("offline")?.boundaries, row("offline")?.entryClasses],
    [0, null, []],
  );
  // llm: nothing flows into the model, but it reads the context of what it serves (analyst, offline):
  // analyst's 3 sources, 2 boundaries away.
  assert.equal([row("llm")?.kind, row("llm")?.sources, row("llm")?.boundaries], ["model", 3, 2]);
  // Sources and the others are no context holders: four rows, three of them reached.
  assert.is(u.components.length, 4);
  assert.is(u.reached, 3);
  assert.is(u.maxSources, 3);
});

test("untrusted input: components on a cycle share what reaches any of them", () => {
  const u = analysisOf(`${ZONES}
actor x "X" in internet
actor y "Y" in internet
agent a "A" in corp
agent b "B" in corp
agent c "C" in corp
flow x -> a { kind prompt }
flow y -> b { kind prompt }
flow a -> b { kind delegate }
flow b -> a { kind delegate }
flow b -> c { kind delegate }`).metrics.untrustedInput;
  const sources = (name: string) => u.components.find((r) => r.component === name)!.sources;
  // a and b delegate to each other: x's prompt reaches b through a, y's reaches a through b, so each
  // sees both; c, downstream of the cycle, sees the same two.
  assert.equal([sources("a"), sources("b"), sources("c")], [2, 2, 2]);
});

test("untrusted input: the count stops at the cap and says so; below it, it is exact", () => {
  const actors = (n: number, prefix: string) =>
    Array.from(
      { length: n },
      (_, i) => `actor ${prefix}${i} "U" in internet\nflow ${prefix}${i} -> ${prefix}_agent { kind prompt }`,
    ).join("\n");
  const u = analysisOf(`${ZONES}
agent many_agent "Many" in corp
agent few_agent "Few" in corp
${actors(UNTRUSTED_SOURCE_CAP + 3, "many")}
${actors(UNTRUSTED_SOURCE_CAP - 1, "few")}`).metrics.untrustedInput;
  const row = (name: string) => u.components.find((c) => c.component === name)!;
  // cap + 3 actors prompt `many_agent`: counted up to the cap, flagged as a lower bound.
  assert.equal([row("many_agent").sources, row("many_agent").sourcesAtLeast], [UNTRUSTED_SOURCE_CAP, true]);
  // cap - 1 actors prompt `few_agent`: exact.
  assert.equal(
    [row("few_agent").sources, row("few_agent").sourcesAtLeast],
    [UNTRUSTED_SOURCE_CAP - 1, false],
  );
});

const SAMPLES = path.resolve(fileURLToPath(import.meta.url), "../../../../samples");
const sampleFiles = fs
  .readdirSync(SAMPLES, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .flatMap((d) =>
    fs
      .readdirSync(path.join(SAMPLES, d.name))
      .filter((f) => f.endsWith(".aithreat"))
      .map((f) => path.join(SAMPLES, d.name, f)),
  );

test("untrusted input agrees with the propagation facts on which components it reaches (samples)", () => {
  let checked = 0;
  for (const file of sampleFiles) {
    const analysis = analyzeModel(analyzeFile(file).front.model);
    for (const row of analysis.metrics.untrustedInput.components) {
      const c = analysis.model.components.find((x) => x.name === row.component)!;
      if (c.kind !== "agent") continue; // models also count what they serve, so compare agents
      const tainted = (analysis.facts.taint[c.index]! & UNTRUSTED_CONTENT) !== 0;
      assert.is(row.sources > 0, tainted, `${path.basename(file)}: \`${row.component}\``);
      checked++;
    }
  }
  assert.ok(checked > 5, "the samples have agents to compare");
});

// ---- lethal trifecta ---------------------------------------------------------------------------

test("trifecta: legs per agent; a violation is structural, `open` only when AT-37 stays open", () => {
  const a = analysisOf(`${ZONES}
actor bob "Bob" in internet
source web "Web pages" in internet { type web }
vectorstore kb "KB" in corp
store crm "CRM" in corp { holds [pii] }
agent helper "Helper" in corp
tool lookup "Lookup" in corp { capabilities [read] }
tool mailer "Mailer" in corp { capabilities [send_external] }
agent guarded "Guarded" in corp
tool lookup2 "Lookup 2" in corp { capabilities [read] }
tool mailer2 "Mailer 2" in corp { capabilities [send_external]  controls [egress_allowlist] }
agent drafter "Drafter" in corp
agent idle "Idle" in corp
agent coder "Coder" in corp
tool lookup3 "Lookup 3" in corp { capabilities [read] }
tool shell "Shell" in corp { capabilities [execute_code] }
agent boxed "Boxed" in corp { controls [sandbox] }
tool lookup4 "Lookup 4" in corp { capabilities [read] }
tool shell2 "Shell 2" in corp { capabilities [execute_code] }
data pii "PII" { classification personal }
flow web -> kb { kind ingest }
flow kb -> helper { kind retrieve }
flow crm -> lookup { kind read }
flow helper -> lookup { kind invoke }
flow helper -> mailer { kind invoke }
flow kb -> guarded { kind retrieve }
flow crm -> lookup2 { kind read }
flow guarded -> lookup2 { kind invoke }
flow guarded -> mailer2 { kind invoke }
flow crm -> drafter { kind read }
flow drafter -> bob { kind send }
flow kb -> coder { kind retrieve }
flow crm -> lookup3 { kind read }
flow coder -> lookup3 { kind invoke }
flow coder -> shell { kind invoke }
flow kb -> boxed { kind retrieve }
flow crm -> lookup4 { kind read }
flow boxed -> lookup4 { kind invoke }
flow boxed -> shell2 { kind invoke }`);
  const t = a.metrics.trifecta;
  const legs = (name: string) => {
    const r = t.agents.find((x) => x.agent === name)!;
    return [r.untrustedInput, r.privateData, r.outboundChannel, r.legs, r.violation, r.findingStatus];
  };
  // helper: web text via kb, personal data via lookup (personal >= confidential), mail out: 3 legs.
  assert.equal(legs("helper"), [true, true, true, 3, true, "open"]);
  // guarded: the same three legs, but `egress_allowlist` on its mailer mitigates AT-37.
  assert.equal(legs("guarded"), [true, true, true, 3, true, "mitigated"]);
  // drafter: reads the CRM and sends to bob (an untrusted party sees it), but no untrusted input.
  assert.equal(legs("drafter"), [false, true, true, 2, false, undefined]);
  assert.equal(legs("idle"), [false, false, false, 0, false, undefined]);
  // coder: no information path to a sink, but a shell with no sandbox, whose code can open its own
  // connections: AT-37's way out, so the third leg. boxed: the same in a declared sandbox, no way out.
  assert.equal(legs("coder"), [true, true, true, 3, true, "open"]);
  assert.equal(legs("boxed"), [true, true, false, 2, false, undefined]);
  // Three structural violations (helper, guarded, coder); two of them (helper, coder) open.
  assert.is(t.violations, 3);
  assert.is(t.open, 2);
  // The structural legs are AT-37's own predicates: each violating agent has an AT-37 finding.
  const at37 = a.findings
    .filter((f) => f.rule === "AT-37")
    .map((f) => f.subjectName)
    .sort();
  assert.equal(at37, ["coder", "guarded", "helper"]);
});

// ---- blast radius ------------------------------------------------------------------------------

test("blast radius: sensitive assets and actions through tools and delegation; ungated own tools", () => {
  const b = analysisOf(`zone corp "Corp" { trust internal }
agent boss "Boss" in corp { approval none }
agent worker "Worker" in corp
tool reader "Reader" in corp { capabilities [read] }
tool db_tool "DB tool" in corp { capabilities [read, write] }
tool pay_tool "Pay tool" in corp { capabilities [pay]  approval human }
store ledger "Ledger" in corp { holds [ledger_data] }
store notes "Notes" in corp { holds [memo, roadmap] }
data ledger_data "Ledger data" { classification confidential }
data memo "Memo" { classification internal }
data roadmap "Roadmap" { crown confidentiality }
data api_key "API key" { classification secret }
flow boss -> reader { kind invoke }
flow notes -> reader { kind read }
flow boss -> worker { kind delegate }
flow worker -> db_tool { kind invoke  carries [api_key] }
flow worker -> pay_tool { kind invoke }
flow db_tool -> ledger { kind write }`).metrics.blastRadius;
  const boss = b.agents.find((a) => a.agent === "boss")!;
  const worker = b.agents.find((a) => a.agent === "worker")!;
  // worker: `api_key` (secret) rides its call to db_tool; db_tool writes the ledger (confidential).
  assert.equal(worker.sensitiveAssets, ["api_key", "ledger_data"]);
  // boss: its reader reads notes, which hold `memo` (internal: not sensitive) and `roadmap` (a crown
  // jewel: sensitive); through its delegate worker, worker's two.
  assert.equal(boss.sensitiveAssets, ["api_key", "ledger_data", "roadmap"]);
  // worker's actions: write through db_tool (no approval) and pay through pay_tool (approval human);
  // read-only `reader` is no action. 1 + 1 = 2 (tool, capability) pairs.
  assert.equal(worker.actions, [
    { tool: "db_tool", capabilities: ["write"], gated: false },
    { tool: "pay_tool", capabilities: ["pay"], gated: true },
  ]);
  assert.is(worker.actionCount, 2);
  assert.equal(worker.ungatedHighImpactTools, ["db_tool"]);
  // boss takes the same two actions, through worker; they are worker's tools, so none counts as
  // boss's own ungated tool.
  assert.equal(
    boss.actions.map((x) => [x.tool, x.via, x.gated]),
    [
      ["db_tool", "worker", false],
      ["pay_tool", "worker", true],
    ],
  );
  assert.equal(boss.ungatedHighImpactTools, []);
  // One distinct ungated tool (db_tool); most assets 3 (boss); most actions 2.
  assert.equal([b.ungatedHighImpactTools, b.maxSensitiveAssets, b.maxActions], [1, 3, 2]);
});

test("blast radius: a delegation chain longer than the cap lists the cap and says so; below it, exact", () => {
  const K = BLAST_RADIUS_CAP + 6;
  const lines = [`zone corp "Corp" { trust internal }`];
  for (let i = 0; i < K; i++) {
    lines.push(
      `agent a${i} "A" in corp`,
      `tool t${i} "T" in corp { capabilities [write] }`,
      `store s${i} "S" in corp { holds [d${i}] }`,
      `data d${i} "D" { classification confidential }`,
      `flow a${i} -> t${i} { kind invoke }`,
      `flow t${i} -> s${i} { kind write }`,
    );
    if (i + 1 < K) lines.push(`flow a${i} -> a${i + 1} { kind delegate }`);
  }
  const b = analysisOf(lines.join("\n")).metrics.blastRadius;
  const row = (i: number) => b.agents.find((a) => a.agent === `a${i}`)!;
  // a_i reaches t_i .. t_{K-1} (one write each) and d_i .. d_{K-1}: K - i of each.
  // a0 would reach K = cap + 6: the lists stop at the cap and are flagged.
  assert.equal(
    [
      row(0).actions.length,
      row(0).actionsAtLeast,
      row(0).sensitiveAssets.length,
      row(0).sensitiveAssetsAtLeast,
    ],
    [BLAST_RADIUS_CAP, true, BLAST_RADIUS_CAP, true],
  );
  // a_{K-10} reaches 10 of each: exact, not flagged, and every delegated tool names its holder.
  const r = row(K - 10);
  assert.equal(
    [r.actions.length, r.actionsAtLeast, r.actionCount, r.sensitiveAssetsAtLeast],
    [10, false, 10, false],
  );
  assert.equal(
    r.actions.map((x) => [x.tool, x.via]),
    Array.from({ length: 10 }, (_, j) => K - 10 + j)
      .map((i) => [`t${i}`, i === K - 10 ? undefined : `a${i}`])
      .sort((x, y) => (x[0]! < y[0]! ? -1 : 1)),
  );
  assert.equal(r.sensitiveAssets, Array.from({ length: 10 }, (_, j) => `d${K - 10 + j}`).sort());
  // Each agent's own write tool is ungated: K distinct tools.
  assert.is(b.ungatedHighImpactTools, K);
});

// ---- supply chain ------------------------------------------------------------------------------

test("supply chain: verified provenance per kind, third-party lineage, executable formats", () => {
  const s = analysisOf(`zone corp "Corp" { trust internal }
model base "Base" in corp { origin public_hub  format pickle  verified false }
model tuned "Tuned" in corp { origin fine_tuned  format safetensors  verified true }
model ckpt "Checkpoint" in corp { origin in_house  format pytorch }
dataset corpus "Corpus" in corp { provenance true }
dataset raw "Raw" in corp
tool t_in "In-house tool" in corp { origin in_house }
tool t_ext "Third-party tool" in corp { origin third_party }
tool t_signed "Signed tool" in corp { origin third_party  controls [artifact_signing] }
mcp_server m "MCP" in corp { origin public_registry }
pipeline ft "Fine-tune" in corp
flow base -> ft { kind train }
flow corpus -> ft { kind train }
flow ft -> tuned { kind produce }`).metrics.supplyChain;
  assert.equal(s.byKind, [
    // tuned is verified; base (public hub) and tuned (trained from base) are third-party by lineage
    { kind: "model", total: 3, verified: 1, thirdParty: 2 },
    // corpus states `provenance true`
    { kind: "dataset", total: 2, verified: 1, thirdParty: 0 },
    // t_in is written in house; t_signed is third-party but signature-checked; t_ext is neither
    { kind: "tool", total: 3, verified: 2, thirdParty: 2 },
    // a public-registry MCP server with nothing stated
    { kind: "mcp_server", total: 1, verified: 0, thirdParty: 1 },
  ]);
  // 1 + 1 + 2 + 0 = 4 of 3 + 2 + 3 + 1 = 9: 44.44% -> 44.4
  assert.equal([s.artifacts, s.verified, s.verifiedShare], [9, 4, 44.4]);
  assert.equal(s.unverified, ["base", "ckpt", "m", "raw", "t_ext"]);
  // ckpt and raw are unverified but our own
  assert.equal(s.unverifiedThirdParty, ["base", "m", "t_ext"]);
  // pickle and pytorch run code on load; safetensors does not
  assert.equal(s.executableFormats, [
    { model: "base", format: "pickle", verified: false },
    { model: "ckpt", format: "pytorch", verified: false },
  ]);
});

// ---- query exposure ----------------------------------------------------------------------------

test("query exposure: public endpoints without auth, rate limit, quota; scores of sensitive models", () => {
  const q = analysisOf(`zone corp "Corp" { trust internal }
zone dmz "DMZ" { trust public }
endpoint pub_open "Open" in corp { exposure public }
endpoint pub_key "Keyed" in corp { exposure public  auth api_key  rate_limit true }
endpoint pub_full "Full" in corp { exposure public  auth oauth  rate_limit true  quota true  returns_scores true }
endpoint internal_scores "Scores" in corp { exposure internal  returns_scores true }
endpoint internal_plain "Plain" in corp { exposure internal  returns_scores true }
endpoint edge_ep "Edge" in dmz { exposure internal  auth none }
model m_sens "Sensitive" in corp { holds [pii] }
model m_crown "Crown" in corp { crown confidentiality }
model m_plain "Plain model" in corp
data pii "PII" { classification personal }
flow m_sens -> pub_full { kind serve }
flow m_crown -> internal_scores { kind serve }
flow m_plain -> internal_plain { kind serve }`).metrics.queryExposure;
  assert.is(q.endpoints, 6);
  // three say `exposure public`; edge_ep sits in a public-trust zone, so attackers reach it too
  assert.equal(q.publicEndpoints, ["edge_ep", "pub_full", "pub_key", "pub_open"]);
  // pub_open says nothing (unstated counts as missing); edge_ep says `auth none`, but in a zone of
  // public trust it is a party there, not the organisation's service, and AT-52 leaves it alone
  assert.equal(q.withoutAuth, ["pub_open"]);
  assert.equal(q.withoutRateLimit, ["edge_ep", "pub_open"]);
  // pub_key limits rate but not quota
  assert.equal(q.withoutQuota, ["edge_ep", "pub_key", "pub_open"]);
  // m_sens holds personal data, m_crown is a crown jewel; m_plain is neither
  assert.equal(q.scoresOnSensitiveModels, [
    { endpoint: "internal_scores", public: false, models: ["m_crown"] },
    { endpoint: "pub_full", public: true, models: ["m_sens"] },
  ]);
});

test("query exposure: endpoints without auth are AT-52's, each caller's hop read as the rules read it", () => {
  const a = analysisOf(`${ZONES}
model m "Model" in corp
actor guest "Guest" in internet { authenticated false }
actor member "Member" in internet { authenticated true }
app partner "Partner app" in internet
endpoint keyed_flow "Keyed flow" in corp { exposure public  auth none }
endpoint open_flow "Open flow" in corp { exposure public  auth api_key }
endpoint guest_api "Guest API" in corp
endpoint member_api "Member API" in corp { exposure public }
endpoint quiet_api "Quiet API" in corp { exposure public  auth oauth }
flow m -> keyed_flow { kind serve }
flow m -> open_flow { kind serve }
flow m -> guest_api { kind serve }
flow m -> member_api { kind serve }
flow m -> quiet_api { kind serve }
flow partner -> keyed_flow { kind request  auth api_key }
flow partner -> open_flow { kind request  auth none }
flow guest -> guest_api { kind request }
flow member -> member_api { kind request }`);
  const q = a.metrics.queryExposure;
  // keyed_flow declares `auth none` but its one caller's flow states an API key, and member_api's one
  // caller says it is authenticated: neither is listed (the endpoint's own `auth` listed both).
  // open_flow states an API key but its caller's flow states `auth none`, and guest_api (not public
  // by exposure or zone) is called by a guest who says it is not authenticated: both are listed.
  assert.equal(q.withoutAuth, ["guest_api", "open_flow"]);
  assert.equal(q.publicEndpoints, ["keyed_flow", "member_api", "open_flow", "quiet_api"]);
  // exactly the endpoints AT-52 reports
  const at52 = a.findings.filter((f) => f.rule === "AT-52").map((f) => f.id.slice("AT-52:".length));
  assert.equal(q.withoutAuth, at52.sort());
});

// ---- ATLAS coverage ----------------------------------------------------------------------------

test("atlas: techniques examined, applicable and addressed, by tactic", () => {
  const template = RULES[0]!.meta;
  const rule = (id: string, atlas: string[], fires: boolean): Rule =>
    defineRule({ ...template, id, atlas, mitigations: [] }, ({ report }) => {
      if (fires) report({ subject: { type: "component", index: 0 }, message: "test", facts: [] });
    });
  const rules = [
    rule("T-1", ["AML.T0020", "AML.T0051.000"], true),
    rule("T-2", ["AML.T0070"], true),
    rule("T-3", ["AML.T0043", "AML.T0010.000"], false),
    rule("T-4", ["AML.T0051.000"], false),
  ];
  const a = analysisOf(
    `zone corp "Corp" { trust internal }
dataset corpus "Corpus" in corp { controls [data_sanitization] }
store s "Store" in corp { controls [my_ctl] }
control my_ctl "Mine" { atlas [AML.M0014] }
control unused "Unused" { atlas [AML.M0033] }`,
    rules,
  ).metrics.atlas;
  // ATLAS facts the expectations rest on (data/atlas.json):
  assert.ok(ATLAS_TECHNIQUES.get("AML.T0020")!.mitigations.includes("AML.M0007"));
  assert.equal(ATLAS_TECHNIQUES.get("AML.T0051.000")!.mitigations, ["AML.M0024", "AML.M0033"]);
  assert.equal(ATLAS_TECHNIQUES.get("AML.T0070")!.mitigations, []);
  assert.equal(ATLAS_TECHNIQUES.get("AML.T0010.000")!.mitigations, []); // inherits AML.T0010's
  assert.ok(ATLAS_TECHNIQUES.get("AML.T0010")!.mitigations.includes("AML.M0014"));
  // Examined: the five distinct techniques of the four rules (T0051.000 is cited twice).
  assert.is(a.examined, 5);
  // Applicable: those of T-1 and T-2, which fired: T0020, T0051.000, T0070.
  assert.is(a.applicable, 3);
  // T0070 has no ATLAS mitigation: reported apart, and it stays in the denominator.
  assert.is(a.withoutMitigation, 1);
  // data_sanitization implements AML.M0007, a mitigation of T0020; nothing declared implements
  // M0024 or M0033 (`unused` is declared but used nowhere).
  assert.is(a.addressed, 1);
  // 1 / 3 = 33.3%
  assert.is(a.coverage, 33.3);
  const tech = (id: string) => a.techniques.find((t) => t.id === id)!;
  assert.equal(tech("AML.T0020").addressedBy, ["data_sanitization"]);
  assert.equal(tech("AML.T0051.000").addressedBy, []);
  // A sub-technique without mitigations of its own is addressed through its parent's: my_ctl
  // implements AML.M0014 (it is not applicable, so it does not count in coverage).
  assert.equal([tech("AML.T0010.000").addressedBy, tech("AML.T0010.000").applicable], [["my_ctl"], false]);
  const tactic = (id: string) => {
    const t = a.byTactic.find((x) => x.tactic === id)!;
    return [t.examined, t.applicable, t.addressed, t.withoutMitigation, t.coverage];
  };
  // Resource Development: T0020 only, addressed: 1/1
  assert.equal(tactic("AML.TA0003"), [1, 1, 1, 0, 100]);
  // Persistence: T0020 (addressed) and T0070 (no mitigation, not addressed): 1 / 2 = 50%
  assert.equal(tactic("AML.TA0006"), [2, 2, 1, 1, 50]);
  // Execution: T0051.000, applicable and not addressed: 0%
  assert.equal(tactic("AML.TA0005"), [1, 1, 0, 0, 0]);
  // AI Attack Staging: T0043 examined, never applicable: nothing to cover
  assert.equal(tactic("AML.TA0001"), [1, 0, 0, 0, 100]);
  // Every ATLAS tactic is listed, in the matrix order.
  assert.is(a.byTactic.length, 16);
});

test("atlas: a control that mitigates a rule's finding addresses the rule's techniques, mitigation listed or not", () => {
  const template = RULES[0]!.meta;
  // T0070 (RAG poisoning) lists no ATLAS mitigation; the rule's own control still counts for it.
  const rules = [
    defineRule(
      { ...template, id: "T-1", atlas: ["AML.T0070"], mitigations: ["data_sanitization"] },
      ({ report }) => report({ subject: { type: "component", index: 0 }, message: "test", facts: [] }),
    ),
  ];
  const atlas = (controls: string) =>
    analysisOf(`zone corp "Corp" { trust internal }\ndataset corpus "Corpus" in corp { ${controls} }`, rules)
      .metrics.atlas;
  const open = atlas("");
  assert.equal([open.applicable, open.withoutMitigation, open.addressed, open.coverage], [1, 1, 0, 0]);
  const mitigated = atlas("controls [data_sanitization]");
  assert.equal(
    [mitigated.applicable, mitigated.withoutMitigation, mitigated.addressed, mitigated.coverage],
    [1, 1, 1, 100],
  );
  assert.equal(mitigated.techniques.find((t) => t.id === "AML.T0070")!.addressedBy, ["data_sanitization"]);
});

// ---- agentic amplification ---------------------------------------------------------------------

test("agentic amplification: the ten AIVSS factors per agent", () => {
  const g = analysisOf(`${ZONES}
actor staff "Staff" in corp { role employee }
source web "Web pages" in internet { type web }
vectorstore kb "KB" in corp
store notes "Notes" in corp
store scratch "Scratch" in corp
agent solo "Solo" in corp { autonomy assist  memory none  identity none  controls [audit_log] }
agent mid "Mid" in corp { autonomy step  memory session  identity service_account }
tool lookup "Lookup" in corp { capabilities [read]  controls [audit_log] }
agent sub "Sub" in corp { approval human }
tool writer "Writer" in corp { capabilities [write] }
agent max "Max" in corp { autonomy autonomous  memory shared  identity user_delegated }
tool mailer "Mailer" in corp { capabilities [send_external] }
agent d1 "Delegate 1" in corp
agent d2 "Delegate 2" in corp
flow staff -> solo { kind prompt }
flow mid -> lookup { kind invoke }
flow mid -> sub { kind delegate }
flow sub -> writer { kind invoke }
flow writer -> scratch { kind write }
flow max -> mailer { kind invoke }
flow max -> d1 { kind delegate }
flow max -> d2 { kind delegate }
flow max -> notes { kind write }
flow notes -> max { kind retrieve }
flow web -> kb { kind ingest }
flow kb -> max { kind retrieve }`).metrics.agentic;
  const factors = (name: string) => {
    const a = g.agents.find((x) => x.agent === name)!;
    return { score: a.score, values: a.factors.map((f) => f.value), unstated: a.unstated };
  };
  // Order: autonomy of action, tool use, memory, identity, multi-agent, non-determinism,
  // self-modification, goal-driven planning, contextual awareness, opacity.
  // solo: no action (0), no tool (0), memory none (0), identity none (0), no delegation (0), an LLM (1),
  // writes nothing (0), assist (0), its context is the request (0), audit-logged (0): 1
  assert.equal(factors("solo"), { score: 1, values: [0, 0, 0, 0, 0, 1, 0, 0, 0, 0], unstated: [] });
  // mid: its delegate sub's write tool is human-approved (0.5), read-only own tool (0.5), session (0.5),
  // service account (0.5), one partner (0.5), 1, writes nothing (0), step (0.5), tool results in
  // context (0.5), only lookup is audit-logged (0.5): 5
  assert.equal(factors("mid"), {
    score: 5,
    values: [0.5, 0.5, 0.5, 0.5, 0.5, 1, 0, 0.5, 0.5, 0.5],
    unstated: [],
  });
  // sub: write tool approved by a person (0.5), it writes (1), memory unstated (1), identity unstated
  // (1), one partner (0.5), 1, scratch never comes back but unstated memory may (0.5), autonomy
  // unstated (1), tool results (0.5), no audit log (1): 8
  assert.equal(factors("sub"), {
    score: 8,
    values: [0.5, 1, 1, 1, 0.5, 1, 0.5, 1, 0.5, 1],
    unstated: ["autonomy", "identity", "memory"],
  });
  // max: ungated mailer (1), outbound tool (1), shared memory (1), user-delegated identity (1), two
  // partners (1), 1, writes notes it retrieves (1), autonomous (1), web text reaches it (1), no log (1): 10
  assert.equal(factors("max"), { score: 10, values: [1, 1, 1, 1, 1, 1, 1, 1, 1, 1], unstated: [] });
  // d1: no tools (0, 0), memory and identity unstated (1, 1), max delegates to it (0.5), 1, unstated
  // memory (0.5), autonomy unstated (1), max's web-tainted task reaches it (1), no log (1): 7
  assert.equal(factors("d1"), {
    score: 7,
    values: [0, 0, 1, 1, 0.5, 1, 0.5, 1, 1, 1],
    unstated: ["autonomy", "identity", "memory"],
  });
  assert.is(g.maxScore, 10);
});

// ---- determinism -------------------------------------------------------------------------------

test("the same model gives the same metrics, byte for byte", () => {
  for (const file of sampleFiles) {
    const once = JSON.stringify(analyzeModel(analyzeFile(file).front.model).metrics);
    const twice = JSON.stringify(analyzeModel(analyzeFile(file).front.model).metrics);
    assert.is(once, twice, path.basename(file));
  }
});

test.run();
