import type { ThreatGraph } from "../../graph/threat-graph.js";
import type { Facts } from "../facts.js";
import type { FindingList } from "../finding-records.js";
import type { PathAnalysis } from "../paths/model.js";
import type { Rule } from "../rule.js";
import { agenticMetrics } from "./agentic.js";
import { blastRadiusMetrics, trifectaMetrics } from "./agents.js";
import { queryExposureMetrics, supplyChainMetrics } from "./artifacts.js";
import { atlasMetrics } from "./atlas.js";
import { cutMetrics, exposureMetrics } from "./exposure.js";
import { mitigationMetrics } from "./mitigation.js";
import type { Metrics } from "./model.js";
import { untrustedInputMetrics } from "./untrusted.js";

export type { Metrics } from "./model.js";
export { METRIC_DEFS, metricValue, type MetricDef, type MetricId } from "./registry.js";
export { scorecard, scorecardOf, metricDeltas, type ScorecardEntry, type MetricDelta } from "./scorecard.js";

/** What the metrics are computed from: the parts of a compile analysis they read. */
export interface MetricsInput {
  readonly graph: ThreatGraph;
  readonly facts: Facts;
  readonly findings: FindingList;
  readonly rules: readonly Rule[];
  readonly paths: PathAnalysis;
}

/**
 * Every metric of a model, from the analysis already done (findings, propagation facts, the graph
 * and the path analysis): each is a pass over components, flows or findings, plus the per-agent tool
 * reach the agent rules already computed, so the whole costs little next to the analysis itself.
 */
export function computeMetrics(input: MetricsInput): Metrics {
  const { graph, facts, findings, rules, paths } = input;
  const { model } = graph;
  return {
    mitigation: mitigationMetrics(findings),
    exposure: exposureMetrics(model, facts, paths),
    untrustedInput: untrustedInputMetrics(graph, facts),
    trifecta: trifectaMetrics(graph, facts, findings),
    blastRadius: blastRadiusMetrics(graph),
    supplyChain: supplyChainMetrics(graph, facts),
    queryExposure: queryExposureMetrics(graph, facts),
    cut: cutMetrics(model, paths.cut),
    atlas: atlasMetrics(model, rules, findings),
    agentic: agenticMetrics(graph, facts),
  };
}
