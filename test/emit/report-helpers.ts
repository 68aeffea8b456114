/**
 * Helpers of the report tests: compile a model with the real CLI into a temporary folder, and the
 * structural checks every Markdown, HTML and CSV output must pass (valid and inert).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { Lexer, type Token, type Tokens } from "marked";
import { parse, type DefaultTreeAdapterMap } from "parse5";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";

/** The repository root (tests run compiled from dist/test/emit/). */
export const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");

/** Runs `aithreat compile` in-process into a fresh temporary folder; returns the files it wrote. */
export async function compileToDir(
  inputs: string[],
  extra: string[] = [],
): Promise<{
  code: number;
  stdout: string;
  stderr: string;
  out: string;
  read: (f: string) => string;
  cleanup: () => void;
}> {
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-report-"));
  const out = path.join(tmp, "out");
  const io = bufferIo({}, REPO);
  const code = await main(
    ["compile", ...inputs, "--out", out, "--today", TEST_TODAY, "--root", REPO, ...extra],
    io,
  );
  return {
    code,
    stdout: io.stdout,
    stderr: io.stderr,
    out,
    read: (f) => fs.readFileSync(path.join(out, f), "utf8"),
    cleanup: () => fs.rmSync(tmp, { recursive: true, force: true }),
  };
}

type Node = DefaultTreeAdapterMap["node"];
type Element = DefaultTreeAdapterMap["element"];

/** A finding as findings.json writes it, the fields tests read. */
export interface JsonFinding {
  readonly id: string;
  readonly rule: string;
  readonly status: string;
  readonly subject: { readonly name: string };
}

/** The open threats of a findings.json text: the open findings but the assumptions (`AS-` rules). */
export function openThreats(findingsJson: string): JsonFinding[] {
  return (JSON.parse(findingsJson) as { findings: JsonFinding[] }).findings.filter(
    (f) => f.status === "open" && !f.rule.startsWith("AS-"),
  );
}

/** Every element of an HTML document, in document order. */
export function elements(html: string): Element[] {
  const out: Element[] = [];
  const visit = (n: Node) => {
    if ("tagName" in n) out.push(n);
    const kids = "childNodes" in n ? n.childNodes : [];
    for (const c of kids) visit(c);
    if ("content" in n && n.content) visit(n.content);
  };
  visit(parse(html));
  return out;
}

/** The text inside an element. */
export function textOf(e: Element): string {
  let s = "";
  const visit = (n: Node) => {
    if (n.nodeName === "#text") s += (n as DefaultTreeAdapterMap["textNode"]).value;
    if ("childNodes" in n) for (const c of n.childNodes) visit(c);
  };
  visit(e);
  return s;
}

/** The value of an attribute, if present. */
export const attr = (e: Element, name: string) => e.attrs.find((a) => a.name === name)?.value;

/**
 * Links the reports may hold: reference pages of the frameworks they cite, in-page anchors, and the
 * diagram files of the same output folder.
 */
export const ALLOWED_LINKS = [
  /^https:\/\/atlas\.mitre\.org\/(techniques|mitigations)\/AML\.[A-Z0-9.]+$/,
  /^https:\/\/genai\.owasp\.org\//,
  /^https:\/\/owasp\.org\//,
  /^https:\/\/doi\.org\/10\.6028\//,
  /^#[A-Za-z0-9_-]+$/,
  // report.md's links to the diagram files beside it: aithreat's own file names, never a model's text.
  /^diagrams\/(?:index\.md|[a-z0-9_~-][a-z0-9_.~-]*\.mmd)$/,
];

/**
 * Checks a report.html is inert: the only scripts are the ones aithreat ships, no event-handler
 * attributes, nothing that loads from anywhere, and links only to the references it cites.
 */
export function assertInertHtml(html: string, shippedScripts: readonly string[]): void {
  const els = elements(html);
  const scripts = els.filter((e) => e.tagName === "script");
  assert.is(scripts.length, shippedScripts.length, "script elements");
  scripts.forEach((s, i) =>
    assert.ok(textOf(s) === shippedScripts[i], `script ${i} is not one aithreat ships`),
  );
  for (const e of els) {
    for (const a of e.attrs) {
      assert.not.ok(/^on/i.test(a.name), `event handler attribute ${a.name} on <${e.tagName}>`);
      assert.not.ok(a.name === "src" || a.name === "srcset", `<${e.tagName} ${a.name}> loads something`);
    }
    assert.not.ok(
      [
        "img",
        "iframe",
        "object",
        "embed",
        "link",
        "base",
        "frame",
        "video",
        "audio",
        "source",
        "form-action",
      ].includes(e.tagName),
      `<${e.tagName}> must not appear`,
    );
    if (e.tagName === "a") {
      const href = attr(e, "href") ?? "";
      assert.ok(
        ALLOWED_LINKS.some((r) => r.test(href)),
        `link to ${href}`,
      );
    }
    if (e.tagName === "meta" && attr(e, "http-equiv")?.toLowerCase() === "refresh")
      assert.unreachable("meta refresh");
  }
  for (const pre of els.filter((e) => e.tagName === "pre"))
    for (const line of textOf(pre).split("\n"))
      assert.not.ok(/^\s*(click|href|call)\b/.test(line), `Mermaid directive in a diagram: ${line}`);
}

/** Every token of a Markdown document, depth first. */
export function markdownTokens(md: string): Token[] {
  const out: Token[] = [];
  const visit = (x: unknown) => {
    if (Array.isArray(x)) x.forEach(visit);
    else if (x && typeof x === "object") {
      if ("type" in x && typeof (x as Token).type === "string") out.push(x as Token);
      for (const [k, v] of Object.entries(x))
        if (k !== "raw" && k !== "text" && typeof v === "object") visit(v);
    }
  };
  visit(new Lexer({ gfm: true }).lex(md));
  return out;
}

/**
 * Checks a Markdown output is valid and inert: every table row has the header's column count, links
 * go only to cited references, no images, raw HTML only aithreat's own comment, code blocks only
 * Mermaid diagrams, and headings only the ones `headingOk` accepts.
 */
export function assertInertMarkdown(
  md: string,
  headingOk: (text: string) => boolean,
  expectTables = true,
): void {
  let tables = 0;
  for (const t of markdownTokens(md)) {
    if (t.type === "table") {
      tables++;
      const table = t as Tokens.Table;
      for (const row of table.rows)
        assert.is(row.length, table.header.length, `row of ${t.raw.split("\n")[0]}`);
    }
    if (t.type === "link")
      assert.ok(
        ALLOWED_LINKS.some((r) => r.test((t as Tokens.Link).href)),
        `link to ${(t as Tokens.Link).href}`,
      );
    assert.is.not(t.type, "image", `image ${t.raw}`);
    if (t.type === "html") assert.ok(/^<!-- Generated by aithreat\./.test(t.raw.trim()), `raw HTML ${t.raw}`);
    if (t.type === "code") assert.is((t as Tokens.Code).lang, "mermaid", `code block ${t.raw.slice(0, 60)}`);
    if (t.type === "heading") assert.ok(headingOk((t as Tokens.Heading).text), `heading ${t.raw}`);
  }
  if (expectTables) assert.ok(tables > 0, "the document has tables");
}

/** RFC 4180 parser for the tests (quoted fields, doubled quotes, CRLF or LF inside quotes). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\r" && text[i + 1] === "\n") {
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
      i++;
    } else {
      assert.not.ok(c === "\n" || c === '"', `bare ${JSON.stringify(c)} outside quotes at ${i}`);
      field += c;
    }
  }
  assert.is(field, "", "the file ends with CRLF");
  assert.is(row.length, 0, "the file ends with CRLF");
  return rows;
}
