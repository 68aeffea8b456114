/**
 * escapeMarkdown against a plain per-character reference: the fast version (string replacements,
 * passes skipped when not needed) must give the same text for any input.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { escapeMarkdown } from "../../src/emit/escape.js";

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const MARKUP = new Set("\\`*_{}[]()#+-.!|~");

function reference(s: string): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\r" && s[i + 1] === "\n") continue; // CRLF folds to one space, at the \n
    if (c === "\r" || c === "\n") out += " ";
    else if (ENTITY[c]) out += ENTITY[c];
    else if (MARKUP.has(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

test("escapeMarkdown equals the per-character reference", () => {
  const markupHeavy = fc.string({
    unit: fc.constantFrom(..."\\`*_{}[]()#+-.!|~&<>\r\n ab:;=$@é😀"),
    maxLength: 40,
  });
  fc.assert(
    fc.property(fc.oneof(markupHeavy, fc.string({ unit: "grapheme" })), (s) => {
      assert.is(escapeMarkdown(s), reference(s));
    }),
    { numRuns: 2000 },
  );
  assert.is(escapeMarkdown("a\r\nb\rc\nd"), "a b c d");
  assert.is(escapeMarkdown("<b>&amp;</b>"), "&lt;b&gt;&amp;amp;&lt;/b&gt;");
});

test.run();
