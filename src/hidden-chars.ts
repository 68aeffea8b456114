/**
 * Characters that text outputs never show as they are, inside a regex character class: control
 * characters but tab, line feed and carriage return (each output folds line breaks its own way),
 * Unicode line separators, and the bidirectional overrides and isolates (U+202A-U+202E,
 * U+2066-U+2069), which make text display in another order than it is written ("Trojan Source"):
 * a title could show a reviewer one thing while saying another. Plain right-to-left text needs none
 * of them. One list, so the terminal, Markdown, HTML and diagrams cannot disagree about it.
 */
export const HIDDEN_CHARS =
  "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u2028\\u2029\\u202a-\\u202e\\u2066-\\u2069";

/** One of HIDDEN_CHARS. */
export const HIDDEN = new RegExp(`[${HIDDEN_CHARS}]`);

/** Every hidden character replaced by `by` (the string itself when it has none). */
export function withoutHidden(s: string, by = " "): string {
  return HIDDEN.test(s) ? s.replace(HIDDEN_ALL, by) : s;
}

const HIDDEN_ALL = new RegExp(`[${HIDDEN_CHARS}]`, "g");
