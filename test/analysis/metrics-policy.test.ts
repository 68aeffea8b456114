/**
 * Policies (reading, validation with located diagnostics, evaluation, violation diagnostics), the
 * scorecard and metric deltas. The CLI side (exit codes, `--policy`) is in test/cli/policy.test.ts.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Metrics } from "../../src/analysis/metrics/model.js";
import {
  evaluatePolicies,
  readPolicies,
  violationDiagnostics,
  MAX_NOTES,
} from "../../src/analysis/metrics/policy.js";
import { AGENTIC_FACTORS } from "../../src/analysis/metrics/agentic.js";
import { METRIC_DEFS } from "../../src/analysis/metrics/registry.js";
import { DIAGNOSTICS } from "../../src/diagnostics/catalog.js";
import { metricDeltas, scorecard } from "../../src/analysis/metrics/scorecard.js";
import { analyzeModel, type CompileAnalysis } from "../../src/compiler.js";
import { formatDiagnostic } from "../../src/diagnostics/format.js";
import { codesAt, dump, frontEndOf } from "../helpers/compile.js";

const policiesOf = (text: string) => {
  const front = frontEndOf(text);
  return { front, ...readPolicies(front.model.policyDecls, "model") };
};
/** `line:col CODE message` of each diagnostic. */
const located = (
  ds: readonly { code: string; message: string; location?: { file: { text: string }; start: number } }[],
) =>
  ds.map((d) => {
    const before = d.location!.file.text.slice(0, d.location!.start);
    const line = before.split("\n").length;
    const col = d.location!.start - before.lastIndexOf("\n");
    return `${line}:${col} ${d.code} ${d.message}`;
  });

function analysisOf(text: string): CompileAnalysis {
  const front = frontEndOf(text);
  if (!front.ok) throw new Error(dump(front));
  return analyzeModel(front.model);
}

test("a valid policy: each property a threshold whose bound follows the metric's direction", () => {
  const { value, diagnostics } = policiesOf(`policy ci "CI gate" {
  mitigation_coverage 80
  exposed_crown_jewels 0
  max_path_likelihood 0.25
}`);
  assert.equal(diagnostics, []);
  assert.is(value.length, 1);
  const p = value[0]!;
  assert.equal([p.name, p.title, p.label, p.origin], ["ci", "CI gate", "ci", "model"]);
  assert.equal(
    p.thresholds.map((t) => [t.metric, t.bound, t.value]),
    [
      ["mitigation_coverage", "min", 80], // higher is better: a minimum
      ["exposed_crown_jewels", "max", 0], // lower is better: a maximum
      ["max_path_likelihood", "max", 0.25],
    ],
  );
});

test("policy mistakes are located diagnostics, and the rest of the policy stays usable", () => {
  const text = `zone corp "Corp" { trust internal }
policy ci in corp {
  mitigation_coverag 80
  mitigation_coverage 120
  exposed_crown_jewels 1.5
  trifecta_violations none
  cut_cost "cheap"
  open_threats [1, 2]
  max_path_likelihood 2
  residual_risk 10 { strict true }
  atlas_coverage 70
  atlas_coverage 75
  agent sneaky "Sneaky"
  verified_provenance 90
}
policy "Empty" {}`;
  const { value, diagnostics, front } = policiesOf(text);
  assert.equal(located(diagnostics), [
    "2:14 AT3001 a `policy` cannot be placed `in` a zone",
    "3:3 AT5001 unknown metric `mitigation_coverag` in policy `ci`",
    "4:23 AT5002 `mitigation_coverage` takes a percentage from 0 to 100, not 120",
    "5:24 AT5002 `exposed_crown_jewels` takes a whole number of at least 0, not 1.5",
    "6:23 AT5002 `trifecta_violations` takes a whole number of at least 0, not `none`",
    "7:12 AT5002 `cut_cost` takes a number of at least 0, not a string",
    "8:16 AT5002 `open_threats` takes a whole number of at least 0, not a list",
    "9:23 AT5002 `max_path_likelihood` takes a number from 0 to 1, not 2",
    "10:20 AT5002 threshold `residual_risk` does not take a block",
    "12:3 AT5003 `atlas_coverage` is given twice in policy `ci`",
    "13:3 AT3001 `agent` cannot appear inside a `policy`",
    '16:1 AT5005 policy "Empty" sets no threshold',
  ]);
  // "did you mean" for the misspelt metric; the duplicate points at the first one.
  assert.is(diagnostics[1]!.hint, "did you mean `mitigation_coverage`?");
  assert.equal(
    located(diagnostics[9]!.notes!.map((n) => ({ code: "", message: n.message, location: n.location! }))),
    ["11:3  first given here"],
  );
  // What stays: the first atlas_coverage and verified_provenance.
  assert.equal(
    value[0]!.thresholds.map((t) => [t.metric, t.value]),
    [
      ["atlas_coverage", 70],
      ["verified_provenance", 90],
    ],
  );
  // The front end itself leaves `policy` bodies alone: these are the policy stage's diagnostics.
  assert.not.ok(codesAt(front).some((c) => /AT500\d/.test(c)));
});

test("a threshold too large for a number is AT5002, not a bound of Infinity written as null", () => {
  const huge = "9".repeat(400);
  const { value, diagnostics } = policiesOf(`policy ci {\n  cut_cost ${huge}\n  open_threats 3\n}`);
  assert.equal(
    diagnostics.map((d) => d.code),
    ["AT5002"],
  );
  // The literal is cut short: 400 digits help nobody read the message.
  assert.match(diagnostics[0]!.message, /^`cut_cost` takes a number of at least 0, not 9{20}\.\.\.$/);
  assert.equal(
    value[0]!.thresholds.map((t) => [t.metric, t.value]),
    [["open_threats", 3]],
  );
});

test("an unknown metric far from every name gets a pointer to the list instead", () => {
  const { diagnostics } = policiesOf(`policy ci { shiny_dashboards 3 }`);
  assert.is(diagnostics[0]!.code, "AT5001");
  assert.is(diagnostics[0]!.hint, "docs/metrics.md lists the metrics a policy can name");
});

const EXPOSED = `zone internet "Internet" { trust untrusted }
zone corp "Corp" { trust internal }
actor alice "Alice" in internet
agent helper "Helper" in corp { autonomy loop }
agent quiet "Quiet" in corp { autonomy assist  memory none  identity none }
store memory "Memory" in corp { crown integrity }
store vault "Vault" in corp { crown integrity }
flow alice -> helper { kind prompt }
flow helper -> memory { kind write }
flow helper -> vault { kind write }
`;

test("evaluation: pass and fail per threshold; per-item metrics list only the items over the bar", () => {
  const a = analysisOf(EXPOSED);
  const helper = a.metrics.agentic.agents.find((x) => x.agent === "helper")!.score;
  const quiet = a.metrics.agentic.agents.find((x) => x.agent === "quiet")!.score;
  assert.ok(quiet < 5 && helper > 5, `helper ${helper}, quiet ${quiet}`);
  const { value } = policiesOf(`policy gate {
  exposed_crown_jewels 1
  max_agentic_amplification 5
  mitigation_coverage 0
}`);
  const ev = evaluatePolicies(value, { metrics: a.metrics, findings: a.findings, model: a.model });
  assert.is(ev.passed, false);
  assert.equal(
    ev.results.map((r) => [r.threshold.metric, r.actual, r.passed]),
    [
      // memory and vault are both reachable: 2 > 1
      ["exposed_crown_jewels", 2, false],
      ["max_agentic_amplification", helper, false],
      // anything is at least 0%
      ["mitigation_coverage", a.metrics.mitigation.coverage, true],
    ],
  );
  // Both crown jewels stand behind the count; only helper breaks the per-agent maximum.
  assert.equal(
    ev.results[0]!.offenders.map((o) => o.name),
    ["memory", "vault"],
  );
  assert.equal(
    ev.results[1]!.offenders.map((o) => o.name),
    ["helper"],
  );
  assert.equal(ev.results[2]!.offenders, []);
});

test("violations: AT5010 at the threshold, the value and the bound, notes at the offenders", () => {
  const text = `${EXPOSED}policy gate "Gate" {
  exposed_crown_jewels 0
  mitigation_coverage 100
}
`;
  const a = analysisOf(text);
  const ds = violationDiagnostics(a.policy);
  assert.equal(located(ds), [
    "12:3 AT5010 `exposed_crown_jewels` is 2, above the maximum of 0 that policy `gate` sets",
    `13:3 AT5010 \`mitigation_coverage\` is ${a.metrics.mitigation.coverage}%, below the minimum of 100% that policy \`gate\` sets`,
  ]);
  // Notes: each exposed crown jewel at its `crown` property (line 6 col 33, line 7 col 31).
  assert.equal(
    ds[0]!.notes!.map((n) => [n.message, located([{ code: "", message: "", location: n.location! }])[0]]),
    [
      ["`memory` (integrity) is reachable from `user_input`", "6:33  "],
      ["`vault` (integrity) is reachable from `user_input`", "7:31  "],
    ],
  );
  // Findings without a control, each located at its subject.
  const uncovered = a.findings.filter((f) => f.category === "threat" && f.mitigatedBy.length === 0);
  assert.ok(uncovered.length > 0);
  assert.equal(
    ds[1]!.notes!.slice(0, MAX_NOTES).map((n) => n.message),
    uncovered.slice(0, MAX_NOTES).map((f) => `\`${f.id}\` (${f.severity}) has no declared control`),
  );
  assert.ok(ds[1]!.notes!.every((n, i) => i >= MAX_NOTES || n.location !== undefined));
  assert.ok(formatDiagnostic(ds[0]!).includes("= hint: `aithreat paths` lists the paths"));
});

test("violations: more offenders than notes end with a count of the rest", () => {
  const many = Array.from(
    { length: MAX_NOTES + 3 },
    (_, i) => `store s${i} "S" in corp { crown integrity }\nflow helper -> s${i} { kind write }`,
  ).join("\n");
  const a = analysisOf(`${EXPOSED}${many}\npolicy { exposed_crown_jewels 0 }\n`);
  const notes = violationDiagnostics(a.policy)[0]!.notes!;
  // 2 + (MAX_NOTES + 3) crown jewels: MAX_NOTES listed, then "and 5 more".
  assert.is(notes.length, MAX_NOTES + 1);
  assert.is(notes[MAX_NOTES]!.message, "and 5 more (metrics.json lists them all)");
});

test("no policy: the evaluation passes with no results and nothing to report", () => {
  const a = analysisOf(EXPOSED);
  assert.equal([a.policy.passed, a.policy.results.length, violationDiagnostics(a.policy)], [true, 0, []]);
});

test("scorecard: headline metrics in a fixed order, values as the metrics give them", () => {
  const a = analysisOf(EXPOSED);
  const card = scorecard(a.metrics);
  assert.equal(
    card.map((e) => e.id),
    [
      "mitigation_coverage",
      "open_critical",
      "residual_risk",
      "exposed_crown_jewels",
      "trifecta_violations",
      "ungated_high_impact_tools",
      "verified_provenance",
      "public_endpoints_without_rate_limit",
      "cut_cost",
      "atlas_coverage",
      "max_agentic_amplification",
    ],
  );
  const crown = card.find((e) => e.id === "exposed_crown_jewels")!;
  assert.equal(crown, {
    id: "exposed_crown_jewels",
    title: "Exposed crown jewels",
    value: 2,
    display: "2",
    unit: "count",
    direction: "lower",
  });
  const coverage = card[0]!;
  assert.is(coverage.display, `${a.metrics.mitigation.coverage}%`);
  assert.is(coverage.direction, "higher");
  assert.ok(
    card.every((e) => e.status === undefined),
    "no policy, no status",
  );
});

test("scorecard: two policies on one metric: fail if either fails, both thresholds listed", () => {
  const a = analysisOf(
    `${EXPOSED}policy loose { exposed_crown_jewels 5 }\npolicy strict { exposed_crown_jewels 1 }\n`,
  );
  const e = scorecard(a.metrics, a.policy).find((x) => x.id === "exposed_crown_jewels")!;
  assert.is(e.status, "fail");
  assert.equal(e.thresholds, [
    { policy: "loose", bound: "max", value: 5, passed: true },
    { policy: "strict", bound: "max", value: 1, passed: false },
  ]);
});

test("metric deltas: direction-aware change, and the names that appeared or left", () => {
  const before = analysisOf(EXPOSED).metrics;
  // After: vault no longer written (one crown jewel less exposed), and the helper gets an ungated mailer.
  const after = analysisOf(
    `${EXPOSED.replace("flow helper -> vault { kind write }\n", "")}tool mailer "Mailer" in corp { capabilities [send_external] }
flow helper -> mailer { kind invoke }
`,
  ).metrics;
  const deltas = metricDeltas(before, after);
  assert.equal(
    deltas.map((d) => d.id),
    METRIC_DEFS.map((d) => d.id),
  );
  const d = (id: string) => deltas.find((x) => x.id === id)!;
  // 2 -> 1: lower is better, so better; vault removed from the list
  assert.equal(d("exposed_crown_jewels"), {
    id: "exposed_crown_jewels",
    title: "Exposed crown jewels",
    unit: "count",
    direction: "lower",
    before: 2,
    after: 1,
    delta: -1,
    change: "better",
    removed: ["vault"],
  });
  // 0 -> 1: worse; mailer added
  assert.equal(
    [d("ungated_high_impact_tools").change, d("ungated_high_impact_tools").added],
    ["worse", ["mailer"]],
  );
  // an unchanged metric
  assert.equal([d("trifecta_violations").change, d("trifecta_violations").delta], ["same", 0]);
  // a metric where higher is better, moved by hand: 50 -> 75 is better
  const up = structuredClone<Metrics>(before);
  up.mitigation.coverage = 75;
  const base = structuredClone<Metrics>(before);
  base.mitigation.coverage = 50;
  assert.equal(
    [metricDeltas(base, up)[0]!.change, metricDeltas(base, up)[0]!.delta, metricDeltas(up, base)[0]!.change],
    ["better", 25, "worse"],
  );
});

const DOCS = path.resolve(fileURLToPath(import.meta.url), "../../../../docs");

test("docs: every metric has a row in docs/metrics.md with its unit and direction, in registry order", () => {
  const text = fs.readFileSync(path.join(DOCS, "metrics.md"), "utf8");
  const rows = [...text.matchAll(/^\| `([a-z_]+)` +\| (\w+) +\| (higher|lower) +\|/gm)].map((m) => [
    m[1],
    m[2],
    m[3],
  ]);
  assert.equal(
    rows,
    METRIC_DEFS.map((d) => [d.id, d.unit, d.direction]),
  );
  for (const f of AGENTIC_FACTORS) assert.ok(text.includes(`| \`${f.id}\``), `factor ${f.id}`);
});

test("docs: docs/policy.md lists every policy diagnostic code", () => {
  const text = fs.readFileSync(path.join(DOCS, "policy.md"), "utf8");
  for (const code of Object.keys(DIAGNOSTICS).filter((c) => c.startsWith("AT5")))
    assert.ok(text.includes(code), `${code} is not in docs/policy.md`);
});

test.run();
