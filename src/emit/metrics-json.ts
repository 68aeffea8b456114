import type { Metrics } from "../analysis/metrics/model.js";
import type { PolicyEvaluation } from "../analysis/metrics/policy.js";
import { scorecardOf, type ScorecardEntry } from "../analysis/metrics/scorecard.js";
import type { Emitter } from "./emitter.js";
import { indentedJsonFile } from "./json-layout.js";
import { locationView, type LocationView } from "./location-view.js";

/** Version of the metrics.json format; the major part changes only when a reader would break. */
export const METRICS_SCHEMA_VERSION = "1.0";

/** `$id` of the metrics.json schema, also written as `$schema` into every metrics.json. */
export const METRICS_SCHEMA_ID = `https://github.com/aithreat/aithreat/blob/main/schemas/metrics-${METRICS_SCHEMA_VERSION}.schema.json`;

/** One threshold's verdict in metrics.json. */
export interface ThresholdJson {
  metric: string;
  bound: "min" | "max";
  threshold: number;
  value: number;
  passed: boolean;
  location: LocationView;
  /** What breaks the threshold (or stands behind the number), each located when it is declared. */
  offenders: { name: string; text: string; location?: LocationView }[];
}

/** The policy section of metrics.json. */
export interface PolicyJson {
  passed: boolean;
  policies: {
    label: string;
    name?: string;
    title?: string;
    origin: "model" | "file";
    location: LocationView;
    thresholds: ThresholdJson[];
  }[];
}

/** metrics.json as a whole (schemas/metrics-1.0.schema.json). */
export interface MetricsJson {
  $schema: string;
  schemaVersion: string;
  tool: { name: "aithreat"; version: string };
  generatedAt?: string;
  model: { systems: string[]; components: number; flows: number };
  scorecard: readonly ScorecardEntry[];
  policy: PolicyJson;
  metrics: Metrics;
}

/** The policy evaluation as plain data. */
export function policyJson(evaluation: PolicyEvaluation): PolicyJson {
  return {
    passed: evaluation.passed,
    policies: evaluation.policies.map((p) => ({
      label: p.label,
      ...(p.name ? { name: p.name } : {}),
      ...(p.title ? { title: p.title } : {}),
      origin: p.origin,
      location: locationView(p.loc),
      thresholds: evaluation.results
        .filter((r) => r.policy === p)
        .map((r) => ({
          metric: r.threshold.metric,
          bound: r.threshold.bound,
          threshold: r.threshold.value,
          value: r.actual,
          passed: r.passed,
          location: locationView(r.threshold.loc),
          offenders: r.offenders.map((o) => {
            const loc = evaluation.locate(o.ref);
            return { name: o.name, text: o.text, ...(loc ? { location: locationView(loc) } : {}) };
          }),
        })),
    })),
  };
}

/**
 * metrics.json: the scorecard, the policy verdict and every metric of the model, as one versioned
 * document. Deterministic: the metrics are sorted where they are computed, keys are written in a
 * fixed order, and there is no timestamp unless the run asks for one.
 */
export const metricsJsonEmitter: Emitter = {
  name: "metrics.json",
  emit: ({ analysis, toolVersion, generatedAt }) => {
    const { model, metrics, policy } = analysis;
    const doc: MetricsJson = {
      $schema: METRICS_SCHEMA_ID,
      schemaVersion: METRICS_SCHEMA_VERSION,
      tool: { name: "aithreat", version: toolVersion },
      ...(generatedAt ? { generatedAt } : {}),
      model: {
        systems: model.systems.map((s) => s.title),
        components: model.components.length,
        flows: model.flows.length,
      },
      scorecard: scorecardOf(metrics, policy),
      policy: policyJson(policy),
      metrics,
    };
    // Produced as it is written (the text of `JSON.stringify(doc, null, 2)`): at 1M components one
    // string was about 0.4 GB, made last, at the compile's peak.
    return [indentedJsonFile("metrics.json", doc)];
  },
};
