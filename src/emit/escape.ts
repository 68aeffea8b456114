/**
 * Escapers for every output format. Nothing from a model reaches an output without one of these:
 * names, titles and reasons may hold `<script>`, pipes, backticks, newlines or Mermaid syntax.
 */

import { HIDDEN_CHARS, withoutHidden } from "../hidden-chars.js";

/** HTML text and attribute values (hidden characters as spaces, see hidden-chars.ts). */
export function escapeHtml(s: string): string {
  // Most text holds none of these: one test. Otherwise one pass per character present with a
  // constant replacement (ampersands first, so no entity is escaped again), several times faster
  // than a replacement function called per match.
  if (!HTML_SPECIAL.test(s)) return s;
  let t = escapeMarkup(withoutHidden(s));
  if (t.includes('"')) t = t.replace(/"/g, "&quot;");
  if (t.includes("'")) t = t.replace(/'/g, "&#39;");
  if (t.includes("`")) t = t.replace(/`/g, "&#96;");
  return t;
}

const HTML_SPECIAL = new RegExp(`[&<>"'\`${HIDDEN_CHARS}]`);

/**
 * `&`, `<` and `>` as entities (HTML and XML alike), one pass per character present with a constant
 * replacement, ampersands first so that no entity is escaped again.
 */
export function escapeMarkup(s: string): string {
  let t = s;
  if (t.includes("&")) t = t.replace(/&/g, "&amp;");
  if (t.includes("<")) t = t.replace(/</g, "&lt;");
  if (t.includes(">")) t = t.replace(/>/g, "&gt;");
  return t;
}

/** The characters inline Markdown text backslash-escapes (inside a regex character class). */
const MARKDOWN_MARKUP = "\\\\`*_{}[\\]()#+\\-.!|~";

/**
 * An inline Markdown escaper: hidden characters (hidden-chars.ts: Markdown has no escape for them,
 * and a NUL or a bidirectional override would reach whoever reads the file or the comment) become
 * spaces; MARKDOWN_MARKUP and `extra` (more characters, as they would stand in a regex character
 * class) backslash-escaped in one pass, `&`, `<` and `>` as entities first (they hold no markup),
 * line breaks and tabs folded into spaces (Markdown gives a tab a layout of its own: four columns in
 * a code span, an indented block after a line break). Both of its patterns come from the one list of
 * characters, so the test that lets most text through unchanged (a report escapes tens of thousands
 * of message parts and titles) always matches what the passes would change.
 */
export function markdownEscaper(extra = ""): (s: string) => string {
  const markup = new RegExp(`[${MARKDOWN_MARKUP}${extra}]`, "g");
  const special = new RegExp(`[\\r\\n\\t&<>${MARKDOWN_MARKUP}${extra}${HIDDEN_CHARS}]`);
  return (s) => {
    if (!special.test(s)) return s;
    const t = foldBreaks(s);
    return escapeMarkup(withoutHidden(t)).replace(markup, "\\$&");
  };
}

/** Line breaks (a CRLF as one) and tabs as spaces, for Markdown. */
function foldBreaks(s: string): string {
  return /[\r\n\t]/.test(s) ? s.replace(/\r\n|[\r\n\t]/g, " ") : s;
}

/** Inline Markdown text (also safe inside a table cell): markup characters backslash-escaped, newlines and tabs folded. */
export const escapeMarkdown = markdownEscaper();

/** Code span content: backticks cannot be escaped inside one, so the span is widened instead. */
export function markdownCode(s: string): string {
  const clean = withoutHidden(foldBreaks(s));
  let fence = "`";
  while (clean.includes(fence)) fence += "`";
  const pad = clean.startsWith("`") || clean.endsWith("`") ? " " : "";
  return `${fence}${pad}${clean}${pad}${fence}`;
}

/**
 * A Mermaid label inside `"..."`: quotes and markup become entity codes (`#quot;`), newlines spaces,
 * so a label can never close its quotes, start a link, or inject a `click` directive.
 */
export function mermaidLabel(s: string): string {
  // Most labels (names, titles) hold none of these: one test instead of two replacement passes.
  if (!MERMAID_SPECIAL.test(s)) return s;
  return s.replace(/\r\n|\r|\n/g, " ").replace(/[#"<>&`|{}[\]();:]/g, (c) => `#${c.charCodeAt(0)};`);
}

const MERMAID_SPECIAL = /[\r\n#"<>&`|{}[\]();:]/;

/**
 * A Mermaid node id derived from a name: stable (a one-line change moves one id), safe characters
 * only, and one-to-one, so two names never share a node. A name of letters and digits joined by
 * single underscores (most names) is kept as it is behind `n_`; any other name is spelled behind
 * `n__`, each character that is not an ASCII letter or digit (`_` included) as `_<hex code>_`. The
 * third character tells the two forms apart, and the spelling reads back one way, so `a-b` and
 * `a_2d_b` no longer both became `n_a_2d_b`.
 */
export function mermaidId(name: string): string {
  if (PLAIN_ID.test(name)) return `n_${name}`;
  let out = "n__";
  for (const ch of name) {
    if (/[A-Za-z0-9]/.test(ch)) out += ch;
    else out += `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out;
}

// (Empty, for the groups that name no component: `n_` alone is no name's id.)
const PLAIN_ID = /^(?:[A-Za-z0-9]+(?:_[A-Za-z0-9]+)*)?$/;
