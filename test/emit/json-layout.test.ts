/**
 * The JSON layout of findings.json and findings.sarif: the same document as `JSON.stringify`, with the
 * long lists one item per line; and the emitters really use it.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { findingsDocument, findingsJsonEmitter } from "../../src/emit/findings-json.js";
import { indentedJsonFile, jsonString, jsonWithLines } from "../../src/emit/json-layout.js";
import { metricsJsonEmitter } from "../../src/emit/metrics-json.js";
import { pathsJsonEmitter } from "../../src/emit/paths-json.js";
import { sarifEmitter, sarifLog } from "../../src/emit/sarif.js";
import { cachedSampleContext } from "../helpers/outputs.js";

const doc = {
  name: "x",
  items: [
    { a: 1, b: [1, 2] },
    { a: 2, s: "line\nbreak \u0000 nul" },
  ],
  nested: { list: [[1], [2, 3]], empty: [] as number[], other: [1, 2] },
  runs: [{ results: ["r1", "r2"] }],
};

const asText = (x: string | Uint8Array) => (typeof x === "string" ? x : Buffer.from(x).toString("utf8"));

test("the text parses back to the same document, items one per line, envelope indented", () => {
  // Paths in another order than the document has them.
  const text = asText(
    jsonWithLines(doc, [["runs", 0, "results"], ["nested", "empty"], ["items"], ["nested", "list"]]),
  );
  assert.equal(JSON.parse(text), doc);
  assert.ok(text.endsWith("}\n"));
  const lines = text.split("\n");
  assert.ok(lines.includes(`  "items": [`), text);
  assert.ok(lines.includes(`    {"a":1,"b":[1,2]},`), text);
  assert.ok(lines.includes(`    {"a":2,"s":"line\\nbreak \\u0000 nul"}`), text);
  assert.ok(lines.includes(`      [2,3]`), "nested lists are indented to their depth");
  assert.ok(lines.includes(`    "empty": [],`), text);
  assert.ok(lines.includes(`        "r2"`), "a path through an array");
  // Lists not named keep the indented layout.
  assert.ok(lines.includes(`    "other": [`), text);
});

test("the document is not changed; a path that is not an array is left alone", () => {
  const before = JSON.stringify(doc);
  const text = jsonWithLines(doc, [["items"], ["name"], ["missing", "x"]]);
  assert.is(JSON.stringify(doc), before);
  assert.is(text, jsonWithLines(doc, [["items"]]));
});

test("a long list is written in chunks; past the length limit the text comes back as its UTF-8 bytes", () => {
  const big = { head: "é→", items: Array.from({ length: 10_000 }, (_, i) => ({ i, s: `x${i}·` })) };
  const text = jsonWithLines(big, [["items"]]);
  assert.type(text, "string");
  assert.equal(JSON.parse(text as string), big);
  const itemLines = (text as string).split("\n").filter((l) => l.startsWith('    {"i":'));
  assert.is(itemLines.length, big.items.length, "every item on its own line, across chunks");
  const bytes = jsonWithLines(big, [["items"]], 1000);
  assert.instance(bytes, Uint8Array);
  assert.ok(Buffer.from(bytes as Uint8Array).equals(Buffer.from(text as string, "utf8")));
});

test("findings.json and findings.sarif: one finding per line, each line valid JSON", () => {
  const ctx = cachedSampleContext("rag-support");
  const findings = findingsJsonEmitter.emit(ctx)[0]!.contents as string;
  const parsed = JSON.parse(findings) as { findings: { id: string }[] };
  // The emitter maps each finding as it writes it: the same document as findingsDocument builds whole.
  assert.equal(parsed, JSON.parse(JSON.stringify(findingsDocument(ctx))));
  const lines = findings.split("\n");
  for (const f of parsed.findings) {
    const line = lines.find((l) => l.includes(`{"id":${JSON.stringify(f.id)},`));
    assert.ok(line, f.id);
    assert.is((JSON.parse(line.trim().replace(/,$/, "")) as { id: string }).id, f.id);
  }
  const sarif = sarifEmitter.emit(ctx)[0]!.contents as string;
  const log = JSON.parse(sarif) as { runs: { results: unknown[] }[] };
  assert.equal(log, JSON.parse(JSON.stringify(sarifLog(ctx))));
  const resultLines = sarif.split("\n").filter((l) => l.startsWith('        {"ruleId":'));
  assert.is(resultLines.length, log.runs[0]!.results.length);
});

test("jsonString is JSON.stringify of a string, escapes included", () => {
  const cases = [
    "",
    "plain name",
    'a "quoted" name',
    "back\\slash",
    "line\nbreak\ttab\r",
    "nul \u0000 and \u001f",
    "\u2028 line separator",
    "pair 😀 é →",
    "lone \ud800 high",
    "lone \udc00 low",
    "<script>`x`</script>",
  ];
  for (const s of cases) assert.is(jsonString(s), JSON.stringify(s), JSON.stringify(s));
});

/** The text a produced file writes, piece by piece. */
const produced = (f: { produce?: (put: (piece: string) => void) => void }): string => {
  let text = "";
  f.produce!((piece) => (text += piece));
  return text;
};

/** A random JSON-ish value: containers, primitives, and what JSON.stringify treats apart. */
function randomValue(next: () => number, level: number): unknown {
  const r = next();
  if (level > 5 || r < 0.3) {
    const leaves: unknown[] = [
      0,
      -1.5,
      NaN,
      Infinity,
      "",
      'a\nb "q" \\ \u0000 \ud800 é',
      true,
      false,
      null,
      undefined,
      () => 1,
      Symbol("s"),
      new Date(0),
      new Number(3),
      new String("boxed"),
    ];
    return leaves[Math.floor(next() * leaves.length)];
  }
  const n = Math.floor(next() * 4);
  if (r < 0.55) return Array.from({ length: n }, () => randomValue(next, level + 1));
  const o: Record<string, unknown> = {};
  for (let i = 0; i < n; i++)
    o[next() < 0.2 ? String(i) : `k${Math.floor(next() * 5)}`] = randomValue(next, level + 1);
  if (r > 0.9) {
    // A toJSON that reads its key, and one whose result has a toJSON of its own (called once).
    const inner = { toJSON: () => "inner" };
    const pick = next();
    if (pick < 0.3) return { toJSON: () => inner };
    return pick < 0.65 ? { toJSON: (key: string) => ({ key, o }) } : { toJSON: () => ({ inner, x: o }) };
  }
  return o;
}

test("indentedJsonFile writes JSON.stringify(doc, null, 2)'s text, at every depth, on random documents", () => {
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
  for (let round = 0; round < 400; round++) {
    const doc = randomValue(next, 0);
    const want = `${JSON.stringify(doc, null, 2) ?? ""}\n`;
    for (const depth of [0, 1, 2, 4, 8]) {
      const got = produced(indentedJsonFile("x.json", doc, depth));
      assert.is(got, want, `round ${round}, depth ${depth}`);
    }
  }
});

test("paths.json and metrics.json are JSON.stringify(…, null, 2) of the view and document, produced", () => {
  const ctx = cachedSampleContext("rag-support");
  const [paths] = pathsJsonEmitter.emit(ctx);
  assert.ok(paths!.produce);
  assert.is(produced(paths!), `${JSON.stringify(ctx.analysis.pathsView, null, 2)}\n`);
  const [metrics] = metricsJsonEmitter.emit(ctx);
  assert.ok(metrics!.produce);
  const text = produced(metrics!);
  assert.is(text, `${JSON.stringify(JSON.parse(text), null, 2)}\n`);
  assert.is(asText(metrics!.contents), text);
});

test.run();
