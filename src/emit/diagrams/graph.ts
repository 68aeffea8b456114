import type { ResolvedModel } from "../../semantic/model.js";
import { mermaidId, mermaidLabel } from "../escape.js";
import { CLASSES, SHAPE_BRACKETS, TRUST_STYLE, type NodeClass, type Shape } from "./styles.js";
import { withoutHidden } from "../../hidden-chars.js";

/** The most nodes any diagram has, legend included: beyond this a review meeting stops reading it. */
export const MAX_NODES = 60;
/** The most legend entries a diagram can need (six severities, crown, crown data, group). */
export const LEGEND_MAX = 9;
/** Nodes left for the model's own components and groups. */
export const CONTENT_MAX = MAX_NODES - LEGEND_MAX;
/**
 * The most arrows drawn. Mermaid refuses more than `maxEdges` (500 by default, and GitHub keeps the
 * default); 60 nodes rarely need a tenth of this, and past it the rest are counted in a note.
 */
export const MAX_EDGES = 400;

/** Node id of a component: its name through `mermaidId`, so it is stable across unrelated edits. */
export const componentId = (name: string): string => mermaidId(name);
/** Id of a zone, drawn as a box or as one node when collapsed (`z` + `mermaidId`: never a component's id). */
export const zoneId = (name: string): string => `z${mermaidId(name)}`;
/** Id of a data asset's node. */
export const dataId = (name: string): string => `d${mermaidId(name)}`;
/** Id of a synthetic group node: a fixed tag plus a name-derived part (never a component's id). */
export const groupId = (tag: string, name: string): string => `g_${tag}_${mermaidId(name)}`;

/** One node of a diagram; label lines are raw text, escaped when written. */
export interface DiagramNode {
  readonly id: string;
  readonly lines: readonly string[];
  readonly shape: Shape;
  /** The class written on the node's own line (`:::cls`). */
  readonly cls: NodeClass;
  /** More classes, written as `class` statements (a node line takes one class only). */
  readonly extra: readonly NodeClass[];
  /** The zone whose box the node sits in; undefined for the top level. */
  readonly zone: number | undefined;
}

/** A flow kind outside FLOW_KIND_NAMES (DiagramIndex `flowKind`): the flow's own kind is read then. */
export const KIND_UNKNOWN = 255;

/** Line style of an arrow. */
export type EdgeStyle = "solid" | "thick" | "dotted";

interface FlowEdge {
  readonly from: string;
  readonly to: string;
  order: number;
  count: number;
  crossing: boolean;
  readonly kinds: Set<string>;
  /** The kinds in `kinds` by their place in FLOW_KIND_NAMES (those below 32). */
  kindBits: number;
  title: string | undefined;
}

interface PlainEdge {
  readonly from: string;
  readonly to: string;
  readonly order: number;
  readonly style: EdgeStyle;
  readonly label: readonly string[];
}

/** What `render` needs besides the graph. */
export interface RenderOptions {
  readonly direction?: "LR" | "TB";
  /** Extra words in the legend's title (how to read arrows). */
  readonly legendNotes?: readonly string[];
  /** Whether flow arrows carry the flow's title when they stand for one flow. */
  readonly flowTitles?: boolean;
}

/** The written diagram and its size. */
export interface RenderedDiagram {
  readonly mermaid: string;
  readonly nodes: number;
  readonly edges: number;
  /** Arrows left out past MAX_EDGES. */
  readonly droppedEdges: number;
}

/**
 * A diagram under construction: nodes placed in zone boxes, and arrows that aggregate the flows
 * between two nodes (one arrow per pair, labelled with the flow kinds). Writing it is deterministic:
 * zones in declaration order, nodes in the order added, arrows by their first flow's declaration order.
 */
export class DiagramGraph {
  private readonly nodes = new Map<string, DiagramNode>();
  // By source node, then target node: a view adds up to every flow of the model, and looking up two
  // ids it already holds is cheaper than hashing a new joined key per flow.
  private readonly flowEdges = new Map<string, Map<string, FlowEdge>>();
  private readonly flowEdgeList: FlowEdge[] = [];
  private readonly plainEdges = new Map<string, PlainEdge>();

  constructor(private readonly model: ResolvedModel) {}

  /** Adds a node; a second node with the same id is ignored (the first placement wins). */
  addNode(node: DiagramNode): void {
    if (!this.nodes.has(node.id)) this.nodes.set(node.id, node);
  }

  has(id: string): boolean {
    return this.nodes.has(id);
  }

  get nodeCount(): number {
    return this.nodes.size;
  }

  /**
   * Adds the model's flow `f` between two drawn nodes (flows inside one node, a collapsed zone, are
   * not drawn); `kind` is its kind's place in FLOW_KIND_NAMES, or KIND_UNKNOWN. A zone view adds
   * every flow of its subtree, most of them to an arrow that already has their kind: the flow is
   * loaded only for a new arrow or a kind new to its arrow, and the arrow of the last pair is tried
   * before the maps (a component's flows often go to one node).
   */
  addFlowAt(from: string, to: string, f: number, kind: number, crossing: boolean): void {
    if (from === to) return;
    let e = from === this.lastFrom && to === this.lastTo ? this.lastEdge : undefined;
    if (!e) {
      let byTarget = this.flowEdges.get(from);
      if (!byTarget) this.flowEdges.set(from, (byTarget = new Map<string, FlowEdge>()));
      e = byTarget.get(to);
      if (!e) {
        const flow = this.model.flows[f]!;
        e = {
          from,
          to,
          order: f,
          count: 1,
          crossing,
          kinds: new Set([flow.kind]),
          kindBits: kind < 32 ? 1 << kind : 0,
          title: flow.title,
        };
        byTarget.set(to, e);
        this.flowEdgeList.push(e);
        this.remember(from, to, e);
        return;
      }
      this.remember(from, to, e);
    }
    e.count++;
    if (kind >= 32 || (e.kindBits & (1 << kind)) === 0) {
      e.kinds.add(this.model.flows[f]!.kind);
      if (kind < 32) e.kindBits |= 1 << kind;
    }
    e.crossing ||= crossing;
    if (f < e.order) e.order = f;
  }

  private lastFrom: string | undefined;
  private lastTo: string | undefined;
  private lastEdge: FlowEdge | undefined;
  private remember(from: string, to: string, e: FlowEdge): void {
    this.lastFrom = from;
    this.lastTo = to;
    this.lastEdge = e;
  }

  /** Adds an arrow with its own label (attack-path steps); the same pair and style is drawn once. */
  addEdge(from: string, to: string, style: EdgeStyle, label: readonly string[], order: number): void {
    const key = `${from} ${to} ${style} ${label.join("\n")}`;
    if (!this.plainEdges.has(key)) this.plainEdges.set(key, { from, to, style, label, order });
  }

  /** Writes the Mermaid flowchart, with a legend of the classes it uses. */
  render(options: RenderOptions = {}): RenderedDiagram {
    const m = this.model;
    const out = [`flowchart ${options.direction ?? "LR"}`];
    const ids = new Set<string>();
    const claim = (id: string) => {
      // Ids come from names with distinct prefixes per namespace; a clash would merge two nodes.
      if (ids.has(id)) throw new Error(`diagram id used twice: ${id}`);
      ids.add(id);
    };

    // Zone boxes: every zone holding a node, and its ancestors, nested as in the model.
    const byZone = new Map<number | undefined, DiagramNode[]>();
    const used = new Set<number>();
    for (const n of this.nodes.values()) {
      const list = byZone.get(n.zone) ?? [];
      list.push(n);
      byZone.set(n.zone, list);
      for (let z = n.zone; z !== undefined && !used.has(z); z = m.zones[z]!.parent) used.add(z);
    }
    const children = new Map<number | undefined, number[]>();
    for (const z of [...used].sort((a, b) => a - b)) {
      const p = m.zones[z]!.parent;
      const list = children.get(p) ?? [];
      list.push(z);
      children.set(p, list);
    }
    const trusts = new Map<string, string[]>();
    const nodeLine = (n: DiagramNode, indent: string) => {
      claim(n.id);
      const [open, close] = SHAPE_BRACKETS[n.shape];
      return `${indent}${n.id}${open}"${n.lines.map(label).join("<br/>")}"${close}:::${n.cls}`;
    };
    const writeZone = (z: number | undefined, depth: number) => {
      const indent = "  ".repeat(depth + 1);
      for (const n of byZone.get(z) ?? []) out.push(nodeLine(n, indent));
      for (const c of children.get(z) ?? []) {
        const zone = m.zones[c]!;
        const id = zoneId(zone.name);
        claim(id);
        const list = trusts.get(zone.trust) ?? [];
        list.push(id);
        trusts.set(zone.trust, list);
        out.push(`${indent}subgraph ${id}["${label(zone.title ?? zone.name)} · ${zone.trust}"]`);
        writeZone(c, depth + 1);
        out.push(`${indent}end`);
      }
    };
    writeZone(undefined, 0);

    // Arrows, by the declaration order of their first flow (a new flow adds a line, moves none).
    const edges = [
      ...this.flowEdgeList.map((e): PlainEdge => ({
        from: e.from,
        to: e.to,
        order: e.order,
        style: e.crossing ? "thick" : "solid",
        label: flowLabel(e, options.flowTitles ?? false),
      })),
      ...this.plainEdges.values(),
    ].sort((a, b) => a.order - b.order || cmp(a.from, b.from) || cmp(a.to, b.to));
    const shown = edges.slice(0, MAX_EDGES);
    const arrow = { solid: "-->", thick: "==>", dotted: "-.->" } as const;
    for (const e of shown) {
      const text = e.label.length ? `|"${e.label.map(label).join("<br/>")}"|` : "";
      out.push(`  ${e.from} ${arrow[e.style]}${text} ${e.to}`);
    }

    // Legend: one sample node per class in use, in the fixed class order.
    const usedClasses = new Set<NodeClass>();
    for (const n of this.nodes.values()) {
      usedClasses.add(n.cls);
      for (const x of n.extra) usedClasses.add(x);
    }
    const legend = CLASSES.filter((c) => usedClasses.has(c.name));
    const thick = shown.some((e) => e.style === "thick");
    const notes = [...(thick ? ["thick arrows cross a trust boundary"] : []), ...(options.legendNotes ?? [])];
    if (legend.length) {
      out.push(`  subgraph legend["${label(["Legend", ...notes].join("; "))}"]`);
      for (const c of legend) out.push(`    legend_${c.name}["${label(c.legend)}"]:::${c.name}`);
      out.push("  end");
    }

    // Secondary classes, then zone fills, then the class definitions used.
    const extraByClass = new Map<NodeClass, string[]>();
    for (const n of this.nodes.values())
      for (const x of n.extra) {
        const list = extraByClass.get(x) ?? [];
        list.push(n.id);
        extraByClass.set(x, list);
      }
    for (const c of CLASSES) {
      const list = extraByClass.get(c.name);
      if (list) out.push(`  class ${list.join(",")} ${c.name}`);
    }
    for (const trust of Object.keys(TRUST_STYLE)) {
      const list = trusts.get(trust);
      if (list) out.push(`  class ${list.join(",")} trust_${trust}`);
    }
    for (const c of legend) out.push(`  classDef ${c.name} ${c.style}`);
    for (const [trust, style] of Object.entries(TRUST_STYLE))
      if (trusts.has(trust)) out.push(`  classDef trust_${trust} ${style}`);

    return {
      mermaid: `${out.join("\n")}\n`,
      nodes: this.nodes.size + legend.length,
      edges: shown.length,
      droppedEdges: edges.length - shown.length,
    };
  }
}

const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * A label through `mermaidLabel`, after hidden characters (hidden-chars.ts) become spaces: control
 * characters are invalid in the SVG's XML, a line separator would end the label's line elsewhere,
 * and a bidirectional override would show the label in another order than it is written.
 */
function label(s: string): string {
  // Most labels (names, titles, counts) hold neither: one test here, one in mermaidLabel.
  return mermaidLabel(withoutHidden(s));
}

/** An arrow's label: the kind (and title) of one flow, or how many flows of which kinds. */
function flowLabel(e: FlowEdge, titles: boolean): string[] {
  const kinds = [...e.kinds].sort();
  if (e.count === 1) return [titles && e.title ? `${kinds[0]!} · ${e.title}` : kinds[0]!];
  const shown = kinds.slice(0, 3).join(", ");
  return [`${e.count} flows: ${shown}${kinds.length > 3 ? ` +${kinds.length - 3}` : ""}`];
}
