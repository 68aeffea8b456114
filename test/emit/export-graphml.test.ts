/**
 * GraphML export: parsed back with graphology-graphml (the reader Gephi-style tools and graphology
 * users have) and compared with the export graph node for node and edge for edge, every attribute
 * with its type; for every sample and for the escaping fixture.
 */
import { MultiDirectedGraph } from "graphology";
import { parse } from "graphology-graphml";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { AttrValue } from "../../src/graph/model-graph.js";
import type { CompileAnalysis } from "../../src/compiler.js";
import { xmlRoundTrip } from "../../src/emit/export/escape.js";
import { buildExportGraph, exportSource, type ExportAttributes } from "../../src/emit/export/export-graph.js";
import { exportFiles } from "../../src/emit/export/index.js";
import { analysisOf, nastyAnalysis, sampleAnalysis, sampleNames } from "../db/models.js";
import { NASTY_TITLE } from "../db/nasty-model.js";

function graphmlOf(analysis: CompileAnalysis): string {
  const result = exportFiles(analysis, "graphml");
  assert.ok("files" in result);
  assert.equal(
    result.files.map((f) => f.path),
    ["model.graphml"],
  );
  return result.files[0]!.contents as string;
}

/** What a GraphML reader gets back for a value: lists as JSON text, strings without XML-invalid characters. */
function expected(value: AttrValue): unknown {
  if (typeof value === "string") return xmlRoundTrip(value);
  if (Array.isArray(value)) return JSON.stringify(value);
  return value;
}

function expectedAttributes(a: ExportAttributes): Record<string, unknown> {
  return Object.fromEntries(Object.entries(a).map(([k, v]) => [k, expected(v)]));
}

function roundTrip(analysis: CompileAnalysis, label: string): void {
  const want = buildExportGraph(exportSource(analysis));
  const got = parse(MultiDirectedGraph, graphmlOf(analysis));
  assert.is(got.type, "directed", label);
  assert.is(got.order, want.order, `${label}: node count`);
  assert.is(got.size, want.size, `${label}: edge count`);
  want.forEachNode((key, a) => {
    assert.ok(got.hasNode(key), `${label}: node ${key}`);
    assert.equal(got.getNodeAttributes(key), expectedAttributes(a), `${label}: node ${key}`);
  });
  want.forEachEdge((key, a, source, target) => {
    assert.ok(got.hasEdge(key), `${label}: edge ${key}`);
    assert.is(got.source(key), source, `${label}: source of ${key}`);
    assert.is(got.target(key), target, `${label}: target of ${key}`);
    assert.equal(got.getEdgeAttributes(key), expectedAttributes(a), `${label}: edge ${key}`);
  });
  assert.is(got.getAttribute("systems"), JSON.stringify(want.getAttribute("systems")));
}

test("every sample round-trips through GraphML node for node and edge for edge", () => {
  for (const name of sampleNames()) roundTrip(sampleAnalysis(name), name);
});

test("values that need escaping round-trip; characters XML 1.0 cannot hold become U+FFFD", () => {
  const analysis = nastyAnalysis();
  roundTrip(analysis, "nasty");
  const got = parse(MultiDirectedGraph, graphmlOf(analysis));
  assert.is(got.getNodeAttribute("component:visitor", "title"), NASTY_TITLE);
  const description = got.getNodeAttribute("data:secrets", "description") as string;
  assert.ok(description.includes("line two\r\nthree\tfour"), "CR, LF and TAB survive");
  assert.ok(description.includes("\uFFFD nul \uFFFD unit"), "NUL and U+001F are replaced");
  assert.equal(JSON.parse(got.getNodeAttribute("component:visitor", "tags") as string), [
    "tag;with|delims",
    " leading space",
  ]);
});

test("keys are typed, declared once, and only for attributes in use", () => {
  const text = graphmlOf(sampleAnalysis("rag-support"));
  const keys = [...text.matchAll(/<key id="([^"]+)" for="(\w+)" attr\.name="(\w+)" attr\.type="(\w+)"\/>/g)];
  const ids = keys.map((k) => k[1]!);
  assert.is(new Set(ids).size, ids.length, "unique key ids");
  const type = (name: string, scope: string) => keys.find((k) => k[3] === name && k[2] === scope)?.[4];
  assert.is(type("index", "node"), "int");
  assert.is(type("entry", "node"), "boolean");
  assert.is(type("best_likelihood", "node"), "double");
  assert.is(type("weight", "edge"), "double");
  assert.is(type("crown", "node"), "string", "lists are JSON in string keys");
  // Exactly the attributes some node or edge has are declared (no empty columns in Gephi).
  const g = buildExportGraph(exportSource(sampleAnalysis("rag-support")));
  const used = (scope: "node" | "edge") => {
    const names = new Set<string>();
    if (scope === "node") g.forEachNode((_, a) => Object.keys(a).forEach((k) => names.add(k)));
    else g.forEachEdge((_, a) => Object.keys(a).forEach((k) => names.add(k)));
    return [...names].sort();
  };
  for (const scope of ["node", "edge"] as const)
    assert.equal(
      keys
        .filter((k) => k[2] === scope)
        .map((k) => k[3]!)
        .sort(),
      used(scope),
      `${scope} keys`,
    );
});

test("the GraphML of a model is byte-identical across runs", () => {
  const a = graphmlOf(analysisOf(["samples/multi-agent"]));
  const b = graphmlOf(analysisOf(["samples/multi-agent"]));
  assert.is(a, b);
});

test("comments are well-formed XML: none holds `--` (strict parsers such as NetworkX's reject it)", () => {
  for (const analysis of [...sampleNames().map(sampleAnalysis), nastyAnalysis()]) {
    const xml = graphmlOf(analysis);
    const comments = [...xml.matchAll(/<!--([\s\S]*?)-->/g)].map((m) => m[1]!);
    assert.ok(comments.length > 0, "the header comment is there");
    for (const c of comments)
      assert.not.ok(c.includes("--") || c.endsWith("-"), `comment ${JSON.stringify(c)}`);
  }
});

test.run();
