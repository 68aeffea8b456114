/**
 * The layout of the large JSON outputs (findings.json, findings.sarif): the envelope indented, and each
 * long list one compact item per line. Indenting every finding made most of a 10k-component
 * findings.json whitespace (149 MB against 96 MB); one item per line keeps the file diffable and
 * greppable line by line (a changed finding is a changed line) at the size of compact JSON.
 */

/** A property path from the document root to an array (`["runs", 0, "results"]`). */
export type JsonPath = readonly (string | number)[];

/**
 * `JSON.stringify(doc, null, 2)`, except that each array at one of `lines` is written one compact item
 * per line. Ends with a newline. The document is not changed.
 */
export function jsonWithLines(doc: unknown, lines: readonly JsonPath[]): string {
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
    pieces.push(envelope.slice(from, at), itemLines(items, indent));
    from = at + quoted.length;
  }
  pieces.push(envelope.slice(from), "\n");
  return pieces.join("");
}

const placeholder = (i: number) => `\u0000aithreat-json-lines-${i}`;

function itemLines(items: readonly unknown[], indent: string): string {
  if (items.length === 0) return "[]";
  const inner = `${indent}  `;
  const parts = new Array<string>(items.length);
  for (let i = 0; i < items.length; i++) parts[i] = inner + JSON.stringify(items[i]);
  return `[\n${parts.join(",\n")}\n${indent}]`;
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
