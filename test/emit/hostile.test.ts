/**
 * Hostile strings stay inert in every output this suite owns: a model whose titles, descriptions,
 * owners, reasons and tickets hold HTML, quotes, backticks, pipes, newlines, Mermaid syntax,
 * handlebars braces, Markdown links and images and spreadsheet formulas
 * (test/emit/fixtures/hostile.aithreat) still gives a report.html whose only scripts are aithreat's,
 * Markdown whose tables keep their columns and which links nowhere else, and a CSV that parses back to
 * the model's own text.
 */
import fs from "node:fs";
import path from "node:path";
import { marked, type Tokens } from "marked";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mermaidBrowserBuild } from "../../src/emit/report-html.js";
import { readTemplate } from "../../src/emit/templates.js";
import { CSV_COLUMNS } from "../../src/emit/checklist.js";
import {
  REPO,
  assertInertHtml,
  assertInertMarkdown,
  attr,
  compileToDir,
  elements,
  markdownTokens,
  parseCsv,
  textOf,
} from "./report-helpers.js";

const MODEL = path.join(REPO, "test/emit/fixtures/hostile.aithreat");
const SYSTEM = `<script>alert('system')</script> | \`sys\` {{title}}, "quoted"\nnext line`;

const run = await compileToDir([MODEL]);
const files = {
  html: run.read("report.html"),
  md: run.read("report.md"),
  checklist: run.read("checklist.md"),
  csv: run.read("checklist.csv"),
};
const diagramFiles = new Set(fs.readdirSync(path.join(run.out, "diagrams")));
run.cleanup();

test("the hostile model compiles", () => {
  assert.is(run.code, 0, run.stderr);
});

test("report.html: only aithreat's scripts, no handlers, no loads, links only to references", () => {
  const mermaid = mermaidBrowserBuild();
  assert.ok(mermaid, "mermaid is installed for the tests");
  assertInertHtml(files.html, [mermaid.js, readTemplate("report.js").text]);
});

test("report.html: hostile text is shown as text, exactly", () => {
  const els = elements(files.html);
  const h1 = els.find((e) => e.tagName === "h1")!;
  assert.is(textOf(h1), `Threat model: ${SYSTEM.replace("\n", "\n")}`);
  const title = els.find((e) => e.tagName === "title")!;
  assert.ok(textOf(title).includes("<script>alert('system')</script>"));
  // The accepted finding's reason, from an `accept` block, in its table cell.
  const cells = els.filter((e) => e.tagName === "td").map(textOf);
  assert.ok(
    cells.includes("<script>alert('reason')</script> | `r` \n# heading {{reason}} [l](https://evil.example)"),
    "the acceptance reason is one cell, verbatim",
  );
  assert.ok(cells.includes("=1+1"), "the acceptance owner is verbatim (no formula handling in HTML)");
  // Filters read data-* attributes: a hostile value is an attribute value, never markup.
  const findings = els.filter((e) => attr(e, "data-status") !== undefined);
  assert.ok(findings.length >= 8, `${findings.length} filterable findings`);
});

test("report.html: the Content-Security-Policy is the first thing in <head>", () => {
  const head = elements(files.html).find((e) => e.tagName === "head")!;
  const first = head.childNodes.find((n) =>
    "tagName" in n && n.tagName !== "meta" ? true : "tagName" in n && attr(n, "http-equiv") !== undefined,
  );
  assert.ok(first && "tagName" in first && attr(first, "http-equiv") === "Content-Security-Policy");
});

// The model's "\n# heading" and "\n# not a heading" would be headings if a newline got through.
const headingOk = (text: string) => !/\bheading\b/.test(text);

test("report.md: tables keep their columns, no links or images from the model, no raw HTML", () => {
  assertInertMarkdown(files.md, headingOk);
  assert.is(files.md.match(/^# /gm)?.length, 1, "one title");
  // Handlebars braces in the model are text, not template syntax: they reach the output escaped.
  assert.ok(files.md.includes("\\{\\{title\\}\\}"));
  assert.not.ok(files.md.includes("<script>"), "no raw <script>");
});

/** The text a reader sees of inline Markdown (a table cell), as GitHub would render it. */
const rendered = (md: string) => {
  const body = elements(marked.parseInline(md, { async: false, gfm: true })).find(
    (e) => e.tagName === "body",
  )!;
  return textOf(body);
};

test("report.md: each zone and agent view is a row linking its file; a hostile title stays one cell, verbatim", () => {
  const table = markdownTokens(files.md).find(
    (t): t is Tokens.Table => t.type === "table" && (t as Tokens.Table).header[0]?.text === "view",
  );
  assert.ok(table, "the views table");
  const views = [...diagramFiles].filter((f) => /^(zone|agent)-.*\.mmd$/.test(f)).sort();
  const links = table.rows.map((r) => {
    const [link] = markdownTokens(r[3]!.text).filter((t): t is Tokens.Link => t.type === "link");
    assert.ok(link, `a link in ${r[3]!.text}`);
    // The label is the file, as code; the target is the file beside report.md.
    assert.is(link.text, `\`${link.href}\``);
    return link.href;
  });
  assert.equal(
    [...links].sort(),
    views.map((f) => `diagrams/${f}`),
    "every view, each file written",
  );
  assert.ok(diagramFiles.has("index.md"), "the index the text links");
  const titles = table.rows.map((r) => rendered(r[0]!.text));
  assert.equal(titles, [
    "Zone Internet <img src=x onerror=alert(1)>",
    "Zone VPC </style><script>alert('zone')</script>",
    "Agent Bot ```mermaid flowchart LR ```: what feeds it and what it calls",
  ]);
  for (const r of table.rows) assert.match(r[2]!.text, /^[1-9][0-9]*$/, "nodes drawn");
});

test("checklist.md: valid and inert", () => {
  assertInertMarkdown(files.checklist, headingOk, false);
  assert.ok(files.checklist.includes("- [ ] "), "a task list");
  assert.ok(files.checklist.includes("Owner: \\+team \\| ops"), "the zone owner is escaped in its heading");
});

test("checklist.csv: parses back to the same fields; formulas are neutralised", () => {
  const rows = parseCsv(files.csv);
  assert.equal(rows[0], [...CSV_COLUMNS]);
  const col = (name: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(name);
  for (const r of rows) assert.is(r.length, CSV_COLUMNS.length, `row ${r.join(",")}`);
  const body = rows.slice(1);
  assert.ok(body.length > 5, `${body.length} rows`);
  for (const r of body)
    for (const cell of r) assert.not.ok(/^[=+\-@\t\r]/.test(cell), `formula cell ${JSON.stringify(cell)}`);
  // Quotes, commas and a newline survive the round trip.
  assert.ok(
    body.every((r) => r[col("system")] === SYSTEM),
    "the system title, verbatim",
  );
  const owners = new Set(body.map((r) => r[col("owner")]));
  assert.ok(owners.has("'+team | ops"), `owners: ${[...owners].join(" / ")}`);
  assert.ok(owners.has("'@\t tab owner"), "tab and @ kept after the apostrophe");
});

test.run();
