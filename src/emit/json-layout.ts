/**
 * The layout of the large JSON outputs (findings.json, findings.sarif): the envelope indented, and each
 * long list one compact item per line. Indenting every finding made most of a 10k-component
 * findings.json whitespace (149 MB against 96 MB); one item per line keeps the file diffable and
 * greppable line by line (a changed finding is a changed line) at the size of compact JSON.
 */

import type { OutputFile } from "./emitter.js";
import { MAX_TEXT, producedFile, TextSink } from "./text-sink.js";

/** A property path from the document root to an array (`["runs", 0, "results"]`). */
export type JsonPath = readonly (string | number)[];

/**
 * A list written one item per line; `text` writes each item's JSON just before it is written, so a
 * large output never holds every item's JSON shape at once (at 100k components that is millions of
 * objects the collector would trace again and again).
 */
export interface JsonLines {
  readonly path: JsonPath;
  /** The item's compact JSON text, written as is (default: `JSON.stringify(item)`). */
  readonly text?: (item: never) => string;
}

/**
 * `JSON.stringify(doc, null, 2)`, except that each array at one of `lines` is written one compact item
 * per line (through its entry's `text`, when it has one). Ends with a newline. The document is not
 * changed. A text longer than `maxText` is returned as its UTF-8 bytes (the same bytes the string
 * would be written as), encoded as it is produced rather than joined into one string first.
 */
export function jsonWithLines(
  doc: unknown,
  lines: readonly (JsonPath | JsonLines)[],
  maxText: number = MAX_TEXT,
): string | Uint8Array {
  const sink = new TextSink(maxText);
  jsonProducer(doc, lines)((piece) => sink.add(piece));
  return sink.result();
}

/**
 * `jsonWithLines` as an output file, its text produced as it is written (`OutputFile.produce`): the
 * envelope now, each item when its line is written.
 */
export function jsonFile(path: string, doc: unknown, lines: readonly (JsonPath | JsonLines)[]): OutputFile {
  return producedFile(path, jsonProducer(doc, lines));
}

function jsonProducer(
  doc: unknown,
  lines: readonly (JsonPath | JsonLines)[],
): (put: (piece: string) => void) => void {
  const arrays: { items: Items; text: (item: never) => string }[] = [];
  let root = doc;
  for (const entry of lines) {
    const { path, text } = isLines(entry) ? entry : { path: entry, text: undefined };
    const found = arrayAt(root, path);
    if (!found) continue;
    root = replaceAt(root, path, 0, placeholder(arrays.length));
    arrays.push({
      items: found,
      text: text ?? ((item) => JSON.stringify(item)),
    });
  }
  // The envelope is small; its text is cut at each placeholder (a string no document holds: it has
  // a NUL, which JSON writes as `\u0000`) and the lists are written in between.
  const envelope = JSON.stringify(root, null, 2);
  // Placeholders in the order the text has them (the order of `lines` may differ).
  const spots = arrays
    .map((a, i) => ({ ...a, quoted: JSON.stringify(placeholder(i)) }))
    .map((x) => ({ ...x, at: envelope.indexOf(x.quoted) }))
    .sort((a, b) => a.at - b.at);
  return (put) => {
    let from = 0;
    for (const { items, text, quoted, at } of spots) {
      const indent = /^ */.exec(envelope.slice(envelope.lastIndexOf("\n", at) + 1, at))![0];
      put(envelope.slice(from, at));
      writeItems(put, items, text, indent);
      from = at + quoted.length;
    }
    put(envelope.slice(from));
    put("\n");
  };
}

function writeItems(
  put: (piece: string) => void,
  items: Items,
  text: (item: never) => string,
  indent: string,
): void {
  if (items.length === 0) {
    put("[]");
    return;
  }
  const inner = `${indent}  `;
  put("[\n");
  for (let i = 0; i < items.length; i++) {
    put(inner);
    put(text(items.at(i) as never));
    if (i + 1 < items.length) put(",\n");
  }
  put(`\n${indent}]`);
}

// What JSON.stringify escapes in a string: quotes, backslashes, control characters, and lone
// surrogates (written as `\udxxx`; a pair is tested too, and then left to JSON.stringify).
const NEEDS_ESCAPE = /["\\\u0000-\u001f\ud800-\udfff]/;

/**
 * `JSON.stringify(s)` for a string, about twice as fast for the common string that needs no escape
 * (most names, messages and paths): the large outputs write millions of them.
 */
export function jsonString(s: string): string {
  return NEEDS_ESCAPE.test(s) ? JSON.stringify(s) : `"${s}"`;
}

const isLines = (x: JsonPath | JsonLines): x is JsonLines => !Array.isArray(x);

const placeholder = (i: number) => `\u0000aithreat-json-lines-${i}`;

function arrayAt(root: unknown, p: JsonPath): Items | undefined {
  let v: unknown = root;
  for (const k of p) {
    if (typeof v !== "object" || v === null) return undefined;
    v = (v as Record<string | number, unknown>)[k];
  }
  return Array.isArray(v) || isItems(v) ? (v as Items) : undefined;
}

/** A list read by position: an array, or one whose items are made when read (the findings' views). */
type Items = { readonly length: number; at(i: number): unknown };

const isItems = (v: unknown): boolean =>
  typeof v === "object" &&
  v !== null &&
  typeof (v as Items).length === "number" &&
  typeof (v as Items).at === "function";

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
