/**
 * findings.junit.xml: well-formed XML (checked by a strict reader) for every sample and for hostile
 * model text, open findings as failures and the others as passing cases, grouped by rule or by
 * component, counts that add up.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { plainView, type FindingView } from "../../src/emit/findings-view.js";
import { severityRank, type Severity } from "../../src/analysis/findings.js";
import {
  JUNIT_MAX_BYTES,
  junitCasesLeftOut,
  junitEmitter,
  junitXml,
  xmlAttr,
  xmlText,
} from "../../src/emit/junit.js";
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

test("under a size limit: open and most severe findings first, the file within the limit, counts that add up", () => {
  const views = cachedSampleContext("agent-mcp").analysis.findingsView;
  const full = junitXml(views);
  assert.ok(
    views.some((f) => f.status !== "open"),
    "the sample has passing cases too",
  );
  // A limit the whole document fits is no limit at all.
  assert.is(junitXml(views, "rule", Buffer.byteLength(full)), full);
  assert.is(junitCasesLeftOut(views, Buffer.byteLength(full)), 0);
  assert.not.match(full, /<!--/);
  // The emitter's default holds every sample whole.
  assert.ok(Buffer.byteLength(full) < JUNIT_MAX_BYTES);
  for (const share of [0.8, 0.5, 0.2]) {
    const max = Math.floor(Buffer.byteLength(full) * share);
    const xml = junitXml(views, "rule", max);
    assert.ok(Buffer.byteLength(xml) <= max, `${Buffer.byteLength(xml)} bytes under a limit of ${max}`);
    const root = parseXml(xml);
    const kept = new Set(findAll(root, "testcase").map((c) => c.attrs["name"]!));
    const left = views.filter((f) => !kept.has(f.id));
    assert.ok(kept.size > 0 && left.length > 0, `${share}: some kept, some left out`);
    assert.is(junitCasesLeftOut(views, max), left.length);
    assert.match(xml, new RegExp(`<!-- ${left.length} of ${views.length} findings are left out`));
    // Every kept case ranks at least as high as every case left out: open before passing, then severity.
    const rank = (f: FindingView) => (f.status === "open" ? 8 : 0) + severityRank(f.severity as Severity);
    const lowestKept = Math.min(...views.filter((f) => kept.has(f.id)).map(rank));
    const highestLeft = Math.max(...left.map(rank));
    assert.ok(lowestKept >= highestLeft, `${share}: kept rank ${lowestKept}, left-out rank ${highestLeft}`);
    // The counts are those of the cases written, and no suite is empty.
    const failures = findAll(root, "failure").length;
    assert.is(root.attrs["tests"], String(kept.size));
    assert.is(root.attrs["failures"], String(failures));
    for (const suite of findAll(root, "testsuite")) {
      const inSuite = findAll(suite, "testcase");
      assert.ok(inSuite.length > 0);
      assert.is(suite.attrs["tests"], String(inSuite.length));
    }
    // A case is written as in the whole document, word for word.
    for (const c of findAll(root, "testcase").slice(0, 3)) {
      const id = c.attrs["name"]!;
      const at = (doc: string) =>
        doc.slice(doc.indexOf(`name="${id}"`), doc.indexOf("</testcase>", doc.indexOf(`name="${id}"`)));
      assert.is(at(xml), at(full));
    }
  }
  // The smallest limit that keeps a case is close to the size of the file holding it: the suites with
  // no case kept reserve no room (only the counts' digits are over-estimated).
  let lo = 0;
  let hi = Buffer.byteLength(full);
  const keeps = (max: number) => findAll(parseXml(junitXml(views, "rule", max)), "testcase").length > 0;
  while (hi - lo > 1) {
    const mid = (lo + hi) >> 1;
    if (keeps(mid)) hi = mid;
    else lo = mid;
  }
  const one = junitXml(views, "rule", hi);
  assert.is(findAll(parseXml(one), "testcase").length, 1);
  assert.ok(hi - Buffer.byteLength(one) < 64, `limit ${hi}, file ${Buffer.byteLength(one)} bytes`);
  // A limit below the document's own lines keeps no case, and still says what it left out.
  const none = parseXml(junitXml(views, "rule", 100));
  assert.is(findAll(none, "testcase").length, 0);
  assert.is(none.attrs["tests"], "0");
});

test("escapers: text escapes markup, attributes also quotes and whitespace", () => {
  assert.is(xmlText(`<a href="x">&</a>`), `&lt;a href="x"&gt;&amp;&lt;/a&gt;`);
  assert.is(xmlAttr(`"it's"\n`), "&quot;it&apos;s&quot;&#10;");
  assert.is(xmlText("\u0000\uFFFE\uD800ok"), "\uFFFD\uFFFD\uFFFDok");
  assert.is(xmlText("😀"), "😀", "characters outside the BMP are allowed");
});

test("the reader skips comments", () => {
  assert.is(parseXml("<a><!-- note --><b/></a>").children.length, 1);
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
    "<a><!-- a -- b --></a>",
    "<a><!-- a ---></a>",
    "<a><!-- open</a>",
  ]) {
    assert.throws(() => parseXml(bad), undefined, bad);
  }
});

test.run();
