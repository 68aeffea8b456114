/**
 * Generated sections inside hand-written Markdown, between `<!-- generated:begin NAME -->` and
 * `<!-- generated:end NAME -->`. Only the text between a pair is ever replaced, so prose around it
 * stays the author's.
 */

const MARKER = /<!-- generated:(begin|end) ([a-z0-9-]+) -->/g;

/** One generated section as found in a document. */
export interface Section {
  readonly name: string;
  /** Text between the markers, without them. */
  readonly body: string;
}

/** The generated sections of a document, in order; throws on unbalanced or repeated markers. */
export function findSections(text: string): Section[] {
  const out: Section[] = [];
  let open: { name: string; end: number } | undefined;
  for (const m of text.matchAll(MARKER)) {
    const [, which, name] = m as unknown as [string, "begin" | "end", string];
    if (which === "begin") {
      if (open) throw new Error(`section \`${open.name}\` is not closed before \`${name}\` begins`);
      if (out.some((s) => s.name === name)) throw new Error(`section \`${name}\` appears twice`);
      open = { name, end: m.index + m[0].length };
    } else {
      if (!open || open.name !== name) throw new Error(`\`generated:end ${name}\` without its begin`);
      out.push({ name, body: text.slice(open.end, m.index) });
      open = undefined;
    }
  }
  if (open) throw new Error(`section \`${open.name}\` is never closed`);
  return out;
}

/**
 * Replaces the body of every section with its freshly generated text. Every section of the document
 * must have a generator and every generator a section, so a renamed or deleted marker is an error
 * instead of a silently frozen table.
 */
export function fillSections(text: string, bodies: Readonly<Record<string, string>>): string {
  const found = findSections(text).map((s) => s.name);
  for (const name of found)
    if (!Object.prototype.hasOwnProperty.call(bodies, name))
      throw new Error(`no generator for section \`${name}\``);
  for (const name of Object.keys(bodies))
    if (!found.includes(name)) throw new Error(`section \`${name}\` has no markers in the document`);
  return text.replace(
    /(<!-- generated:begin ([a-z0-9-]+) -->)[\s\S]*?(<!-- generated:end \2 -->)/g,
    (_all, begin: string, name: string, end: string) => `${begin}\n\n${bodies[name]!.trim()}\n\n${end}`,
  );
}
