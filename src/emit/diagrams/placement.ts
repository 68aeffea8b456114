import { COMPONENT_KIND_NAMES, type ComponentKind } from "../../semantic/vocabulary.js";
import type { DiagramGraph } from "./graph.js";
import type { DiagramIndex } from "./model-index.js";
import { plural } from "../../words.js";
import { collapsedZoneNode, componentNode, groupNode, kindNoun } from "./nodes.js";

/** Components a view places itself before `Placement` keeps them in an array over all components. */
const DENSE_AT = 4096;

/**
 * Which node stands for each component in one diagram: the component itself, a group it was put in,
 * or the nearest enclosing zone drawn as one node. Components with none are not in the diagram.
 */
export class Placement {
  private readonly explicit = new Map<number, string>();
  /**
   * The same, once a view places more than DENSE_AT components itself (a top-level zone's view puts
   * hundreds of thousands in groups): per component the place (+1) of its node's id in `denseIds`,
   * 0 for none. Every end of every flow of the zone is looked up, and an array read is cheaper than
   * a lookup in a map that large.
   */
  private dense: Int32Array | undefined;
  private readonly denseIds: string[] = [];
  /** Zones drawn as one node (collapsed, or in a group of zones): every component under them is. */
  private readonly zoneNodes = new Map<number, string>();
  /**
   * The node of each zone's components when they are not placed themselves (null: none), filled as
   * asked and cleared when a zone is drawn as a node: a view of a top-level zone asks for every end
   * of a million flows, and this spares each a walk up the zone tree.
   */
  private byZone: (string | null | undefined)[] = [];

  constructor(
    readonly dx: DiagramIndex,
    readonly graph: DiagramGraph,
    /** Components placed before the array is used (a test seam: 0 uses it from the first). */
    private readonly denseAt: number = DENSE_AT,
  ) {}

  /** The node drawing a component, if the diagram shows it. */
  nodeOf(c: number): string | undefined {
    const dense = this.dense;
    const own = dense !== undefined ? this.denseIds[dense[c]! - 1] : this.explicit.get(c);
    if (own !== undefined) return own;
    const z = this.dx.componentZone[c]!;
    if (this.zoneNodes.size === 0 || z < 0) return undefined;
    return this.zoneNode(z) ?? undefined;
  }

  /** Puts component c in the node `id` (a later placement replaces an earlier one, as in the map). */
  private place(c: number, id: string): void {
    if (this.dense === undefined) {
      this.explicit.set(c, id);
      if (this.explicit.size > this.denseAt) this.makeDense();
      return;
    }
    this.dense[c] = this.denseIdOf(id);
  }

  private makeDense(): void {
    const dense = new Int32Array(this.dx.model.components.length);
    for (const [c, id] of this.explicit) dense[c] = this.denseIdOf(id);
    this.dense = dense;
    this.explicit.clear();
  }

  /** The place (+1) of a node id in `denseIds`; consecutive members share the last one. */
  private denseIdOf(id: string): number {
    const ids = this.denseIds;
    if (ids.length > 0 && ids[ids.length - 1] === id) return ids.length;
    ids.push(id);
    return ids.length;
  }

  private zoneNode(zone: number): string | null {
    const byZone = this.byZone;
    const known = byZone[zone];
    if (known !== undefined) return known;
    // Up to the nearest zone drawn as a node or already known (iterative: zones may nest deeply),
    // then the answer for every zone passed.
    const zones = this.dx.model.zones;
    const passed: number[] = [];
    let node: string | null = null;
    for (let z: number | undefined = zone; z !== undefined; z = zones[z]!.parent) {
      // A remembered answer (null too: no node) ends the walk, as does a zone drawn as a node.
      const known = byZone[z];
      const seen = known !== undefined ? known : this.zoneNodes.get(z);
      if (seen !== undefined) {
        node = seen;
        break;
      }
      passed.push(z);
    }
    for (const z of passed) byZone[z] = node;
    return node;
  }

  private drawZoneAs(z: number, node: string): void {
    this.zoneNodes.set(z, node);
    this.byZone = [];
  }

  /** Draws a component as its own node. */
  component(c: number): void {
    const node = componentNode(this.dx, c);
    this.place(c, node.id);
    this.graph.addNode(node);
  }

  /** Draws a zone and everything in it as one node. */
  collapse(z: number): void {
    this.drawZoneAs(z, this.dx.zoneIds[z]!);
    this.graph.addNode(collapsedZoneNode(this.dx, z));
  }

  /** Draws several components as one node. */
  group(tag: string, name: string, members: readonly number[], what: string, zone: number | undefined): void {
    const node = groupNode(this.dx, { tag, name }, members, what, zone);
    // One id for every member: a large zone's group has thousands of them.
    for (const c of members) this.place(c, node.id);
    this.graph.addNode(node);
  }

  /** Draws a group of whole zones (their every component) as one node. */
  groupZones(
    tag: string,
    name: string,
    zones: readonly number[],
    what: string,
    zone: number | undefined,
  ): void {
    const members: number[] = [];
    for (const z of zones) this.forSubtree(z, (c) => members.push(c));
    const node = groupNode(this.dx, { tag, name }, members, what, zone);
    // The zones, not their hundreds of thousands of components, are mapped to the node.
    for (const z of zones) this.drawZoneAs(z, node.id);
    this.graph.addNode(node);
  }

  /** Calls `f` on every component in a zone and its nested zones. */
  forSubtree(z: number, f: (c: number) => void): void {
    const stack = [z];
    while (stack.length) {
      const y = stack.pop()!;
      for (const c of this.dx.zoneComponents[y]!) f(c);
      stack.push(...this.dx.zoneChildren[y]!);
    }
  }

  /**
   * Draws the flows touching `sources` whose both ends are in the diagram, each flow once: `inside`
   * tells the members of `sources` (no repeats), so a flow between two of them is taken from its
   * source's outgoing list only, without a set of the flows seen. Flows within one node (most of a
   * zone view's, inside its collapsed zones) are passed over on the typed lists alone.
   */
  addFlowsOf(sources: Iterable<number>, inside: (c: number) => boolean): void {
    const { outStart, outFlows, outTo, inStart, inFlows, inFrom } = this.dx;
    for (const c of sources) {
      const node = this.nodeOf(c);
      if (node === undefined) continue;
      for (let i = outStart[c]!; i < outStart[c + 1]!; i++) {
        const to = this.nodeOf(outTo[i]!);
        if (to !== undefined && to !== node) this.addFlow(node, to, outFlows[i]!, c, outTo[i]!);
      }
      for (let i = inStart[c]!; i < inStart[c + 1]!; i++) {
        const o = inFrom[i]!;
        if (inside(o)) continue;
        const from = this.nodeOf(o);
        if (from !== undefined && from !== node) this.addFlow(from, node, inFlows[i]!, o, c);
      }
    }
  }

  /**
   * Draws every flow of the model whose both ends are in the diagram. By source component rather
   * than declaration order: an arrow's label and place do not depend on the order its flows came in.
   */
  addAllFlows(): void {
    const { outStart, outFlows, outTo } = this.dx;
    for (let c = 0; c + 1 < outStart.length; c++) {
      if (outStart[c] === outStart[c + 1]) continue;
      const node = this.nodeOf(c);
      if (node === undefined) continue;
      for (let i = outStart[c]!; i < outStart[c + 1]!; i++) {
        const to = this.nodeOf(outTo[i]!);
        if (to !== undefined && to !== node) this.addFlow(node, to, outFlows[i]!, c, outTo[i]!);
      }
    }
  }

  private addFlow(from: string, to: string, f: number, a: number, b: number): void {
    const trust = this.dx.componentTrust;
    this.graph.addFlowAt(from, to, f, this.dx.flowKind[f]!, trust[a] !== trust[b]);
  }
}

/** What drawing a zone's contents did, for the view's notes. */
export interface ScopeResult {
  /** Nested zones drawn as one node each. */
  readonly collapsed: readonly number[];
  /** Nested zones left out of the diagram's detail (grouped into one "more zones" node). */
  readonly grouped: number;
  /** The zone's own components did not fit: drawn grouped by kind; the view needs parts. */
  readonly split: boolean;
}

/**
 * Draws a zone's contents (or the top level, `zone` undefined) within `budget` nodes. Nested zones
 * start as one node each and open, cheapest first (the fewest extra nodes, then declaration order),
 * while the diagram stays within the budget; so a small model is drawn whole and a large one keeps
 * as much detail as fits. When the zone's own components alone do not fit, they are drawn as one
 * node per kind, and the caller adds views that list them in parts.
 */
export function drawScope(pl: Placement, zone: number | undefined, budget: number): ScopeResult {
  const dx = pl.dx;
  const direct = zone === undefined ? dx.unzoned : dx.zoneComponents[zone]!;
  const children = zone === undefined ? dx.topZones : dx.zoneChildren[zone]!;
  const tagName = zone === undefined ? "" : dx.model.zones[zone]!.name;

  if (direct.length + children.length <= budget) {
    const opened = openZones(dx, children, direct.length, budget);
    const shown = [...direct];
    const collapsed: number[] = [];
    const visit = (zs: readonly number[]) => {
      for (const z of zs) {
        if (opened.has(z)) {
          shown.push(...dx.zoneComponents[z]!);
          visit(dx.zoneChildren[z]!);
        } else collapsed.push(z);
      }
    };
    visit(children);
    for (const c of shown.sort((a, b) => a - b)) pl.component(c);
    collapsed.sort((a, b) => a - b);
    for (const z of collapsed) pl.collapse(z);
    return { collapsed, grouped: 0, split: false };
  }

  let used: number;
  let split = false;
  if (direct.length < budget) {
    for (const c of direct) pl.component(c);
    used = direct.length;
  } else {
    // A very large zone: one node per kind here, the components themselves in the parts.
    const byKind = new Map<ComponentKind, number[]>();
    for (const c of direct) {
      const kind = dx.model.components[c]!.kind;
      const list = byKind.get(kind) ?? [];
      list.push(c);
      byKind.set(kind, list);
    }
    for (const kind of COMPONENT_KIND_NAMES) {
      const list = byKind.get(kind);
      if (!list) continue;
      if (list.length === 1) pl.component(list[0]!);
      else pl.group(kind, tagName, list, plural(list.length, kindNoun(kind)), zone);
    }
    used = byKind.size;
    split = true;
  }
  // Nested zones as one node each, as many as fit; the rest share one node.
  const room = Math.max(0, budget - used - 1);
  const fits = children.length <= room + 1 ? children : children.slice(0, room);
  for (const z of fits) pl.collapse(z);
  const rest = children.slice(fits.length);
  if (rest.length) pl.groupZones("zones", tagName, rest, plural(rest.length, "more zone"), zone);
  return { collapsed: fits, grouped: rest.length, split };
}

/** Zones to open under a budget: a min-heap on (extra nodes, declaration order). */
function openZones(dx: DiagramIndex, roots: readonly number[], used: number, budget: number): Set<number> {
  const cost = (z: number) => dx.zoneComponents[z]!.length + dx.zoneChildren[z]!.length - 1;
  const heap = new ZoneHeap(cost);
  for (const z of roots) heap.push(z);
  let count = used + roots.length;
  const opened = new Set<number>();
  while (heap.size > 0) {
    const z = heap.pop();
    const c = cost(z);
    // An empty zone stays a node ("0 components"): opened, it would draw nothing at all.
    if (c < 0) continue;
    if (count + c > budget) break;
    count += c;
    opened.add(z);
    for (const child of dx.zoneChildren[z]!) heap.push(child);
  }
  return opened;
}

/** A binary min-heap of zone indices by (cost, index). */
class ZoneHeap {
  private readonly items: number[] = [];
  constructor(private readonly cost: (z: number) => number) {}

  get size(): number {
    return this.items.length;
  }

  private less(a: number, b: number): boolean {
    const ca = this.cost(a);
    const cb = this.cost(b);
    return ca < cb || (ca === cb && a < b);
  }

  push(z: number): void {
    const h = this.items;
    h.push(z);
    for (let i = h.length - 1; i > 0;) {
      const p = (i - 1) >> 1;
      if (!this.less(h[i]!, h[p]!)) break;
      [h[i], h[p]] = [h[p]!, h[i]!];
      i = p;
    }
  }

  pop(): number {
    const h = this.items;
    const top = h[0]!;
    const last = h.pop()!;
    if (h.length > 0) {
      h[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let s = i;
        if (l < h.length && this.less(h[l]!, h[s]!)) s = l;
        if (r < h.length && this.less(h[r]!, h[s]!)) s = r;
        if (s === i) break;
        [h[i], h[s]] = [h[s]!, h[i]!];
        i = s;
      }
    }
    return top;
  }
}

/** How neighbours ended up drawn, for the view's notes. */
export type NeighbourDetail = "none" | "each" | "by zone" | "by top zone" | "by top zone, truncated";

/**
 * Draws the components outside a view's focus that exchange flows with it: each on its own when they
 * fit in `budget`, else one node per zone they sit in, else per top-level zone, else the first zones
 * and one node for the rest. Every neighbour sits in its zone's box, so trust boundaries stay visible.
 */
export function placeNeighbours(
  pl: Placement,
  sources: Iterable<number>,
  inside: (c: number) => boolean,
  budget: number,
): NeighbourDetail {
  const dx = pl.dx;
  const m = dx.model;
  const seen = new Set<number>();
  const found: number[] = [];
  // A zone's flows mostly stay inside it: that test (a range check) comes first.
  const visit = (o: number) => {
    if (inside(o) || seen.has(o) || pl.nodeOf(o) !== undefined) return;
    seen.add(o);
    found.push(o);
  };
  for (const c of sources) {
    for (let i = dx.outStart[c]!; i < dx.outStart[c + 1]!; i++) visit(dx.outTo[i]!);
    for (let i = dx.inStart[c]!; i < dx.inStart[c + 1]!; i++) visit(dx.inFrom[i]!);
  }
  if (found.length === 0) return "none";
  found.sort((a, b) => a - b);
  if (found.length <= budget) {
    for (const c of found) pl.component(c);
    return "each";
  }
  // Each zone's top-level zone, found once per zone: a top-level zone's view has 100,000 neighbours.
  const topOf: (number | undefined)[] = [];
  const top = (zone: number) => {
    let t = topOf[zone];
    if (t === undefined) {
      t = zone;
      while (m.zones[t]!.parent !== undefined) t = m.zones[t]!.parent!;
      topOf[zone] = t;
    }
    return t;
  };
  const zoneOf = (c: number) => {
    const z = dx.componentZone[c]!;
    return z < 0 ? undefined : z;
  };
  for (const [detail, keyOf] of [
    ["by zone", zoneOf],
    [
      "by top zone",
      (c: number) => {
        const z = dx.componentZone[c]!;
        return z < 0 ? undefined : top(z);
      },
    ],
  ] as const) {
    const groups = groupBy(found, keyOf);
    if (groups.length > budget && detail === "by zone") continue;
    const shown = groups.length <= budget ? groups : groups.slice(0, Math.max(0, budget - 1));
    for (const [z, members] of shown) {
      if (members.length === 1) pl.component(members[0]!);
      else
        pl.group(
          detail === "by zone" ? "nb" : "nbtop",
          z === undefined ? "" : m.zones[z]!.name,
          members,
          plural(members.length, "component"),
          z,
        );
    }
    const rest = groups.slice(shown.length);
    if (rest.length === 0) return detail;
    const members = rest.flatMap(([, list]) => list);
    pl.group(
      "nbmore",
      "",
      members,
      `${plural(members.length, "component")} in ${plural(rest.length, "more zone")}`,
      undefined,
    );
    return "by top zone, truncated";
  }
  return "by top zone";
}

/** Groups components by a zone key, in zone declaration order (no zone last). */
function groupBy(
  list: readonly number[],
  key: (c: number) => number | undefined,
): [number | undefined, number[]][] {
  const map = new Map<number | undefined, number[]>();
  for (const c of list) {
    const k = key(c);
    const g = map.get(k) ?? [];
    g.push(c);
    map.set(k, g);
  }
  return [...map].sort(([a], [b]) => (a ?? Infinity) - (b ?? Infinity));
}

/** Whether a component sits in a zone or one nested in it (a range test on the zone tree's order). */
export function inSubtree(dx: DiagramIndex, c: number, zone: number): boolean {
  // -1 (no zone) is below every zone's place.
  const at = dx.componentZoneOrder[c]!;
  return at >= dx.zoneOrder[zone]! && at < dx.zoneOrderEnd[zone]!;
}
