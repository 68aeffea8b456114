import { currentArena, scratchF64, scratchI32, scratchI8, scratchU16, scratchU8 } from "../../graph/arena.js";
import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST, canPlace } from "../../catalog/controls.js";
import { ATLAS_TECHNIQUES } from "../../catalog/frameworks.js";
import { reachFinite, reachOver, type CompactGraph } from "../../graph/compact.js";
import {
  COMPONENT_KIND_CODE,
  COMP_PROP,
  FLOW_KIND_CODE,
  type ThreatGraph,
} from "../../graph/threat-graph.js";
import type { Component, ControlUse, CrownJewel, ResolvedModel } from "../../semantic/model.js";
import type { Cia } from "../../semantic/vocabulary.js";
import { ENTRY, UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import { named } from "../engine.js";
import type { Rule } from "../rule.js";
import { agentWayOuts, SummaryScratch, wayOutClosing } from "../rules/lib/agents.js";
import { hopAuthenticated } from "../rules/lib/inference.js";
import { INF } from "./maxflow.js";
import { dataReaders, namedCarries } from "./data-readers.js";
import { TargetGroup } from "./target-groups.js";
import { AGENT_CALL, STEP_RULES, stepTechnique, type StepTechnique } from "./techniques.js";

const ACTOR = COMPONENT_KIND_CODE.get("actor");
const INVOKE = FLOW_KIND_CODE.get("invoke");
const AGENT = COMPONENT_KIND_CODE.get("agent");

/** The rule whose controls close the way out of a disclosure (the lethal trifecta). */
export const EXFIL_RULE = "AT-37";

/** Likelihood of a step by the ATLAS maturity of its technique. */
export const MATURITY_LIKELIHOOD: Readonly<Record<string, number>> = {
  realized: 0.9,
  demonstrated: 0.6,
  feasible: 0.3,
};
const UNKNOWN_MATURITY = 0.5;
/** Factor of each declared control that lowers a step (at most two count). */
export const LOWERING_FACTOR = 0.5;
/**
 * Factor when the step needs credentials the attacker does not have by default: an inward step whose
 * hop is authenticated (`hopAuth`, as AT-22 and AT-52 read it).
 */
export const AUTH_FACTOR = 0.8;

/** What an attack target is: a crown jewel property and the nodes where the attack succeeds. */
export interface AttackTarget {
  readonly crown: CrownJewel;
  readonly property: Cia;
  /** `influence`: reaching a node of `nodes` is the attack; `disclosure`: influence over a reader with a way out. */
  readonly mode: "influence" | "disclosure";
  /**
   * Influence targets, or (disclosure) readers of the asset that can reach an observable sink,
   * ascending; a reader that only a step turns is its turned node (`turnedNode`, after every
   * component). A data asset's readers are listed only when this is first read: the path analysis
   * reads them through `group` (target-groups.ts), so that no query costs readers x crown jewels.
   */
  readonly nodes: readonly number[];
  /** Where the target's nodes are marked: bit `bit` of `group`. */
  readonly group: TargetGroup;
  readonly bit: number;
  /** How many nodes the target has. */
  readonly size: number;
  /** Whether `nodes` is a list the target keeps (small targets), not one built from the group. */
  readonly listed: boolean;
}

/**
 * What a cut question needs of a target: its mode and its nodes (ascending for a target; a typed
 * array for a reader target, whose list is up to half the model).
 */
export interface CutTarget {
  readonly mode: AttackTarget["mode"];
  readonly nodes: ArrayLike<number>;
}

/** A target whose nodes are a crown jewel's readers, listed on demand. */
class MarkedTarget implements AttackTarget {
  private list: readonly number[] | undefined;
  readonly listed = false;
  readonly size: number;
  constructor(
    readonly crown: CrownJewel,
    readonly property: Cia,
    readonly mode: "influence" | "disclosure",
    readonly group: TargetGroup,
    readonly bit: number,
  ) {
    this.size = group.sizeOf(bit);
  }
  get nodes(): readonly number[] {
    return (this.list ??= this.group.nodesOf(this.bit));
  }
}

/** The attack graph: the info-flow graph with a likelihood, a technique and cut options per step. */
export interface AttackGraph {
  readonly g: CompactGraph;
  /**
   * Each step's likelihood is one of a few dozen (a maturity, times the credentials' factor, times
   * the lowering controls', or 0 for a cut step): `levelLikelihood[stepLevel[e]]`, and its weight
   * (-ln, Infinity for a cut step) `levelWeight[stepLevel[e]]`. Two bytes a step where the two
   * arrays below took sixteen, kept under the whole analysis (46 MB at 1M components).
   */
  readonly stepLevel: Uint16Array;
  readonly levelLikelihood: Float64Array;
  readonly levelWeight: Float64Array;
  /** Per step, from the levels: built when first read (the export reads them), and kept. */
  readonly likelihood: Float64Array;
  /** -ln(likelihood); Infinity for a step a declared control cuts. */
  readonly weight: Float64Array;
  /**
   * Weights for the way out of a disclosure: the same steps, but cut by a declared control that the
   * lethal-trifecta rule (AT-37) counts as closing the way out (an egress allow-list on the mailer).
   */
  readonly exfilWeight: Float64Array;
  /**
   * Not 0 when a declared way-out control sits on the component itself (its own sending is closed):
   * 1 for an agent closed by its approval alone, 2 otherwise (`wayOutClosing`).
   */
  readonly exfilClosed: Uint8Array;
  /**
   * 1 where a disclosure's way out may end: an observable sink (`Facts.observable`), or a tool
   * through which an agent runs code outside a sandbox, since the code can open its own connections
   * (the way out AT-37 reports for an agent with no other: `unsandboxedRunners`, ADR 4). The way out starts
   * from those of them not closed (`exfilClosed`).
   */
  readonly sink: Uint8Array;
  /** 1 when data at this component can travel to a `sink` (`Facts.canExfiltrate`, code runners too). */
  readonly canExfiltrate: Uint8Array;
  /** The technique of step e (undefined: none), from a code per step (`labelSteps`). */
  readonly techniqueOf: (e: number) => StepTechnique | undefined;
  /** Declared controls that lower (or cut) each step: listed per step (`buildAttackGraph`'s `listControls`), else built when first read. */
  readonly controlsOnStep: readonly (readonly ControlUse[])[];
  /** The controls of step e: read from `controlsOnStep` when listed, else worked out again. */
  readonly controlsOf: (e: number) => readonly ControlUse[];
  /** Cheapest control that would cut the step if placed on its flow, and its cost (INF: none). */
  readonly flowCutCost: Int32Array;
  /** The control `flowCutCost` is the cost of, for step e (undefined: none). */
  readonly flowCutControlOf: (e: number) => string | undefined;
  /** Cheapest control that would cut every technique step into the node if placed on it (INF: none). */
  readonly nodeCutCost: Int32Array;
  readonly nodeCutControl: readonly (string | undefined)[];
  readonly entries: Int32Array;
  readonly targets: readonly AttackTarget[];
  /**
   * 1 for a component an attacker can turn into acting for them, so that reading an asset makes it a
   * disclosure reader: an LLM consumer (any content that reaches it steers it), an entry, or a
   * component a usable step that turns it leads into from a component an entry reaches (code it
   * loads, a tool call an agent makes).
   * Software that content merely reaches (a mail service receiving outside e-mail) or that poisoned
   * data reaches (a training set) is not turned by it (ADR 4).
   */
  readonly turnable: Uint8Array;
  /**
   * The components that only a turning step turns (turnable, not an LLM consumer or an entry) and
   * that could read an asset (they can exfiltrate, are no person): ascending. Each has a second node
   * in the usable graph, its turned node (`turnedNode`), whose in-steps are copies of its usable
   * turning steps and which has no out-steps; as a disclosure reader such a component is its turned
   * node, so the leg of influence must end with a step that turns it (ADR 4).
   */
  readonly turned: Int32Array;
  /** Per component: the id of its turned node (components + its place in `turned`), or -1. */
  readonly turnedNode: Int32Array;
  /** Flow index of each step, and whether the step is a returning result. */
  readonly flowIndex: Int32Array;
  readonly returning: Uint8Array;
  /** Each component's kind code (the threat graph's `compKind`, not a copy). */
  readonly compKind: Uint8Array;
}

// Shared by every step without controls (steps are read only).
const NO_USES: readonly ControlUse[] = [];
// StepRules' labelling tables while none is taken.
const NO_I32 = new Int32Array(0);
const NO_I8 = new Int8Array(0);

interface Applied {
  readonly applied: readonly ControlUse[];
  readonly cut: boolean;
  readonly lowering: number;
}
const NOT_APPLIED: Applied = { applied: NO_USES, cut: false, lowering: 0 };

/** The cheapest control that cuts a step on its flow (INF: none). */
interface FlowCut {
  readonly cost: number;
  readonly id: string | undefined;
}
const NO_CUT: FlowCut = { cost: INF, id: undefined };

/** What a combination of step codes decides: the technique, and what follows from it alone. */
interface StepKnown {
  readonly tech: StepTechnique | undefined;
  /** Likelihood by the technique's ATLAS maturity (1 without a technique), and its -ln. */
  readonly maturity: number;
  readonly wayOut: number;
  readonly cut: FlowCut;
  /** The technique's rule as a bit number (-1: no technique). */
  readonly bit: number;
}

const maturityCache = new Map<string, number>();
function maturityLikelihood(technique: string): number {
  let p = maturityCache.get(technique);
  if (p === undefined) maturityCache.set(technique, (p = maturityOf(technique)));
  return p;
}

function maturityOf(technique: string): number {
  let t = ATLAS_TECHNIQUES.get(technique);
  while (t && !t.maturity && t.parent) t = ATLAS_TECHNIQUES.get(t.parent);
  return t?.maturity ? (MATURITY_LIKELIHOOD[t.maturity] ?? UNKNOWN_MATURITY) : UNKNOWN_MATURITY;
}

/** A control's cost: declared on the model's control, else the built-in one's, else the default. */
export function controlCost(model: ResolvedModel, name: string): number {
  const user = model.controls.find((c) => c.name === name);
  return Math.round(user?.cost ?? BUILTIN_CONTROL_BY_ID.get(name)?.cost ?? DEFAULT_CONTROL_COST);
}

/** Which controls a rule counts as mitigations: its built-in list plus user controls naming it. */
function mitigatesRule(
  model: ResolvedModel,
  rulesById: ReadonlyMap<string, Rule>,
  ruleId: string,
  control: string,
): boolean {
  if (BUILTIN_CONTROL_BY_ID.has(control))
    return rulesById.get(ruleId)?.meta.mitigations.includes(control) ?? false;
  return model.controls.find((c) => c.name === control)?.mitigates.includes(ruleId) ?? false;
}

/**
 * Builds the attack graph from the graph, the propagation facts and the rule catalog. O(components +
 * flows). `withTargets: false` leaves `targets` empty, for a caller that builds them itself with
 * `buildTargets` (the path analysis keeps only readers with a way out, without listing the rest).
 *
 * Each pass is a module function and the per-rule caches a class: no closures made per call, so V8
 * optimises each part once, quickly, and keeps it for the next model (the single function with a
 * dozen closures before took longer to optimise than a warm 10k analysis, and was recompiled for
 * every call's new closures).
 */
export function buildAttackGraph(
  tg: ThreatGraph,
  facts: Facts,
  rules: readonly Rule[],
  withTargets = true,
  listControls = true,
): AttackGraph {
  const g = facts.info;
  const ctx = new StepRules(tg, rules);
  const m = g.edgeCount;
  const steps: StepArrays = {
    level: scratchU16(m),
    levels: new LevelTable(),
    // Per step: the place of its code combination in `StepRules`' table (technique, flow cut), where
    // a list of each per step held 20 MB of pointers apiece at 1M components.
    known: scratchU16(m),
    // A pointer per step (25 MB of a large array at 1M components, kept as long as the graph): the
    // path analysis reads the controls of its listed paths' steps only, and asks for them instead.
    controlsOnStep: listControls ? new Array<readonly ControlUse[]>(m) : undefined,
    flowCutCost: scratchI32(m).fill(INF),
    // Per component: the rules of the technique steps into it, and whether a step without a
    // technique enters it (`nodeCuts`, which then writes its answer over it).
    nodeRules: scratchI32(g.nodeCount),
    exfilWeight: scratchF64(m),
  };
  // A step's way out is closed by a control on its flow or on a component it leaves or enters (an
  // egress control on a component closes what passes through it, starts at it or ends at it, as a
  // way-out node of the cut network does): a code per component and a flag per flow, set from the
  // users of each closing control (`wayOutClosing`, which AT-37's own way out reads too; no walk over
  // every element's control list). An agent's approval is the exception: it decides
  // the agent's own calls, so it closes the `invoke` steps that leave the agent but for calls to a
  // tool that states its own approval (`approvalReplacedOn`, which AT-37 asks too), and no other
  // step: not its answers, writes, delegations or results, and no step into it.
  const exfilMitigations = ctx.rulesById.get(EXFIL_RULE)?.meta.mitigations ?? [];
  const { comp: exfilClosed, flow: flowClosed } = wayOutClosing(
    tg,
    (name) => exfilMitigations.includes(name) && BUILTIN_CONTROL_BY_ID.get(name)?.effect === "cut",
  );
  // Asked only of the agents whose approval could close anything: the way out reads it of agents
  // their approval alone closes, and the influence leg (an agent's call to a tool) of every approving
  // agent, whatever else closes its way out.
  const approving = (tg.controlUsers.get("human_approval")?.comps ?? []).filter(
    (v) => tg.compKind[v] === AGENT,
  );
  // The agents' two reach questions in one pass: each tool's object is read once, and each agent
  // summarised once, for both (the code runners are the way out's, below).
  const { replaced, runners } = agentWayOuts(tg, facts, approving, new SummaryScratch(tg));
  labelSteps(tg, facts, ctx, steps, { exfilClosed, flowClosed, replaced });
  const stepLevel = steps.level;
  const levelLikelihood = Float64Array.from(steps.levels.likelihood);
  const levelWeight = levelLikelihood.map(weightOf);
  const weights = { level: stepLevel, weight: levelWeight };
  // The graph keeps the table, and `ctx` for `controlsOf` (its labelling tables are given back by
  // `closeLabels`; what it keeps is the model's, the rules' and a table per code combination).
  const table = ctx.table;
  const known = steps.known;
  const techniqueOf = (e: number): StepTechnique | undefined => table[known[e]!]!.tech;
  const { cost: nodeCutCost, control: nodeCutControl } = nodeCuts(tg, g, ctx, steps, techniqueOf);
  const n = g.nodeCount;
  const entries: number[] = [];
  for (let v = 0; v < n; v++) if (facts.entry[v]) entries.push(v);
  const { sink, canExfiltrate } = wayOutEnds(facts, runners);
  // Whether each code combination's technique turns its receiver: a table read per step.
  const turnsAt = Uint8Array.from(table, (k) => (k.tech?.turns ? 1 : 0));
  const turnable = turnableNodes(g, ctx.receiver, { known, turnsAt }, weights, facts.entry, entries);
  const { turned, turnedNode } = turnedReaders(tg, facts, ctx.receiver, turnable, canExfiltrate);
  const turning = { turnable, turnedNode, canExfiltrate };
  // Plain arrays, not from the arena: read (by the export, by tests) after its scratch is given back.
  let likelihood: Float64Array | undefined;
  let weight: Float64Array | undefined;
  const listed = steps.controlsOnStep;
  const asked = (e: number): readonly ControlUse[] =>
    stepControls(tg, facts, ctx, table[known[e]!]!, e, replaced);
  const controlsOf = listed ? (e: number) => listed[e]! : asked;
  let controlsOnStep = listed;
  return {
    g,
    stepLevel,
    levelLikelihood,
    levelWeight,
    get likelihood() {
      return (likelihood ??= Float64Array.from(stepLevel, (lv) => levelLikelihood[lv]!));
    },
    get weight() {
      return (weight ??= Float64Array.from(stepLevel, (lv) => levelWeight[lv]!));
    },
    exfilWeight: steps.exfilWeight,
    exfilClosed,
    sink,
    canExfiltrate,
    techniqueOf,
    get controlsOnStep() {
      return (controlsOnStep ??= Array.from({ length: m }, (_, e) => asked(e)));
    },
    controlsOf,
    flowCutCost: steps.flowCutCost,
    flowCutControlOf: (e) => table[known[e]!]!.cut.id,
    nodeCutCost,
    nodeCutControl,
    entries: Int32Array.from(entries),
    targets: withTargets ? buildTargets(tg, facts, turning) : [],
    turnable,
    turned,
    turnedNode,
    flowIndex: facts.infoFlow,
    returning: facts.infoReturn,
    compKind: tg.compKind,
  };
}

/**
 * The controls of step e, worked out as `labelSteps` lists them (`k`: what its code combination
 * decides), without the labelling's caches: for the few steps a path analysis lists.
 */
function stepControls(
  tg: ThreatGraph,
  facts: Facts,
  ctx: StepRules,
  k: StepKnown,
  e: number,
  replaced: Uint8Array | undefined,
): readonly ControlUse[] {
  const tech = k.tech;
  if (!tech) return NO_USES;
  const g = facts.info;
  const f = facts.infoFlow[e]!;
  const a = g.edgeFrom[e]!;
  return withApproval(tg, ctx, ctx.appliedAsked(f, g.edgeTo[e]!, tech.rule), tech, a, e, replaced).applied;
}

/**
 * An agent's approval is the default for its own calls: it counts on an agent call (step e, from
 * agent `a`) unless a tool reached through it states its own approval and can carry data out
 * (`replaced`; the way out's reading, as AT-37 reads it; AT-36 counts any tool stating one: a
 * gateway is one node here, ADR 4). One reading for the labelling and for controls asked later.
 */
function withApproval(
  tg: ThreatGraph,
  ctx: StepRules,
  onStep: Applied,
  tech: StepTechnique,
  a: number,
  e: number,
  replaced: Uint8Array | undefined,
): Applied {
  return tech === AGENT_CALL && tg.compControls[a] !== 0 && replaced?.[e] !== 1
    ? ctx.withCallerApproval(onStep, a, tech.rule)
    : onStep;
}

/** Where a disclosure's way out may end (`AttackGraph.sink`), and what can get there (`canExfiltrate`). */
function wayOutEnds(facts: Facts, runners: Uint8Array): { sink: Uint8Array; canExfiltrate: Uint8Array } {
  const more: number[] = [];
  for (let v = 0; v < runners.length; v++) if (runners[v] && !facts.observable[v]) more.push(v);
  if (more.length === 0) return { sink: facts.observable, canExfiltrate: facts.canExfiltrate };
  const n = runners.length;
  const sink = scratchU8(n);
  for (let v = 0; v < n; v++) sink[v] = facts.observable[v]! | runners[v]!;
  // What reaches a runner, added to what reaches an observable sink. That set already holds every
  // node with a step into it (it is a backward search over every step, `computeFacts`), so the
  // search starts with it marked and never walks it again: the same set as the union of the two.
  const canExfiltrate = scratchU8(n);
  canExfiltrate.set(facts.canExfiltrate);
  return { sink, canExfiltrate: reachOver(facts.info, more, () => true, true, canExfiltrate) };
}

/** The way out's sinks of an attack graph: its `sink`s whose own sending is not closed, ascending. */
export function openSinks(ag: Pick<AttackGraph, "sink" | "exfilClosed">): number[] {
  const sinks: number[] = [];
  for (let v = 0; v < ag.sink.length; v++) if (ag.sink[v] && !ag.exfilClosed[v]) sinks.push(v);
  return sinks;
}

/**
 * `AttackGraph.turnable`: LLM consumers, entries, and the heads of usable steps that turn
 * (`StepTechnique.turns`) from a component an attacker reaches: an agent no entry reaches makes its
 * calls for no attacker, so the tool it calls is turned by no one (a mail tool that outside e-mail
 * reaches only by its read).
 */
function turnableNodes(
  g: CompactGraph,
  receiver: Int8Array,
  turning: { readonly known: Uint16Array; readonly turnsAt: Uint8Array },
  weights: StepWeights,
  entry: Uint8Array,
  entries: readonly number[],
): Uint8Array {
  const { level, weight } = weights;
  const { known, turnsAt } = turning;
  const n = g.nodeCount;
  const turnable = scratchU8(n);
  for (let v = 0; v < n; v++) turnable[v] = entry[v] || (receiver[v]! & RECEIVER_LLM) !== 0 ? 1 : 0;
  // Only a step from where the entries reach over usable steps turns its receiver.
  const reached = reachFinite(g, entries, weight, false, level);
  for (let e = 0; e < g.edgeCount; e++)
    if (turnsAt[known[e]!] === 1 && weight[level[e]!]! < Infinity && reached[g.edgeFrom[e]!])
      turnable[g.edgeTo[e]!] = 1;
  return turnable;
}

/**
 * `AttackGraph.turned` and `turnedNode`: the components a reader can be only through a step that
 * turns it (not an LLM consumer, which any content turns, nor an entry, the attacker's own).
 */
function turnedReaders(
  tg: ThreatGraph,
  facts: Facts,
  receiver: Int8Array,
  turnable: Uint8Array,
  canExfiltrate: Uint8Array,
): { turned: Int32Array; turnedNode: Int32Array } {
  const n = turnable.length;
  const turnedNode = scratchI32(n).fill(-1);
  let count = 0;
  for (let v = 0; v < n; v++)
    if (
      turnable[v] === 1 &&
      facts.entry[v] === 0 &&
      (receiver[v]! & RECEIVER_LLM) === 0 &&
      canExfiltrate[v] === 1 &&
      tg.compKind[v] !== ACTOR
    )
      turnedNode[v] = n + count++;
  const turned = scratchI32(count);
  for (let v = 0, i = 0; v < n; v++) if (turnedNode[v]! >= 0) turned[i++] = v;
  return { turned, turnedNode };
}

/** Each step's weight, as `weight[level[e]]` (`AttackGraph.stepLevel`, `levelWeight`). */
interface StepWeights {
  readonly level: Uint16Array;
  readonly weight: Float64Array;
}

/**
 * The distinct likelihoods of the steps, as `labelSteps` meets them: level 0 is 1 (a step without a
 * technique), level 1 is 0 (a cut step). A step's likelihood follows from its code combination's
 * place in `StepRules.table`, whether it needs credentials and how many lowering controls count, so
 * each such key is looked up once; keys with the same likelihood share its level.
 */
class LevelTable {
  readonly likelihood: number[] = [1, 0];
  private readonly byKey: number[] = [];

  /** The level of likelihood `p`, which key `key` always gives. */
  of(key: number, p: number): number {
    const known = this.byKey[key];
    if (known !== undefined) {
      // One load and a compare a step: a key that did not decide p would fail here, not mislabel.
      if (this.likelihood[known] !== p) throw new Error(`step likelihood key ${key} gave two likelihoods`);
      return known;
    }
    let level = this.likelihood.indexOf(p);
    if (level < 0) {
      level = this.likelihood.length;
      if (level > 0xffff) throw new Error("more distinct step likelihoods than a level holds");
      this.likelihood.push(p);
    }
    this.byKey[key] = level;
    return level;
  }
}
const FREE_LEVEL = 0;
const CUT_LEVEL = 1;

/** What `labelSteps` writes per step. */
interface StepArrays {
  /** Per step: its likelihood's level in `levels`. */
  readonly level: Uint16Array;
  readonly levels: LevelTable;
  /** Per step: the place of its code combination in `StepRules.table`. */
  readonly known: Uint16Array;
  /** Undefined: not listed (`buildAttackGraph`'s `listControls`). */
  readonly controlsOnStep: (readonly ControlUse[])[] | undefined;
  readonly flowCutCost: Int32Array;
  /** Per component, as the steps into it are labelled: `RULES_OVERFLOW`, `UNCUTTABLE` and rule bits. */
  readonly nodeRules: Int32Array;
  readonly exfilWeight: Float64Array;
}

/** A step's weight: -ln of its likelihood (Infinity for 0: a cut step). */
function weightOf(likelihood: number): number {
  return likelihood > 0 ? -Math.log(likelihood) : Infinity;
}

/** Where the way-out controls declared close steps (`buildAttackGraph`). */
interface WayOutClosing {
  /** Per component (`wayOutClosing`): 0 open, 1 an agent closed by its approval alone, 2 closed. */
  readonly exfilClosed: Uint8Array;
  readonly flowClosed: Uint8Array;
  /** Per step: 1 where it leaves an agent by a call its approval does not decide (or undefined: none). */
  readonly replaced: Uint8Array | undefined;
}

/** Bound of `labelSteps`'s step keys: flow kinds x returning x 64 sender codes x 256 receiver codes. */
const STEP_KEYS = FLOW_KIND_CODE.size * 2 * 64 * 256;
// The sender's code keeps a kind in 4 bits, beside a receiver code below 16 (`receiverCodes`).
if (COMPONENT_KIND_CODE.size > 16) throw new Error("labelSteps packs a component kind in 4 bits");

/** In `labelSteps`' receiver code: the receiver declares a control (`ThreatGraph.compControls`). */
const HAS_CONTROLS = 1 << 12;
/** In both of `labelSteps`' node codes: the trust rank (a byte) times this. */
const TRUST_SHIFT = 1 << 16;

/** LOWERING_FACTOR to the number of lowering controls that count (at most two). */
const LOWERED = [1, LOWERING_FACTOR, LOWERING_FACTOR ** 2];

/**
 * Every step's technique, likelihood, controls and cut options. A step's technique depends only on a
 * few small codes (flow kind, both kinds, returning, the sender's third-party and user-input flags,
 * the receiver's LLM and index/training sides): it is computed once per combination, with what
 * follows from it alone (its likelihood by maturity, the cheapest control cutting it on a flow, its
 * rule's bit), so most steps touch no model object.
 */
function labelSteps(
  tg: ThreatGraph,
  facts: Facts,
  ctx: StepRules,
  out: StepArrays,
  closing: WayOutClosing,
): void {
  const { exfilClosed, flowClosed, replaced } = closing;
  const g = facts.info;
  const flows = tg.model.flows;
  const { edgeFrom, edgeTo } = g;
  const { infoFlow, infoReturn, thirdParty, entry } = facts;
  const { flowKind, compKind, trust, compControls } = tg;
  const { level, levels, known, controlsOnStep, flowCutCost, nodeRules, exfilWeight } = out;
  const receiver = ctx.receiver;
  const table = ctx.table;
  // What a step reads of its sender and of its receiver, packed into one number per node first: the
  // loop then reads two per step at random instead of a dozen byte arrays (at 1M components the
  // per-node arrays do not fit in cache together). Sender: kind, third-party, user input (bits 0-5),
  // every way-out step leaving it closed (bit 6), closed by an agent's approval alone (bit 7).
  // Receiver: kind and receiver code (bits 0-7), every way-out step into it closed (bit 8), declares
  // a control (bit 12). Both: the trust rank from bit 16 (a byte), for the credentials' test.
  const n = g.nodeCount;
  const arena = currentArena();
  const before = arena?.mark() ?? 0;
  const sender = scratchI32(n);
  const into = scratchI32(n);
  ctx.openLabels();
  const taken = arena?.mark();
  for (let v = 0; v < n; v++) {
    const closed = exfilClosed[v] !== 0;
    const approvalOnly = exfilClosed[v] === 1;
    sender[v] =
      compKind[v]! * 4 +
      (thirdParty[v] ? 2 : 0) +
      ((entry[v]! & ENTRY.USER_INPUT) !== 0 ? 1 : 0) +
      (closed && !approvalOnly ? 64 : 0) +
      (closed && approvalOnly ? 128 : 0) +
      trust[v]! * TRUST_SHIFT;
    into[v] =
      compKind[v]! * 16 +
      receiver[v]! +
      (closed && !approvalOnly ? 256 : 0) +
      (compControls[v] !== 0 ? HAS_CONTROLS : 0) +
      trust[v]! * TRUST_SHIFT;
  }
  for (let e = 0; e < g.edgeCount; e++) {
    const f = infoFlow[e]!;
    const returning = infoReturn[e] === 1;
    const a = edgeFrom[e]!;
    const b = edgeTo[e]!;
    const sa = sender[a]!;
    const sb = into[b]!;
    // Every code the technique depends on (`StepRules.placeOf`).
    const key = ((flowKind[f]! * 2 + (returning ? 1 : 0)) * 64 + (sa & 63)) * 256 + (sb & 255);
    const place = ctx.placeOf(key, facts, f, a, b, returning);
    const k = table[place]!;
    const tech = k.tech;
    known[e] = place;
    // What the node cuts ask of the steps into b, gathered here (they walked every node's in-steps
    // and read two step arrays at random per step). Beyond 30 distinct rules (none in the catalog
    // today) the mask would overflow: the node cuts then list the rules of b's steps.
    nodeRules[b]! |= !tech ? UNCUTTABLE : k.bit < 30 ? 1 << k.bit : RULES_OVERFLOW;
    // A step the influence leg cannot use may still carry data out, so only the step's own base
    // likelihood counts on the way out (1 without a technique): cut by the way-out controls, or not.
    // (An agent closed by its approval alone closes only its own calls that it decides: no step into
    // it, no answer, write, delegation or result it passes on, no call to a tool stating its own.)
    const closedFrom =
      (sa & 64) !== 0 || ((sa & 128) !== 0 && !returning && flowKind[f] === INVOKE && replaced?.[e] !== 1);
    exfilWeight[e] = flowClosed[f] === 1 || closedFrom || (sb & 256) !== 0 ? Infinity : k.wayOut;
    if (!tech) {
      level[e] = FREE_LEVEL;
      if (controlsOnStep) controlsOnStep[e] = NO_USES;
      continue;
    }
    let p = k.maturity;
    // (tg.trust holds trust ranks.)
    // Credentials the step needs: how the sender gets into the more trusted receiver, read as the
    // rules read a hop (the flow's `auth`, else the receiver's, else an actor's `authenticated`).
    const auth = !returning && sa >>> 16 < sb >>> 16 && hopAuthenticated(tg, flows[f]!);
    if (auth) p *= AUTH_FACTOR;
    let cut: boolean;
    let lowering: number;
    if (
      !controlsOnStep &&
      k.bit < 31 &&
      !(tg.flowControls[f] !== 0 && ctx.flowCounts(f, k.bit)) &&
      !(tech === AGENT_CALL && compControls[a] !== 0 && replaced?.[e] !== 1)
    ) {
      // Nothing on the flow to merge with and no caller's approval to add, no list wanted: the
      // receiver's counts decide it, read from typed codes (`appliedOn` read its object).
      const counts = (sb & HAS_CONTROLS) !== 0 ? ctx.nodeCountsOf(b, k.bit) : 0;
      cut = (counts & COUNTS_CUT) !== 0;
      lowering = counts & 3;
    } else {
      const on = withApproval(
        tg,
        ctx,
        ctx.appliedOn(f, b, tech.rule, k.bit, (sb & HAS_CONTROLS) !== 0),
        tech,
        a,
        e,
        replaced,
      );
      ({ cut, lowering } = on);
      if (controlsOnStep) controlsOnStep[e] = on.applied;
    }
    const lowered = Math.min(2, lowering);
    p *= LOWERED[lowered]!;
    // The place, the credentials and the lowering decide p (computed as above for every step).
    level[e] = cut ? CUT_LEVEL : levels.of((place * 3 + lowered) * 2 + (auth ? 1 : 0), p);
    flowCutCost[e] = k.cut.cost;
  }
  // The two codes and the labelling's tables are given back unless a cache filled on first need (a
  // rule helper's) lies above them: about 30 bytes a component, and 4 a flow, that would sit below
  // everything after the attack graph.
  ctx.closeLabels();
  if (arena && arena.mark() === taken) arena.release(before);
}

/**
 * A control on a component cuts every technique step into it that its rules list it for: per
 * component, the cheapest such control (INF: none). The answer depends only on the component kind
 * and the set of rules stepping in: cached by both, the set as a bit mask over the few rules that
 * label steps (a number key, no string per node). (Per kind code, then mask: one number key would
 * leave the small-integer range.) The set is gathered by `labelSteps` as it labels each step.
 */
function nodeCuts(
  tg: ThreatGraph,
  g: CompactGraph,
  ctx: StepRules,
  steps: StepArrays,
  techniqueOf: (e: number) => StepTechnique | undefined,
): { cost: Int32Array; control: (string | undefined)[] } {
  const n = g.nodeCount;
  // The rules gathered per node by the labelling, overwritten by each node's answer.
  const cost = steps.nodeRules;
  const control: (string | undefined)[] = new Array<string | undefined>(n);
  const byKind: Map<number, FlowCut>[] = [];
  for (let v = 0; v < n; v++) {
    const gathered = cost[v]!;
    cost[v] = INF;
    // A step without a technique into v is never cut (FREE_LEVEL: likelihood 1, weight 0), so no
    // control on v cuts every way in; nor is one needed where no step enters.
    if ((gathered & UNCUTTABLE) !== 0 || gathered === 0) continue;
    const rules = (gathered & RULES_OVERFLOW) !== 0 ? -1 : gathered;
    const byMask = (byKind[tg.compKind[v]!] ??= new Map<number, FlowCut>());
    let best = rules < 0 ? undefined : byMask.get(rules);
    if (!best) {
      const rulesIn: string[] = [];
      for (let i = g.inStart[v]!; i < g.inStart[v + 1]!; i++) {
        const tech = techniqueOf(g.inEdges[i]!);
        if (tech && !rulesIn.includes(tech.rule)) rulesIn.push(tech.rule);
      }
      best = ctx.nodeCut(tg.model.components[v]!.kind, rulesIn);
      if (rules >= 0) byMask.set(rules, best);
    }
    cost[v] = best.cost;
    control[v] = best.id;
  }
  return { cost, control };
}

const CUT_CANDIDATES = [...BUILTIN_CONTROL_BY_ID.values()].filter((c) => c.effect === "cut");
/** In `StepArrays.nodeRules`: a step without a technique enters the node (the sign bit). */
const UNCUTTABLE = 1 << 31;
/** In `StepArrays.nodeRules`: a rule beyond the mask's 30 bits steps into the node. */
const RULES_OVERFLOW = 1 << 30;

/**
 * Answers that depend on a rule, a control name, a control list or a code combination only, not on
 * the step: computed once each, for one model and rule set.
 */
class StepRules {
  readonly rulesById: ReadonlyMap<string, Rule>;
  /** What a step's technique asks of its receiver, per component (`receiverCodes`). */
  readonly receiver: Int8Array;
  private readonly model: ResolvedModel;
  private readonly costs = new Map<string, number>();
  private readonly flowCutByRule = new Map<string, FlowCut>();
  private readonly mitigates = new Map<string, Map<string, boolean>>();
  private readonly counted = new Map<string, Map<string, number>>();
  private lastRule: string | undefined;
  private lastCounted: Map<string, number> | undefined;
  private readonly knowns: StepKnown[] = [];
  private readonly ruleBit = new Map<string, number>();
  // What each step code combination decides (`placeOf`): the table is indexed by `labelSteps`'s key.
  // (Kept: 1.5 MB whatever the model's size, which given back would be a peak above the paths'
  // arrays of a small model.)
  private readonly knownAt = scratchI32(STEP_KEYS);
  // The tables below serve `labelSteps` alone: taken when it starts (`openLabels`) and given back
  // with its own codes when it ends (`closeLabels`), so that none lies under the rest of the
  // analysis. Typed, with the answers in a list of those met: a list per component and per flow of
  // the last answer and its rule was 56 MB of large JavaScript arrays at 1M components, garbage
  // after the labelling but kept until a full collection, which the analysis does not reach.
  // Per component and per flow, the bits of the rules that count a control it declares (`markCounted`).
  private nodeCounted: Int32Array = NO_I32;
  private flowCounted: Int32Array = NO_I32;
  // Per component, three bit sets over the same rules (interleaved: the three of a receiver in one
  // cache line): the rule counts a cutting control it declares, one lowering control, a
  // second. From the graph's users of each control name (`markCounted`), so that a step whose flow
  // the rule counts nothing of is labelled without reading its receiver's object (`nodeCountsOf`).
  private nodeCounts: Int32Array = NO_I32;
  // Whether the tables above and below are taken: asked outside, they would drop marks silently.
  private labelling = false;
  // The last `applying` answer per component: its rule's bit + 1 (0: none), and 1 + its place in
  // `nodeAnswers` (0: none yet; each component keeps its place).
  private nodeRuleBit: Int8Array = NO_I8;
  private nodeAt: Int32Array = NO_I32;
  private nodeAnswers: Applied[] = [];
  // The last flow's answer with its rule: a flow's steps are adjacent in id order (its own step, then
  // its result), and no other step has its controls, so one entry finds every answer a list per
  // flow found.
  private lastFlow = -1;
  private lastFlowRule: string | undefined;
  private lastFlowApplied: Applied = NOT_APPLIED;
  private readonly llm: (c: Component) => boolean;

  constructor(
    private readonly tg: ThreatGraph,
    rules: readonly Rule[],
  ) {
    this.model = tg.model;
    this.rulesById = new Map(rules.map((r) => [r.meta.id, r]));
    this.receiver = receiverCodes(tg);
    const receiver = this.receiver;
    this.llm = (c) => (receiver[c.index]! & RECEIVER_LLM) !== 0;
  }

  /** Takes the labelling's tables (`labelSteps` gives them back with its own scratch). */
  openLabels(): void {
    const model = this.model;
    this.nodeCounted = scratchI32(model.components.length);
    this.flowCounted = scratchI32(model.flows.length);
    this.nodeCounts = scratchI32(NODE_COUNTS * model.components.length);
    this.nodeRuleBit = scratchI8(model.components.length);
    this.nodeAt = scratchI32(model.components.length);
    this.labelling = true;
    // Each step rule's bit, and its counted controls marked, before any step is labelled: one pass
    // per control name for every rule counting it (a pass per name per rule before).
    for (const rule of STEP_RULES) if (!this.ruleBit.has(rule)) this.ruleBit.set(rule, this.ruleBit.size);
    this.markCounted();
  }

  /** Drops the labelling's tables: `placeOf` and `appliedOn` must not be asked after this. */
  closeLabels(): void {
    this.labelling = false;
    this.nodeCounted = this.flowCounted = this.nodeAt = this.nodeCounts = NO_I32;
    this.nodeRuleBit = NO_I8;
    this.nodeAnswers = [];
    this.lastFlow = -1;
    this.lastFlowRule = undefined;
    this.lastFlowApplied = NOT_APPLIED;
  }

  /** What each code combination met decides, by its place (`placeOf`). */
  get table(): readonly StepKnown[] {
    return this.knowns;
  }

  /**
   * The place in `table` of what the step's code combination `key` decides (computed from this step
   * the first time).
   */
  placeOf(key: number, facts: Facts, f: number, a: number, b: number, returning: boolean): number {
    // A table read per step, not a map lookup: 1 + the place in `knowns`, 0 for a new combination.
    const i = this.knownAt[key]!;
    return i !== 0 ? i - 1 : this.learn(key, facts, f, a, b, returning);
  }

  private learn(key: number, facts: Facts, f: number, a: number, b: number, returning: boolean): number {
    const { tg, ruleBit } = this;
    const comps = this.model.components;
    const tech = stepTechnique(tg, facts, this.model.flows[f]!, comps[a]!, comps[b]!, returning, this.llm);
    let bit = -1;
    if (tech) {
      // Every step rule has its bit, and its controls marked, from `openLabels` (STEP_RULES lists the
      // rule of every technique `stepTechnique` gives): one without would be labelled unmarked.
      const b = ruleBit.get(tech.rule);
      if (b === undefined) throw new Error(`step rule ${tech.rule} is not in STEP_RULES`);
      bit = b;
    }
    const k: StepKnown = tech
      ? {
          tech,
          maturity: maturityLikelihood(tech.technique),
          wayOut: -Math.log(maturityLikelihood(tech.technique)),
          cut: this.flowCutFor(tech.rule),
          bit,
        }
      : { tech: undefined, maturity: 1, wayOut: 0, cut: NO_CUT, bit };
    // A step keeps its place in two bytes (`StepArrays.known`): a few hundred combinations occur.
    if (this.knowns.length > 0xffff) throw new Error("more step code combinations than a step's place holds");
    this.knowns.push(k);
    this.knownAt[key] = this.knowns.length;
    return this.knowns.length - 1;
  }

  costOf(name: string): number {
    let c = this.costs.get(name);
    if (c === undefined) this.costs.set(name, (c = controlCost(this.model, name)));
    return c;
  }

  /** The cheapest control that cuts a step of `rule` on its flow. */
  private flowCutFor(rule: string): FlowCut {
    let best = this.flowCutByRule.get(rule);
    if (best) return best;
    best = NO_CUT;
    const mitigations = this.rulesById.get(rule)?.meta.mitigations ?? [];
    for (const c of CUT_CANDIDATES) {
      if (!mitigations.includes(c.id) || !canPlace(c.id, "flow")) continue;
      const cost = this.costOf(c.id);
      if (cost < best.cost || (cost === best.cost && c.id < (best.id ?? "~"))) best = { cost, id: c.id };
    }
    this.flowCutByRule.set(rule, best);
    return best;
  }

  /** The cheapest control on a component of `kind` that every rule of `rulesIn` lists. */
  nodeCut(kind: Component["kind"], rulesIn: readonly string[]): FlowCut {
    let found = NO_CUT;
    for (const c of CUT_CANDIDATES) {
      if (!canPlace(c.id, kind)) continue;
      if (!rulesIn.every((r) => this.rulesById.get(r)?.meta.mitigations.includes(c.id))) continue;
      const cost = this.costOf(c.id);
      if (cost < found.cost) found = { cost, id: c.id };
    }
    return found;
  }

  /** Per control name, how `rule` counts it (`countedAs`), filled as names are met. */
  private countedBy(rule: string): Map<string, number> {
    if (rule === this.lastRule) return this.lastCounted!;
    let m = this.counted.get(rule);
    if (!m) this.counted.set(rule, (m = new Map<string, number>()));
    this.lastRule = rule;
    return (this.lastCounted = m);
  }

  /** NOT_COUNTED, or whether the control that `rule` counts cuts (COUNTED_CUT) or lowers. */
  private countedAs(rule: string, control: string): number {
    if (!this.mitigatesCached(rule, control)) return NOT_COUNTED;
    return BUILTIN_CONTROL_BY_ID.get(control)?.effect === "cut" ? COUNTED_CUT : COUNTED_LOWERING;
  }

  private mitigatesCached(rule: string, control: string): boolean {
    let byControl = this.mitigates.get(rule);
    if (!byControl) this.mitigates.set(rule, (byControl = new Map<string, boolean>()));
    let r = byControl.get(control);
    if (r === undefined)
      byControl.set(control, (r = mitigatesRule(this.model, this.rulesById, rule, control)));
    return r;
  }

  /**
   * Which of a control list's controls a rule counts, whether one cuts and how many lower. A
   * component's or a flow's own list serves all its steps: the last answer is kept per list (by node
   * or flow index) with its rule, so the usual repeat costs two array reads, and no list or map is
   * made per step.
   */
  private applying(uses: readonly ControlUse[], rule: string): Applied {
    let list: ControlUse[] | undefined;
    let cut = false;
    let lowering = 0;
    // One lookup per control: whether the rule counts it and whether it cuts (`countedBy`).
    const counted = this.countedBy(rule);
    for (let i = 0; i < uses.length; i++) {
      const use = uses[i]!;
      let how = counted.get(use.name);
      if (how === undefined) counted.set(use.name, (how = this.countedAs(rule, use.name)));
      if (how === NOT_COUNTED || (list ? named(list, use.name) : named(uses, use.name, i))) {
        // The first control skipped: the counted ones so far become their own list.
        list ??= uses.slice(0, i);
        continue;
      }
      list?.push(use);
      if (how === COUNTED_CUT) cut = true;
      else lowering++;
    }
    const applied = list === undefined ? uses : list;
    return applied.length === 0 ? NOT_APPLIED : { applied, cut, lowering };
  }

  /** A call's controls with the calling agent's `human_approval` (declared or implied), when `rule` counts it. */
  withCallerApproval(onStep: Applied, agent: number, rule: string): Applied {
    const approval = this.model.components[agent]!.controls.find((u) => u.name === "human_approval");
    if (!approval || !this.mitigatesCached(rule, approval.name) || named(onStep.applied, approval.name))
      return onStep;
    // Its effect read from the catalog, as `applying` reads every control's.
    const cuts = BUILTIN_CONTROL_BY_ID.get(approval.name)?.effect === "cut";
    return {
      applied: [...onStep.applied, approval],
      cut: onStep.cut || cuts,
      lowering: cuts ? onStep.lowering : onStep.lowering + 1,
    };
  }

  /**
   * Marks, with each rule's bit (`ruleBit`), the components and flows that declare a control the rule
   * counts: from the graph's users of each control name, so that an element declaring none is
   * answered without reading its object (at 1M components half of them declare controls, and the
   * reads were most of the steps' labelling). One pass over a name's users marks every step rule
   * (`STEP_RULES`) counting it. Rules of bit 31 and beyond are not marked: every list is read for them.
   */
  private markCounted(): void {
    this.mustBeLabelling();
    for (const [name, users] of this.tg.controlUsers) {
      let m = 0;
      for (const rule of STEP_RULES) {
        const bit = this.ruleBit.get(rule)!;
        if (bit < 31 && this.mitigatesCached(rule, name)) m |= 1 << bit;
      }
      if (m === 0) continue;
      for (const f of users.flows) this.flowCounted[f]! |= m;
      this.countAtNodes(users.comps, BUILTIN_CONTROL_BY_ID.get(name)?.effect === "cut", m);
    }
  }

  /**
   * Marks the rules of bit set `m` as counting one control name at its users (`comps`, in the order
   * the graph listed them: a component that declares the name twice is listed twice in a row, and
   * `applying` counts a name once): a cutting one, else per rule the first or second lowering one.
   */
  private countAtNodes(comps: Int32Array, cuts: boolean, m: number): void {
    const counts = this.nodeCounts;
    const counted = this.nodeCounted;
    for (let i = 0; i < comps.length; i++) {
      const v = comps[i]!;
      if (i > 0 && comps[i - 1] === v) continue;
      counted[v]! |= m;
      const at = NODE_COUNTS * v;
      if (cuts) counts[at]! |= m;
      else {
        // The rules that counted one lowering control here count a second; the others a first.
        counts[at + 2]! |= counts[at + 1]! & m;
        counts[at + 1]! |= m;
      }
    }
  }

  /**
   * `appliedAtNode(v, rule, bit)`'s cut and lowering (at most two counted) without its list, from
   * `markCounted`'s counts: COUNTS_CUT, plus the lowering controls counted. Only for bits below 31
   * (`markCounted` marks no others).
   */
  nodeCountsOf(v: number, bit: number): number {
    this.mustBeLabelling();
    const m = 1 << bit;
    if ((this.nodeCounted[v]! & m) === 0) return 0;
    const at = NODE_COUNTS * v;
    const counts = this.nodeCounts;
    return (
      ((counts[at]! & m) !== 0 ? COUNTS_CUT : 0) +
      ((counts[at + 1]! & m) !== 0 ? 1 : 0) +
      ((counts[at + 2]! & m) !== 0 ? 1 : 0)
    );
  }

  /** Whether the rule of `bit` (below 31) counts a control flow f declares (`flowCounted`). */
  flowCounts(f: number, bit: number): boolean {
    return (this.flowCounted[f]! & (1 << bit)) !== 0;
  }

  private appliedAtNode(v: number, rule: string, bit: number): Applied {
    if (bit < 31 && (this.nodeCounted[v]! & (1 << bit)) === 0) return NOT_APPLIED;
    // (A rule's bit is its own: ruleBit. Beyond the byte's range nothing is kept.)
    if (bit >= 126) return this.applying(this.model.components[v]!.controls, rule);
    const at = this.nodeAt[v]!;
    if (at !== 0 && this.nodeRuleBit[v] === bit + 1) return this.nodeAnswers[at - 1]!;
    const applied = this.applying(this.model.components[v]!.controls, rule);
    this.nodeRuleBit[v] = bit + 1;
    if (at !== 0) this.nodeAnswers[at - 1] = applied;
    else this.nodeAt[v] = this.nodeAnswers.push(applied);
    return applied;
  }

  private appliedAtFlow(f: number, rule: string, bit: number): Applied {
    if (bit < 31 && (this.flowCounted[f]! & (1 << bit)) === 0) return NOT_APPLIED;
    if (this.lastFlow === f && this.lastFlowRule === rule) return this.lastFlowApplied;
    this.lastFlow = f;
    this.lastFlowRule = rule;
    return (this.lastFlowApplied = this.applying(this.model.flows[f]!.controls, rule));
  }

  /**
   * A step's controls: its flow's, then its receiver's not named already (as one list would give).
   * `nodeControls`: whether the receiver declares any (`compControls[v] !== 0`, from the caller's code).
   */
  appliedOn(f: number, v: number, rule: string, bit: number, nodeControls: boolean): Applied {
    this.mustBeLabelling();
    const onFlow = this.tg.flowControls[f] ? this.appliedAtFlow(f, rule, bit) : NOT_APPLIED;
    const onNode = nodeControls ? this.appliedAtNode(v, rule, bit) : NOT_APPLIED;
    return this.merged(onFlow, onNode);
  }

  /**
   * `appliedOn` without the labelling's tables (after `closeLabels`): each list read again. The same
   * answer, since the tables only skip lists the rule counts nothing of and keep answers.
   */
  appliedAsked(f: number, v: number, rule: string): Applied {
    const onFlow = this.tg.flowControls[f] ? this.applying(this.model.flows[f]!.controls, rule) : NOT_APPLIED;
    const onNode = this.tg.compControls[v]
      ? this.applying(this.model.components[v]!.controls, rule)
      : NOT_APPLIED;
    return this.merged(onFlow, onNode);
  }

  /** A programming error, not bad input: the labelling's tables are asked outside `labelSteps`. */
  private mustBeLabelling(): void {
    if (!this.labelling) throw new Error("StepRules: the labelling's tables are asked outside labelSteps");
  }

  private merged(onFlow: Applied, onNode: Applied): Applied {
    if (onNode === NOT_APPLIED) return onFlow;
    if (onFlow === NOT_APPLIED) return onNode;
    const applied = onFlow.applied.slice();
    let { cut, lowering } = onFlow;
    for (const use of onNode.applied) {
      if (named(applied, use.name)) continue;
      applied.push(use);
      if (BUILTIN_CONTROL_BY_ID.get(use.name)?.effect === "cut") cut = true;
      else lowering++;
    }
    return { applied, cut, lowering };
  }
}

/** Numbers per component in `StepRules.nodeCounts` (cut, first and second lowering). */
const NODE_COUNTS = 3;
/** In `nodeCountsOf`'s answer: a counted control cuts. */
const COUNTS_CUT = 4;

/** How a rule counts a declared control (`StepRules.countedAs`). */
const NOT_COUNTED = 0;
const COUNTED_CUT = 1;
const COUNTED_LOWERING = 2;

/** In a receiver code: the component consumes content with an LLM (beside `receiverSides`, below 8). */
export const RECEIVER_LLM = 8;

/** Per component: RECEIVER_LLM when it is an LLM consumer, plus its `receiverSides` (exported for tests). */
export function receiverCodes(tg: ThreatGraph): Int8Array {
  const n = tg.model.components.length;
  const out = scratchI8(n);
  // From the kinds and the graph's prop bits (`ThreatGraph.compProps`), reading no object: what
  // `isLlmConsumer` and `receiverSides` answer of each kind (test/analysis/agents-reach.test.ts holds them
  // equal). Other kinds are neither LLM consumers nor have a side: their code is 0.
  const { compKind, compProps } = tg;
  for (let v = 0; v < n; v++) {
    const kind = compKind[v]!;
    const props = compProps[v]!;
    if (kind === AGENT) out[v] = RECEIVER_LLM;
    else if (kind === VECTORSTORE) out[v] = 1;
    else if (kind === MODEL) out[v] = (props & COMP_PROP.GENERATIVE) !== 0 ? RECEIVER_LLM : 0;
    else if (kind === PROVIDER) out[v] = (props & COMP_PROP.LLM_API) !== 0 ? RECEIVER_LLM : 0;
    else if (kind === DATASET) out[v] = (props & COMP_PROP.RAG) !== 0 ? 1 : 2;
    else if (kind === PIPELINE)
      out[v] = (props & COMP_PROP.INDEXING) !== 0 ? 1 : (props & COMP_PROP.TRAINING) !== 0 ? 2 : 0;
  }
  // An endpoint has no side, and is an LLM consumer when a generative model serves it (a `serve` or
  // `deploy` flow into it from one).
  const { inStart, inEdges, edgeFrom } = tg.csr;
  for (const v of tg.byKind.get("endpoint") ?? [])
    for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
      const f = inEdges[i]!;
      if (tg.flowKind[f] !== SERVE && tg.flowKind[f] !== DEPLOY) continue;
      const m = edgeFrom[f]!;
      if (compKind[m] === MODEL && (compProps[m]! & COMP_PROP.GENERATIVE) !== 0) {
        out[v] = RECEIVER_LLM;
        break;
      }
    }
  return out;
}
const VECTORSTORE = COMPONENT_KIND_CODE.get("vectorstore");
const PROVIDER = COMPONENT_KIND_CODE.get("provider");
const DATASET = COMPONENT_KIND_CODE.get("dataset");
const PIPELINE = COMPONENT_KIND_CODE.get("pipeline");
const SERVE = FLOW_KIND_CODE.get("serve");
const DEPLOY = FLOW_KIND_CODE.get("deploy");
const MODEL = COMPONENT_KIND_CODE.get("model");

/**
 * The attack targets of the crown jewels. Given `wayOut` (1 where a component reaches an observable
 * sink over way-out steps), disclosure targets keep only the readers that do. A
 * reader that only a step turns is named by its turned node (`AttackGraph.turnedNode`).
 */
export function buildTargets(
  tg: ThreatGraph,
  facts: Facts,
  turning: Pick<AttackGraph, "turnable" | "turnedNode" | "canExfiltrate">,
  wayOut?: Uint8Array,
): AttackTarget[] {
  const { turnable, turnedNode, canExfiltrate } = turning;
  const model = tg.model;
  const g = facts.info;
  const n = g.nodeCount;
  // Holders of each crown-jewel data asset: components that declare it or send it on a flow (only
  // the crown jewels' assets are collected; a model has far more data than crown jewels).
  const isCrownData = scratchU8(model.data.length);
  for (const c of model.crownJewels) if (c.subject.type === "data") isCrownData[c.subject.index] = 1;
  // A holder may be listed more than once (it holds the asset and sends it): the seeds of a search,
  // and an influence target's list is made unique when sorted.
  const holders = new Map<number, number[]>();
  const hold = (d: number, v: number) => {
    let s = holders.get(d);
    if (!s) holders.set(d, (s = []));
    s.push(v);
  };
  // Only elements that hold or carry anything are read (the typed flags spare a walk over every
  // object); a component holding only unclassified data has no rank, so then every one is read.
  const ranked = model.crownJewels.every(
    (c) => c.subject.type !== "data" || model.data[c.subject.index]?.classification !== undefined,
  );
  for (let v = 0; v < n; v++)
    if (!ranked || tg.heldRank[v]! >= 0)
      for (const d of model.components[v]!.holds) if (isCrownData[d]) hold(d, v);
  // The flows' `carries` are read once, for the holders here and the readers' naming flows.
  const named = namedCarries(tg, isCrownData);
  for (let k = 0; k < named.flows.length; k++)
    for (let j = named.start[k]!; j < named.start[k + 1]!; j++)
      hold(named.data[j]!, tg.csr.edgeFrom[named.flows[k]!]!);
  // Readers are inner components an attacker must turn: people, and front doors that deliver data to
  // their own user (a public endpoint, an outside source), receive data by design, not by a leak;
  // and a component nothing turns (`turnable`) only passes content on.
  const reader = scratchU8(n);
  for (let v = 0; v < n; v++)
    reader[v] =
      canExfiltrate[v] === 1 &&
      turnable[v] === 1 &&
      (facts.entry[v]! & UNTRUSTED_CONTENT) === 0 &&
      tg.compKind[v] !== ACTOR &&
      (wayOut === undefined || wayOut[v] === 1)
        ? 1
        : 0;
  const confidentialData = model.crownJewels
    .filter((c) => c.subject.type === "data" && c.properties.includes("confidentiality"))
    .map((c) => c.subject.index);
  // Each readers' group with its turned readers named by their turned nodes, made so (not copied).
  const readers = dataReaders(tg, facts, [...new Set(confidentialData)], holders, reader, named, turnedNode);

  // Kept lists (influence targets, a component's readers) are marked 32 to a group, per mode.
  const out: (AttackTarget | undefined)[] = [];
  const pending = { influence: [] as Pending[], disclosure: [] as Pending[] };
  for (const crown of model.crownJewels) {
    for (const property of crown.properties) {
      const mode = property === "confidentiality" ? "disclosure" : "influence";
      let nodes: number[];
      if (crown.subject.type === "component") {
        const v = crown.subject.index;
        if (property !== "confidentiality") nodes = [v];
        else {
          const r = new Set<number>([v]);
          for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) r.add(g.edgeTo[g.outEdges[i]!]!);
          nodes = [...r]
            .filter((w) => reader[w] === 1)
            .map((w) => (turnedNode[w]! >= 0 ? turnedNode[w]! : w))
            .sort((a, b) => a - b);
        }
      } else {
        const d = crown.subject.index;
        if (property === "confidentiality") {
          const marks = readers.get(d);
          const group = marks ? marks.group : NO_TARGET;
          out.push(new MarkedTarget(crown, property, mode, group, marks?.bit ?? 0));
          continue;
        }
        nodes = uniqueSorted(holders.get(d) ?? []);
      }
      pending[mode].push({ at: out.length, crown, property, nodes });
      out.push(undefined);
    }
  }
  for (const mode of ["influence", "disclosure"] as const) {
    const list = pending[mode];
    for (let b = 0; b < list.length; b += 32) {
      const batch = list.slice(b, b + 32);
      const group = TargetGroup.ofLists(batch.map((p) => p.nodes));
      batch.forEach((p, bit) => {
        out[p.at] = {
          crown: p.crown,
          property: p.property,
          mode,
          nodes: p.nodes,
          group,
          bit,
          size: p.nodes.length,
          listed: true,
        };
      });
    }
  }
  return out as AttackTarget[];
}

/** The distinct numbers of `list`, ascending (a new list). */
function uniqueSorted(list: readonly number[]): number[] {
  const sorted = list.slice().sort((a, b) => a - b);
  let k = 0;
  for (let i = 0; i < sorted.length; i++)
    if (i === 0 || sorted[i] !== sorted[i - 1]) sorted[k++] = sorted[i]!;
  sorted.length = k;
  return sorted;
}

/** A target kept as a list until its group is made. */
interface Pending {
  readonly at: number;
  readonly crown: CrownJewel;
  readonly property: Cia;
  readonly nodes: number[];
}

/** The group of an asset no component reads. */
const NO_TARGET = TargetGroup.ofLists([]);
