import { test } from "uvu";
import * as assert from "uvu/assert";
import { parseFile } from "../../src/syntax/parse.js";
import { makeSourceFile } from "../../src/source.js";
import type { DeclarationNode, FlowNode } from "../../src/ast/nodes.js";

const parse = (text: string) => parseFile(makeSourceFile(0, "m.aithreat", text));

test("parses declarations with title, in-clause and body", () => {
  const r = parse('actor customer "Customer" in internet { role customer }');
  assert.equal(r.diagnostics, []);
  const d = r.value.statements[0] as DeclarationNode;
  assert.is(d.kind, "declaration");
  assert.is(d.keyword, "actor");
  assert.is(d.name?.text, "customer");
  assert.is(d.title?.value, "Customer");
  assert.is(d.parent?.text, "internet");
  assert.is(d.body?.items.length, 1);
  assert.is(d.start, 0);
  assert.is(d.end, 55);
});

test("parses flows with optional names", () => {
  const r = parse('flow a -> b "x" { kind prompt }\nflow reply: b -> a { kind response }');
  assert.equal(r.diagnostics, []);
  const [f1, f2] = r.value.statements as FlowNode[];
  assert.is(f1?.from.text, "a");
  assert.is(f1?.to.text, "b");
  assert.is(f1?.name, undefined);
  assert.is(f2?.name?.text, "reply");
});

test("tolerates a BOM and CRLF line endings", () => {
  const r = parse('\ufeffzone z "Z" {\r\n  trust internal\r\n}\r\n');
  assert.equal(r.diagnostics, []);
  assert.is(r.value.statements.length, 1);
});

test("decodes string escapes and keeps UTF-8 names", () => {
  const r = parse('data données "Ünïcode \\"quoted\\" \\u{1F600}" { classification personal }');
  assert.equal(r.diagnostics, []);
  const d = r.value.statements[0] as DeclarationNode;
  assert.is(d.name?.text, "données");
  assert.is(d.title?.value, 'Ünïcode "quoted" \u{1F600}');
});

test("reports every syntax error of a file in one run", () => {
  const r = parse('zone a { trust }\nflow x -> { kind prompt }\nmodel m "m" { family [a, }\n');
  const codes = r.diagnostics.map((d) => d.code);
  assert.ok(codes.filter((c) => c === "AT1020" || c === "AT1023").length >= 3, codes.join(","));
});

test("invisible and space-like characters are named by code point, not shown as a blank", () => {
  // A zero-width space and an em space, as pasted from a document; a line separator; a run of them.
  const r = parse("zone a\u200b { trust\u2003internal }\nzone b { trust internal }\u2028\u200b\u200b\n");
  assert.equal(
    r.diagnostics.map((d) => d.message),
    [
      "unexpected character `U+200B`",
      "unexpected character `U+2003`",
      "unexpected characters `U+2028 U+200B U+200B`",
    ],
  );
  assert.match(r.diagnostics[0]!.hint ?? "", "plain space");
  // Visible junk is still quoted as it is.
  assert.is(parse("zone a { trust internal } $").diagnostics[0]!.message, "unexpected character `$`");
  // Curly quotes pasted from a document: the hint says strings take straight ones.
  const curly = parse("zone a \u201cA\u201d { trust internal }\n").diagnostics.filter(
    (d) => d.code === "AT1010",
  );
  assert.is(curly.length, 2);
  for (const d of curly) assert.match(d.hint ?? "", "strings use straight double quotes");
});

test("reserved words are values inside lists only", () => {
  const ok = parse("rule R1 { kinds [model, agent] }");
  assert.equal(ok.diagnostics, []);
  const bad = parse("flow a -> b { kind model }");
  assert.ok(bad.diagnostics.length > 0);
});

test("deep nesting ends with AT1021, not a stack overflow", () => {
  const r = parse("zone z { ".repeat(10_000));
  assert.equal(
    r.diagnostics.map((d) => d.code),
    ["AT1021"],
  );
});

test("separators from other formats are one error each, with the fix, and the block parses on", () => {
  const r = parse(
    [
      'agent bot "Bot" { autonomy: loop, memory: session }',
      "tool t { capabilities = [read]; }",
      "flow bot => t { kind invoke, auth api_key }",
      "zone z { trust internal  flow named: bot -> t { kind invoke } }",
    ].join("\n"),
  );
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.message} | ${d.hint ?? ""}`),
    [
      "AT1020 a property takes its value without `:` | write `autonomy loop`",
      "AT1020 properties are not separated by commas | separate properties with spaces or line breaks (`{ kind invoke  auth api_key }`); a list of values goes in brackets (`holds [a, b]`)",
      "AT1020 a property takes its value without `:` | write `memory session`",
      "AT1010 unexpected character `=` | a property takes its value without `=`: write `capabilities [...]`",
      "AT1010 unexpected character `;` | no `;` is needed: a property or a statement ends where the next one starts",
      "AT1010 unexpected characters `=>` | a flow's arrow is `->`",
      "AT1020 properties are not separated by commas | separate properties with spaces or line breaks (`{ kind invoke  auth api_key }`); a list of values goes in brackets (`holds [a, b]`)",
    ],
  );
  // What the separators stood between is read as meant: the values, the flow and the flow's name.
  const [bot, tool, flow, zone] = r.value.statements as [
    DeclarationNode,
    DeclarationNode,
    FlowNode,
    DeclarationNode,
  ];
  const props = (d: DeclarationNode | FlowNode) =>
    d.body?.items.map((p) => ("key" in p ? `${p.key.text}=${p.value?.kind ?? "-"}` : p.kind));
  assert.equal(props(bot), ["autonomy=name", "memory=name"]);
  assert.equal(props(tool), ["capabilities=list"]);
  assert.equal([flow.from.text, flow.to.text], ["bot", "t"]);
  assert.equal(props(flow), ["kind=name", "auth=name"]);
  assert.is((zone.body?.items[1] as FlowNode).name?.text, "named");
  // Single quotes: the hint says which quotes strings take.
  const quoted = parse("flow a -> b { kind 'prompt' }").diagnostics;
  assert.ok(quoted.length > 0 && quoted.every((d) => d.hint === 'strings use double quotes `"`'));
});

test("a version or a date written another way is one error, with the value to write", () => {
  const r = parse(
    [
      'system "S" { version 2.3.0  owner x }',
      'accept AT-37 on bot { expires 31.01.2027  reason "r" }',
      "accept AT-38 on bot { expires 2027/01/31 }",
      "accept AT-40 on bot { expires 01-31-2027 }",
      "accept AT-36 on bot { expires 01/02/2027 }",
      "control c { cost 1.2.3 }",
      "policy p { open_high 1.0.0 }",
    ].join("\n"),
  );
  assert.equal(
    r.diagnostics.map((d) => `${d.code} ${d.message} | ${d.hint ?? ""}`),
    [
      'AT1010 `2.3.0` is neither a number nor a name | write a version or other dotted number as a string: `"2.3.0"`',
      "AT3013 `31.01.2027` is not a date: dates are written YYYY-MM-DD | write `2027-01-31`",
      "AT3013 `2027/01/31` is not a date: dates are written YYYY-MM-DD | write `2027-01-31`",
      "AT3013 `01-31-2027` is not a date: dates are written YYYY-MM-DD | write `2027-01-31`",
      // Day and month could be either way round: no guess.
      "AT3013 `01/02/2027` is not a date: dates are written YYYY-MM-DD | write the day as YYYY-MM-DD, e.g. `2027-03-31`",
      // A property that takes a number gets a number, not the quotes a version takes.
      "AT1010 `1.2.3` is neither a number nor a name | `cost` takes a number, with one `.` at most: e.g. `cost 1.2`",
      // One the vocabulary does not know (a policy's metric): both readings.
      'AT1010 `1.0.0` is neither a number nor a name | a number has one `.` at most (e.g. `1.0`); write a version or other dotted number as a string: `"1.0.0"`',
    ],
  );
  // The rest of each block parses on.
  const [system, accept] = r.value.statements as [DeclarationNode, DeclarationNode];
  assert.equal(
    system.body?.items.map((p) => ("key" in p ? p.key.text : "")),
    ["version", "owner"],
  );
  assert.equal(
    accept.body?.items.map((p) => ("key" in p ? `${p.key.text}=${p.value?.kind ?? "-"}` : "")),
    ["expires=date", "reason=string"],
  );
});

test.run();
