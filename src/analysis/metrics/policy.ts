import type { DeclarationNode } from "../../ast/nodes.js";
import {
  at,
  diag,
  type Diagnostic,
  type Location,
  type Note,
  type StageResult,
} from "../../diagnostics/diagnostic.js";
import type { RawDeclaration, ResolvedModel } from "../../semantic/model.js";
import { didYouMean } from "../../semantic/suggest.js";
import { lineCol } from "../../source.js";
import { preview } from "../../syntax/parse.js";
import type { FindingList } from "../finding-records.js";
import type { Metrics } from "./model.js";
import { formatValue, METRIC_BY_ID, METRIC_IDS, type MetricDef, type MetricItem } from "./registry.js";

/**
 * Policies: thresholds on metrics, declared in the model language.
 *
 *     policy release_gate "Release gate" {
 *       exposed_crown_jewels 0
 *       mitigation_coverage 80
 *     }
 *
 * Each property names a metric and a threshold. Which side of the threshold passes follows from the
 * metric's direction: a metric where higher is better must be at least the threshold (a minimum),
 * one where lower is better at most the threshold (a maximum). For a per-item metric (`max_*`) every
 * item must pass. Policies come from the model's own `policy` declarations and from `--policy <file>`
 * (a file of `policy` declarations only); docs/policy.md is the reference.
 */

/** One threshold of a policy. */
export interface Threshold {
  readonly metric: string;
  readonly bound: "min" | "max";
  readonly value: number;
  /** The whole property (`mitigation_coverage 80`): where a violation is reported. */
  readonly loc: Location;
}

/** A validated policy. */
export interface Policy {
  readonly name?: string;
  readonly title?: string;
  /** How messages and the scorecard name it: the name, else the title, else `file:line`. */
  readonly label: string;
  readonly origin: "model" | "file";
  readonly loc: Location;
  readonly thresholds: readonly Threshold[];
}

/** The verdict on one threshold. */
export interface ThresholdResult {
  readonly policy: Policy;
  readonly threshold: Threshold;
  /** The metric's value. */
  readonly actual: number;
  readonly passed: boolean;
  /** The items that break the threshold (per-item metrics), or the items behind the number. */
  readonly offenders: readonly MetricItem[];
}

/** Every policy of a run checked against the metrics. */
export interface PolicyEvaluation {
  /** True when every threshold passes (also when there is no policy). */
  readonly passed: boolean;
  readonly policies: readonly Policy[];
  /** One per threshold, policies in order, thresholds in source order. */
  readonly results: readonly ThresholdResult[];
  /** Located per failed threshold, for the located violation diagnostics. */
  readonly locate: (ref: MetricItem["ref"]) => Location | undefined;
}

/** Says in words which thresholds a metric accepts. */
export function describeRange(d: MetricDef): string {
  const { min, max, integer } = d.range;
  if (integer) return `a whole number of at least ${min}`;
  if (d.unit === "percent") return `a percentage from ${min} to ${max ?? 100}`;
  if (max !== undefined) return `a number from ${min} to ${max}`;
  return `a number of at least ${min}`;
}

const quoteLabel = (p: Pick<Policy, "name" | "title">): string =>
  p.name ? `policy \`${p.name}\`` : p.title ? `policy "${p.title}"` : "this policy";

/**
 * Validates `policy` declarations: every property must name a metric (AT5001, with "did you mean")
 * and give it a number the metric accepts (AT5002), once per policy (AT5003); nested statements and
 * `in zone` are not allowed (AT3001); a policy without thresholds is a warning (AT5005). Invalid
 * thresholds are dropped; the rest of the policy stays usable.
 */
export function readPolicies(
  decls: readonly RawDeclaration[],
  origin: Policy["origin"],
): StageResult<Policy[]> {
  const diagnostics: Diagnostic[] = [];
  const policies: Policy[] = [];
  for (const { node, file } of decls) {
    if (node.keyword !== "policy") continue;
    const loc = at(file, {
      start: node.keywordSpan.start,
      end: (node.name ?? node.title ?? node.keywordSpan).end,
    });
    const name = node.name?.text;
    const title = node.title?.value;
    const self = quoteLabel({ ...(name ? { name } : {}), ...(title ? { title } : {}) });
    if (node.parent)
      diagnostics.push(diag("AT3001", at(file, node.parent), "a `policy` cannot be placed `in` a zone"));
    const thresholds: Threshold[] = [];
    const seen = new Map<string, Location>();
    let errors = 0;
    for (const item of node.body?.items ?? []) {
      if (item.kind !== "property") {
        const what = item.kind === "declaration" ? `\`${item.keyword}\`` : `\`${item.kind}\``;
        const span = item.kind === "declaration" ? item.keywordSpan : item;
        diagnostics.push(
          diag("AT3001", at(file, span), `${what} cannot appear inside a \`policy\``, {
            hint: "a policy holds thresholds only: `<metric> <number>`",
          }),
        );
        errors++;
        continue;
      }
      const key = item.key.text;
      const d = METRIC_BY_ID.get(key);
      if (!d) {
        diagnostics.push(
          diag("AT5001", at(file, item.key), `unknown metric \`${key}\` in ${self}`, {
            hint:
              didYouMean(key, METRIC_IDS, { partial: true }) ??
              "docs/metrics.md lists the metrics a policy can name",
          }),
        );
        errors++;
        continue;
      }
      const first = seen.get(key);
      if (first) {
        diagnostics.push(
          diag("AT5003", at(file, item.key), `\`${key}\` is given twice in ${self}`, {
            notes: [{ message: "first given here", location: first }],
          }),
        );
        errors++;
        continue;
      }
      seen.set(key, at(file, item.key));
      if (item.body) {
        diagnostics.push(
          diag("AT5002", at(file, item.body), `threshold \`${key}\` does not take a block`, {
            hint: `write ${describeRange(d)}, e.g. \`${key} ${example(d)}\``,
          }),
        );
        errors++;
        continue;
      }
      const v = item.value;
      if (!v) {
        errors++; // the parser reported the missing value (AT1023)
        continue;
      }
      const problem =
        v.kind !== "number"
          ? `\`${key}\` takes ${describeRange(d)}, not ${v.kind === "list" ? "a list" : v.kind === "string" ? "a string" : `\`${v.kind === "name" || v.kind === "date" ? v.text : ""}\``}`
          : (d.range.integer && !Number.isInteger(v.value)) ||
              !Number.isFinite(v.value) || // digits beyond a double's range
              v.value < d.range.min ||
              (d.range.max !== undefined && v.value > d.range.max)
            ? `\`${key}\` takes ${describeRange(d)}, not ${preview(v.text)}`
            : d.unit === "percent" && v.value > 0 && v.value < 1
              ? // A share written as a fraction (0.8 for 80%) would pass almost anything: say so.
                `\`${key}\` is a percentage from 0 to 100, so ${preview(v.text)} would mean ${preview(v.text)}%`
              : undefined;
      if (problem) {
        diagnostics.push(
          diag("AT5002", at(file, v), problem, {
            hint:
              d.unit === "percent" && v.kind === "number" && v.value > 0 && v.value < 1
                ? `write \`${key} ${Math.round(v.value * 1000) / 10}\` for ${Math.round(v.value * 1000) / 10}%`
                : `${d.direction === "higher" ? "the metric must be at least" : "the metric must be at most"} the threshold, e.g. \`${key} ${example(d)}\``,
          }),
        );
        errors++;
        continue;
      }
      thresholds.push({
        metric: key,
        bound: d.direction === "higher" ? "min" : "max",
        value: (v as { value: number }).value,
        loc: at(file, item),
      });
    }
    if (thresholds.length === 0 && errors === 0)
      diagnostics.push(
        diag("AT5005", loc, `${self} sets no threshold`, {
          hint: "add thresholds such as `exposed_crown_jewels 0` or `mitigation_coverage 80`, or remove the policy",
        }),
      );
    const line = lineCol(file, node.keywordSpan.start).line;
    policies.push({
      ...(name ? { name } : {}),
      ...(title ? { title } : {}),
      label: name ?? title ?? `${file.path}:${line}`,
      origin,
      loc,
      thresholds,
    });
  }
  return { value: policies, diagnostics };
}

function example(d: MetricDef): string {
  if (d.unit === "percent") return "80";
  if (d.unit === "likelihood") return "0.3";
  if (d.id === "max_agentic_amplification") return "6";
  return "0";
}

/** AT5006 at each policy whose name an earlier one (in the model, then `--policy`) already took. */
export function samePolicyNames(policies: readonly Policy[]): Diagnostic[] {
  const first = new Map<string, Policy>();
  const out: Diagnostic[] = [];
  for (const p of policies) {
    if (p.name === undefined) continue;
    const earlier = first.get(p.name);
    if (!earlier) {
      first.set(p.name, p);
      continue;
    }
    out.push(
      diag("AT5006", p.loc, `policy \`${p.name}\` is declared twice; verdicts name both alike`, {
        hint: "rename one of them",
        notes: [{ message: "first declared here", location: earlier.loc }],
      }),
    );
  }
  return out;
}

/** The model's own policies (invalid thresholds dropped; the CLI reports them). */
export function modelPolicies(model: ResolvedModel): Policy[] {
  return readPolicies(model.policyDecls, "model").value;
}

/** Whether a value passes a threshold. */
export function passes(t: Pick<Threshold, "bound" | "value">, value: number): boolean {
  return t.bound === "min" ? value >= t.value : value <= t.value;
}

/** Checks every threshold of every policy against the metrics. */
export function evaluatePolicies(
  policies: readonly Policy[],
  input: { readonly metrics: Metrics; readonly findings: FindingList; readonly model: ResolvedModel },
): PolicyEvaluation {
  // Metrics are read only when a threshold asks (an analysis may work them out on first read).
  const { findings, model } = input;
  const results: ThresholdResult[] = [];
  for (const policy of policies)
    for (const t of policy.thresholds) {
      const metrics = input.metrics;
      const d = METRIC_BY_ID.get(t.metric)!;
      const actual = d.value(metrics);
      const passed = passes(t, actual);
      const items = passed || !d.items ? [] : d.items(metrics, findings);
      const offenders = d.perItem ? items.filter((i) => i.value !== undefined && !passes(t, i.value)) : items;
      results.push({ policy, threshold: t, actual, passed, offenders });
    }
  return {
    passed: results.every((r) => r.passed),
    policies,
    results,
    locate: locator(model, findings),
  };
}

/** Finds where a metric item is declared. */
function locator(model: ResolvedModel, findings: FindingList): PolicyEvaluation["locate"] {
  let components: Map<string, Location> | undefined;
  let data: Map<string, Location> | undefined;
  let crowns: Map<string, Location> | undefined;
  let flows: Map<string, Location> | undefined;
  let byId: Map<string, Location> | undefined;
  return (ref) => {
    if (!ref) return undefined;
    switch (ref.type) {
      case "component":
        components ??= new Map(model.components.map((c) => [c.name, c.nameLoc]));
        return components.get(ref.name);
      case "data":
        data ??= new Map(model.data.map((d) => [d.name, d.nameLoc]));
        return data.get(ref.name);
      case "crown":
        if (!crowns) {
          crowns = new Map();
          for (const c of model.crownJewels) if (!crowns.has(c.name)) crowns.set(c.name, c.loc);
        }
        return crowns.get(ref.name);
      case "flow":
        flows ??= new Map(model.flows.map((f) => [f.id, f.loc]));
        return flows.get(ref.name);
      case "finding":
        byId ??= new Map(findings.map((f) => [f.id, f.location]));
        return byId.get(ref.name);
    }
  };
}

/** How many offenders a violation lists before summing up the rest. */
export const MAX_NOTES = 10;

/**
 * One located AT5010 error per failed threshold: at the threshold's line, saying the value, the
 * bound and the policy, with a note per offending item located at its declaration.
 */
export function violationDiagnostics(evaluation: PolicyEvaluation): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const r of evaluation.results) {
    if (r.passed) continue;
    const d = METRIC_BY_ID.get(r.threshold.metric)!;
    const t = r.threshold;
    const fmt = (v: number) => formatValue(d, v);
    const policy = quoteLabel(r.policy);
    const message =
      t.bound === "min"
        ? `\`${t.metric}\` is ${fmt(r.actual)}, below the minimum of ${fmt(t.value)} that ${policy} sets`
        : `\`${t.metric}\` is ${fmt(r.actual)}, above the maximum of ${fmt(t.value)} that ${policy} sets`;
    const notes: Note[] = r.offenders.slice(0, MAX_NOTES).map((i) => {
      const location = evaluation.locate(i.ref);
      return location ? { message: i.text, location } : { message: i.text };
    });
    if (r.offenders.length > MAX_NOTES)
      notes.push({ message: `and ${r.offenders.length - MAX_NOTES} more (metrics.json lists them all)` });
    out.push(diag("AT5010", t.loc, message, { hint: d.hint, notes }));
  }
  return out;
}

/** A policy declaration's keyword must be `policy`; used by the policy-file reader. */
export function isPolicyDeclaration(node: { kind: string; keyword?: string }): node is DeclarationNode {
  return node.kind === "declaration" && node.keyword === "policy";
}
