import type { Metrics } from "./model.js";
import { round4 } from "./model.js";
import type { PolicyEvaluation } from "./policy.js";
import { formatValue, METRIC_DEFS, type Direction, type MetricUnit } from "./registry.js";

/** One line of the scorecard. */
export interface ScorecardEntry {
  id: string;
  title: string;
  value: number;
  /** The value for people: `62.5%`, `0.42`, `3`. */
  display: string;
  unit: MetricUnit;
  /** Which way is better. */
  direction: Direction;
  /** Against the policy, when one sets a threshold on this metric: `fail` if any threshold fails. */
  status?: "pass" | "fail";
  /** Every threshold set on it, with the policy that sets it. */
  thresholds?: { policy: string; bound: "min" | "max"; value: number; passed: boolean }[];
}

// One scorecard per (metrics, policy) pair: metrics.json and both reports read the same entries.
const NO_POLICY = {};
const cache = new WeakMap<Metrics, WeakMap<object, readonly ScorecardEntry[]>>();

/**
 * The scorecard of a run, computed once and shared by every output that shows it (metrics.json,
 * report.md, report.html). Treat the result as read-only.
 */
export function scorecardOf(metrics: Metrics, policy?: PolicyEvaluation): readonly ScorecardEntry[] {
  let byPolicy = cache.get(metrics);
  if (!byPolicy) cache.set(metrics, (byPolicy = new WeakMap()));
  const key = policy ?? NO_POLICY;
  let hit = byPolicy.get(key);
  if (!hit) byPolicy.set(key, (hit = scorecard(metrics, policy)));
  return hit;
}

/**
 * The scorecard: the headline metrics in a fixed order, then any other metric a policy sets a
 * threshold on, each with its value, direction and, when a policy names it, whether it passes. This is
 * what the reports show first and what metrics.json carries as `scorecard`.
 */
export function scorecard(metrics: Metrics, policy?: PolicyEvaluation): ScorecardEntry[] {
  const results = policy?.results ?? [];
  const named = new Set(results.map((r) => r.threshold.metric));
  return METRIC_DEFS.filter((d) => d.headline || named.has(d.id)).map((d) => {
    const value = d.value(metrics);
    const qualifier = d.qualifier?.(metrics);
    const entry: ScorecardEntry = {
      id: d.id,
      title: d.title,
      value,
      display: qualifier ? `${formatValue(d, value)} (${qualifier})` : formatValue(d, value),
      unit: d.unit,
      direction: d.direction,
    };
    const mine = results.filter((r) => r.threshold.metric === d.id);
    if (mine.length > 0) {
      entry.status = mine.every((r) => r.passed) ? "pass" : "fail";
      entry.thresholds = mine.map((r) => ({
        policy: r.policy.label,
        bound: r.threshold.bound,
        value: r.threshold.value,
        passed: r.passed,
      }));
    }
    return entry;
  });
}

/** How one metric changed between two versions of a model. */
export interface MetricDelta {
  id: string;
  title: string;
  unit: MetricUnit;
  direction: Direction;
  before: number;
  after: number;
  /** after - before. */
  delta: number;
  /** Judged by the metric's direction. */
  change: "better" | "worse" | "same";
  /** Names behind the number that appeared or disappeared (exposed crown jewels, violating agents...). */
  added?: string[];
  removed?: string[];
}

/**
 * Metric deltas between two versions of a model (for `aithreat diff`): every headline and policy
 * metric in registry order, with the change judged by its direction, and for metrics that count
 * named things (crown jewels, agents, tools, endpoints), which names were added and removed. Metrics
 * that count findings list no names here: the findings diff says which findings changed.
 */
export function metricDeltas(before: Metrics, after: Metrics): MetricDelta[] {
  return METRIC_DEFS.map((d) => {
    const b = d.value(before);
    const a = d.value(after);
    const delta = round4(a - b);
    const improved = d.direction === "higher" ? delta > 0 : delta < 0;
    const out: MetricDelta = {
      id: d.id,
      title: d.title,
      unit: d.unit,
      direction: d.direction,
      before: b,
      after: a,
      delta,
      change: delta === 0 ? "same" : improved ? "better" : "worse",
    };
    if (d.items && !d.perItem) {
      const was = new Set(d.items(before, []).map((i) => i.name));
      const now = new Set(d.items(after, []).map((i) => i.name));
      const added = [...now].filter((x) => !was.has(x)).sort();
      const removed = [...was].filter((x) => !now.has(x)).sort();
      if (added.length > 0) out.added = added;
      if (removed.length > 0) out.removed = removed;
    }
    return out;
  });
}
