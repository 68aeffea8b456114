import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { BlockItem, FileNode } from "../../src/ast/nodes.js";
import { formatDiagnostic } from "../../src/diagnostics/format.js";
import { makeSourceFile, type SourceFile } from "../../src/source.js";
import { parseFile } from "../../src/syntax/parse.js";
import {
  commentSignature,
  formatSource,
  MAX_LINE_WIDTH,
  sameSyntaxTree,
  withoutOffsets,
} from "../../src/syntax/printer.js";
import { COMPONENT_KIND_WORDS, theLexer } from "../../src/syntax/tokens.js";

// Compiled to dist/test/syntax/format.test.js; samples stay in the source tree.
const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");

function parse(text: string, name = "m.aithreat"): { file: SourceFile; ast: FileNode } {
  const file = makeSourceFile(0, name, text);
  const r = parseFile(file);
  assert.equal(
    r.diagnostics.map((d) => formatDiagnostic(d)),
    [],
    `${name} must parse`,
  );
  return { file, ast: r.value };
}

/** The text with triple-quoted strings blanked: the formatter prints their content byte for byte. */
const outsideTripleStrings = (s: string) => s.replace(/"""[\s\S]*?"""/g, '"""x"""');

/** Formats text and checks every invariant of the output; returns it. */
function checked(text: string, name = "m.aithreat"): string {
  const { file, ast } = parse(text, name);
  const out = formatSource(file, ast);
  const again = parse(out, `${name} (formatted)`);
  assert.equal(withoutOffsets(again.ast.statements), withoutOffsets(ast.statements), `${name}: same tree`);
  assert.ok(sameSyntaxTree(ast, again.ast), `${name}: sameSyntaxTree`);
  assert.equal(commentSignature(again.ast), commentSignature(ast), `${name}: every comment kept`);
  assert.is(formatSource(again.file, again.ast), out, `${name}: idempotent`);
  const plain = outsideTripleStrings(out);
  assert.not.ok(out.startsWith("\ufeff"), `${name}: no BOM`);
  assert.not.ok(/\r/.test(out), `${name}: LF line endings`);
  assert.not.ok(/[ \t]$/m.test(plain), `${name}: no trailing whitespace`);
  assert.not.ok(/\n\n\n/.test(plain), `${name}: at most one blank line`);
  assert.not.ok(/^\n/.test(out), `${name}: no blank line at the top`);
  if (out !== "") assert.ok(out.endsWith("\n") && !out.endsWith("\n\n"), `${name}: one final newline`);
  return out;
}

const lines = (...xs: string[]) => `${xs.join("\n")}\n`;

// Every syntax form of the language, in the canonical layout.
const ALL_FORMS = lines(
  "// Every syntax form of the language, in the canonical layout.",
  'system "Every form" { owner "platform"  version "1.0.0" }',
  "",
  'import "./shared/zones.aithreat"',
  "",
  'zone internet "Public internet" { trust untrusted }',
  'zone corp "Corporate network" {',
  "  trust internal",
  "",
  '  zone vpc "Production VPC" {',
  "    trust internal",
  '    zone data_tier "Data tier" {',
  "      trust restricted",
  '      store tickets "Tickets" { holds [customer_pii] }',
  '      dataset corpus "Corpus"',
  '      vectorstore kb "KB index"',
  '      registry models "Model registry"',
  "    }",
  '    pipeline finetune "Nightly fine-tune"',
  '    model llm "LLM" { family generative  origin public_hub }',
  '    endpoint api "Inference API"',
  '    template prompt_tpl "System prompt"',
  '    agent copilot "Copilot" { controls [spotlighting, output_filter] }',
  '    tool refund "Refund API" { capabilities [write, pay]  approval human }',
  '    mcp_server search_mcp "Search MCP"',
  '    guardrail filter "Output filter"',
  '    app widget "Chat widget"',
  "  }",
  "}",
  'actor customer "Customer" in internet',
  'source forum "Forum posts" in internet { trust public }',
  'provider hosted "Hosted LLM" in internet',
  "",
  'data customer_pii "Customer PII" { classification personal  crown confidentiality }',
  "asset llm crown integrity",
  'asset kb crown [integrity, availability] { reason "poisoning reaches every answer" }',
  "",
  'flow customer -> copilot "chat" { kind prompt }',
  "flow reply: copilot -> customer { kind response }",
  "flow kb -> copilot",
  'flow audit: copilot -> tickets "log" {',
  "  kind write",
  "  carries [customer_pii]",
  "}",
  "",
  'control spotlight_v2 "Spotlighting v2" {',
  "  mitigates [AML.M0015]",
  "  cost 2.50",
  "}",
  'rule ORG-1 "No public models" {',
  "  severity high",
  "  when {",
  "    kinds [model, agent]",
  "    origin public_hub",
  "  }",
  '  then { message "public model without verification" }',
  "}",
  'policy ci "CI gate" { fail_on high  max_new 0 }',
  "",
  'accept AT-33 on copilot { reason "markdown disabled"  owner "secops"  expires 2027-03-31 }',
);

function walk(items: readonly BlockItem[], visit: (item: BlockItem) => void): void {
  for (const it of items) {
    visit(it);
    if (it.kind !== "import" && it.body) walk(it.body.items, visit);
  }
}

test("the all-forms fixture covers every statement kind and declaration keyword", () => {
  const { ast } = parse(ALL_FORMS);
  const seen = new Set<string>();
  walk(ast.statements, (it) => {
    seen.add(it.kind);
    if (it.kind === "declaration") seen.add(it.keyword);
    if (it.kind === "declaration" && it.parent) seen.add("in");
    if (it.kind === "flow") seen.add(`flow${it.name ? "+name" : ""}${it.title ? "+title" : ""}`);
    if (it.kind === "property" && it.body) seen.add("property-block");
  });
  const wanted = [
    ...["declaration", "flow", "import", "accept", "asset", "property", "in", "property-block"],
    ...["system", "zone", "data", "control", "rule", "policy", ...COMPONENT_KIND_WORDS],
    ...["flow", "flow+name", "flow+title", "flow+name+title"],
  ];
  assert.equal(
    wanted.filter((w) => !seen.has(w)),
    [],
  );
});

test("a canonical file formats to itself", () => {
  assert.is(checked(ALL_FORMS), ALL_FORMS);
});

// Re-spaces a file without moving anything to another line: random runs of spaces and tabs between
// tokens and as indentation, trailing blanks, extra blank lines where there was one. The line
// structure decides one-line blocks, so the canonical layout must come back exactly.
function respace(text: string, seed: number): string {
  let state = seed;
  const rnd = (n: number) => {
    state = (state * 1103515245 + 12345) & 0x7fffffff;
    return state % n;
  };
  const hspace = () => [" ", "  ", "\t", " \t "][rnd(4)]!;
  const lexed = theLexer().tokenize(text);
  const pieces = [...lexed.tokens, ...(lexed.groups["comments"] ?? [])].sort(
    (a, b) => a.startOffset - b.startOffset,
  );
  let out = "";
  let pos = 0;
  for (const t of pieces) {
    const gap = text.slice(pos, t.startOffset);
    const breaks = (gap.match(/\n/g) ?? []).length;
    if (breaks === 0) out += gap === "" ? ["", " "][rnd(2)] : hspace();
    else out += `${hspace()}${"\n".repeat(breaks >= 2 ? 2 + rnd(3) : 1)}${hspace()}`;
    out += t.image;
    pos = t.startOffset + t.image.length;
  }
  return `${out}${hspace()}\n\n`;
}

test("re-spaced versions of the canonical file format back to it", () => {
  for (let seed = 1; seed <= 25; seed++) {
    const messy = respace(ALL_FORMS, seed);
    assert.is.not(messy, ALL_FORMS);
    assert.is(checked(messy), ALL_FORMS, `seed ${seed}`);
  }
});

test("CRLF line endings, lone CRs and a BOM become LF without a BOM", () => {
  const crlf = `\ufeff${ALL_FORMS.replace(/\n/g, "\r\n")}`;
  assert.is(checked(crlf), ALL_FORMS);
  assert.is(checked(ALL_FORMS.replace(/\n/g, "\r")), ALL_FORMS);
  assert.is(
    checked("zone z {\r\n  trust x // why\r\n  /* a\r\n   * b\r\n   */\r\n}\r\n"),
    lines("zone z {", "  trust x // why", "  /* a", "   * b", "   */", "}"),
  );
});

test("tokens get single spaces, one space around `->`, and `name:` on flows", () => {
  assert.is(checked('zone\ta   "A"{trust   internal}'), lines('zone a "A" { trust internal }'));
  assert.is(checked("flow a->b"), lines("flow a -> b"));
  assert.is(checked('flow  n :a  ->  b"t"'), lines('flow n: a -> b "t"'));
  assert.is(checked("accept   AT-1   on   m"), lines("accept AT-1 on m"));
  assert.is(checked("asset m   crown\tintegrity"), lines("asset m crown integrity"));
  assert.is(checked('import"./x.aithreat"'), lines('import "./x.aithreat"'));
});

test("leading comments stay above their statement or property", () => {
  const src = lines(
    "// header",
    "   // second line of the header",
    "zone z {",
    "      // about trust",
    "  trust internal",
    "        /* about the model */",
    '  model m "M"',
    "}",
  );
  assert.is(
    checked(src),
    lines(
      "// header",
      "// second line of the header",
      "zone z {",
      "  // about trust",
      "  trust internal",
      "  /* about the model */",
      '  model m "M"',
      "}",
    ),
  );
});

test("trailing comments stay at the end of their line", () => {
  const src = lines(
    "zone z {   // after the brace",
    "  trust internal    // why internal   ",
    '  model m "M" { family generative }/* a *//* b */',
    "}  // after the block",
    "flow a -> b // a flow",
  );
  assert.is(
    checked(src),
    lines(
      "zone z { // after the brace",
      "  trust internal // why internal",
      '  model m "M" { family generative } /* a */ /* b */',
      "} // after the block",
      "flow a -> b // a flow",
    ),
  );
});

test("comments at the end of a block and of the file, and a file of comments only", () => {
  const src = lines(
    "zone z {",
    "  trust x",
    "",
    "",
    "  // trust y",
    "",
    "}",
    "",
    "",
    "",
    "// the end",
    "/* really */",
  );
  assert.is(
    checked(src),
    lines("zone z {", "  trust x", "", "  // trust y", "}", "", "// the end", "/* really */"),
  );
  assert.is(checked("// only a comment"), lines("// only a comment"));
  assert.is(checked("\n\n/* a */\n\n\n// b\n\n"), lines("/* a */", "", "// b"));
  assert.is(checked(""), "");
  assert.is(checked(" \n\r\n\t"), "");
});

test("a block comment in front of code on the same line stays in front of it", () => {
  assert.is(checked("/* deprecated */   zone z"), lines("/* deprecated */ zone z"));
  assert.is(
    checked("zone z {\n /* a */ /* b */trust x\n}"),
    lines("zone z {", "  /* a */ /* b */ trust x", "}"),
  );
});

test("doc-style block comments are re-aligned, others keep their inner lines", () => {
  const src = lines(
    "zone z {",
    "        /**",
    "           * doc",
    "     */",
    "  trust x",
    "/* ascii",
    "   art */",
    "}",
  );
  assert.is(
    checked(src),
    lines("zone z {", "  /**", "   * doc", "   */", "  trust x", "  /* ascii", "   art */", "}"),
  );
});

test("a one-line block with a comment inside breaks into lines", () => {
  assert.is(
    checked("zone z { trust x /* why */ owner y }"),
    lines("zone z {", "  trust x /* why */", "  owner y", "}"),
  );
  assert.is(checked("zone z { /* first */ trust x }"), lines("zone z { /* first */", "  trust x", "}"));
});

test("comments inside headers stay inline; `//` continues the header on the next line", () => {
  assert.is(checked('zone /* c */ z "Z"'), lines('zone /* c */ z "Z"'));
  assert.is(checked("flow a /* c */ -> b"), lines("flow a /* c */ -> b"));
  assert.is(
    checked('zone z // why\n"Z" in p { trust x }'),
    lines("zone z // why", '    "Z" in p { trust x }'),
  );
  assert.is(
    checked('zone p {\n  model m // why\n  "M"\n}'),
    lines("zone p {", "  model m // why", '      "M"', "}"),
  );
  // In front of `{`, a `//` comment moves behind the brace instead of pushing it to its own line.
  assert.is(checked("zone z // why\n{ trust x }"), lines("zone z { // why", "  trust x", "}"));
  assert.is(checked("zone z // why\n{}"), lines("zone z { // why", "}"));
  assert.is(checked("zone z /* why */ { trust x }"), lines("zone z /* why */ { trust x }"));
});

test("blank lines between statements are kept, collapsed to one, and dropped at block edges", () => {
  const src = lines(
    "",
    "",
    "zone a",
    "",
    "",
    "",
    "zone b {",
    "",
    "  trust x",
    "",
    "",
    "  owner y",
    "",
    "}",
    "zone c",
  );
  assert.is(checked(src), lines("zone a", "", "zone b {", "  trust x", "", "  owner y", "}", "zone c"));
});

test("a block written on one line stays on one line with two spaces between properties", () => {
  assert.is(
    checked('model m "M" {family generative origin public_hub verified true}'),
    lines('model m "M" { family generative  origin public_hub  verified true }'),
  );
  assert.is(
    checked("rule R { when { kind prompt } then {} }"),
    lines("rule R { when { kind prompt }  then {} }"),
  );
});

test("a block written over several lines keeps one item per line", () => {
  assert.is(checked("zone z {\n  trust x }"), lines("zone z {", "  trust x", "}"));
  assert.is(checked("zone z {\ntrust x\n}"), lines("zone z {", "  trust x", "}"));
});

test("empty blocks print as `{}`", () => {
  assert.is(checked("zone z {   }"), lines("zone z {}"));
  assert.is(checked("zone z {\n\n}"), lines("zone z {}"));
});

test("a one-line block that holds a declaration breaks into lines", () => {
  assert.is(checked('zone z { trust x  model m "M" }'), lines("zone z {", "  trust x", '  model m "M"', "}"));
});

test(`a one-line block breaks when its line would pass ${MAX_LINE_WIDTH} columns`, () => {
  // `data d { note "" }` is 18 columns, plus the string's content.
  const at = (width: number) => `data d { note "${"x".repeat(width - 18)}" }`;
  assert.is(at(MAX_LINE_WIDTH).length, MAX_LINE_WIDTH);
  assert.is(checked(at(MAX_LINE_WIDTH)), lines(at(MAX_LINE_WIDTH)));
  assert.is(
    checked(at(MAX_LINE_WIDTH + 1)),
    lines("data d {", `  note "${"x".repeat(MAX_LINE_WIDTH + 1 - 18)}"`, "}"),
  );
  // Indentation counts; a trailing comment does not.
  const nested = `zone z {\n  ${at(MAX_LINE_WIDTH - 2)} // ${"c".repeat(40)}\n}`;
  assert.is(checked(nested), `${nested}\n`);
  const over = `zone z {\n  ${at(MAX_LINE_WIDTH - 1)}\n}`;
  assert.is(checked(over).split("\n").length, 6);
});

test("width counts code points, so names in other scripts are not counted twice", () => {
  const astral = "\u{1D400}".repeat(MAX_LINE_WIDTH - 18);
  const line = `data d { note "${astral}" }`;
  assert.ok(line.length > MAX_LINE_WIDTH);
  assert.is(checked(line), lines(line));
});

test("a long block breaks, and its nested one-line blocks stay on one line when they fit", () => {
  const long = `rule R { when { kind prompt  target llm } severity high  message "${"m".repeat(60)}" }`;
  assert.is(
    checked(long),
    lines(
      "rule R {",
      "  when { kind prompt  target llm }",
      "  severity high",
      `  message "${"m".repeat(60)}"`,
      "}",
    ),
  );
});

test("nested zones indent by two spaces a level", () => {
  const src = "zone a {\nzone b {\nzone c {\nzone d { trust x }\n}\n}\n}";
  assert.is(
    checked(src),
    lines("zone a {", "  zone b {", "    zone c {", "      zone d { trust x }", "    }", "  }", "}"),
  );
});

test("lists print as `[a, b, c]`", () => {
  assert.is(
    checked("tool t { capabilities [ write ,pay,send_external, ] }"),
    lines("tool t { capabilities [write, pay, send_external] }"),
  );
  assert.is(checked("tool t { capabilities [ ] }"), lines("tool t { capabilities [] }"));
  assert.is(
    checked('rule R { kinds [model, [agent,tool], 1, 2027-01-01, "s"] }'),
    lines('rule R { kinds [model, [agent, tool], 1, 2027-01-01, "s"] }'),
  );
});

test("a list with comments inside breaks to one item per line", () => {
  const src = lines(
    "tool t {",
    "  capabilities [ // what it may do",
    "    write, // refunds",
    "    /* payouts */ pay,",
    "",
    "    // last",
    "    send_external ]",
    "}",
  );
  assert.is(
    checked(src),
    lines(
      "tool t {",
      "  capabilities [ // what it may do",
      "    write, // refunds",
      "    /* payouts */ pay,",
      "",
      "    // last",
      "    send_external,",
      "  ]",
      "}",
    ),
  );
});

test("strings are re-encoded canonically", () => {
  assert.is(
    checked('data d "tab\\there \\u{41}\\u{1F600} \\"q\\" \\\\"'),
    lines('data d "tab\\there A\u{1F600} \\"q\\" \\\\"'),
  );
  assert.is(checked('data d "\\u{7}\\r\\n"'), lines('data d "\\u{7}\\r\\n"'));
  assert.is(checked('data d "a\u2028b"'), lines('data d "a\\u{2028}b"'));
});

test("characters that show nothing, or reorder what is shown, stay escapes", () => {
  // Written as escapes, they became the characters themselves: `\u{202e}` turned into a bidirectional
  // override that a reviewer of the formatted file could not see (and so did a zero-width no-break
  // space, a C1 control and the noncharacters U+FFFE and U+FFFF).
  const escapes = [
    "\\u{202e}",
    "\\u{2066}",
    "\\u{61c}",
    "\\u{85}",
    "\\u{feff}",
    "\\u{2060}",
    "\\u{fffe}",
    "\\u{ffff}",
  ];
  const text = `data d "a${escapes.join(" ")}b"`;
  assert.is(checked(text), lines(text));
  // Written raw, they are escaped, so the file shows them.
  assert.is(checked('data d "a\u202eb\ufeff"'), lines('data d "a\\u{202e}b\\u{feff}"'));
  // Letters of every script, emoji sequences (zero-width joiner) and the right-to-left mark stay.
  assert.is(
    checked('data d "שלום \u{1F469}\u200d\u{1F4BB} \u200f"'),
    lines('data d "שלום \u{1F469}\u200d\u{1F4BB} \u200f"'),
  );
});

test("triple-quoted strings keep their content byte for byte", () => {
  const body = '"""\n    indented   \n\ttab \\n escape "quote"\n"""';
  assert.is(
    checked(`policy p {\n  description ${body}\n}`),
    lines("policy p {", `  description ${body}`, "}"),
  );
  assert.is(checked(`data d ${body}{ classification x }`), lines(`data d ${body} { classification x }`));
  assert.is(checked('data d """one line"""'), lines('data d """one line"""'));
});

test("line ends inside triple-quoted strings become LF, as the parser reads them", () => {
  const src = 'policy p {\r\n  description """\r\n  first\r\n  second\r\n"""\r\n}\r\n';
  assert.is(checked(src), lines("policy p {", '  description """', "  first", "  second", '"""', "}"));
});

test("numbers and dates print as written", () => {
  assert.is(
    checked("control c { cost 007.50  since 2027-03-31 }"),
    lines("control c { cost 007.50  since 2027-03-31 }"),
  );
});

test("names in other scripts print unchanged", () => {
  assert.is(
    checked('data  données "Données"{classification personal}\nflow données->模型'),
    lines('data données "Données" { classification personal }', "flow données -> 模型"),
  );
});

test("sameSyntaxTree ignores offsets but not names, values or order", () => {
  const a = parse("zone a { trust x  owner y }").ast;
  assert.ok(sameSyntaxTree(a, parse("zone a {\n  trust x\n  owner y\n}").ast));
  assert.not.ok(sameSyntaxTree(a, parse("zone b { trust x  owner y }").ast));
  assert.not.ok(sameSyntaxTree(a, parse("zone a { owner y  trust x }").ast));
  assert.not.ok(sameSyntaxTree(a, parse('zone a { trust "x"  owner y }').ast));
  assert.not.ok(sameSyntaxTree(a, parse("zone a { trust x }").ast));
});

// Random re-spacing with comments in every gap between tokens: whatever the input looks like, the
// output keeps the tree and the comments and is a fixed point.
const SEPARATORS = [
  " ",
  "\n",
  "\n\n\n",
  "\r\n",
  "\r",
  "\t",
  "/**/",
  " /* c */ ",
  " // line\n",
  "//\n\n",
  "\n/* a\n * b\n */\n",
  " /* two\nlines */ ",
  "\n// own line\n",
];

function tokensOf(text: string): string[] {
  return theLexer()
    .tokenize(text)
    .tokens.map((t) => t.image);
}

function propertyTest(name: string, text: string, runs: number): void {
  const tokens = tokensOf(text);
  fc.assert(
    fc.property(
      fc.array(fc.constantFrom(...SEPARATORS), {
        minLength: tokens.length + 1,
        maxLength: tokens.length + 1,
      }),
      fc.boolean(),
      (seps, bom) => {
        const messy =
          (bom ? "\ufeff" : "") + tokens.map((t, i) => seps[i] + t).join("") + seps[tokens.length]!;
        checked(messy, name);
      },
    ),
    { numRuns: runs, seed: 20270331 },
  );
}

test("random spacing and comments between tokens: tree and comments kept, output a fixed point", () => {
  propertyTest("all forms", ALL_FORMS, 300);
});

/** Every `.aithreat` file under a folder of the repository. */
function modelFiles(dir: string): string[] {
  const abs = path.join(REPO, dir);
  if (!fs.existsSync(abs)) return [];
  const out: string[] = [];
  for (const e of fs.readdirSync(abs, { withFileTypes: true, recursive: true })) {
    if (e.isFile() && e.name.endsWith(".aithreat")) out.push(path.join(e.parentPath, e.name));
  }
  return out.sort();
}

test("every sample formats with its tree and comments kept, and idempotently", () => {
  const samples = modelFiles("samples");
  if (fs.existsSync(path.join(REPO, "samples"))) assert.ok(samples.length > 0, "samples/ holds models");
  for (const f of samples) {
    const text = fs.readFileSync(f, "utf8");
    const name = path.relative(REPO, f);
    checked(text, name);
    propertyTest(name, text, 5);
  }
});

test("every error-free model among the test baselines formats with its tree kept", () => {
  for (const f of modelFiles(path.join("test", "baselines"))) {
    const text = fs.readFileSync(f, "utf8");
    const file = makeSourceFile(0, f, text);
    if (parseFile(file).diagnostics.length > 0) continue;
    checked(text, path.relative(REPO, f));
  }
});

test.run();
