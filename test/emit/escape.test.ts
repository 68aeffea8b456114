/**
 * escapeMarkdown, escapeHtml, mermaidLabel and JUnit's xmlText against plain per-character
 * references: the fast versions (string replacements, passes skipped when not needed) must give the
 * same text for any input.
 */
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { escapeHtml, escapeMarkdown, markdownCode, mermaidId, mermaidLabel } from "../../src/emit/escape.js";
import { Identifier } from "../../src/syntax/tokens.js";
import { xmlText } from "../../src/emit/junit.js";
import { terminalText } from "../../src/diagnostics/format.js";
import { MARKDOWN } from "../../src/emit/report-view.js";

const ENTITY: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;" };
const MARKUP = new Set("\\`*_{}[]()#+-.!|~");
/**
 * What Markdown and HTML show as a space: control characters but tab, line separators, the
 * bidirectional overrides and isolates, invisible marks and the zero-width no-break space (written
 * out here, not taken from hidden-chars.ts).
 */
const CONTROL =
  /^[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f\u061c\u2028\u2029\u202a-\u202e\u2060-\u2064\u2066-\u2069\ufeff\ufff9-\ufffb]$/;

function reference(s: string, markup: ReadonlySet<string> = MARKUP): string {
  let out = "";
  for (let i = 0; i < s.length; i++) {
    const c = s[i]!;
    if (c === "\r" && s[i + 1] === "\n") continue; // CRLF folds to one space, at the \n
    // Line breaks and tabs fold into spaces: Markdown gives a tab a layout of its own.
    if (c === "\r" || c === "\n" || c === "\t") out += " ";
    else if (CONTROL.test(c)) out += " ";
    else if (ENTITY[c]) out += ENTITY[c];
    else if (markup.has(c)) out += `\\${c}`;
    else out += c;
  }
  return out;
}

test("escapeMarkdown equals the per-character reference", () => {
  const markupHeavy = fc.string({
    unit: fc.constantFrom(
      ..."\\`*_{}[]()#+-.!|~&<>\r\n\t ab:;=$@é😀\u0000\u001b\u0085\u2028\u202e\u2067\u061c\u2061\ufffa\u200d\ufeff",
    ),
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
  // NUL, ESC and BEL would reach a terminal or a pull-request comment: spaces, like line breaks.
  assert.is(escapeMarkdown("a\u0000b\u001b[2Jc\u0007d\te"), "a b \\[2Jc d e");
  // A tab and a zero-width no-break space (U+FEFF, invisible) as in a title: spaces, as the rest.
  assert.is(escapeMarkdown("Cust\tomer\ufeffdata"), "Cust omer data");
  // A right-to-left override would show a reviewer the text backwards: a space too.
  assert.is(escapeMarkdown("invoice\u202Efdp.exe"), "invoice fdp\\.exe");
});

test("Markdown text in reports (one pass, `=`, `$`, `:` and `@` escaped too) equals the per-character reference", () => {
  const reportMarkup = new Set([...MARKUP, ..."=$:@"]);
  const markupHeavy = fc.string({
    unit: fc.constantFrom(
      ..."\\`*_{}[]()#+-.!|~&<>\r\n\t ab:;=$@é😀\u0000\u001b\u0085\u2028\u202e\u2067\u061c\u2061\ufffa\u200d\ufeff",
    ),
    maxLength: 40,
  });
  fc.assert(
    fc.property(fc.oneof(markupHeavy, fc.string({ unit: "grapheme" })), (s) => {
      assert.is(MARKDOWN.text(s), reference(s, reportMarkup));
    }),
    { numRuns: 2000 },
  );
  assert.is(MARKDOWN.text("a=b $x$ https://h @u"), "a\\=b \\$x\\$ https\\://h \\@u");
});

test("markdownCode: line breaks folded, the fence one backtick longer than any run inside, padded when needed", () => {
  const reference = (s: string) => {
    const clean = s.replace(/\r\n|[\r\n\t]/g, " ").replace(new RegExp(CONTROL.source.slice(1, -1), "g"), " ");
    let fence = "`";
    while (clean.includes(fence)) fence += "`";
    const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
    return `${fence}${pad}${clean}${pad}${fence}`;
  };
  fc.assert(
    fc.property(
      fc.string({ unit: fc.constantFrom(..."`a \r\n\t\u0000\u001b\u202d\ufeff"), maxLength: 20 }),
      (s) => {
        assert.is(markdownCode(s), reference(s));
      },
    ),
    { numRuns: 1000 },
  );
  assert.is(markdownCode("a\r\nb"), "`a b`");
  assert.is(markdownCode("`x``"), "``` `x`` ```");
});

/** Text rich in every character the escapers below treat specially. */
const specialHeavy = fc.string({
  unit: fc.constantFrom(
    ..."&<>\"'`#|{}[]();:\r\n\t ab&amp;é😀\u0000\u0008\ufffe\ufeff\ud800\udc00\u202e\u2066",
  ),
  maxLength: 40,
});
const anyText = fc.oneof(specialHeavy, fc.string({ unit: "grapheme" }), fc.string({ unit: "binary" }));

/** Each character through `map` (a string of one UTF-16 unit, or a pair when `pairs`). */
function perCharacter(s: string, map: (c: string) => string, pairs = false): string {
  let out = "";
  for (const c of pairs ? Array.from(s) : s.split("")) out += map(c);
  return out;
}

const HTML: Record<string, string> = {
  "&": "&amp;",
  "<": "&lt;",
  ">": "&gt;",
  '"': "&quot;",
  "'": "&#39;",
  "`": "&#96;",
};

test("escapeHtml equals the per-character reference", () => {
  fc.assert(
    fc.property(anyText, (s) => {
      assert.is(
        escapeHtml(s),
        perCharacter(s, (c) => (CONTROL.test(c) ? " " : (HTML[c] ?? c))),
      );
    }),
    { numRuns: 2000 },
  );
  assert.is(escapeHtml("&lt;"), "&amp;lt;");
});

test("mermaidLabel equals the per-character reference", () => {
  const mermaid = (s: string) =>
    perCharacter(s.replace(/\r\n/g, "\n"), (c) =>
      c === "\r" || c === "\n" ? " " : '#"<>&`|{}[]();:'.includes(c) ? `#${c.charCodeAt(0)};` : c,
    );
  fc.assert(
    fc.property(anyText, (s) => {
      assert.is(mermaidLabel(s), mermaid(s));
    }),
    { numRuns: 2000 },
  );
  assert.is(mermaidLabel("a #35; b"), "a #35;35#59; b");
});

test("terminalText: hidden characters and carriage returns as `?`, tabs and line feeds kept", () => {
  fc.assert(
    fc.property(anyText, (s) => {
      assert.is(
        terminalText(s),
        perCharacter(s, (c) => (c === "\r" || CONTROL.test(c) ? "?" : c)),
      );
    }),
    { numRuns: 2000 },
  );
  assert.is(terminalText("a\tb\nc\u001b[2J\u202Ed"), "a\tb\nc?[2J?d");
});

test("xmlText equals the per-character reference", () => {
  const xmlValid = (cp: number) =>
    cp === 9 ||
    cp === 10 ||
    cp === 13 ||
    (cp >= 0x20 && cp <= 0xd7ff) ||
    (cp >= 0xe000 && cp <= 0xfffd) ||
    cp >= 0x10000;
  const xml = (s: string) =>
    perCharacter(
      s,
      (c) => {
        if (!xmlValid(c.codePointAt(0)!)) return "\ufffd";
        return c === "&" ? "&amp;" : c === "<" ? "&lt;" : c === ">" ? "&gt;" : c;
      },
      true,
    );
  fc.assert(
    fc.property(anyText, (s) => {
      assert.is(xmlText(s), xml(s));
    }),
    { numRuns: 2000 },
  );
  assert.is(xmlText("a -> b && c <d>"), "a -&gt; b &amp;&amp; c &lt;d&gt;");
});

test("mermaidId: safe characters only, and two different names never share an id", () => {
  const isName = (s: string) => {
    const m = (Identifier.PATTERN as { exec: (t: string, offset: number) => RegExpExecArray | null }).exec(
      s,
      0,
    );
    return m !== null && m[0] === s;
  };
  // Look-alikes of the escapes among the names the language allows.
  const pieces = ["a", "b", "Z", "9", "_", "-", ".", "2d", "2e", "_2d_", "__", "é", "n", "5f", "x_"];
  const name = fc
    .array(fc.constantFrom(...pieces), { minLength: 1, maxLength: 7 })
    .map((xs) => xs.join(""))
    .filter(isName);
  fc.assert(
    fc.property(name, name, (a, b) => {
      assert.match(mermaidId(a), /^n_[A-Za-z0-9_]+$/);
      if (a !== b) assert.is.not(mermaidId(a), mermaidId(b), `${a} and ${b}`);
    }),
    { numRuns: 5000 },
  );
  for (const [a, b] of [
    ["a-b", "a_2d_b"],
    ["q.r", "q_2e_r"],
    ["a__b", "a_5f_b"],
    ["_a", "a"],
  ] as const) {
    assert.ok(isName(a) && isName(b), `${a} and ${b} are names`);
    assert.is.not(mermaidId(a), mermaidId(b), `${a} and ${b}`);
  }
  // The common names keep the short form, so their diagrams read as before.
  assert.is(mermaidId("chat_api"), "n_chat_api");
  assert.is(mermaidId("a-b"), "n__a_2d_b");
});

test.run();
