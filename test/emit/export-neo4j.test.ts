/**
 * Neo4j bulk-import CSV: headers in `neo4j-admin database import` syntax, every row as wide as its
 * header, ids unique and every relationship's ends present, labels and relationship types as
 * documented, and every value read back (with a strict RFC 4180 reader and the header's types) equal
 * to the export graph's, including the strings that need escaping.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CompileAnalysis } from "../../src/compiler.js";
import {
  buildExportGraph,
  exportSource,
  EDGE_COLUMNS,
  NODE_COLUMNS,
} from "../../src/emit/export/export-graph.js";
import { exportFiles } from "../../src/emit/export/index.js";
import { parseCsv, type CsvField } from "../db/csv.js";
import { analysisOfText, nastyAnalysis, sampleAnalysis, sampleNames } from "../db/models.js";
import { NASTY_TAG, NASTY_TITLE } from "../db/nasty-model.js";

const TYPES = new Set(["string", "int", "double", "boolean", "string[]"]);

function files(analysis: CompileAnalysis): Record<string, string> {
  const r = exportFiles(analysis, "neo4j");
  assert.ok("files" in r);
  return Object.fromEntries(r.files.map((f) => [f.path, f.contents as string]));
}

/** The array delimiter the import script passes to neo4j-admin. */
function delimiterOf(script: string): string {
  const m = /--array-delimiter="([^"]+)"/.exec(script);
  assert.ok(m, "the script names the array delimiter");
  return m[1] === "U+001F" ? "\u001f" : m[1]!;
}

/**
 * What the CSV holds of a node's or relationship's attributes: empty lists have no spelling in the
 * import format (they are absent), and NUL becomes U+FFFD, as in the PostgreSQL CSV.
 */
function exported(attributes: Record<string, unknown>): Record<string, unknown> {
  const text = (v: unknown): unknown =>
    typeof v === "string" ? v.replace(/\0/g, "\uFFFD") : Array.isArray(v) ? v.map(text) : v;
  return Object.fromEntries(
    Object.entries(attributes)
      .filter(([, v]) => !(Array.isArray(v) && v.length === 0))
      .map(([k, v]) => [k, text(v)]),
  );
}

/** Reads a typed cell back as the import tool would. */
function read(field: CsvField, type: string, delimiter: string): unknown {
  if (field.text === "" && !field.quoted) return undefined;
  switch (type) {
    case "int":
    case "double":
      return Number(field.text);
    case "boolean":
      assert.ok(field.text === "true" || field.text === "false", `boolean cell ${field.text}`);
      return field.text === "true";
    case "string[]":
      return field.text.split(delimiter);
    default:
      return field.text;
  }
}

function header(row: CsvField[]): { name: string; type: string }[] {
  return row.map((f) => {
    assert.not.ok(f.quoted, "header cells are plain");
    const [name, type] = f.text.split(":");
    return { name: name!, type: type! };
  });
}

function check(analysis: CompileAnalysis, label: string): void {
  const out = files(analysis);
  const delimiter = delimiterOf(out["neo4j-import.sh"]!);
  const g = buildExportGraph(exportSource(analysis));

  const nodes = parseCsv(out["nodes.csv"]!);
  const nh = header(nodes[0]!);
  assert.equal(nh.slice(0, 2), [
    { name: "key", type: "ID" },
    { name: "", type: "LABEL" },
  ]);
  for (const c of nh.slice(2)) {
    assert.ok(TYPES.has(c.type), `${label}: node column ${c.name}:${c.type}`);
    assert.is(NODE_COLUMNS.get(c.name), c.type, `${label}: node column ${c.name} typed as declared`);
  }
  assert.is(nodes.length - 1, g.order, `${label}: one row per node`);
  const ids = new Set<string>();
  for (const row of nodes.slice(1)) {
    assert.is(row.length, nh.length, `${label}: row as wide as the header`);
    const key = row[0]!.text;
    assert.not.ok(ids.has(key), `${label}: unique id ${key}`);
    ids.add(key);
    const want = g.getNodeAttributes(key);
    const labels = row[1]!.text.split(delimiter);
    assert.is(labels[0], "Aithreat");
    assert.is(
      labels[1],
      { component: "Component", zone: "Zone", data: "Data", control: "Control", crown: "Crown" }[
        want["type"] as string
      ],
    );
    assert.is(labels.includes("Entry"), want["entry"] === true, `${label}: ${key} Entry label`);
    assert.is(labels.includes("Sink"), want["sink"] === true, `${label}: ${key} Sink label`);
    const got: Record<string, unknown> = {};
    nh.slice(2).forEach((c, i) => {
      const v = read(row[i + 2]!, c.type, delimiter);
      if (v !== undefined) got[c.name] = v;
    });
    const wantPresent = exported(want);
    assert.equal(got, wantPresent, `${label}: node ${key}`);
  }

  const edges = parseCsv(out["edges.csv"]!);
  const eh = header(edges[0]!);
  assert.equal(eh.slice(0, 4), [
    { name: "", type: "START_ID" },
    { name: "", type: "END_ID" },
    { name: "", type: "TYPE" },
    { name: "key", type: "string" },
  ]);
  for (const c of eh.slice(4)) assert.is(EDGE_COLUMNS.get(c.name), c.type, `${label}: edge column ${c.name}`);
  assert.is(edges.length - 1, g.size, `${label}: one row per relationship`);
  const types = new Set<string>();
  for (const row of edges.slice(1)) {
    assert.is(row.length, eh.length);
    const [start, end, type, key] = row.map((f) => f.text);
    assert.ok(ids.has(start!) && ids.has(end!), `${label}: ${key} joins exported nodes`);
    assert.is(g.source(key!), start);
    assert.is(g.target(key!), end);
    const want = g.getEdgeAttributes(key!);
    assert.is(type, (want["type"] as string).toUpperCase());
    types.add(type!);
    const got: Record<string, unknown> = {};
    eh.slice(4).forEach((c, i) => {
      const v = read(row[i + 4]!, c.type, delimiter);
      if (v !== undefined) got[c.name] = v;
    });
    const wantPresent = exported(want);
    assert.equal(got, wantPresent, `${label}: relationship ${key}`);
  }
  for (const t of types)
    assert.ok(
      [
        "FLOWS",
        "IN_ZONE",
        "NESTED_IN",
        "HOLDS",
        "CARRIES",
        "USES_CONTROL",
        "CROWN",
        "STEP",
        "CUT_STEP",
        "EXFIL",
        "TARGET",
      ].includes(t),
      `documented relationship type ${t}`,
    );
}

test("every sample: nodes.csv and edges.csv read back to the export graph", () => {
  for (const name of sampleNames()) check(sampleAnalysis(name), name);
});

test("escaping: quotes, commas and line ends survive, NUL becomes U+FFFD; the array delimiter avoids the values", () => {
  const analysis = nastyAnalysis();
  check(analysis, "nasty");
  const out = files(analysis);
  // NUL as in the PostgreSQL CSV and GraphML: the description held a raw NUL.
  assert.not.ok(out["nodes.csv"]!.includes("\0"), "no NUL in nodes.csv");
  assert.ok(out["nodes.csv"]!.includes("four \uFFFD nul"), "NUL replaced");
  // `;` and `|` occur inside list values, so the unit separator is chosen.
  assert.ok(out["neo4j-import.sh"]!.includes('--array-delimiter="U+001F"'));
  assert.ok(out["neo4j-import.sh"]!.includes("--multiline-fields=true"));
  const row = parseCsv(out["nodes.csv"]!).find((r) => r[0]!.text === "component:visitor")!;
  assert.ok(row.some((f) => f.text === NASTY_TITLE));
  assert.ok(row.some((f) => f.text.split("\u001f").includes(NASTY_TAG)));
});

test("the default array delimiter is `;` when no list value contains it", () => {
  const out = files(sampleAnalysis("rag-support"));
  assert.ok(out["neo4j-import.sh"]!.includes('--array-delimiter=";"'));
  const labels = parseCsv(out["nodes.csv"]!).find((r) => r[0]!.text === "component:customer")![1]!.text;
  assert.is(labels, "Aithreat;Component;Actor;Entry;Sink");
});

test("the edges' list columns hold names only, so the delimiter is picked from the nodes' lists", () => {
  // pickDelimiter reads no edge: a list column of free text on edges would need it to read them again.
  const edgeLists = [...EDGE_COLUMNS].filter(([, type]) => type === "string[]").map(([key]) => key);
  assert.equal(edgeLists, ["carries", "controls"]);
  // A node's list holding `;` moves every list, edges' included, to the next delimiter.
  const out = files(
    analysisOfText(
      'store db "DB" { tags ["a;b"] }\nagent bot "Bot"\nflow bot -> db { kind write  controls [audit_log, access_control] }\n',
    ),
  );
  assert.ok(out["neo4j-import.sh"]!.includes('--array-delimiter="|"'));
  const flowRow = parseCsv(out["edges.csv"]!).find((r) =>
    r.some((c) => c.text === "audit_log|access_control"),
  );
  assert.ok(flowRow, out["edges.csv"]);
});

test("lists holding `;`, `|` and U+001F are refused with the list named, not an internal error", () => {
  // Strings may hold any character; neo4j-admin has no escape for its array delimiter.
  const analysis = analysisOfText(
    'agent bot "Bot" { tags ["a;b"] }\nstore db "DB" { tags ["c|d", "unit \\u{1f} separator"] }\n',
  );
  const r = exportFiles(analysis, "neo4j");
  assert.ok("refused" in r, "the export is refused");
  assert.match(r.refused, "`tags` of `db`");
  assert.match(r.hint, "--to postgres");
});

test("analysis results are on the nodes: entry classes, sinks, worst open finding, exposure", () => {
  const g = buildExportGraph(exportSource(sampleAnalysis("rag-support")));
  assert.equal(g.getNodeAttribute("component:customer", "entry_classes"), ["user_input"]);
  assert.is(g.getNodeAttribute("component:escalate_email", "sink"), true);
  const open = sampleAnalysis("rag-support").findings.filter(
    (f) => f.status === "open" && f.subject.type === "component" && f.subjectName === "support_bot",
  );
  assert.ok(open.length > 0);
  assert.is(g.getNodeAttribute("component:support_bot", "open_findings"), open.length);
  const ranks = ["info", "low", "medium", "high", "critical"];
  const worst = ranks[Math.max(...open.map((f) => ranks.indexOf(f.severity)))];
  assert.is(g.getNodeAttribute("component:support_bot", "worst_severity"), worst);
  const report = sampleAnalysis("rag-support").paths.targets.find(
    (t) => t.crown === "customer_pii" && t.property === "confidentiality",
  )!;
  const cell = report.exposure.find((c) => c.entryClass === "user_input")!;
  assert.is(
    g.getNodeAttribute("crown:customer_pii:confidentiality", "likelihood_user_input"),
    cell.bestLikelihood,
  );
  assert.is(g.getNodeAttribute("crown:customer_pii:confidentiality", "entries_user_input"), cell.entries);
  assert.is(g.getNodeAttribute("crown:customer_pii:confidentiality", "mode"), "disclosure");
});

test("an empty model exports headers and no rows", () => {
  const out = files(analysisOfText(""));
  assert.is(parseCsv(out["nodes.csv"]!).length, 1);
  assert.is(parseCsv(out["edges.csv"]!).length, 1);
});

test.run();
