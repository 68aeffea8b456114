import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Facts } from "./facts.js";

/**
 * Caches the rule library keeps per graph and facts only for what the rules report (facts, their
 * texts and explanation chains, and the answers they are built from), let go as the rules end: the
 * findings hold each fact as numbers and joined text by then (finding-records.ts), while the graph
 * and facts live on through the metrics. At 100k components they were about 115 MB of a 205 MB
 * library cache; at 1M they were alive at the compile's peak (bench/README.md, stop 41). A cache
 * another stage reads (the agents' reaches, which the metrics ask for) does not register here.
 */
type Release = (graph: ThreatGraph, facts: Facts) => void;

const releases: Release[] = [];

/** Registers a cache's release (each caching module, once, as it loads). */
export function releasedAsRulesEnd(release: Release): void {
  releases.push(release);
}

/** Lets every registered cache of this graph and facts go (the engine, after the last rule). */
export function releaseReportCaches(graph: ThreatGraph, facts: Facts): void {
  for (const release of releases) release(graph, facts);
}
