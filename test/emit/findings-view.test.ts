/**
 * The findings view shares one location view per source range and one subject entry per subject:
 * every shared view must still show its own finding's range and subject, checked against
 * `locationView` and the model directly, including ranges that share a start offset but not an end,
 * equal ranges of distinct location objects, and ranges too long or too far into a file for the
 * small-integer key (kept in a map of their own).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../../src/analysis/findings.js";
import type { Location } from "../../src/diagnostics/diagnostic.js";
import { eachFact, findingsView, plainView } from "../../src/emit/findings-view.js";
import { locationView } from "../../src/emit/location-view.js";
import { SAMPLES, cachedSampleContext, memoryContext } from "../helpers/outputs.js";

for (const sample of SAMPLES) {
  test(`every location and subject in the findings view of sample ${sample} is its finding's own`, () => {
    const { analysis } = cachedSampleContext(sample);
    const views = findingsView(analysis.model, analysis.findings, analysis.rules);
    assert.is(views.length, analysis.findings.length);
    analysis.findings.forEach((f, i) => {
      const v = views.at(i)!;
      assert.equal(v.location, locationView(f.location));
      assert.equal(
        v.facts.map((x) => x.location),
        f.facts.map((x) => locationView(x.loc)),
      );
      assert.equal(
        v.mitigatedBy.map((m) => m.location),
        f.mitigatedBy.map((u) => locationView(u.loc)),
      );
      assert.is(v.subject.name, f.subjectName);
    });
  });
}

test("ranges that share a start offset keep their own ends; equal ranges share one view", () => {
  const { analysis } = cachedSampleContext(SAMPLES[0]!);
  const base = analysis.findings.find((f) => f.location.end - f.location.start > 4)!;
  const { file, start, end } = base.location;
  const at = (s: number, e: number): Location => ({ file, start: s, end: e });
  // Distinct objects throughout, so nothing is found by identity; the last four are past the
  // small-integer key (4 KB long; 256 KB into the file), both views clamped to the file's end.
  const locs = [
    at(start, end),
    at(start, end - 1),
    at(start, end - 2),
    at(start, end - 1),
    at(start, end),
    at(start, start + 5000),
    at(start, start + 5000),
    at(2 ** 18 + 3, 2 ** 18 + 9),
    at(2 ** 18 + 3, 2 ** 18 + 9),
  ];
  const finding: Finding = { ...base, facts: locs.map((loc, i) => ({ text: `fact ${i}`, loc })) };
  const [view] = findingsView(analysis.model, [finding], analysis.rules);
  const shown = view!.facts.map((x) => x.location);
  assert.equal(
    shown,
    locs.map((l) => locationView(l)),
  );
  assert.ok(shown[0] === shown[4], "equal ranges share one view");
  assert.ok(shown[1] === shown[3], "equal ranges past the first at a start share one view");
  assert.ok(shown[1] !== shown[2] && shown[0] !== shown[1]);
  assert.ok(view!.location === shown[0], "the finding's own location is the same range");
  assert.ok(shown[5] === shown[6] && shown[7] === shown[8], "long and far ranges are shared too");
  assert.ok(shown[5] !== shown[0]);
});

/** A model with an accepted finding (samples have none), and one with a mitigated one. */
const ACCEPTED = memoryContext({
  "model.aithreat": [
    `zone internet "Internet" { trust untrusted }`,
    `zone vpc "VPC" { trust internal  owner "platform" }`,
    `actor user "User" in internet`,
    `endpoint api "API" in vpc { exposure public  auth none }`,
    `flow user -> api "call" { kind prompt }`,
    `accept AS-01 on api { reason "rate limited upstream"  owner "o"  expires 2027-01-31  ticket "T-1" }`,
  ].join("\n"),
});

for (const [name, ctx] of [
  ["a model with an acceptance", ACCEPTED],
  ...SAMPLES.map((s) => [`sample ${s}`, cachedSampleContext(s)] as const),
] as const)
  test(`each view of ${name} reads its finding's own fields; its plain copy and JSON hold every field in order`, () => {
    const { analysis } = ctx;
    const views = findingsView(analysis.model, analysis.findings, analysis.rules);
    analysis.findings.forEach((f, i) => {
      const v = views.at(i)!;
      for (const k of ["id", "fingerprint", "rule", "category", "title", "message"] as const)
        assert.is(v[k], f[k]);
      for (const k of ["likelihood", "impact", "severity", "rationale", "status"] as const)
        assert.is(v[k], f[k]);
      assert.equal(
        v.facts.map((x) => x.text),
        f.facts.map((x) => x.text),
      );
      // eachFact hands on the same texts and locations, for a built view and for a plain one.
      for (const view of [v, plainView(v)]) {
        const seen: [string, unknown, number][] = [];
        eachFact(view, (text, location, k) => seen.push([text, location, k]));
        assert.equal(
          seen,
          f.facts.map((x, k) => [x.text, locationView(x.loc), k]),
        );
      }
      assert.equal(v.residual, { likelihood: f.residualLikelihood, severity: f.residualSeverity });
      assert.is(v.acceptance?.reason, f.acceptance?.reason);
      assert.is(v.acceptance?.ticket, f.acceptance?.ticket);
      const plain = plainView(v);
      const keys = Object.keys(plain);
      assert.equal(keys.slice(0, 18), [
        "id",
        "fingerprint",
        "rule",
        "category",
        "title",
        "message",
        "subject",
        "location",
        "facts",
        "likelihood",
        "impact",
        "severity",
        "rationale",
        "status",
        "mitigatedBy",
        "residual",
        "recommended",
        "mappings",
      ]);
      // The optional fields only when set, after the others, in this order.
      assert.equal(
        keys.slice(18),
        (["acceptance", "owner", "system"] as const).filter((k) => v[k] !== undefined),
      );
      assert.is(JSON.stringify(v), JSON.stringify(plain));
    });
  });

test("the acceptance model's finding is accepted and its view shows the acceptance", () => {
  const views = ACCEPTED.analysis.findingsView;
  const accepted = views.find((v) => v.status === "accepted");
  assert.ok(accepted, "the acceptance applies");
  assert.equal(
    {
      reason: accepted.acceptance?.reason,
      owner: accepted.acceptance?.owner,
      ticket: accepted.acceptance?.ticket,
    },
    { reason: "rate limited upstream", owner: "o", ticket: "T-1" },
  );
  assert.is(accepted.owner, "platform");
});

test("findings of one rule with their own title or category keep them (the rest of the rule is shared)", () => {
  const { analysis } = cachedSampleContext(SAMPLES[0]!);
  const base = analysis.findings.at(0)!;
  const other = analysis.findings.find((f) => f.rule !== base.rule)!;
  const findings: Finding[] = [
    base,
    { ...base, id: `${base.id}:b`, title: `${base.title} (b)` },
    { ...base, id: `${base.id}:c`, category: base.category === "threat" ? "assumption" : "threat" },
    { ...base, id: `${base.id}:d` },
    other,
  ];
  const views = findingsView(analysis.model, findings, analysis.rules);
  views.forEach((v, i) => {
    const f = findings[i]!;
    assert.equal([v.id, v.rule, v.title, v.category], [f.id, f.rule, f.title, f.category]);
  });
  assert.ok(views.at(0)!.mappings === views.at(3)!.mappings, "one rule's mappings are shared");
  assert.ok(views.at(0)!.mappings !== views.at(4)!.mappings);
});

test.run();
