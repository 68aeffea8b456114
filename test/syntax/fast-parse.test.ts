/**
 * The fast parser against the recovering chevrotain parser. The fast path may give up on any file
 * (the recovering parser then reads it), but when it returns a tree, the recovering parser must
 * accept the same text without a single diagnostic and build the same tree, offsets and comments
 * included. Checked on every model file in the repository, on random valid programs built from the
 * grammar, on token soups, and on mutations of valid text; seeds and run counts are fixed.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { FileNode } from "../../src/ast/nodes.js";
import { makeSourceFile } from "../../src/source.js";
import { fastParse, nameHash, NameTable } from "../../src/syntax/fast-parse.js";
import { hashOf } from "../../src/syntax/interner.js";
import { parseFile, parseWithRecovery } from "../../src/syntax/parse.js";
import { KW, RESERVED_WORDS } from "../../src/syntax/tokens.js";
import { STATEMENT_WORDS } from "../../src/syntax/words.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SEED = 20261126;

/** Why the two parsers disagree on a text, or undefined when they agree. */
function disagreement(text: string, requireFast: boolean): string | undefined {
  const file = makeSourceFile(0, "m.aithreat", text);
  const fast = fastParse(file.text);
  const slow = parseWithRecovery(file);
  if (!fast) {
    if (requireFast && slow.diagnostics.length === 0) return "the fast parser gave up on a valid file";
    return undefined;
  }
  if (slow.diagnostics.length > 0)
    return `the fast parser accepted a file with errors: ${slow.diagnostics.map((d) => `${d.code} ${d.message}`).join("; ")}`;
  return sameTree(fast, slow.value);
}

/** First difference between two trees (offsets, field presence and values all count). */
function sameTree(a: unknown, b: unknown, at = "file"): string | undefined {
  if (a === b) return undefined;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null)
    return `${at}: ${JSON.stringify(a)} != ${JSON.stringify(b)}`;
  if (Array.isArray(a) !== Array.isArray(b)) return `${at}: array vs object`;
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  if (ka.join() !== kb.join()) return `${at}: fields ${ka.join()} != ${kb.join()}`;
  for (const k of ka) {
    const d = sameTree((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k], `${at}.${k}`);
    if (d) return d;
  }
  return undefined;
}

/** Runs a property; a failure names the input and what broke (fast-check alone hides the message). */
function check<T>(property: fc.IProperty<[T]>, runs: number): void {
  const r = fc.check(property, { seed: SEED, numRuns: runs });
  if (r.failed) throw new Error(`${String(r.errorInstance)}\non ${JSON.stringify(r.counterexample)}`);
}

function assertAgree(text: string, requireFast = false): void {
  const d = disagreement(text, requireFast);
  if (d) throw new Error(`${d}\non ${JSON.stringify(text.length > 600 ? `${text.slice(0, 600)}...` : text)}`);
}

test("the word lists the fast scanner uses match the lexer's keywords", () => {
  assert.equal([...STATEMENT_WORDS].sort(), Object.keys(KW).sort());
  assert.is(new Set(RESERVED_WORDS).size, RESERVED_WORDS.length);
});

test("every model file in the repository: both parsers agree, and valid files take the fast path", () => {
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
      const full = path.join(dir, e.name);
      if (e.isDirectory()) walk(full);
      else if (e.name.endsWith(".aithreat")) files.push(full);
    }
  };
  for (const dir of ["samples", "test", "docs"]) walk(path.join(REPO, dir));
  assert.ok(files.length > 50, `found ${files.length} model files`);
  let fast = 0;
  for (const f of files) {
    const text = fs.readFileSync(f, "utf8");
    const d = disagreement(makeSourceFile(0, f, text).text, true);
    if (d) throw new Error(`${path.relative(REPO, f)}: ${d}`);
    if (fastParse(makeSourceFile(0, f, text).text)) fast++;
  }
  assert.ok(fast > files.length / 2, `${fast} of ${files.length} files took the fast path`);
});

test("parseFile gives the fast tree for a valid file and the recovering parser's errors otherwise", () => {
  const ok = parseFile(makeSourceFile(0, "m", 'zone z "Z" { trust internal }\n'));
  assert.equal(ok.diagnostics, []);
  assert.is(ok.value.statements.length, 1);
  const bad = parseFile(makeSourceFile(0, "m", "zone z { trust }\n"));
  assert.equal(
    bad.diagnostics.map((d) => d.code),
    ["AT1023"],
  );
});

test("names are interned across files through a shared table", () => {
  const names = new NameTable();
  const a = fastParse("zone shared_zone_name { trust internal }", names)!;
  const before = names.size;
  const b = fastParse("zone other { trust internal }\nflow shared_zone_name -> other { kind copy }", names)!;
  assert.ok(a && b);
  // `shared_zone_name`, `trust` and `internal` were already there: `other`, `kind` and `copy` are new.
  assert.is(names.size, before + 3);
  assert.is(nameHash("AT-33"), hashOf("AT-33"));
});

// ---- random valid programs --------------------------------------------------------------------------

const NAMES = [
  "vpc",
  "copilot",
  "a",
  "x_1",
  "AT-33",
  "AML.M0007",
  "eu-west",
  "données",
  "名前",
  "_",
  "cafe\u0301",
  "zones",
  "in_house",
  "dataset_v2",
];
const KINDS = [
  "zone",
  "data",
  "control",
  "rule",
  "policy",
  "system",
  "model",
  "agent",
  "tool",
  "dataset",
  "store",
  "mcp_server",
];
const STRINGS = [
  '""',
  '"plain"',
  '"with \\"quotes\\" and \\\\"',
  '"tab\\tnew\\nline \\u{1F600}"',
  '"ünï"',
  '"""multi\nline"""',
  '"""crlf\r\nline"""',
  '""""""',
];
const NUMBERS = ["0", "12", "3.5", "-4", "-0.25", "2026"];
const DATES = ["2027-03-31", "1999-12-01"];
const GAPS = [" ", "  ", "\n", "\r\n", "\t", " // note\n", " /* c */ ", "/*\n*/", "\u00a0", "\ufeff"];

const name = fc.constantFrom(...NAMES);
const gap = fc.constantFrom(...GAPS);

type Piece = string[];
const value: fc.Memo<Piece> = fc.memo((n) =>
  n <= 1
    ? fc.oneof(
        name.map((x) => [x]),
        fc.constantFrom(...STRINGS, ...NUMBERS, ...DATES).map((x) => [x]),
      )
    : fc.oneof(
        { weight: 3, arbitrary: value(1) },
        {
          weight: 1,
          arbitrary: fc
            .tuple(
              fc.array(
                fc.oneof(
                  value(n - 1),
                  fc.constantFrom(...RESERVED_WORDS).map((w) => [w]),
                ),
                { maxLength: 4 },
              ),
              fc.boolean(),
            )
            .map(([items, trailing]) => [
              "[",
              ...items.flatMap((it, i) => (i === 0 ? it : [",", ...it])),
              ...(trailing && items.length > 0 ? [","] : []),
              "]",
            ]),
        },
      ),
);
const property: fc.Memo<Piece> = fc.memo((n) =>
  fc
    .tuple(name, fc.option(value(2)), n > 1 ? fc.option(block(n - 1)) : fc.constant(null))
    .filter(([, v, b]) => v !== null || b !== null)
    .map(([k, v, b]) => [k, ...(v ?? []), ...(b ?? [])]),
);
const block: fc.Memo<Piece> = fc.memo((n) =>
  fc
    .array(fc.oneof({ weight: 4, arbitrary: property(n) }, { weight: 1, arbitrary: statement(n - 1) }), {
      maxLength: 4,
    })
    .map((items) => ["{", ...items.flat(), "}"]),
);
const statement: fc.Memo<Piece> = fc.memo((n) =>
  fc.oneof(
    fc
      .tuple(
        fc.constantFrom(...KINDS),
        fc.option(name),
        fc.option(fc.constantFrom(...STRINGS)),
        fc.option(name),
        n > 0 ? fc.option(block(n)) : fc.constant(null),
      )
      .map(([kw, nm, title, parent, body]) => [
        kw,
        ...(nm ? [nm] : []),
        ...(title ? [title] : []),
        ...(parent ? ["in", parent] : []),
        ...(body ?? []),
      ]),
    fc
      .tuple(
        fc.option(name),
        name,
        name,
        fc.option(fc.constantFrom(...STRINGS)),
        n > 0 ? fc.option(block(n)) : fc.constant(null),
      )
      .map(([nm, from, to, title, body]) => [
        "flow",
        ...(nm ? [nm, ":"] : []),
        from,
        "->",
        to,
        ...(title ? [title] : []),
        ...(body ?? []),
      ]),
    fc
      .tuple(name, name, n > 0 ? fc.option(block(n)) : fc.constant(null))
      .map(([rule, target, body]) => ["accept", rule, "on", target, ...(body ?? [])]),
    fc
      .tuple(name, name, fc.option(value(2)), n > 0 ? fc.option(block(n)) : fc.constant(null))
      .map(([target, key, v, body]) => ["asset", target, key, ...(v ?? []), ...(body ?? [])]),
    fc.constantFrom(...STRINGS).map((s) => ["import", s]),
  ),
);
const program = fc
  .tuple(
    fc.array(statement(3), { maxLength: 6 }),
    fc.array(gap, { minLength: 200, maxLength: 200 }),
    fc.boolean(),
  )
  .map(([statements, gaps, tight]) => {
    const tokens = statements.flat();
    // Tokens that cannot run together get a gap; `tight` glues punctuation to its neighbours.
    let out = "";
    tokens.forEach((t, i) => {
      const glue = tight && (/^[[\]{},:]$|^->$/.test(t) || /^[[\]{},:]$|^->$/.test(tokens[i - 1] ?? ""));
      out += (i === 0 || glue ? "" : gaps[i % gaps.length]!) + t;
    });
    return out;
  });

test("random valid programs: the fast parser takes them all and builds the recovering parser's tree", () => {
  check(
    fc.property(program, (text) => {
      assertAgree(text, true);
    }),
    600,
  );
});

// ---- token soups and mutations -------------------------------------------------------------------------

const LEXEMES = [
  ...RESERVED_WORDS,
  ...NAMES,
  ...STRINGS,
  ...NUMBERS,
  ...DATES,
  "{",
  "}",
  "[",
  "]",
  ",",
  ":",
  "->",
  "-",
  "/",
  ".",
  ";",
  "$",
  "12abc",
  "1.",
  "2027-3-31",
  "2027-03-31x",
  "2027-03-31.",
  "2027-03-310",
  '"unterminated',
  '"bad \\q escape"',
  '"\\u{110000}"',
  '"""open',
  "/* open",
  "\u2028",
  "\u0301",
  "😀",
  "é",
  "a->b",
  "a.-b",
  "x-",
];
const soup = fc
  .tuple(
    fc.array(fc.constantFrom(...LEXEMES), { maxLength: 40 }),
    fc.array(fc.constantFrom("", " ", "\n", ...GAPS), { minLength: 40, maxLength: 40 }),
  )
  .map(([tokens, gaps]) => tokens.map((t, i) => t + gaps[i]!).join(""));

test("token soups: whatever the fast parser accepts, the recovering parser accepts with the same tree", () => {
  let accepted = 0;
  check(
    fc.property(soup, (text) => {
      assertAgree(text);
      if (fastParse(text)) accepted++;
    }),
    2000,
  );
  // The soups must exercise acceptance too, or the property says little.
  assert.ok(accepted > 50, `the fast parser accepted ${accepted} soups`);
});

test("mutations of valid programs agree too", () => {
  const mutated = fc
    .tuple(program, fc.nat(), fc.nat({ max: 3 }), fc.constantFrom(...LEXEMES, "", "\n"))
    .map(([text, at, cut, insert]) => {
      const i = text.length === 0 ? 0 : at % text.length;
      return text.slice(0, i) + insert + text.slice(i + cut);
    });
  check(
    fc.property(mutated, (text) => {
      assertAgree(text);
    }),
    1200,
  );
});

test("nesting at the limit is fast, one past it is left to the recovering parser", () => {
  const nest = (depth: number) => `zone z { a ${"[".repeat(depth - 1)}x${"]".repeat(depth - 1)} }`;
  assert.ok(fastParse(nest(64)));
  assert.is(fastParse(nest(65)), undefined);
  assert.equal(
    parseFile(makeSourceFile(0, "m", nest(65))).diagnostics.map((d) => d.code),
    ["AT1021"],
  );
});

test("edge lexemes: the same tokens as the lexer or a fallback", () => {
  for (const text of [
    "zone zones { trust internal }",
    "model in_house { a 1 }",
    "accept AT-33 on x { expires 2027-03-31 }",
    "zone z { a [model, agent, in, on,] }",
    'zone z { d """a""""" }',
    "zone z { n -1.5 }",
    "flow a->b { kind copy }",
    "flow n:a->b",
    "zone z {}",
    "",
    "// only a comment",
    "/**/zone/**/z/**/{/**/}",
  ]) {
    assertAgree(text, true);
  }
  const noFast: FileNode | undefined = fastParse("zone z { a 2027-03-31x }");
  assert.is(noFast, undefined);
});

test.run();
