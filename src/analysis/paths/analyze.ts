import { currentArena, inArena, type Arena, scratchI32, scratchU16, scratchU8 } from "../../graph/arena.js";
import { reachFinite } from "../../graph/compact.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import { ENTRY_BIT, ENTRY_CLASSES, type EntryClass, type Facts } from "../facts.js";
import type { Rule } from "../rule.js";
import { listedUpTo } from "../../words.js";
import { trustRank } from "../../semantic/vocabulary.js";
import {
  buildAttackGraph,
  buildTargets,
  openSinks,
  type AttackGraph,
  type AttackTarget,
  type CutTarget,
} from "./attack-graph.js";
import { adjacency, padded } from "./adjacency.js";
import { DijkstraWorkspace, byDistance, fewestStepsOn, type ShortestPaths } from "./dijkstra.js";
import {
  DominatorScratch,
  commonDominator,
  dominatorChain,
  dominatorsOn,
  type DominatorTree,
} from "./dominators.js";
import { CLASS_COUNT, classAnswers, exposureCells, exposureCounts, type Groups } from "./exposure.js";
import { CutSolver, withUncuttable } from "./min-cut.js";
import type { AttackPath, CutReport, ExposureCell, PathAnalysis, PathStep, TargetReport } from "./model.js";
import { condense, type Condensation } from "./scc.js";
import { ShareWorkspace } from "./soft-chokepoints.js";
import { byGroup, nodesInOrder, type TargetGroup } from "./target-groups.js";
import { componentOf, usableGraph, type UsableGraph } from "./usable.js";

/** What to compute. */
export interface PathOptions {
  /** Paths listed per target (default 5). */
  readonly k?: number;
  /** Only targets whose crown jewel has this name. */
  readonly to?: string;
  /** Only entries of these classes, or this entry component. */
  readonly fromClasses?: readonly EntryClass[];
  readonly fromEntry?: number;
  /** Targets (most exposed first) that get their own cut and soft chokepoints (default 20). */
  readonly detailLimit?: number;
  /**
   * Called as each phase ends, so a benchmark can time the queries apart (bench/analysis.ts). It runs
   * inside the analysis's scratch arena: a path kernel it called would get arrays a later phase reuses.
   */
  readonly mark?: (phase: PathPhase) => void;
  /** Bytes of scratch reserved up front (default: `scratchBytes` of the model's size; tests vary it). */
  readonly scratchBytes?: number;
  /** Called with the arena after the analysis, so a benchmark can tell how much of it was used. */
  readonly scratchUsed?: (arena: Arena) => void;
}

/** The phases of `analyzePaths`, in the order they run. */
export type PathPhase =
  | "index"
  | "condensation"
  | "dominators"
  | "exposure"
  | "top-k"
  | "soft-chokepoints"
  | "min-cut"
  | "cuts-per-target";

/**
 * Answers every path question from one index: exposure matrix (bit-parallel reachability over the SCC
 * condensation + one Dijkstra per entry class), top-k distinct paths (a backward Dijkstra per target
 * that stops after k entries), must-pass chokepoints (dominator trees per entry class, and a
 * post-dominator tree for the way out), soft chokepoints (path counting on the condensation) and the
 * cheapest cut (max-flow). Paths are never enumerated. Scratch arrays come from one buffer reserved
 * up front, so the collector is not started by every 64 MB of them (graph/arena.ts, ADR 0011).
 */
export function analyzePaths(
  tg: ThreatGraph,
  facts: Facts,
  rules: readonly Rule[],
  options: PathOptions = {},
): PathAnalysis {
  const bytes = scratchFor(tg.model.components.length, tg.model.flows.length, options);
  // An arena in scope with room enough (compile's, reserved for the paths and then the rules) is
  // taken from its top and given back whole: one reservation, whose pages the rules reuse after.
  const shared = currentArena();
  if (shared && !options.scratchUsed && shared.capacity - shared.used >= bytes) {
    const mark = shared.mark();
    try {
      return analyzeInArena(shared, tg, facts, rules, options);
    } finally {
      shared.release(mark);
    }
  }
  return inArena(bytes, (arena) => analyzeInArena(arena, tg, facts, rules, options), options.scratchUsed);
}

/**
 * The scratch a whole analysis takes, in bytes, from n components and m flows: measured on the
 * generated models (bench/README.md), with room to spare; what does not fit is allocated apart.
 */
export function scratchBytes(n: number, m: number): number {
  return 2000 * n + 200 * m + (1 << 20);
}

/** The scratch an analysis with these options reserves: theirs, else `scratchBytes`. */
export function scratchFor(n: number, m: number, options: PathOptions): number {
  return options.scratchBytes ?? scratchBytes(n, m);
}

function analyzeInArena(
  arena: Arena,
  tg: ThreatGraph,
  facts: Facts,
  rules: readonly Rule[],
  options: PathOptions,
): PathAnalysis {
  const k = options.k ?? 5;
  const detailLimit = options.detailLimit ?? 20;
  // (Its steps' controls asked for the listed paths only, not listed per step.)
  const ag = buildAttackGraph(tg, facts, rules, false, false);
  const ug = usableGraph(ag);
  // Nodes of the usable graph: the components, then the turned nodes (usable.ts).
  const n = ug.g.nodeCount;
  const notes: string[] = [];

  const classes = options.fromClasses ?? ENTRY_CLASSES;
  let allowedBits = 0;
  for (const c of classes) allowedBits |= ENTRY_BIT[c];
  const { entryAllowed, entries } = allowedEntries(
    n,
    ag.entries,
    facts.entry,
    allowedBits,
    options.fromEntry,
  );
  // Each class's entries listed once (the exposure and the dominator trees ask for them; a filter of
  // every entry per question read the entry bits of 286,000 entries a dozen times at 1M).
  const entryLists = new Map<EntryClass, number[]>();
  const entriesOf = (cls: EntryClass): number[] => {
    let list = entryLists.get(cls);
    if (!list) entryLists.set(cls, (list = entries.filter((v) => facts.entry[v]! & ENTRY_BIT[cls])));
    return list;
  };
  const classesOf = (v: number) =>
    ENTRY_CLASSES.filter((c) => facts.entry[v]! & ENTRY_BIT[c] && classes.includes(c));

  const sinks = openSinks(ag);
  const mark = options.mark ?? (() => {});
  // Disclosure targets: the readers of the asset with a way out (a path of way-out steps to an
  // observable sink, which is what a finite way-out distance below means).
  // (Kept for the cut solver, which needs the same reach.)
  const toSinks = reachFinite(ag.g, sinks, ag.exfilWeight, true);
  const targets: AttackTarget[] = buildTargets(tg, facts, ag, toSinks).filter(
    (t) => options.to === undefined || t.crown.name === options.to,
  );
  // Scratch from here to the cut is released before the cut network is built (nothing after needs
  // it: the searches' arrays below, about 200 MB at 1M components, were kept through the cut while
  // the targets were built after them), and the exposure's own scratch when the exposure is done.
  const afterTargets = arena.mark();

  // The way out: the most likely path from every node to an observable sink.
  // Searched on the whole attack graph with the way-out weights: a step the influence leg cannot use
  // (an injection cut at an agent) can still carry data out.
  // Each direction's steps in slot order, shared by every search below (see adjacency.ts).
  // Each usable step's likelihood level (two bytes a step, given back before the cut with the rest).
  const level = usableLevels(ug, ag);
  const forward = adjacency(ug.g, "forward", ag.levelWeight, level);
  const backward = adjacency(ug.g, "backward", ag.levelWeight, level);
  // (Over the usable graph's nodes: a turned node's way out is its component's, copied after.)
  const outBackward = padded(adjacency(ag.g, "backward", ag.exfilWeight), n);
  const exfil = new DijkstraWorkspace(n);
  exfil.search(outBackward, sinks, () => 0);
  toTurned(ug, exfil.dist);
  toTurned(ug, exfil.via);

  mark("index");
  const cond = condense(ug.g);
  mark("condensation");
  const groups = byGroup(targets);
  const anyDisclosure = targets.some((t) => t.mode === "disclosure");
  // Must-pass chokepoints: each tree's chain above every target's common dominator. Before the
  // exposure, so that the trees' scratch lies on the index and the condensation alone (after the
  // top-k it lay on the exposure's and the top-k's arrays too, and set the arena's high water), and
  // one tree at a time: each is read for its targets' chains and given back before the next (five
  // trees and their climb stamps, 12 bytes a node each, were all kept through the phase). A class
  // that reaches none of a target's nodes gets no chokepoints for it (filtered by the counts below).
  const beforeDominators = arena.mark();
  const scratch = new DominatorScratch(n, Math.max(forward.node.length, outBackward.node.length));
  // Each group's slot lists, shared by every tree (see commonDominators), listed below the trees.
  const slotLists = slotListsOf(targets, groups);
  const component = (v: number) => componentOf(ug, v);
  const chainsOn = (tree: DominatorTree, keep: (ti: number) => boolean): (number[] | undefined)[] => {
    const lca = commonDominators(tree, targets, groups, slotLists);
    return targets.map((t, ti) => {
      if (!keep(ti)) return undefined;
      // A chokepoint is a place for a control: not the crown jewel's own nodes (nor a turned
      // reader's component), and not a component in an untrusted zone (the outsider, the web
      // page), which a path from it always crosses. (commonDominator skips the nodes the tree does
      // not reach.)
      const outside = (v: number) => !inTarget(ag, t, v) && tg.trust[componentOf(ug, v)] !== UNTRUSTED;
      return lca[ti]! < 0 ? [] : dominatorChain(tree, lca[ti]!).filter(outside).map(component);
    });
  };
  const classChains = new Map<EntryClass, (number[] | undefined)[]>();
  for (const cls of classes) {
    const seeds = entriesOf(cls);
    if (seeds.length === 0) continue;
    const treeMark = arena.mark();
    classChains.set(
      cls,
      chainsOn(dominatorsOn(forward, seeds, scratch), () => true),
    );
    arena.release(treeMark);
  }
  let exfilChains: (number[] | undefined)[] | undefined;
  if (anyDisclosure) {
    const treeMark = arena.mark();
    const postDom = turnedUnder(ug, dominatorsOn(outBackward, sinks, scratch));
    exfilChains = chainsOn(postDom, (ti) => targets[ti]!.mode === "disclosure");
    arena.release(treeMark);
  }
  arena.release(beforeDominators);
  mark("dominators");
  // Exposure: which targets the entries of each class reach, and how well (exposure.ts).
  const counts = exposureCounts(cond, targets.length, groups, entries, facts.entry, allowedBits);
  const anyCount = counts.any;
  const search = new DijkstraWorkspace(n);
  const beforeExposure = arena.mark();
  const answers = classAnswers(forward, classes, entriesOf, search);
  const exposures = exposureCells(targets, groups, {
    classes,
    answers,
    counts,
    ag,
    usable: ug.g,
    exfilDist: exfil.dist,
    exfilHops: anyDisclosure ? toTurned(ug, fewestStepsOn(outBackward, sinks)) : undefined,
    exfilVia: exfil.via,
  });
  arena.release(beforeExposure);
  mark("exposure");
  const topK = new Array<AttackPath[]>(targets.length);
  // Readers of data assets are taken as seeds in (way-out distance, node) order from one list of
  // every node with a way out, filtered by the group's marks: never listed per crown jewel.
  let wayOutOrder: Int32Array | undefined;
  const slotOf = scratchI32(n).fill(-1);
  const byExfil = (a: number, b: number) => exfil.dist[a]! - exfil.dist[b]! || a - b;
  for (const [group, members] of groups) {
    const first = targets[members[0]!.index]!;
    const marked = !first.listed;
    if (marked) {
      wayOutOrder ??= byDistance(exfil.dist);
      for (let i = 0; i < group.support.length; i++) slotOf[group.support[i]!] = group.slotAt[i]!;
    }
    for (const { index, bit } of members) {
      const t = targets[index]!;
      const disclosure = t.mode === "disclosure";
      const seedDist = disclosure ? (v: number) => exfil.dist[v]! : () => 0;
      const run = (onSettle: (v: number) => boolean) => {
        if (marked) {
          const accept = (v: number) => slotOf[v]! >= 0 && ((group.slotMask[slotOf[v]!]! >>> bit) & 1) === 1;
          search.searchOrdered(backward, wayOutOrder!, seedDist, accept, onSettle);
        } else {
          const order = disclosure ? [...t.nodes].sort(byExfil) : t.nodes;
          search.searchOrdered(backward, order, seedDist, () => true, onSettle);
        }
      };
      topK[index] = topPaths(tg, ag, ug, search, t, exfil, entryAllowed, k, classesOf, run);
    }
    if (marked) for (let i = 0; i < group.support.length; i++) slotOf[group.support[i]!] = -1;
  }
  const reports: TargetReport[] = targets.map((t, ti) => {
    const chokepoints = classes.flatMap((cls) => {
      const chain = classChains.get(cls)?.[ti];
      if (!chain || !counts.byClass[ti * CLASS_COUNT + ENTRY_CLASSES.indexOf(cls)]) return [];
      return [{ entryClass: cls, nodes: chain.reverse() }];
    });
    const exfilChokepoints = exfilChains?.[ti] ?? [];
    const paths = topK[ti]!;
    return {
      crown: t.crown.name,
      crownType: t.crown.subject.type,
      property: t.property,
      mode: t.mode,
      exposure: withListedSteps(exposures[ti]!, paths),
      paths,
      morePaths: Math.max(0, anyCount[ti]! - paths.length),
      chokepoints,
      exfilChokepoints,
    };
  });
  mark("top-k");

  // Detail for the most exposed targets: their own soft chokepoints and cut.
  const ranked = reports
    .map((r, i) => ({ i, best: Math.max(0, ...r.exposure.map((c) => c.bestLikelihood)) }))
    .filter((x) => x.best > 0)
    .sort((a, b) => b.best - a.best || a.i - b.i);
  if (ranked.length > detailLimit)
    notes.push(
      `soft chokepoints and cuts per crown jewel are computed for the ${detailLimit} most exposed of ${ranked.length} exposed targets`,
    );
  // A crown jewel that is itself an entry (a public-hub model marked for integrity) is exposed by
  // definition; no control inside the system cuts that, so cuts leave it out and say so.
  // (A disclosure through an entry can still be cut on its way out, so only influence targets drop them.)
  const cuttable = (t: AttackTarget): CutTarget =>
    t.mode === "influence"
      ? { mode: t.mode, nodes: t.nodes.filter((v) => !facts.entry[v]) }
      : { mode: t.mode, nodes: nodesOfTarget(t) };
  for (const t of targets) if (t.mode === "influence") notes.push(...entryHolderNote(tg, facts, t));
  const detail = ranked.slice(0, detailLimit).map(({ i }) => i);
  const softChokepoints = softChokepointsOf(cond, ug, entries, targets, groups, detail, reports);
  mark("soft-chokepoints");
  arena.release(afterTargets);
  // Disclosure questions read their targets' readers as one list, in the order a walk over every
  // target's own list would meet them (which numbers the network the same way).
  const readersOf = (list: readonly AttackTarget[]): CutTarget[] =>
    list.length === 0 ? [] : [{ mode: "disclosure", nodes: nodesInOrder(n, list) }];
  const solver = new CutSolver(
    tg.model,
    ag,
    ug,
    rules,
    sinks,
    readersOf(targets.filter((t) => t.mode === "disclosure")),
    toSinks,
  );
  const exposed = targets.filter((_, i) => anyCount[i]! > 0);
  const cut = solver.solve([
    ...exposed.filter((t) => t.mode === "influence").map(cuttable),
    ...readersOf(exposed.filter((t) => t.mode === "disclosure")),
  ]);
  mark("min-cut");
  // Influence questions first: each starts from a fresh flow on the network every question shares,
  // and the first disclosure question after them restores the whole-model question's flow, which
  // differs from it in the fewest links (min-cut.ts). Every question's answer is the same in any
  // order (test/analysis/min-cut.test.ts).
  const byMode = [
    ...detail.filter((i) => targets[i]!.mode === "influence"),
    ...detail.filter((i) => targets[i]!.mode === "disclosure"),
  ];
  for (const i of byMode)
    (reports[i] as { cut?: unknown }).cut = withEntryHolders(
      solver.solve([cuttable(targets[i]!)]),
      targets[i]!,
      facts,
    );
  mark("cuts-per-target");
  return {
    entries,
    targets: reports,
    cut,
    softChokepoints,
    notes,
  };
}

/** The entries asked about (of the classes in `allowedBits`, or the one entry), marked (of n nodes) and listed. */
function allowedEntries(
  n: number,
  all: Int32Array,
  entryBits: Uint8Array,
  allowedBits: number,
  only: number | undefined,
): { entryAllowed: Uint8Array; entries: number[] } {
  const entryAllowed = scratchU8(n);
  const entries: number[] = [];
  for (let i = 0; i < all.length; i++) {
    const v = all[i]!;
    if ((only !== undefined && v !== only) || (entryBits[v]! & allowedBits) === 0) continue;
    entryAllowed[v] = 1;
    entries.push(v);
  }
  return { entryAllowed, entries };
}

/**
 * Soft chokepoints of the detailed targets (written into their reports) and of every target at once.
 * Entries and targets never count as soft chokepoints: entries are marked once, each detailed
 * target's own nodes while it is asked about.
 */
function softChokepointsOf(
  cond: Condensation,
  ug: UsableGraph,
  entries: readonly number[],
  targets: readonly AttackTarget[],
  groups: Groups,
  detail: readonly number[],
  reports: readonly TargetReport[],
): { node: number; share: number }[] {
  const shares = new ShareWorkspace(cond, entries);
  const excluded = scratchU8(cond.comp.length);
  markAll(entries, excluded);
  for (const i of detail) {
    const nodes = nodesOfTarget(targets[i]!);
    markNew(ug, nodes, excluded);
    (reports[i] as { softChokepoints?: unknown }).softChokepoints = shares.top(nodes, excluded);
    unmarkNew(ug, nodes, excluded);
  }
  return shares.top(allTargetNodes(ug, groups, excluded), excluded);
}

/**
 * The note for an influence target an attacker entry is part of: a component crown jewel that is
 * itself an entry (a public endpoint, a public-hub model) is exposed by definition, and a data crown
 * jewel held by an entry (a third-party MCP server that handles the source code) is exposed in that
 * copy. No control inside the system cuts that, so cuts leave the entry out and say which it is.
 */
function entryHolderNote(tg: ThreatGraph, facts: Facts, t: AttackTarget): string[] {
  const at = t.nodes.filter((v) => facts.entry[v]);
  if (at.length === 0) return [];
  const crown = `\`${t.crown.name}\` (${t.property})`;
  if (t.crown.subject.type === "component")
    return [`${crown} is itself an attacker entry; cuts cannot protect it and leave it out`];
  const names = listedUpTo(
    at.map((v) => `\`${tg.model.components[v]!.name}\``),
    3,
  );
  const entries = at.length === 1 ? "an attacker entry" : "attacker entries";
  return [
    at.length < t.nodes.length
      ? `${crown} is also held by ${entries} (${names}), which no control inside the system can protect; cuts protect its other holders`
      : `${crown} is held only by ${entries} (${names}), which no control inside the system can protect; cuts leave it out`,
  ];
}

/**
 * A crown jewel's own cut with the attacker entries among its nodes (left out of the question) named
 * as uncuttable: no control inside the system cuts what an entry does to itself or to the copy it
 * holds, and "nothing to cut" read as "nothing to fear" for a public endpoint marked for availability
 * (rate limits and quotas, which lower the likelihood, are what help there). Answers are shared
 * between questions, so this is a new object.
 */
function withEntryHolders(cut: CutReport, t: AttackTarget, facts: Facts): CutReport {
  if (t.mode !== "influence") return cut;
  return withUncuttable(
    cut,
    t.nodes.filter((v) => facts.entry[v]),
  );
}

/** Whether node v is one of the target's nodes, or the component of one of its turned nodes. */
function inTarget(ag: AttackGraph, t: AttackTarget, v: number): boolean {
  if (t.group.has(v, t.bit)) return true;
  const turned = v < ag.turnedNode.length ? ag.turnedNode[v]! : -1;
  return turned >= 0 && t.group.has(turned, t.bit);
}

/** The likelihood level (`AttackGraph.stepLevel`) of each usable edge's step. */
function usableLevels(ug: UsableGraph, ag: AttackGraph): Uint16Array {
  const { original } = ug;
  const level = scratchU16(original.length);
  for (let e = 0; e < original.length; e++) level[e] = ag.stepLevel[original[e]!]!;
  return level;
}

/** Copies each component's answer to its turned node (`out` has a slot per usable-graph node). */
function toTurned<A extends Float64Array | Int32Array>(ug: UsableGraph, out: A): A {
  const { components, turned } = ug;
  for (let i = 0; i < turned.length; i++) out[components + i] = out[turned[i]!]!;
  return out;
}

/**
 * The way out's dominator tree with each turned node under its component: its way out is the
 * component's, so the component dominates it there (the tree holds the usable graph's nodes).
 */
function turnedUnder(ug: UsableGraph, tree: DominatorTree): DominatorTree {
  const { components, turned } = ug;
  const idom = tree.idom;
  const depth = tree.depth;
  for (let i = 0; i < turned.length; i++) {
    const v = turned[i]!;
    if (depth[v]! < 0) continue;
    idom[components + i] = v;
    depth[components + i] = depth[v]! + 1;
  }
  return tree;
}

/** `ThreatGraph.trust` of a component in an untrusted zone (trust ranks run from untrusted up). */
const UNTRUSTED = trustRank("untrusted");

function markAll(nodes: readonly number[], marks: Uint8Array): void {
  for (let i = 0; i < nodes.length; i++) marks[nodes[i]!] = 1;
}

/** A mark `markNew` set (a mark already there is 1, and stays). */
const NEW_MARK = 2;

/**
 * Marks the nodes not marked yet, and a turned node's component, as new (`unmarkNew` takes those
 * marks off again): no list of what it marked (up to half the model for a reader target).
 */
function markNew(ug: UsableGraph, nodes: ArrayLike<number>, marks: Uint8Array): void {
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]!;
    if (!marks[v]) marks[v] = NEW_MARK;
    if (v < ug.components) continue;
    const c = componentOf(ug, v);
    if (!marks[c]) marks[c] = NEW_MARK;
  }
}

/** Takes off the marks `markNew` set for the same nodes. */
function unmarkNew(ug: UsableGraph, nodes: ArrayLike<number>, marks: Uint8Array): void {
  for (let i = 0; i < nodes.length; i++) {
    const v = nodes[i]!;
    if (marks[v] === NEW_MARK) marks[v] = 0;
    if (v < ug.components) continue;
    const c = componentOf(ug, v);
    if (marks[c] === NEW_MARK) marks[c] = 0;
  }
}

/**
 * A target's nodes, ascending: a kept list as it is, a reader target's listed afresh in a typed
 * array (its `nodes` would keep a JavaScript list of up to half the model until a full collection).
 */
function nodesOfTarget(t: AttackTarget): ArrayLike<number> {
  return t.listed ? t.nodes : t.group.nodeArrayOf(t.bit);
}

/**
 * Every target's nodes once, each marked in `marks` too (a group's support may hold targets `--to`
 * left out: only the bits of the targets asked about count). Scratch, not a list: at 1M components
 * the list was a large array of half a million nodes, kept until a full collection.
 */
function allTargetNodes(ug: UsableGraph, groups: Groups, marks: Uint8Array): Int32Array {
  let size = 0;
  for (const [group] of groups) size += group.support.length;
  const out = scratchI32(size);
  let count = 0;
  const isTarget = scratchU8(marks.length);
  for (const [group, members] of groups) {
    let bits = 0;
    for (const m of members) bits |= 1 << m.bit;
    const { support, slotAt, slotMask } = group;
    for (let i = 0; i < support.length; i++) {
      const v = support[i]!;
      if ((slotMask[slotAt[i]!]! & bits) === 0 || isTarget[v]) continue;
      isTarget[v] = 1;
      out[count++] = v;
      marks[v] = 1;
      marks[componentOf(ug, v)] = 1;
    }
  }
  return out.subarray(0, count);
}

function step(ag: AttackGraph, ug: UsableGraph, e: number): PathStep {
  const o = ug.original[e]!;
  return attackStep(ag, o, ag.levelLikelihood[ag.stepLevel[o]!]!);
}

/** A path step from an attack-graph edge, with the likelihood it has on its leg. */
function attackStep(ag: AttackGraph, o: number, likelihood: number): PathStep {
  const tech = ag.techniqueOf(o);
  return {
    from: ag.g.edgeFrom[o]!,
    to: ag.g.edgeTo[o]!,
    flow: ag.flowIndex[o]!,
    returning: ag.returning[o] === 1,
    ...(tech ? { technique: tech } : {}),
    likelihood,
    controls: ag.controlsOf(o),
  };
}

/** Top-k most likely paths, one per entry (so distinct by entry and first crossing), from a backward search that stops after k entries. */
function topPaths(
  tg: ThreatGraph,
  ag: AttackGraph,
  ug: UsableGraph,
  sp: DijkstraWorkspace,
  t: AttackTarget,
  exfil: ShortestPaths,
  entryAllowed: Uint8Array,
  k: number,
  classesOf: (v: number) => EntryClass[],
  /** Runs the backward search from the target's nodes into `sp`, stopping when `onSettle` says so. */
  run: (onSettle: (v: number) => boolean) => void,
): AttackPath[] {
  if (k <= 0 || t.size === 0) return [];
  const found: number[] = [];
  run((v) => {
    if (entryAllowed[v]) found.push(v);
    return found.length >= k;
  });
  const seen = new Set<string>();
  const out: AttackPath[] = [];
  for (const entry of found) {
    const steps: PathStep[] = [];
    let v = entry;
    for (let guard = 0; sp.via[v]! >= 0 && guard <= ug.g.nodeCount; guard++) {
      const e = sp.via[v]!;
      steps.push(step(ag, ug, e));
      v = ug.g.edgeTo[e]!;
    }
    const out2: PathStep[] = [];
    if (t.mode === "disclosure") {
      for (let guard = 0; exfil.via[v]! >= 0 && guard <= ag.g.nodeCount; guard++) {
        const e = exfil.via[v]!;
        out2.push(attackStep(ag, e, Math.exp(-ag.exfilWeight[e]!)));
        v = ag.g.edgeTo[e]!;
      }
    }
    const comps = tg.model.components;
    const firstCrossing = steps.findIndex(
      (s) => comps[s.from]!.zone !== comps[s.to]!.zone || comps[s.from]!.trust !== comps[s.to]!.trust,
    );
    const key = `${entry}:${firstCrossing < 0 ? "-" : steps[firstCrossing]!.flow}`;
    if (seen.has(key)) continue;
    seen.add(key);
    out.push({
      entry,
      entryClasses: classesOf(entry),
      steps,
      exfil: out2,
      likelihood: Math.exp(-sp.dist[entry]!),
      firstCrossing,
      key,
    });
  }
  return out;
}

/**
 * A cell's "most likely path" is the listed one when a listed path of its class is that likely. The
 * exposure search and top-k break ties between equally likely paths differently (the lower target
 * node, the first entry settled), so without this a cell could say "in 5 steps" beside a listed path
 * of 3 at the same likelihood (fine-tuning's `annotations`, held by the corpus and by the vendor that
 * labels it). Ties are equal up to rounding: the two searches sum the same weights in another order.
 */
function withListedSteps(cells: ExposureCell[], paths: readonly AttackPath[]): ExposureCell[] {
  return cells.map((c) => {
    if (!c.reachable) return c;
    const p = paths.find(
      (x) =>
        x.entryClasses.includes(c.entryClass) &&
        Math.abs(x.likelihood - c.bestLikelihood) <= 1e-9 * Math.max(x.likelihood, c.bestLikelihood),
    );
    return p ? { ...c, shortestSteps: p.steps.length + p.exfil.length } : c;
  });
}

/** The slot lists of every group of readers (see commonDominators), listed before any tree. */
function slotListsOf(
  targets: readonly AttackTarget[],
  groups: ReadonlyMap<TargetGroup, readonly { index: number; bit: number }[]>,
): Map<TargetGroup, { start: Int32Array; nodes: Int32Array }> {
  const lists = new Map<TargetGroup, { start: Int32Array; nodes: Int32Array }>();
  for (const [group, members] of groups)
    if (!targets[members[0]!.index]!.listed) lists.set(group, group.slotMembers());
  return lists;
}

/**
 * The common dominator in `tree` of each target's nodes (-1: the tree reaches none). A kept list is
 * read as it is; a group of readers is folded per slot first (each slot's common dominator, over its
 * own nodes), then per target over the slots it has: the common dominator of a union is that of its
 * parts' common dominators, so each node is climbed from once per tree, not once per crown jewel.
 */
function commonDominators(
  tree: DominatorTree,
  targets: readonly AttackTarget[],
  groups: ReadonlyMap<TargetGroup, readonly { index: number; bit: number }[]>,
  slotLists: Map<TargetGroup, { start: Int32Array; nodes: Int32Array }>,
): Int32Array {
  const out = new Int32Array(targets.length).fill(-1);
  for (const [group, members] of groups) {
    if (targets[members[0]!.index]!.listed) {
      for (const { index } of members) out[index] = commonDominator(tree, targets[index]!.nodes);
      continue;
    }
    let lists = slotLists.get(group);
    if (!lists) slotLists.set(group, (lists = group.slotMembers()));
    const { start, nodes } = lists;
    const slots = group.slotMask.length;
    const slotTop = new Int32Array(slots);
    for (let s = 0; s < slots; s++)
      slotTop[s] = commonDominator(tree, nodes.subarray(start[s], start[s + 1]));
    for (const { index, bit } of members) {
      const tops: number[] = [];
      for (let s = 0; s < slots; s++)
        if ((group.slotMask[s]! >>> bit) & 1 && slotTop[s]! >= 0) tops.push(slotTop[s]!);
      out[index] = commonDominator(tree, tops);
    }
  }
  return out;
}
