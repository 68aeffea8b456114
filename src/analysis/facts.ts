import {
  currentArena,
  scratchCopyI32,
  scratchI32,
  scratchI8,
  scratchScope,
  scratchU8,
} from "../graph/arena.js";
import type { Location } from "../diagnostics/diagnostic.js";
import { buildCompactGraph, type CompactGraph } from "../graph/compact.js";
import {
  COMPONENT_KIND_CODE,
  componentKindMask,
  FLOW_KIND_CODE,
  flowKindMask,
  SECRET_RANK,
  type ThreatGraph,
} from "../graph/threat-graph.js";
import type { Component } from "../semantic/model.js";
import {
  trustRank,
  type Capability,
  type Classification,
  CLASSIFICATIONS,
  type FlowKind,
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
  /**
   * 1 for an info edge that carries run-time content, the edges taint spreads along: not an artifact
   * (weights, packages), and not a stateless component's answer to one caller reaching another.
   */
  readonly contentEdge: Uint8Array;
  /** Entry classes a component itself is (bit flags of ENTRY). */
  readonly entry: Uint8Array;
  /** Entry classes whose content reaches a component, itself included. */
  readonly taint: Uint8Array;
  /** Per entry class, the info edge by which each component was first reached (-1 entry, -2 never). */
  readonly taintParent: Readonly<Record<EntryClass, Int32Array>>;
  /** Highest classification rank of data a component holds or receives (-1 none). */
  readonly sensitivity: Int8Array;
  /**
   * A data asset that attains that rank, and the info edge it arrived by (-1 held, -2 none): for a
   * `secret` rank in `sensitivitySecretParent`, else in `sensitivityParent` (`sensitivityParents`).
   */
  readonly sensitivityWitness: Int32Array;
  readonly sensitivityParent: Int32Array;
  readonly sensitivitySecretParent: Int32Array;
  /** 1 when the component's weights/code/packages descend from a third-party artifact. */
  readonly thirdParty: Uint8Array;
  readonly thirdPartyParent: Int32Array;
  /** 1 when the attacker can observe what reaches this component (an outbound sink). */
  readonly observable: Uint8Array;
  /**
   * For a sink only because an attacker-level actor writes to it (and so reads it back: an issue
   * tracker, a forum, the customer's own ticket), that `write` flow; else -1.
   */
  readonly observableBy: Int32Array;
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

// Flow kinds along which an artifact's lineage carries over to what receives it.
const ARTIFACT_FLOWS: readonly FlowKind[] = [
  "train",
  "produce",
  "publish",
  "deploy",
  "serve",
  "load",
  "copy",
];

// Flow kinds that move artifacts or answers rather than run-time content: attacker text in a training
// set changes the weights (the attack graph follows that), but it does not sit in the context of
// every agent the model later answers for. Run-time content classes stop at these edges.
// As a table by flow kind code (1: the kind distributes an artifact), for every question that asks.
export const DISTRIBUTES_ARTIFACT: Uint8Array = flowKindMask(["publish", "deploy", "serve", "load"]);

/** A reach's `blocked` test for the distribution flows, which carry weights, not records. */
const distributionFlow =
  (g: ThreatGraph) =>
  (_e: number, f: number): boolean =>
    DISTRIBUTES_ARTIFACT[g.flowKind[f]!] === 1;

/** Computes every propagation fact. O(components + flows) per question. */
export function computeFacts(g: ThreatGraph): Facts {
  const { model } = g;
  const n = model.components.length;
  const m = model.flows.length;
  const { flowKind, compKind } = g;

  // Info-flow graph: flows forward; results of invoke/delegate back to the caller (right after the
  // flow's own edge, so info edge ids follow flow order).
  const returns = flowKindMask(["invoke", "delegate"]);
  let extra = 0;
  for (let f = 0; f < m; f++) extra += returns[flowKind[f]!]!;
  const from = scratchI32(m + extra);
  const to = scratchI32(m + extra);
  const infoFlow = scratchI32(m + extra);
  const infoReturn = scratchU8(m + extra);
  for (let f = 0, e = 0; f < m; f++) {
    const a = g.csr.edgeFrom[f]!;
    const b = g.csr.edgeTo[f]!;
    from[e] = a;
    to[e] = b;
    infoFlow[e++] = f;
    if (returns[flowKind[f]!]) {
      from[e] = b;
      to[e] = a;
      infoFlow[e] = f;
      infoReturn[e++] = 1;
    }
  }
  const info = buildCompactGraph(n, from, to);

  const entry = scratchU8(n);
  for (const c of model.components) entry[c.index] = entryClassesOf(c);

  // Which info edges carry run-time content: not artifact edges, and not the answers of a stateless
  // component (it answers each caller apart, so one caller's content never reaches another's answers).
  // A pipeline's product is content when it lands in an index, dataset or store (a crawler filling a
  // vector store), and an artifact when it is a model or a registry entry.
  const produce = FLOW_KIND_CODE.get("produce")!;
  const response = FLOW_KIND_CODE.get("response")!;
  const artifactTarget = componentKindMask(["model", "registry"]);
  const contentEdge = scratchU8(info.edgeCount);
  for (let e = 0; e < info.edgeCount; e++) {
    const k = flowKind[infoFlow[e]!]!;
    const target = info.edgeTo[e]!;
    const artifact = k === produce ? artifactTarget[compKind[target]!] === 1 : DISTRIBUTES_ARTIFACT[k] === 1;
    const answer = infoReturn[e] === 1 || k === response;
    contentEdge[e] = artifact || (answer && g.stateless[info.edgeFrom[e]!] === 1) ? 0 : 1;
  }

  // Taint: one multi-source BFS per entry class.
  const taint = scratchU8(n);
  const queue = scratchI32(n);
  const taintParent = taintSearches(info, entry, contentEdge, taint, queue);

  const sens = sensitivityOf(g, info, infoFlow);

  // Third-party lineage along artifact flows.
  const thirdParty = scratchU8(n);
  const thirdPartyParent = scratchI32(n).fill(-2);
  {
    const artifact = flowKindMask(ARTIFACT_FLOWS);
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) {
      if (entry[v]! & ENTRY.SUPPLY_CHAIN) {
        thirdParty[v] = 1;
        thirdPartyParent[v] = -1;
        queue[tail++] = v;
      }
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
        const f = g.csr.outEdges[i]!;
        if (!artifact[flowKind[f]!]) continue;
        const w = g.csr.edgeTo[f]!;
        if (!thirdParty[w]) {
          thirdParty[w] = 1;
          thirdPartyParent[w] = f;
          queue[tail++] = w;
        }
      }
    }
  }

  // Exfiltration: reverse BFS from observable sinks over the info graph.
  const observable = scratchU8(n);
  const observableBy = scratchI32(n).fill(-1);
  const canExfiltrate = scratchU8(n);
  const exfilNext = scratchI32(n).fill(-2);
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
    // Where an attacker-level actor writes (files an issue, posts, opens a ticket), the attacker
    // reads what lands there too: a reply or comment written into it is visible to them.
    const actor = COMPONENT_KIND_CODE.get("actor")!;
    for (const f of g.flowsByKind.get("write") ?? []) {
      const a = g.csr.edgeFrom[f]!;
      const t = g.csr.edgeTo[f]!;
      if (compKind[a] !== actor || observable[t] || !(entry[a]! & ENTRY.USER_INPUT)) continue;
      observable[t] = 1;
      observableBy[t] = f;
      canExfiltrate[t] = 1;
      exfilNext[t] = -1;
      queue[tail++] = t;
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
    contentEdge,
    entry,
    taint,
    taintParent,
    sensitivity: sens.rank,
    sensitivityWitness: sens.witness,
    sensitivityParent: sens.parent,
    sensitivitySecretParent: sens.secretParent,
    thirdParty,
    thirdPartyParent,
    observable,
    observableBy,
    canExfiltrate,
    exfilNext,
  };
}

/**
 * Taint: one multi-source BFS per entry class over the information graph's content edges (every edge
 * for supply chain), with the edge each node was first reached by per class. The four searches read
 * a node's steps from copies in slot order (the step's target, and whether it carries content), taken
 * once and given back after: through the edge ids every step cost two more random loads per class.
 * The slots are walked in the same order, so every parent is the same edge.
 */
function taintSearches(
  info: CompactGraph,
  entry: Uint8Array,
  contentEdge: Uint8Array,
  taint: Uint8Array,
  queue: Int32Array,
): Record<EntryClass, Int32Array> {
  const n = info.nodeCount;
  const parents = {} as Record<EntryClass, Int32Array>;
  for (const cls of ENTRY_CLASSES) parents[cls] = scratchI32(n).fill(-2);
  scratchScope(() => {
    const { outEdges, edgeTo } = info;
    const slotTo = scratchI32(outEdges.length);
    const slotContent = scratchU8(outEdges.length);
    for (let i = 0; i < outEdges.length; i++) {
      const e = outEdges[i]!;
      slotTo[i] = edgeTo[e]!;
      slotContent[i] = contentEdge[e]!;
    }
    const slots = { start: info.outStart, edge: outEdges, to: slotTo, content: slotContent };
    for (const cls of ENTRY_CLASSES) {
      const bit = ENTRY_BIT[cls];
      taintSearch(slots, bit !== ENTRY.SUPPLY_CHAIN, bit, entry, taint, parents[cls], queue);
    }
  });
  return parents;
}

/** One class's taint BFS (see `taintSearches`): seeds its entries, marks `taint`, fills `parent`. */
function taintSearch(
  slots: { start: Int32Array; edge: Int32Array; to: Int32Array; content: Uint8Array },
  contentOnly: boolean,
  bit: number,
  entry: Uint8Array,
  taint: Uint8Array,
  parent: Int32Array,
  queue: Int32Array,
): void {
  const { start, edge, to, content } = slots;
  const n = parent.length;
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
    for (let i = start[v]!, end = start[v + 1]!; i < end; i++) {
      if (contentOnly && content[i] === 0) continue;
      const w = to[i]!;
      if (parent[w] === -2) {
        parent[w] = edge[i]!;
        queue[tail++] = w;
      }
    }
  }
}

/** Per node: the highest level reaching it, a witness of that level, and the edge it came by. */
export interface LevelReach {
  readonly rank: Int8Array;
  /** The witness (a data asset) that attains the rank; `noWitness` when nothing reaches the node. */
  readonly witness: Int32Array;
  /** The edge the level arrived by: -1 for the node's own level, -2 when nothing reaches it. */
  readonly parent: Int32Array;
}

/** `edgeCap` value of an edge that lets every level through. */
export const UNCAPPED = 127;

/**
 * The widest-path question "what is the highest level that reaches each node", where each node has
 * its own level (-1 none) and each edge lets at most `edgeCap[e]` through (-1: nothing; UNCAPPED:
 * anything). An edge with a cap of its own names its witness (`edgeWitness[e]`, what it carries);
 * otherwise the witness travels with the level.
 *
 * Computed level by level, highest first: a multi-source BFS from every node already at that level
 * or above, over the edges that let the level through, settles the nodes it reaches for the first
 * time. Each node and edge is visited at most once per level (a node settled higher only when one of
 * its edges is capped), so the cost is at most `levels` BFS passes, and each
 * node's parent chain is a shortest one within its level. (A worklist fixpoint reaches the same
 * ranks, but the chains it leaves depend on the order it raised nodes in, and on a large coupled
 * model they run to thousands of steps, which every explanation then walks.)
 */
export function levelReach(
  graph: CompactGraph,
  levels: number,
  own: Int8Array,
  ownWitness: Int32Array,
  edgeCap: Int8Array,
  edgeWitness: Int32Array,
  noWitness: number,
): LevelReach {
  const n = graph.nodeCount;
  const rank = scratchI8(n).fill(-1);
  const witness = scratchI32(n).fill(noWitness);
  const parent = scratchI32(n).fill(-2);
  const queue = scratchI32(n);
  const { outStart, outEdges, edgeTo } = graph;
  const capped = cappedSources(graph, edgeCap);
  for (let level = levels - 1; level >= 0; level--) {
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) {
      // A node settled at a higher level has offered every edge that lets that level through:
      // only its capped edges can carry a lower level on, so a node without one would be read
      // again for nothing (all its edges, once per level).
      if (rank[v]! >= level) {
        if (capped[v]) queue[tail++] = v;
      } else if (own[v] === level) {
        rank[v] = level;
        witness[v] = ownWitness[v]!;
        parent[v] = -1;
        queue[tail++] = v;
      }
    }
    if (tail === 0) continue;
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
        const e = outEdges[i]!;
        const w = edgeTo[e]!;
        if (rank[w]! >= 0 || edgeCap[e]! < level) continue;
        rank[w] = level;
        const ew = edgeWitness[e]!;
        witness[w] = ew >= 0 ? ew : witness[v]!;
        parent[w] = e;
        queue[tail++] = w;
      }
    }
  }
  return { rank, witness, parent };
}

/** Per node, 1 when one of its out-edges lets some levels through but not all (0 <= cap < UNCAPPED). */
function cappedSources(graph: CompactGraph, edgeCap: Int8Array): Uint8Array {
  const capped = scratchU8(graph.nodeCount);
  for (let e = 0; e < graph.edgeCount; e++) {
    const cap = edgeCap[e]!;
    if (cap >= 0 && cap < UNCAPPED) capped[graph.edgeFrom[e]!] = 1;
  }
  return capped;
}

/**
 * The ranks of `levelReach` alone, without witnesses or chains, in one pass where it makes one BFS
 * per level: a node is settled at the highest level it is offered (a stack per level, highest
 * first), and an edge offers its target the lower of its source's level and its cap. Each node is
 * offered at most once per level and each edge is read once.
 */
export function levelRanks(
  graph: CompactGraph,
  levels: number,
  own: Int8Array,
  edgeCap: Int8Array,
): Int8Array {
  const n = graph.nodeCount;
  const rank = scratchI8(n).fill(-1);
  // The offers and stacks are given back at the end: a compile asks this once per guard, and
  // each pass's temporaries are four to five bytes per level and node (about 66 MB at 1M for three
  // guards) that would otherwise stay in the compile's arena.
  const arena = currentArena();
  const mark = arena?.mark();
  const offered = scratchI8(n).fill(-1);
  const stacks: Int32Array[] = [];
  const tops = new Int32Array(levels);
  for (let level = 0; level < levels; level++) stacks.push(scratchI32(n));
  for (let v = 0; v < n; v++) {
    const level = own[v]!;
    if (level < 0) continue;
    offered[v] = level;
    stacks[level]![tops[level]!++] = v;
  }
  const { outStart, outEdges, edgeTo } = graph;
  for (let level = levels - 1; level >= 0; level--) {
    const stack = stacks[level]!;
    while (tops[level]! > 0) {
      const v = stack[--tops[level]!]!;
      if (rank[v]! >= 0) continue;
      rank[v] = level;
      for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
        const e = outEdges[i]!;
        const cap = edgeCap[e]!;
        if (cap < 0) continue;
        const w = edgeTo[e]!;
        const at = cap < level ? cap : level;
        if (offered[w]! >= at) continue;
        offered[w] = at;
        stacks[at]![tops[at]!++] = w;
      }
    }
  }
  if (arena && mark !== undefined) arena.release(mark);
  return rank;
}

/**
 * A component's own classification below `secret`: the data it holds, then the data it sends on its
 * flows (a component has what it sends, even when it does not declare `holds`); the first asset to
 * reach the maximum is the witness. `secret` is the first secret asset it holds or sends (-1 none).
 */
export function ownSensitivity(g: ThreatGraph): OwnSensitivity {
  // Asked by the facts, then again per guard and per reach by the rules: a pass over every
  // component's flows each time, for the same answer. Read-only, and in whatever arena is current
  // at the first question: the facts' (never given back) for a compile's graph, the rules' for
  // their own copy of it, which dies with that arena. A question first asked inside a scope that
  // is given back would keep released memory: nothing asks it there (the attack paths do not).
  let own = ownSensitivities.get(g);
  if (!own) ownSensitivities.set(g, (own = ownSensitivityOf(g)));
  return own;
}

/** A component's own level below `secret`, its witness, and its first secret (see `ownSensitivity`). */
export interface OwnSensitivity {
  readonly own: Int8Array;
  readonly witness: Int32Array;
  readonly secret: Int32Array;
}

const ownSensitivities = new WeakMap<ThreatGraph, OwnSensitivity>();

function ownSensitivityOf(g: ThreatGraph): OwnSensitivity {
  const n = g.model.components.length;
  const own = scratchI8(n).fill(-1);
  const witness = scratchI32(n).fill(-1);
  const secret = scratchI32(n).fill(-1);
  for (let v = 0; v < n; v++) {
    let r = g.heldBelowRank[v]!;
    let d = r >= 0 ? g.heldBelowData[v]! : -1;
    let s = g.heldSecret[v]!;
    for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
      const f = g.csr.outEdges[i]!;
      if (g.carriedBelowRank[f]! > r) {
        r = g.carriedBelowRank[f]!;
        d = g.carriedBelowData[f]!;
      }
      if (s < 0) s = g.carriedSecret[f]!;
    }
    own[v] = r;
    witness[v] = d;
    secret[v] = s;
  }
  return { own, witness, secret };
}

/**
 * Per info edge, what it lets through for a sensitivity question: nothing over the edges `blocked`
 * marks; below `secret`, at most what the flow declares in `carries`, else everything, with the
 * witness a declared flow names; and `secret` data only when the flow names a secret asset
 * (`secret[e]`, -1 none).
 */
export function sensitivityCaps(
  g: ThreatGraph,
  infoFlow: Int32Array,
  blocked: (e: number, f: number) => boolean,
): { cap: Int8Array; witness: Int32Array; secret: Int32Array } {
  const m = infoFlow.length;
  const cap = scratchI8(m);
  const witness = scratchI32(m).fill(-1);
  const secret = scratchI32(m).fill(-1);
  for (let e = 0; e < m; e++) {
    const f = infoFlow[e]!;
    if (blocked(e, f)) cap[e] = -1;
    else if (g.declaresCarries[f]) {
      cap[e] = g.carriedBelowRank[f]!;
      witness[e] = g.carriedBelowData[f]!;
      secret[e] = g.carriedSecret[f]!;
    } else cap[e] = UNCAPPED;
  }
  return { cap, witness, secret };
}

/** The tier below `secret` of a sensitivity reach, with what it was computed from. */
function belowSecretTier(
  g: ThreatGraph,
  info: CompactGraph,
  infoFlow: Int32Array,
  blocked: (e: number, f: number) => boolean,
  noWitness: number,
): { own: ReturnType<typeof ownSensitivity>; caps: ReturnType<typeof sensitivityCaps>; below: LevelReach } {
  const own = ownSensitivity(g);
  const caps = sensitivityCaps(g, infoFlow, blocked);
  const below = levelReach(info, SECRET_RANK, own.own, own.witness, caps.cap, caps.witness, noWitness);
  return { own, caps, below };
}

/** Sensitivity reach in two tiers: `parent` chains the data below `secret`, `secretParent` the secrets. */
export interface SensitivityReach extends LevelReach {
  /** For nodes whose rank is `secret`: the edge the secret arrived by (-1 held or sent, -2 none). */
  readonly secretParent: Int32Array;
}

/**
 * The highest classification reaching each node, with `secret` kept apart: a credential travels only
 * where a flow names it in `carries` (an API key read at start-up is not in every ticket the bot
 * writes), while lower classifications also travel over flows that declare nothing. Two passes with
 * two parent arrays, so each chain stays in one tier: `sensitivityParents` picks the right one.
 */
export function sensitivityReach(
  g: ThreatGraph,
  info: CompactGraph,
  infoFlow: Int32Array,
  blocked: (e: number, f: number) => boolean,
  noWitness: number,
  keepBelow?: (below: LevelReach) => void,
): SensitivityReach {
  const { own, caps, below } = belowSecretTier(g, info, infoFlow, blocked, noWitness);
  keepBelow?.(below);
  // Secrets: a BFS from their holders over the edges that name a secret asset, then from components
  // that only send one (so a secret passed on is traced back to where it is held).
  const n = info.nodeCount;
  const secretParent = scratchI32(n).fill(-2);
  const rank = below.rank;
  const witness = below.witness;
  const queue = scratchI32(n);
  let head = 0;
  let tail = 0;
  for (const held of [true, false]) {
    for (let v = 0; v < n; v++) {
      const d = held ? g.heldSecret[v]! : own.secret[v]!;
      if (d < 0 || secretParent[v] !== -2) continue;
      secretParent[v] = -1;
      rank[v] = SECRET_RANK;
      witness[v] = d;
      queue[tail++] = v;
    }
    for (; head < tail; head++) {
      const v = queue[head]!;
      for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
        const e = info.outEdges[i]!;
        const d = caps.secret[e]!;
        const w = info.edgeTo[e]!;
        if (d < 0 || secretParent[w] !== -2) continue;
        secretParent[w] = e;
        rank[w] = SECRET_RANK;
        witness[w] = d;
        queue[tail++] = w;
      }
    }
  }
  return { rank, witness, parent: below.parent, secretParent };
}

/** The parent array whose chain explains node `v`'s rank (the secret tier or the one below). */
export function reachParents(r: SensitivityReach, v: number): Int32Array {
  return r.rank[v] === SECRET_RANK ? r.secretParent : r.parent;
}

/** The parent array that explains how component `v`'s most sensitive data reaches it. */
export function sensitivityParents(facts: Facts, v: number): Int32Array {
  return facts.sensitivity[v] === SECRET_RANK ? facts.sensitivitySecretParent : facts.sensitivityParent;
}

/**
 * Sensitivity: the highest classification that can reach each component, where a flow that declares
 * `carries` lets through at most what it carries (and `secret` only where it names it), and
 * distribution flows (publish, deploy, serve, load) carry weights, not records (training data makes
 * the trained model sensitive through `produce`, but the model does not put those records in the
 * context of what it serves).
 */
function sensitivityOf(g: ThreatGraph, info: CompactGraph, infoFlow: Int32Array): SensitivityReach {
  return sensitivityReach(g, info, infoFlow, distributionFlow(g), -2, (below) =>
    belowSecretTiers.set(below.parent, {
      rank: copyI8(below.rank),
      witness: scratchCopyI32(below.witness),
      parent: below.parent,
    }),
  );
}

/**
 * The tier below `secret` of the shared sensitivity, as it was before the secret pass raised some
 * ranks (`sensitivityBelowSecret`), keyed by its parent array, which the facts keep (and copies of
 * the facts share). Five bytes per component, where asking again cost the whole level reach.
 */
const belowSecretTiers = new WeakMap<Int32Array, LevelReach>();

function copyI8(a: Int8Array): Int8Array {
  const out = scratchI8(a.length);
  out.set(a);
  return out;
}

/**
 * The shared sensitivity without its `secret` tier: the highest classification below `secret` that
 * reaches each component, its witness, and (the same as `sensitivityParent`) the edge it came by.
 * The shared facts keep only the highest rank, so a component that also sees a credential shows
 * `secret` there; this answers "and apart from the credential?". Kept aside when the facts are
 * computed; computed again (one level reach) for facts made some other way.
 */
export function sensitivityBelowSecret(g: ThreatGraph, facts: Facts): LevelReach {
  return (
    belowSecretTiers.get(facts.sensitivityParent) ??
    belowSecretTier(g, facts.info, facts.infoFlow, distributionFlow(g), -2).below
  );
}

/** The classification a rank stands for. */
export function classificationOf(rank: number): Classification | undefined {
  return rank < 0 ? undefined : CLASSIFICATIONS[rank];
}
