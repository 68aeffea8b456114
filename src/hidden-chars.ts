/**
 * Characters that text outputs never show as they are, inside a regex character class: control
 * characters but tab, line feed and carriage return (each output folds line breaks its own way),
 * Unicode line separators, the bidirectional overrides and isolates (U+202A-U+202E, U+2066-U+2069)
 * and the Arabic letter mark (U+061C), which make text display in another order than it is written
 * ("Trojan Source"): a title could show a reviewer one thing while saying another; and the invisible
 * operators and annotation marks (U+2060-U+2064, U+FFF9-U+FFFB), with the zero-width no-break space
 * (U+FEFF, the byte order mark, an older spelling of the word joiner U+2060). Plain right-to-left
 * text needs none of them. Zero-width joiners and non-joiners stay (emoji sequences and several
 * scripts need them), and so do the left-to-right and right-to-left marks. One list, so the
 * terminal, Markdown, HTML, diagrams and CSV cannot disagree about it (ADR 0014).
 */
export const HIDDEN_CHARS =
  "\\u0000-\\u0008\\u000b\\u000c\\u000e-\\u001f\\u007f-\\u009f\\u061c\\u2028\\u2029\\u202a-\\u202e\\u2060-\\u2064\\u2066-\\u2069\\ufeff\\ufff9-\\ufffb";

/** One of HIDDEN_CHARS. */
export const HIDDEN = new RegExp(`[${HIDDEN_CHARS}]`);

/** Every hidden character replaced by `by` (the string itself when it has none). */
export function withoutHidden(s: string, by = " "): string {
  return HIDDEN.test(s) ? s.replace(HIDDEN_ALL, by) : s;
}

const HIDDEN_ALL = new RegExp(`[${HIDDEN_CHARS}]`, "g");

/** A character as messages name it: `U+0441`. */
export const codePoint = (c: string): string =>
  `U+${c.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`;
