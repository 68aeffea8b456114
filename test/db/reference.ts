/**
 * aithreat's own answers to the questions the exported SQL answers, computed with the analysis's own
 * kernels (attack graph, usable graph, SCC condensation + bit-parallel reachability, Dijkstra) the way
 * `analyzePaths` uses them, plus two tie-aware quantities the SQL defines precisely and aithreat leaves
 * to its search order: the fewest steps among the most likely paths, and the fewest steps of any way in.
 */
import { ENTRY_BIT, ENTRY_CLASSES, type EntryClass } from "../../src/analysis/facts.js";
import { buildAttackGraph } from "../../src/analysis/paths/attack-graph.js";
import { dijkstra, type ShortestPaths } from "../../src/analysis/paths/dijkstra.js";
import { reachGroupMask } from "../../src/analysis/paths/reach.js";
import { TargetGroup } from "../../src/analysis/paths/target-groups.js";
import { condense } from "../../src/analysis/paths/scc.js";
import { componentOf, usableGraph } from "../../src/analysis/paths/usable.js";
import type { CompileAnalysis } from "../../src/compiler.js";
import type { CompactGraph } from "../../src/graph/compact.js";

/** One exposure cell as aithreat computes it. */
export interface ReferenceCell {
  readonly entries: number;
  /** Sum of -ln likelihood of the most likely path (Infinity when unreachable). */
  readonly dist: number;
  /** aithreat's exposure matrix: likelihood and steps of the path its search found. */
  readonly likelihood: number;
  readonly aithreatSteps: number;
  /** Fewest steps among the paths with exactly the best distance (way in + way out). */
  readonly tightSteps: number;
  /** Fewest steps of any way in to a target (no way out), undefined when unreachable. */
  readonly fewestIn?: number;
}

/** Everything the SQL is compared with, keyed by crown name (`subject:property`). */
export interface Reference {
  /** Entry names that reach each target. */
  readonly reach: ReadonlyMap<string, ReadonlySet<string>>;
  readonly cells: ReadonlyMap<string, ReadonlyMap<EntryClass, ReferenceCell>>;
  /** Names of the components where each target's attack succeeds (disclosure: readers with a way out). */
  readonly targetNodes: ReadonlyMap<string, ReadonlySet<string>>;
  /** Entry names per class, and the observable sinks. */
  readonly entries: ReadonlyMap<EntryClass, ReadonlySet<string>>;
  readonly sinks: ReadonlySet<string>;
}

/** Hops over the edges where `dist` is tight, from the seeds (dist 0): fewest steps among shortest paths. */
function tightHops(
  g: CompactGraph,
  weight: Float64Array,
  sp: ShortestPaths,
  seeds: readonly number[],
  direction: "forward" | "backward",
): Int32Array {
  const hops = new Int32Array(g.nodeCount).fill(-1);
  const queue: number[] = [];
  for (const s of seeds)
    if (hops[s] === -1 && sp.dist[s] === 0) {
      hops[s] = 0;
      queue.push(s);
    }
  const start = direction === "forward" ? g.outStart : g.inStart;
  const edges = direction === "forward" ? g.outEdges : g.inEdges;
  const other = direction === "forward" ? g.edgeTo : g.edgeFrom;
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = start[v]!; i < start[v + 1]!; i++) {
      const e = edges[i]!;
      const w = weight[e]!;
      const u = other[e]!;
      if (w === Infinity || hops[u] !== -1 || sp.dist[v]! + w !== sp.dist[u]) continue;
      hops[u] = hops[v]! + 1;
      queue.push(u);
    }
  }
  return hops;
}

/** Plain breadth-first hop counts from the seeds. */
function bfsHops(g: CompactGraph, seeds: readonly number[]): Int32Array {
  const hops = new Int32Array(g.nodeCount).fill(-1);
  const queue: number[] = [];
  for (const s of seeds) {
    if (hops[s] !== -1) continue;
    hops[s] = 0;
    queue.push(s);
  }
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
      const u = g.edgeTo[g.outEdges[i]!]!;
      if (hops[u] !== -1) continue;
      hops[u] = hops[v]! + 1;
      queue.push(u);
    }
  }
  return hops;
}

/** Computes the reference answers for an analysed model. */
export function referenceOf(analysis: CompileAnalysis): Reference {
  const { model, facts } = analysis;
  const ag = buildAttackGraph(analysis.graph, facts, analysis.rules);
  const ug = usableGraph(ag);
  // Reader nodes may be turned nodes (usable.ts): their way out is their component's.
  const component = (v: number) => componentOf(ug, v);
  const sinks: number[] = [];
  for (let v = 0; v < ug.components; v++) if (ag.sink[v] && !ag.exfilClosed[v]) sinks.push(v);
  const exfil = dijkstra(
    ag.g,
    ag.exfilWeight,
    sinks.map((node) => ({ node, dist: 0 })),
    "backward",
  );
  const exfilHops = tightHops(ag.g, ag.exfilWeight, exfil, sinks, "backward");
  const targets = ag.targets.map((t) => ({
    name: `${t.crown.name}:${t.property}`,
    disclosure: t.mode === "disclosure",
    nodes: t.mode === "disclosure" ? t.nodes.filter((v) => exfil.dist[component(v)]! < Infinity) : t.nodes,
  }));

  // Which entries reach which targets: the condensation and 32-target masks, as analyzePaths does.
  const entries = [...ag.entries];
  const cond = condense(ug.g);
  const reach = new Map<string, Set<string>>(targets.map((t) => [t.name, new Set<string>()]));
  for (let b = 0; b < targets.length; b += 32) {
    const batch = targets.slice(b, b + 32);
    const mask = reachGroupMask(
      cond,
      TargetGroup.ofLists(batch.map((t) => t.nodes)),
      new Int32Array(cond.count),
    );
    for (const v of entries)
      batch.forEach((t, i) => {
        if (mask[cond.comp[v]!]! & (1 << i)) reach.get(t.name)!.add(model.components[v]!.name);
      });
  }

  const reports = new Map(analysis.paths.targets.map((r) => [`${r.crown}:${r.property}`, r]));
  const cells = new Map<string, Map<EntryClass, ReferenceCell>>();
  const perClass = ENTRY_CLASSES.map((cls) => {
    const seeds = entries.filter((v) => facts.entry[v]! & ENTRY_BIT[cls]);
    const sp = dijkstra(
      ug.g,
      ug.weight,
      seeds.map((node) => ({ node, dist: 0 })),
      "forward",
    );
    return { cls, sp, tight: tightHops(ug.g, ug.weight, sp, seeds, "forward"), hops: bfsHops(ug.g, seeds) };
  });
  for (const t of targets) {
    const report = reports.get(t.name)!;
    const row = new Map<EntryClass, ReferenceCell>();
    for (const { cls, sp, tight, hops } of perClass) {
      let dist = Infinity;
      let steps = 0;
      let fewest: number | undefined;
      for (const v of t.nodes) {
        if (hops[v] !== -1 && (fewest === undefined || hops[v]! < fewest)) fewest = hops[v]!;
        const d = sp.dist[v]! + (t.disclosure ? exfil.dist[component(v)]! : 0);
        if (d === Infinity) continue;
        const s = tight[v]! + (t.disclosure ? exfilHops[component(v)]! : 0);
        if (d < dist || (d === dist && s < steps)) [dist, steps] = [d, s];
      }
      const cell = report.exposure.find((c) => c.entryClass === cls)!;
      row.set(cls, {
        entries: cell.entries,
        dist,
        likelihood: cell.bestLikelihood,
        aithreatSteps: cell.shortestSteps,
        tightSteps: steps,
        ...(fewest === undefined ? {} : { fewestIn: fewest }),
      });
    }
    cells.set(t.name, row);
  }
  const name = (v: number) => model.components[v]!.name;
  return {
    reach,
    cells,
    targetNodes: new Map(targets.map((t) => [t.name, new Set(t.nodes.map((v) => name(component(v))))])),
    entries: new Map(
      ENTRY_CLASSES.map((cls) => [
        cls,
        new Set(entries.filter((v) => facts.entry[v]! & ENTRY_BIT[cls]).map(name)),
      ]),
    ),
    sinks: new Set(sinks.map(name)),
  };
}
