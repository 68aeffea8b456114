import { HIDDEN } from "../hidden-chars.js";

/** One invalid escape inside a string body; offsets are relative to the body. */
export interface EscapeError {
  readonly offset: number;
  readonly length: number;
  readonly message: string;
}

const SIMPLE: Record<string, string> = { '"': '"', "\\": "\\", n: "\n", t: "\t", r: "\r" };

/** Decodes the escapes of a string body (without its quotes). Invalid escapes are kept verbatim and reported. */
export function decodeString(body: string, multiline = false): { value: string; errors: EscapeError[] } {
  // A triple-quoted string's line ends mean "new line", whatever the checkout's convention.
  if (multiline && body.includes("\r")) body = body.replace(/\r\n?/g, "\n");
  if (!body.includes("\\")) return { value: body, errors: [] };
  const errors: EscapeError[] = [];
  let out = "";
  for (let i = 0; i < body.length; i++) {
    const ch = body[i];
    if (ch !== "\\") {
      out += ch;
      continue;
    }
    const next = body[i + 1];
    if (next === undefined) {
      errors.push({ offset: i, length: 1, message: "a string cannot end with a lone backslash" });
      break;
    }
    const simple = SIMPLE[next];
    if (simple !== undefined) {
      out += simple;
      i++;
      continue;
    }
    if (next === "u") {
      const m = /^\{([0-9a-fA-F]{1,6})\}/.exec(body.slice(i + 2, i + 11));
      const code = m?.[1] ? parseInt(m[1], 16) : NaN;
      if (m && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff)) {
        out += String.fromCodePoint(code);
        i += 1 + m[0].length;
        continue;
      }
      errors.push({
        offset: i,
        length: Math.max(2, m ? m[0].length + 2 : 2),
        message: "invalid unicode escape: write `\\u{` one to six hex digits `}` naming a valid code point",
      });
      out += "\\u";
      i++;
      continue;
    }
    errors.push({ offset: i, length: 2, message: `invalid escape sequence \`\\${next}\`` });
    out += `\\${next}`;
    i++;
  }
  return { value: out, errors };
}

/**
 * Characters a literal writes as `\u{...}`: those text outputs never show (hidden-chars.ts: controls,
 * line separators, bidirectional overrides and isolates, the zero-width no-break space) and the
 * noncharacters U+FFFE and U+FFFF. Written as themselves they show nothing, or reorder what an editor
 * shows, so `aithreat fmt` would turn an escape a reviewer can read into one they cannot see.
 */
function shownAsEscape(ch: string, cp: number): boolean {
  return HIDDEN.test(ch) || cp === 0xfffe || cp === 0xffff;
}

/** Encodes a string value as a `"..."` literal that decodes back to the same value. */
export function encodeString(value: string): string {
  let out = '"';
  for (const ch of value) {
    const cp = ch.codePointAt(0) ?? 0;
    if (ch === '"') out += '\\"';
    else if (ch === "\\") out += "\\\\";
    else if (ch === "\n") out += "\\n";
    else if (ch === "\t") out += "\\t";
    else if (ch === "\r") out += "\\r";
    else if (cp < 0x20 || shownAsEscape(ch, cp)) out += `\\u{${cp.toString(16)}}`;
    else out += ch;
  }
  return out + '"';
}

/**
 * `s` with characters of its own. V8 makes a substring of 13 or more characters (`slice`, a string
 * literal's body, a name) as a view into the string it was cut from, which keeps that whole string
 * alive: the model's names and titles would keep every source text (about 280 MB at 1M components)
 * for as long as the model lives. Joining two halves copies the characters.
 */
export function ownCopy(s: string): string {
  if (s.length < 13) return s;
  const half = s.length >> 1;
  return [s.slice(0, half), s.slice(half)].join("");
}
