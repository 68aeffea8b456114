import { createHash } from "node:crypto";
import { SEVERITIES, type Severity } from "../../analysis/findings.js";
import type { CompileAnalysis } from "../../compiler.js";
import type { Component, ResolvedModel } from "../../semantic/model.js";
import { FLOW_KIND_CODE, TRUST_CODE } from "../../graph/threat-graph.js";
import { KIND_UNKNOWN, zoneId } from "./graph.js";

/**
 * What every diagram view reads about the model, computed once per compile in O(components + flows +
 * findings): flows by endpoint, the zone tree, each component's worst open finding, crown jewels.
 * Views then cost O(what they draw), so the sum over all views stays linear in the model.
 */
export interface DiagramIndex {
  readonly model: ResolvedModel;
  /**
   * Flow indices leaving / entering each component, in flow declaration order, as compressed lists:
   * the flows leaving c are outFlows[outStart[c]] to outFlows[outStart[c + 1] - 1] (four typed
   * arrays rather than two small arrays per component).
   */
  readonly outStart: Int32Array;
  readonly outFlows: Int32Array;
  readonly inStart: Int32Array;
  readonly inFlows: Int32Array;
  /**
   * The other end of each of those flows (outTo[i] is the target of outFlows[i], inFrom[i] the
   * source of inFlows[i]): views walk every flow of thousands of components, and reading a typed
   * array beside the list beats loading each flow object for one field.
   */
  readonly outTo: Int32Array;
  readonly inFrom: Int32Array;
  /**
   * Each flow's kind as its place in FLOW_KIND_NAMES (KIND_UNKNOWN for any other): an arrow that
   * stands for many flows learns a kind it has already from this array, without loading the flow.
   */
  readonly flowKind: Uint8Array;
  /** Child zones of each zone, and the zones at the top level, in declaration order. */
  readonly zoneChildren: readonly (readonly number[])[];
  readonly topZones: readonly number[];
  /** Components declared directly in each zone, and those in no zone, in declaration order. */
  readonly zoneComponents: readonly (readonly number[])[];
  readonly unzoned: readonly number[];
  /**
   * Each zone's place in a depth-first walk of the zone tree, and the end of its subtree's places: a
   * zone y is in z's subtree when zoneOrder[z] <= zoneOrder[y] < zoneOrderEnd[z].
   */
  readonly zoneOrder: Int32Array;
  readonly zoneOrderEnd: Int32Array;
  /** The zoneOrder of each component's zone, -1 for a component in no zone (a subtree test per flow end). */
  readonly componentZoneOrder: Int32Array;
  /**
   * Each component's zone (-1: none) and trust code (`TRUST_CODE`), as the threat graph has them but
   * made from the model (compile lets the graph go first): which node draws a flow's end, and whether
   * the flow crosses trust, without loading the components.
   */
  readonly componentZone: Int32Array;
  readonly componentTrust: Uint8Array;
  /** Components in each zone's subtree (its own and those of nested zones). */
  readonly subtreeSize: Int32Array;
  /** Per zone subtree: worst open finding (-1 none), open findings, crown-jewel components. */
  readonly zoneWorst: Int8Array;
  readonly zoneOpen: Int32Array;
  readonly zoneCrown: Int32Array;
  /** Index into SEVERITIES of each component's worst open finding, -1 when it has none. */
  readonly worst: Int8Array;
  /** Open findings that count against each component (see `docs/diagrams.md`). */
  readonly openCount: Int32Array;
  /** Crown-jewel properties of each component (empty when it is not one). */
  readonly crown: readonly (readonly string[])[];
  /** Whether a component holds a data asset that is a crown jewel. */
  readonly holdsCrown: Uint8Array;
  /**
   * Mermaid node id of each zone (`z` + `mermaidId` of its name). A component's (`componentId` of its
   * name) is made when the component is drawn: a million-component model draws a few thousand.
   */
  readonly zoneIds: readonly string[];
}

// Shared by every component that is no crown jewel; never written to (a crown jewel gets its own).
const NO_CROWN: string[] = [];

const SEVERITY_RANK = Object.fromEntries(SEVERITIES.map((s, i) => [s, i])) as Record<Severity, number>;

/** Builds the index for one analysis. */
export function diagramIndex(analysis: CompileAnalysis): DiagramIndex {
  const m = analysis.model;
  const n = m.components.length;
  const outStart = new Int32Array(n + 1);
  const inStart = new Int32Array(n + 1);
  for (const f of m.flows) {
    outStart[f.from + 1]!++;
    inStart[f.to + 1]!++;
  }
  for (let c = 0; c < n; c++) {
    outStart[c + 1]! += outStart[c]!;
    inStart[c + 1]! += inStart[c]!;
  }
  const outFlows = new Int32Array(m.flows.length);
  const inFlows = new Int32Array(m.flows.length);
  const outAt = outStart.slice(0, n);
  const inAt = inStart.slice(0, n);
  const outTo = new Int32Array(m.flows.length);
  const inFrom = new Int32Array(m.flows.length);
  const flowKind = new Uint8Array(m.flows.length);
  for (const f of m.flows) {
    flowKind[f.index] = FLOW_KIND_CODE.get(f.kind) ?? KIND_UNKNOWN;
    outTo[outAt[f.from]!] = f.to;
    outFlows[outAt[f.from]!++] = f.index;
    inFrom[inAt[f.to]!] = f.from;
    inFlows[inAt[f.to]!++] = f.index;
  }
  const zoneChildren: number[][] = m.zones.map(() => []);
  const topZones: number[] = [];
  for (const z of m.zones) {
    if (z.parent === undefined) topZones.push(z.index);
    else zoneChildren[z.parent]!.push(z.index);
  }
  const zoneOrder = new Int32Array(m.zones.length);
  const zoneOrderEnd = new Int32Array(m.zones.length);
  // Iterative (zones may nest deeply): a zone is pushed, then popped once to number it and once more,
  // after its subtree, to close it (encoded as ~z).
  let next = 0;
  const stack = [...topZones].reverse();
  while (stack.length) {
    const z = stack.pop()!;
    if (z < 0) {
      zoneOrderEnd[~z] = next;
      continue;
    }
    zoneOrder[z] = next++;
    stack.push(~z);
    const kids = zoneChildren[z]!;
    for (let i = kids.length - 1; i >= 0; i--) stack.push(kids[i]!);
  }
  const zoneComponents: number[][] = m.zones.map(() => []);
  const unzoned: number[] = [];
  const subtreeSize = new Int32Array(m.zones.length);
  const componentZoneOrder = new Int32Array(n).fill(-1);
  // Each component's zone and trust code as the threat graph has them (its `zone` and `trust`),
  // made here from the model: compile lets the graph go before the outputs (`releaseGraph`: reading
  // it then throws), and a view of its arrays would have kept its whole arena alive.
  const componentZone = new Int32Array(n).fill(-1);
  const componentTrust = new Uint8Array(n);
  for (const c of m.components) {
    componentTrust[c.index] = TRUST_CODE.get(c.trust)!;
    if (c.zone === undefined) unzoned.push(c.index);
    else {
      zoneComponents[c.zone]!.push(c.index);
      componentZoneOrder[c.index] = zoneOrder[c.zone]!;
      componentZone[c.index] = c.zone;
    }
  }

  // A finding on a flow lands on the flow's target (data sent to a provider, output tampered with on
  // its way in), so it counts against the target; findings on data assets have no one component.
  const worst = new Int8Array(n).fill(-1);
  const openCount = new Int32Array(n);
  // Read field by field: a finding object per record would make its id and fingerprint.
  const src = analysis.findings;
  for (let i = 0; i < src.length; i++) {
    if (src.status(i) !== "open" || src.category(i) !== "threat") continue;
    const type = src.subjectType(i);
    const index = src.subjectIndex(i);
    const target = type === "component" ? index : type === "flow" ? m.flows[index]!.to : -1;
    if (target < 0) continue;
    openCount[target]!++;
    const rank = SEVERITY_RANK[src.severity(i)];
    if (rank > worst[target]!) worst[target] = rank;
  }

  // Few components are crown jewels: the others share one empty list.
  const crown = new Array<string[]>(n).fill(NO_CROWN);
  const crownData = new Uint8Array(m.data.length);
  for (const j of m.crownJewels) {
    if (j.subject.type === "component") {
      let list = crown[j.subject.index]!;
      if (list === NO_CROWN) crown[j.subject.index] = list = [];
      list.push(...j.properties);
    } else crownData[j.subject.index] = 1;
  }
  const holdsCrown = new Uint8Array(n);
  for (const c of m.components) if (c.holds.some((d) => crownData[d])) holdsCrown[c.index] = 1;
  // Most components are no crown jewel: only a list of two or more can need sorting or repeats removed.
  for (const list of crown) if (list.length > 1) list.splice(0, list.length, ...[...new Set(list)].sort());

  // Zone totals, for zones drawn as one node: O(components x nesting depth).
  const zoneWorst = new Int8Array(m.zones.length).fill(-1);
  const zoneOpen = new Int32Array(m.zones.length);
  const zoneCrown = new Int32Array(m.zones.length);
  for (const c of m.components) {
    const isCrown = crown[c.index]!.length > 0 || holdsCrown[c.index] === 1;
    for (let z = c.zone; z !== undefined; z = m.zones[z]!.parent) {
      subtreeSize[z]!++;
      zoneOpen[z]! += openCount[c.index]!;
      if (worst[c.index]! > zoneWorst[z]!) zoneWorst[z] = worst[c.index]!;
      if (isCrown) zoneCrown[z]!++;
    }
  }

  return {
    model: m,
    outStart,
    outFlows,
    inStart,
    inFlows,
    outTo,
    inFrom,
    flowKind,
    zoneChildren,
    topZones,
    zoneComponents,
    unzoned,
    zoneOrder,
    zoneOrderEnd,
    componentZoneOrder,
    componentZone,
    componentTrust,
    subtreeSize,
    zoneWorst,
    zoneOpen,
    zoneCrown,
    worst,
    openCount,
    crown,
    holdsCrown,
    zoneIds: m.zones.map((z) => zoneId(z.name)),
  };
}

/** The severity name of an index into SEVERITIES. */
export function severityName(rank: number): Severity {
  return SEVERITIES[rank]!;
}

/** Whether a flow between two components crosses a trust boundary (their effective trust differs). */
export function crossesTrust(a: Component, b: Component): boolean {
  return a.trust !== b.trust;
}

// Longest file-name stem kept before a name is shortened (Windows paths stop at 260 characters).
const MAX_STEM = 60;

/**
 * A file-name stem for a model name, safe on every file system: lowercase ASCII letters, digits, `_`,
 * `.` and `-` only. A name that is already like that is used as is; any other (capitals, which
 * case-insensitive file systems would fold together, letters outside ASCII, very long names) is
 * folded and gets 8 hex digits of a hash of the exact name, so two names never share a file and a
 * file name depends on its own name only.
 */
export function fileStem(name: string): string {
  if (/^[a-z0-9_]+(?:[.-][a-z0-9_]+)*$/.test(name) && name.length <= MAX_STEM) return name;
  const folded = name
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^a-z0-9_.-]+/g, "_")
    .replace(/[.-]{2,}/g, "_")
    .replace(/^[._-]+|[._-]+$/g, "")
    .slice(0, MAX_STEM);
  const hash = createHash("sha256").update(name).digest("hex").slice(0, 8);
  return folded ? `${folded}-${hash}` : hash;
}
