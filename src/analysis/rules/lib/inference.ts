import { scratchI32, scratchI8, scratchU8 } from "../../../graph/arena.js";
import {
  COMPONENT_KIND_CODE,
  componentKindMask,
  FLOW_KIND_CODE,
  inFlows,
  SECRET_RANK,
  type ThreatGraph,
} from "../../../graph/threat-graph.js";
import {
  componentAuth,
  type Component,
  type CrownJewel,
  type Flow,
  type Subject,
} from "../../../semantic/model.js";
import {
  classificationRank,
  FLOW_KIND_NAMES,
  TRUST_LEVELS,
  trustRank,
  type Cia,
  type Classification,
  type FlowKind,
  type TrustLevel,
} from "../../../semantic/vocabulary.js";
import {
  chainOf,
  describe,
  edgeFact,
  entryFact,
  holderFact,
  pathBack,
  sensitivityChain,
  tableFor,
  trimmedChain,
  walkBack,
  walkBackOver,
} from "../../explain.js";
import {
  classificationOf,
  DISTRIBUTES_ARTIFACT,
  ENTRY_BIT,
  reachParents,
  sensitivityBelowSecret,
  sensitivityReach,
  type EntryClass,
  type Fact,
  type Facts,
  type LevelReach,
} from "../../facts.js";
import { attackerTrust, isLlmConsumer, LLM_CONSUMER_KINDS } from "../../predicates.js";
import { exactList } from "../../exact-list.js";
import { releasedAsRulesEnd } from "../../report-caches.js";
import { initiates, initiatesAt, reachesUncut, type Guard } from "./training.js";

/**
 * Helpers shared by the model-access, privacy and LLM-application rules (AT-15..AT-35, AT-53, AT-54).
 * They answer questions the shared facts do not separate: who can send queries to a component and how
 * trusted the least trusted of them is; what a model was trained on (data in its weights) as opposed
 * to what reaches its context at run time; and where outsiders meet a model (its "front": the
 * endpoint, agent or app they query). Each answer is one linear pass over the graph, computed at most
 * once per compile, and explainable as a chain of located facts.
 */

/** Parent value of a seed (the component starts the chain itself). */
export const SEED = -1;
/** Parent value of a component a pass never reached. */
export const NONE = -2;

/** Longest path whose components and flows count as control points. */
const MAX_POINTS = 24;

// Flows that move weights rather than run-time content: what arrives over them is in the model, not
// in its context. `produce` moves weights only when it produces a model or a registry entry.
const WEIGHT_FLOWS: ReadonlySet<FlowKind> = new Set(["train", "serve", "deploy", "publish", "load"]);
// Flows over which a model's weights (and so what they learnt) travel to what uses them.
const LINEAGE_FLOWS: ReadonlySet<FlowKind> = new Set([
  "train",
  "produce",
  "publish",
  "deploy",
  "serve",
  "load",
]);
// Flows along which a served model reaches the components that answer with it.
const SERVING_FLOWS: ReadonlySet<FlowKind> = new Set(["serve", "deploy", "publish", "load"]);
/** Flows that carry a caller's request to what answers it. */
export const QUERY_FLOWS: ReadonlySet<FlowKind> = new Set(["prompt", "request", "invoke", "delegate"]);

/** Trust rank at or below which a party is an attacker (untrusted or public). */
export const ATTACKER_RANK = trustRank("public");
/** Trust rank of partners: outside the organisation, but known. */
export const PARTNER_RANK = trustRank("partner");

const memo = new WeakMap<Facts, Map<string, unknown>>();

/**
 * Computes a per-compile answer once; the facts object identifies the compile. Each answer's pass is
 * a module function (`trainedOf`, ...) that `compute` calls, not the body of `compute`: a closure made
 * per compile takes its optimized code with it when the compile's caches go, so every compile ran the
 * pass unoptimized and compiled it again (bench/README.md, stop 39).
 */
function once<T>(facts: Facts, key: string, compute: () => T): T {
  let m = memo.get(facts);
  if (!m) {
    m = new Map();
    memo.set(facts, m);
  }
  if (!m.has(key)) m.set(key, compute());
  return m.get(key) as T;
}

/**
 * A chain of `first` then one fact per step, trimmed to both ends, but building only the facts it
 * keeps: paths in large models run to thousands of steps, and most findings show a dozen.
 */
export function lazyChain<T>(first: readonly Fact[], steps: readonly T[], make: (step: T) => Fact): Fact[] {
  return trimmedChain(first, steps.length, (i) => steps[i]!, make);
}

/** The name of a trust rank. */
export function trustName(rank: number): TrustLevel {
  return TRUST_LEVELS[Math.max(0, Math.min(rank, TRUST_LEVELS.length - 1))]!;
}

/** A fact about one property of a component, located at the property when it is written. */
export function propFact(c: Component, prop: string, text: string): Fact {
  return { text, loc: c.propLocs[prop] ?? c.nameLoc };
}

/** A fact about one flow. */
export function flowFact(g: ThreatGraph, f: Flow, text: string): Fact {
  return { text: `\`${flowName(g, f)}\` (${f.kind}) ${text}`, loc: f.loc };
}

/** `from -> to` of a flow, for messages. */
export function flowName(g: ThreatGraph, f: Flow): string {
  return `${g.model.components[f.from]!.name} -> ${g.model.components[f.to]!.name}`;
}

/** Classification rank of a data asset (-1 when unclassified). */
function dataRank(g: ThreatGraph, d: number): number {
  const cls = g.model.data[d]?.classification;
  return cls === undefined ? -1 : classificationRank(cls);
}

/** The most sensitive asset a flow declares in `carries` (rank -1 when none is classified). */
function carriedMax(g: ThreatGraph, f: Flow): { rank: number; data: number } {
  let rank = -1;
  let data = -1;
  for (const d of f.carries) {
    if (dataRank(g, d) > rank) {
      rank = dataRank(g, d);
      data = d;
    }
  }
  return { rank, data };
}

/**
 * The classification of what moves along a flow: what it declares in `carries`, otherwise everything
 * its source has. `witness` is the asset that attains it.
 */
export function flowSensitivity(g: ThreatGraph, facts: Facts, f: Flow): { rank: number; data: number } {
  if (f.carries.length > 0) return carriedMax(g, f);
  return { rank: facts.sensitivity[f.from]!, data: facts.sensitivityWitness[f.from]! };
}

// ---- model providers' data handling ----------------------------------------------------------------

/** Providers whose inputs are prompts and documents: what they keep of them is AT-53's question. */
function isModelProvider(c: Component): c is Extract<Component, { kind: "provider" }> {
  return c.kind === "provider" && (c.props.type === "llm_api" || c.props.type === "embedding_api");
}

/**
 * `serve` flows from a model provider (a hosted LLM or embedding API) to a component that sends the
 * provider nothing over a flow of its own: the component's context still goes to the provider with
 * every call, so these flows stand for that upload (AS-09, AT-53). A model written with both
 * directions is read from its own flows. Per provider index, in flow order; computed once.
 */
export function servedOnlyFlows(g: ThreatGraph, facts: Facts): ReadonlyMap<number, readonly Flow[]> {
  return once(facts, "servedOnlyFlows", () => servedOnlyFlowsOf(g));
}

/** `servedOnlyFlows`'s pass (see `once`). */
function servedOnlyFlowsOf(g: ThreatGraph): ReadonlyMap<number, readonly Flow[]> {
  const n = g.model.components.length;
  const provider = COMPONENT_KIND_CODE.get("provider")!;
  const { edgeFrom, edgeTo } = g.csr;
  const sends = new Set<number>();
  for (let f = 0; f < g.model.flows.length; f++)
    if (g.compKind[edgeTo[f]!] === provider) sends.add(edgeFrom[f]! * n + edgeTo[f]!);
  const out = new Map<number, Flow[]>();
  for (const f of g.flowsByKind.get("serve") ?? []) {
    const p = edgeFrom[f]!;
    if (!isModelProvider(g.model.components[p]!)) continue;
    if (sends.has(edgeTo[f]! * n + p)) continue;
    let list = out.get(p);
    if (!list) out.set(p, (list = []));
    list.push(g.model.flows[f]!);
  }
  return out;
}

/** The data-handling properties a model provider leaves unstated (AS-09 reports them; AT-53 assumes). */
export function unstatedHandling(c: Component): readonly ("retention" | "trains_on_inputs")[] {
  if (!isModelProvider(c)) return [];
  const missing: ("retention" | "trains_on_inputs")[] = [];
  if (c.props.retention === undefined) missing.push("retention");
  if (c.props.trains_on_inputs === undefined) missing.push("trains_on_inputs");
  return missing;
}

// ---- flat tables ---------------------------------------------------------------------------------

/**
 * Flow facts the passes below read per edge, copied once into typed arrays: reading the model's
 * objects edge by edge costs far more than the traversals themselves on large models.
 */
interface FlowTable {
  /** Flow kind, as an index into FLOW_KIND_NAMES. */
  readonly kind: Uint8Array;
  /** Most sensitive asset the flow declares in `carries` (rank -1, data -1 when none). */
  readonly carriedRank: Int8Array;
  readonly carriedData: Int32Array;
  /** 1 when the flow declares `carries` at all (then it moves only those assets). */
  readonly declares: Uint8Array;
  /** Per info edge: 1 when it moves run-time content. */
  readonly runtime: Uint8Array;
}

/** A lookup from flow-kind index to membership in `kinds`. */
function kindMask(kinds: ReadonlySet<FlowKind>): Uint8Array {
  return Uint8Array.from(FLOW_KIND_NAMES, (k) => (kinds.has(k) ? 1 : 0));
}

function flowTable(g: ThreatGraph, facts: Facts): FlowTable {
  return once(facts, "flowTable", () => flowTableOf(g, facts));
}

/** `flowTable`'s pass (see `once`). */
function flowTableOf(g: ThreatGraph, facts: Facts): FlowTable {
  const { info, infoFlow, infoReturn } = facts;
  const weights = kindMask(WEIGHT_FLOWS);
  const produce = FLOW_KIND_CODE.get("produce")!;
  const response = FLOW_KIND_CODE.get("response")!;
  const weightTarget = componentKindMask(["model", "registry"]);
  const runtime = scratchU8(info.edgeCount);
  for (let e = 0; e < runtime.length; e++) {
    // Run-time content: not weights, and not the answers of a `stateless` component (it answers
    // each caller apart, so one caller's content never reaches another's answers).
    const f = infoFlow[e]!;
    const k = g.flowKind[f]!;
    if (weights[k]) continue;
    if ((infoReturn[e] === 1 || k === response) && g.stateless[info.edgeFrom[e]!]) continue;
    if (k === produce && weightTarget[g.compKind[g.csr.edgeTo[f]!]!]) continue;
    runtime[e] = 1;
  }
  return {
    kind: g.flowKind,
    carriedRank: g.carriedRank,
    carriedData: g.carriedData,
    declares: g.declaresCarries,
    runtime,
  };
}

// ---- run time versus weights ---------------------------------------------------------------------

const RUNTIME_CLASSES: readonly EntryClass[] = ["user_input", "external_data", "tool_output"];

/** Attacker content reaching components at run time, per entry class, never through weights. */
export interface RuntimeTaint {
  /** Entry-class bits (ENTRY) whose content reaches each component at run time. */
  readonly bits: Uint8Array;
  /** Per class, the info edge by which each component was first reached (SEED, NONE). */
  readonly parent: Readonly<Partial<Record<EntryClass, Int32Array>>>;
}

/**
 * Like the shared taint, but only over flows that carry run-time content: a model trained on forum
 * posts does not put forum text into the context of the agent it serves, while a forum post
 * retrieved by that agent does. One BFS per run-time entry class.
 */
export function runtimeTaint(g: ThreatGraph, facts: Facts): RuntimeTaint {
  return once(facts, "runtimeTaint", () => runtimeTaintOf(g, facts));
}

/** `runtimeTaint`'s pass (see `once`). */
function runtimeTaintOf(g: ThreatGraph, facts: Facts): RuntimeTaint {
  const n = g.model.components.length;
  const { info } = facts;
  const { runtime } = flowTable(g, facts);
  const bits = scratchU8(n);
  const parent: Partial<Record<EntryClass, Int32Array>> = {};
  const queue = scratchI32(n);
  for (const cls of RUNTIME_CLASSES) {
    const bit = ENTRY_BIT[cls];
    const par = scratchI32(n).fill(NONE);
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) {
      if (facts.entry[v]! & bit) {
        par[v] = SEED;
        queue[tail++] = v;
      }
    }
    while (head < tail) {
      const v = queue[head++]!;
      bits[v]! |= bit;
      for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
        const e = info.outEdges[i]!;
        const w = info.edgeTo[e]!;
        if (par[w] !== NONE || !runtime[e]) continue;
        par[w] = e;
        queue[tail++] = w;
      }
    }
    parent[cls] = par;
  }
  return { bits, parent };
}

/** The first run-time entry class (user input, external data, tool output) in `mask` reaching `v`. */
export function runtimeClass(rt: RuntimeTaint, v: number, mask: number): EntryClass | undefined {
  for (const cls of RUNTIME_CLASSES) if (rt.bits[v]! & mask & ENTRY_BIT[cls]) return cls;
  return undefined;
}

/** How run-time attacker content of a class reaches `v`: the entry, then each flow. */
export function runtimeTaintChain(
  g: ThreatGraph,
  facts: Facts,
  rt: RuntimeTaint,
  v: number,
  cls: EntryClass,
): Fact[] {
  // One table per class (the class names are the only tables kept on `rt`).
  const table = tableFor<Fact[]>(rt, cls, rt.bits.length);
  return (table[v] ??= exactList(runtimeTaintChainUncached(g, facts, rt, v, cls)));
}

/** Computes `runtimeTaintChain` (cached by the wrapper above). */
function runtimeTaintChainUncached(
  g: ThreatGraph,
  facts: Facts,
  rt: RuntimeTaint,
  v: number,
  cls: EntryClass,
): Fact[] {
  const par = rt.parent[cls];
  if (!par || par[v] === NONE) return [];
  const path = walkBack(facts, par, v);
  return chainOf([entryFact(g, g.model.components[path.from]!, cls)], path, (e) =>
    edgeFact(g, facts, e, "attacker-controlled content"),
  );
}

/** The last flow on the run-time taint path into `v` (undefined for the entry itself). */
export function runtimeEntryFlow(
  g: ThreatGraph,
  facts: Facts,
  rt: RuntimeTaint,
  v: number,
  cls: EntryClass,
): Flow | undefined {
  const e = rt.parent[cls]?.[v] ?? NONE;
  return e >= 0 ? g.model.flows[facts.infoFlow[e]!] : undefined;
}

// ---- stored user content ------------------------------------------------------------------------

// Flows that leave content at rest for later readers: what an untrusted user submits through them
// is read back by whoever reads that store, in sessions the user is not part of.
const STORING_FLOWS: ReadonlySet<FlowKind> = new Set([
  "write",
  "ingest",
  "copy",
  "feedback",
  "label",
  "log",
  "produce",
]);

/**
 * Untrusted users' content that some flow stored and something read back: a ticket, a pull request,
 * a review or a log line an outsider submitted. Its reader takes it as data it fetched, not as a
 * prompt from the user in front of it, which is indirect prompt injection even though its entry is
 * a user. Content an LLM stored is AT-40's and AT-41's. One BFS over two layers of the content edges (not yet stored, stored), from the
 * user-input entries: a node's layer-1 parent is an edge and the layer it came from.
 */
export interface StoredUserContent {
  /** Per state (`v` not yet stored, `n + v` stored): `edge * 2 + layer it came from`, SEED or NONE. */
  readonly parent: Int32Array;
  readonly n: number;
}

/** 1 for each LLM consumer (`isLlmConsumer`), worked out once per compile for the passes that ask per edge. */
export function llmMask(g: ThreatGraph, facts: Facts): Uint8Array {
  return once(facts, "llmMask", () => llmMaskOf(g));
}

/** `llmMask`'s pass (see `once`). */
function llmMaskOf(g: ThreatGraph): Uint8Array {
  const llm = scratchU8(g.model.components.length);
  // Only these kinds can be one: the others' objects are never read.
  for (const kind of LLM_CONSUMER_KINDS)
    for (const i of g.byKind.get(kind) ?? []) llm[i] = isLlmConsumer(g, g.model.components[i]!) ? 1 : 0;
  return llm;
}

export function storedUserContent(g: ThreatGraph, facts: Facts): StoredUserContent {
  return once(facts, "storedUserContent", () => storedUserContentOf(g, facts));
}

/** `storedUserContent`'s pass (see `once`). */
function storedUserContentOf(g: ThreatGraph, facts: Facts): StoredUserContent {
  const n = g.model.components.length;
  const { info, contentEdge } = facts;
  const storing = scratchU8(FLOW_KIND_NAMES.length);
  for (const k of STORING_FLOWS) storing[FLOW_KIND_CODE.get(k)!] = 1;
  // An LLM that writes what it was told into a store is agent memory (AT-40) or a prompt spreading
  // between agents (AT-41). What it stores through a tool it calls still counts (ADR 3: one user's
  // memo read back in another user's session is an injection the model cannot tell apart).
  const llm = llmMask(g, facts);
  const parent = scratchI32(2 * n).fill(NONE);
  const queue = scratchI32(2 * n);
  let head = 0;
  let tail = 0;
  const bit = ENTRY_BIT.user_input;
  for (let v = 0; v < n; v++)
    if (facts.entry[v]! & bit) {
      parent[v] = SEED;
      queue[tail++] = v;
    }
  while (head < tail) {
    const s = queue[head++]!;
    const layer = s >= n ? 1 : 0;
    const v = s - layer * n;
    for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
      const e = info.outEdges[i]!;
      if (!contentEdge[e]) continue;
      const stores =
        layer === 1 ||
        (facts.infoReturn[e] === 0 && llm[v] === 0 && storing[g.flowKind[facts.infoFlow[e]!]!] === 1);
      const t = info.edgeTo[e]! + (stores ? n : 0);
      if (parent[t] !== NONE) continue;
      parent[t] = e * 2 + layer;
      queue[tail++] = t;
    }
  }
  return { parent, n };
}

/** Whether stored user content reaches `v` (in the stored layer). */
export function storedUserReaches(s: StoredUserContent, v: number): boolean {
  return s.parent[s.n + v]! !== NONE;
}

/**
 * How stored user content reaches `v`: the user entry, then each flow, with the flow that stored it
 * and the last flow into `v` for control points.
 */
export function storedUserChain(
  g: ThreatGraph,
  facts: Facts,
  s: StoredUserContent,
  v: number,
): { facts: Fact[]; store: Component; storedBy: Flow; last: Flow } {
  const edges: number[] = [];
  let state = s.n + v;
  let storeEdge = -1;
  while (s.parent[state]! >= 0) {
    const p = s.parent[state]!;
    const e = p >> 1;
    const from = (p & 1) * s.n + facts.info.edgeFrom[e]!;
    if (state >= s.n && from < s.n) storeEdge = e;
    edges.push(e);
    state = from;
  }
  edges.reverse();
  const entry = g.model.components[state]!;
  const chain = lazyChain([entryFact(g, entry, "user_input")], edges, (e) =>
    edgeFact(g, facts, e, "attacker-controlled content"),
  );
  const flowOf = (e: number): Flow => g.model.flows[facts.infoFlow[e]!]!;
  return {
    facts: chain,
    store: g.model.components[facts.info.edgeTo[storeEdge]!]!,
    storedBy: flowOf(storeEdge),
    last: flowOf(edges[edges.length - 1]!),
  };
}

/** The most sensitive data in a component's context at run time (not in its weights). */
export interface ContextSensitivity {
  readonly rank: Int8Array;
  readonly witness: Int32Array;
  /** Info edge the witness arrived by (SEED: held or sent by the component itself), per tier (`reachParents`). */
  readonly parent: Int32Array;
  readonly secretParent: Int32Array;
}

/**
 * Like the shared sensitivity, but only over run-time flows: a model fine-tuned on personal data is
 * AT-15..AT-18's concern, and does not by itself put that data into the context of the agent it
 * serves. A monotone fixpoint; each component rises at most once per classification.
 */
export function contextSensitivity(g: ThreatGraph, facts: Facts): ContextSensitivity {
  return once(facts, "contextSensitivity", () => contextSensitivityOf(g, facts));
}

/** `contextSensitivity`'s pass (see `once`). */
function contextSensitivityOf(g: ThreatGraph, facts: Facts): ContextSensitivity {
  const { runtime } = flowTable(g, facts);
  return sensitivityReach(g, facts.info, facts.infoFlow, (e) => runtime[e] === 0, -1);
}

/** How the most sensitive run-time data of `v` reaches it. */
export function contextChain(g: ThreatGraph, facts: Facts, cs: ContextSensitivity, v: number): Fact[] {
  const table = tableFor<Fact[]>(cs, "contextChain", cs.rank.length);
  return (table[v] ??= exactList(contextChainUncached(g, facts, cs, v)));
}

/** Computes `contextChain` (cached by the wrapper above). */
function contextChainUncached(g: ThreatGraph, facts: Facts, cs: ContextSensitivity, v: number): Fact[] {
  const d = cs.witness[v]!;
  if (d < 0) return [];
  const data = g.model.data[d]!;
  const cls = classificationOf(cs.rank[v]!) ?? "unclassified";
  const path = walkBack(facts, reachParents(cs, v), v);
  const first = holderFact(g, g.model.components[path.from]!, d, cls);
  const what = `\`${data.name}\``;
  return chainOf([first], path, (e) => edgeFact(g, facts, e, what));
}

// ---- who can query what --------------------------------------------------------------------------

/** The least trusted party whose requests reach each component over prompt/invoke/delegate flows. */
export interface QueryAccess {
  /** Trust rank of that party (-1: no known party reaches the component). */
  readonly rank: Int8Array;
  /** The flow by which the request arrives (SEED: the component is a party itself; NONE). */
  readonly parent: Int32Array;
}

/** The trust rank a component has as a party that sends requests (-1: it only relays them). */
function partyRank(c: Component): number {
  const own = trustRank(c.trust);
  switch (c.kind) {
    case "actor":
      return own;
    case "endpoint":
    case "app": {
      // Exposure says who can call it, whatever zone it is deployed in.
      const exposure = c.props.exposure;
      if (exposure === "public") return 0;
      if (exposure === "partner") return Math.min(own, PARTNER_RANK);
      if (exposure === "internal") return Math.min(own, trustRank("internal"));
      return own <= PARTNER_RANK ? own : -1;
    }
    case "agent":
      // An agent run outside the organisation is a party; an internal one relays its users.
      return own <= PARTNER_RANK ? own : -1;
    default:
      return -1;
  }
}

/**
 * Computes query access: a multi-source search over request flows that settles every component at
 * the lowest trust level of a party reaching it, processing the five levels in order (so each
 * component and flow is visited once).
 */
export function queryAccess(g: ThreatGraph, facts: Facts): QueryAccess {
  return once(facts, "queryAccess", () => queryAccessOf(g, facts));
}

/** `queryAccess`'s pass (see `once`). */
function queryAccessOf(g: ThreatGraph, facts: Facts): QueryAccess {
  const { model } = g;
  const n = model.components.length;
  const rank = scratchI8(n).fill(-1);
  const parent = scratchI32(n).fill(NONE);
  const seedRank = model.components.map(partyRank);
  const queue = scratchI32(n);
  const { kind } = flowTable(g, facts);
  const query = kindMask(QUERY_FLOWS);
  for (let level = 0; level < TRUST_LEVELS.length; level++) {
    let head = 0;
    let tail = 0;
    for (let v = 0; v < n; v++) {
      if (seedRank[v] === level && rank[v] === -1) {
        rank[v] = level;
        parent[v] = SEED;
        queue[tail++] = v;
      }
    }
    while (head < tail) {
      const v = queue[head++]!;
      for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
        const f = g.csr.outEdges[i]!;
        const w = g.csr.edgeTo[f]!;
        if (!query[kind[f]!] || rank[w] !== -1) continue;
        rank[w] = level;
        parent[w] = f;
        queue[tail++] = w;
      }
    }
  }
  return { rank, parent };
}

/** Why a party's requests are as trusted as they are. */
function partyFact(g: ThreatGraph, c: Component): Fact {
  if ((c.kind === "endpoint" || c.kind === "app") && c.props.exposure !== undefined) {
    const who =
      c.props.exposure === "public"
        ? "anyone on the internet"
        : c.props.exposure === "partner"
          ? "partners"
          : "anyone inside the organisation";
    return propFact(c, "exposure", `\`${c.name}\` has \`exposure ${c.props.exposure}\`: ${who} can call it`);
  }
  return { text: `${describe(g, c)} sends requests`, loc: c.nameLoc };
}

/** How the least trusted party's requests reach `v`: the party, then each flow. */
export function queryChain(g: ThreatGraph, qa: QueryAccess, v: number): Fact[] {
  const table = tableFor<Fact[]>(qa, "queryChain", qa.rank.length);
  return (table[v] ??= exactList(queryChainUncached(g, qa, v)));
}

/** Computes `queryChain` (cached by the wrapper above). */
function queryChainUncached(g: ThreatGraph, qa: QueryAccess, v: number): Fact[] {
  if (qa.rank[v]! < 0) return [];
  // Over the model's flows (the CSR's edges are the flows, in order), remembered along the way.
  const path = walkBackOver(qa, g.csr.edgeFrom, qa.parent, v);
  return chainOf([partyFact(g, g.model.components[path.from]!)], path, (fi) => {
    const f = g.model.flows[fi]!;
    return flowFact(g, f, `passes its requests on to \`${g.model.components[f.to]!.name}\``);
  });
}

/** Components and flows on the query path into `v` (where a rate limit or filter on the way counts). */
export function queryPoints(g: ThreatGraph, qa: QueryAccess, v: number): Subject[] {
  const table = tableFor<Subject[]>(qa, "queryPoints", qa.rank.length);
  return (table[v] ??= exactList(queryPointsUncached(g, qa, v)));
}

/** Computes `queryPoints` (cached by the wrapper above). */
function queryPointsUncached(g: ThreatGraph, qa: QueryAccess, v: number): Subject[] {
  const points: Subject[] = [{ type: "component", index: v }];
  let cur = v;
  while (qa.parent[cur]! >= 0 && points.length < MAX_POINTS) {
    const f = g.model.flows[qa.parent[cur]!]!;
    points.push({ type: "flow", index: f.index }, { type: "component", index: f.from });
    cur = f.from;
  }
  return points;
}

/**
 * Whether the callers on the query path into `v` need no credentials, read from where the path
 * starts, hop by hop (`hopAuth`: the flow's `auth`, else its receiver's, else the sending actor's
 * `authenticated`), up to the first hop where the caller authenticates: a hop before it that states
 * `none` lets the attacker in without credentials; after it the caller has signed in, and what the
 * services behind that front ask of each other does not make the attacker anonymous (ADR 17). Where
 * the path starts at a component (a public app or endpoint), the attacker-level parties that open
 * connections into it are read first: one that gets in with `none` needs no credentials, and when
 * every one of them authenticates the front is where they sign in; with none modelled, the
 * component's own `auth none` (anyone on the internet calls it directly) or method decides. The
 * whole path is walked (no cap): the attacker's own hop is at its start.
 */
export function unauthenticatedOnPath(g: ThreatGraph, qa: QueryAccess, v: number): Fact | undefined {
  // The path's flows, from `v` back to where it starts.
  const hops: number[] = [];
  let start = v;
  while (qa.parent[start]! >= 0) {
    const fi = qa.parent[start]!;
    hops.push(fi);
    start = g.model.flows[fi]!.from;
  }
  const c = g.model.components[start]!;
  if (c.kind !== "actor") {
    let callers = 0;
    let signedIn = 0;
    // Every attacker-level party that opens connections, as AT-52 (`unauthenticatedService`) counts
    // them: an app or agent in the internet zone calls a public endpoint as an actor does.
    for (const f of inFlows(g, start)) {
      const from = g.model.components[f.from]!;
      if (!QUERY_FLOWS.has(f.kind) || !attackerTrust(from) || !initiates(from)) continue;
      callers++;
      const hop = hopAuth(g, f);
      if (hop?.auth === "none") return hopAuthFact(g, f, hop);
      if (hop !== undefined) signedIn++;
    }
    if (callers > 0 && signedIn === callers) return undefined;
    if (callers === 0) {
      const own = componentAuth(c);
      if (own === "none")
        return propFact(c, "auth", `\`${c.name}\` declares \`auth none\`: callers need no credentials`);
      if (own !== undefined) return undefined;
    }
  }
  for (let i = hops.length - 1; i >= 0; i--) {
    const f = g.model.flows[hops[i]!]!;
    const hop = hopAuth(g, f);
    if (hop === undefined) continue;
    return hop.auth === "none" ? hopAuthFact(g, f, hop) : undefined;
  }
  return undefined;
}

// ---- how a caller authenticates at one hop --------------------------------------------------------

/** How the sender of a flow authenticates to its receiver, and which statement says so. */
export interface HopAuth {
  /** The method, `none`, or `actor` (the actor's `authenticated true`, by a method not named). */
  readonly auth: string;
  /** `flow`: the flow's `auth`; `component`: the receiver's `auth`; `actor`: the sender's `authenticated`. */
  readonly by: "flow" | "component" | "actor";
}

/**
 * How the sender of flow `f` authenticates to its receiver (ADR 17), from the most specific
 * statement: the flow's `auth` (how the receiver authenticates this sender), else the `auth` of the
 * endpoint, app or MCP server it reaches (how that component authenticates whoever calls it), else
 * the sending actor's `authenticated` (`false` as `none`). A flow's `auth` wins over its receiver's
 * either way: `auth api_key` on a flow into an `auth none` endpoint, and `auth none` on a flow into an
 * `auth api_key` one, each say how that caller gets in. Undefined when nothing says. AT-22, AT-52, the
 * exposure metric and the attack paths all read it.
 */
export function hopAuth(g: ThreatGraph, f: Flow): HopAuth | undefined {
  if (f.auth !== undefined) return { auth: f.auth, by: "flow" };
  const own = componentAuth(g.model.components[f.to]!);
  if (own !== undefined) return { auth: own, by: "component" };
  const said = actorSays(g, f);
  return said === undefined ? undefined : { auth: said ? "actor" : "none", by: "actor" };
}

/** Whether a hop's caller authenticates: `hopAuth` states a method, not `none`. */
const authenticates = (hop: HopAuth | undefined): boolean => hop !== undefined && hop.auth !== "none";

/** Whether the sender of `f` authenticates to its receiver (`hopAuth` states a method). */
export function hopAuthenticated(g: ThreatGraph, f: Flow): boolean {
  return authenticates(hopAuth(g, f));
}

/** The located fact for what `hopAuth` found on flow `f`. */
export function hopAuthFact(g: ThreatGraph, f: Flow, hop: HopAuth): Fact {
  const to = g.model.components[f.to]!;
  switch (hop.by) {
    case "flow":
      return {
        text: `\`${flowName(g, f)}\` declares \`auth ${hop.auth}\``,
        loc: f.loc,
      };
    case "component":
      return propFact(
        to,
        "auth",
        hop.auth === "none"
          ? `\`${to.name}\` declares \`auth none\`: callers need no credentials`
          : `\`${to.name}\` declares \`auth ${hop.auth}\``,
      );
    case "actor":
      return actorAuth(g, f)!.fact;
  }
}

// ---- services untrusted parties reach without authenticating ----------------------------------------

/** What AT-52 reports of a service, and the exposure metric lists of an endpoint. */
export interface UnauthenticatedService {
  /** Flows (not answers) into it opened by untrusted or public parties that open connections. */
  readonly entering: readonly Flow[];
  /** How each entering flow's caller gets in (`hopAuth`), in `entering`'s order. */
  readonly hops: readonly (HopAuth | undefined)[];
  /** An endpoint with `exposure public` (reported even with no entering flow modelled). */
  readonly publicExposure: boolean;
  /** `auth none` is declared, on the service or on a hop; otherwise nothing states authentication. */
  readonly declaredNone: boolean;
}

// Answers coming back to a caller, not connections into it.
const SERVICE_RETURNS: ReadonlySet<FlowKind> = new Set(["response", "serve"]);
const SERVICE_RETURN_CODES = kindMask(SERVICE_RETURNS);

/**
 * Whether untrusted parties reach component `v` (an endpoint, pipeline or registry of the
 * organisation) without authenticating, as AT-52 reports it, and the exposure metric's "public
 * endpoints without auth" lists it. The service's own trust is above `public` and it is no public
 * registry; an untrusted or public party that opens connections (not a source, store or registry,
 * which the receiver pulls from) has a flow into it that is not an answer, or it is an endpoint with
 * `exposure public`. Each such flow is read by `hopAuth`; the service is left alone when every one is
 * authenticated, or, with none modelled, when its own `auth` names a method. Undefined when it is
 * left alone.
 */
export function unauthenticatedService(g: ThreatGraph, v: number): UnauthenticatedService | undefined {
  // Typed checks first: most components are not attacker-reachable, and only an endpoint can be
  // exposed without a caller (`exposure public`). A service of untrusted or public trust is an
  // outsider's own, not the organisation's infrastructure.
  if (g.trust[v]! <= ATTACKER_RANK) return undefined;
  const c = g.model.components[v]!;
  const publicExposure = c.kind === "endpoint" && c.props.exposure === "public";
  if (!publicExposure && !enteredByAttacker(g, v)) return undefined;
  if (c.kind === "registry" && c.props.origin === "public") return undefined;
  // Only parties that open connections reach the service; a crawl or a download is a pull.
  const entering = inFlows(g, v).filter((f) => {
    const from = g.model.components[f.from]!;
    return attackerTrust(from) && initiates(from) && !SERVICE_RETURNS.has(f.kind);
  });
  if (!publicExposure && entering.length === 0) return undefined;
  const own = componentAuth(c);
  const hops = entering.map((f) => hopAuth(g, f));
  if (entering.length > 0 ? hops.every(authenticates) : own !== undefined && own !== "none") return undefined;
  return {
    entering,
    hops,
    publicExposure,
    declaredNone: own === "none" || hops.some((h) => h?.auth === "none"),
  };
}

/** Whether an attacker-level party that opens connections has a (non-answer) flow into `v`. */
function enteredByAttacker(g: ThreatGraph, v: number): boolean {
  const { inStart, inEdges, edgeFrom } = g.csr;
  for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
    const fi = inEdges[i]!;
    const from = edgeFrom[fi]!;
    if (g.trust[from]! <= ATTACKER_RANK && initiatesAt(g, from) && !SERVICE_RETURN_CODES[g.flowKind[fi]!])
      return true;
  }
  return false;
}

// ---- what an actor says of its own authentication -------------------------------------------------

/** What an actor's `authenticated` says of one of its flows, and the located fact that says it. */
export interface ActorAuth {
  /** `true`: the receiver authenticates the actor, by a method the model does not name; `false`: as `auth none`. */
  readonly authenticated: boolean;
  readonly fact: Fact;
}

/**
 * What the sending actor's `authenticated` says of flow `f` (ADR 17): it speaks only where neither
 * the flow nor the component it reaches states an `auth`, which win when they do (AT3023 warns when
 * they deny what the actor claims). Undefined when the sender is not an actor, states nothing, or is
 * overruled.
 */
export function actorAuth(g: ThreatGraph, f: Flow): ActorAuth | undefined {
  const authenticated = actorSays(g, f);
  if (authenticated === undefined) return undefined;
  const actor = g.model.components[f.from]!;
  const to = g.model.components[f.to]!;
  return {
    authenticated,
    fact: propFact(
      actor,
      "authenticated",
      authenticated
        ? `\`${actor.name}\` is authenticated before it reaches \`${to.name}\` (\`authenticated true\`)`
        : `\`${actor.name}\` is not authenticated (\`authenticated false\`), and neither \`${actor.name} -> ${to.name}\` nor \`${to.name}\` states \`auth\``,
    ),
  };
}

/**
 * `actorAuth`'s answer without its fact: `hopAuth` reads only this, and the attack paths ask it of
 * every step that rises in trust (a few hundred thousand at 1M components), where building the fact's
 * text for each was most of the cost.
 */
function actorSays(g: ThreatGraph, f: Flow): boolean | undefined {
  if (f.auth !== undefined) return undefined;
  const actor = g.model.components[f.from]!;
  if (actor.kind !== "actor" || actor.props.authenticated === undefined) return undefined;
  if (componentAuth(g.model.components[f.to]!) !== undefined) return undefined;
  return actor.props.authenticated;
}

// ---- registries --------------------------------------------------------------------------------

/**
 * Registries that several models (or model-producing pipelines, or other registries) publish into. A
 * `deploy` out of such a registry does not say which artifact it pulls, so lineage stops there
 * instead of giving every deployment every artifact (which would, say, make an embedding endpoint
 * answer with the fraud model). People and notebooks pushing by hand add no artifact of their own.
 */
export function ambiguousRegistries(g: ThreatGraph, facts: Facts): Uint8Array {
  return once(facts, "ambiguousRegistries", () => ambiguousRegistriesOf(g));
}

/** `ambiguousRegistries`'s pass (see `once`). */
function ambiguousRegistriesOf(g: ThreatGraph): Uint8Array {
  const out = scratchU8(g.model.components.length);
  for (const i of g.byKind.get("registry") ?? []) {
    const producers = new Set<number>();
    for (const f of inFlows(g, i)) {
      const k = g.model.components[f.from]!.kind;
      if (k === "model" || k === "pipeline" || k === "registry") producers.add(f.from);
    }
    if (producers.size > 1) out[i] = 1;
  }
  return out;
}

// ---- what a model was trained on ------------------------------------------------------------------

/** The shared sensitivity's tier below `secret` (see `sensitivityBelowSecret`), once per compile. */
function belowSecret(g: ThreatGraph, facts: Facts): LevelReach {
  return once(facts, "belowSecret", () => sensitivityBelowSecret(g, facts));
}

/**
 * The most sensitive data a component has, leaving out its credentials: its shared sensitivity,
 * unless that is `secret`, then the highest rank below it. Records travel over flows that do not
 * say what they carry; a credential does not (docs/language.md), and neither does a source's key
 * become training data because a `train` flow leaves it.
 */
function recordsOf(g: ThreatGraph, facts: Facts, v: number): { rank: number; data: number } {
  if (facts.sensitivity[v]! < SECRET_RANK)
    return { rank: facts.sensitivity[v]!, data: facts.sensitivityWitness[v]! };
  const below = belowSecret(g, facts);
  return { rank: below.rank[v]!, data: below.witness[v]! };
}

/** What a `train` flow feeds into training: what it declares in `carries`, else its source's records. */
function trainFlowData(g: ThreatGraph, facts: Facts, f: Flow): { rank: number; data: number } {
  return f.carries.length > 0 ? carriedMax(g, f) : recordsOf(g, facts, f.from);
}

const READ = FLOW_KIND_CODE.get("read")!;

/**
 * What the inputs of a training or fine-tuning pipeline put into the weights: the records it sees,
 * and a `secret` only when a flow other than `read` names it on the way in (a copy, an ingest or a
 * train flow that moves it as content). A credential the job reads over `read`, holds or sends is
 * one it uses (a hub token, a database password), not one it learns from
 * (docs/adr/0016-training-inputs-and-controls-on-the-way.md). `edge` is the info edge such a secret
 * came in by (NONE otherwise).
 */
function pipelineInput(g: ThreatGraph, facts: Facts, p: number): { rank: number; edge: number } {
  if (facts.sensitivity[p]! < SECRET_RANK) return { rank: facts.sensitivity[p]!, edge: NONE };
  const { info, infoFlow } = facts;
  for (let i = info.inStart[p]!; i < info.inStart[p + 1]!; i++) {
    const e = info.inEdges[i]!;
    const f = infoFlow[e]!;
    const k = g.flowKind[f]!;
    if (k === READ || DISTRIBUTES_ARTIFACT[k] || g.carriedSecret[f]! < 0) continue;
    if (facts.sensitivitySecretParent[info.edgeFrom[e]!] === -2) continue;
    return { rank: SECRET_RANK, edge: e };
  }
  return { rank: belowSecret(g, facts).rank[p]!, edge: NONE };
}

/** How a component's records (its most sensitive data short of credentials) reach it. */
function recordsChain(g: ThreatGraph, facts: Facts, v: number): readonly Fact[] {
  if (facts.sensitivity[v]! < SECRET_RANK) return sensitivityChain(g, facts, v);
  const below = belowSecret(g, facts);
  const d = below.witness[v]!;
  if (d < 0) return [];
  const data = g.model.data[d]!;
  const cls = classificationOf(below.rank[v]!) ?? "unclassified";
  const path = walkBack(facts, below.parent, v);
  const first = holderFact(g, g.model.components[path.from]!, d, cls);
  const what = `\`${data.name}\``;
  return chainOf([first], path, (e) => edgeFact(g, facts, e, what));
}

/** How a component came by its training sensitivity. */
export const TrainedHow = {
  None: 0,
  /** A model that `holds` the data in its weights. */
  Held: 1,
  /** A training or fine-tuning pipeline: everything it reads is training input. */
  PipelineInputs: 2,
  /** A `train` flow delivered the data. */
  Delivered: 3,
  /** A lineage flow (produce, publish, deploy, serve) passed on weights trained on it. */
  Passed: 4,
} as const;
type TrainedHowValue = (typeof TrainedHow)[keyof typeof TrainedHow];

/** The most sensitive data that went into each component's weights, and how. */
export interface Trained {
  readonly rank: Int8Array;
  readonly how: Uint8Array;
  /**
   * The flow behind `Delivered` and `Passed`; for `PipelineInputs` at `secret`, the info edge the
   * secret came in by (NONE otherwise).
   */
  readonly parent: Int32Array;
}

/**
 * Training sensitivity: seeded by `train` flows (what they carry, or all their source has), by
 * training pipelines' inputs and by models that hold data, then carried along produce, publish,
 * deploy and serve flows to every model, registry and endpoint that answers with those weights. A
 * monotone fixpoint over lineage flows only.
 */
export function trained(g: ThreatGraph, facts: Facts): Trained {
  return once(facts, "trained", () => trainedOf(g, facts));
}

/** `trained`'s pass (see `once`). */
function trainedOf(g: ThreatGraph, facts: Facts): Trained {
  const { model } = g;
  const n = model.components.length;
  const rank = scratchI8(n).fill(-1);
  const how = scratchU8(n);
  const parent = scratchI32(n).fill(NONE);
  const work: number[] = [];
  const queued = scratchU8(n);
  const raise = (v: number, r: number, h: TrainedHowValue, p: number) => {
    if (r <= rank[v]!) return;
    rank[v] = r;
    how[v] = h;
    parent[v] = p;
    if (!queued[v]) {
      queued[v] = 1;
      work.push(v);
    }
  };
  for (const c of model.components) {
    if (c.kind === "model") for (const d of c.holds) raise(c.index, dataRank(g, d), TrainedHow.Held, NONE);
    if (c.kind === "pipeline" && (c.props.type === "training" || c.props.type === "fine_tuning")) {
      const input = pipelineInput(g, facts, c.index);
      raise(c.index, input.rank, TrainedHow.PipelineInputs, input.edge);
    }
  }
  for (const i of g.flowsByKind.get("train") ?? []) {
    const f = model.flows[i]!;
    raise(f.to, trainFlowData(g, facts, f).rank, TrainedHow.Delivered, f.index);
  }
  const ambiguous = ambiguousRegistries(g, facts);
  const { kind } = flowTable(g, facts);
  const lineage = kindMask(LINEAGE_FLOWS);
  while (work.length > 0) {
    const v = work.pop()!;
    queued[v] = 0;
    if (ambiguous[v]) continue;
    for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
      const f = g.csr.outEdges[i]!;
      if (lineage[kind[f]!]) raise(g.csr.edgeTo[f]!, rank[v]!, TrainedHow.Passed, f);
    }
  }
  return { rank, how, parent };
}

/** The nearest model on the lineage behind `v` (`v` itself when it is a model). */
export function modelBehind(g: ThreatGraph, tr: Trained, v: number): Component | undefined {
  let cur = v;
  for (let guard = 0; guard < tr.how.length; guard++) {
    const c = g.model.components[cur]!;
    if (c.kind === "model") return c;
    if (tr.how[cur] !== TrainedHow.Passed) return undefined;
    cur = g.model.flows[tr.parent[cur]!]!.from;
  }
  return undefined;
}

/** The component a lineage step came from, when `v`'s training sensitivity was passed on to it. */
export function lineageUpstream(g: ThreatGraph, tr: Trained, v: number): number | undefined {
  return tr.how[v] === TrainedHow.Passed ? g.model.flows[tr.parent[v]!]!.from : undefined;
}

/** How sensitive data got into the weights `v` answers with: the data, then each lineage step. */
export function trainedChain(g: ThreatGraph, facts: Facts, tr: Trained, v: number): Fact[] {
  const table = tableFor<Fact[]>(tr, "trainedChain", tr.rank.length);
  return (table[v] ??= exactList(trainedChainUncached(g, facts, tr, v)));
}

/** Computes `trainedChain` (cached by the wrapper above). */
function trainedChainUncached(g: ThreatGraph, facts: Facts, tr: Trained, v: number): Fact[] {
  const steps: Flow[] = [];
  let cur = v;
  for (let guard = 0; tr.how[cur] === TrainedHow.Passed && guard < tr.how.length; guard++) {
    const f = g.model.flows[tr.parent[cur]!]!;
    steps.push(f);
    cur = f.from;
  }
  steps.reverse();
  const c = g.model.components[cur]!;
  const cls = classificationOf(tr.rank[cur]!) ?? "unclassified";
  let origin: Fact[] = [];
  switch (tr.how[cur] as TrainedHowValue) {
    case TrainedHow.Held: {
      const d = c.holds.find((x) => dataRank(g, x) === tr.rank[cur]);
      const name = d === undefined ? "data" : `\`${g.model.data[d]!.name}\``;
      origin = [propFact(c, "holds", `\`${c.name}\` holds ${name} (${cls}) in its weights`)];
      break;
    }
    case TrainedHow.PipelineInputs:
      origin = [
        ...pipelineInputChain(g, facts, tr, cur),
        propFact(
          c,
          "type",
          `\`${c.name}\` is a ${c.kind === "pipeline" ? c.props.type : ""} pipeline: the records it takes in are training data`,
        ),
      ];
      break;
    case TrainedHow.Delivered: {
      const f = g.model.flows[tr.parent[cur]!]!;
      const s = trainFlowData(g, facts, f);
      const data = s.data >= 0 ? `\`${g.model.data[s.data]!.name}\` (${cls})` : `${cls} data`;
      origin =
        f.carries.length > 0
          ? [flowFact(g, f, `feeds ${data} into training`)]
          : [...recordsChain(g, facts, f.from), flowFact(g, f, `feeds ${data} into training`)];
      break;
    }
    default:
      break;
  }
  return [
    ...origin,
    ...lazyChain([], steps, (f) => flowFact(g, f, `passes on weights that learnt from that data`)),
  ];
}

/** How the data a training pipeline learns from reaches it (see `pipelineInput`). */
function pipelineInputChain(g: ThreatGraph, facts: Facts, tr: Trained, p: number): readonly Fact[] {
  const e = tr.parent[p]!;
  if (e < 0) return recordsChain(g, facts, p);
  const d = g.carriedSecret[facts.infoFlow[e]!]!;
  return [
    ...sensitivityChain(g, facts, facts.info.edgeFrom[e]!),
    edgeFact(g, facts, e, `\`${g.model.data[d]!.name}\``),
  ];
}

/**
 * Components and flows on the lineage behind `v`, back to where the sensitive data is held, where a
 * control of `guard`'s rule counts: differential privacy on the training run, redaction on the way
 * into the training set. The way to the training input counts only when every chain that brings the
 * data there crosses such a control (a redacting step on one branch beside an unredacted one leaves
 * the finding open), as a guard cuts the reaches of AT-01 and AT-02.
 */
export function lineagePoints(g: ThreatGraph, facts: Facts, tr: Trained, v: number, guard: Guard): Subject[] {
  const table = tableFor<Subject[]>(tr, `lineagePoints|${guard.key}`, tr.rank.length);
  return (table[v] ??= exactList(lineagePointsUncached(g, facts, tr, v, guard)));
}

/** Computes `lineagePoints` (cached by the wrapper above). */
function lineagePointsUncached(
  g: ThreatGraph,
  facts: Facts,
  tr: Trained,
  v: number,
  guard: Guard,
): Subject[] {
  const points: Subject[] = [];
  let cur = v;
  // The rank of the data at the training input: what the train flow fed, or what the job learnt from.
  let rank = tr.rank[v]!;
  let delivered = false;
  for (let guard = 0; guard < MAX_POINTS; guard++) {
    points.push({ type: "component", index: cur });
    rank = tr.rank[cur]!;
    if (tr.how[cur] !== TrainedHow.Passed && tr.how[cur] !== TrainedHow.Delivered) break;
    const f = g.model.flows[tr.parent[cur]!]!;
    points.push({ type: "flow", index: f.index });
    cur = f.from;
    delivered = tr.how[f.to] === TrainedHow.Delivered;
    if (delivered) break;
  }
  // Then the way the data took to the training input (shared sensitivity facts, in the tier of the
  // data learnt from: a credential beside the records does not choose the way).
  if (tr.how[cur] !== TrainedHow.Held) {
    // No counting control anywhere, or a chain without one: nothing on the way counts.
    if (guard.key === "" || reachesUncut(g, facts, rank, guard, cur)) return points;
    const last = points[points.length - 1];
    if (last?.type !== "component" || last.index !== cur) points.push({ type: "component", index: cur });
    if (!delivered && tr.how[cur] === TrainedHow.PipelineInputs && tr.parent[cur]! >= 0) {
      // A secret a content flow brought in: that flow first, then the secret's own way.
      const e = tr.parent[cur]!;
      points.push({ type: "flow", index: facts.infoFlow[e]! });
      cur = facts.info.edgeFrom[e]!;
      points.push({ type: "component", index: cur });
    }
    const parent = rank >= SECRET_RANK ? facts.sensitivitySecretParent : facts.sensitivityParent;
    for (let guard = 0; parent[cur]! >= 0 && guard < MAX_POINTS; guard++) {
      const e = parent[cur]!;
      points.push({ type: "flow", index: facts.infoFlow[e]! });
      cur = facts.info.edgeFrom[e]!;
      points.push({ type: "component", index: cur });
    }
  }
  return points;
}

// ---- where outsiders meet a model ---------------------------------------------------------------

/** For each component, the serving flow it gets a matching model's answers by (SEED: a model itself). */
export interface Served {
  readonly parent: Int32Array;
}

/**
 * Components that answer with a model matching `pred`: the model, then whatever it is served or
 * deployed to (endpoints, agents, apps), through registries. `key` names the predicate for reuse;
 * `anyModel` says every model matches, so registries holding several artifacts do not stop it.
 */
export function servedBy(
  g: ThreatGraph,
  facts: Facts,
  key: string,
  pred: (m: Extract<Component, { kind: "model" }>) => boolean,
  anyModel = false,
): Served {
  return once(facts, `servedBy:${key}`, () => servedByOf(g, facts, pred, anyModel));
}

/** `servedBy`'s pass (see `once`). */
function servedByOf(
  g: ThreatGraph,
  facts: Facts,
  pred: (m: Extract<Component, { kind: "model" }>) => boolean,
  anyModel: boolean,
): Served {
  const n = g.model.components.length;
  const parent = scratchI32(n).fill(NONE);
  const queue: number[] = [];
  for (const i of g.byKind.get("model") ?? []) {
    const m = g.model.components[i]!;
    if (m.kind === "model" && pred(m)) {
      parent[i] = SEED;
      queue.push(i);
    }
  }
  // When any model will do, it does not matter which artifact a registry hands out.
  const ambiguous = anyModel ? scratchU8(n) : ambiguousRegistries(g, facts);
  const { kind } = flowTable(g, facts);
  const serving = kindMask(SERVING_FLOWS);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    if (ambiguous[v]) continue;
    for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
      const f = g.csr.outEdges[i]!;
      const w = g.csr.edgeTo[f]!;
      if (!serving[kind[f]!] || parent[w] !== NONE) continue;
      parent[w] = f;
      queue.push(w);
    }
  }
  return { parent };
}

/** Whether `v` answers with a matching model (is the model, or is served or deployed one). */
export function isServed(s: Served, v: number): boolean {
  return s.parent[v]! !== NONE;
}

/** The model at the start of the serving chain into `v`, and the serving flows in order. */
export function servingPath(g: ThreatGraph, s: Served, v: number): { model: Component; flows: Flow[] } {
  const flows: Flow[] = [];
  let cur = v;
  for (let guard = 0; s.parent[cur]! >= 0 && guard < s.parent.length; guard++) {
    const f = g.model.flows[s.parent[cur]!]!;
    flows.push(f);
    cur = f.from;
  }
  return { model: g.model.components[cur]!, flows: flows.reverse() };
}

/** The model at the start of the serving chain into `v` (its index), without listing the flows. */
export function servingRoot(g: ThreatGraph, s: Served, v: number): number {
  let cur = v;
  for (let guard = 0; s.parent[cur]! >= 0 && guard < s.parent.length; guard++)
    cur = g.csr.edgeFrom[s.parent[cur]!]!;
  return cur;
}

/** Facts for the serving chain into `v`. */
export function servingChain(g: ThreatGraph, s: Served, v: number): Fact[] {
  const { flows } = servingPath(g, s, v);
  return flows.map((f) =>
    flowFact(g, f, `makes \`${g.model.components[f.to]!.name}\` answer with the model`),
  );
}

/**
 * The fronts of a marking: marked components that `reached` holds for, except those whose marking
 * came from an upstream component that is a front itself (so an endpoint and the app it serves to
 * are not both reported for the same exposure).
 */
export function fronts(
  g: ThreatGraph,
  marked: (v: number) => boolean,
  upstream: (v: number) => number | undefined,
  reached: (v: number) => boolean,
): Component[] {
  const out: Component[] = [];
  const { components } = g.model;
  // Indexed: one pass over every component per rule, where for-of allocated per element.
  for (let v = 0; v < components.length; v++) {
    if (!marked(v) || !reached(v)) continue;
    const up = upstream(v);
    if (up !== undefined && marked(up) && reached(up)) continue;
    out.push(components[v]!);
  }
  return out;
}

/** The upstream component of a serving marking. */
export function servedUpstream(g: ThreatGraph, s: Served, v: number): number | undefined {
  return s.parent[v]! >= 0 ? g.model.flows[s.parent[v]!]!.from : undefined;
}

// ---- where LLM output goes ------------------------------------------------------------------------

/** An LLM whose output reaches a component, and the flows it travels (from the LLM onward). */
export interface OutputSource {
  readonly llm: Component;
  readonly flows: readonly Flow[];
}

// Flows that bring output into a component: answers, served output; results of its own calls come
// back along `invoke` flows it sends. Into and out of a store, output kept for later: a job writes
// an LLM's answer into a table that an app reads and renders (stored output is output all the same).
const OUTPUT_IN: ReadonlySet<FlowKind> = new Set(["response", "serve", "read", "retrieve", "write"]);
const MAX_OUTPUT_HOPS = 8;

/**
 * The LLMs whose output reaches `target`, walking answers back through relays (guardrails, endpoints
 * without a generative model, other apps, and stores and jobs that keep or pass on an answer) up to
 * a few hops; the first LLM on each branch ends it.
 * Several rules ask it of the same apps (AT-32, AT-33, AS-06): answered once per graph and target.
 */
export function llmOutputSources(g: ThreatGraph, target: Component): readonly OutputSource[] {
  let byTarget = outputSources.get(g);
  if (!byTarget) outputSources.set(g, (byTarget = new Map<number, readonly OutputSource[]>()));
  let out = byTarget.get(target.index);
  if (!out) byTarget.set(target.index, (out = llmOutputSourcesUncached(g, target)));
  return out;
}

const outputSources = new WeakMap<ThreatGraph, Map<number, readonly OutputSource[]>>();
const OUTPUT_IN_CODES = kindMask(OUTPUT_IN);
const RELAYS = componentKindMask(["guardrail", "endpoint", "app", "store", "pipeline"]);
const INVOKE_CODE = FLOW_KIND_CODE.get("invoke")!;

// Per graph, the walk that last reached each component (walks are numbered from 1): a set per
// target cost a hash insert for every component its walk reached. In the arena current at the first
// walk (the rules' own, which their copy of the graph dies with; the attack paths never ask).
const outputWalks = new WeakMap<ThreatGraph, { seen: Int32Array; walks: number }>();

function llmOutputSourcesUncached(g: ThreatGraph, target: Component): OutputSource[] {
  let marks = outputWalks.get(g);
  if (!marks) outputWalks.set(g, (marks = { seen: scratchI32(g.model.components.length), walks: 0 }));
  const walk = ++marks.walks;
  const seen = marks.seen;
  seen[target.index] = walk;
  const out: OutputSource[] = [];
  // Visited relays as parent pointers (component, flow to the one before, index of that one): a
  // copy of the path per step made the walk quadratic in its length. Entry 0 is the target.
  const node: number[] = [target.index];
  const via: number[] = [-1];
  const up: number[] = [-1];
  const pathOf = (flow: number, at: number): Flow[] => {
    const flows = [g.model.flows[flow]!];
    for (let k = at; k > 0; k = up[k]!) flows.push(g.model.flows[via[k]!]!);
    return flows;
  };
  // Reaching `from` over `flow` from relay `k`: answers and served output come in; results of its
  // own calls come back along invoke flows.
  const visit = (from: number, flow: number, k: number): void => {
    if (seen[from] === walk) return;
    seen[from] = walk;
    const c = g.model.components[from]!;
    if (isLlmConsumer(g, c)) out.push({ llm: c, flows: pathOf(flow, k) });
    else if (RELAYS[g.compKind[from]!]) {
      node.push(from);
      via.push(flow);
      up.push(k);
    }
  };
  const { inStart, inEdges, edgeFrom, outStart, outEdges, edgeTo } = g.csr;
  let begin = 0;
  let end = 1;
  for (let hop = 0; hop < MAX_OUTPUT_HOPS && begin < end; hop++) {
    for (let k = begin; k < end; k++) {
      const v = node[k]!;
      for (let i = inStart[v]!; i < inStart[v + 1]!; i++)
        if (OUTPUT_IN_CODES[g.flowKind[inEdges[i]!]!]) visit(edgeFrom[inEdges[i]!]!, inEdges[i]!, k);
      for (let i = outStart[v]!; i < outStart[v + 1]!; i++)
        if (g.flowKind[outEdges[i]!] === INVOKE_CODE) visit(edgeTo[outEdges[i]!]!, outEdges[i]!, k);
    }
    begin = end;
    end = node.length;
  }
  return out;
}

/** Facts for the way an LLM's output travels to where it is used. */
export function outputChain(g: ThreatGraph, src: OutputSource): Fact[] {
  return src.flows.map((f) =>
    f.kind === "invoke"
      ? flowFact(
          g,
          f,
          `returns \`${g.model.components[f.to]!.name}\`'s output to \`${g.model.components[f.from]!.name}\``,
        )
      : flowFact(g, f, `carries model output to \`${g.model.components[f.to]!.name}\``),
  );
}

/** A component that uses what a store holds, and the flows it gets it by. */
export interface Retriever {
  readonly consumer: Component;
  readonly flows: readonly Flow[];
}

/**
 * Components that retrieve or read from a store directly, or agents and apps that call a tool that
 * does. Asked of the same stores by AT-27, AT-28, AT-30 and AT-31: answered once per graph and store.
 */
export function retrievers(g: ThreatGraph, store: Component): readonly Retriever[] {
  let byStore = retrieverCache.get(g);
  if (!byStore) retrieverCache.set(g, (byStore = new Map<number, readonly Retriever[]>()));
  let out = byStore.get(store.index);
  if (!out) byStore.set(store.index, (out = retrieversUncached(g, store.index)));
  return out;
}

const retrieverCache = new WeakMap<ThreatGraph, Map<number, readonly Retriever[]>>();

// The answers `once` keeps (and the chain tables on them), and the per-target caches above, serve the
// rules' reports only: the metrics ask `unauthenticatedService`, which reads none of them.
releasedAsRulesEnd((g, facts) => {
  memo.delete(facts);
  outputSources.delete(g);
  outputWalks.delete(g);
  retrieverCache.delete(g);
});
const READS = kindMask(new Set<FlowKind>(["retrieve", "read"]));
const TOOLS = componentKindMask(["tool", "mcp_server"]);

function retrieversUncached(g: ThreatGraph, store: number): Retriever[] {
  const out: Retriever[] = [];
  const seen = new Set<number>();
  const { outStart, outEdges, edgeTo, inStart, inEdges, edgeFrom } = g.csr;
  const { components, flows } = g.model;
  for (let i = outStart[store]!; i < outStart[store + 1]!; i++) {
    const fi = outEdges[i]!;
    if (!READS[g.flowKind[fi]!]) continue;
    const c = edgeTo[fi]!;
    if (TOOLS[g.compKind[c]!]) {
      for (let k = inStart[c]!; k < inStart[c + 1]!; k++) {
        const call = inEdges[k]!;
        const caller = edgeFrom[call]!;
        if (g.flowKind[call] !== INVOKE_CODE || seen.has(caller)) continue;
        seen.add(caller);
        out.push({ consumer: components[caller]!, flows: [flows[fi]!, flows[call]!] });
      }
    } else if (!seen.has(c)) {
      seen.add(c);
      out.push({ consumer: components[c]!, flows: [flows[fi]!] });
    }
  }
  return out;
}

/** Subjects of a list of flows and the components they touch. */
export function flowPoints(flows: readonly Flow[]): Subject[] {
  const points: Subject[] = [];
  for (const f of flows)
    points.push(
      { type: "flow", index: f.index },
      { type: "component", index: f.from },
      { type: "component", index: f.to },
    );
  return points;
}

/** Whether a component is an attacker by its own trust (untrusted or public). */
export function isAttackerLevel(rank: number): boolean {
  return rank >= 0 && rank <= ATTACKER_RANK;
}

// ---- models exposed to parties not cleared for their training data --------------------------------

/** A front where parties less trusted than a model can query it, and the model's training data. */
export interface TrainedExposure {
  /** Where the parties meet the model (an endpoint, agent, app, or the model itself). */
  readonly front: Component;
  /** The nearest model behind the front. */
  readonly model: Component;
  /** Trust rank of the least trusted party reaching the front. */
  readonly partyRank: number;
}

/**
 * Fronts of models trained on data at least `min` that a party less trusted than the model (and at
 * most `maxRank`) can query. Being less trusted than the model is what "not cleared" means here: the
 * model sits where its training data may live, its queriers do not.
 */
export function trainedExposures(
  g: ThreatGraph,
  facts: Facts,
  min: Classification,
  maxRank: number = TRUST_LEVELS.length,
): readonly TrainedExposure[] {
  // A pass over every component: AT-15 and AT-16 ask the same question, answered once per compile.
  return once(facts, `trainedExposures:${min}:${maxRank}`, () =>
    trainedExposuresUncached(g, facts, min, maxRank),
  );
}

function trainedExposuresUncached(
  g: ThreatGraph,
  facts: Facts,
  min: Classification,
  maxRank: number,
): TrainedExposure[] {
  const tr = trained(g, facts);
  const qa = queryAccess(g, facts);
  const floor = classificationRank(min);
  const reached = (v: number): boolean => {
    const r = qa.rank[v]!;
    if (r < 0 || r > maxRank) return false;
    const m = modelBehind(g, tr, v);
    return m !== undefined && r < trustRank(m.trust);
  };
  return fronts(
    g,
    (v) => tr.rank[v]! >= floor,
    (v) => lineageUpstream(g, tr, v),
    reached,
  ).map((front) => ({ front, model: modelBehind(g, tr, front.index)!, partyRank: qa.rank[front.index]! }));
}

/** Likelihood lowered for parties that are known (partners) or inside the organisation. */
export function partyAdjustment(
  partyRank: number,
  base: "low" | "medium" | "high" | "very_high",
): { likelihood?: "low" | "medium" | "high" | "very_high"; adjustment?: string } {
  if (partyRank <= ATTACKER_RANK) return {};
  const levels = ["low", "medium", "high", "very_high"] as const;
  const steps = partyRank === PARTNER_RANK ? 1 : 2;
  const lowered = levels[Math.max(0, levels.indexOf(base) - steps)]!;
  if (lowered === base) return {};
  return {
    likelihood: lowered,
    adjustment:
      partyRank === PARTNER_RANK
        ? "the least trusted callers are known partners, not anonymous outsiders"
        : "the least trusted callers are inside the organisation",
  };
}

/** Components reached at run time from a set of seeds, with the info edge each was reached by. */
export interface Reach {
  readonly parent: Int32Array;
}

/** Run-time reach (no training or serving flows) from the components `seed` holds for; `key` names it. */
export function runtimeReach(
  g: ThreatGraph,
  facts: Facts,
  key: string,
  seed: (c: Component) => boolean,
): Reach {
  return once(facts, `runtimeReach:${key}`, () => runtimeReachOf(g, facts, seed));
}

/** `runtimeReach`'s pass (see `once`). */
function runtimeReachOf(g: ThreatGraph, facts: Facts, seed: (c: Component) => boolean): Reach {
  const n = g.model.components.length;
  const parent = scratchI32(n).fill(NONE);
  const queue: number[] = [];
  const { components } = g.model;
  for (let v = 0; v < n; v++) {
    if (seed(components[v]!)) {
      parent[v] = SEED;
      queue.push(v);
    }
  }
  const { info } = facts;
  const { runtime } = flowTable(g, facts);
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
      const e = info.outEdges[i]!;
      const w = info.edgeTo[e]!;
      if (parent[w] !== NONE || !runtime[e]) continue;
      parent[w] = e;
      queue.push(w);
    }
  }
  return { parent };
}

/** The seed a reach started from for `v`, and the info edges in path order. */
export function reachPath(facts: Facts, r: Reach, v: number): { start: number; edges: number[] } {
  return pathBack(r.parent, facts.info.edgeFrom, v);
}

/**
 * The crown-jewel marking of a component for one property (from its `crown` property or an `asset`
 * declaration), as a located fact, or undefined.
 */
export function crownFact(g: ThreatGraph, facts: Facts, c: Component, prop: Cia): Fact | undefined {
  const byComponent = once(facts, "crownByComponent", () => {
    const m = new Map<number, CrownJewel>();
    for (const j of g.model.crownJewels) if (j.subject.type === "component") m.set(j.subject.index, j);
    return m;
  });
  const j = byComponent.get(c.index);
  if (!j || !j.properties.includes(prop)) return undefined;
  return { text: `\`${c.name}\` is a crown jewel for ${prop}`, loc: j.loc };
}

/** A fact for one step of a retrieval hand-off; an `invoke` step returns the results to its caller. */
export function handoffFact(g: ThreatGraph, f: Flow, what: string): Fact {
  const name = (i: number) => g.model.components[i]!.name;
  return f.kind === "invoke"
    ? flowFact(g, f, `returns ${what} to \`${name(f.from)}\``)
    : flowFact(g, f, `brings ${what} to \`${name(f.to)}\``);
}
