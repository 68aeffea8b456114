/**
 * report.html: one self-contained page. Mermaid inlined from the installed package, nothing fetched
 * from anywhere, every inline script pinned in the Content-Security-Policy, filters on every finding,
 * a print style sheet that keeps diagrams whole. (Rendering in a real browser is the diagram suite's.)
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  contentSecurityPolicy,
  inlineScript,
  mermaidBrowserBuild,
  scriptHazard,
} from "../../src/emit/report-html.js";
import { readTemplate } from "../../src/emit/templates.js";
import { HTML, MARKDOWN, REPORT_LIMITS, viewsV } from "../../src/emit/report-view.js";
import { REPO, attr, compileToDir, elements, openThreats, textOf } from "./report-helpers.js";

const run = await compileToDir([path.join(REPO, "samples/rag-support")]);
const html = run.read("report.html");
const findingsJson = run.read("findings.json");
run.cleanup();
const els = elements(html);

test("report.html carries the views' diagrams up to its budget, in order; Markdown lists files only", () => {
  const budget = REPORT_LIMITS.inlineViewChars;
  const view = (id: string, chars: number) => ({
    id,
    title: id,
    kind: "zone" as const,
    mermaid: `flowchart LR\n${"x".repeat(chars - 13)}`,
  });
  const views = [view("a", budget / 2), view("b", budget / 4), view("c", budget / 2), view("d", budget / 8)];
  const inline = viewsV(HTML, views).map((v) => v.diagram !== null);
  assert.equal(inline, [true, true, false, true], "c does not fit what a and b left; d does");
  assert.ok(viewsV(MARKDOWN, views).every((v) => v.diagram === null));
});

test("a view past the page's budget is listed with a link to its file, which the compile wrote", async () => {
  // Every view past the budget: the sample's views are all listed by file.
  const limits = REPORT_LIMITS as { inlineViewChars: number };
  const budget = limits.inlineViewChars;
  limits.inlineViewChars = 0;
  const listed = await compileToDir([path.join(REPO, "samples/rag-support")]);
  limits.inlineViewChars = budget;
  try {
    const page = listed.read("report.html");
    const files = [...page.matchAll(/<p class="view-file">[\s\S]*?<\/p>/g)].map((m) => m[0]);
    assert.is(files.length, elements(page).filter((e) => attr(e, "class") === "view-file").length);
    assert.ok(files.length >= 3, `${files.length} views listed by file`);
    for (const p of files) {
      const links = elements(p).filter((e) => e.tagName === "a");
      assert.is(links.length, 1, p);
      const href = attr(links[0]!, "href")!;
      assert.match(href, /^diagrams\/[a-z0-9_.-]+\.mmd$/);
      assert.ok(fs.existsSync(path.join(listed.out, href)), `${href} is written`);
      assert.is(textOf(links[0]!), href, "the link shows its file");
    }
  } finally {
    listed.cleanup();
  }
});

test("identifiers in HTML wrap after separators, never inside a word, and stay escaped", () => {
  assert.is(String(HTML.code("customer_records")), "<code>customer_<wbr>records</code>");
  assert.is(
    String(HTML.code("samples/rag-support/a.aithreat:74")),
    "<code>samples/<wbr>rag-<wbr>support/<wbr>a.<wbr>aithreat:<wbr>74</code>",
  );
  // Nothing to wrap before: no <wbr> at the end or before a space.
  assert.is(String(HTML.code("a_ b_")), "<code>a_ b_</code>");
  assert.is(String(HTML.code('x_<script>"')), "<code>x_<wbr>&lt;script&gt;&quot;</code>");
});

test("Mermaid is inlined from the installed package, byte for byte", () => {
  const mermaid = mermaidBrowserBuild();
  assert.ok(mermaid, "mermaid resolves");
  assert.is(mermaid.js, fs.readFileSync(mermaid.path, "utf8"), "mermaid 11 needs no rewriting");
  const scripts = els.filter((e) => e.tagName === "script").map(textOf);
  assert.is(scripts.length, 2);
  assert.is(scripts[0], mermaid.js);
  assert.is(scripts[1], readTemplate("report.js").text);
});

test("the CSP allows exactly the page's scripts and forbids every fetch", () => {
  const meta = els.find((e) => e.tagName === "meta" && attr(e, "http-equiv") === "Content-Security-Policy")!;
  const csp = attr(meta, "content")!;
  const directives: Record<string, string[]> = Object.fromEntries(
    csp.split("; ").map((d) => [d.split(" ")[0]!, d.split(" ").slice(1)] as const),
  );
  assert.equal(directives["default-src"], ["'none'"]);
  const hashes = els
    .filter((e) => e.tagName === "script")
    .map((e) => `'sha256-${createHash("sha256").update(textOf(e)).digest("base64")}'`);
  assert.equal(directives["script-src"], hashes);
  assert.equal(directives["base-uri"], ["'none'"]);
  assert.is(csp, contentSecurityPolicy(html.replace(csp, "")));
});

test("works offline: nothing refers to anything outside the page", () => {
  for (const e of els) {
    assert.not.ok(["link", "img", "iframe", "object", "embed"].includes(e.tagName), e.tagName);
    assert.is(attr(e, "src"), undefined, `${e.tagName} src`);
  }
  const css = els
    .filter((e) => e.tagName === "style")
    .map(textOf)
    .join("\n");
  assert.not.ok(/@import|url\(/.test(css), "the style sheet loads nothing");
  assert.not.ok(/https?:\/\//.test(readTemplate("report.js").text), "the script names no address");
});

test("print: diagrams are never split across pages and fit the page", () => {
  const css = readTemplate("report.css").text;
  const print = css.slice(css.indexOf("@media print"));
  assert.ok(print.length > 0);
  assert.match(print, /\.diagram\s*\{[^}]*break-inside:\s*avoid/);
  assert.match(print, /\.diagram svg\s*\{[^}]*max-height/);
  assert.match(print, /#toc,\s*\.filters\s*\{\s*display:\s*none/);
});

test("filters: every finding and status row carries severity, status and component", () => {
  const items = els.filter((e) => attr(e, "data-status") !== undefined);
  const findings = els.filter((e) => e.tagName === "article" && /\bfinding\b/.test(attr(e, "class") ?? ""));
  // One article per open threat (rag-support's are under the per-severity cap).
  const open = openThreats(findingsJson).length;
  assert.ok(open > 5, `${open} open threats`);
  assert.is(findings.length, open, "one article per open threat");
  for (const e of items) {
    assert.ok(["critical", "high", "medium", "low", "info"].includes(attr(e, "data-severity")!));
    assert.ok(["open", "mitigated", "accepted"].includes(attr(e, "data-status")!));
    assert.ok((attr(e, "data-component") ?? "").length > 0);
  }
  const options = els.filter((e) => e.tagName === "option").map((e) => attr(e, "value"));
  for (const e of items)
    assert.ok(options.includes(attr(e, "data-component")), "every component can be chosen");
});

test("navigation links point at sections of the page", () => {
  const ids = new Set(els.map((e) => attr(e, "id")).filter(Boolean));
  const anchors = els.filter((e) => e.tagName === "a" && attr(e, "href")?.startsWith("#"));
  assert.ok(anchors.length >= 9);
  for (const a of anchors) assert.ok(ids.has(attr(a, "href")!.slice(1)), `${attr(a, "href")} exists`);
});

test("inlineScript: a `</script>` or `<!--<script` inside a script cannot end or hide the element", () => {
  assert.is(inlineScript('var a = "</script><b>";'), 'var a = "<\\/script><b>";');
  assert.is(inlineScript('var a = "<!--"; var b = "<script>";'), 'var a = "<\\!--"; var b = "<script>";');
  assert.is(inlineScript('var a = "<!-- fine";'), 'var a = "<!-- fine";');
});

test("scriptHazard finds in bytes exactly what inlineScript rewrites in text", () => {
  const scripts = [
    'var a = "</script><b>";',
    'var a = "</SCRIPT>";',
    'var a = "</sCrIpT";',
    'var a = "<!--"; var b = "<Script>";',
    'var a = "<!-- fine";',
    'var a = "<script>";',
    'var a = "</scrip"; var b = "t>";',
    // Non-ASCII letters never match ASCII ones, in the regular expressions or in the byte scan.
    'var a = "</ſcript>"; var b = "é</scrİpt";',
    'var a = "\u00e9<!--\u00e9<scrİpt>";',
    "",
    "<",
    "</script",
  ];
  for (const js of scripts) assert.is(scriptHazard(Buffer.from(js)), inlineScript(js) !== js, js);
});

test("a team's template may put Mermaid inside a larger script: inlined once, its CSP hash the whole script's", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-templates-"));
  const builtIn = readTemplate("report.html.hbs").text;
  assert.ok(builtIn.includes("<script>{{mermaidJs}}</script>"));
  fs.writeFileSync(
    path.join(dir, "report.html.hbs"),
    builtIn.replace("<script>{{mermaidJs}}</script>", "<script>{{mermaidJs}};window.teamMark = 1;</script>"),
  );
  const run = await compileToDir([path.join(REPO, "samples/rag-support")], ["--templates", dir]);
  try {
    assert.is(run.code, 0, run.stderr);
    const page = run.read("report.html");
    const scripts = elements(page)
      .filter((e) => e.tagName === "script")
      .map(textOf);
    const mermaid = mermaidBrowserBuild()!;
    assert.is(scripts[0], `${mermaid.js};window.teamMark = 1;`);
    const csp = /http-equiv="Content-Security-Policy" content="([^"]*)"/.exec(page)![1]!;
    const hash = `'sha256-${createHash("sha256").update(scripts[0]!).digest("base64")}'`;
    assert.ok(csp.includes(hash), csp);
    assert.not.ok(page.includes("aithreat-mermaid"), "no marker left");
  } finally {
    run.cleanup();
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test.run();
