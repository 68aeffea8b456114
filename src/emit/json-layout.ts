/**
 * The layout of the large JSON outputs (findings.json, findings.sarif): the envelope indented, and each
 * long list one compact item per line. Indenting every finding made most of a 10k-component
 * findings.json whitespace (149 MB against 96 MB); one item per line keeps the file diffable and
 * greppable line by line (a changed finding is a changed line) at the size of compact JSON.
 */

/** A property path from the document root to an array (`["runs", 0, "results"]`). */
export type JsonPath = readonly (string | number)[];

/**
 * Longest text returned as a string. V8 strings stop at 2^29 - 24 characters, and findings.json of a
 * 100k-component model is about a gigabyte: past this length the text comes back as UTF-8 bytes,
 * encoded chunk by chunk, never joined into one string.
 */
export const MAX_TEXT = 2 ** 28;

/** Items per chunk of a long list: small enough to join, large enough to keep the chunks few. */
const CHUNK_ITEMS = 4096;

/**
 * `JSON.stringify(doc, null, 2)`, except that each array at one of `lines` is written one compact item
 * per line. Ends with a newline. The document is not changed. A text longer than `maxText` is
 * returned as its UTF-8 bytes (the same bytes the string would be written as).
 */
export function jsonWithLines(
  doc: unknown,
  lines: readonly JsonPath[],
  maxText: number = MAX_TEXT,
): string | Uint8Array {
  const arrays: (readonly unknown[])[] = [];
  let root = doc;
  for (const p of lines) {
    const found = arrayAt(root, p);
    if (!found) continue;
    root = replaceAt(root, p, 0, placeholder(arrays.length));
    arrays.push(found);
  }
  // The envelope is small; its text is cut at each placeholder (a string no document holds: it has
  // a NUL, which JSON writes as `\u0000`) and joined once with the lists, so the large text is copied
  // once, not once per list.
  const envelope = JSON.stringify(root, null, 2);
  // Placeholders in the order the text has them (the order of `lines` may differ).
  const spots = arrays
    .map((items, i) => ({ items, quoted: JSON.stringify(placeholder(i)) }))
    .map((x) => ({ ...x, at: envelope.indexOf(x.quoted) }))
    .sort((a, b) => a.at - b.at);
  const pieces: string[] = [];
  let from = 0;
  for (const { items, quoted, at } of spots) {
    const indent = /^ */.exec(envelope.slice(envelope.lastIndexOf("\n", at) + 1, at))![0];
    pieces.push(envelope.slice(from, at), ...itemLines(items, indent));
    from = at + quoted.length;
  }
  pieces.push(envelope.slice(from), "\n");
  let length = 0;
  for (const p of pieces) length += p.length;
  if (length <= maxText) return pieces.join("");
  return Buffer.concat(pieces.map((p) => Buffer.from(p, "utf8")));
}

const placeholder = (i: number) => `\u0000aithreat-json-lines-${i}`;

/** A list one item per line, as chunks of text to be concatenated. */
function itemLines(items: readonly unknown[], indent: string): string[] {
  if (items.length === 0) return ["[]"];
  const inner = `${indent}  `;
  const chunks = ["[\n"];
  for (let start = 0; start < items.length; start += CHUNK_ITEMS) {
    const end = Math.min(items.length, start + CHUNK_ITEMS);
    const parts = new Array<string>(end - start);
    for (let i = start; i < end; i++) parts[i - start] = inner + JSON.stringify(items[i]);
    chunks.push(parts.join(",\n"), end < items.length ? ",\n" : "");
  }
  chunks.push(`\n${indent}]`);
  return chunks;
}

function arrayAt(root: unknown, p: JsonPath): readonly unknown[] | undefined {
  let v: unknown = root;
  for (const k of p) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return Array.isArray(v) ? v : undefined;
}

/** A shallow copy of the containers along `p` with the value at its end replaced. */
function replaceAt(v: unknown, p: JsonPath, i: number, value: unknown): unknown {
  if (i === p.length) return value;
  const k = p[i]!;
  if (Array.isArray(v)) {
    const copy = [...(v as unknown[])];
    copy[k as number] = replaceAt(copy[k as number], p, i + 1, value);
    return copy;
  }
  const o = v as Record<string, unknown>;
  return { ...o, [k]: replaceAt(o[k], p, i + 1, value) };
}
