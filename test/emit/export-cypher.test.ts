/**
 * The Cypher script: one statement per line, every string literal closed where it should be and
 * decoding back to the model's value, labels and property names in backticks; larger models are
 * refused (CYPHER_LIMIT) unless forced.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { CompileAnalysis } from "../../src/compiler.js";
import { CYPHER_LIMIT } from "../../src/emit/export/cypher.js";
import { buildExportGraph, exportSource } from "../../src/emit/export/export-graph.js";
import { exportFiles } from "../../src/emit/export/index.js";
import { analysisOfText, nastyAnalysis, sampleAnalysis } from "../db/models.js";
import { NASTY_DESCRIPTION, NASTY_TITLE } from "../db/nasty-model.js";

function script(analysis: CompileAnalysis, force = false): string {
  const r = exportFiles(analysis, "cypher", { force });
  assert.ok("files" in r, "files" in r ? "" : r.refused);
  return r.files[0]!.contents as string;
}

/** Splits a script into statements the way Cypher reads it: `;` ends one only outside literals. */
function statements(text: string): string[] {
  const out: string[] = [];
  let cur = "";
  let mode: "code" | "string" | "name" | "comment" = "code";
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    cur += c;
    if (mode === "comment") {
      if (c === "\n") {
        mode = "code";
        cur = "";
      }
    } else if (mode === "string") {
      if (c === "\\") cur += text[++i];
      else if (c === "'") mode = "code";
    } else if (mode === "name") {
      if (c === "`") mode = "code";
    } else if (c === "/" && text[i + 1] === "/") mode = "comment";
    else if (c === "'") mode = "string";
    else if (c === "`") mode = "name";
    else if (c === ";") {
      out.push(cur.trim());
      cur = "";
    }
  }
  assert.is(mode, "code", "the script ends outside any literal");
  assert.is(cur.trim(), "");
  return out;
}

/** Decodes the Cypher string literal that starts at `from` (at its opening quote). */
function literalAt(s: string, from: number): string {
  assert.is(s[from], "'");
  let out = "";
  for (let i = from + 1; i < s.length; i++) {
    const c = s[i]!;
    if (c === "'") return out;
    if (c !== "\\") {
      out += c;
      continue;
    }
    const n = s[++i]!;
    if (n === "u") {
      out += String.fromCharCode(parseInt(s.slice(i + 1, i + 5), 16));
      i += 4;
    } else out += ({ n: "\n", r: "\r", t: "\t" } as Record<string, string>)[n] ?? n;
  }
  throw new Error("unterminated literal");
}

const property = (statement: string, name: string): string =>
  literalAt(statement, statement.indexOf(`\`${name}\`: '`) + name.length + 4);

test("one statement per node and relationship, each on its own line", () => {
  const analysis = sampleAnalysis("agent-mcp");
  const text = script(analysis);
  const g = buildExportGraph(exportSource(analysis));
  const all = statements(text);
  assert.is(all.length, 1 + g.order + g.size);
  assert.ok(all[0]!.startsWith("CREATE INDEX aithreat_key"));
  const lines = text.split("\n").filter((l) => l !== "" && !l.startsWith("//"));
  assert.equal(lines, all, "no statement spans lines");
  assert.is(all.filter((s) => s.startsWith("CREATE (:`Aithreat`")).length, g.order);
  assert.is(all.filter((s) => s.startsWith("MATCH (a:Aithreat {key: ")).length, g.size);
});

test("string literals decode back to the model's values; nothing ends a literal early", () => {
  const text = script(nastyAnalysis());
  const all = statements(text);
  const visitor = all.find((s) => s.includes("`key`: 'component:visitor'"))!;
  assert.ok(visitor.startsWith("CREATE (:`Aithreat`:`Component`:`Actor`:`Entry`:`Sink` {"));
  assert.is(property(visitor, "title"), NASTY_TITLE);
  const secrets = all.find((s) => s.includes("`key`: 'data:secrets'"))!;
  assert.is(property(secrets, "description"), NASTY_DESCRIPTION);
  assert.ok(secrets.includes("\\u0000"), "NUL written as an escape");
  assert.not.ok(/[\u0000-\u0008\n\r]/.test(secrets), "no raw control characters in a statement");
});

test("models above the limit are refused with a hint, and written with force", () => {
  // Pairs of actors and apps: small to write, many elements.
  const parts = ['zone z "Z" { trust untrusted }'];
  const count = Math.ceil(CYPHER_LIMIT / 6);
  for (let i = 0; i < count; i++) parts.push(`actor a${i} "A ${i}" in z`, `app b${i} "B ${i}" in z`);
  for (let i = 0; i < count; i++) parts.push(`flow a${i} -> b${i} "f" { kind prompt }`);
  const analysis = analysisOfText(parts.join("\n"));
  const g = buildExportGraph(exportSource(analysis));
  assert.ok(g.order + g.size > CYPHER_LIMIT, `${g.order + g.size} elements`);
  const refused = exportFiles(analysis, "cypher");
  assert.ok("refused" in refused);
  assert.match(refused.refused, `${g.order + g.size} nodes and relationships`);
  assert.match(refused.hint, "--to neo4j");
  assert.is(statements(script(analysis, true)).length, 1 + g.order + g.size);
});

test.run();
