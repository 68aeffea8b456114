// The TextMate grammar: up to date with its generator, and highlighting what it should. A small
// interpreter of the TextMate rules the grammar uses (match, begin/end, captures, include) runs it line
// by line, the way editors do; its regexes are read by JavaScript's engine in `u` mode, which the
// generator keeps them compatible with (Oniguruma is what editors use).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { readCommitted } from "../scripts/lib/output.js";
import {
  buildTextMateGrammar,
  propertyNames,
  SCOPE_NAME,
  TEXTMATE_PATH,
  textMateText,
} from "../scripts/lib/textmate.js";
import { FLOW_KIND_NAMES, TRUST_LEVELS } from "../src/semantic/vocabulary.js";
import { COMPONENT_KIND_WORDS, KW } from "../src/syntax/tokens.js";

interface TmRule {
  name?: string;
  match?: string;
  begin?: string;
  end?: string;
  include?: string;
  captures?: Record<string, { name: string }>;
  beginCaptures?: Record<string, { name: string }>;
  endCaptures?: Record<string, { name: string }>;
  patterns?: TmRule[];
}
interface TmGrammar {
  scopeName: string;
  patterns: TmRule[];
  repository: Record<string, TmRule>;
}

const grammar = buildTextMateGrammar() as TmGrammar;

/** One token: its text and the scopes that apply, innermost last. */
interface Tok {
  text: string;
  scopes: string[];
}

const compiled = new Map<string, RegExp>();
const re = (source: string): RegExp => {
  let r = compiled.get(source);
  if (!r) compiled.set(source, (r = new RegExp(source, "dgu")));
  return r;
};

function flatten(rules: readonly TmRule[]): TmRule[] {
  return rules.flatMap((r) => {
    if (r.include) {
      const target = grammar.repository[r.include.slice(1)];
      if (!target) throw new Error(`unknown include ${r.include}`);
      return flatten([target]);
    }
    if (!r.match && !r.begin && r.patterns) return flatten(r.patterns);
    return [r];
  });
}

function tokenize(text: string): Tok[][] {
  const stack: { rule: TmRule; scopes: string[] }[] = [];
  const out: Tok[][] = [];
  for (const line of text.split("\n")) {
    const toks: Tok[] = [];
    const scopesNow = () => [SCOPE_NAME, ...(stack[stack.length - 1]?.scopes ?? [])];
    // Whitespace separates tokens even inside one scope, so a test can ask for one word.
    const emit = (s: string, scopes: string[]) => {
      for (const part of s.split(/(\s+)/)) if (part) toks.push({ text: part, scopes });
    };
    // Emits a match, split by its capture groups (flat: the grammar nests none).
    const emitMatch = (m: RegExpExecArray, base: string[], caps?: Record<string, { name: string }>) => {
      const whole = caps?.["0"] ? [...base, caps["0"].name] : base;
      let at = m.index;
      const parts = Object.entries(caps ?? {})
        .filter(([k]) => k !== "0")
        .map(([k, v]) => ({ span: m.indices?.[Number(k)], name: v.name }))
        .filter((p): p is { span: [number, number]; name: string } => p.span !== undefined)
        .sort((a, b) => a.span[0] - b.span[0]);
      for (const p of parts) {
        emit(line.slice(at, p.span[0]), whole);
        emit(line.slice(p.span[0], p.span[1]), [...whole, p.name]);
        at = p.span[1];
      }
      emit(line.slice(at, m.index + m[0].length), whole);
    };
    let pos = 0;
    for (let guard = 0; pos <= line.length && guard < 10_000; guard++) {
      const top = stack[stack.length - 1];
      const rules = flatten(top ? (top.rule.patterns ?? []) : grammar.patterns);
      let best: { m: RegExpExecArray; rule?: TmRule } | undefined;
      if (top) {
        const r = re(top.rule.end!);
        r.lastIndex = pos;
        const m = r.exec(line);
        if (m) best = { m };
      }
      for (const rule of rules) {
        const r = re(rule.match ?? rule.begin!);
        r.lastIndex = pos;
        const m = r.exec(line);
        if (m && m[0].length > 0 && (!best || m.index < best.m.index)) best = { m, rule };
      }
      if (!best) {
        emit(line.slice(pos), scopesNow());
        break;
      }
      const { m, rule } = best;
      emit(line.slice(pos, m.index), scopesNow());
      if (!rule) {
        emitMatch(m, scopesNow(), top!.rule.endCaptures);
        stack.pop();
      } else if (rule.match) {
        emitMatch(m, rule.name ? [...scopesNow(), rule.name] : scopesNow(), rule.captures);
      } else {
        const scopes = rule.name ? [...(top?.scopes ?? []), rule.name] : [...(top?.scopes ?? [])];
        emitMatch(m, [SCOPE_NAME, ...scopes], rule.beginCaptures);
        stack.push({ rule, scopes });
      }
      pos = m.index + m[0].length;
      if (pos >= line.length && !stack.length) break;
      if (pos >= line.length && m[0].length === 0) break;
    }
    out.push(toks);
  }
  return out;
}

/** The innermost scope of the first token whose text is `text` (after `after` tokens with that text). */
function scopeOf(source: string, text: string, nth = 0): string | undefined {
  const hits = tokenize(source)
    .flat()
    .filter((t) => t.text === text);
  const t = hits[nth];
  if (!t)
    throw new Error(`no token \`${text}\` in ${JSON.stringify(source)}: ${JSON.stringify(tokenize(source))}`);
  return t.scopes.length > 1 ? t.scopes[t.scopes.length - 1] : undefined;
}

test(`${TEXTMATE_PATH} is up to date (npm run gen:textmate)`, () => {
  const committed = readCommitted(TEXTMATE_PATH);
  assert.ok(committed, `${TEXTMATE_PATH} is missing: run npm run gen:textmate`);
  assert.ok(committed === textMateText(), `${TEXTMATE_PATH} is stale: run npm run gen:textmate`);
  assert.is((JSON.parse(committed) as TmGrammar).scopeName, "source.aithreat");
});

test("every regex compiles and every include resolves", () => {
  const visit = (r: TmRule) => {
    for (const src of [r.match, r.begin, r.end]) if (src !== undefined) re(src);
    if (r.include) assert.ok(grammar.repository[r.include.slice(1)], r.include);
    r.patterns?.forEach(visit);
  };
  grammar.patterns.forEach(visit);
  Object.values(grammar.repository).forEach(visit);
});

test("declarations, statements and the arrow", () => {
  const src = 'zone vpc "Production VPC" {\n  agent copilot "Support agent" { autonomy loop }\n}';
  assert.is(scopeOf(src, "zone"), "keyword.other.statement.aithreat");
  assert.is(scopeOf(src, "vpc"), "entity.name.type.aithreat");
  assert.is(scopeOf(src, "agent"), "storage.type.component.aithreat");
  assert.is(scopeOf(src, "copilot"), "entity.name.type.aithreat");
  assert.is(scopeOf('store cafe\u0301 "Café"', "cafe\u0301"), "entity.name.type.aithreat");
  assert.is(scopeOf(src, "VPC"), "string.quoted.double.aithreat");
  assert.is(scopeOf(src, "autonomy"), "variable.other.property.aithreat");
  assert.is(scopeOf(src, "loop"), undefined);
  assert.is(scopeOf(src, "{"), "punctuation.section.block.begin.aithreat");
  const flow = 'flow reply: copilot -> mailer "send reply" { kind invoke  auth session }';
  assert.is(scopeOf(flow, "flow"), "keyword.other.statement.aithreat");
  assert.is(scopeOf(flow, "reply"), "entity.name.function.flow.aithreat");
  assert.is(scopeOf(flow, "->"), "keyword.operator.arrow.aithreat");
  assert.is(scopeOf(flow, "kind"), "variable.other.property.aithreat");
  assert.is(scopeOf(flow, "invoke"), "support.constant.flow-kind.aithreat");
  assert.is(scopeOf(flow, "auth"), "variable.other.property.aithreat");
  assert.is(scopeOf("flow a->b { kind prompt }", "->"), "keyword.operator.arrow.aithreat");
  const acc = 'accept AT-33 on copilot { reason "r"  owner "secops"  expires 2027-03-31 }';
  assert.is(scopeOf(acc, "accept"), "keyword.other.statement.aithreat");
  assert.is(scopeOf(acc, "on"), "keyword.other.preposition.aithreat");
  assert.is(scopeOf(acc, "2027-03-31"), "constant.numeric.date.aithreat");
  assert.is(scopeOf('import "./shared/zones.aithreat"', "import"), "keyword.control.import.aithreat");
  assert.is(scopeOf('actor customer "Customer" in internet', "in"), "keyword.other.preposition.aithreat");
  assert.is(scopeOf("system { owner x }", "system"), "keyword.other.statement.aithreat");
});

test("values: trust levels, booleans, numbers, names that only look like them", () => {
  assert.is(scopeOf("zone z { trust untrusted }", "untrusted"), "support.constant.trust-level.aithreat");
  assert.is(scopeOf("model m { verified true }", "true"), "constant.language.boolean.aithreat");
  assert.is(scopeOf("control c { cost 2.5 }", "2.5"), "constant.numeric.aithreat");
  // Parts of longer names stay names, as the lexer reads them.
  for (const [src, text] of [
    ["accept AT-33 on x", "AT-33"],
    ["tags [zones, in_house, data-set, AML.M0007]", "zones"],
    ["tags [zones, in_house, data-set, AML.M0007]", "in_house"],
    ["tags [zones, in_house, data-set, AML.M0007]", "data-set"],
    ["tags [zones, in_house, data-set, AML.M0007]", "AML.M0007"],
    // Combining marks continue a name, as in the lexer: a decomposed `modèl` is no `model` keyword.
    ["tags [mode\u0300l, model\u0301]", "mode\u0300l"],
    ["tags [mode\u0300l, model\u0301]", "model\u0301"],
  ] as const) {
    const toks = tokenize(src).flat();
    assert.ok(
      toks.some((t) => t.text === text && t.scopes.length === 1),
      `${text} in ${src}: ${JSON.stringify(toks)}`,
    );
  }
  // A property name used as a value (`repository` is also a source type) is not a property there.
  assert.is(scopeOf("source s { type repository }", "repository"), undefined);
});

test("comments and strings hide what is inside them", () => {
  assert.is(scopeOf('// zone "x" -> 12', "zone"), "comment.line.double-slash.aithreat");
  assert.is(scopeOf('// zone "x" -> 12', "12"), "comment.line.double-slash.aithreat");
  const block = tokenize("/* zone\n flow */ zone z");
  assert.ok(block[0]!.every((t) => t.scopes.includes("comment.block.aithreat")));
  assert.is(block[1]!.find((t) => t.text === "zone")?.scopes.at(-1), "keyword.other.statement.aithreat");
  const str = String.raw`"a \"q\" \n \u{1F600} \q // not a comment"`;
  assert.is(scopeOf(str, String.raw`\n`), "constant.character.escape.aithreat");
  assert.is(scopeOf(str, "comment"), "string.quoted.double.aithreat");
  assert.is(scopeOf(str, String.raw`\u{1F600}`), "constant.character.escape.aithreat");
  assert.is(scopeOf(str, String.raw`\q`), "invalid.illegal.escape.aithreat");
  // An unterminated string ends with its line, as in the lexer.
  assert.is(scopeOf('zone z "abc\nzone y', "zone", 1), "keyword.other.statement.aithreat");
  // Triple-quoted strings span lines and end at the first `"""`, backslash or not.
  const triple = tokenize('zone z """a "quote"\nzone \\"""\nzone y');
  assert.ok(
    triple[1]!
      .filter((t) => t.text === "zone")
      .every((t) => t.scopes.includes("string.quoted.triple.aithreat")),
  );
  assert.is(triple[1]!.find((t) => t.text === "\\")?.scopes.at(-1), "invalid.illegal.escape.aithreat");
  assert.is(triple[2]!.find((t) => t.text === "zone")?.scopes.at(-1), "keyword.other.statement.aithreat");
});

test("the whole vocabulary is highlighted", () => {
  for (const k of FLOW_KIND_NAMES)
    assert.is(scopeOf(`flow a -> b { kind ${k} }`, k), "support.constant.flow-kind.aithreat", k);
  for (const t of TRUST_LEVELS)
    assert.is(scopeOf(`zone z { trust ${t} }`, t), "support.constant.trust-level.aithreat");
  for (const w of COMPONENT_KIND_WORDS) {
    assert.is(scopeOf(`${w} x`, w), "storage.type.component.aithreat", w);
    assert.is(scopeOf(`kinds [${w}]`, w), "storage.type.component.aithreat", w);
  }
  for (const w of Object.keys(KW)) assert.match(scopeOf(`${w} "t"`, w) ?? "", /^keyword\./, w);
  for (const p of propertyNames())
    assert.is(scopeOf(`x { ${p} "v" }`, p), "variable.other.property.aithreat", p);
});

test.run();
