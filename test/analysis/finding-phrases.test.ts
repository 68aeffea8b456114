import { test } from "uvu";
import * as assert from "uvu/assert";
import { FLOW_PHRASE, FlowFact } from "../../src/analysis/explain.js";
import { JoinedTexts } from "../../src/analysis/finding-records.js";
import { frontEndOf } from "../helpers/compile.js";

/**
 * Facts and messages kept as phrases or joined texts (ADR 0021 step 2) read exactly as the strings
 * they replace: a flow fact's text and its length worked out without writing it, its JSON, and a
 * message read back from the joined strings, whatever characters it holds and wherever a seal falls.
 */

const front = frontEndOf(`zone vpc "Production VPC" { trust internal }
agent copilot "Support agent" in vpc { autonomy loop }
tool crm "CRM" in vpc { capabilities [write] }
agent helper "Helper" in vpc { autonomy loop }
flow copilot -> crm { kind invoke }
flow copilot -> helper { kind delegate }
`);
const model = front.model;
const PHRASES = [FLOW_PHRASE.PLAIN, FLOW_PHRASE.CARRIES, FLOW_PHRASE.RETURNS, FLOW_PHRASE.CALLS];

/** The text each phrase stood for as a template string before. */
function expected(flow: number, phrase: number, what: string): string {
  const f = model.flows[flow]!;
  const a = model.components[f.from]!.name;
  const b = model.components[f.to]!.name;
  if (phrase === FLOW_PHRASE.PLAIN) return `\`${a} -> ${b}\` (${f.kind}) ${what}`;
  if (phrase === FLOW_PHRASE.CARRIES) return `\`${a} -> ${b}\` (${f.kind}) carries ${what} to \`${b}\``;
  if (phrase === FLOW_PHRASE.RETURNS)
    return `the result of \`${a} -> ${b}\` (${f.kind}) returns ${what} to \`${a}\``;
  return `\`${a} -> ${b}\` (invoke) lets \`${a}\` call \`${b}\``;
}

const WHATS = ["", "data", "`kb` with \u{1F600} and a lone \uD800", "x".repeat(300)];

test("a flow fact's text, length and JSON are the template's", () => {
  assert.ok(model.flows.length >= 2);
  for (let f = 0; f < model.flows.length; f++)
    for (const p of PHRASES)
      for (const w of WHATS) {
        const fact = new FlowFact(model, f, p, w, model.flows[f]!.loc);
        const text = expected(f, p, w);
        assert.is(fact.text, text);
        assert.is(fact.textLength, text.length);
        assert.is(JSON.stringify(fact), JSON.stringify({ text, loc: model.flows[f]!.loc }));
      }
});

test("two facts have the same text exactly when their strings are equal", () => {
  const facts: FlowFact[] = [];
  for (let f = 0; f < model.flows.length; f++)
    for (const p of PHRASES)
      for (const w of [...WHATS, "carries data to `crm`"])
        facts.push(new FlowFact(model, f, p, w, model.flows[f]!.loc));
  for (const a of facts)
    for (const b of facts) {
      assert.is(a.sameText(b), a.text === b.text);
      assert.is(a.sameText({ text: b.text, loc: b.loc }), a.text === b.text);
    }
});

test("joined texts read back as added, across seals", () => {
  const texts = new JoinedTexts();
  const added: { at: number; s: string }[] = [];
  let seed = 7;
  const rand = (n: number): number => (seed = (seed * 1103515245 + 12345) % 2147483648) % n;
  const alphabet = ["a", "`", ":", "é", "\u{1F600}", "\uD800", " "];
  for (let i = 0; i < 3000; i++) {
    let s = "";
    const n = rand(i % 100 === 0 ? 70000 : 200);
    for (let k = 0; k < n; k++) s += alphabet[rand(alphabet.length)]!;
    added.push({ at: texts.add(s), s });
    if (i === 1500) texts.seal();
  }
  texts.seal();
  for (const { at, s } of added) assert.is(texts.read(at, s.length), s);
});

test.run();
