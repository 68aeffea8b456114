import { scratchI32, scratchU8 } from "../../../graph/arena.js";
import { reachByCode } from "../../../graph/compact.js";
import {
  componentKindMask,
  FLOW_KIND_CODE,
  flowKindMask,
  outFlows,
  type ThreatGraph,
} from "../../../graph/threat-graph.js";
import type { Component, Flow } from "../../../semantic/model.js";
import {
  APPROVALS,
  CAPABILITIES,
  classificationRank,
  type Capability,
  type FlowKind,
} from "../../../semantic/vocabulary.js";
import { ENTRY, UNTRUSTED_CONTENT, type EntryClass, type Fact, type Facts } from "../../facts.js";
import { describe, exfilChain, remember } from "../../explain.js";
import { exactList } from "../../exact-list.js";
import { releasedAsRulesEnd } from "../../report-caches.js";
import {
  hasControl,
  isLlmConsumer,
  LLM_CONSUMER_KINDS,
  servedModels,
  STATE_CHANGING,
} from "../../predicates.js";
import {
  componentSubject,
  flowSubject,
  type ControlPoint,
  type FindingDraft,
  type Level,
} from "../../rule.js";

/**
 * Shared questions of the agent rules (AT-36..AT-51, AT-57..AT-59): what an agent can reach through
 * its tools, whether a human approves those calls, who drives it, where its writes end up. Kept in
 * one place so that "ungated", "action" and "reached by untrusted content" mean the same in every
 * agent rule. Everything here is computed per graph once (memoized) or per agent over its own tools.
 */

/** Capabilities that act on the world: change state, spend money, run code or send data out. */
export const ACTIONS: readonly Capability[] = [...STATE_CHANGING, "send_external"];

/** An agent component. */
export type Agent = Extract<Component, { kind: "agent" }>;

/** Actions that are hard or impossible to undo (money, destruction, administration). */
export const IRREVERSIBLE: readonly Capability[] = ["pay", "delete", "admin"];

const PAY: readonly Capability[] = ["pay"];
const SEND: readonly Capability[] = ["send_external"];
const NONE: readonly Capability[] = [];

/** Capabilities a component lends to whoever calls it; payment and e-mail providers act as tools. */
export function effectiveCapabilities(c: Component): readonly Capability[] {
  if (c.kind === "tool" || c.kind === "mcp_server") return c.props.capabilities ?? NONE;
  if (c.kind === "provider") {
    if (c.props.type === "payment") return PAY;
    if (c.props.type === "email") return SEND;
  }
  return NONE;
}

// Capability sets as bit masks: rules ask "does this tool have any of these" once per tool per
// agent, so the answer is a single AND instead of a nested search.
const CAP_BIT = new Map<Capability, number>(CAPABILITIES.map((c, i) => [c, 1 << i]));
const maskCache = new WeakMap<object, number>();
// Rules ask with a few constant sets many times over (ACTIONS and READERS in turn per reach): the
// last four asked answer without a table lookup.
const RECENT = 4;
const recentSets: (readonly Capability[] | undefined)[] = new Array<undefined>(RECENT).fill(undefined);
const recentMasks: number[] = new Array<number>(RECENT).fill(0);
let recentNext = 0;
function maskOf(caps: readonly Capability[]): number {
  for (let i = 0; i < RECENT; i++) if (recentSets[i] === caps) return recentMasks[i]!;
  let m = maskCache.get(caps);
  if (m === undefined) {
    m = 0;
    for (const c of caps) m |= CAP_BIT.get(c)!;
    maskCache.set(caps, m);
  }
  recentSets[recentNext] = caps;
  recentMasks[recentNext] = m;
  recentNext = (recentNext + 1) % RECENT;
  return m;
}

/**
 * A callee's capability list with its mask and the sublists asked of it (by the mask of the set
 * asked about): one table lookup per question, where a mask table and a sublist table took two.
 */
interface CapsEntry {
  readonly all: readonly Capability[];
  readonly mask: number;
  readonly bySet: Map<number, readonly Capability[]>;
}
const capsEntries = new WeakMap<readonly Capability[], CapsEntry>();
function entryOf(all: readonly Capability[]): CapsEntry {
  let e = capsEntries.get(all);
  if (!e)
    capsEntries.set(all, (e = { all, mask: capsMask(all), bySet: new Map<number, readonly Capability[]>() }));
  return e;
}

// Shared lists let codeList build their text once (it lives on in every finding's message).
const sharedLists = new WeakMap<readonly string[], string | undefined>();

/** Whether the callee of a reach has any capability in `set` (`toolCaps(r.tool, set)` is not empty). */
export function reachHas(r: ToolReach, set: readonly Capability[]): boolean {
  return (r.memo.caps.mask & maskOf(set)) !== 0;
}

/**
 * The capabilities in `set` of the reached callees, each once, in the order the reaches list them:
 * `[...new Set(reaches.flatMap((r) => toolCaps(r.tool, set)))]`, but a reach whose callee adds no
 * capability not already listed is skipped on its mask alone (agents reach the same few over and over).
 */
export function capsUnion(reaches: readonly ToolReach[], set: readonly Capability[]): Capability[] {
  const want = maskOf(set);
  let seen = 0;
  const out: Capability[] = [];
  for (let i = 0; i < reaches.length; i++) {
    const r = reaches[i]!;
    if ((r.memo.caps.mask & want & ~seen) === 0) continue;
    const caps = reachCaps(r, set);
    for (let k = 0; k < caps.length; k++) {
      const bit = CAP_BIT.get(caps[k]!)!;
      if (seen & bit) continue;
      seen |= bit;
      out.push(caps[k]!);
    }
  }
  return out;
}

/** The capabilities of `c` that are in `set`, as a new list. */
export function capsIn(c: Component, set: readonly Capability[]): Capability[] {
  return [...toolCaps(c, set)];
}

/** The capabilities of `c` that are in `set`, as a shared list (never written to). */
export function toolCaps(c: Component, set: readonly Capability[]): readonly Capability[] {
  return capsOf(entryOf(effectiveCapabilities(c)), set);
}

/**
 * `toolCaps(r.tool, set)` from the entry the reach holds: rules ask it of reaches per finding (some
 * 200 thousand times at 100k components), and finding the tool's entry each time was most of it.
 */
export function reachCaps(r: ToolReach, set: readonly Capability[]): readonly Capability[] {
  // The last answer is kept on the reach: the tools' tables, one per tool, missed the cache.
  const m = r.memo;
  const want = maskOf(set);
  if (m.capsSet !== want) {
    m.capsList = capsOf(m.caps, set);
    m.capsSet = want;
  }
  return m.capsList;
}

function capsOf(entry: CapsEntry, set: readonly Capability[]): readonly Capability[] {
  // Keyed by the capabilities both have: sets that pick the same ones share the answer.
  const mask = entry.mask & maskOf(set);
  if (mask === 0) return NONE;
  const bySet = entry.bySet;
  let caps = bySet.get(mask);
  if (!caps) {
    bySet.set(mask, (caps = entry.all.filter((cap) => set.includes(cap))));
    sharedLists.set(caps, undefined);
  }
  return caps;
}

/** Approval levels a property can state. */
type Approval = (typeof APPROVALS)[number];

/** One callee an agent can reach through `invoke` flows, with the way there and its gate. */
export interface ToolReach {
  /** The tool, MCP server, provider or endpoint reached. */
  readonly tool: Component;
  /** The `invoke` flows from the agent to the tool, in order. */
  readonly path: readonly Flow[];
  /** Tools and MCP servers passed on the way (the tool itself excluded). */
  readonly via: readonly Component[];
  /** The callee of the path's first call (`path[0].to`), without the path. */
  readonly first: number;
  /** Effective approval of a call: the nearest explicit setting on the way, else the agent's default. */
  readonly approval: Approval | undefined;
  /** Where that approval is stated (undefined when nobody states one). */
  readonly approvalAt: Component | undefined;
  /** Whether a human approves the call (an `approval human` or a `human_approval` control on the way). */
  readonly gated: boolean;
  /** Whether a tool on the way states its own approval, replacing the agent's default. */
  readonly overridesAgent: boolean;
  /** Facts and control points of this reach, built once when first asked (the reach itself). */
  readonly memo: ReachMemo;
}

/**
 * What findings say about one reach: many rules explain the same reach, so each is built once and
 * shared. Held by the reach itself rather than in WeakMaps keyed by it: tens of thousands of reaches
 * in several WeakMaps made every garbage collection walk as many ephemerons.
 */
interface ReachMemo {
  /** The agent whose reach this is. */
  readonly agent: number;
  /** The graph's facts that depend on the tool or a step alone (shared by every agent's reaches). */
  readonly shared: SharedFacts;
  /** The tool's capabilities (`entryOf`; their mask is `caps.mask`). */
  readonly caps: CapsEntry;
  /** The capability mask of the tools passed on the way. */
  readonly viaCaps: number;
  /** The capabilities last asked of the reach (`reachCaps`), and the mask of the set asked about. */
  capsList: readonly Capability[];
  capsSet: number;
  /** The capability fact last asked of the reach, and the mask of the set it was asked with. */
  capFact: Fact | undefined;
  capFactSet: number;
  facts: readonly Fact[] | undefined;
  approvalFact: Fact | undefined;
  /** Control points with the agent, with it where a tool overrides its approval, and without it. */
  points: readonly ControlPoint[] | undefined;
  pointsOverridden: readonly ControlPoint[] | undefined;
  pointsNoAgent: readonly ControlPoint[] | undefined;
}

const NO_COMPONENTS: readonly Component[] = Object.freeze([]);

/**
 * A reach and its memo in one object (`memo` is the reach itself), its path and the tools on the way
 * held as its caller's reach and the last flow: `toolsOf` makes some 63 thousand reaches at 100k
 * components, and each had spread copies of its caller's two lists and a memo object of its own
 * (about 480 bytes a reach). The lists are made when first read (most reaches are asked only their
 * tool, gate and capabilities) and kept. One class, so every reach has one shape.
 */
class Reach implements ToolReach, ReachMemo {
  capsList: readonly Capability[] = NONE;
  capsSet = -1;
  capFact: Fact | undefined = undefined;
  capFactSet = 0;
  facts: readonly Fact[] | undefined = undefined;
  approvalFact: Fact | undefined = undefined;
  points: readonly ControlPoint[] | undefined = undefined;
  pointsOverridden: readonly ControlPoint[] | undefined = undefined;
  pointsNoAgent: readonly ControlPoint[] | undefined = undefined;
  private pathList: readonly Flow[] | undefined = undefined;
  private viaList: readonly Component[] | undefined = undefined;
  constructor(
    readonly tool: Component,
    /** The reach of the callee this one is called from (undefined: the agent calls it). */
    private readonly up: Reach | undefined,
    /** The last call of the path. */
    private readonly step: Flow,
    readonly first: number,
    readonly approval: Approval | undefined,
    readonly approvalAt: Component | undefined,
    readonly gated: boolean,
    readonly overridesAgent: boolean,
    readonly agent: number,
    readonly shared: SharedFacts,
    readonly caps: CapsEntry,
    readonly viaCaps: number,
  ) {}
  get memo(): ReachMemo {
    return this;
  }
  /** Drops what was kept for the rules' reports (`releasedAsRulesEnd`): it is made again if asked. */
  forgetReports(): void {
    this.capFact = undefined;
    this.capFactSet = 0;
    this.facts = undefined;
    this.approvalFact = undefined;
    this.points = undefined;
    this.pointsOverridden = undefined;
    this.pointsNoAgent = undefined;
    this.pathList = undefined;
    this.viaList = undefined;
  }
  get path(): readonly Flow[] {
    // `concat` gives exact-size lists (`exactList`), kept as long as the reach.
    return (this.pathList ??= this.up === undefined ? [this.step] : this.up.path.concat(this.step));
  }
  get via(): readonly Component[] {
    return (this.viaList ??= this.up === undefined ? NO_COMPONENTS : this.up.via.concat(this.up.tool));
  }
}

/**
 * Facts whose text and place depend on a tool or a flow alone, not on the agent reaching it: a tool
 * many agents use is explained by the same facts in each of their findings, so each is built (and
 * kept) once per graph. Keyed by component or flow index, then by what else the text depends on.
 */
interface SharedFacts {
  /**
   * Per tool (a list by component index: a map by index missed the cache as the step map did), its
   * capability facts by the mask of the set asked about (-1: all capabilities).
   */
  readonly capability: (Map<number, Fact> | undefined)[];
  /**
   * Per invoke flow, the step fact of a reach: its place in `stepList` plus one (0: not built yet).
   * A typed index and a dense list, where a map of some 90 thousand entries at 100k components
   * missed the cache on every lookup.
   */
  readonly stepAt: Int32Array;
  readonly stepList: Fact[];
  /** Per tool, its approval facts by the component stating the approval (and the approval stated). */
  readonly approval: (Map<number, Fact> | undefined)[];
}
const sharedFacts = new WeakMap<ThreatGraph, SharedFacts>();

function sharedFactsOf(g: ThreatGraph): SharedFacts {
  let shared = sharedFacts.get(g);
  if (!shared) {
    const n = g.model.components.length;
    sharedFacts.set(
      g,
      (shared = {
        capability: new Array<Map<number, Fact> | undefined>(n).fill(undefined),
        // Plain, not arena scratch: the graph (with these facts) outlives the attack paths' arena.
        stepAt: new Int32Array(g.model.flows.length),
        stepList: [],
        approval: new Array<Map<number, Fact> | undefined>(n).fill(undefined),
      }),
    );
  }
  return shared;
}

/** The facts of `table` kept for `key`, made on first use. */
function factsFor(table: (Map<number, Fact> | undefined)[], key: number): Map<number, Fact> {
  return (table[key] ??= new Map<number, Fact>());
}

const TERMINAL_CALLEES = componentKindMask(["provider", "endpoint"]);
const TOOL_KINDS = componentKindMask(["tool", "mcp_server"]);
const INVOKE = FLOW_KIND_CODE.get("invoke")!;
/**
 * Per graph: each agent's reaches, and the marks of `toolsOf`'s searches (the stamp of the last one
 * that met each component; plain, not arena scratch, as the graph outlives the attack paths' arena).
 */
interface ReachCache {
  readonly byAgent: Map<number, readonly ToolReach[]>;
  /** Per callee, its capability entry (`entryOf`), found once for every agent reaching it. */
  readonly entries: (CapsEntry | undefined)[];
  /**
   * Per callee, the approval it states (`statedApproval`), read once per graph: 0 not read yet,
   * NO_APPROVAL none stated, else one more than its place in APPROVALS. Properties of a dozen
   * shapes made each read a slow lookup, once per reach.
   */
  readonly approvals: Uint8Array;
  readonly met: Int32Array;
  stamp: number;
}
const reachCache = new WeakMap<ThreatGraph, ReachCache>();

// The metrics ask for the reaches themselves (`toolsOf`, `toolsWith`), which stay; the facts, control
// points and step lists kept on them and in the shared tables serve the rules' reports only (at 100k
// components about 1.2 KB a reach, most of the reaches' 78 MB).
releasedAsRulesEnd((g) => {
  const shared = sharedFacts.get(g);
  if (shared) {
    shared.capability.fill(undefined);
    shared.approval.fill(undefined);
    shared.stepAt.fill(0);
    shared.stepList.length = 0;
  }
  const byAgent = reachCache.get(g)?.byAgent;
  if (byAgent) for (const reaches of byAgent.values()) for (const r of reaches) (r as Reach).forgetReports();
  const consumers = consumerCache.get(g);
  if (consumers) stepFacts.delete(consumers);
});

const approvalOf = (c: Component): Approval | undefined =>
  c.kind === "tool" || c.kind === "mcp_server" || c.kind === "agent" ? c.props.approval : undefined;

/** `ReachCache.approvals`' code of a callee that states no approval. */
const NO_APPROVAL = APPROVALS.length + 1;

/** The approval `c` states (`approvalOf`), read once per graph through its code in `codes`. */
function statedApproval(codes: Uint8Array, c: Component): Approval | undefined {
  let code = codes[c.index]!;
  if (code === 0) {
    const stated = approvalOf(c);
    // The resolver admits only APPROVALS' values, so `indexOf` finds every stated one.
    codes[c.index] = code = stated === undefined ? NO_APPROVAL : APPROVALS.indexOf(stated) + 1;
  }
  return code === NO_APPROVAL ? undefined : APPROVALS[code - 1];
}

/**
 * The BFS of `toolsOf` (and of `reachSummary`): the callees an agent reaches over `invoke` flows
 * (through tools and MCP servers, ending at providers and endpoints), in BFS order. A component is
 * met when `seen` holds `stamp` for it (the caller's marks, a new stamp per search: no set per
 * agent); `met` hears each callee with the flow it is first reached by, and the caller's place in
 * the order (-1 for the agent) and node. Typed kind codes: the BFS reads no flow or component object.
 */
function invokeBfs(
  g: ThreatGraph,
  agent: number,
  seen: Int32Array,
  stamp: number,
  met: (to: number, flow: number, parentAt: number, parent: number) => void,
): number[] {
  const { outStart, outEdges, edgeTo } = g.csr;
  const order: number[] = [];
  seen[agent] = stamp;
  // h = -1 expands the agent, then each callee in order that is a tool or an MCP server.
  for (let h = -1; h < order.length; h++) {
    const v = h < 0 ? agent : order[h]!;
    if (h >= 0 && TOOL_KINDS[g.compKind[v]!] !== 1) continue;
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
      const fi = outEdges[i]!;
      if (g.flowKind[fi] !== INVOKE) continue;
      const to = edgeTo[fi]!;
      if (TOOL_KINDS[g.compKind[to]!] !== 1 && !TERMINAL_CALLEES[g.compKind[to]!]) continue;
      if (seen[to] === stamp) continue;
      seen[to] = stamp;
      order.push(to);
      met(to, fi, h, v);
    }
  }
  return order;
}

/**
 * What the attack paths ask of an agent's reaches (`toolsOf`), without building them: each reached
 * callee (`tools`, in `toolsOf`'s order) with the callee of its first call (`first`, `path[0].to`),
 * whether a callee on the way states its own approval (`ToolReach.overridesAgent`), and whether the
 * agent runs code on it outside a sandbox (`unsandboxedRunners`). At 100k components the reach
 * objects of every approving agent cost the path analysis about 0.15 s with their garbage; the rules
 * build them anyway, and test/analysis/agents-reach.test.ts holds the two answers equal. It is
 * `invokeBfs` with the summary worked out as callees are met, on the scratch's marks and callee codes.
 *
 * Not cached: each asker reads a summary at once and drops it, so it dies young. (Cached per graph,
 * at 1M components the summaries held about 90 MB of the heap for as long as the graph lived, grown
 * into the old generation during the attack graph; asking again the agents both askers ask costs
 * less.)
 */
export function reachSummary(g: ThreatGraph, agent: Agent, scratch: SummaryScratch): ReachSummary {
  const seen = scratch.seen;
  const callee = scratch.callee;
  const stamp = ++scratch.stamp;
  const first: number[] = [];
  const overrides: boolean[] = [];
  const runner: boolean[] = [];
  const via: number[] = [];
  // (The scratch's marks of the graph's `sandbox` users: the agent's control list is not read.)
  const sandboxed = (callee[agent.index]! & SANDBOXED) !== 0;
  const execute = maskOf(EXECUTE);
  const tools = invokeBfs(g, agent.index, seen, stamp, (to, _flow, h, parent) => {
    const info = calleeInfo(g, callee, to);
    const states = (info & 2) !== 0;
    const viaHere = h < 0 ? 0 : via[h]! | (calleeInfo(g, callee, parent) >> 3);
    first.push(h < 0 ? to : first[h]!);
    overrides.push(h < 0 ? states : overrides[h]! || states);
    via.push(viaHere);
    runner.push(!sandboxed && ((info >> 3) & execute & ~viaHere) !== 0 && (info & SANDBOXED) === 0);
  });
  return { tools, first, overrides, runner };
}

/** What `reachSummary` answers, per reached callee in `toolsOf`'s order. */
export interface ReachSummary {
  readonly tools: readonly number[];
  readonly first: readonly number[];
  readonly overrides: readonly boolean[];
  readonly runner: readonly boolean[];
}

/**
 * What the reach questions of many agents share (`agentWayOuts`, `reachSummary`), so that a search
 * allocates no set or map and each callee's object is read once: per component, the stamp of the
 * last search that met it, and a code: bit 2 (SANDBOXED) when it declares a sandbox, set up front
 * for every component from the graph's users of `sandbox` (no control list is read), and for a
 * callee what its object says: bit 0 once read, plus 2 when it states an approval, and its
 * capability mask from bit 3; read up front for every tool and MCP server (the only callees with
 * either), on first need for the others. Make one for a pass over many agents; it must not outlive
 * the arena it was made in.
 */
export class SummaryScratch {
  readonly callee: Int32Array;
  private seenAt: Int32Array | undefined;
  stamp = 0;
  constructor(readonly g: ThreatGraph) {
    this.callee = scratchI32(g.model.components.length);
    const sandboxed = g.controlUsers.get("sandbox")?.comps ?? [];
    for (let i = 0; i < sandboxed.length; i++) this.callee[sandboxed[i]!] = SANDBOXED;
    for (const kind of ["tool", "mcp_server"] as const)
      for (const v of g.byKind.get(kind) ?? []) calleeInfo(g, this.callee, v);
  }
  /** Taken on first use: a pass may ask no agent. */
  get seen(): Int32Array {
    return (this.seenAt ??= scratchI32(this.callee.length));
  }
}

/** `SummaryScratch.callee`'s bit of a component that declares `sandbox` (`hasControl`). */
const SANDBOXED = 4;

function calleeInfo(g: ThreatGraph, callee: Int32Array, v: number): number {
  let info = callee[v]!;
  if ((info & 1) === 0) {
    const c = g.model.components[v]!;
    // The mask straight from the list: no capability entry (a table lookup and a new entry per
    // tool, which the rules make for the tools they ask about).
    info |= 1 | (approvalOf(c) !== undefined ? 2 : 0) | (capsMask(effectiveCapabilities(c)) << 3);
    callee[v] = info;
  }
  return info;
}

/** The mask of a capability list (`entryOf`'s, and `calleeInfo`'s without an entry). */
function capsMask(caps: readonly Capability[]): number {
  let mask = 0;
  for (let i = 0; i < caps.length; i++) mask |= CAP_BIT.get(caps[i]!)!;
  return mask;
}

/**
 * Everything an agent can call: a BFS over `invoke` flows from the agent through tools and MCP servers
 * (which may call further tools, providers and endpoints), never through other agents (that is
 * delegation). Each callee is reached by its shortest chain; memoized per agent.
 */
export function toolsOf(g: ThreatGraph, agent: Agent): readonly ToolReach[] {
  let cache = reachCache.get(g);
  if (!cache) {
    const met = new Int32Array(g.model.components.length);
    const entries = new Array<CapsEntry | undefined>(met.length).fill(undefined);
    const approvals = new Uint8Array(met.length);
    reachCache.set(
      g,
      (cache = { byAgent: new Map<number, readonly ToolReach[]>(), entries, approvals, met, stamp: 0 }),
    );
  }
  const hit = cache.byAgent.get(agent.index);
  if (hit) return hit;
  const { met, entries, approvals } = cache;
  const stamp = ++cache.stamp;
  const agentHuman = agent.props.approval === "human" || hasControl(agent, "human_approval");
  const shared = sharedFactsOf(g);
  const out: Reach[] = [];
  // Per reach (by its place in the order): whether a flow or callee on its path has a person approve.
  const humanOnPath: boolean[] = [];
  // Most components and flows declare no control: the typed counts say so without the objects.
  const humanGate = (x: { readonly controls: readonly { name: string }[] }, count: number): boolean =>
    count !== 0 && hasControl(x, "human_approval");
  // Each reach extends the one of its caller (met before it in BFS order), so what its path says is
  // the caller's answer and one more step: each flow and callee object is read once per agent, not
  // once per reach through it.
  invokeBfs(g, agent.index, met, stamp, (to, fi, h) => {
    const up = h < 0 ? undefined : out[h]!;
    const f = g.model.flows[fi]!;
    const tool = g.model.components[to]!;
    const own = statedApproval(approvals, tool);
    const human =
      (up !== undefined && humanOnPath[h]!) ||
      humanGate(f, g.flowControls[fi]!) ||
      own === "human" ||
      humanGate(tool, g.compControls[to]!);
    humanOnPath.push(human);
    // The first callee on the way that states an approval.
    const stated = up?.overridesAgent ? up.approvalAt : own !== undefined ? tool : undefined;
    const overridesAgent = stated !== undefined;
    const gated = human || (!overridesAgent && agentHuman);
    const caps = (entries[to] ??= entryOf(effectiveCapabilities(tool)));
    out.push(
      new Reach(
        tool,
        up,
        f,
        up ? up.first : to,
        gated ? "human" : stated ? statedApproval(approvals, stated) : agent.props.approval,
        stated ?? (agent.props.approval !== undefined ? agent : undefined),
        gated,
        overridesAgent,
        agent.index,
        shared,
        caps,
        up ? up.viaCaps | up.caps.mask : 0,
      ),
    );
  });
  const kept = exactList(out);
  cache.byAgent.set(agent.index, kept);
  return kept;
}

// Capability sets the agent rules ask about, shared constants so toolsWith's answers can be cached.
/** Browsing the web. */
export const BROWSE: readonly Capability[] = ["browse"];
/** Running code. */
export const EXECUTE: readonly Capability[] = ["execute_code"];

const NO_REACHES: readonly ToolReach[] = Object.freeze([]);

/** Per graph: each agent's position among the agents, and per set asked about, the answers by position. */
interface WithCache {
  readonly ordinal: Int32Array;
  readonly agents: number;
  readonly bySet: WeakMap<readonly Capability[], (readonly ToolReach[] | undefined)[]>;
  lastSet: readonly Capability[] | undefined;
  lastAnswers: (readonly ToolReach[] | undefined)[] | undefined;
}
const withCache = new WeakMap<ThreatGraph, WithCache>();

function withCacheOf(g: ThreatGraph): WithCache {
  let c = withCache.get(g);
  if (!c) {
    // A plain array, not arena scratch: the attack paths ask `toolsWith` too, inside an arena they give
    // back, and the graph (with this cache) outlives it.
    const ordinal = new Int32Array(g.model.components.length).fill(-1);
    const agents = g.byKind.get("agent") ?? [];
    for (let k = 0; k < agents.length; k++) ordinal[agents[k]!] = k;
    withCache.set(
      g,
      (c = {
        ordinal,
        agents: agents.length,
        bySet: new WeakMap(),
        lastSet: undefined,
        lastAnswers: undefined,
      }),
    );
  }
  return c;
}

/**
 * The reached callees with at least one capability in `set`. A callee reached through a tool that
 * already declares all of those capabilities is left out: that tool is the agent's interface to it
 * (a mail tool and the mail provider behind it are one capability, reported once). Cached per graph,
 * agent and `set` (pass a shared constant to benefit).
 */
export function toolsWith(g: ThreatGraph, agent: Agent, set: readonly Capability[]): readonly ToolReach[] {
  // Every agent rule asks this of every agent, mostly with one set after another: answers sit in a
  // list by the agent's position, and the last set's list is at hand without a table lookup.
  const cache = withCacheOf(g);
  let answers = cache.lastSet === set ? cache.lastAnswers : cache.bySet.get(set);
  if (!answers) cache.bySet.set(set, (answers = new Array<readonly ToolReach[] | undefined>(cache.agents)));
  cache.lastSet = set;
  cache.lastAnswers = answers;
  const at = cache.ordinal[agent.index]!;
  const hit = at >= 0 ? answers[at] : undefined;
  if (hit) return hit;
  // As capability masks: the tool's capabilities in `set` that no tool on the way already has.
  const out = reachesWith(toolsOf(g, agent), maskOf(set));
  if (at >= 0) answers[at] = out;
  return out;
}

/**
 * The reaches whose callee has a capability in `wanted` that no tool on the way has: the agent's own
 * list when all of them do and one shared empty list when none does, a list of their own only for
 * the rest (a filtered copy per agent and set asked was 18 MB a run at 100k).
 */
function reachesWith(all: readonly ToolReach[], wanted: number): readonly ToolReach[] {
  let count = 0;
  for (let i = 0; i < all.length; i++) if (adds(all[i]!, wanted)) count++;
  if (count === 0) return NO_REACHES;
  if (count === all.length) return all;
  const out: ToolReach[] = [];
  for (let i = 0; i < all.length; i++) if (adds(all[i]!, wanted)) out.push(all[i]!);
  return exactList(out);
}

const adds = (r: ToolReach, wanted: number): boolean => (r.memo.caps.mask & wanted & ~r.memo.viaCaps) !== 0;

/**
 * The tools through which `agent` runs code (`toolsWith` EXECUTE) with no `sandbox` declared on them
 * or on the agent: the code can open its own connections, so each is a way out for whatever the agent
 * sees. AT-37 reports the first as the way out of an agent that has no other; the attack paths make
 * each an observable sink (`agentWayOuts`' `runners`, ADR 4).
 */
export function unsandboxedRunners(g: ThreatGraph, agent: Agent): readonly ToolReach[] {
  if (hasControl(agent, "sandbox")) return NO_REACHES;
  const runners = toolsWith(g, agent, EXECUTE);
  return runners.every((r) => !hasControl(r.tool, "sandbox"))
    ? runners
    : runners.filter((r) => !hasControl(r.tool, "sandbox"));
}

/**
 * Whether what an agent sees has a way out, as AT-37 reads its third leg: an information path to an
 * observable sink (`facts.canExfiltrate`), or a tool the agent runs code on outside a sandbox
 * (`unsandboxedRunners`), whose code can open its own connections. AT-44 and the trifecta metric
 * ask the same (`wayOutOf` gives the facts).
 */
export function hasWayOut(g: ThreatGraph, facts: Facts, agent: Agent): boolean {
  return facts.canExfiltrate[agent.index] === 1 || unsandboxedRunners(g, agent).length > 0;
}

/** An agent's way out (`hasWayOut`) and the facts that show it. */
export interface WayOut {
  /** The code runner that is the way out when no information path leads to a sink; else undefined. */
  readonly runner: ToolReach | undefined;
  /** The located facts: the chain to the sink, or the reach of the runner and why it is a way out. */
  readonly facts: readonly Fact[];
}

/**
 * An agent's way out with its facts (undefined when `hasWayOut` is false): the information path to an
 * observable sink (`exfilChain`), else the first tool it runs code on outside a sandbox.
 */
export function wayOutOf(g: ThreatGraph, facts: Facts, agent: Agent): WayOut | undefined {
  if (facts.canExfiltrate[agent.index] === 1)
    return { runner: undefined, facts: exfilChain(g, facts, agent.index) };
  const runner = unsandboxedRunners(g, agent)[0];
  if (!runner) return undefined;
  return { runner, facts: runnerFacts(g, runner) };
}

/** The facts of a way out through a tool the agent runs code on outside a sandbox. */
export function runnerFacts(g: ThreatGraph, runner: ToolReach): readonly Fact[] {
  return [
    ...reachFacts(g, runner),
    capabilityFact(runner, EXECUTE),
    {
      text: `\`${runner.tool.name}\` declares no \`sandbox\`: the code it runs can open network connections`,
      loc: runner.tool.nameLoc,
    },
  ];
}

/**
 * Whether information-graph step `e` (an edge of `facts.info`) leaves an agent by a call that the
 * agent's approval does not decide: an `invoke` flow out of the agent (not a result coming back)
 * to a callee through which it reaches a tool that states its own approval on the way
 * (`ToolReach.overridesAgent`, which replaces the agent's `approval` and `human_approval` for calls
 * to it, as in AT-36) and that can carry data out (`carriesOut`: a tool behind a gateway that only
 * writes notes replaces nothing on the way out, whatever it states). The agent's approval then does
 * not close a way out along that step; its other controls do. AT-37 asks it of the way out it
 * explains and the attack paths of every way-out step (ADR 4), so the two read an agent's approval
 * the same way.
 */
export function approvalReplacedOn(g: ThreatGraph, facts: Facts, e: number): boolean {
  return replacingReaches(g, facts, e).length > 0;
}

/**
 * The reaches that make `approvalReplacedOn` hold for step `e` (none where it does not): those through
 * the step's callee that state their own approval and can carry data out. `explain` names where they
 * state it (`replacedPoint`).
 */
export function replacingReaches(g: ThreatGraph, facts: Facts, e: number): readonly ToolReach[] {
  const agent = callerOf(g, facts, e);
  if (!agent) return NO_REACHES;
  // Every reach whose first call is to this callee (by any parallel flow) goes through this step.
  const callee = facts.info.edgeTo[e]!;
  return toolsOf(g, agent).filter((r) => r.first === callee && replaces(g, facts, agent, r));
}

/** Whether a reach replaces `agent`'s approval: it states its own, and it can carry data out. */
function replaces(g: ThreatGraph, facts: Facts, agent: Agent, r: ToolReach): boolean {
  return r.overridesAgent && carriesOut(g, facts, agent, r);
}

/**
 * Where declared controls close a way out (AT-37's and the attack graph's), from the graph's users of
 * each control `closes` accepts, so that an element declaring none is never read: per component 0
 * open, 1 an agent closed by its approval alone (it closes only the tool calls it decides,
 * `approvalReplacedOn`), 2 closed; per flow 1 closed.
 */
export function wayOutClosing(
  g: ThreatGraph,
  closes: (name: string) => boolean,
): { readonly comp: Uint8Array; readonly flow: Uint8Array } {
  const comp = scratchU8(g.model.components.length);
  const flow = scratchU8(g.model.flows.length);
  for (const [name, users] of g.controlUsers) {
    if (!closes(name)) continue;
    const approval = name === "human_approval";
    for (let i = 0; i < users.comps.length; i++) {
      const v = users.comps[i]!;
      comp[v] = approval && AGENT_KINDS[g.compKind[v]!] === 1 && comp[v] !== 2 ? 1 : 2;
    }
    for (let i = 0; i < users.flows.length; i++) flow[users.flows[i]!] = 1;
  }
  return { comp, flow };
}

/**
 * `approvalReplacedOn` for many steps of one analysis (AT-37 asks it of the steps out of every agent
 * its way out leaves by a call): each agent's reaches are filtered once, into the callees of the
 * calls its approval does not decide. `agentWayOuts` answers it for the attack paths, for every step
 * out of the approving agents up front, with reach summaries of its own; the reaches this reads are
 * the ones every agent rule builds anyway.
 */
export function approvalReplacedTest(g: ThreatGraph, facts: Facts): ApprovalReplaced {
  return new ApprovalReplaced(g, facts);
}

/**
 * `approvalReplacedTest`'s answer: an object whose method is one function for every compile, not a
 * closure made per compile. Hot code calling a closure made per compile loses its optimized code
 * with that closure; a method keeps one call target.
 */
export class ApprovalReplaced {
  private readonly byAgent = new Map<number, readonly number[]>();

  constructor(
    private readonly g: ThreatGraph,
    private readonly facts: Facts,
  ) {}

  /** Whether the approval deciding step `e` is replaced by the tool it calls. */
  has(e: number): boolean {
    const { g, facts } = this;
    const agent = callerOf(g, facts, e);
    if (!agent) return false;
    let callees = this.byAgent.get(agent.index);
    if (!callees) this.byAgent.set(agent.index, (callees = replacedCallees(g, facts, agent)));
    return callees.length > 0 && callees.includes(facts.info.edgeTo[e]!);
  }
}

/** The first callees of the reaches of `agent` that make `approvalReplacedOn` hold (`replacingReaches`). */
function replacedCallees(g: ThreatGraph, facts: Facts, agent: Agent): readonly number[] {
  let out: number[] | undefined;
  for (const r of toolsOf(g, agent)) {
    const to = r.first;
    if (!out?.includes(to) && replaces(g, facts, agent, r)) (out ??= []).push(to);
  }
  return out ?? NO_CALLEES;
}
const NO_CALLEES: readonly number[] = Object.freeze([]);

/** The agent step `e` leaves by an `invoke` call (not a result coming back), else undefined. */
function callerOf(g: ThreatGraph, facts: Facts, e: number): Agent | undefined {
  const f = facts.infoFlow[e]!;
  if (facts.infoReturn[e] === 1 || g.flowKind[f] !== INVOKE) return undefined;
  const from = facts.info.edgeFrom[e]!;
  return AGENT_KINDS[g.compKind[from]!] ? (g.model.components[from] as Agent) : undefined;
}

/**
 * Whether what a call hands to a tool the agent reaches can leave through it: the tool has an
 * information path to an observable sink that takes no result back to a caller (`sendsOut`: a notes
 * tool's result returning to the gateway, which also calls a mail sender, is not its own way out),
 * or the agent runs code on it outside a sandbox (`unsandboxedRunners`): the two ways out AT-37 and
 * the attack paths read.
 */
function carriesOut(g: ThreatGraph, facts: Facts, agent: Agent, r: ToolReach): boolean {
  return sendsOut(facts)[r.tool.index] === 1 || unsandboxedRunners(g, agent).includes(r);
}

const sendsOutCache = new WeakMap<Facts, Uint8Array>();

/**
 * Per component, 1 when it reaches an observable sink over the information graph without a result
 * going back to a caller (`Facts.infoReturn`): what it is handed can leave through it. One backward
 * search per analysis, on first use (kept in a plain array: explain asks again after the analysis).
 */
function sendsOut(facts: Facts): Uint8Array {
  let out = sendsOutCache.get(facts);
  if (out) return out;
  const sinks: number[] = [];
  for (let v = 0; v < facts.observable.length; v++) if (facts.observable[v]) sinks.push(v);
  out = new Uint8Array(reachByCode(facts.info, sinks, facts.infoReturn, 1, false, true));
  sendsOutCache.set(facts, out);
  return out;
}

/** What the attack graph asks of the agents' reaches (`agentWayOuts`). */
export interface AgentWayOuts {
  /** `approvalReplacedOn` per step out of the agents asked about (undefined: it holds nowhere). */
  readonly replaced: Uint8Array | undefined;
  /** Per component, 1 for a tool some agent runs code on outside a sandbox (`unsandboxedRunners`). */
  readonly runners: Uint8Array;
}

/**
 * The attack graph's two questions of the agents' reaches in one pass, each agent summarised once
 * (`reachSummary`, nothing kept): `replaced`, `approvalReplacedOn` for every step out of the agents of
 * `approving` (a list of agents; asked only of those that reach a tool stating an approval, and with
 * `facts`), and `runners`, every agent's unsandboxed code runners (asked of the agents that reach a
 * tool lending `execute_code` with no sandbox; most models have none). One backward search over
 * `invoke` flows from both kinds of tool finds the agents worth a summary: an agent that reaches
 * neither kind has no replaced call and no runner, so the union prunes exactly as two searches did.
 */
export function agentWayOuts(
  g: ThreatGraph,
  facts: Facts | undefined,
  approving: ArrayLike<number>,
  scratch: SummaryScratch,
): AgentWayOuts {
  const n = g.model.components.length;
  const runners = scratchU8(n);
  const stating: number[] = [];
  const candidates: number[] = [];
  // Only tools and MCP servers state an approval or lend `execute_code` (`effectiveCapabilities`):
  // read from the scratch's callee codes, no object. (The order of the sources does not matter.)
  const execute = maskOf(EXECUTE) << 3;
  for (const kind of ["tool", "mcp_server"] as const)
    for (const v of g.byKind.get(kind) ?? []) {
      const info = scratch.callee[v]!;
      if (info & 2) stating.push(v);
      if ((info & execute) !== 0 && (info & SANDBOXED) === 0) candidates.push(v);
    }
  const askReplaced = facts !== undefined && stating.length > 0 && approving.length > 0;
  if (!askReplaced && candidates.length === 0) return { replaced: undefined, runners };
  // Who can call either kind: back over `invoke` flows (a superset of the reaches asked about below).
  const callers = reachByCode(
    g.csr,
    askReplaced ? stating.concat(candidates) : candidates,
    g.flowKind,
    INVOKE,
    true,
    true,
  );
  // The agents asked about, marked (as 2 in the callers' answer, which is kept anyway).
  if (askReplaced)
    for (let j = 0; j < approving.length; j++) if (callers[approving[j]!]) callers[approving[j]!] = 2;
  let replaced: Uint8Array | undefined;
  for (const a of g.byKind.get("agent") ?? []) {
    const asked = callers[a] === 2;
    if (!callers[a] || (!asked && candidates.length === 0)) continue;
    const agent = g.model.components[a] as Agent;
    const summary = reachSummary(g, agent, scratch);
    const { tools, runner } = summary;
    for (let k = 0; k < tools.length; k++) if (runner[k]) runners[tools[k]!] = 1;
    if (asked) replaced = replacedFrom(g, facts!, agent, summary, replaced);
  }
  return { replaced, runners };
}

/**
 * Marks in `out` (made when first needed) the steps out of `agent` whose callee is the first of a
 * reach that replaces its approval: `approvalReplacedOn` for every step out of it at once.
 */
function replacedFrom(
  g: ThreatGraph,
  facts: Facts,
  agent: Agent,
  summary: ReachSummary,
  out: Uint8Array | undefined,
): Uint8Array | undefined {
  const { tools, first, overrides, runner } = summary;
  let replaced: number[] | undefined;
  for (let k = 0; k < tools.length; k++)
    if (overrides[k] && (runner[k] || sendsOut(facts)[tools[k]!] === 1) && !replaced?.includes(first[k]!))
      (replaced ??= []).push(first[k]!);
  if (!replaced) return out;
  const { outStart, outEdges, edgeTo } = facts.info;
  const a = agent.index;
  for (let i = outStart[a]!; i < outStart[a + 1]!; i++) {
    const e = outEdges[i]!;
    if (replaced.includes(edgeTo[e]!) && callerOf(g, facts, e) === agent)
      (out ??= scratchU8(facts.info.edgeCount))[e] = 1;
  }
  return out;
}

/** A tool reached through delegation: the agent that holds it and the delegate flows on the way. */
export interface DelegatedReach {
  readonly holder: Agent;
  readonly delegations: readonly Flow[];
  readonly reach: ToolReach;
}

const DELEGATE = FLOW_KIND_CODE.get("delegate")!;
const AGENT_KINDS = componentKindMask(["agent"]);
const holderReach = new WeakMap<ThreatGraph, WeakMap<readonly Capability[], Uint8Array>>();

/**
 * Per graph and `set`: 1 for each agent that holds a tool with a capability in `set`, or delegates
 * (transitively) to one that does. A reverse BFS over `delegate` flows, once; memoized like
 * `toolsWith`. A plain array, not arena scratch: the graph may outlive the analysis's arena.
 */
function reachesHolder(g: ThreatGraph, set: readonly Capability[]): Uint8Array {
  let perGraph = holderReach.get(g);
  if (!perGraph) holderReach.set(g, (perGraph = new WeakMap()));
  let mark = perGraph.get(set);
  if (mark) return mark;
  mark = new Uint8Array(g.model.components.length);
  const queue: number[] = [];
  for (const a of g.byKind.get("agent") ?? []) {
    if (toolsWith(g, g.model.components[a] as Agent, set).length === 0) continue;
    mark[a] = 1;
    queue.push(a);
  }
  const { inStart, inEdges, edgeFrom } = g.csr;
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
      const fi = inEdges[i]!;
      const from = edgeFrom[fi]!;
      if (g.flowKind[fi] !== DELEGATE || mark[from] || !AGENT_KINDS[g.compKind[from]!]) continue;
      mark[from] = 1;
      queue.push(from);
    }
  }
  perGraph.set(set, mark);
  return mark;
}

/**
 * Tools with a capability in `set` that agents reached over `delegate` flows (transitively) hold:
 * what an agent can get done by handing the task on. BFS over delegations, nearest holder first. The
 * BFS enters only agents from which such a holder can be reached (`reachesHolder`), and builds a
 * holder's chain of delegations only when it holds one: a long delegation chain without tools cost
 * a BFS and a chain per agent per agent (cubic; 2,000 chained agents took minutes).
 */
export function delegatedTools(g: ThreatGraph, agent: Agent, set: readonly Capability[]): DelegatedReach[] {
  const out: DelegatedReach[] = [];
  const useful = reachesHolder(g, set);
  if (!useful[agent.index]) return out;
  const via = new Map<number, Flow>();
  const queue = [agent.index];
  const seen = new Set(queue);
  for (let head = 0; head < queue.length; head++) {
    for (const f of outFlows(g, queue[head]!)) {
      if (f.kind !== "delegate" || seen.has(f.to) || !useful[f.to]) continue;
      const holder = g.model.components[f.to]!;
      if (holder.kind !== "agent") continue;
      seen.add(f.to);
      via.set(f.to, f);
      queue.push(f.to);
      const reaches = toolsWith(g, holder, set);
      if (reaches.length === 0) continue;
      const delegations: Flow[] = [];
      for (let v = f.to; v !== agent.index; v = via.get(v)!.from) delegations.push(via.get(v)!);
      delegations.reverse();
      for (const reach of reaches) out.push({ holder, delegations, reach });
    }
  }
  return out;
}

/**
 * Where a control on the way to a tool counts: every flow and component on the path, and the agent.
 * When a tool on the path states its own approval, it replaces the agent's: the agent's
 * `human_approval` (declared, or implied by `approval human`) does not count there, its other
 * controls (least privilege, taint tracking, ...) still do. `withAgent: false` leaves the agent out,
 * `true` counts all of its controls.
 */
export function reachPoints(agent: Component, r: ToolReach, withAgent?: boolean): readonly ControlPoint[] {
  // Many findings of many rules name the same reach: its points are listed once.
  const m = r.memo;
  if (withAgent === false) return (m.pointsNoAgent ??= exactList(pointsOf(r, [])));
  const overridden = withAgent === undefined && r.overridesAgent;
  const first = overridden ? approvalExcepted(agent.index, "overridden") : componentSubject(agent);
  if (agent.index !== m.agent) return pointsOf(r, [first]);
  return overridden
    ? (m.pointsOverridden ??= exactList(pointsOf(r, [first])))
    : (m.points ??= exactList(pointsOf(r, [first])));
}

/** The controls a tool's own approval overrides on the agent that calls it. */
const AGENT_APPROVAL: readonly string[] = Object.freeze(["human_approval"]);
/** The agent as a control point with all its controls but its approval, one frozen point per agent and reason. */
const exceptingApproval = {
  overridden: [] as ControlPoint[],
  delegated: [] as ControlPoint[],
  uncalled: [] as ControlPoint[],
};
function approvalExcepted(index: number, reason: keyof typeof exceptingApproval): ControlPoint {
  return (exceptingApproval[reason][index] ??= Object.freeze({
    type: "component",
    index,
    except: AGENT_APPROVAL,
    // A tool's own approval is the default reason `explain` reads; the others are named.
    ...(reason === "overridden" ? {} : { exceptFor: reason }),
  }));
}

/**
 * The agent as a control point of a way out that leaves it by a call its approval does not decide
 * (`approvalReplacedOn`): all of its controls but its approval, naming (for `explain`) the
 * components that state the approvals replacing it on `reaches` (`replacingReaches`).
 */
export function replacedPoint(agent: Component, reaches: readonly ToolReach[]): ControlPoint {
  const by: number[] = [];
  for (const r of reaches) if (r.approvalAt && !by.includes(r.approvalAt.index)) by.push(r.approvalAt.index);
  return { type: "component", index: agent.index, except: AGENT_APPROVAL, replacedBy: by };
}

/**
 * The agent as a control point of a finding that does not list its reaches' points: with all of its
 * controls, or with all but its approval where that approval does not decide the calls the finding is
 * about: a tool it calls states its own (`overridden`, as `reachPoints` puts it), the calls are
 * made by agents it delegates to (`delegated`: its approval is the default for its own calls), or
 * what the finding is about leaves the agent by no call at all (`uncalled`: an answer, a write, a
 * result it returns).
 */
export function agentPoint(
  agent: Component,
  approval?: "overridden" | "delegated" | "uncalled",
): ControlPoint {
  return approval === undefined ? componentSubject(agent) : approvalExcepted(agent.index, approval);
}

function pointsOf(r: ToolReach, first: ControlPoint[]): ControlPoint[] {
  // Filled in place: spreads of mapped lists made three temporaries per reach.
  const out = first;
  for (let i = 0; i < r.path.length; i++) out.push(flowSubject(r.path[i]!));
  for (let i = 0; i < r.via.length; i++) out.push(componentSubject(r.via[i]!));
  out.push(componentSubject(r.tool));
  return out;
}

/** Level overrides, each with its own reason beside it in the rationale. */
export function adjust(
  likelihood: { level: Level; why: readonly string[] } | undefined,
  impact: { level: Level; why: readonly string[] } | undefined,
): Pick<FindingDraft, "likelihood" | "impact" | "likelihoodReason" | "impactReason"> {
  // One fixed shape (unset fields stay undefined): this runs once per finding.
  return {
    likelihood: likelihood?.level,
    impact: impact?.level,
    likelihoodReason: likelihood?.why.join(", "),
    impactReason: impact?.why.join(", "),
  };
}

/**
 * The points that every list has (the same subject), in the first list's order: where a control
 * stands in the way of every reach the lists are of (the agent, a tool or flow they all pass). A point
 * with exceptions in any list wins over the same point without, as in `uniqueSubjects`.
 */
export function sharedPoints(lists: readonly (readonly ControlPoint[])[]): ControlPoint[] {
  const out: ControlPoint[] = [];
  if (lists.length === 0) return out;
  for (const p of lists[0]!) {
    let kept = p;
    let everywhere = true;
    for (let i = 1; i < lists.length && everywhere; i++) {
      const q = lists[i]!.find((x) => x.index === p.index && x.type === p.type);
      if (!q) everywhere = false;
      else if (q.except !== undefined && kept.except === undefined) kept = q;
    }
    if (everywhere) out.push(kept);
  }
  return out;
}

/**
 * Removes repeated subjects, keeping the first occurrence's place. A point with exceptions (an agent
 * whose approval a tool overrides) wins over the same point without: a control it excludes for one
 * reach of a finding does not count for the finding.
 */
export function uniqueSubjects<P extends ControlPoint>(points: readonly P[]): P[] {
  const out: P[] = [];
  // Most lists (asked per finding) hold a dozen points or so: comparing with the ones kept costs
  // less than a map per call. Long lists (a tool's every user) take the map.
  const at = points.length > 32 ? new Map<number, number>() : undefined;
  for (let i = 0; i < points.length; i++) {
    const p = points[i]!;
    let j = -1;
    if (at) {
      // Components, flows and data share index ranges: the low bits tell them apart.
      const k = p.index * 4 + (p.type === "component" ? 0 : p.type === "flow" ? 1 : 2);
      j = at.get(k) ?? -1;
      if (j < 0) at.set(k, out.length);
    } else
      for (let q = 0; q < out.length && j < 0; q++)
        if (out[q]!.index === p.index && out[q]!.type === p.type) j = q;
    if (j < 0) out.push(p);
    else if (p.except !== undefined && out[j]!.except === undefined) out[j] = p;
  }
  return out;
}

/** A fact located at a property when it is written, else at the component's name. */
export function propFact(c: Component, prop: string, text: string): Fact {
  return { text, loc: c.propLocs[prop] ?? c.nameLoc };
}

/** Backticked, comma-separated list. */
export function codeList(items: readonly string[]): string {
  const known = sharedLists.get(items);
  if (known !== undefined) return known;
  const text = items.map((s) => `\`${s}\``).join(", ");
  if (sharedLists.has(items)) sharedLists.set(items, text);
  return text;
}

// The facts below depend only on the tool reached (and the capability set asked about), and many
// rules explain the same reach: each is built once (in the reach's memo) and shared by every finding
// that shows it.

/** Facts for the invoke chain from an agent to a tool. */
export function reachFacts(g: ThreatGraph, r: ToolReach): readonly Fact[] {
  const m = r.memo;
  if (m.facts) return m.facts;
  const { stepAt, stepList } = m.shared;
  const out: Fact[] = [];
  for (let i = 0; i < r.path.length; i++) {
    const f = r.path[i]!;
    if (stepAt[f.index] === 0) stepAt[f.index] = stepList.push(stepFact(g, f));
    out.push(stepList[stepAt[f.index]! - 1]!);
  }
  return (m.facts = exactList(out));
}

function stepFact(g: ThreatGraph, f: Flow): Fact {
  const a = g.model.components[f.from]!.name;
  const b = g.model.components[f.to]!.name;
  return { text: `\`${a} -> ${b}\` (invoke) lets \`${a}\` call \`${b}\``, loc: f.loc };
}

/** The fact stating what a tool can do (restricted to `set` when given). */
export function capabilityFact(r: ToolReach, set?: readonly Capability[]): Fact {
  // The text depends on the set only through which capabilities it contains, and on the tool alone:
  // kept per tool, not per reach (a map per reach was tens of thousands of maps at 100k components).
  const mask = set ? maskOf(set) : -1;
  const m = r.memo;
  // Rules mostly ask one reach with one set (several rules the same): the last answer is kept.
  if (m.capFact !== undefined && m.capFactSet === mask) return m.capFact;
  const t = r.tool;
  const byTool = factsFor(m.shared.capability, t.index);
  m.capFactSet = mask;
  return (m.capFact = byTool.get(mask) ?? remember(byTool, mask, toolCapabilityFact(t, set)));
}

function toolCapabilityFact(t: Component, set: readonly Capability[] | undefined): Fact {
  const caps = set ? toolCaps(t, set) : effectiveCapabilities(t);
  return t.kind === "provider"
    ? propFact(
        t,
        "type",
        `\`${t.name}\` is a \`${t.props.type ?? "?"}\` provider, so calling it can ${codeList(caps)}`,
      )
    : propFact(t, "capabilities", `\`${t.name}\` has capabilities ${codeList(caps)}`);
}

/** The fact stating how a call to the tool is approved (a reach belongs to one agent). */
export function approvalFact(agent: Component, r: ToolReach): Fact {
  return (r.memo.approvalFact ??= approvalFactOf(agent, r));
}

const humanApproves = (n: Component): boolean => approvalOf(n) === "human" || hasControl(n, "human_approval");

function approvalFactOf(agent: Component, r: ToolReach): Fact {
  const t = r.tool;
  // The first two depend on the tool and the component stating the approval, not on the agent:
  // shared by every agent reaching the tool (keys: the stating component, times 4, plus the approval).
  if (r.gated) {
    // The agent's own default counts only when no tool on the way overrides it.
    let at: Component = t;
    if (!r.overridesAgent && humanApproves(agent)) at = agent;
    else {
      const v = r.via.find(humanApproves);
      if (v) at = v;
    }
    const byAt = factsFor(r.memo.shared.approval, t.index);
    const key = at.index * 4 + 3;
    return (
      byAt.get(key) ??
      remember(byAt, key, propFact(at, "approval", `a person approves calls to \`${t.name}\``))
    );
  }
  if (r.approvalAt && r.approval) {
    const byAt = factsFor(r.memo.shared.approval, t.index);
    const key = r.approvalAt.index * 4 + APPROVALS.indexOf(r.approval);
    return (
      byAt.get(key) ??
      remember(
        byAt,
        key,
        propFact(
          r.approvalAt,
          "approval",
          `\`${r.approvalAt.name}\` states \`approval ${r.approval}\`, so no person confirms calls to \`${t.name}\``,
        ),
      )
    );
  }
  return {
    text: `neither \`${t.name}\` nor \`${agent.name}\` requires approval, so calls run unconfirmed`,
    loc: t.nameLoc,
  };
}

/** The autonomy fact of an agent. */
export function autonomyFact(agent: Agent): Fact {
  let fact = autonomyFacts.get(agent);
  if (!fact)
    autonomyFacts.set(
      agent,
      (fact = propFact(
        agent,
        "autonomy",
        `\`${agent.name}\` has \`autonomy ${agent.props.autonomy ?? "unstated"}\`: it chains tool calls without a person between steps`,
      )),
    );
  return fact;
}
// Five rules state an agent's autonomy in each of its findings: built once per agent (its place is
// decoded from the source spans on every read).
const autonomyFacts = new WeakMap<Component, Fact>();

/** Whether the agent plans and acts on its own over several steps. */
export function isAutonomous(agent: Agent): boolean {
  return agent.props.autonomy === "loop" || agent.props.autonomy === "autonomous";
}

// Indirect (written by outsiders) before direct; a constant, as this is asked once per agent per rule.
const UNTRUSTED_ORDER: readonly (readonly [EntryClass, number])[] = [
  ["external_data", ENTRY.EXTERNAL_DATA],
  ["tool_output", ENTRY.TOOL_OUTPUT],
  ["user_input", ENTRY.USER_INPUT],
];

/** The entry class of attacker content reaching `v`, preferring indirect (written by outsiders) over direct. */
export function untrustedClass(facts: Facts, v: number, mask = UNTRUSTED_CONTENT): EntryClass | undefined {
  const bits = facts.taint[v]! & mask;
  for (let i = 0; i < UNTRUSTED_ORDER.length; i++)
    if (bits & UNTRUSTED_ORDER[i]![1]) return UNTRUSTED_ORDER[i]![0];
  return undefined;
}

/** The info edge by which attacker content of `cls` last arrived at `v` (undefined for an entry itself). */
export function taintEntryFlow(g: ThreatGraph, facts: Facts, v: number, cls: EntryClass): Flow | undefined {
  const e = facts.taintParent[cls][v]!;
  return e >= 0 ? g.model.flows[facts.infoFlow[e]!] : undefined;
}

/**
 * Whether what a tool returns can carry attacker content that did not come from `caller` itself: the
 * tool is an entry (a browser, a search API), or something other than the caller feeds it tainted
 * content (a store outsiders write, a search provider it calls). Returns the witness info edge (-1 for
 * an entry) or undefined.
 */
export function untrustedFeed(facts: Facts, tool: number, caller: number): number | undefined {
  if (facts.entry[tool]! & UNTRUSTED_CONTENT) return -1;
  for (let i = facts.info.inStart[tool]!; i < facts.info.inStart[tool + 1]!; i++) {
    const e = facts.info.inEdges[i]!;
    const u = facts.info.edgeFrom[e]!;
    if (u !== caller && facts.taint[u]! & UNTRUSTED_CONTENT) return e;
  }
  return undefined;
}

/** Whether a component holds secrets: a secrets store, or data classified `secret`. */
export function secretSource(g: ThreatGraph, c: Component): boolean {
  if (c.kind === "store" && c.props.type === "secrets") return true;
  return c.holds.some((d) => g.model.data[d]?.classification === "secret");
}

/** Whether a flow carries data classified `secret`. */
export function carriesSecret(g: ThreatGraph, f: Flow): boolean {
  return f.carries.some((d) => g.model.data[d]?.classification === "secret");
}

/** A held data asset of at least `min` classification, for facts. */
export function heldAtLeast(g: ThreatGraph, c: Component, min: Parameters<typeof classificationRank>[0]) {
  return c.holds
    .map((d) => g.model.data[d]!)
    .find(
      (d) =>
        d.classification !== undefined && classificationRank(d.classification) >= classificationRank(min),
    );
}

// ---- who drives an agent: users reaching it over prompt, invoke and delegate flows -------------

const DRIVE_FLOWS = flowKindMask(["prompt", "request", "invoke", "delegate"]);
const driveCache = new WeakMap<ThreatGraph, Int32Array>();

/**
 * For each component, the flow by which requests from some person (an actor) first reach it over
 * prompt, request, invoke and delegate flows (-1 for an actor, -2 never). One BFS from every actor, memoized.
 */
export function userDriven(g: ThreatGraph): Int32Array {
  const hit = driveCache.get(g);
  if (hit) return hit;
  const n = g.model.components.length;
  const parent = scratchI32(n).fill(-2);
  // Typed kinds and ends: the search reads no flow object (it meets most of the graph's flows).
  const { outStart, outEdges, edgeTo } = g.csr;
  const queue = scratchI32(n);
  let tail = 0;
  for (const v of g.byKind.get("actor") ?? []) {
    parent[v] = -1;
    queue[tail++] = v;
  }
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
      const fi = outEdges[i]!;
      const to = edgeTo[fi]!;
      if (!DRIVE_FLOWS[g.flowKind[fi]!] || parent[to] !== -2) continue;
      parent[to] = fi;
      queue[tail++] = to;
    }
  }
  driveCache.set(g, parent);
  return parent;
}

/** How requests from a person reach `v`: the actor, then each flow. */
export function userChain(g: ThreatGraph, v: number): Fact[] {
  const parent = userDriven(g);
  const flows: Flow[] = [];
  let cur = v;
  for (let guard = 0; parent[cur]! >= 0 && guard < parent.length; guard++) {
    const f = g.model.flows[parent[cur]!]!;
    flows.push(f);
    cur = f.from;
  }
  if (parent[cur] !== -1) return [];
  const actor = g.model.components[cur]!;
  return [
    { text: `${describe(g, actor)} makes requests`, loc: actor.nameLoc },
    ...flows.reverse().map((f) => ({
      text: `\`${g.model.components[f.from]!.name} -> ${g.model.components[f.to]!.name}\` (${f.kind}) passes the request on`,
      loc: f.loc,
    })),
  ].slice(0, 12);
}

// ---- where an agent's writes end up: LLM consumers that ingest content from a component ---------

// Flows that move content into something a model later reads; artifact flows (train, produce,
// deploy, serve, publish) change weights or code, not context, so they do not count here.
const CONTENT_FLOWS: ReadonlySet<FlowKind> = new Set<FlowKind>([
  "prompt",
  "request",
  "response",
  "retrieve",
  "ingest",
  "read",
  "write",
  "copy",
  "send",
  "feedback",
  "label",
  "log",
  "invoke",
  "delegate",
]);
/** How many first-reached consumers are remembered per component (enough to skip the writer and its own model). */
const CONSUMER_WITNESSES = 3;

/**
 * Per component, the first LLM consumers its content reaches, each with the next flow toward it. Held
 * in typed slots (CONSUMER_WITNESSES per component): a list and a step object per component made
 * hundreds of thousands of small objects that lived as long as the graph.
 */
export interface ConsumerReach {
  /** How many consumers component v has; they sit in slots v * CONSUMER_WITNESSES onward. */
  readonly count: Uint8Array;
  /** Per slot: the consumer's index. */
  readonly consumer: Int32Array;
  /** Per slot: the flow to follow toward the consumer (-1 at the consumer itself). */
  readonly nextFlow: Int32Array;
  /** Per slot: 1 when that flow runs backward (a returned result). */
  readonly nextBack: Uint8Array;
}

const consumerCache = new WeakMap<ThreatGraph, ConsumerReach>();
const CONSUMER_KINDS = componentKindMask(LLM_CONSUMER_KINDS);

/**
 * Which LLM consumers (agents, generative models and endpoints, LLM APIs) content placed at each
 * component reaches first, without passing through another consumer. A reverse multi-label BFS with at
 * most CONSUMER_WITNESSES labels per component: linear in the graph, computed once per graph.
 */
export function consumerReach(g: ThreatGraph): ConsumerReach {
  const hit = consumerCache.get(g);
  if (hit) return hit;
  const n = g.model.components.length;
  const K = CONSUMER_WITNESSES;
  const r = {
    count: scratchU8(n),
    consumer: scratchI32(n * K),
    nextFlow: scratchI32(n * K),
    nextBack: scratchU8(n * K),
  };
  const isConsumer = scratchU8(n);
  // Queue entries are (component, label) pairs; each slot is queued once.
  const queueNode = scratchI32(n * K);
  const queueLabel = scratchI32(n * K);
  let tail = 0;
  const add = (u: number, label: number, flow: number, back: boolean) => {
    const slot = u * K + r.count[u]!++;
    r.consumer[slot] = label;
    r.nextFlow[slot] = flow;
    r.nextBack[slot] = back ? 1 : 0;
    queueNode[tail] = u;
    queueLabel[tail++] = label;
  };
  const { components } = g.model;
  // Only four kinds can be consumers: the others are passed over on their typed kind, unread.
  for (let v = 0; v < n; v++)
    if (CONSUMER_KINDS[g.compKind[v]!] && isLlmConsumer(g, components[v]!)) {
      isConsumer[v] = 1;
      add(v, v, -1, false);
    }
  const offer = (u: number, label: number, flow: number, back: boolean) => {
    if (isConsumer[u] || r.count[u]! >= K || slotOf(r, u, label) >= 0) return;
    add(u, label, flow, back);
  };
  const { csr, flowKind } = g;
  const content = flowKindMask(CONTENT_FLOWS);
  const invoke = FLOW_KIND_CODE.get("invoke")!;
  const delegate = FLOW_KIND_CODE.get("delegate")!;
  for (let head = 0; head < tail; head++) {
    const w = queueNode[head]!;
    const label = queueLabel[head]!;
    // Content moves u -> w along a forward flow, and callee -> caller along an invoke/delegate result.
    // (CSR edge ids are flow indices.)
    for (let i = csr.inStart[w]!; i < csr.inStart[w + 1]!; i++) {
      const f = csr.inEdges[i]!;
      if (content[flowKind[f]!]) offer(csr.edgeFrom[f]!, label, f, false);
    }
    for (let i = csr.outStart[w]!; i < csr.outStart[w + 1]!; i++) {
      const f = csr.outEdges[i]!;
      if (flowKind[f] === invoke || flowKind[f] === delegate) offer(csr.edgeTo[f]!, label, f, true);
    }
  }
  consumerCache.set(g, r);
  return r;
}

/** The slot of consumer `target` among component `v`'s, or -1. */
function slotOf(reach: ConsumerReach, v: number, target: number): number {
  const first = v * CONSUMER_WITNESSES;
  for (let slot = first; slot < first + reach.count[v]!; slot++)
    if (reach.consumer[slot] === target) return slot;
  return -1;
}

/** The first consumer reached from `v` (in the order found) that `accept` takes. */
export function firstConsumer(
  reach: ConsumerReach,
  v: number,
  accept: (consumer: number) => boolean,
): number | undefined {
  const first = v * CONSUMER_WITNESSES;
  for (let slot = first; slot < first + reach.count[v]!; slot++)
    if (accept(reach.consumer[slot]!)) return reach.consumer[slot]!;
  return undefined;
}

/** Facts for the way content at `v` travels to consumer `target` (as found by consumerReach). */
export function consumerChain(g: ThreatGraph, reach: ConsumerReach, v: number, target: number): Fact[] {
  const chain: Fact[] = [];
  let cur = v;
  for (let guard = 0; cur !== target && guard < 64; guard++) {
    const slot = slotOf(reach, cur, target);
    if (slot < 0) break;
    const f = g.model.flows[reach.nextFlow[slot]!]!;
    const back = reach.nextBack[slot] === 1;
    chain.push(consumerStepFact(g, reach, f, back));
    cur = back ? f.from : f.to;
  }
  return chain.slice(0, 12);
}

// One step's fact depends only on the flow and its direction: built once, shared by every chain.
const stepFacts = new WeakMap<ConsumerReach, Map<number, Fact>>();
function consumerStepFact(g: ThreatGraph, reach: ConsumerReach, f: Flow, back: boolean): Fact {
  let byStep = stepFacts.get(reach);
  if (!byStep) stepFacts.set(reach, (byStep = new Map<number, Fact>()));
  const key = f.index * 2 + (back ? 1 : 0);
  let fact = byStep.get(key);
  if (!fact) {
    const a = g.model.components[f.from]!.name;
    const b = g.model.components[f.to]!.name;
    fact = {
      text: back
        ? `the result of \`${a} -> ${b}\` (${f.kind}) hands that content to \`${a}\``
        : `\`${a} -> ${b}\` (${f.kind}) moves that content to \`${b}\``,
      loc: f.loc,
    };
    byStep.set(key, fact);
  }
  return fact;
}

/** LLM consumers that are the agent's own model (a model or LLM API serving it). */
export function ownModels(g: ThreatGraph, agent: Component): Set<number> {
  return new Set(servedModels(g, agent).map((m) => m.index));
}
