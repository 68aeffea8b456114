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

/**
 * `JSON.stringify(doc, null, 2)` and a newline as an output file whose text is produced as it is
 * written: the containers down to `depth` levels are walked here, and each value below them is
 * written as its own indented text. metrics.json and paths.json were each one string (at 1M
 * components about 0.4 and 0.3 GB, with the garbage of their making), made at the end of the output
 * stage on top of everything the analysis holds; their pieces now die young.
 */
export function indentedJsonFile(path: string, doc: unknown, depth = 4): OutputFile {
  return producedFile(path, (put) => {
    const value = jsonValue(doc, "");
    if (value !== undefined) writeIndented(put, value, "", depth);
    put("\n");
  });
}

/**
 * What JSON.stringify writes for `value` as the property `key`: the value after its `toJSON`, or
 * undefined when it writes nothing (undefined, a function, a symbol).
 */
function jsonValue(value: unknown, key: string): unknown {
  if (typeof value === "object" && value !== null) {
    const toJSON = (value as { toJSON?: unknown }).toJSON;
    if (typeof toJSON === "function") value = (toJSON as (k: string) => unknown).call(value, key);
  }
  return value === undefined || typeof value === "function" || typeof value === "symbol" ? undefined : value;
}

/**
 * Whether `v` (a value after its `toJSON`) is walked here rather than written by JSON.stringify: an
 * array or plain object above the depth, or one whose own `toJSON` JSON.stringify would call again
 * (the standard calls it once per property). A boxed primitive is left to JSON.stringify, which
 * unboxes it.
 */
function walked(v: unknown, depth: number): v is object {
  if (typeof v !== "object" || v === null) return false;
  if (v instanceof Number || v instanceof String || v instanceof Boolean) return false;
  return depth > 0 || typeof (v as { toJSON?: unknown }).toJSON === "function";
}

/** Writes `v` (a value after its `toJSON`) as JSON.stringify(v, null, 2) would, at `indent`. */
function writeIndented(put: (piece: string) => void, v: unknown, indent: string, depth: number): void {
  if (!walked(v, depth)) {
    const text = JSON.stringify(v, null, 2);
    // The indented text's line breaks are its own (a string's are escaped): each goes one level in.
    put(indent === "" || typeof v !== "object" ? text : text.replace(/\n/g, `\n${indent}`));
    return;
  }
  const inner = `${indent}  `;
  if (Array.isArray(v)) {
    if (v.length === 0) return put("[]");
    put("[\n");
    for (let i = 0; i < v.length; i++) {
      put(i === 0 ? inner : `,\n${inner}`);
      const item = jsonValue(v[i], String(i));
      if (item === undefined) put("null");
      else writeIndented(put, item, inner, depth - 1);
    }
    return put(`\n${indent}]`);
  }
  let first = true;
  for (const key of Object.keys(v)) {
    const item = jsonValue((v as Record<string, unknown>)[key], key);
    if (item === undefined) continue;
    put(`${first ? "{\n" : ",\n"}${inner}${JSON.stringify(key)}: `);
    first = false;
    writeIndented(put, item, inner, depth - 1);
  }
  put(first ? "{}" : `\n${indent}}`);
}
