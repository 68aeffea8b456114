import { scratchI32, scratchU8 } from "../../../graph/arena.js";
import { controlCounts } from "../../engine.js";
import type { ThreatGraph } from "../../../graph/threat-graph.js";
import {
  COMPONENT_KIND_CODE,
  componentKindMask,
  type ControlUsers,
  flowKindMask,
  inFlows,
  outFlows,
} from "../../../graph/threat-graph.js";
import type {
  Component,
  ControlUse,
  CrownJewel,
  Flow,
  ResolvedModel,
  Subject,
} from "../../../semantic/model.js";
import {
  FLOW_KIND_NAMES,
  classificationRank,
  type Cia,
  type ComponentKind,
  type FlowKind,
} from "../../../semantic/vocabulary.js";
import { entryFact, edgeFact, describe, holderFact, pathBack, trimmedChain } from "../../explain.js";
import {
  DISTRIBUTES_ARTIFACT,
  ENTRY,
  levelRanks,
  ownSensitivity,
  sensitivityCaps,
  type EntryClass,
  type Fact,
  type Facts,
} from "../../facts.js";
import type { RuleMeta } from "../../rule.js";

/**
 * Helpers shared by the data, training and supply-chain rules (AT-01..AT-13, AT-52, AT-55, AT-56):
 * reachability over the info-flow graph restricted by flow kind and cut by declared controls, where
 * data ends up in training, which artifacts descend from a third-party model, and who can write to
 * the places that hold weights. Every traversal is one linear pass per question.
 */

/** Flow kinds that carry records onward to training; feedback and log loops are AT-04's concern. */
export const NOT_FEEDBACK = FLOW_KIND_NAMES.filter((k) => k !== "feedback" && k !== "log");

/** Parent value of a reach seed. */
export const SEED = -1;
/** Parent value of a component the reach never got to. */
export const UNREACHED = -2;

/** Flow kinds along which an artifact (weights, packages, images) moves to what receives it. */
export const ARTIFACT_FLOWS: ReadonlySet<FlowKind> = new Set([
  "train",
  "produce",
  "publish",
  "deploy",
  "serve",
  "copy",
  "load",
]);

/** Flow kinds that move records between stores, datasets and jobs (not prompts, answers or weights). */
export const DATA_MOVES: ReadonlySet<FlowKind> = new Set([
  "copy",
  "ingest",
  "read",
  "write",
  "produce",
  "feedback",
  "label",
  "log",
  "retrieve",
  "train",
]);

/** Model serialization formats whose loaders can run code embedded in the file. */
export const EXECUTABLE_FORMATS: ReadonlySet<string> = new Set(["pickle", "pytorch", "joblib", "keras"]);

/**
 * Typed per-graph indexes that the traversals read instead of the flow and component objects: those
 * objects have many shapes (optional fields), so touching them per edge costs far more than a BFS.
 * Built once per graph and shared by every rule through a WeakMap.
 */
export interface GraphIndex {
  /** Flow kind code (index in FLOW_KIND_NAMES) per flow. */
  readonly flowKind: Uint8Array;
  /** Component kind code (index in COMPONENT_KIND_NAMES) per component. */
  readonly compKind: Uint8Array;
  /** Flows that declare `carries`, and components that declare `holds`. */
  readonly carryingFlows: Int32Array;
  readonly holders: Int32Array;
  /** The `carries` of each carrying flow and the `holds` of each holder, flattened: entry k's assets sit at [start[k], start[k + 1]). */
  readonly carriesStart: Int32Array;
  readonly carriesFlat: Int32Array;
  readonly holdsStart: Int32Array;
  readonly holdsFlat: Int32Array;
  /** Per control name: the flows and the components that declare (or imply) it. */
  readonly byControl: ReadonlyMap<string, ControlUsers>;
}

const INDEXES = new WeakMap<ThreatGraph, GraphIndex>();

/** The typed indexes of a graph (built on first use, O(components + flows)). */
export function indexOf(g: ThreatGraph): GraphIndex {
  let ix = INDEXES.get(g);
  if (ix) return ix;
  const { components, flows } = g.model;
  // Kind codes, control counts and control users come typed with the graph (same codes as
  // FLOW_KIND_NAMES and COMPONENT_KIND_NAMES): only `carries` and `holds` need the objects, and a
  // flow's only when the graph says it declares one.
  const carryingFlows: number[] = [];
  const carriesOf: (readonly number[])[] = [];
  for (let i = 0; i < flows.length; i++) {
    if (g.declaresCarries[i] !== 0) {
      carryingFlows.push(i);
      carriesOf.push(flows[i]!.carries);
    }
  }
  const holders: number[] = [];
  const holdsOf: (readonly number[])[] = [];
  for (let i = 0; i < components.length; i++) {
    const holds = components[i]!.holds;
    if (holds.length > 0) {
      holders.push(i);
      holdsOf.push(holds);
    }
  }
  const [carriesStart, carriesFlat] = flatten(carriesOf);
  const [holdsStart, holdsFlat] = flatten(holdsOf);
  // The lists are copied with `new Int32Array(list)`: `Int32Array.from` walks a list through the
  // iterator protocol, several times slower at 100k.
  ix = {
    flowKind: g.flowKind,
    compKind: g.compKind,
    carryingFlows: new Int32Array(carryingFlows),
    holders: new Int32Array(holders),
    carriesStart,
    carriesFlat,
    holdsStart,
    holdsFlat,
    byControl: g.controlUsers,
  };
  INDEXES.set(g, ix);
  return ix;
}

/** Lists of asset indices as one typed array with offsets (read per data-reach seed without objects). */
function flatten(lists: readonly (readonly number[])[]): [start: Int32Array, flat: Int32Array] {
  // One loop per function, for the reason `enqueueSeeds` gives.
  const start = offsets(lists);
  return [start, joined(lists, start)];
}

function offsets(lists: readonly (readonly number[])[]): Int32Array {
  const start = scratchI32(lists.length + 1);
  for (let k = 0; k < lists.length; k++) start[k + 1] = start[k]! + lists[k]!.length;
  return start;
}

function joined(lists: readonly (readonly number[])[], start: Int32Array): Int32Array {
  // Element by element: `set` from a plain list costs a call with its checks per list, and most
  // lists hold one asset.
  const flat = scratchI32(start[lists.length]!);
  for (let k = 0; k < lists.length; k++) {
    const list = lists[k]!;
    const at = start[k]!;
    for (let j = 0; j < list.length; j++) flat[at + j] = list[j]!;
  }
  return flat;
}

/** Whether declared controls count against one rule, decided exactly as the engine decides it. */
export interface Guard {
  /** Whether one declared control counts. */
  readonly counts: (use: ControlUse) => boolean;
  /** Whether a component or flow carries a control that counts. */
  readonly on: (x: { readonly controls: readonly ControlUse[] }) => boolean;
  /** The same answer, precomputed per flow and per component (1 = guarded). */
  readonly flow: Uint8Array;
  readonly comp: Uint8Array;
  /**
   * The counting control names that some flow or component declares, joined: two guards with the
   * same key cut the same elements, and an empty key cuts nothing (see `reachBoth`).
   */
  readonly key: string;
}

/** The guard of a rule: its built-in mitigations, plus user controls that name the rule. */
export function guardOf(g: ThreatGraph, meta: Pick<RuleMeta, "id" | "mitigations">): Guard {
  const { model } = g;
  // The engine's own test, so a guard cuts a chain exactly where the engine calls a finding mitigated.
  const countsName = controlCounts(model, meta.id, meta.mitigations);
  const counts = (use: ControlUse): boolean => countsName(use.name);
  const on = (x: { readonly controls: readonly ControlUse[] }): boolean => x.controls.some(counts);
  // Mark the users of each counting control name: a few names, no per-element object access.
  const flow = scratchU8(model.flows.length);
  const comp = scratchU8(model.components.length);
  const names: string[] = [];
  for (const [name, u] of indexOf(g).byControl) {
    if (!countsName(name)) continue;
    names.push(name);
    for (const fi of u.flows) flow[fi] = 1;
    for (const ci of u.comps) comp[ci] = 1;
  }
  return { counts, on, flow, comp, key: names.join(" ") };
}

/** What a reach may cross. Seeds always pass content on unless guarded. */
export interface ReachOptions {
  /** Flow kinds it crosses (default: all). */
  readonly kinds?: Iterable<FlowKind>;
  /** Whether results of invoke/delegate calls flow back to the caller (default true). */
  readonly returns?: boolean;
  /** Component kinds that pass content on (default: all). */
  readonly through?: Iterable<ComponentKind>;
  /** Components where content stops (1 = dead end), on top of `through`. */
  readonly deadEnds?: Uint8Array;
  /** When set, components and flows carrying a counting control stop the reach (a cut). */
  readonly guard?: Guard;
}

/** Options compiled to masks once per traversal. */
interface Compiled {
  readonly kinds: Uint8Array | undefined;
  readonly returns: boolean;
  readonly through: Uint8Array | undefined;
  readonly deadEnds: Uint8Array | undefined;
  readonly guard: Guard | undefined;
}

function compile(opts: ReachOptions): Compiled {
  return {
    kinds: opts.kinds ? flowKindMask(opts.kinds) : undefined,
    returns: opts.returns ?? true,
    through: opts.through ? componentKindMask(opts.through) : undefined,
    deadEnds: opts.deadEnds,
    guard: opts.guard,
  };
}

/** Whether content at `v` moves on: a seed, or a kind that passes it on and not a dead end; and unguarded. */
function passes(ix: GraphIndex, o: Compiled, v: number, seed: boolean): boolean {
  if (!seed) {
    if (o.through && !o.through[ix.compKind[v]!]) return false;
    if (o.deadEnds?.[v]) return false;
  }
  return !o.guard?.comp[v];
}

/**
 * Multi-source BFS over the info-flow graph from `seeds`: per component, the info edge it was first
 * reached by (SEED for a seed, UNREACHED otherwise). A guarded component is reached but passes
 * nothing on; a guarded flow is not crossed.
 */
export function reach(
  g: ThreatGraph,
  facts: Facts,
  seeds: Iterable<number>,
  opts: ReachOptions = {},
): Int32Array {
  const ix = indexOf(g);
  const o = compile(opts);
  const n = g.model.components.length;
  const parent = scratchI32(n).fill(UNREACHED);
  const queue = scratchI32(n);
  let head = 0;
  let tail = enqueueSeeds(parent, queue, seeds);
  const { infoFlow, infoReturn } = facts;
  const { outStart, outEdges, edgeTo } = facts.info;
  const { flowKind } = ix;
  while (head < tail) {
    const v = queue[head++]!;
    if (!passes(ix, o, v, parent[v] === SEED)) continue;
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
      const e = outEdges[i]!;
      const w = edgeTo[e]!;
      if (parent[w] !== UNREACHED) continue;
      if (!o.returns && infoReturn[e]) continue;
      const fi = infoFlow[e]!;
      if (o.kinds && !o.kinds[flowKind[fi]!]) continue;
      if (o.guard?.flow[fi]) continue;
      parent[w] = e;
      queue[tail++] = w;
    }
  }
  return parent;
}

/**
 * Marks each seed once and queues it; returns the queue's length. Its own function: with the loop
 * inline, thousands of seeds got `reach` compiled on the stack (OSR) before its BFS had ever run,
 * and that code, kept for later calls, was thrown out at the loop's end on every call at 100k.
 */
function enqueueSeeds(parent: Int32Array, queue: Int32Array, seeds: Iterable<number>): number {
  let tail = 0;
  for (const s of seeds) {
    if (parent[s] !== UNREACHED) continue;
    parent[s] = SEED;
    queue[tail++] = s;
  }
  return tail;
}

/** A reach computed twice: ignoring controls (`all`) and cut by them (`open`). */
export interface TwoReach {
  readonly all: Int32Array;
  readonly open: Int32Array;
  readonly guard: Guard;
  /** The options of the `open` reach, compiled once for `crossing`. */
  readonly compiled: Compiled;
}

/**
 * Computes both reaches; `open` treats elements with a counting control as cuts. Each reach is a
 * BFS over the whole info-flow graph, and several rules ask the same one (AT-01 and AT-02 from the
 * untrusted entries, AT-08 and AT-11 from third-party models): reaches are shared per compile by
 * their seeds, options and the controls that cut them, and a guard that cuts nothing reuses `all`.
 */
export function reachBoth(
  g: ThreatGraph,
  facts: Facts,
  seeds: readonly number[],
  opts: Omit<ReachOptions, "guard">,
  guard: Guard,
): TwoReach {
  // A dead-end mask is the caller's own array: not comparable by value cheaply, so not shared.
  const base = opts.deadEnds ? undefined : `${reachKey(opts)}|${seeds.join(",")}`;
  const all =
    base === undefined
      ? reach(g, facts, seeds, opts)
      : sharedReachOf(facts, base, () => reach(g, facts, seeds, opts));
  const open =
    guard.key === ""
      ? all
      : base === undefined
        ? reach(g, facts, seeds, { ...opts, guard })
        : sharedReachOf(facts, `${base}|${guard.key}`, () => reach(g, facts, seeds, { ...opts, guard }));
  return { all, open, guard, compiled: compile({ ...opts, guard }) };
}

/** The options of a reach as text (kinds in the order given, which the masks do not depend on). */
function reachKey(opts: Omit<ReachOptions, "guard" | "deadEnds">): string {
  const list = (x: Iterable<string> | undefined): string => (x ? [...x].sort().join(",") : "*");
  return `${list(opts.kinds)}|${opts.returns ?? true}|${list(opts.through)}`;
}

// Reaches by key, per facts object (one compile). Never written to after they are computed.
const twoReaches = new WeakMap<Facts, Map<string, Int32Array>>();
function sharedReachOf(facts: Facts, key: string, compute: () => Int32Array): Int32Array {
  let byKey = twoReaches.get(facts);
  if (!byKey) twoReaches.set(facts, (byKey = new Map<string, Int32Array>()));
  let r = byKey.get(key);
  if (!r) byKey.set(key, (r = compute()));
  return r;
}

/** How content crosses flow `f` out of its source under a two-way reach: openly, only through a cut, or not. */
export function crossing(g: ThreatGraph, r: TwoReach, f: Flow): "open" | "cut" | "none" {
  return crossingOf(g, r, f.index);
}

/** `crossing` for flow index `fi`, from typed arrays: no flow object is read. */
export function crossingOf(g: ThreatGraph, r: TwoReach, fi: number): "open" | "cut" | "none" {
  const src = g.csr.edgeFrom[fi]!;
  if (r.all[src] === UNREACHED) return "none";
  const openHere =
    r.open[src] !== UNREACHED &&
    passes(indexOf(g), r.compiled, src, r.open[src] === SEED) &&
    !r.guard.flow[fi];
  return openHere ? "open" : "cut";
}

/** A path found by a reach: where it starts and the info edges it takes, in order. */
export interface ReachPath {
  readonly start: number;
  readonly edges: readonly number[];
}

/** Walks a reach's parent pointers back from `v`. */
export function pathTo(facts: Facts, parent: Int32Array, v: number): ReachPath {
  return pathBack(parent, facts.info.edgeFrom, v);
}

/** The path to `v` that avoids every cut if there is one, else the path ignoring cuts. */
export function bestPath(facts: Facts, r: TwoReach, v: number): { path: ReachPath; open: boolean } {
  const open = r.open[v] !== UNREACHED;
  return { path: pathTo(facts, open ? r.open : r.all, v), open };
}

/** Facts for a path: the start's own fact, then one per step, trimmed like the explain chains. */
export function pathFacts(g: ThreatGraph, facts: Facts, p: ReachPath, first: Fact, what: string): Fact[] {
  return trimmedChain(
    [first],
    p.edges.length,
    (i) => p.edges[i]!,
    (e) => edgeFact(g, facts, e, what),
  );
}

/** Every component and flow on a path, as control points: a control anywhere along it counts. */
export function pathSubjects(g: ThreatGraph, facts: Facts, p: ReachPath): Subject[] {
  const out: Subject[] = [{ type: "component", index: p.start }];
  for (const e of p.edges) {
    out.push({ type: "flow", index: facts.infoFlow[e]! });
    out.push({ type: "component", index: facts.info.edgeTo[e]! });
  }
  return out;
}

/** Components that are entries of any class in `mask`. */
export function entrySeeds(g: ThreatGraph, facts: Facts, mask: number): number[] {
  const out: number[] = [];
  for (let v = 0; v < g.model.components.length; v++) if (facts.entry[v]! & mask) out.push(v);
  return out;
}

const CLASS_ORDER: readonly [EntryClass, number][] = [
  ["user_input", ENTRY.USER_INPUT],
  ["external_data", ENTRY.EXTERNAL_DATA],
  ["tool_output", ENTRY.TOOL_OUTPUT],
  ["supply_chain", ENTRY.SUPPLY_CHAIN],
];

/** Why a reach seed is an attacker entry (the first of its classes within `mask`). */
export function seedEntryFact(g: ThreatGraph, facts: Facts, v: number, mask: number): Fact {
  const c = g.model.components[v]!;
  const cls = CLASS_ORDER.find(([, bit]) => facts.entry[v]! & mask & bit)?.[0];
  return cls
    ? entryFact(g, c, cls)
    : { text: `${describe(g, c)} is where the content starts`, loc: c.nameLoc };
}

/**
 * For each component, the next flow on a data path toward a `train` flow (the `train` flow itself
 * for a training input), or UNREACHED when its records never reach a training run. One reverse BFS.
 */
export function trainingFeed(g: ThreatGraph): Int32Array {
  let next = feeds.get(g);
  if (!next) feeds.set(g, (next = trainingFeedOf(g)));
  return next;
}

/** The training feed of a graph, shared by the rules that ask (AT-03, AT-04). */
const feeds = new WeakMap<ThreatGraph, Int32Array>();

function trainingFeedOf(g: ThreatGraph): Int32Array {
  const n = g.model.components.length;
  const { flowKind } = indexOf(g);
  const moves = flowKindMask(DATA_MOVES);
  const next = scratchI32(n).fill(UNREACHED);
  const queue = scratchI32(n);
  let head = 0;
  let tail = 0;
  for (const fi of g.flowsByKind.get("train") ?? []) {
    const from = g.csr.edgeFrom[fi]!;
    if (next[from] !== UNREACHED) continue;
    next[from] = fi;
    queue[tail++] = from;
  }
  while (head < tail) {
    const v = queue[head++]!;
    for (let i = g.csr.inStart[v]!; i < g.csr.inStart[v + 1]!; i++) {
      const fi = g.csr.inEdges[i]!;
      const u = g.csr.edgeFrom[fi]!;
      if (!moves[flowKind[fi]!] || next[u] !== UNREACHED) continue;
      next[u] = fi;
      queue[tail++] = u;
    }
  }
  return next;
}

/** The flows from `v` to the training run it feeds (ending with the `train` flow). */
export function feedFlows(g: ThreatGraph, next: Int32Array, v: number): Flow[] {
  const out: Flow[] = [];
  let cur = v;
  while (next[cur]! >= 0 && out.length <= next.length) {
    const f = g.model.flows[next[cur]!]!;
    out.push(f);
    if (f.kind === "train") break;
    cur = f.to;
  }
  return out;
}

/** A fact for one flow moving something along. */
export function flowFact(g: ThreatGraph, f: Flow, what: string): Fact {
  const a = g.model.components[f.from]!.name;
  const b = g.model.components[f.to]!.name;
  return { text: `\`${a} -> ${b}\` (${f.kind}) ${what}`, loc: f.loc };
}

/** Whether the component is a third-party model artifact in its own right (not by lineage). */
export function isThirdPartyModelSource(c: Component): boolean {
  if (c.kind === "model") return c.props.origin === "public_hub" || c.props.origin === "vendor";
  if (c.kind === "registry")
    return c.props.origin === "public" && (c.props.type === "models" || c.props.type === undefined);
  return false;
}

/** Why a component is a third-party model artifact, located at the property that says so. */
export function thirdPartyModelFact(g: ThreatGraph, c: Component): Fact {
  if (c.kind === "model")
    return {
      text: `${describe(g, c)} has weights from outside the organisation (\`origin ${c.props.origin ?? ""}\`)`,
      loc: c.propLocs["origin"] ?? c.nameLoc,
    };
  return {
    text: `${describe(g, c)} is a public registry anyone can publish models to (\`origin public\`)`,
    loc: c.propLocs["origin"] ?? c.nameLoc,
  };
}

const SOURCE_KINDS = componentKindMask(["model", "registry"]);

/** Seeds of third-party model lineage: public-hub and vendor models, public model registries. */
export function thirdPartyModelSeeds(g: ThreatGraph): number[] {
  // Only models and registries can be sources: the kind codes pick them without reading the other
  // components (about 90% of them), whose many shapes make each read slow.
  const out: number[] = [];
  const { components } = g.model;
  for (let i = 0; i < components.length; i++)
    if (SOURCE_KINDS[g.compKind[i]!] === 1 && isThirdPartyModelSource(components[i]!)) out.push(i);
  return out;
}

/** Reach options that follow artifact flows forward only (never a returned result). */
export const ARTIFACT_REACH: ReachOptions = { kinds: ARTIFACT_FLOWS, returns: false };

/** Flow kinds by which a component puts something into a store or registry. */
const WRITE_KINDS: ReadonlySet<FlowKind> = new Set(["write", "publish", "copy", "ingest", "produce"]);

// Kinds that never open a connection: a flow out of one of them is a pull by the receiver (a crawl
// fetches a web page, a job downloads from a registry), so the sender cannot use it to get in.
const PASSIVE: ReadonlySet<string> = new Set([
  "source",
  "dataset",
  "store",
  "vectorstore",
  "registry",
  "model",
  "template",
]);

/** Whether a component opens connections itself (people, apps, agents, jobs, services). */
export function initiates(c: Component): boolean {
  return !PASSIVE.has(c.kind);
}

// Plain arrays (not scratch): made once, when the module loads.
const WRITE_CODES = flowKindMask(WRITE_KINDS);
const PASSIVE_CODES = componentKindMask(PASSIVE as ReadonlySet<ComponentKind>);

/** `initiates`, asked of the graph's typed kind codes. */
export function initiatesAt(g: ThreatGraph, v: number): boolean {
  return PASSIVE_CODES[g.compKind[v]!] === 0;
}

/** Whether in-flow `fi` of `v` is a write by a less trusted principal (typed lookups only). */
function lessTrustedWrite(g: ThreatGraph, v: number, fi: number): boolean {
  const w = g.csr.edgeFrom[fi]!;
  return (
    WRITE_CODES[g.flowKind[fi]!] === 1 && PASSIVE_CODES[g.compKind[w]!] === 0 && g.trust[w]! < g.trust[v]!
  );
}

/** In-flows by which a less trusted principal (not a passive store it is copied from) writes into `c`. */
export function lessTrustedWriters(g: ThreatGraph, c: Component): Flow[] {
  // Asked of every store and registry by AT-09 and AT-12: the flows are read only when they match.
  const out: Flow[] = [];
  const { inStart, inEdges } = g.csr;
  for (let i = inStart[c.index]!; i < inStart[c.index + 1]!; i++)
    if (lessTrustedWrite(g, c.index, inEdges[i]!)) out.push(g.model.flows[inEdges[i]!]!);
  return out;
}

/** Whether any less trusted principal writes into component `v` (see `lessTrustedWriters`). */
export function hasLessTrustedWriter(g: ThreatGraph, v: number): boolean {
  const { inStart, inEdges } = g.csr;
  for (let i = inStart[v]!; i < inStart[v + 1]!; i++) if (lessTrustedWrite(g, v, inEdges[i]!)) return true;
  return false;
}

/** Whether a pipeline builds or rewrites model weights. */
export function buildsModels(g: ThreatGraph, c: Component): boolean {
  if (c.kind !== "pipeline") return false;
  const t = c.props.type;
  if (t === "training" || t === "fine_tuning" || t === "conversion") return true;
  return outFlows(g, c.index).some((f) => f.kind === "produce" && g.model.components[f.to]!.kind === "model");
}

/** Whether a store or registry (other than a public one) holds model weights. */
export function holdsModels(g: ThreatGraph, c: Component): boolean {
  if (c.kind === "registry") {
    if (c.props.origin === "public") return false;
    if (c.props.type === "models") return true;
    if (c.props.type !== undefined) return false;
  } else if (c.kind !== "store") return false;
  const loadsModel = (f: Flow): boolean => f.kind === "load" && g.model.components[f.to]!.kind === "model";
  if (outFlows(g, c.index).some((f) => f.kind === "deploy" || loadsModel(f))) return true;
  return inFlows(g, c.index).some((f) => {
    if (f.kind !== "publish" && f.kind !== "produce") return false;
    const src = g.model.components[f.from]!;
    return src.kind === "model" || buildsModels(g, src);
  });
}

/** Crown markings of components and data, by index. */
export interface CrownIndex {
  readonly component: ReadonlyMap<number, CrownJewel>;
  readonly data: ReadonlyMap<number, CrownJewel>;
}

/** Indexes the crown jewels (component `crown` properties and `asset ... crown` lines alike). */
export function crownIndex(model: ResolvedModel): CrownIndex {
  const component = new Map<number, CrownJewel>();
  const data = new Map<number, CrownJewel>();
  for (const cj of model.crownJewels)
    (cj.subject.type === "component" ? component : data).set(cj.subject.index, cj);
  return { component, data };
}

/** The crown jewel marking of a component for one property, if any. */
export function crownFor(ix: CrownIndex, c: Component, prop: Cia): CrownJewel | undefined {
  const cj = ix.component.get(c.index);
  return cj?.properties.includes(prop) ? cj : undefined;
}

/** A fact stating a crown-jewel marking. */
export function crownFact(cj: CrownJewel, prop: Cia): Fact {
  return { text: `\`${cj.name}\` is a crown jewel for ${prop}`, loc: cj.loc };
}

/** Flow kinds that carry built weights from a training run toward where they are used. */
const DELIVERY: ReadonlySet<FlowKind> = new Set(["produce", "publish", "copy", "deploy", "load"]);

/**
 * Models reached from `start` over produce, publish, copy, deploy and load flows, each with the flows
 * that deliver the weights to it (`start` itself when it is a model). A local BFS: its cost is the
 * size of the delivery subgraph, not of the whole model. Memoized per graph and start.
 */
export function modelsFrom(g: ThreatGraph, start: number): readonly DeliveredModel[] {
  let byStart = delivered.get(g);
  if (!byStart) delivered.set(g, (byStart = new Map<number, readonly DeliveredModel[]>()));
  let out = byStart.get(start);
  if (!out) byStart.set(start, (out = modelsFromUncached(g, start)));
  return out;
}

/** A model a start delivers its weights to, and the flows on the way. */
export interface DeliveredModel {
  readonly model: Extract<Component, { kind: "model" }>;
  readonly via: readonly Flow[];
}

// AT-01, AT-02 and AT-04 ask where the same training runs' weights go: answered once per run.
const delivered = new WeakMap<ThreatGraph, Map<number, readonly DeliveredModel[]>>();

const DELIVERY_CODES = flowKindMask(DELIVERY);
const MODEL_CODE = COMPONENT_KIND_CODE.get("model")!;

function modelsFromUncached(g: ThreatGraph, start: number): DeliveredModel[] {
  // Typed kinds and ends: only the models found and the flows delivering to them are read as
  // objects (the search crosses many more flows than it keeps). The map holds the nodes in the
  // order the search met them.
  const parent = localReach(g, [start], DELIVERY_CODES, () => true);
  const out: DeliveredModel[] = [];
  for (const v of parent.keys())
    if (g.compKind[v] === MODEL_CODE)
      out.push({
        model: g.model.components[v] as Extract<Component, { kind: "model" }>,
        via: localPath(g, parent, v),
      });
  return out;
}

// Shared with the explanations outside the rules.
export { nameList } from "../../../words.js";

/** Where data of some kind reaches, by shortest chains. */
export interface DataReach {
  /** A data asset of that kind that reaches the component (-1 none). */
  readonly witness: Int32Array;
  /** The info edge it arrived by (SEED: the component holds or sends it itself; UNREACHED: none). */
  readonly parent: Int32Array;
}

/**
 * "Does data for which `isWitness` holds reach this component?" answered by one BFS over the
 * info-flow graph, with the meaning of the sensitivity facts (held data, data a component sends on
 * its flows, `carries` narrowing a flow, nothing but weights over publish, deploy, serve and load)
 * but shortest explanation chains.
 */
export function dataReach(
  g: ThreatGraph,
  facts: Facts,
  isWitness: (d: number) => boolean,
  guard?: Guard,
): DataReach {
  const { model } = g;
  const n = model.components.length;
  const witness = scratchI32(n).fill(-1);
  const parent = scratchI32(n).fill(UNREACHED);
  // Per flow: -2 moves whatever its source has; otherwise the witness among its `carries` (-1 none).
  const flowWitness = scratchI32(model.flows.length).fill(-2);
  const queue = scratchI32(n);
  // Each loop is a function of its own, for the reason `enqueueSeeds` gives: inline, the compiled
  // code of one long loop was thrown out where the next began, on every call.
  const is = witnessMask(model.data.length, isWitness);
  const tail = seedWitnesses(g, is, witness, parent, flowWitness, queue);
  spreadWitnesses(facts, g.flowKind, flowWitness, witness, parent, queue, tail, guard);
  return { witness, parent };
}

/** The question asked once per data asset (1 = a witness); then only typed lookups. */
function witnessMask(count: number, isWitness: (d: number) => boolean): Uint8Array {
  const is = scratchU8(count);
  for (let d = 0; d < count; d++) if (isWitness(d)) is[d] = 1;
  return is;
}

/** The first asset of entry k of a flattened list that is a witness (-1 none). */
function firstWitness(is: Uint8Array, start: Int32Array, flat: Int32Array, k: number): number {
  for (let j = start[k]!; j < start[k + 1]!; j++) if (is[flat[j]!]) return flat[j]!;
  return -1;
}

/**
 * Seeds a data reach: holders of a witness, and sources of flows carrying one (whose witness is
 * noted per flow). Returns the queue's length. Two functions, one loop each (see `enqueueSeeds`).
 */
function seedWitnesses(
  g: ThreatGraph,
  is: Uint8Array,
  witness: Int32Array,
  parent: Int32Array,
  flowWitness: Int32Array,
  queue: Int32Array,
): number {
  const ix = indexOf(g);
  const tail = seedHolders(ix, is, witness, parent, queue);
  return seedCarriers(g, ix, is, witness, parent, flowWitness, queue, tail);
}

function seedHolders(
  ix: GraphIndex,
  is: Uint8Array,
  witness: Int32Array,
  parent: Int32Array,
  queue: Int32Array,
): number {
  let tail = 0;
  for (let k = 0; k < ix.holders.length; k++) {
    const v = ix.holders[k]!;
    const d = firstWitness(is, ix.holdsStart, ix.holdsFlat, k);
    if (d < 0 || parent[v] !== UNREACHED) continue;
    witness[v] = d;
    parent[v] = SEED;
    queue[tail++] = v;
  }
  return tail;
}

function seedCarriers(
  g: ThreatGraph,
  ix: GraphIndex,
  is: Uint8Array,
  witness: Int32Array,
  parent: Int32Array,
  flowWitness: Int32Array,
  queue: Int32Array,
  seeded: number,
): number {
  let tail = seeded;
  for (let k = 0; k < ix.carryingFlows.length; k++) {
    const fi = ix.carryingFlows[k]!;
    const d = firstWitness(is, ix.carriesStart, ix.carriesFlat, k);
    flowWitness[fi] = d;
    const v = g.csr.edgeFrom[fi]!;
    if (d < 0 || parent[v] !== UNREACHED) continue;
    witness[v] = d;
    parent[v] = SEED;
    queue[tail++] = v;
  }
  return tail;
}

/**
 * The BFS of a data reach from its queued seeds: each component reached keeps its source's witness.
 * Distribution flows pass on no records, even when they say they carry some: the sensitivity facts
 * cap them the same way. With a guard, a component with a counting control is reached but passes
 * nothing on, and a flow with one is not crossed (as in `reach`).
 */
function spreadWitnesses(
  facts: Facts,
  flowKind: Uint8Array,
  flowWitness: Int32Array,
  witness: Int32Array,
  parent: Int32Array,
  queue: Int32Array,
  seeded: number,
  guard: Guard | undefined,
): void {
  const { outStart, outEdges, edgeTo } = facts.info;
  const { infoFlow } = facts;
  const cutComp = guard?.comp;
  const cutFlow = guard?.flow;
  let tail = seeded;
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    if (cutComp?.[v]) continue;
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
      const e = outEdges[i]!;
      const w = edgeTo[e]!;
      if (parent[w] !== UNREACHED) continue;
      const f = infoFlow[e]!;
      if (DISTRIBUTES_ARTIFACT[flowKind[f]!] || cutFlow?.[f]) continue;
      const fw = flowWitness[f]!;
      const d = fw === -2 ? witness[v]! : fw;
      if (d < 0) continue;
      witness[w] = d;
      parent[w] = e;
      queue[tail++] = w;
    }
  }
}

/** Where regulated data (a data asset with `regulated [...]`) reaches; with a guard, where it reaches uncut. */
export function regulatedReach(g: ThreatGraph, facts: Facts, guard?: Guard): DataReach {
  const cut = guard && guard.key !== "" ? guard : undefined;
  return sharedReach(facts, cut ? `regulated|${cut.key}` : "regulated", () =>
    dataReach(g, facts, (d) => (g.model.data[d]?.regulated.length ?? 0) > 0, cut),
  );
}

// Several rules ask the same data-reach question of one compile (personal data: AT-06 and AT-07): each
// is answered once per facts object, keyed by the least classification rank (or "regulated"), and by
// the controls that cut it when it is guarded.
const dataReaches = new WeakMap<Facts, Map<number | string, DataReach>>();
function sharedReach(facts: Facts, key: number | string, compute: () => DataReach): DataReach {
  let byKey = dataReaches.get(facts);
  if (!byKey) dataReaches.set(facts, (byKey = new Map<number | string, DataReach>()));
  let r = byKey.get(key);
  if (!r) byKey.set(key, (r = compute()));
  return r;
}

/**
 * A BFS over flows forward from `seeds` that allocates only what it visits: per reached component,
 * the flow it was first reached by (-1 for a seed). For per-subject questions over a small
 * neighbourhood (where a model's weights travel), so the cost does not grow with the whole model.
 * It follows the flows whose kind `follow` marks (a mask over flow kind codes) out of the components
 * `through` lets pass, and reads kinds and ends from the graph's typed arrays, not the objects.
 */
export function localReach(
  g: ThreatGraph,
  seeds: readonly number[],
  follow: Uint8Array,
  through: (v: number) => boolean,
): Map<number, number> {
  const { outStart, outEdges, edgeTo } = g.csr;
  const parent = new Map<number, number>();
  const queue: number[] = [];
  for (const s of seeds) {
    if (parent.has(s)) continue;
    parent.set(s, -1);
    queue.push(s);
  }
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    if (!through(v)) continue;
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
      const fi = outEdges[i]!;
      const to = edgeTo[fi]!;
      if (parent.has(to) || follow[g.flowKind[fi]!] !== 1) continue;
      parent.set(to, fi);
      queue.push(to);
    }
  }
  return parent;
}

/** The flows a `localReach` took to get to `v`, in order. */
export function localPath(g: ThreatGraph, parent: ReadonlyMap<number, number>, v: number): Flow[] {
  const out: Flow[] = [];
  let cur = v;
  while ((parent.get(cur) ?? -1) >= 0 && out.length <= parent.size) {
    const f = g.model.flows[parent.get(cur)!]!;
    out.push(f);
    cur = f.from;
  }
  return out.reverse();
}

/** Shortest-chain reach of data classified at least `minRank`. */
export type ClassReach = DataReach;

/**
 * "Does data classified at least `minRank` reach this component?", with shortest explanation chains:
 * the sensitivity fixpoint keeps whichever chain raised a component last, which on large coupled
 * models runs to thousands of steps.
 */
export function classReach(g: ThreatGraph, facts: Facts, minRank: number): ClassReach {
  return sharedReach(facts, minRank, () =>
    dataReach(g, facts, (d) => {
      const cls = g.model.data[d]?.classification;
      return cls !== undefined && classificationRank(cls) >= minRank;
    }),
  );
}

/**
 * Where records classified at least `minRank` reach without crossing a control that counts for
 * `guard`'s rule: a component that declares one is reached but passes nothing on, a flow that
 * declares one is not crossed. Below `secret` only records count (a credential is not a record,
 * docs/adr/0016-training-inputs-and-controls-on-the-way.md); from `secret` up, secrets. Shared per
 * compile by rank and guard.
 */
export function guardedClassReach(g: ThreatGraph, facts: Facts, minRank: number, guard: Guard): ClassReach {
  const secret = classificationRank("secret");
  return sharedReach(facts, `${minRank}|${guard.key}`, () =>
    dataReach(
      g,
      facts,
      (d) => {
        const cls = g.model.data[d]?.classification;
        if (cls === undefined) return false;
        const r = classificationRank(cls);
        return r >= minRank && (minRank >= secret || r < secret);
      },
      guard,
    ),
  );
}

/**
 * Whether data classified at least `minRank` reaches component `v` without crossing a control that
 * counts for `guard`'s rule: `guardedClassReach(...).parent[v] !== UNREACHED`, for a caller that
 * needs no chain. Below `secret` every rank is read from one pass per guard (`guardedRecordRanks`),
 * where each rank took a BFS of its own (at 100k, 11 reaches of about 25 ms for 3 guards).
 */
export function reachesUncut(
  g: ThreatGraph,
  facts: Facts,
  minRank: number,
  guard: Guard,
  v: number,
): boolean {
  if (minRank >= classificationRank("secret"))
    return guardedClassReach(g, facts, minRank, guard).parent[v] !== UNREACHED;
  return guardedRecordRanks(g, facts, guard)[v]! >= Math.max(0, minRank);
}

// Per compile and guard key: the highest record rank reaching each component uncut.
const recordRanks = new WeakMap<Facts, Map<string, Int8Array>>();

/**
 * Per component, the highest classification below `secret` that reaches it uncut by `guard` (-1
 * none), with the meaning of `guardedClassReach`: held and sent records, `carries` capping a flow,
 * no records over distribution flows, a guarded component reached but passing nothing on and a
 * guarded flow not crossed.
 */
function guardedRecordRanks(g: ThreatGraph, facts: Facts, guard: Guard): Int8Array {
  let byKey = recordRanks.get(facts);
  if (!byKey) recordRanks.set(facts, (byKey = new Map<string, Int8Array>()));
  let ranks = byKey.get(guard.key);
  if (!ranks) {
    const { edgeFrom } = facts.info;
    const caps = sensitivityCaps(
      g,
      facts.infoFlow,
      (e, f) =>
        DISTRIBUTES_ARTIFACT[g.flowKind[f]!] === 1 || guard.flow[f] === 1 || guard.comp[edgeFrom[e]!] === 1,
    );
    ranks = levelRanks(facts.info, classificationRank("secret"), ownSensitivity(g).own, caps.cap);
    byKey.set(guard.key, ranks);
  }
  return ranks;
}

/** How the witness data of a class reach arrives at `v`: who has it, then each step. */
export function classChain(g: ThreatGraph, facts: Facts, r: ClassReach, v: number): Fact[] {
  const d = r.witness[v]!;
  if (d < 0) return [];
  const data = g.model.data[d]!;
  const p = pathTo(facts, r.parent, v);
  const cls = data.classification ?? "unclassified";
  const first = holderFact(g, g.model.components[p.start]!, d, cls);
  return pathFacts(g, facts, p, first, `\`${data.name}\``);
}
