// Ties grammar/aithreat.ebnf and grammar/diagrams.html to the parser and lexer they describe, so the
// normative grammar cannot drift from the implementation without a failing test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildDiagramsHtml, DIAGRAMS_PATH } from "../scripts/lib/diagrams.js";
import { matchesRule, parseEbnf, references, show, terminalsOf, type EbnfRule } from "../scripts/lib/ebnf.js";
import { gastToExpr, serializedGrammar, tokenTerms } from "../scripts/lib/grammar-terms.js";
import { readCommitted } from "../scripts/lib/output.js";
import { COMPONENT_KIND_NAMES } from "../src/semantic/vocabulary.js";
import { decodeString } from "../src/syntax/strings.js";
import {
  COMPONENT_KIND_WORDS,
  DeclKeyword,
  Keyword,
  KW,
  theLexer,
  RESERVED_WORDS,
  MalformedNumber,
  Unexpected,
  UnterminatedComment,
  UnterminatedString,
} from "../src/syntax/tokens.js";

const ebnfText = readCommitted("grammar/aithreat.ebnf");
const rules: Map<string, EbnfRule> = parseEbnf(ebnfText ?? "");
const productions = serializedGrammar();
const parserRules = productions.map((p) => p.name!);

const sorted = (xs: Iterable<string>) => [...xs].sort();

/** Rules reachable from `start`, not following references into `stop`. */
function reachable(start: string, stop: ReadonlySet<string> = new Set()): Set<string> {
  const seen = new Set<string>([start]);
  const queue = [start];
  while (queue.length > 0) {
    const r = rules.get(queue.pop()!);
    if (!r) continue;
    for (const ref of references(r.body))
      if (!seen.has(ref) && !stop.has(ref)) {
        seen.add(ref);
        queue.push(ref);
      }
  }
  return seen;
}

// The lexical rules the syntactic grammar uses as terminals: the ones tokens map to.
const lexicalTerminals = new Set(tokenTerms().flatMap(({ term }) => (term?.t === "ref" ? [term.name] : [])));

test("the EBNF file exists and parses", () => {
  assert.ok(ebnfText, "grammar/aithreat.ebnf is missing");
  assert.ok(rules.size > 20);
});

test("every rule the EBNF refers to is defined, and every rule is used", () => {
  const defined = new Set(rules.keys());
  for (const r of rules.values())
    for (const ref of references(r.body))
      assert.ok(defined.has(ref), `rule \`${r.name}\` (line ${r.line}) refers to undefined \`${ref}\``);
  // Three entry points: the syntax, the token stream, and the escapes checked inside strings.
  const used = new Set([...reachable("file"), ...reachable("tokenStream"), ...reachable("escapeSequence")]);
  for (const name of defined) assert.ok(used.has(name), `rule \`${name}\` is defined but never used`);
});

test("every parser rule is in the EBNF with the same structure", () => {
  for (const p of productions) {
    const rule = rules.get(p.name!);
    assert.ok(rule, `parser rule \`${p.name}\` is missing from grammar/aithreat.ebnf`);
    const fromParser = gastToExpr(p);
    assert.equal(
      rule.body,
      fromParser,
      `rule \`${p.name}\` differs:\n  parser: ${p.name} = ${show(fromParser)} ;\n  EBNF:   ${p.name} = ${show(rule.body)} ;`,
    );
  }
});

test("the EBNF has no syntactic rule the parser lacks", () => {
  const syntactic = reachable("file", lexicalTerminals);
  for (const t of lexicalTerminals) syntactic.delete(t);
  assert.equal(sorted(syntactic), sorted(parserRules));
});

test("every token has an EBNF term the EBNF defines", () => {
  const literals = new Set([...terminalsOf(rules, "punctuator"), ...terminalsOf(rules, "reservedWord")]);
  for (const { token, term } of tokenTerms()) {
    if (
      token === UnterminatedComment ||
      token === UnterminatedString ||
      token === MalformedNumber ||
      token === Unexpected
    ) {
      assert.is(term, null);
      continue;
    }
    assert.ok(term, `token ${token.name} has no term`);
    if (term.t === "ref") assert.ok(rules.has(term.name), `${token.name}: rule \`${term.name}\` missing`);
    if (term.t === "lit") assert.ok(literals.has(term.text), `${token.name}: "${term.text}" missing`);
  }
});

test("keyword lists match tokens.ts and the vocabulary", () => {
  assert.equal(sorted(terminalsOf(rules, "statementKeyword")), sorted(Object.keys(KW)));
  assert.equal(sorted(terminalsOf(rules, "componentKind")), sorted(COMPONENT_KIND_WORDS));
  assert.equal(sorted(terminalsOf(rules, "reservedWord")), sorted(RESERVED_WORDS));
  const declWords = tokenTerms()
    .filter(({ token }) => token.CATEGORIES?.includes(DeclKeyword))
    .map(({ token }) => token.name.slice("Kw_".length));
  assert.equal(sorted(terminalsOf(rules, "declKeyword")), sorted(declWords));
  assert.equal(
    sorted(COMPONENT_KIND_WORDS),
    sorted(COMPONENT_KIND_NAMES),
    "tokens.ts and vocabulary.ts disagree",
  );
  for (const word of RESERVED_WORDS) assert.ok(ebnfText?.includes(`"${word}"`), `reserved word ${word}`);
});

// The lexical rule a token belongs to: its term, with terminal strings folded into their lists.
function ruleOfToken(name: string, categories: readonly unknown[] | undefined): string | undefined {
  if (categories?.includes(Keyword)) return "reservedWord";
  const term = tokenTerms().find(({ token }) => token.name === name)?.term;
  if (!term) return undefined;
  return term.t === "ref" ? term.name : "punctuator";
}

test("the EBNF lists token kinds in the lexer's order", () => {
  const order: string[] = [];
  for (const { token } of tokenTerms()) {
    const r = ruleOfToken(token.name, token.CATEGORIES);
    if (r && !["whitespace", "lineComment", "blockComment", "declKeyword"].includes(r) && !order.includes(r))
      order.push(r);
  }
  const tokenRule = rules.get("token")!.body;
  assert.equal(tokenRule.t === "alt" ? tokenRule.items.map(show) : [], order);
});

const TOKEN_RULES = [
  "whitespace",
  "lineComment",
  "blockComment",
  "tripleString",
  "string",
  "date",
  "number",
  "punctuator",
  "reservedWord",
  "name",
];

// Lexemes on both sides of each lexical rule's edges. The lexer decides what each one is; the EBNF
// must agree (a sample the lexer does not read as exactly one token matches no token rule).
const SAMPLES = [
  ...["zone", "zones", "data", "dataset", "data-set", "dataset_v2", "in", "int", "in_house", "on"],
  ...["mcp_server", "Zone", "true", "_x", "x1", "données", "名前", "a²", "café", "cafe\u0301"],
  ...["AT-33", "AML.M0007", "eu-west", "a.b-c.d", "a.", "a-", "a..b", "a->b", "x-1", "zone.x", "-x"],
  ...["1x", "12", "3.14", "3.", ".5", "007", "1.2.3", "2027-03-31", "2027-3-31", "20270331", "2027-03-31x"],
  ...['""', '"a"', '"a\\"b"', '"a\\qb"', '"a\\\\"', '"a\nb"', '"a', '"é \\u{1F600}"', '"a"b"'],
  ...['""""""', '"""x\ny"""', '"""a " b ""c"""', '"""a"""b"""', '"""a', '"""a\\"""'],
  ...["// note", "//", "// a\nb", "/* a */", "/* a\n b */", "/**/", "/* a */ */", "/* a"],
  ...[" ", "\t\r\n", "\u00a0", "\ufeff", "\u2003", "\u2028", " \f\v"],
  ...["->", "{", "}", "[", "]", ",", ":", "-", ">", ";", "$", "=", "->>"],
];

function lexerVerdict(sample: string): string | undefined {
  const r = theLexer().tokenize(sample);
  if (r.errors.length > 0) return undefined;
  const comments = r.groups["comments"] ?? [];
  const all = [...r.tokens, ...comments];
  if (all.length === 0) return sample.length > 0 ? "whitespace" : undefined;
  if (all.length !== 1) return undefined;
  const t = all[0]!;
  if (t.image !== sample) return undefined; // whitespace around the token
  return ruleOfToken(t.tokenType.name, t.tokenType.CATEGORIES);
}

test("lexical rules accept exactly what the lexer reads as that token", () => {
  for (const sample of SAMPLES) {
    const want = lexerVerdict(sample);
    const got = TOKEN_RULES.filter((r) => matchesRule(rules, r, sample));
    assert.equal(got, want ? [want] : [], `sample ${JSON.stringify(sample)}`);
  }
});

test("escapeSequence accepts exactly the escapes the string decoder accepts", () => {
  const samples = [
    ...['\\"', "\\\\", "\\n", "\\t", "\\r", "\\u{41}", "\\u{1F600}", "\\u{10FFFF}", "\\u{0}", "\\u{00D7FF}"],
    ...["\\u{E000}", "\\u{110000}", "\\u{D800}", "\\u{dfff}", "\\u{0D800}", "\\u{FFFFFF}", "\\u{1000000}"],
    ...["\\u{}", "\\u{12345g}", "\\u41", "\\q", "\\'", "\\0", "\\b", "\\u{100000}", "\\u{10ffff}"],
  ];
  for (const s of samples) {
    const decoded = decodeString(s);
    const ok = decoded.errors.length === 0 && Array.from(decoded.value).length === 1;
    assert.is(matchesRule(rules, "escapeSequence", s), ok, `escape ${JSON.stringify(s)}`);
  }
});

test(`${DIAGRAMS_PATH} is up to date (npm run gen:grammar)`, () => {
  const committed = readCommitted(DIAGRAMS_PATH);
  assert.ok(committed, `${DIAGRAMS_PATH} is missing: run npm run gen:grammar`);
  assert.ok(committed === buildDiagramsHtml(), `${DIAGRAMS_PATH} is stale: run npm run gen:grammar`);
});

test("the diagrams page loads nothing from the network", () => {
  const html = buildDiagramsHtml();
  assert.not.match(html, /<script[^>]+src=/i);
  assert.not.match(html, /<link[^>]+href=/i);
  for (const rule of parserRules) assert.ok(html.includes(`"name": "${rule}"`), rule);
});

test.run();
