/**
 * findings.sarif: every sample's log validates against the official SARIF 2.1.0 schema (committed
 * under schemas/third-party/, no network), results sit at the `.aithreat` lines of their findings
 * with the stable fingerprint, accepted findings are suppressed with their justification, mitigated
 * ones are left out of the results and listed in the run's properties, and the rules carry the
 * descriptions, help and tags code scanning shows.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  FINGERPRINT_KEY,
  SARIF_SCHEMA_URI,
  SARIF_MAX_RESULTS,
  SRCROOT,
  pathToUri,
  sarifEmitter,
  sarifLevel,
  sarifLog,
  sarifResultTexts,
  sarifResultsLeftOut,
  securitySeverity,
} from "../../src/emit/sarif.js";
import { severityRank, type Severity } from "../../src/analysis/findings.js";
import { PROJECT_URL } from "../../src/emit/tool-info.js";
import { SAMPLES, cachedSampleContext, memoryContext, sarifValidator } from "../helpers/outputs.js";

const validate = sarifValidator();
type Log = ReturnType<typeof sarifLog>;
type Result = Log["runs"][0]["results"][number];

for (const sample of SAMPLES) {
  test(`findings.sarif of sample ${sample} validates against the SARIF 2.1.0 schema`, () => {
    const ctx = cachedSampleContext(sample);
    const text = sarifEmitter.emit(ctx)[0]!.contents as string;
    assert.ok(text === (sarifEmitter.emit(ctx)[0]!.contents as string), "not deterministic");
    const log = JSON.parse(text) as Log;
    assert.equal(validate(log), []);
    assert.is(log.version, "2.1.0");
    assert.is(log.$schema, SARIF_SCHEMA_URI);
    // Each result is written as text straight from its finding: the same JSON as its object.
    for (const { text: line, result } of sarifResultTexts(ctx)) assert.is(line, JSON.stringify(result));
  });
}

test("the validator is not vacuous: it rejects logs that break SARIF", () => {
  const good = sarifLog(cachedSampleContext("rag-support"));
  assert.equal(validate(good), []);
  // Each mutation breaks one rule of the schema; the log is loosened to plain records to break it.
  type Loose = Record<string, unknown>;
  const broken = (mutate: (run: Loose, result: Loose, rule: Loose) => void) => {
    const d = structuredClone(good);
    const run = d.runs[0]! as unknown as Loose;
    mutate(run, d.runs[0]!.results[0]!, d.runs[0]!.tool.driver.rules[0]!);
    return validate(d).length > 0;
  };
  assert.ok(broken((_, result) => (result["level"] = "fatal")));
  assert.ok(
    broken((_, result) => (result["locations"] = [{ physicalLocation: { region: { startLine: 0 } } }])),
  );
  assert.ok(broken((run) => (run["tool"] = { driver: {} })));
  assert.ok(broken((_, __, rule) => (rule["helpUri"] = "not a uri")));
  assert.ok(broken((_, result) => (result["suppressions"] = [{ kind: "forgotten" }])));
});

test("results: open and accepted findings, located at their lines, with the stable fingerprint", () => {
  const ctx = cachedSampleContext("rag-support");
  const log = sarifLog(ctx);
  const run = log.runs[0]!;
  const views = ctx.analysis.findingsView;
  const shown = views.filter((f) => f.status !== "mitigated");
  assert.equal(
    run.results.map((r: Result) => r.properties.findingId),
    shown.map((f) => f.id),
  );
  for (const [i, r] of run.results.entries()) {
    const f = shown[i]!;
    assert.is(r.ruleId, f.rule);
    assert.is(run.tool.driver.rules[r.ruleIndex!]!.id, f.rule, "ruleIndex points at the rule");
    assert.is(r.level, sarifLevel(f.severity));
    assert.equal(r.partialFingerprints, { [FINGERPRINT_KEY]: f.fingerprint });
    const loc = r.locations[0]!.physicalLocation;
    assert.is(loc.artifactLocation.uri, "samples/rag-support/support-assistant.aithreat");
    assert.is(loc.artifactLocation.uriBaseId, SRCROOT);
    assert.is(run.artifacts[loc.artifactLocation.index!]!.location.uri, loc.artifactLocation.uri);
    assert.equal(loc.region, {
      startLine: f.location.line,
      startColumn: f.location.column,
      endLine: f.location.endLine,
      endColumn: f.location.endColumn,
    });
    assert.is(r.relatedLocations?.length ?? 0, f.facts.length, `${f.id}: one related location per fact`);
    if (f.facts.length > 0) assert.is(r.relatedLocations![0]!.message!.text, f.facts[0]!.text);
  }
  // Mitigated findings are not results (an alert closes when its control is declared) but are listed.
  const mitigated = views.filter((f) => f.status === "mitigated");
  assert.ok(mitigated.length > 0);
  assert.equal(
    run.properties.mitigatedFindings.map((m) => m.fingerprint),
    mitigated.map((f) => f.fingerprint),
  );
  assert.equal(
    run.properties.mitigatedFindings[0]!.mitigatedBy,
    mitigated[0]!.mitigatedBy.map((m) => m.control),
  );
});

test("accepted findings are suppressed: kind external, status accepted, the reason as justification", () => {
  const ctx = memoryContext({
    "model.aithreat": [
      `zone internet "Internet" { trust untrusted }`,
      `zone vpc "VPC" { trust internal }`,
      `actor user "User" in internet`,
      `endpoint api "API" in vpc { exposure public  auth none }`,
      `flow user -> api "call" { kind prompt }`,
      `accept AS-01 on api { reason "the \\"edge\\" limits rates"  owner "sre"  expires 2027-01-31  ticket "SEC-12" }`,
    ].join("\n"),
  });
  const log = sarifLog(ctx);
  assert.equal(validate(log), []);
  const r = log.runs[0]!.results.find((x: Result) => x.ruleId === "AS-01")!;
  assert.ok(r, "AS-01 is a result");
  assert.is(r.suppressions!.length, 1);
  const s = r.suppressions![0]!;
  assert.is(s.kind, "external");
  assert.is(s.status, "accepted");
  assert.is(s.justification, `the "edge" limits rates (accepted by sre until 2027-01-31, SEC-12)`);
  assert.is(s.location.physicalLocation.region.startLine, 6);
  // Open results carry no suppression.
  assert.ok(
    log.runs[0]!.results.filter((x: Result) => x.ruleId !== "AS-01").every((x: Result) => !x.suppressions),
  );
  for (const { text, result } of sarifResultTexts(ctx)) assert.is(text, JSON.stringify(result));
});

test("an expired acceptance leaves the result open and unsuppressed, and says so", () => {
  const ctx = memoryContext({
    "model.aithreat": [
      `zone internet "Internet" { trust untrusted }`,
      `zone vpc "VPC" { trust internal }`,
      `actor user "User" in internet`,
      `endpoint api "API" in vpc { exposure public  auth none }`,
      `flow user -> api "call" { kind prompt }`,
      `accept AS-01 on api { reason "old"  owner "sre"  expires 2020-01-31 }`,
    ].join("\n"),
  });
  const r = sarifLog(ctx).runs[0]!.results.find((x: Result) => x.ruleId === "AS-01")!;
  assert.ok(r && !r.suppressions);
  assert.is(r.properties.status, "open");
  assert.is(r.properties.acceptanceExpired, "2020-01-31");
  for (const { text, result } of sarifResultTexts(ctx)) assert.is(text, JSON.stringify(result));
});

test("an organisation's own rule has no link into aithreat's rule reference", () => {
  const driver = sarifLog(cachedSampleContext("org-multi-file")).runs[0]!.tool.driver;
  const org = driver.rules.find((r) => r.id === "GLX-001")!;
  assert.ok(org, "the sample's organisation rule is described");
  assert.is(org.helpUri, undefined);
  assert.not.match(org.help.markdown, /Rule reference/);
  assert.match(driver.rules.find((r) => r.id === "AT-25")!.helpUri ?? "", /rules\.md#at-25$/);
});

test("rules: descriptions, help text and Markdown, help link, tags and security-severity", () => {
  const ctx = cachedSampleContext("rag-support");
  const driver = sarifLog(ctx).runs[0]!.tool.driver;
  assert.is(driver.name, "aithreat");
  assert.is(driver.informationUri, PROJECT_URL);
  assert.is(
    driver.rules.length,
    ctx.analysis.rules.length,
    "every rule is described, not only those that fired",
  );
  const ids = driver.rules.map((r) => r.id);
  assert.equal(ids, [...ids].sort());
  const trifecta = driver.rules.find((r) => r.id === "AT-37")!;
  const meta = ctx.analysis.rules.find((r) => r.meta.id === "AT-37")!.meta;
  assert.is(trifecta.shortDescription.text, meta.title);
  assert.is(trifecta.fullDescription.text, meta.description);
  assert.match(trifecta.helpUri ?? "", /\/docs\/rules\.md#at-37$/);
  assert.ok(trifecta.help.text.includes(meta.detection));
  assert.ok(trifecta.help.markdown.includes("**How it is detected.**"));
  for (const atlas of meta.atlas) assert.ok(trifecta.properties.tags.includes(atlas), atlas);
  for (const owasp of meta.owasp) assert.ok(trifecta.properties.tags.includes(owasp), owasp);
  for (const r of driver.rules) {
    const score = Number(r.properties["security-severity"]);
    assert.ok(score > 0 && score <= 10, `${r.id}: ${score}`);
    assert.match(r.name, /^[A-Z][A-Za-z0-9]*$/);
  }
});

test("levels and security-severity bands", () => {
  assert.equal(["critical", "high", "medium", "low", "info"].map(sarifLevel), [
    "error",
    "error",
    "warning",
    "note",
    "note",
  ]);
  // GitHub's bands: critical > 9.0, high 7.0-8.9, medium 4.0-6.9, low 0.1-3.9.
  assert.ok(Number(securitySeverity("critical")) > 9);
  assert.ok(Number(securitySeverity("high")) >= 7 && Number(securitySeverity("high")) < 9);
  assert.ok(Number(securitySeverity("medium")) >= 4 && Number(securitySeverity("medium")) < 7);
  assert.ok(Number(securitySeverity("low")) < 4);
});

test("paths become relative URIs, segment by segment", () => {
  assert.is(pathToUri("models/a b/x#1.aithreat"), "models/a%20b/x%231.aithreat");
  assert.is(pathToUri("m%.aithreat"), "m%25.aithreat");
});

test("warnings become tool notifications with their location", () => {
  const ctx = memoryContext({
    "model.aithreat": [
      `zone vpc "VPC" { trust internal }`,
      `data unused "Never used" { classification internal }`,
      `store db "DB" in vpc { type database }`,
    ].join("\n"),
  });
  const log = sarifLog(ctx);
  assert.equal(validate(log), []);
  const n = log.runs[0]!.invocations[0]!.toolExecutionNotifications.find(
    (x) => x.descriptor.id === "AT3007",
  )!;
  assert.ok(n);
  assert.is(n.level, "warning");
  assert.is(n.locations![0]!.physicalLocation.region.startLine, 2);
});

test("past its cap findings.sarif keeps the most severe results, in their order, and counts the rest", () => {
  const ctx = cachedSampleContext("agent-mcp");
  const all = sarifLog(ctx).runs[0]!;
  assert.is(sarifResultsLeftOut(ctx.analysis.findingsView), 0, "the samples are far below the default cap");
  assert.not.ok("resultsLeftOut" in all.properties);
  const max = 5;
  assert.ok(all.results.length > max);
  const cappedLog = sarifLog({ ...ctx, sarifMaxResults: max });
  assert.equal(validate(cappedLog), []);
  const capped = cappedLog.runs[0]!;
  assert.is(capped.results.length, max);
  assert.is((capped.properties as { resultsLeftOut?: number }).resultsLeftOut, all.results.length - max);
  assert.is(sarifResultsLeftOut(ctx.analysis.findingsView, max), all.results.length - max);
  // The kept ones: no left-out result is more severe than a kept one, and their order is the log's.
  const severity = (r: Result) => severityRank((r.properties as { severity: Severity }).severity);
  const key = (r: Result) => JSON.stringify(r.partialFingerprints);
  const kept = new Set(capped.results.map(key));
  const least = Math.min(...capped.results.map(severity));
  for (const r of all.results) if (!kept.has(key(r))) assert.ok(severity(r) <= least, key(r));
  assert.equal(
    capped.results.map(key),
    all.results.map(key).filter((k) => kept.has(k)),
  );
  // At every cap, the kept results are those a stable sort by severity (most severe first) puts
  // first: ties at the least severe rank kept go to the earliest results (the cut counts per rank).
  for (let cap = 1; cap < all.results.length; cap++) {
    const expected = all.results
      .map((r, i) => ({ r, i }))
      .sort((a, b) => severity(b.r) - severity(a.r) || a.i - b.i)
      .slice(0, cap)
      .sort((a, b) => a.i - b.i)
      .map(({ r }) => key(r));
    assert.equal(
      sarifLog({ ...ctx, sarifMaxResults: cap }).runs[0]!.results.map(key),
      expected,
      `cap ${cap}`,
    );
  }
  // 0 is no cap.
  assert.is(sarifLog({ ...ctx, sarifMaxResults: 0 }).runs[0]!.results.length, all.results.length);
  assert.is(SARIF_MAX_RESULTS, 25_000);
});

test.run();
