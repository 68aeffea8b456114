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
import { findingsView, plainView } from "../../src/emit/findings-view.js";
import { locationView } from "../../src/emit/location-view.js";
import { SAMPLES, cachedSampleContext } from "../helpers/outputs.js";

for (const sample of SAMPLES) {
  test(`every location and subject in the findings view of sample ${sample} is its finding's own`, () => {
    const { analysis } = cachedSampleContext(sample);
    const views = findingsView(analysis.model, analysis.findings, analysis.rules);
    assert.is(views.length, analysis.findings.length);
    analysis.findings.forEach((f, i) => {
      const v = views[i]!;
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

test("a view reads its finding's own fields, and its plain copy (and JSON) holds every field", () => {
  const { analysis } = cachedSampleContext(SAMPLES[0]!);
  const views = findingsView(analysis.model, analysis.findings, analysis.rules);
  const accepted = analysis.findings.findIndex((f) => f.acceptance !== undefined);
  assert.ok(accepted >= 0, "the sample has an accepted finding");
  analysis.findings.forEach((f, i) => {
    const v = views[i]!;
    for (const k of ["id", "fingerprint", "rule", "category", "title", "message"] as const)
      assert.is(v[k], f[k]);
    for (const k of ["likelihood", "impact", "severity", "rationale", "status"] as const)
      assert.is(v[k], f[k]);
    assert.equal(
      v.facts.map((x) => x.text),
      f.facts.map((x) => x.text),
    );
    assert.equal(v.residual, { likelihood: f.residualLikelihood, severity: f.residualSeverity });
    assert.equal(v.acceptance?.reason, f.acceptance?.reason);
    const plain = plainView(v);
    // Fields in output order, the optional ones only when set; JSON writes the same.
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
    assert.is(keys.includes("acceptance"), f.acceptance !== undefined);
    assert.is(keys.includes("owner"), v.owner !== undefined);
    assert.is(JSON.stringify(v), JSON.stringify(plain));
  });
});

test.run();
