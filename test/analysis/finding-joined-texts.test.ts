import { test } from "uvu";
import * as assert from "uvu/assert";
import { JoinedTexts } from "../../src/analysis/finding-records.js";

/**
 * Messages kept joined in long strings (ADR 0021 step 2) read back exactly as added, whatever
 * characters they hold (a surrogate pair, a lone surrogate, Latin-1 and ASCII) and wherever a seal
 * falls (texts longer than one joined string, a seal asked for in between).
 */

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
