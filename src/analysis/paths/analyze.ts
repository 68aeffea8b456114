import type { CompactGraph } from "../../graph/compact.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import { ENTRY_BIT, ENTRY_CLASSES, type EntryClass, type Facts } from "../facts.js";
import type { Rule } from "../rule.js";
import { buildAttackGraph, buildTargets, type AttackGraph, type AttackTarget } from "./attack-graph.js";
import { adjacency, type Adjacency } from "./adjacency.js";
import { DijkstraWorkspace, fewestStepsOn, type ShortestPaths } from "./dijkstra.js";
import { DominatorScratch, commonDominator, dominatorChain, dominatorsOn } from "./dominators.js";
import { CutSolver } from "./min-cut.js";
import type { AttackPath, ExposureCell, PathAnalysis, PathStep, TargetReport } from "./model.js";
import { reachTargetsMask } from "./reach.js";
import { condense } from "./scc.js";
import { ShareWorkspace } from "./soft-chokepoints.js";
import { usableGraph, type UsableGraph } from "./usable.js";

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
  /** Called as each phase ends, so a benchmark can time the queries apart (bench/analysis.ts). */
  readonly mark?: (phase: PathPhase) => void;
}

/** The phases of `analyzePaths`, in the order they run. */
export type PathPhase =
  | "index"
  | "condensation"
  | "exposure"
  | "top-k"
  | "dominators"
  | "soft-chokepoints"
  | "min-cut"
  | "cuts-per-target";

/**
 * Answers every path question from one index: exposure matrix (bit-parallel reachability over the SCC
 * condensation + one Dijkstra per entry class), top-k distinct paths (a backward Dijkstra per target
 * that stops after k entries), must-pass chokepoints (dominator trees per entry class, and a
 * post-dominator tree for the way out), soft chokepoints (path counting on the condensation) and the
 * cheapest cut (max-flow). Paths are never enumerated.
 */
export function analyzePaths(
  tg: ThreatGraph,
  facts: Facts,
  rules: readonly Rule[],
  options: PathOptions = {},
): PathAnalysis {
  const k = options.k ?? 5;
  const detailLimit = options.detailLimit ?? 20;
  const ag = buildAttackGraph(tg, facts, rules, false);
  const ug = usableGraph(ag);
  const n = ug.g.nodeCount;
  const notes: string[] = [];

  const classes = options.fromClasses ?? ENTRY_CLASSES;
  const entryAllowed = new Uint8Array(n);
  for (const v of ag.entries) {
    if (options.fromEntry !== undefined && v !== options.fromEntry) continue;
    if (classes.some((c) => facts.entry[v]! & ENTRY_BIT[c])) entryAllowed[v] = 1;
  }
  const entries = [...ag.entries].filter((v) => entryAllowed[v]);
  const entriesOf = (cls: EntryClass) => entries.filter((v) => facts.entry[v]! & ENTRY_BIT[cls]);
  const classesOf = (v: number) =>
    ENTRY_CLASSES.filter((c) => facts.entry[v]! & ENTRY_BIT[c] && classes.includes(c));

  // The way out: the most likely path from every node to an observable sink.
  const sinks: number[] = [];
  for (let v = 0; v < n; v++) if (facts.observable[v] && !ag.exfilClosed[v]) sinks.push(v);
  // Searched on the whole attack graph with the way-out weights: a step the influence leg cannot use
  // (an injection cut at an agent) can still carry data out.
  // Each direction's steps in slot order, shared by every search below (see adjacency.ts).
  const forward = adjacency(ug.g, "forward", ug.weight);
  const backward = adjacency(ug.g, "backward", ug.weight);
  const outBackward = adjacency(ag.g, "backward", ag.exfilWeight);
  const exfil = new DijkstraWorkspace(n);
  exfil.search(outBackward, sinks, () => 0);

  const mark = options.mark ?? (() => {});
  // Disclosure targets: the readers of the asset with a way out.
  const targets: AttackTarget[] = buildTargets(tg, facts, exfil.dist).filter(
    (t) => options.to === undefined || t.crown.name === options.to,
  );

  mark("index");
  const cond = condense(ug.g);
  mark("condensation");
  // Exposure counts: which targets each component reaches, 32 targets per pass.
  const counts = targets.map(() => new Map<EntryClass, number>());
  const anyCount = new Int32Array(targets.length);
  // Entries with the same reach mask and the same classes count together: on a coupled model most
  // entries reach the same targets, so the bits are walked once per group, not once per entry.
  let allowedBits = 0;
  for (const c of classes) allowedBits |= ENTRY_BIT[c];
  for (let b = 0; b < targets.length; b += 32) {
    const batch = targets.slice(b, b + 32);
    const mask = reachTargetsMask(
      cond,
      batch.map((t) => t.nodes),
    );
    const groups = new Map<number, number>();
    for (const v of entries) {
      const m = mask[cond.comp[v]!]!;
      if (m === 0) continue;
      const key = (m >>> 0) * 16 + (facts.entry[v]! & allowedBits);
      groups.set(key, (groups.get(key) ?? 0) + 1);
    }
    for (const [key, count] of groups) {
      const bits = key % 16;
      let m = (key - bits) / 16;
      while (m !== 0) {
        const low = m & -m;
        const bit = 31 - Math.clz32(low);
        m = (m - (low >>> 0)) >>> 0;
        anyCount[b + bit]! += count;
        const row = counts[b + bit]!;
        for (const cls of ENTRY_CLASSES) if (bits & ENTRY_BIT[cls]) row.set(cls, (row.get(cls) ?? 0) + count);
      }
    }
  }

  const best = new Map<EntryClass, ShortestPaths>();
  for (const cls of classes) {
    const seeds = entriesOf(cls);
    if (seeds.length === 0) continue;
    const sp = new DijkstraWorkspace(n);
    sp.search(forward, seeds, () => 0);
    best.set(cls, sp);
  }
  // Fewest steps, apart from likelihood: breadth-first over the same usable steps.
  const exfilHops = targets.some((t) => t.mode === "disclosure")
    ? fewestStepsOn(outBackward, sinks)
    : undefined;
  const hops = new Map<EntryClass, Float64Array>();
  for (const cls of best.keys()) hops.set(cls, fewestStepsOn(forward, entriesOf(cls)));
  // One pass over each target's nodes answers every class: best likelihood and fewest steps, read
  // from the classes' answers interleaved per node (a class without entries stays at Infinity).
  const C = classes.length;
  const classDist = new Float64Array(n * C).fill(Infinity);
  const classHops = new Float64Array(n * C).fill(Infinity);
  classes.forEach((cls, c) => {
    const dist = best.get(cls)?.dist;
    const hp = hops.get(cls);
    if (dist) for (let v = 0; v < n; v++) classDist[v * C + c] = dist[v]!;
    if (hp) for (let v = 0; v < n; v++) classHops[v * C + c] = hp[v]!;
  });
  const bestDist = new Float64Array(C);
  const bestNode = new Int32Array(C);
  const fewest = new Float64Array(C);
  const exfilDist = exfil.dist;
  const exposures: ExposureCell[][] = targets.map((t, ti) => {
    const disclosure = t.mode === "disclosure";
    bestDist.fill(Infinity);
    bestNode.fill(-1);
    fewest.fill(Infinity);
    const nodes = t.nodes;
    for (let i = 0; i < nodes.length; i++) {
      const v = nodes[i]!;
      const out = disclosure ? exfilDist[v]! : 0;
      const outHops = disclosure ? exfilHops![v]! : 0;
      for (let c = 0, at = v * C; c < C; c++, at++) {
        const d = classDist[at]! + out;
        if (d < bestDist[c]!) {
          bestDist[c] = d;
          bestNode[c] = v;
        }
        const h = classHops[at]! + outHops;
        if (h < fewest[c]!) fewest[c] = h;
      }
    }
    return classes.map((cls, c) => {
      const sp = best.get(cls);
      const node = bestNode[c]!;
      const steps =
        node < 0
          ? 0
          : countSteps(ug.g, sp!, node, "forward") +
            (disclosure ? countSteps(ag.g, exfil, node, "backward") : 0);
      const entriesReaching = counts[ti]!.get(cls) ?? 0;
      const d = bestDist[c]!;
      const f = fewest[c]!;
      return {
        entryClass: cls,
        reachable: entriesReaching > 0,
        entries: entriesReaching,
        bestLikelihood: d === Infinity ? 0 : Math.exp(-d),
        shortestSteps: steps,
        fewestSteps: f === Infinity ? 0 : f,
      };
    });
  });
  mark("exposure");
  const search = new DijkstraWorkspace(n);
  const topK = targets.map((t) =>
    topPaths(tg, ag, ug, backward, search, t, exfil, entryAllowed, k, classesOf),
  );
  mark("top-k");
  const scratch = new DominatorScratch(n);
  const domTrees = new Map(
    classes
      .filter((c) => entriesOf(c).length > 0)
      .map((c) => [c, dominatorsOn(forward, backward, entriesOf(c), scratch)]),
  );
  const postDom = targets.some((t) => t.mode === "disclosure")
    ? dominatorsOn(outBackward, adjacency(ag.g, "forward", ag.exfilWeight), sinks, scratch)
    : undefined;

  // Marks the current target's nodes (set, then cleared): no set per target.
  const isTarget = new Uint8Array(n);
  const reports: TargetReport[] = targets.map((t, ti) => {
    for (const v of t.nodes) isTarget[v] = 1;
    const chokepoints = classes.flatMap((cls) => {
      const tree = domTrees.get(cls);
      if (!tree || !(counts[ti]!.get(cls) ?? 0)) return [];
      // commonDominator skips the nodes the tree does not reach.
      const lca = commonDominator(tree, t.nodes);
      const chain = lca < 0 ? [] : dominatorChain(tree, lca).filter((v) => !isTarget[v]);
      return [{ entryClass: cls, nodes: chain.reverse() }];
    });
    const exfilChokepoints =
      t.mode === "disclosure" && postDom
        ? dominatorChain(postDom, commonDominator(postDom, t.nodes)).filter((v) => !isTarget[v])
        : [];
    for (const v of t.nodes) isTarget[v] = 0;
    const paths = topK[ti]!;
    return {
      crown: t.crown.name,
      crownType: t.crown.subject.type,
      property: t.property,
      mode: t.mode,
      exposure: exposures[ti]!,
      paths,
      morePaths: Math.max(0, anyCount[ti]! - paths.length),
      chokepoints,
      exfilChokepoints,
    };
  });
  mark("dominators");

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
  const cuttable = (t: AttackTarget): AttackTarget =>
    t.mode === "influence" ? { ...t, nodes: t.nodes.filter((v) => !facts.entry[v]) } : t;
  for (const t of targets) {
    if (t.mode === "influence" && t.nodes.some((v) => facts.entry[v]))
      notes.push(
        `\`${t.crown.name}\` (${t.property}) is itself an attacker entry; cuts cannot protect it and leave it out`,
      );
  }
  const detail = ranked.slice(0, detailLimit).map(({ i }) => i);
  // Entries and targets never count as soft chokepoints: marked once, targets' marks cleared after.
  const shares = new ShareWorkspace(cond, entries);
  const excluded = new Uint8Array(n);
  for (const v of entries) excluded[v] = 1;
  for (const i of detail) {
    const t = targets[i]!;
    const marked: number[] = [];
    for (const v of t.nodes)
      if (!excluded[v]) {
        excluded[v] = 1;
        marked.push(v);
      }
    const report = reports[i] as { softChokepoints?: unknown };
    report.softChokepoints = shares.top(t.nodes, excluded);
    for (const v of marked) excluded[v] = 0;
  }
  const allTargetNodes: number[] = [];
  for (const t of targets)
    for (const v of t.nodes)
      if (!isTarget[v]) {
        isTarget[v] = 1;
        allTargetNodes.push(v);
        excluded[v] = 1;
      }
  const softChokepoints = shares.top(allTargetNodes, excluded);
  mark("soft-chokepoints");
  const solver = new CutSolver(
    tg.model,
    ag,
    ug,
    rules,
    sinks,
    targets.filter((t) => t.mode === "disclosure"),
  );
  const exposed = targets.filter((_, i) => anyCount[i]! > 0).map(cuttable);
  const cut = solver.solve(exposed);
  mark("min-cut");
  for (const i of detail) (reports[i] as { cut?: unknown }).cut = solver.solve([cuttable(targets[i]!)]);
  mark("cuts-per-target");
  return {
    entries,
    targets: reports,
    cut,
    softChokepoints,
    notes,
  };
}

function countSteps(
  g: CompactGraph,
  sp: ShortestPaths,
  v: number,
  direction: "forward" | "backward",
): number {
  let steps = 0;
  for (let x = v; sp.via[x]! >= 0 && steps <= g.nodeCount; steps++)
    x = direction === "forward" ? g.edgeFrom[sp.via[x]!]! : g.edgeTo[sp.via[x]!]!;
  return steps;
}

function step(ag: AttackGraph, ug: UsableGraph, e: number): PathStep {
  const o = ug.original[e]!;
  return attackStep(ag, o, ag.likelihood[o]!);
}

/** A path step from an attack-graph edge, with the likelihood it has on its leg. */
function attackStep(ag: AttackGraph, o: number, likelihood: number): PathStep {
  const tech = ag.technique[o];
  return {
    from: ag.g.edgeFrom[o]!,
    to: ag.g.edgeTo[o]!,
    flow: ag.flowIndex[o]!,
    returning: ag.returning[o] === 1,
    ...(tech ? { technique: tech } : {}),
    likelihood,
    controls: ag.controlsOnStep[o]!,
  };
}

/** Top-k most likely paths, one per entry (so distinct by entry and first crossing), from a backward search that stops after k entries. */
function topPaths(
  tg: ThreatGraph,
  ag: AttackGraph,
  ug: UsableGraph,
  backward: Adjacency,
  sp: DijkstraWorkspace,
  t: AttackTarget,
  exfil: ShortestPaths,
  entryAllowed: Uint8Array,
  k: number,
  classesOf: (v: number) => EntryClass[],
): AttackPath[] {
  if (k <= 0 || t.nodes.length === 0) return [];
  const found: number[] = [];
  const nodes = t.nodes;
  const seedDist = t.mode === "disclosure" ? (i: number) => exfil.dist[nodes[i]!]! : () => 0;
  sp.search(backward, nodes, seedDist, (v) => {
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
