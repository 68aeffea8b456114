import { scratchI32 } from "../graph/arena.js";
import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Component } from "../semantic/model.js";
import {
  classificationOf,
  ENTRY,
  sensitivityParents,
  type EntryClass,
  type Fact,
  type Facts,
} from "./facts.js";
import { releasedAsRulesEnd } from "./report-caches.js";
import { exactList } from "./exact-list.js";

/** Longest chain of steps shown in one explanation; longer chains keep both ends. */
const MAX_CHAIN = 12;

// Facts name the same components and steps over and over (every rule explaining an agent shows the
// same taint chain), so these texts are built once per graph and shared by the findings showing them.
const described = new WeakMap<ThreatGraph, (string | undefined)[]>();
// Per info edge, the facts made for it as `what`, fact, `what`, fact...: an edge is shown with few
// texts (attacker content, data, an asset's name), and a list per edge is one read where maps keyed
// by text and then by edge were two hash lookups per step shown.
const edgeFacts = new WeakMap<Facts, ((string | Fact)[] | undefined)[]>();

/** `name` (kind) with where its trust level comes from, for facts. */
export function describe(g: ThreatGraph, c: Component): string {
  let texts = described.get(g);
  // Filled with undefined up front: a dense array, not a sparse one written out of order.
  if (!texts) described.set(g, (texts = Array.from({ length: g.model.components.length }, () => undefined)));
  return (texts[c.index] ??= flatDescription(g, c));
}

/**
 * The description as one flat string: built by a template it is a tree of pieces in V8, a node per
 * piece, and each is kept for the rule stage (about 100 bytes a component more than flat).
 */
function flatDescription(g: ThreatGraph, c: Component): string {
  const text = describeUncached(g, c);
  text.charCodeAt(0);
  return text;
}

function describeUncached(g: ThreatGraph, c: Component): string {
  const zone = c.zone === undefined ? undefined : g.model.zones[c.zone];
  const trust =
    c.trustOrigin === "declared"
      ? `declared trust \`${c.trust}\``
      : zone
        ? `zone \`${zone.name}\`, trust \`${c.trust}\``
        : `trust \`${c.trust}\` by default`;
  return `\`${c.name}\` (${c.kind}; ${trust})`;
}

const ENTRY_REASON: Record<EntryClass, string> = {
  user_input: "takes input from users the system does not control",
  external_data: "brings in content written by outsiders",
  tool_output: "returns content fetched from outside (tool output)",
  supply_chain: "is a third-party artifact (supply chain)",
};

// Facts about one component that many chains start or end with (the same entry, holder or sink
// explains every component its content reaches): built once per graph, keyed by a constant kind
// (an entry or data class, "x" for sinks) and then a number.
const componentFacts = new WeakMap<ThreatGraph, Map<string, Map<number, Fact>>>();
function componentFactsOf(g: ThreatGraph, kind: string): Map<number, Fact> {
  let byKind = componentFacts.get(g);
  if (!byKind) componentFacts.set(g, (byKind = new Map<string, Map<number, Fact>>()));
  let m = byKind.get(kind);
  if (!m) byKind.set(kind, (m = new Map<number, Fact>()));
  return m;
}

/** Why a component is an entry of a class. */
export function entryFact(g: ThreatGraph, c: Component, cls: EntryClass): Fact {
  const table = componentFactsOf(g, cls);
  return (
    table.get(c.index) ??
    remember(table, c.index, { text: `${describe(g, c)} ${ENTRY_REASON[cls]}`, loc: c.nameLoc })
  );
}

/** Where a data asset starts its way: the component holding it, or sending it (`cls` as shown). */
export function holderFact(g: ThreatGraph, holder: Component, d: number, cls: string): Fact {
  const table = componentFactsOf(g, cls);
  const key = holder.index * g.model.data.length + d;
  return table.get(key) ?? remember(table, key, holderFactUncached(g, holder, d, cls));
}

function holderFactUncached(g: ThreatGraph, holder: Component, d: number, cls: string): Fact {
  const data = g.model.data[d]!;
  return holder.holds.includes(d)
    ? {
        text: `\`${holder.name}\` holds \`${data.name}\` (${cls})`,
        loc: holder.propLocs["holds"] ?? holder.nameLoc,
      }
    : { text: `\`${holder.name}\` sends \`${data.name}\` (${cls}) on its flows`, loc: holder.nameLoc };
}

/** One step over an info edge: a flow forward, or an invoke/delegate result coming back. */
export function edgeFact(g: ThreatGraph, facts: Facts, e: number, what: string): Fact {
  let byEdge = edgeFacts.get(facts);
  // Filled with undefined up front: a dense array, not a sparse one written out of order.
  if (!byEdge)
    edgeFacts.set(
      facts,
      (byEdge = new Array<(string | Fact)[] | undefined>(facts.info.edgeCount).fill(undefined)),
    );
  const made = byEdge[e];
  if (made) for (let i = 0; i < made.length; i += 2) if (made[i] === what) return made[i + 1] as Fact;
  const fact = edgeFactUncached(g, facts, e, what);
  // Exact-size lists (`exactList`; `concat` makes one): most edges are shown with one text.
  byEdge[e] = made ? made.concat(what, fact) : [what, fact];
  return fact;
}

function edgeFactUncached(g: ThreatGraph, facts: Facts, e: number, what: string): Fact {
  const f = g.model.flows[facts.infoFlow[e]!]!;
  const a = g.model.components[f.from]!.name;
  const b = g.model.components[f.to]!.name;
  const text = facts.infoReturn[e]
    ? `the result of \`${a} -> ${b}\` (${f.kind}) returns ${what} to \`${a}\``
    : `\`${a} -> ${b}\` (${f.kind}) carries ${what} to \`${b}\``;
  return { text, loc: f.loc };
}

const tables = new WeakMap<object, Map<string, unknown[]>>();

/**
 * A table of per-component answers cached for one compile (`owner` is an object made once per
 * compile, `n` the number of components): many findings share an origin (one training set behind
 * many endpoints, one agent behind many flows), and their explanation chains are built once. Kept by
 * `name` (a constant, so no key string is built per question); read as `table[v] ??= compute(...)`:
 * an index per question, where a map keyed by component was a hash lookup. Shared with the rule
 * libraries' caches.
 */
export function tableFor<T>(owner: object, name: string, n: number): (T | undefined)[] {
  let byName = tables.get(owner);
  if (!byName) {
    byName = new Map();
    tables.set(owner, byName);
  }
  let table = byName.get(name);
  if (!table) {
    // Filled with undefined up front: a dense array, not a sparse one written out of order.
    table = new Array<unknown>(n).fill(undefined);
    byName.set(name, table);
  }
  return table as (T | undefined)[];
}

// Chains are asked for again and again (every rule reporting on an agent explains the same taint),
// and parent pointers can be long, so each chain is built once per propagation result, and only its
// shown steps become text: the first and last few, with a count of the ones in between.
// Kept per constant kind (a taint class, or "s", "x", "p"), then indexed by component.
const chainsOf = (facts: Facts, kind: string): (readonly Fact[] | undefined)[] =>
  tableFor<readonly Fact[]>(facts, kind, facts.info.nodeCount);

/**
 * Stores an answer in a per-component cache and returns it, so that a cached question reads
 * `table.get(v) ?? remember(table, v, compute(...))` without a closure per question (answers are
 * never undefined). Shared with the caches of the rule libraries.
 */
export function remember<T>(table: Map<number, T>, v: number, answer: T): T {
  table.set(v, answer);
  return answer;
}

/**
 * A chain of `first`, then one fact per step, then `last`, trimmed to MAX_CHAIN facts: the first and
 * the last few steps with a count of those between. Only the steps shown are asked for (`step(i)`)
 * and made into facts: paths in large models run to thousands of steps, and a finding shows a dozen.
 */
export function trimmedChain<T>(
  first: readonly Fact[],
  count: number,
  step: (i: number) => T,
  make: (s: T) => Fact,
  last: readonly Fact[] = [],
): Fact[] {
  const out: Fact[] = [...first];
  if (first.length + count + last.length <= MAX_CHAIN) {
    for (let i = 0; i < count; i++) out.push(make(step(i)));
  } else {
    const headCount = Math.max(0, MAX_CHAIN / 2 - first.length);
    const tailCount = Math.max(0, MAX_CHAIN / 2 - 1 - last.length);
    for (let i = 0; i < headCount; i++) out.push(make(step(i)));
    const gap = make(step(headCount));
    out.push({ text: `... ${count - headCount - tailCount} more steps`, loc: gap.loc });
    for (let i = count - tailCount; i < count; i++) out.push(make(step(i)));
  }
  for (const f of last) out.push(f);
  return out;
}

/** Steps kept at each end of a path: every step a trimmed chain can show. */
const KEEP = MAX_CHAIN;

/**
 * A path of edges (info edges, or the model's flows) known by its ends: where it starts and ends, how many steps it has, and its
 * first and last `KEEP` steps (all of them when it is that short).
 */
export interface PathSteps {
  readonly from: number;
  readonly to: number;
  readonly length: number;
  readonly head: readonly number[];
  readonly tail: readonly number[];
}

/** Step `i` of a path, for the indices a trimmed chain asks for (within KEEP of either end). */
export function stepOf(p: PathSteps, i: number): number {
  return i < p.head.length ? p.head[i]! : p.tail[i - (p.length - p.tail.length)]!;
}

/** A path as a whole list of steps (for a pointer cycle, which no search here leaves). */
function pathOf(from: number, to: number, edges: readonly number[]): PathSteps {
  return { from, to, length: edges.length, head: edges.slice(0, KEEP), tail: edges.slice(-KEEP) };
}

/**
 * Per pointer array: each node's path length and far end, and its anchor: the node KEEP steps before
 * the far end (the node itself when its path is that short), from which the far steps are walked.
 * Three numbers per node, filled as asked: keeping each node's far steps as a list cost an array
 * per node walked, and a list of those lists as long as the graph per pointer array.
 */
interface PathMemo {
  readonly length: Int32Array;
  readonly end: Int32Array;
  readonly anchor: Int32Array;
}
/**
 * Memos per owner (the facts or query table a chain is cached on), then per pointer array. The
 * pointer arrays belong to the compile's facts, which live through the output side; the rule stage's
 * session copies of the facts do not, so memos kept on them die with the rules' other caches.
 */
const pathMemos = new WeakMap<object, Map<Int32Array, PathMemo>>();
releasedAsRulesEnd((g, facts) => {
  described.delete(g);
  componentFacts.delete(g);
  edgeFacts.delete(facts);
  tables.delete(facts);
  pathMemos.delete(facts);
});

function pathMemo(owner: object, pointers: Int32Array): PathMemo {
  let byPointers = pathMemos.get(owner);
  if (!byPointers) pathMemos.set(owner, (byPointers = new Map<Int32Array, PathMemo>()));
  let m = byPointers.get(pointers);
  if (!m) {
    const n = pointers.length;
    m = { length: scratchI32(n).fill(-1), end: scratchI32(n), anchor: scratchI32(n) };
    byPointers.set(pointers, m);
  }
  return m;
}

/**
 * Follows `pointers` (an edge per node, negative at the path's end) from `v`: `across` gives the next
 * node over an edge. Each node's length, far end and anchor are remembered, so asking for every node
 * of a long path costs its length once, not once per node (a chain of 12,500 components took
 * minutes); the KEEP steps at either end are walked each time. Undefined for a pointer cycle, which
 * no search here makes.
 */
function followPointers(
  owner: object,
  pointers: Int32Array,
  across: Int32Array,
  v: number,
): PathMemo | undefined {
  const m = pathMemo(owner, pointers);
  if (m.length[v]! >= 0) return m;
  const path: number[] = [];
  let cur = v;
  while (m.length[cur]! < 0 && pointers[cur]! >= 0) {
    path.push(cur);
    cur = across[pointers[cur]!]!;
    if (path.length > pointers.length) return undefined; // a pointer cycle: no search here makes one
  }
  if (m.length[cur]! < 0) {
    m.length[cur] = 0;
    m.end[cur] = cur;
    m.anchor[cur] = cur;
  }
  for (let i = path.length - 1; i >= 0; i--) {
    const x = path[i]!;
    const y = across[pointers[x]!]!;
    const length = m.length[y]! + 1;
    m.length[x] = length;
    m.end[x] = m.end[y]!;
    m.anchor[x] = length <= KEEP ? x : m.anchor[y]!;
  }
  return m;
}

/** The first `count` steps from `v`, in walking order. */
function stepsFrom(pointers: Int32Array, across: Int32Array, v: number, count: number): number[] {
  const out: number[] = [];
  for (let cur = v, i = 0; i < count; i++) {
    const e = pointers[cur]!;
    out.push(e);
    cur = across[e]!;
  }
  return out;
}

/**
 * What a remembered walk from `v` shows: its length, where it ends, the first steps from `v` (`near`)
 * and the first steps from its anchor (`far`, the same list when the walk is short enough to show
 * whole), each in walking order; undefined where `followPointers` met a cycle.
 */
function walkEnds(
  owner: object,
  pointers: Int32Array,
  across: Int32Array,
  v: number,
): { length: number; end: number; near: number[]; far: number[] } | undefined {
  const m = followPointers(owner, pointers, across, v);
  if (!m) return undefined;
  const length = m.length[v]!;
  const count = Math.min(length, KEEP);
  const near = stepsFrom(pointers, across, v, count);
  const anchor = m.anchor[v]!;
  const far = anchor === v ? near : stepsFrom(pointers, across, anchor, count);
  return { length, end: m.end[v]!, near, far };
}

/** Walks parent pointers (info edges) back from `v`: the path from where it starts to `v`. */
export function walkBack(facts: Facts, parent: Int32Array, v: number): PathSteps {
  return walkBackOver(facts, facts.info.edgeFrom, parent, v);
}

/**
 * `walkBack` over another graph's edges: `edgeFrom` gives the node each edge leaves; the walk is
 * remembered on `owner` (what the caller caches its chains on).
 */
export function walkBackOver(owner: object, edgeFrom: Int32Array, parent: Int32Array, v: number): PathSteps {
  const w = walkEnds(owner, parent, edgeFrom, v);
  if (w) {
    // Walking back, steps come last to first: the anchor's are the path's first ones. A path short
    // enough to be shown whole has one list for both ends (reversed once).
    const tail = w.near.reverse();
    const head = w.far === w.near ? tail : w.far.reverse();
    return { from: w.end, to: v, length: w.length, head, tail };
  }
  const { start, edges } = pathBack(parent, edgeFrom, v);
  return pathOf(start, v, edges);
}

/**
 * Every step back from `v` over parent pointers, in path order, and where the path starts: for
 * callers that need the whole path (control points along it), not only what a chain shows.
 */
export function pathBack(
  parent: Int32Array,
  edgeFrom: Int32Array,
  v: number,
): { start: number; edges: number[] } {
  const { end, edges } = walkAll(parent, edgeFrom, v);
  return { start: end, edges: edges.reverse() };
}

/** Walks next pointers (info edges) forward from `v`: the path from `v` to where it ends. */
function walkForward(facts: Facts, next: Int32Array, v: number): PathSteps {
  const across = facts.info.edgeTo;
  const w = walkEnds(facts, next, across, v);
  if (w) return { from: v, to: w.end, length: w.length, head: w.near, tail: w.far };
  const { end, edges } = walkAll(next, across, v);
  return pathOf(v, end, edges);
}

/** Every step from `v` in walking order, at most as many as there are nodes (a pointer cycle stops there). */
function walkAll(pointers: Int32Array, across: Int32Array, v: number): { end: number; edges: number[] } {
  const edges: number[] = [];
  let cur = v;
  let guard = 0;
  while (pointers[cur]! >= 0 && guard++ < pointers.length) {
    const e = pointers[cur]!;
    edges.push(e);
    cur = across[e]!;
  }
  return { end: cur, edges };
}

/** `trimmedChain` over a path's steps. */
export function chainOf(
  first: readonly Fact[],
  path: PathSteps,
  fact: (e: number) => Fact,
  last: readonly Fact[] = [],
): Fact[] {
  return trimmedChain(first, path.length, (i) => stepOf(path, i), fact, last);
}

/** How attacker content of a class reaches component `v`: entry, then the flows it travels. */
export function taintChain(g: ThreatGraph, facts: Facts, v: number, cls: EntryClass): readonly Fact[] {
  return (chainsOf(facts, cls)[v] ??= exactList(taintChainUncached(g, facts, v, cls)));
}

function taintChainUncached(g: ThreatGraph, facts: Facts, v: number, cls: EntryClass): readonly Fact[] {
  const parent = facts.taintParent[cls];
  if (parent[v] === -2) return [];
  const path = walkBack(facts, parent, v);
  const what = cls === "supply_chain" ? "third-party code or weights" : "attacker-controlled content";
  return chainOf([entryFact(g, g.model.components[path.from]!, cls)], path, (e) =>
    edgeFact(g, facts, e, what),
  );
}

// A constant: rules ask this once per subject, and a list built per call was most of its cost.
const TAINT_ORDER: readonly (readonly [EntryClass, number])[] = [
  ["user_input", ENTRY.USER_INPUT],
  ["external_data", ENTRY.EXTERNAL_DATA],
  ["tool_output", ENTRY.TOOL_OUTPUT],
  ["supply_chain", ENTRY.SUPPLY_CHAIN],
];

/** The first entry class (in a fixed order) whose content reaches `v` among `mask`. */
export function firstTaintClass(facts: Facts, v: number, mask: number): EntryClass | undefined {
  const bits = facts.taint[v]! & mask;
  for (let i = 0; i < TAINT_ORDER.length; i++) if (bits & TAINT_ORDER[i]![1]) return TAINT_ORDER[i]![0];
  return undefined;
}

/** How the most sensitive data a component sees reaches it. */
export function sensitivityChain(g: ThreatGraph, facts: Facts, v: number): readonly Fact[] {
  return (chainsOf(facts, "s")[v] ??= exactList(sensitivityChainUncached(g, facts, v)));
}

function sensitivityChainUncached(g: ThreatGraph, facts: Facts, v: number): readonly Fact[] {
  const d = facts.sensitivityWitness[v]!;
  if (d < 0) return [];
  const data = g.model.data[d]!;
  const cls = classificationOf(facts.sensitivity[v]!) ?? "unclassified";
  const path = walkBack(facts, sensitivityParents(facts, v), v);
  const first = holderFact(g, g.model.components[path.from]!, d, cls);
  const what = `\`${data.name}\``;
  return chainOf([first], path, (e) => edgeFact(g, facts, e, what));
}

/** How data at `v` can reach a sink the attacker observes. */
export function exfilChain(g: ThreatGraph, facts: Facts, v: number): readonly Fact[] {
  return (chainsOf(facts, "x")[v] ??= exactList(exfilChainUncached(g, facts, v)));
}

/**
 * `exfilChain` along other pointers than `Facts.exfilNext` (the same encoding: the step towards a
 * sink, -1 at the sink, -2 where none): AT-37's open way out (`openWayOut`). Not cached.
 */
export function exfilChainAlong(g: ThreatGraph, facts: Facts, next: Int32Array, v: number): readonly Fact[] {
  return exfilChainUncached(g, facts, v, next);
}

function exfilChainUncached(
  g: ThreatGraph,
  facts: Facts,
  v: number,
  next: Int32Array = facts.exfilNext,
): readonly Fact[] {
  const path = walkForward(facts, next, v);
  const cur = path.to;
  if (next[cur] !== -1) return [];
  const sink = g.model.components[cur]!;
  const sinks = componentFactsOf(g, "x");
  const by = facts.observableBy[cur]!;
  const writer = by >= 0 ? g.model.flows[by]! : undefined;
  const last =
    sinks.get(cur) ??
    remember(
      sinks,
      cur,
      writer
        ? {
            text: `\`${g.model.components[writer.from]!.name} -> ${sink.name}\` (write): \`${g.model.components[writer.from]!.name}\` posts to \`${sink.name}\` and reads back what is written there`,
            loc: writer.loc,
          }
        : { text: `${describe(g, sink)} is visible outside: ${sinkReason(sink)}`, loc: sink.nameLoc },
    );
  return chainOf([], path, (e) => edgeFact(g, facts, e, "data"), [last]);
}

/** Why a component is an observable sink. */
export function sinkReason(c: Component): string {
  if (
    (c.kind === "tool" || c.kind === "mcp_server") &&
    (c.props.capabilities ?? []).includes("send_external")
  )
    return "it sends data outside the organisation";
  if ((c.kind === "tool" || c.kind === "mcp_server") && (c.props.capabilities ?? []).includes("browse"))
    return "it fetches URLs, which can carry data out in the request";
  if (c.kind === "app" && (c.props.renders === "markdown" || c.props.renders === "html"))
    return `it renders ${c.props.renders}, which can load attacker URLs (images, links)`;
  return "an attacker can read what reaches it";
}

/** How a component's artifact descends from a third-party one. */
export function thirdPartyChain(g: ThreatGraph, facts: Facts, v: number): readonly Fact[] {
  return (chainsOf(facts, "p")[v] ??= exactList(thirdPartyChainUncached(g, facts, v)));
}

function thirdPartyChainUncached(g: ThreatGraph, facts: Facts, v: number): readonly Fact[] {
  // Over the model's flows (the CSR's edges are the flows, in order).
  const path = walkBackOver(facts, g.csr.edgeFrom, facts.thirdPartyParent, v);
  if (facts.thirdPartyParent[path.from] !== -1) return [];
  const step = (i: number): Fact => {
    const f = g.model.flows[i]!;
    return {
      text: `\`${g.model.components[f.from]!.name} -> ${g.model.components[f.to]!.name}\` (${f.kind}) passes the artifact on`,
      loc: f.loc,
    };
  };
  return chainOf([entryFact(g, g.model.components[path.from]!, "supply_chain")], path, step);
}
