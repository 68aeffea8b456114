/**
 * Escapers for the export formats. Model strings may hold anything a `.aithreat` string can: quotes,
 * commas, backslashes, new lines, NUL and other control characters (`\u{0}`), any Unicode. Each
 * format gets exactly the escaping it defines, and where a format cannot hold a character at all
 * (NUL in PostgreSQL text, C0 controls in XML 1.0) the character becomes U+FFFD, documented in
 * docs/scale.md.
 */

/** The replacement for characters a format cannot represent. */
export const REPLACEMENT = "\uFFFD";

/**
 * One RFC 4180 field: quoted when it holds a comma, quote, CR or LF, or when it is empty (an empty
 * quoted field is an empty string; an unquoted empty field is "no value" for neo4j-admin and
 * PostgreSQL's COPY). Quotes are doubled; nothing else is special.
 */
export function csvField(value: string): string {
  if (value === "" || /[",\r\n]/.test(value) || value.startsWith(" ") || value.endsWith(" "))
    return `"${value.replace(/"/g, '""')}"`;
  return value;
}

/** A CSV row from fields already written with `csvField` (or left empty for "no value"). */
export function csvRow(fields: readonly string[]): string {
  return `${fields.join(",")}\n`;
}

/** Text PostgreSQL can store: NUL is the one character a `text` value cannot hold. */
export function pgText(value: string): string {
  return value.includes("\0") ? value.replace(/\0/g, REPLACEMENT) : value;
}

/**
 * Text for the Neo4j CSV files, NUL replaced as in the PostgreSQL CSV and GraphML (which cannot hold
 * one): the two CSV exports of one model hold the same text, and a NUL, which tools that read text as
 * C strings take for its end, never reaches a bulk importer. Cypher keeps it, as an escape.
 */
export const neo4jText = pgText;

/**
 * A PostgreSQL array literal of text elements (`{"a","b"}`), for a `text[]` column in COPY input:
 * every element double-quoted, backslash and double quote backslash-escaped inside it.
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.map((v) => `"${pgText(v).replace(/[\\"]/g, (c) => `\\${c}`)}"`).join(",")}}`;
}

/**
 * A SQL string literal under `standard_conforming_strings` (on since PostgreSQL 9.1): single quotes
 * doubled, backslashes literal, NUL replaced.
 */
export function sqlString(value: string): string {
  return `'${pgText(value).replace(/'/g, "''")}'`;
}

// Characters XML 1.0 does not allow anywhere, not even as character references.

const XML_INVALID =
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/**
 * XML character data and attribute values: `&`, `<`, `>` and both quotes as entities; CR, LF and TAB
 * as character references, so parsers keep them (XML normalises raw line ends, and raw whitespace in
 * attributes); characters XML 1.0 forbids become U+FFFD.
 */
export function xmlEscape(value: string): string {
  if (!/[&<>"'\u0000-\u001F\uD800-\uDFFF\uFFFE\uFFFF]/.test(value)) return value;
  return value.replace(XML_INVALID, REPLACEMENT).replace(
    /[&<>"'\r\n\t]/g,
    (c) =>
      ({
        "&": "&amp;",
        "<": "&lt;",
        ">": "&gt;",
        '"': "&quot;",
        "'": "&apos;",
        "\r": "&#13;",
        "\n": "&#10;",
        "\t": "&#9;",
      })[c]!,
  );
}

/** What `xmlEscape` keeps of a value, i.e. what a parser reads back. */
export function xmlRoundTrip(value: string): string {
  return value.replace(XML_INVALID, REPLACEMENT);
}

/**
 * A Cypher string literal in single quotes: backslash, quotes and line ends escaped, other control
 * characters as `\uXXXX`, so no value can end the literal or the statement.
 */
export function cypherString(value: string): string {
  let out = "'";
  for (const ch of value) {
    const cp = ch.codePointAt(0)!;
    if (ch === "\\") out += "\\\\";
    else if (ch === "'") out += "\\'";
    else if (ch === '"') out += '\\"';
    else if (ch === "\n") out += "\\n";
    else if (ch === "\r") out += "\\r";
    else if (ch === "\t") out += "\\t";
    else if (cp < 0x20 || cp === 0x7f || cp === 0x2028 || cp === 0x2029)
      out += `\\u${cp.toString(16).padStart(4, "0")}`;
    else out += ch;
  }
  return `${out}'`;
}

/** A number as every export writes it: the shortest text that reads back as the same double. */
export function numberText(value: number): string {
  if (!Number.isFinite(value)) throw new Error(`cannot export the non-finite number ${value}`);
  return Object.is(value, -0) ? "0" : String(value);
}
