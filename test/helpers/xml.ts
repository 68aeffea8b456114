/**
 * A small, strict XML 1.0 reader for tests: it rejects what a conforming parser rejects in the
 * documents aithreat writes (unbalanced or crossed tags, unquoted or duplicate attributes, a raw `<`
 * or `&` in text, unknown entities, characters XML forbids, a second root) and returns the element
 * tree with entities decoded, for content assertions. No DTDs, CDATA, comments or namespaces: the
 * writers never produce them, so meeting one is an error too.
 */

/** An element with its attributes, children and text (text of direct children only, decoded). */
export interface XmlElement {
  name: string;
  attrs: Record<string, string>;
  children: XmlElement[];
  text: string;
}

const NAME = /^[A-Za-z_][\w.-]*/;
// Characters XML 1.0 allows (production [2] Char).
const CHAR = /^[\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]*$/u;

function decode(raw: string, where: number): string {
  if (/</.test(raw)) throw new Error(`raw '<' in text or attribute at ${where}`);
  return raw.replace(/&([^;]*);|&/g, (m, ent: string | undefined) => {
    if (ent === undefined) throw new Error(`bare '&' at ${where}`);
    const named: Record<string, string> = { amp: "&", lt: "<", gt: ">", quot: '"', apos: "'" };
    if (ent in named) return named[ent]!;
    const num = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ent);
    if (!num) throw new Error(`unknown entity &${ent}; at ${where}`);
    const cp = num[1] !== undefined ? parseInt(num[1], 16) : parseInt(num[2]!, 10);
    const ch = String.fromCodePoint(cp);
    if (!CHAR.test(ch)) throw new Error(`character reference to a forbidden character at ${where}`);
    return ch;
  });
}

/** Parses a document; throws with the offset of the first well-formedness error. */
export function parseXml(doc: string): XmlElement {
  if (!CHAR.test(doc)) throw new Error("document holds characters XML forbids");
  let i = 0;
  const decl = /^<\?xml version="1\.0" encoding="UTF-8"\?>/.exec(doc);
  if (decl) i = decl[0].length;
  const skipSpace = () => {
    while (i < doc.length && /\s/.test(doc[i]!)) i++;
  };
  const stack: XmlElement[] = [];
  let root: XmlElement | undefined;
  skipSpace();
  while (i < doc.length) {
    if (doc[i] === "<") {
      if (doc.startsWith("</", i)) {
        const m = NAME.exec(doc.slice(i + 2));
        const top = stack.pop();
        if (!m || !top || m[0] !== top.name) throw new Error(`mismatched end tag at ${i}`);
        i += 2 + m[0].length;
        skipSpace();
        if (doc[i] !== ">") throw new Error(`malformed end tag at ${i}`);
        i++;
        if (stack.length === 0) {
          skipSpace();
          if (i !== doc.length) throw new Error(`content after the root element at ${i}`);
        }
        continue;
      }
      if (doc.startsWith("<!--", i)) {
        // A comment: skipped, and ill-formed if it holds `--` before its end (XML 1.0, production 15).
        const end = doc.indexOf("-->", i + 4);
        if (end < 0 || doc.slice(i + 4, end).includes("--") || doc[end - 1] === "-")
          throw new Error(`malformed comment at ${i}`);
        i = end + 3;
        if (stack.length === 0) skipSpace();
        continue;
      }
      if (doc[i + 1] === "!" || doc[i + 1] === "?") throw new Error(`unsupported markup at ${i}`);
      const m = NAME.exec(doc.slice(i + 1));
      if (!m) throw new Error(`bad tag name at ${i}`);
      if (root && stack.length === 0) throw new Error(`second root element at ${i}`);
      const el: XmlElement = { name: m[0], attrs: {}, children: [], text: "" };
      i += 1 + m[0].length;
      for (;;) {
        const before = i;
        skipSpace();
        if (doc.startsWith("/>", i) || doc[i] === ">") break;
        if (i === before) throw new Error(`attributes must be separated by space at ${i}`);
        const a = NAME.exec(doc.slice(i));
        if (!a) throw new Error(`bad attribute name at ${i}`);
        i += a[0].length;
        if (doc[i] !== "=") throw new Error(`attribute without '=' at ${i}`);
        const q = doc[i + 1];
        if (q !== '"' && q !== "'") throw new Error(`unquoted attribute at ${i}`);
        const end = doc.indexOf(q, i + 2);
        if (end < 0) throw new Error(`unterminated attribute at ${i}`);
        if (a[0] in el.attrs) throw new Error(`duplicate attribute ${a[0]} at ${i}`);
        // Literal whitespace in a value is normalised to a space, as a parser does.
        el.attrs[a[0]] = decode(doc.slice(i + 2, end).replace(/[\t\n\r]/g, " "), i);
        i = end + 1;
      }
      if (stack.length > 0) stack[stack.length - 1]!.children.push(el);
      else root = el;
      if (doc.startsWith("/>", i)) {
        i += 2;
        if (stack.length === 0) {
          skipSpace();
          if (i !== doc.length) throw new Error(`content after the root element at ${i}`);
        }
      } else {
        i++;
        stack.push(el);
      }
      continue;
    }
    const next = doc.indexOf("<", i);
    const end = next < 0 ? doc.length : next;
    const raw = doc.slice(i, end);
    if (stack.length === 0) {
      if (raw.trim() !== "") throw new Error(`text outside the root element at ${i}`);
    } else {
      if (raw.includes("]]>")) throw new Error(`']]>' in text at ${i}`);
      stack[stack.length - 1]!.text += decode(raw, i);
    }
    i = end;
  }
  if (stack.length > 0) throw new Error(`unclosed element <${stack[stack.length - 1]!.name}>`);
  if (!root) throw new Error("no root element");
  return root;
}

/** Every element below (and including) `el` with the given name, in document order. */
export function findAll(el: XmlElement, name: string): XmlElement[] {
  const out: XmlElement[] = el.name === name ? [el] : [];
  for (const c of el.children) out.push(...findAll(c, name));
  return out;
}
