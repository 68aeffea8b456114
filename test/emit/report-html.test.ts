/**
 * report.html: one self-contained page. Mermaid inlined from the installed package, nothing fetched
 * from anywhere, every inline script pinned in the Content-Security-Policy, filters on every finding,
 * a print style sheet that keeps diagrams whole. (Rendering in a real browser is the diagram suite's.)
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { contentSecurityPolicy, inlineScript, mermaidBrowserBuild } from "../../src/emit/report-html.js";
import { readTemplate } from "../../src/emit/templates.js";
import { REPO, attr, compileToDir, elements, textOf } from "./report-helpers.js";

const run = await compileToDir([path.join(REPO, "samples/rag-support")]);
const html = run.read("report.html");
run.cleanup();
const els = elements(html);

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
  assert.ok(findings.length >= 14);
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

test.run();
