import { CONTENT_MAX, DiagramGraph, MAX_NODES, type RenderedDiagram } from "./graph.js";
import { fileStem, type DiagramIndex } from "./model-index.js";
import { hashOf } from "../../syntax/interner.js";
import { plural } from "../../words.js";
import { drawScope, inSubtree, placeNeighbours, Placement, type NeighbourDetail } from "./placement.js";
import type { DiagramView } from "./view.js";

/**
 * Nodes a zone view gives its own contents; the rest (up to CONTENT_MAX) goes to the neighbours that
 * exchange flows with the zone, so the boundary stays visible.
 */
export const ZONE_INSIDE_MAX = 36;
/** Components per part, at most, when a zone's own components do not fit in one view. */
export const PART_SIZE = 30;
/** Components per part before a part may end at a component its name marks (see `cutIntoParts`). */
export const PART_MIN = 20;
/** About one name in this many marks the end of a part. */
const PART_SPREAD = 6;

/**
 * The overview: zones as boxes (or single nodes, when the model is too big), every flow between them.
 * When the components outside any zone alone do not fit, they are drawn one node per kind and listed
 * in `unzoned--<first>` views (parts named by their first component), which follow the overview.
 */
export function overviewViews(dx: DiagramIndex, allot: PartAllotment = all): DiagramView[] {
  const m = dx.model;
  const g = new DiagramGraph(m);
  const pl = new Placement(dx, g);
  const scope = drawScope(pl, undefined, CONTENT_MAX);
  pl.addAllFlows();
  const rendered = g.render();
  const notes: string[] = [];
  if (scope.collapsed.length)
    notes.push(
      `${plural(scope.collapsed.length, "zone")} drawn as one node each (with counts) to keep the overview under ${MAX_NODES} nodes; each zone has its own view.`,
    );
  if (scope.grouped)
    notes.push(
      `${plural(scope.grouped, "top-level zone")} did not fit and share one node; each has its own view.`,
    );
  if (scope.split)
    notes.push("The components outside any zone are drawn one node per kind; the `unzoned` views list them.");
  const systems = m.systems.map((s) => s.title);
  const main = view(
    {
      id: "overview",
      title: systems.length ? `Overview: ${systems.join(", ")}` : "System overview",
      kind: "overview",
    },
    rendered,
    notes,
  );
  return scope.split
    ? [
        main,
        ...partViews(
          dx,
          cutIntoParts(dx, dx.unzoned),
          { id: "unzoned", title: "Components outside any zone", subject: undefined },
          allot,
        ),
      ]
    : [main];
}

/**
 * How many of the part views a list needs are drawn: called with the number needed, only when a list
 * does not fit in its view; returns at most that number.
 */
export type PartAllotment = (needed: number) => number;
const all: PartAllotment = (needed) => needed;

/**
 * The views of one zone: the zone with its neighbours, and for a very large zone, the parts `allot`
 * grants (each part's title says how many parts there are).
 */
export function zoneViews(dx: DiagramIndex, zone: number, allot: PartAllotment = all): DiagramView[] {
  const z = dx.model.zones[zone]!;
  const name = z.title ?? z.name;
  return scopeViews(dx, zone, `zone-${fileStem(z.name)}`, `Zone ${name}`, z.name, allot);
}

/**
 * A list of components (in declaration order) cut into parts of PART_MIN to PART_SIZE. Where a part
 * ends depends on the names at its end, not on positions: a part ends after a component whose name
 * hashes to a multiple of PART_SPREAD once it holds PART_MIN, or when it is full. So a component
 * added or removed changes its own part (and, rarely, the next one until a name ends a part again),
 * not every part after it by one, and a one-line model change stays a small diagram diff.
 */
export function cutIntoParts(dx: DiagramIndex, list: readonly number[]): number[][] {
  const parts: number[][] = [];
  let part: number[] = [];
  for (const c of list) {
    part.push(c);
    if (part.length >= PART_SIZE || (part.length >= PART_MIN && endsPart(dx.model.components[c]!.name))) {
      parts.push(part);
      part = [];
    }
  }
  if (part.length > 0) parts.push(part);
  return parts;
}

/** Whether a name ends a part: its FNV-1a hash (the interner's), unsigned, modulo PART_SPREAD. */
const endsPart = (name: string): boolean => (hashOf(name) >>> 0) % PART_SPREAD === 0;

function scopeViews(
  dx: DiagramIndex,
  zone: number,
  id: string,
  title: string,
  subject: string,
  allot: PartAllotment,
): DiagramView[] {
  const g = new DiagramGraph(dx.model);
  const pl = new Placement(dx, g);
  const scope = drawScope(pl, zone, ZONE_INSIDE_MAX);
  const sources: number[] = [];
  pl.forSubtree(zone, (c) => sources.push(c));
  const inside = (c: number) => inSubtree(dx, c, zone);
  const nb = placeNeighbours(pl, sources, inside, Math.max(1, CONTENT_MAX - g.nodeCount));
  pl.addFlowsOf(sources, inside);
  const notes: string[] = [];
  if (scope.collapsed.length)
    notes.push(
      `${plural(scope.collapsed.length, "nested zone")} drawn as one node each; each has its own view.`,
    );
  if (scope.grouped)
    notes.push(`${plural(scope.grouped, "nested zone")} share one node; each has its own view.`);
  const own = dx.zoneComponents[zone]!;
  const parts = scope.split ? cutIntoParts(dx, own) : [];
  if (scope.split)
    notes.push(
      `The zone holds ${plural(own.length, "component")} of its own: drawn one node per kind here, listed in ${parts.length} parts of at most ${PART_SIZE}.`,
    );
  notes.push(...neighbourNote(nb));
  const main = view(
    { id, title: scope.split ? `${title} (summary)` : title, kind: "zone", subject },
    g.render(),
    notes,
  );
  return scope.split ? [main, ...partViews(dx, parts, { id, title, subject }, allot)] : [main];
}

/**
 * The parts of a list of components, each drawn with the components it exchanges flows with; only
 * the first parts `allot` grants are drawn. A part's file is named by its first component, so a part
 * added or dropped before it does not rename it.
 */
function partViews(
  dx: DiagramIndex,
  parts: readonly (readonly number[])[],
  head: { id: string; title: string; subject: string | undefined },
  allot: PartAllotment,
): DiagramView[] {
  const { id, title, subject } = head;
  const names = dx.model.components;
  const views: DiagramView[] = [];
  const drawn = Math.min(parts.length, allot(parts.length));
  for (let i = 0; i < drawn; i++) {
    const focus = parts[i]!;
    const members = new Set(focus);
    const g = new DiagramGraph(dx.model);
    const pl = new Placement(dx, g);
    for (const c of focus) pl.component(c);
    const inside = (c: number) => members.has(c);
    const nb = placeNeighbours(pl, focus, inside, CONTENT_MAX - focus.length);
    pl.addFlowsOf(focus, inside);
    const first = names[focus[0]!]!.name;
    const last = names[focus[focus.length - 1]!]!.name;
    views.push(
      view(
        {
          id: `${id}--${fileStem(first)}`,
          title: `${title}, part ${i + 1} of ${parts.length}`,
          kind: "zone",
          ...(subject !== undefined ? { subject } : {}),
          part: { index: i + 1, of: parts.length },
        },
        g.render(),
        [
          `${plural(focus.length, "component")} in declaration order, \`${first}\` to \`${last}\`.`,
          ...neighbourNote(nb),
        ],
      ),
    );
  }
  return views;
}

/** One agent and its neighbourhood: what feeds it, what it calls, each in its zone's box. */
export function agentView(dx: DiagramIndex, agent: number): DiagramView {
  const c = dx.model.components[agent]!;
  const g = new DiagramGraph(dx.model);
  const pl = new Placement(dx, g);
  pl.component(agent);
  const inside = (o: number) => o === agent;
  const nb = placeNeighbours(pl, [agent], inside, CONTENT_MAX - 1);
  pl.addFlowsOf([agent], inside);
  return view(
    {
      id: `agent-${fileStem(c.name)}`,
      title: `Agent ${c.title ?? c.name}: what feeds it and what it calls`,
      kind: "agent",
      subject: c.name,
    },
    g.render({ flowTitles: true }),
    neighbourNote(nb),
  );
}

function neighbourNote(nb: NeighbourDetail): string[] {
  switch (nb) {
    case "none":
    case "each":
      return [];
    case "by zone":
      return ["Neighbours outside the view are drawn one node per zone."];
    case "by top zone":
      return ["Neighbours outside the view are drawn one node per top-level zone."];
    case "by top zone, truncated":
      return [
        "Neighbours outside the view are drawn one node per top-level zone; the last zones share one node.",
      ];
  }
}

/** Assembles a view from a rendered diagram. */
export function view(
  head: Omit<DiagramView, "mermaid" | "nodes" | "edges" | "notes">,
  r: RenderedDiagram,
  notes: readonly string[],
): DiagramView {
  const all = [...notes];
  if (r.droppedEdges)
    all.push(`${plural(r.droppedEdges, "connection")} not drawn (at most ${r.edges} arrows per diagram).`);
  return {
    ...head,
    mermaid: r.mermaid,
    nodes: r.nodes,
    edges: r.edges,
    ...(all.length ? { notes: all } : {}),
  };
}
