/**
 * findings.json: every sample's document validates against schemas/findings-2.1.schema.json, the
 * schema documents every field and rejects what it should, the content agrees with the analysis,
 * rule and control details are in their tables once, and the same model gives byte-identical files.
 */
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  findingJson,
  findingJsonText,
  sharedTexts,
  findingsDocument,
  findingsJsonEmitter,
  ruleAndControlTables,
} from "../../src/emit/findings-json.js";
import { sarifResultTexts } from "../../src/emit/sarif.js";
import { FINDINGS_SCHEMA_ID, FINDINGS_SCHEMA_VERSION } from "../../src/emit/tool-info.js";
import {
  FINDINGS_SCHEMA,
  REPO,
  SAMPLES,
  cachedSampleContext,
  findingsValidator,
  memoryContext,
  OVERRIDDEN_APPROVAL,
  sampleContext,
} from "../helpers/outputs.js";

const validate = findingsValidator();
const emitText = (ctx: Parameters<typeof findingsJsonEmitter.emit>[0]) =>
  findingsJsonEmitter.emit(ctx)[0]!.contents as string;

test("2.1: a control the subject declares that the finding goes around is `bypassed`, not `declared`", () => {
  const ctx = memoryContext({ "agents.aithreat": OVERRIDDEN_APPROVAL });
  const doc = JSON.parse(emitText(ctx)) as {
    findings: { id: string; recommended: { control: string; declared: boolean; bypassed?: true }[] }[];
  };
  assert.equal(validate(doc), []);
  const approval = (id: string) =>
    doc.findings.find((f) => f.id === id)!.recommended.find((r) => r.control === "human_approval");
  assert.equal(approval("AT-36:ops:wipe"), { control: "human_approval", declared: false, bypassed: true });
  assert.equal(approval("AT-36:ops:notes"), { control: "human_approval", declared: true });
});

test("there are samples to validate", () => {
  assert.ok(SAMPLES.length >= 7, `samples: ${SAMPLES.join(", ")}`);
});

for (const sample of SAMPLES) {
  test(`findings.json of sample ${sample} validates against the schema and is deterministic`, () => {
    const first = emitText(sampleContext(sample));
    const second = emitText(sampleContext(sample));
    assert.ok(first === second, "two compiles of the same model differ");
    const doc = JSON.parse(first) as ReturnType<typeof findingsDocument>;
    assert.equal(validate(doc), []);
    assert.ok(doc.findings.length > 0, "a sample with no findings tests little");
  });

  test(`findings.json of sample ${sample}: each finding's text is its JSON shape, tables complete`, () => {
    const ctx = cachedSampleContext(sample);
    // Shared texts are written once and reused: the same text for every finding that shares them.
    const shared = sharedTexts();
    for (const f of ctx.analysis.findingsView) {
      const text = findingJsonText(f);
      assert.is(text, JSON.stringify(findingJson(f)), f.id);
      assert.is(findingJsonText(f, shared), text, `${f.id} with shared texts`);
    }
    // Every rule and control a finding names is in its table, and nothing else is.
    const doc = findingsDocument(ctx);
    const views = ctx.analysis.findingsView;
    assert.equal(Object.keys(doc.rules), [...new Set(views.map((f) => f.rule))].sort());
    assert.equal(
      Object.keys(doc.controls),
      [...new Set([...views].flatMap((f) => f.recommended.map((r) => r.control)))].sort(),
    );
    for (const f of views) {
      const rule = doc.rules[f.rule]!;
      assert.is(rule.title, f.title, f.id);
      assert.is(rule.category, f.category, f.id);
      assert.equal(rule.mappings, f.mappings, f.id);
      for (const r of f.recommended) {
        assert.is(doc.controls[r.control]!.title, r.title, `${f.id} ${r.control}`);
        assert.equal(doc.controls[r.control]!.atlas, r.atlas, `${f.id} ${r.control}`);
      }
    }
  });
}

test("content agrees with the analysis: counts, order, unique fingerprints, locations", () => {
  const ctx = cachedSampleContext("rag-support");
  const doc = findingsDocument(ctx);
  const views = ctx.analysis.findingsView;
  assert.is(doc.$schema, FINDINGS_SCHEMA_ID);
  assert.is(doc.schemaVersion, FINDINGS_SCHEMA_VERSION);
  assert.equal(
    doc.findings.map((f) => f.id),
    views.map((f) => f.id),
  );
  assert.equal(
    doc.findings.map((f) => f.id),
    [...doc.findings.map((f) => f.id)].sort(),
    "findings are sorted by id",
  );
  assert.is(new Set(doc.findings.map((f) => f.fingerprint)).size, doc.findings.length);
  const open = views.filter((f) => f.status === "open").length;
  assert.is(doc.summary.byStatus.open, open);
  assert.is(
    doc.summary.byStatus.open + doc.summary.byStatus.mitigated + doc.summary.byStatus.accepted,
    doc.summary.findings,
  );
  assert.is(
    Object.values(doc.summary.openBySeverity).reduce((a, b) => a + b, 0),
    open,
  );
  assert.is(doc.model.counts.components, ctx.analysis.model.components.length);
  assert.equal(doc.model.files, ["samples/rag-support/support-assistant.aithreat"]);
  // The lethal trifecta on the support bot: located at its declaration, with located facts.
  const trifecta = doc.findings.find((f) => f.id === "AT-37:support_bot")!;
  assert.ok(trifecta, "AT-37 on support_bot");
  assert.is(trifecta.location.file, "samples/rag-support/support-assistant.aithreat");
  assert.is(trifecta.location.line, 104);
  assert.ok(trifecta.facts.length > 0 && trifecta.facts.every((x) => x.location.line >= 1));
  const mappings = doc.rules[trifecta.rule]!.mappings;
  assert.ok(mappings.atlas.length > 0 && mappings.atlas.every((m) => m.name !== ""));
  assert.ok(trifecta.recommended.length > 0);
  for (const r of trifecta.recommended) assert.ok(doc.controls[r.control]!.title !== "", r.control);
  // Attack paths: one target per crown jewel property, exposure consistent with the cells.
  assert.is(doc.attackPaths.targets.length, ctx.analysis.pathsView.targets.length);
  for (const t of doc.attackPaths.targets) {
    assert.is(
      t.exposed,
      t.exposure.some((e) => e.reachable),
      `${t.crown} ${t.property}`,
    );
    for (const p of t.topPaths) assert.is(p.route[0], p.entry);
  }
});

test("hostile strings: findings and SARIF results written as text are their JSON, and valid", () => {
  const fixture = path.join(REPO, "test", "emit", "fixtures", "hostile.aithreat");
  const ctx = memoryContext({ "hostile.aithreat": fs.readFileSync(fixture, "utf8") });
  const views = ctx.analysis.findingsView;
  assert.ok(views.length > 0);
  for (const f of views) assert.is(findingJsonText(f), JSON.stringify(findingJson(f)), f.id);
  for (const { text, result } of sarifResultTexts(ctx)) assert.is(text, JSON.stringify(result));
  assert.equal(validate(JSON.parse(emitText(ctx))), []);
});

test("the schema documents every field it defines", () => {
  const undocumented: string[] = [];
  const walk = (node: unknown, where: string) => {
    if (!node || typeof node !== "object") return;
    const s = node as Record<string, unknown>;
    for (const [name, sub] of Object.entries((s["properties"] as Record<string, unknown>) ?? {})) {
      if (typeof (sub as Record<string, unknown>)["description"] !== "string")
        undocumented.push(`${where}.${name}`);
      walk(sub, `${where}.${name}`);
    }
    for (const [name, sub] of Object.entries((s["$defs"] as Record<string, unknown>) ?? {})) {
      if (typeof (sub as Record<string, unknown>)["description"] !== "string")
        undocumented.push(`$defs.${name}`);
      walk(sub, `$defs.${name}`);
    }
    if (s["items"]) walk(s["items"], `${where}[]`);
  };
  walk(FINDINGS_SCHEMA, "");
  assert.equal(undocumented, []);
});

test("the schema rejects documents that break the contract", () => {
  const good = findingsDocument(cachedSampleContext("fine-tuning"));
  const broken = (mutate: (d: Record<string, unknown> & typeof good) => void) => {
    const d = structuredClone(good) as Record<string, unknown> & typeof good;
    mutate(d);
    return validate(d);
  };
  assert.ok(broken((d) => delete (d.findings[0] as Partial<(typeof d.findings)[0]>).fingerprint).length > 0);
  assert.ok(broken((d) => (d.findings[0]!.severity = "severe")).length > 0);
  assert.ok(broken((d) => (d.findings[0]!.fingerprint = "not-hex")).length > 0);
  assert.ok(broken((d) => (d.schemaVersion = "3.0")).length > 0, "another major version");
  assert.ok(broken((d) => (d.schemaVersion = "1.0")).length > 0, "the format before");
  assert.ok(
    broken((d) => ((d.findings[0] as unknown as Record<string, unknown>)["title"] = "x")).length > 0,
    "rule details are in `rules`, not in a finding",
  );
  assert.ok(broken((d) => (d.rules["AT-01"] = { title: "x" } as never)).length > 0);
  assert.ok(broken((d) => (d["surprise"] = true)).length > 0, "unknown top-level fields are rejected");
  assert.ok(broken((d) => (d.findings[0]!.location.line = 0)).length > 0);
});

test("warnings of the run are in `diagnostics`, located", () => {
  const ctx = memoryContext({
    "model.aithreat": [
      `zone vpc "VPC" { trust internal }`,
      `data unused "Never used" { classification internal }`,
      `store db "DB" in vpc { type database }`,
    ].join("\n"),
  });
  const doc = findingsDocument(ctx);
  assert.equal(validate(doc), []);
  const unused = doc.diagnostics.find((d) => d.code === "AT3007");
  assert.ok(unused, JSON.stringify(doc.diagnostics));
  assert.is(unused.severity, "warning");
  assert.is(unused.file, "model.aithreat");
  assert.is(unused.line, 2);
});

test("acceptances appear on the finding, and `--timestamp` adds `generatedAt`", () => {
  const ctx = memoryContext({
    "model.aithreat": [
      `zone internet "Internet" { trust untrusted }`,
      `zone vpc "VPC" { trust internal }`,
      `actor user "User" in internet`,
      `endpoint api "API" in vpc { exposure public  auth none }`,
      `flow user -> api "call" { kind prompt }`,
      `accept AS-01 on api { reason "load balancer limits <script>|rates"  owner "sre"  expires 2027-01-31 }`,
    ].join("\n"),
  });
  const doc = findingsDocument({ ...ctx, generatedAt: "2026-06-01T00:00:00.000Z" });
  assert.equal(validate(doc), []);
  assert.is(doc.generatedAt, "2026-06-01T00:00:00.000Z");
  const accepted = doc.findings.find((f) => f.rule === "AS-01")!;
  assert.ok(accepted, doc.findings.map((f) => f.id).join(", "));
  assert.is(accepted.status, "accepted");
  assert.is(accepted.acceptance!.reason, "load balancer limits <script>|rates");
  assert.is(doc.summary.byStatus.accepted, 1);
});

test("the rules and controls tables read from the records equal those read finding by finding", () => {
  for (const sample of SAMPLES) {
    const views = cachedSampleContext(sample).analysis.findingsView;
    // A plain list of the same views takes the pass over every finding.
    const plain = Array.from({ length: views.length }, (_, i) => views.at(i)!);
    const fromRecords = ruleAndControlTables(views);
    const fromViews = ruleAndControlTables(plain);
    assert.equal(fromRecords, fromViews, sample);
    assert.equal(Object.keys(fromRecords.rules), Object.keys(fromViews.rules), `${sample}: keys in order`);
    assert.equal(
      Object.keys(fromRecords.controls),
      Object.keys(fromViews.controls),
      `${sample}: keys in order`,
    );
  }
});

test.run();
