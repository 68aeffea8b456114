import { scratchI32, scratchU8 } from "../../graph/arena.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { ENTRY_BIT, ENTRY_CLASSES, UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import { buildCompactGraph } from "../../graph/compact.js";
import { condense } from "../paths/scc.js";
import { crossesBoundary } from "../predicates.js";
import { maxOf, type UntrustedInputEntry, type UntrustedInputMetrics } from "./model.js";

/**
 * How many distinct untrusted sources are counted per component before the count stops (it is then
 * reported as "at least"). Counting exactly is a reachability-counting problem with no linear-time
 * algorithm; a capped count is exact below the cap and costs O(cap x flows).
 */
export const UNTRUSTED_SOURCE_CAP = 16;

/** The components whose context the metric is about: agents, models and hosted LLM APIs. */
function isContextHolder(c: Component): boolean {
  return c.kind === "agent" || c.kind === "model" || (c.kind === "provider" && c.props.type === "llm_api");
}

/**
 * Untrusted-input exposure per agent and model: the distinct untrusted entries whose content reaches
 * its context (capped label propagation over the SCC condensation of the content edges), the entry classes of that content, and
 * the fewest trust boundaries it crosses on the way (a 0-1 BFS where a flow between zones or trust
 * levels costs 1). A model counts what reaches the components it serves too: it reads their context.
 */
export function untrustedInputMetrics(g: ThreatGraph, facts: Facts): UntrustedInputMetrics {
  const { model } = g;
  const { info } = facts;
  const n = model.components.length;
  // The edges taint spreads along (computeFacts decides which carry run-time content).
  const content = facts.contentEdge;
  const CAP = UNTRUSTED_SOURCE_CAP;

  // Capped label propagation over the condensation of the content edges: every component of a
  // strongly connected component is reached by the same entries, so each SCC keeps one list of up to
  // CAP distinct entry ids, pulled from its predecessors in topological order (they are final by then).
  // An SCC that ends below the cap got every label of every predecessor (none of them was capped), so
  // its count is exact. A stamp per label dedupes in O(1): O(CAP x edges) in all.
  const from: number[] = [];
  const to: number[] = [];
  for (let e = 0; e < info.edgeCount; e++)
    if (content[e]) {
      from.push(info.edgeFrom[e]!);
      to.push(info.edgeTo[e]!);
    }
  const scc = condense(buildCompactGraph(n, from, to));
  const labels = scratchI32(scc.count * CAP);
  const sccCount = scratchU8(scc.count);
  const stamp = scratchI32(n).fill(-1);
  const add = (c: number, label: number): void => {
    const k = sccCount[c]!;
    if (k >= CAP || stamp[label] === c) return;
    stamp[label] = c;
    labels[c * CAP + k] = label;
    sccCount[c] = k + 1;
  };
  for (let v = 0; v < n; v++) if (facts.entry[v]! & UNTRUSTED_CONTENT) add(scc.comp[v]!, v);
  const { dag } = scc;
  for (let t = 0; t < scc.count; t++) {
    const c = scc.topo[t]!;
    for (let i = dag.inStart[c]!; i < dag.inStart[c + 1]! && sccCount[c]! < CAP; i++) {
      const p = dag.edgeFrom[dag.inEdges[i]!]!;
      for (let k = 0; k < sccCount[p]!; k++) add(c, labels[p * CAP + k]!);
    }
  }
  const count = (v: number): number => sccCount[scc.comp[v]!]!;
  const labelOf = (v: number, k: number): number => labels[scc.comp[v]! * CAP + k]!;

  // Fewest boundary crossings from any untrusted entry, level by level (0-edges within a level).
  const UNSET = 0x7fffffff;
  const dist = scratchI32(n).fill(UNSET);
  const done = scratchU8(n);
  let level: number[] = [];
  for (let v = 0; v < n; v++)
    if (facts.entry[v]! & UNTRUSTED_CONTENT) {
      dist[v] = 0;
      level.push(v);
    }
  for (let d = 0; level.length > 0; d++) {
    const next: number[] = [];
    for (let i = 0; i < level.length; i++) {
      const v = level[i]!;
      if (done[v] || dist[v] !== d) continue;
      done[v] = 1;
      for (let j = info.outStart[v]!; j < info.outStart[v + 1]!; j++) {
        const e = info.outEdges[j]!;
        if (!content[e]) continue;
        const w = info.edgeTo[e]!;
        const cost = crossesBoundary(g, model.flows[facts.infoFlow[e]!]!) ? 1 : 0;
        if (d + cost < dist[w]!) {
          dist[w] = d + cost;
          (cost === 0 ? level : next).push(w);
        }
      }
    }
    level = next;
  }

  const components: UntrustedInputEntry[] = [];
  // Which holder last listed a component as a part: a model serving thousands stays linear.
  const partOf = scratchI32(n).fill(-1);
  for (const c of model.components) {
    if (!isContextHolder(c)) continue;
    // A model reads the context of what it serves; an agent or API only its own.
    const parts = [c.index];
    partOf[c.index] = c.index;
    if (c.kind !== "agent")
      for (let i = g.csr.outStart[c.index]!; i < g.csr.outStart[c.index + 1]!; i++) {
        const f = model.flows[g.csr.outEdges[i]!]!;
        if ((f.kind === "serve" || f.kind === "deploy") && partOf[f.to] !== c.index) {
          partOf[f.to] = c.index;
          parts.push(f.to);
        }
      }
    const seen = new Set<number>();
    let capped = false;
    let bits = 0;
    let best = UNSET;
    for (const p of parts) {
      for (let k = 0; k < count(p); k++) seen.add(labelOf(p, k));
      if (count(p) >= CAP) capped = true;
      bits |= facts.taint[p]! & UNTRUSTED_CONTENT;
      best = Math.min(best, dist[p]!);
    }
    components.push({
      component: c.name,
      kind: c.kind,
      sources: seen.size,
      sourcesAtLeast: capped,
      entryClasses: ENTRY_CLASSES.filter((cls) => bits & ENTRY_BIT[cls]),
      boundaries: best === UNSET ? null : best,
    });
  }
  return {
    reached: components.filter((c) => c.sources > 0).length,
    maxSources: maxOf(components.map((c) => c.sources)),
    components,
  };
}
