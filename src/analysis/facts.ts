import type { Location } from "../diagnostics/diagnostic.js";
import { buildCompactGraph, type CompactGraph } from "../graph/compact.js";
import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Component } from "../semantic/model.js";
import {
  classificationRank,
  trustRank,
  type Capability,
  type Classification,
  CLASSIFICATIONS,
} from "../semantic/vocabulary.js";

/**
 * Propagation over the graph, computed once per compile in linear time: where attacker-influenced
 * content reaches (by entry class), how sensitive the data each component can see is, which
 * artifacts are third-party by lineage, and which components can push data somewhere an attacker
 * observes. Rules ask these questions instead of looking at one element, and every answer can be
 * explained as a chain of located facts.
 */

/** Entry classes (bit flags): where an attacker starts. */
export const ENTRY = {
  USER_INPUT: 1,
  EXTERNAL_DATA: 2,
  TOOL_OUTPUT: 4,
  SUPPLY_CHAIN: 8,
} as const;
export type EntryClass = "user_input" | "external_data" | "tool_output" | "supply_chain";
export const ENTRY_CLASSES: readonly EntryClass[] = [
  "user_input",
  "external_data",
  "tool_output",
  "supply_chain",
];
export const ENTRY_BIT: Readonly<Record<EntryClass, number>> = {
  user_input: ENTRY.USER_INPUT,
  external_data: ENTRY.EXTERNAL_DATA,
  tool_output: ENTRY.TOOL_OUTPUT,
  supply_chain: ENTRY.SUPPLY_CHAIN,
};
/** Content an attacker writes at run time (everything but the supply chain). */
export const UNTRUSTED_CONTENT = ENTRY.USER_INPUT | ENTRY.EXTERNAL_DATA | ENTRY.TOOL_OUTPUT;

/** A located statement of why something holds: one line of "why it fired". */
export interface Fact {
  readonly text: string;
  readonly loc: Location;
}

/** The propagation results. Arrays are indexed by component. */
export interface Facts {
  /** The information-flow graph: every flow forward, plus `invoke` and `delegate` results returning. */
  readonly info: CompactGraph;
  /** Info edge -> flow index, and whether the edge runs against the flow (a returned result). */
  readonly infoFlow: Int32Array;
  readonly infoReturn: Uint8Array;
  /** Entry classes a component itself is (bit flags of ENTRY). */
  readonly entry: Uint8Array;
  /** Entry classes whose content reaches a component, itself included. */
  readonly taint: Uint8Array;
  /** Per entry class, the info edge by which each component was first reached (-1 entry, -2 never). */
  readonly taintParent: Readonly<Record<EntryClass, Int32Array>>;
  /** Highest classification rank of data a component holds or receives (-1 none). */
  readonly sensitivity: Int8Array;
  /** A data asset that attains that rank, and the info edge it arrived by (-1 held, -2 none). */
  readonly sensitivityWitness: Int32Array;
  readonly sensitivityParent: Int32Array;
  /** 1 when the component's weights/code/packages descend from a third-party artifact. */
  readonly thirdParty: Uint8Array;
  readonly thirdPartyParent: Int32Array;
  /** 1 when the attacker can observe what reaches this component (an outbound sink). */
  readonly observable: Uint8Array;
  /** 1 when data at this component can travel to an observable sink. */
  readonly canExfiltrate: Uint8Array;
  /** Next info edge toward a sink (-1 sink itself, -2 none). */
  readonly exfilNext: Int32Array;
}

const has = (c: Component, cap: Capability): boolean =>
  (c.kind === "tool" || c.kind === "mcp_server") && (c.props.capabilities ?? []).includes(cap);

const OUTSIDER_SOURCE_TYPES = new Set(["web", "forum", "social", "email", "user_upload"]);

/** Entry classes of one component by its own properties. */
export function entryClassesOf(c: Component): number {
  let bits = 0;
  const attackerTrust = trustRank(c.trust) <= trustRank("public");
  switch (c.kind) {
    case "actor":
      if (attackerTrust) bits |= ENTRY.USER_INPUT;
      break;
    case "endpoint":
    case "app":
      if (c.props.exposure === "public" || attackerTrust) bits |= ENTRY.USER_INPUT;
      break;
    case "source": {
      // Web pages, forums, e-mail and uploads are written by outsiders whatever zone they sit in,
      // unless the model explicitly declares the source trusted.
      const outsider = c.props.type !== undefined && OUTSIDER_SOURCE_TYPES.has(c.props.type);
      const declaredTrusted = c.trustOrigin === "declared" && !attackerTrust;
      if (attackerTrust || (outsider && !declaredTrusted)) bits |= ENTRY.EXTERNAL_DATA;
      break;
    }
    case "tool":
      if (has(c, "browse")) bits |= ENTRY.TOOL_OUTPUT;
      if (c.props.origin === "third_party") bits |= ENTRY.SUPPLY_CHAIN;
      if (attackerTrust) bits |= ENTRY.EXTERNAL_DATA;
      break;
    case "mcp_server":
      if (has(c, "browse")) bits |= ENTRY.TOOL_OUTPUT;
      if (c.props.origin === "third_party" || c.props.origin === "public_registry")
        bits |= ENTRY.SUPPLY_CHAIN;
      if (attackerTrust) bits |= ENTRY.EXTERNAL_DATA;
      break;
    case "provider":
      if (c.props.type === "search") bits |= ENTRY.TOOL_OUTPUT;
      if (attackerTrust) bits |= ENTRY.EXTERNAL_DATA;
      break;
    case "model":
      if (c.props.origin === "public_hub" || c.props.origin === "vendor") bits |= ENTRY.SUPPLY_CHAIN;
      if (attackerTrust) bits |= ENTRY.EXTERNAL_DATA;
      break;
    case "registry":
      if (c.props.origin === "public") bits |= ENTRY.SUPPLY_CHAIN;
      if (attackerTrust) bits |= ENTRY.EXTERNAL_DATA;
      break;
    default:
      if (attackerTrust) bits |= ENTRY.EXTERNAL_DATA;
  }
  return bits;
}

/** Whether what reaches the component is visible to an attacker. */
export function isObservableSink(c: Component): boolean {
  if (trustRank(c.trust) <= trustRank("public")) return true;
  if (has(c, "send_external") || has(c, "browse")) return true;
  if (c.kind === "app" && (c.props.renders === "markdown" || c.props.renders === "html")) return true;
  return false;
}

/** True when the artifact at the component comes from outside the organisation. */
function isThirdPartyArtifact(c: Component): boolean {
  return (entryClassesOf(c) & ENTRY.SUPPLY_CHAIN) !== 0;
}

// Flow kinds along which an artifact's lineage carries over to what receives it.
const ARTIFACT_FLOWS = new Set(["train", "produce", "publish", "deploy", "serve", "load", "copy"]);

// Flow kinds that move artifacts or answers rather than run-time content: attacker text in a training
// set changes the weights (the attack graph follows that), but it does not sit in the context of
// every agent the model later answers for. Run-time content classes stop at these edges.
const DISTRIBUTES_ARTIFACT = new Set(["publish", "deploy", "serve", "load"]);

/** Whether a flow moves an artifact (weights, packages) rather than content: run-time taint stops there. */
function artifactFlow(kind: string, target: Component): boolean {
  // A pipeline's product is content when it lands in an index, dataset or store (a crawler filling
  // a vector store), and an artifact when it is a model or a registry entry.
  if (kind === "produce") return target.kind === "model" || target.kind === "registry";
  return DISTRIBUTES_ARTIFACT.has(kind);
}

/** Computes every propagation fact. O(components + flows) per question. */
export function computeFacts(g: ThreatGraph): Facts {
  const { model } = g;
  const n = model.components.length;
  const flows = model.flows;

  // Info-flow graph: flows forward; results of invoke/delegate back to the caller.
  const from: number[] = [];
  const to: number[] = [];
  const infoFlowList: number[] = [];
  const infoReturnList: number[] = [];
  for (const f of flows) {
    from.push(f.from);
    to.push(f.to);
    infoFlowList.push(f.index);
    infoReturnList.push(0);
    if (f.kind === "invoke" || f.kind === "delegate") {
      from.push(f.to);
      to.push(f.from);
      infoFlowList.push(f.index);
      infoReturnList.push(1);
    }
  }
  const info = buildCompactGraph(n, from, to);
  const infoFlow = Int32Array.from(infoFlowList);
  const infoReturn = Uint8Array.from(infoReturnList);

  const entry = new Uint8Array(n);
  for (const c of model.components) entry[c.index] = entryClassesOf(c);

  // Which info edges carry run-time content: not artifact edges, and not the answers of a stateless
  // component (it answers each caller apart, so one caller's content never reaches another's answers).
  const contentEdge = new Uint8Array(info.edgeCount);
  for (let e = 0; e < info.edgeCount; e++) {
    const f = flows[infoFlow[e]!]!;
    const source = model.components[info.edgeFrom[e]!]!;
    const answer = infoReturn[e] === 1 || f.kind === "response";
    const target = model.components[info.edgeTo[e]!]!;
    contentEdge[e] = artifactFlow(f.kind, target) || (answer && source.stateless === true) ? 0 : 1;
  }

  // Taint: one multi-source BFS per entry class.
  const taint = new Uint8Array(n);
  const taintParent = {} as Record<EntryClass, Int32Array>;
  const queue = new Int32Array(n);
  for (const cls of ENTRY_CLASSES) {
    const bit = ENTRY_BIT[cls];
    const parent = new Int32Array(n).fill(-2);
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) {
      if (entry[v]! & bit) {
        parent[v] = -1;
        queue[tail++] = v;
      }
    }
    while (head < tail) {
      const v = queue[head++]!;
      taint[v]! |= bit;
      for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
        const e = info.outEdges[i]!;
        if (bit !== ENTRY.SUPPLY_CHAIN && !contentEdge[e]) continue;
        const w = info.edgeTo[e]!;
        if (parent[w] === -2) {
          parent[w] = e;
          queue[tail++] = w;
        }
      }
    }
    taintParent[cls] = parent;
  }

  // Sensitivity: max classification rank, a monotone fixpoint (each node rises at most 6 times).
  const sensitivity = new Int8Array(n).fill(-1);
  const sensitivityWitness = new Int32Array(n).fill(-2);
  const sensitivityParent = new Int32Array(n).fill(-2);
  const rankOf = (d: number): number => {
    const cls = model.data[d]?.classification;
    return cls === undefined ? -1 : classificationRank(cls);
  };
  const carriedMax = new Int8Array(flows.length).fill(-1);
  const carriedWitness = new Int32Array(flows.length).fill(-1);
  for (const f of flows) {
    for (const d of f.carries) {
      if (rankOf(d) > carriedMax[f.index]!) {
        carriedMax[f.index] = rankOf(d);
        carriedWitness[f.index] = d;
      }
    }
  }
  const inQueue = new Uint8Array(n);
  const work: number[] = [];
  for (const c of model.components) {
    for (const d of c.holds) {
      if (rankOf(d) > sensitivity[c.index]!) {
        sensitivity[c.index] = rankOf(d);
        sensitivityWitness[c.index] = d;
        sensitivityParent[c.index] = -1;
      }
    }
    // Data carried out of a component is data it has, even when it does not declare `holds`.
    for (let i = g.csr.outStart[c.index]!; i < g.csr.outStart[c.index + 1]!; i++) {
      const f = g.csr.outEdges[i]!;
      if (carriedMax[f]! > sensitivity[c.index]!) {
        sensitivity[c.index] = carriedMax[f]!;
        sensitivityWitness[c.index] = carriedWitness[f]!;
        sensitivityParent[c.index] = -1;
      }
    }
    if (sensitivity[c.index]! >= 0) {
      work.push(c.index);
      inQueue[c.index] = 1;
    }
  }
  while (work.length > 0) {
    const v = work.pop()!;
    inQueue[v] = 0;
    for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
      const e = info.outEdges[i]!;
      const w = info.edgeTo[e]!;
      const f = infoFlow[e]!;
      // Training data makes the trained model sensitive (produce), but the model does not put that
      // data in the context of what it serves: distribution edges carry weights, not records.
      if (DISTRIBUTES_ARTIFACT.has(flows[f]!.kind)) continue;
      // A flow that declares `carries` moves only those assets; otherwise it moves what its source has.
      const declared = flows[f]!.carries.length > 0;
      const r = declared ? Math.min(carriedMax[f]!, sensitivity[v]!) : sensitivity[v]!;
      if (r > sensitivity[w]!) {
        sensitivity[w] = r;
        sensitivityWitness[w] = declared ? carriedWitness[f]! : sensitivityWitness[v]!;
        sensitivityParent[w] = e;
        if (!inQueue[w]) {
          inQueue[w] = 1;
          work.push(w);
        }
      }
    }
  }

  // Third-party lineage along artifact flows.
  const thirdParty = new Uint8Array(n);
  const thirdPartyParent = new Int32Array(n).fill(-2);
  {
    let head = 0;
    let tail = 0;
    for (const c of model.components) {
      if (isThirdPartyArtifact(c)) {
        thirdParty[c.index] = 1;
        thirdPartyParent[c.index] = -1;
        queue[tail++] = c.index;
      }
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
        const f = flows[g.csr.outEdges[i]!]!;
        if (!ARTIFACT_FLOWS.has(f.kind)) continue;
        const w = f.to;
        if (!thirdParty[w]) {
          thirdParty[w] = 1;
          thirdPartyParent[w] = f.index;
          queue[tail++] = w;
        }
      }
    }
  }

  // Exfiltration: reverse BFS from observable sinks over the info graph.
  const observable = new Uint8Array(n);
  const canExfiltrate = new Uint8Array(n);
  const exfilNext = new Int32Array(n).fill(-2);
  {
    let head = 0;
    let tail = 0;
    for (const c of model.components) {
      if (isObservableSink(c)) {
        observable[c.index] = 1;
        canExfiltrate[c.index] = 1;
        exfilNext[c.index] = -1;
        queue[tail++] = c.index;
      }
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = info.inStart[v]!; i < info.inStart[v + 1]!; i++) {
        const e = info.inEdges[i]!;
        const u = info.edgeFrom[e]!;
        if (!canExfiltrate[u]) {
          canExfiltrate[u] = 1;
          exfilNext[u] = e;
          queue[tail++] = u;
        }
      }
    }
  }

  return {
    info,
    infoFlow,
    infoReturn,
    entry,
    taint,
    taintParent,
    sensitivity,
    sensitivityWitness,
    sensitivityParent,
    thirdParty,
    thirdPartyParent,
    observable,
    canExfiltrate,
    exfilNext,
  };
}

/** The classification a rank stands for. */
export function classificationOf(rank: number): Classification | undefined {
  return rank < 0 ? undefined : CLASSIFICATIONS[rank];
}
