/**
 * Mermaid's own parser, run in Node without a browser, for the diagram tests. Mermaid's flowchart
 * database sanitises labels through DOMPurify, which has no DOM in Node: its hooks become no-ops and
 * `sanitize` the identity, so what the tests see is exactly what the grammar made of the text (the
 * browser would sanitise further, never less). Loaded once, on first use.
 */

/** A parsed flowchart: what Mermaid's grammar understood, labels decoded as the renderer would. */
export interface ParsedFlowchart {
  readonly vertices: { id: string; text: string; type: string; classes: string[]; link?: string }[];
  readonly edges: { start: string; end: string; text: string; stroke: string }[];
  readonly subgraphs: { id: string; title: string; nodes: string[]; classes: string[] }[];
  readonly classDefs: string[];
  /** Nodes a `click` statement made clickable (a link or a callback), and tooltips it set. */
  readonly clickable: string[];
  readonly tooltips: number;
}

interface FlowDb {
  getVertices(): Map<
    string,
    { id: string; text?: string; type?: string; classes: string[]; link?: string; haveCallback?: boolean }
  >;
  getEdges(): { start: string; end: string; text?: string; stroke?: string }[];
  getSubGraphs(): { id: string; title: string; nodes: string[]; classes?: string[] }[];
  getClasses(): Map<string, unknown>;
  tooltips?: Map<string, unknown>;
}

interface MermaidApi {
  initialize(config: Record<string, unknown>): void;
  mermaidAPI: { getDiagramFromText(text: string): Promise<{ db: unknown }> };
}

let loaded: Promise<MermaidApi> | undefined;

async function load(): Promise<MermaidApi> {
  const purify = (await import("dompurify")) as unknown as { default: Record<string, unknown> };
  const p = purify.default;
  p["addHook"] = () => {};
  p["removeHook"] = () => {};
  p["removeHooks"] = () => {};
  p["removeAllHooks"] = () => {};
  p["sanitize"] = (s: unknown) => String(s);
  const mermaid = (await import("mermaid")).default as unknown as MermaidApi;
  mermaid.initialize({
    startOnLoad: false,
    securityLevel: "strict",
    maxTextSize: 5_000_000,
    maxEdges: 20_000,
  });
  return mermaid;
}

// Mermaid encodes `#34;` and `#quot;` as placeholders while parsing and decodes them when drawing.
function decode(s: string): string {
  return s
    .replace(/ﬂ°°(\d+)¶ß/g, (_m, code: string) => String.fromCodePoint(Number(code)))
    .replace(
      /ﬂ°(\w+)¶ß/g,
      (_m, name: string) => ({ quot: '"', amp: "&", lt: "<", gt: ">", apos: "'" })[name] ?? `&${name};`,
    );
}

/** Parses a flowchart with Mermaid's grammar; throws Mermaid's own error when the text is invalid. */
export async function parseFlowchart(text: string): Promise<ParsedFlowchart> {
  loaded ??= load();
  const mermaid = await loaded;
  const diagram = await mermaid.mermaidAPI.getDiagramFromText(text);
  const db = diagram.db as FlowDb;
  return {
    vertices: [...db.getVertices().values()].map((v) => ({
      id: v.id,
      text: decode(v.text ?? ""),
      type: v.type ?? "",
      classes: [...v.classes],
      ...(v.link !== undefined ? { link: v.link } : {}),
    })),
    edges: db.getEdges().map((e) => ({
      start: e.start,
      end: e.end,
      text: decode(e.text ?? ""),
      stroke: e.stroke ?? "",
    })),
    subgraphs: db.getSubGraphs().map((s) => ({
      id: s.id,
      title: decode(s.title),
      nodes: [...s.nodes],
      classes: [...(s.classes ?? [])],
    })),
    classDefs: [...db.getClasses().keys()],
    clickable: [...db.getVertices().values()]
      .filter((v) => v.link !== undefined || v.haveCallback || v.classes.includes("clickable"))
      .map((v) => v.id),
    tooltips: db.tooltips?.size ?? 0,
  };
}
