/**
 * findings.junit.xml: well-formed XML (checked by a strict reader) for every sample and for hostile
 * model text, open findings as failures and the others as passing cases, grouped by rule or by
 * component, counts that add up.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plainView, type FindingView } from "../../src/emit/findings-view.js";
import { junitEmitter, junitXml, xmlAttr, xmlText } from "../../src/emit/junit.js";
import { SAMPLES, cachedSampleContext, memoryContext } from "../helpers/outputs.js";
import { findAll, parseXml } from "../helpers/xml.js";

for (const sample of SAMPLES) {
  test(`findings.junit.xml of sample ${sample} is well-formed and counts its findings`, () => {
    const ctx = cachedSampleContext(sample);
    const files = junitEmitter.emit(ctx);
    assert.is(files[0]!.path, "findings.junit.xml");
    const root = parseXml(files[0]!.contents as string);
    const views = ctx.analysis.findingsView;
    const open = views.filter((f) => f.status === "open");
    assert.is(root.name, "testsuites");
    assert.is(root.attrs["tests"], String(views.length));
    assert.is(root.attrs["failures"], String(open.length));
    const cases = findAll(root, "testcase");
    assert.equal(cases.map((c) => c.attrs["name"]).sort(), views.map((f) => f.id).sort());
    const failed = cases.filter((c) => c.children.some((x) => x.name === "failure"));
    assert.equal(failed.map((c) => c.attrs["name"]).sort(), open.map((f) => f.id).sort());
    for (const suite of findAll(root, "testsuite")) {
      const inSuite = findAll(suite, "testcase");
      assert.is(suite.attrs["tests"], String(inSuite.length));
      assert.is(
        suite.attrs["failures"],
        String(inSuite.filter((c) => c.children.some((x) => x.name === "failure")).length),
      );
    }
  });
}

test("a failure says what fired, where, why and what mitigates it; a pass says why it passes", () => {
  const ctx = cachedSampleContext("rag-support");
  const root = parseXml(junitXml(ctx.analysis.findingsView));
  const trifecta = findAll(root, "testcase").find((c) => c.attrs["name"] === "AT-37:support_bot")!;
  assert.is(trifecta.attrs["classname"], "aithreat.AT-37");
  assert.is(trifecta.attrs["file"], "samples/rag-support/support-assistant.aithreat");
  assert.is(trifecta.attrs["line"], "104");
  const failure = trifecta.children.find((x) => x.name === "failure")!;
  assert.is(failure.attrs["type"], "critical");
  assert.match(failure.text, /^AT-37 /);
  assert.match(failure.text, /at samples\/rag-support\/support-assistant\.aithreat:104:\d+/);
  assert.match(failure.text, /\nwhy:\n {2}- /);
  assert.match(failure.text, /\nmitigate with:\n {2}- /);
  const mitigated = ctx.analysis.findingsView.find((f) => f.status === "mitigated")!;
  const pass = findAll(root, "testcase").find((c) => c.attrs["name"] === mitigated.id)!;
  assert.not.ok(pass.children.some((x) => x.name === "failure"));
  assert.match(pass.children.find((x) => x.name === "system-out")!.text, /^mitigated by /);
});

test("grouped by component: one suite per subject", () => {
  const views = cachedSampleContext("rag-support").analysis.findingsView;
  const root = parseXml(junitXml(views, "component"));
  const suites = findAll(root, "testsuite").map((s) => s.attrs["name"]!);
  assert.equal(suites, [...new Set(views.map((f) => `${f.subject.type} ${f.subject.name}`))].sort());
});

test("hostile model text stays well-formed and reads back as written", () => {
  const hostile = `a "quoted" <tag> & 'apos' ]]> \u0001bell\ttab\nline`;
  const ctx = memoryContext({
    "model.aithreat": [
      `zone internet "Internet" { trust untrusted }`,
      `zone vpc "VPC" { trust internal }`,
      `actor user "User" in internet`,
      `endpoint api "API" in vpc { exposure public  auth none }`,
      `flow user -> api "call" { kind prompt }`,
      // The language writes code points as `\u{...}`, not JSON's `\uXXXX`.
      `accept AS-01 on api { reason ${JSON.stringify(hostile).replace("\\u0001", "\\u{1}")}  owner "o&o"  expires 2027-01-31 }`,
    ].join("\n"),
  });
  const views = ctx.analysis.findingsView;
  const accepted = views.find((f) => f.status === "accepted")!;
  assert.ok(accepted, "the acceptance applies");
  // Also put it where attributes carry it: a message with every special character.
  const withHostileMessage: FindingView[] = views.map((f) => ({ ...plainView(f), message: hostile }));
  for (const xml of [junitXml(views), junitXml(withHostileMessage)]) {
    const root = parseXml(xml);
    assert.is(root.name, "testsuites");
  }
  const root = parseXml(junitXml(withHostileMessage));
  const expected = hostile.replace("\u0001", "\uFFFD");
  const failure = findAll(root, "failure")[0]!;
  assert.is(
    failure.attrs["message"],
    `${withHostileMessage.find((f) => f.status === "open")!.severity}: ${expected}`,
  );
  const out = findAll(root, "system-out").find((x) => x.text.startsWith("accepted by"))!;
  assert.ok(out.text.includes(expected), out.text);
});

test("escapers: text escapes markup, attributes also quotes and whitespace", () => {
  assert.is(xmlText(`<a href="x">&</a>`), `&lt;a href="x"&gt;&amp;&lt;/a&gt;`);
  assert.is(xmlAttr(`"it's"\n`), "&quot;it&apos;s&quot;&#10;");
  assert.is(xmlText("\u0000\uFFFE\uD800ok"), "\uFFFD\uFFFD\uFFFDok");
  assert.is(xmlText("😀"), "😀", "characters outside the BMP are allowed");
});

test("the reader rejects documents that are not well-formed", () => {
  for (const bad of [
    "<a><b></a></b>",
    "<a x=1/>",
    "<a>&nope;</a>",
    "<a>1 < 2</a>",
    "<a></a><b/>",
    '<a x="1" x="2"/>',
    "<a>\u0001</a>",
    "<a>",
  ]) {
    assert.throws(() => parseXml(bad), undefined, bad);
  }
});

test.run();
