/**
 * Escapers for every output format. Nothing from a model reaches an output without one of these:
 * names, titles and reasons may hold `<script>`, pipes, backticks, newlines or Mermaid syntax.
 */

/** HTML text and attribute values. */
export function escapeHtml(s: string): string {
  // Most text holds none of these: one test. Otherwise one pass per character present with a
  // constant replacement (ampersands first, so no entity is escaped again), several times faster
  // than a replacement function called per match.
  if (!HTML_SPECIAL.test(s)) return s;
  let t = escapeMarkup(s);
  if (t.includes('"')) t = t.replace(/"/g, "&quot;");
  if (t.includes("'")) t = t.replace(/'/g, "&#39;");
  if (t.includes("`")) t = t.replace(/`/g, "&#96;");
  return t;
}

const HTML_SPECIAL = /[&<>"'`]/;

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

/** Inline Markdown text (also safe inside a table cell): markup characters backslash-escaped, newlines folded. */
export function escapeMarkdown(s: string): string {
  return escapeMarkdownWith(s, MARKDOWN_MARKUP, MARKDOWN_SPECIAL);
}

const MARKDOWN_MARKUP = /[\\`*_{}[\]()#+\-.!|~]/g;
/** What `escapeMarkdown` changes: line breaks, entities' characters and MARKDOWN_MARKUP. */
const MARKDOWN_SPECIAL = /[\r\n&<>\\`*_{}[\]()#+\-.!|~]/;

/**
 * `escapeMarkdown` with more characters backslash-escaped: `markup` is a global character class
 * holding every character of MARKDOWN_MARKUP and the others, so one pass escapes them all (a second
 * pass over the escaped text would only find the characters added, since it adds backslashes only).
 * `special`, not global (it is only tested), holds those of `markup`, line breaks, `&`, `<` and `>`:
 * a text with none is returned as it is after one test (most text: a report escapes tens of
 * thousands of message parts and titles).
 */
export function escapeMarkdownWith(s: string, markup: RegExp, special: RegExp): string {
  if (!special.test(s)) return s;
  // String replacements, each pass only when needed, instead of one pass calling a function per
  // character. Entities first: they hold no markup.
  let t = /[\r\n]/.test(s) ? s.replace(/\r\n|\r|\n/g, " ") : s;
  if (/[&<>]/.test(t)) t = t.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");
  return t.replace(markup, "\\$&");
}

/** Code span content: backticks cannot be escaped inside one, so the span is widened instead. */
export function markdownCode(s: string): string {
  const clean = /[\r\n]/.test(s) ? s.replace(/\r\n|\r|\n/g, " ") : s;
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

/** A Mermaid node id derived from a name: stable (a one-line change moves one id), safe characters only. */
export function mermaidId(name: string): string {
  // Most names are identifiers already: the id is the name behind the prefix.
  if (/^[A-Za-z0-9_]*$/.test(name)) return `n_${name}`;
  let out = "n_";
  for (const ch of name) {
    if (/[A-Za-z0-9_]/.test(ch)) out += ch;
    else out += `_${ch.codePointAt(0)!.toString(16)}_`;
  }
  return out;
}
