/**
 * Prints a generated file as `.aithreat` text, or as the equivalent JSON document (the same
 * declarations, properties, components and flows; the floor the parser is measured against).
 */
import { RESERVED_WORDS } from "../../src/syntax/tokens.js";
import type { GenComponent, GenDecl, GenFile, GenFlow, Props, Value } from "./shape.js";

// A bare reserved word after a property name starts a declaration (`approval policy` opens a
// `policy`), so enum values that are also keywords (`model`, `policy`, `dataset`) are quoted.
const RESERVED = new Set(RESERVED_WORDS);

function quote(text: string): string {
  return `"${text.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

function value(v: Value): string {
  if (typeof v === "string") return RESERVED.has(v) ? quote(v) : v;
  if (typeof v === "boolean" || typeof v === "number") return String(v);
  if ("text" in v) return quote(v.text);
  return `[${v.join(", ")}]`;
}

// One line per declaration, two spaces between properties, as in the language sketch.
function body(props: Props): string {
  if (props.length === 0) return "";
  return ` { ${props.map(([k, v]) => `${k} ${value(v)}`).join("  ")} }`;
}

function decl(keyword: string, d: GenDecl): string {
  return `${keyword} ${d.name} ${quote(d.title)}${body(d.props)}`;
}

function component(c: GenComponent): string {
  return `${c.kind} ${c.name} ${quote(c.title)}${c.parent ? ` in ${c.parent}` : ""}${body(c.props)}`;
}

function flow(f: GenFlow): string {
  return `flow ${f.from} -> ${f.to} ${quote(f.title)}${body(f.props)}`;
}

/** The file as `.aithreat` source. */
export function renderAithreat(file: GenFile): string {
  const out: string[] = [`// ${file.comment}`];
  for (const imp of file.imports) out.push(`import ${quote(imp)}`);
  const section = (lines: readonly string[]) => {
    if (lines.length > 0) out.push("", ...lines);
  };
  if (file.system) section([decl("system", file.system)]);
  section(file.data.map((d) => decl("data", d)));
  section(file.controls.map((c) => decl("control", c)));
  for (const z of file.zones) {
    const head = `zone ${z.name} ${quote(z.title)}${z.parent ? ` in ${z.parent}` : ""}`;
    if (z.components.length === 0) section([`${head}${body(z.props)}`]);
    else {
      const props = z.props.map(([k, v]) => `  ${k} ${value(v)}`);
      section([`${head} {`, ...props, ...z.components.map((c) => `  ${component(c)}`), "}"]);
    }
  }
  section(file.components.map(component));
  section(
    file.assets.map(
      (a) => `asset ${a.target} crown ${a.crown.length === 1 ? a.crown[0] : `[${a.crown.join(", ")}]`}`,
    ),
  );
  section(file.flows.map(flow));
  out.push("");
  return out.join("\n");
}

type Json = string | number | boolean | readonly string[];

function jsonProps(props: Props): Record<string, Json> {
  const out: Record<string, Json> = {};
  for (const [k, v] of props) out[k] = typeof v === "object" && "text" in v ? v.text : v;
  return out;
}

const jsonComponent = (c: GenComponent) => ({
  kind: c.kind,
  name: c.name,
  title: c.title,
  ...(c.parent ? { in: c.parent } : {}),
  ...jsonProps(c.props),
});
const jsonDecl = (d: GenDecl) => ({ name: d.name, title: d.title, ...jsonProps(d.props) });

/** The same file as one compact JSON document. */
export function renderJson(file: GenFile): string {
  return JSON.stringify({
    imports: file.imports.map((p) => p.replace(/\.aithreat$/, ".json")),
    ...(file.system ? { system: jsonDecl(file.system) } : {}),
    data: file.data.map(jsonDecl),
    controls: file.controls.map(jsonDecl),
    zones: file.zones.map((z) => ({
      name: z.name,
      title: z.title,
      ...(z.parent ? { in: z.parent } : {}),
      ...jsonProps(z.props),
      components: z.components.map(jsonComponent),
    })),
    components: file.components.map(jsonComponent),
    assets: file.assets.map((a) => ({ target: a.target, crown: a.crown })),
    flows: file.flows.map((f) => ({ from: f.from, to: f.to, title: f.title, ...jsonProps(f.props) })),
  });
}

/** How many statements the file has (imports, declarations at any depth, assets, flows). */
export function countStatements(file: GenFile): number {
  let n = file.imports.length + (file.system ? 1 : 0) + file.data.length + file.controls.length;
  for (const z of file.zones) n += 1 + z.components.length;
  return n + file.components.length + file.assets.length + file.flows.length;
}
