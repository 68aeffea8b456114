import type { Finding } from "../findings.js";
import type { FindingList } from "../finding-records.js";
import { residualScore } from "./mitigation.js";
import type { Metrics } from "./model.js";

/** Units of headline metrics; they fix what a policy threshold may be. */
export type MetricUnit = "count" | "percent" | "likelihood" | "score" | "cost";

/** Which way a metric improves. */
export type Direction = "higher" | "lower";

/** What a named item behind a metric points at, so a policy note can be located. */
export interface ItemRef {
  readonly type: "component" | "data" | "crown" | "flow" | "finding";
  readonly name: string;
}

/** One thing a metric counts (an exposed crown jewel, an ungated tool, an uncovered finding). */
export interface MetricItem {
  /** Stable name, for diffs (`added` / `removed`). */
  readonly name: string;
  /** Why it counts, in a sentence fragment with identifiers in backticks. */
  readonly text: string;
  readonly ref?: ItemRef;
  /** For per-item metrics (`max_*`): the item's own value, which a threshold applies to. */
  readonly value?: number;
}

/** A headline metric: one number with a unit and a direction, that policies and the scorecard name. */
export interface MetricDef {
  /** snake_case id, the key a `policy` declaration uses. */
  readonly id: string;
  readonly title: string;
  readonly unit: MetricUnit;
  readonly direction: Direction;
  /** Part of the scorecard's default list. */
  readonly headline: boolean;
  /** Allowed thresholds. */
  readonly range: { readonly min: number; readonly max?: number; readonly integer?: boolean };
  readonly value: (m: Metrics) => number;
  /** The things behind the number; findings are needed only by finding-based metrics. */
  readonly items?: (m: Metrics, findings: FindingList) => MetricItem[];
  /** True when the metric is a maximum over items and a threshold applies to each item. */
  readonly perItem?: boolean;
  /** What to do when a policy on it fails. */
  readonly hint: string;
  /** A qualifier shown with the value wherever people read it (`7 (partial)`). */
  readonly qualifier?: (m: Metrics) => string | undefined;
}

const code = (s: string) => `\`${s}\``;
const codes = (xs: readonly string[]) => xs.map(code).join(", ");
const COUNT = { min: 0, integer: true } as const;
const PERCENT = { min: 0, max: 100 } as const;

const findingItems = (findings: FindingList, keep: (f: Finding) => boolean, why: string): MetricItem[] =>
  findings
    .filter((f) => f.category === "threat" && keep(f))
    .map((f) => ({
      name: f.id,
      text: `${code(f.id)} (${f.severity}) ${why}`,
      ref: { type: "finding", name: f.id },
    }));

const componentItems = (names: readonly string[], why: string): MetricItem[] =>
  names.map((name) => ({ name, text: `${code(name)} ${why}`, ref: { type: "component", name } }));

const def = (d: MetricDef): MetricDef => d;

/**
 * The headline metrics, in scorecard order first (the `headline` ones), then the others grouped by
 * area. Every id is documented in docs/metrics.md (a test holds the two together).
 */
export const METRIC_DEFS: readonly MetricDef[] = [
  def({
    id: "mitigation_coverage",
    title: "Mitigation coverage",
    unit: "percent",
    direction: "higher",
    headline: true,
    range: PERCENT,
    value: (m) => m.mitigation.coverage,
    items: (_m, findings) =>
      findingItems(findings, (f) => f.mitigatedBy.length === 0, "has no declared control"),
    hint: "declare controls that mitigate the listed threats (each finding names the ones that would)",
  }),
  def({
    id: "open_critical",
    title: "Open critical threats",
    unit: "count",
    direction: "lower",
    headline: true,
    range: COUNT,
    value: (m) => m.mitigation.bySeverity.find((s) => s.severity === "critical")?.open ?? 0,
    items: (_m, findings) =>
      findingItems(findings, (f) => f.status === "open" && f.severity === "critical", "is open"),
    hint: "mitigate the listed threats with declared controls, or accept them with a reason, an owner and an expiry",
  }),
  def({
    id: "residual_risk",
    title: "Residual risk",
    unit: "score",
    direction: "lower",
    headline: true,
    range: { min: 0 },
    value: (m) => m.mitigation.residualRisk,
    items: (_m, findings) =>
      findings
        .filter((f) => f.category === "threat")
        .map((f) => ({ f, score: residualScore(f) }))
        .sort((a, b) => b.score - a.score || (a.f.id < b.f.id ? -1 : 1))
        .map(({ f, score }) => ({
          name: f.id,
          text: `${code(f.id)} adds ${score} (likelihood ${f.residualLikelihood} after controls x impact ${f.impact})`,
          ref: { type: "finding", name: f.id },
        })),
    hint: "declare controls on the threats that add the most (listed first); acceptance does not lower residual risk",
  }),
  def({
    id: "exposed_crown_jewels",
    title: "Exposed crown jewels",
    unit: "count",
    direction: "lower",
    headline: true,
    range: COUNT,
    value: (m) => m.exposure.exposedCrownJewels,
    items: (m) => {
      // One pass over the targets (a crown jewel has one per property), not one per crown jewel.
      const by = new Map<string, { properties: string[]; classes: Set<string> }>();
      for (const t of m.exposure.targets) {
        if (!t.exposed) continue;
        let row = by.get(t.crown);
        if (!row) by.set(t.crown, (row = { properties: [], classes: new Set() }));
        row.properties.push(t.property);
        for (const c of t.byEntryClass) row.classes.add(c.entryClass);
      }
      return m.exposure.exposed.map((name) => {
        const row = by.get(name)!;
        return {
          name,
          text: `${code(name)} (${row.properties.join(", ")}) is reachable from ${codes([...row.classes])}`,
          ref: { type: "crown", name },
        };
      });
    },
    hint: "`aithreat paths` lists the paths and the cheapest set of controls that cuts them all",
  }),
  def({
    id: "trifecta_violations",
    title: "Lethal-trifecta violations",
    unit: "count",
    direction: "lower",
    headline: true,
    range: COUNT,
    value: (m) => m.trifecta.violations,
    items: (m) =>
      componentItems(
        m.trifecta.agents.filter((a) => a.violation).map((a) => a.agent),
        "combines untrusted input, private data and an outbound channel",
      ),
    hint: "remove one leg per agent (rule of two): keep untrusted content, private data or the way out in another agent",
  }),
  def({
    id: "ungated_high_impact_tools",
    title: "High-impact tools without approval",
    unit: "count",
    direction: "lower",
    headline: true,
    range: COUNT,
    value: (m) => m.blastRadius.ungatedHighImpactTools,
    items: (m) => {
      const by = new Map<string, string[]>();
      for (const a of m.blastRadius.agents)
        for (const t of a.ungatedHighImpactTools) {
          const agents = by.get(t);
          if (agents) agents.push(a.agent);
          else by.set(t, [a.agent]);
        }
      return [...by]
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
        .map(([tool, agents]) => ({
          name: tool,
          text: `${code(tool)} acts for ${codes(agents.slice(0, 5))}${agents.length > 5 ? ` and ${agents.length - 5} more agents` : ""} with no person approving the call`,
          ref: { type: "component", name: tool },
        }));
    },
    hint: "require `approval human` on the tool (or a `human_approval` control), or drop the capability",
  }),
  def({
    id: "verified_provenance",
    title: "Verified provenance",
    unit: "percent",
    direction: "higher",
    headline: true,
    range: PERCENT,
    value: (m) => m.supplyChain.verifiedShare,
    items: (m) => componentItems(m.supplyChain.unverified, "has no verified provenance"),
    hint: "check signatures or hashes before use (`verified true`, `artifact_signing`) and record dataset lineage (`provenance true`)",
  }),
  def({
    id: "public_endpoints_without_rate_limit",
    title: "Public endpoints without rate limit",
    unit: "count",
    direction: "lower",
    headline: true,
    range: COUNT,
    value: (m) => m.queryExposure.withoutRateLimit.length,
    items: (m) => componentItems(m.queryExposure.withoutRateLimit, "is public and states no rate limit"),
    hint: "state `rate_limit true` on each public endpoint that has one, and add one where it does not",
  }),
  def({
    id: "cut_cost",
    title: "Cost of the cheapest cut",
    unit: "cost",
    direction: "lower",
    headline: true,
    range: { min: 0 },
    value: (m) => m.cut.cost,
    qualifier: (m) => (m.cut.feasible ? undefined : "partial"),
    items: (m) => [
      ...m.cut.controls.map((c) => ({
        name: `${c.control}@${c.on}`,
        text: `${code(c.control)} on ${code(c.on)} (cost ${c.cost})`,
      })),
      // Said with the figure, so a partial cut's cost is never read as the price of full protection.
      ...(m.cut.feasible
        ? []
        : [
            {
              name: "partial",
              text: `partial: ${m.cut.uncuttable} attack ${m.cut.uncuttable === 1 ? "step" : "steps"} no built-in control cuts stay open (see uncuttable_steps)`,
            },
          ]),
    ],
    hint: "the cut lists the controls that would protect every crown jewel (partial when some steps no built-in control cuts); declaring them lowers the cost to 0",
  }),
  def({
    id: "atlas_coverage",
    title: "ATLAS technique coverage",
    unit: "percent",
    direction: "higher",
    headline: true,
    range: PERCENT,
    value: (m) => m.atlas.coverage,
    items: (m) =>
      m.atlas.techniques
        .filter((t) => t.applicable && t.mitigations.length > 0 && t.addressedBy.length === 0)
        .map((t) => ({
          name: t.id,
          text: `${code(t.id)} ${t.name}: no declared control implements ${codes(t.mitigations)}`,
        })),
    hint: "declare controls whose ATLAS mitigations address the listed techniques (docs/language.md lists each control's)",
  }),
  def({
    id: "max_agentic_amplification",
    title: "Highest agentic amplification",
    unit: "score",
    direction: "lower",
    headline: true,
    range: { min: 0, max: 10 },
    value: (m) => m.agentic.maxScore,
    perItem: true,
    items: (m) =>
      m.agentic.agents.map((a) => ({
        name: a.agent,
        text: `${code(a.agent)} scores ${a.score} (${a.factors
          .filter((f) => f.value > 0)
          .map((f) => `${f.factor} ${f.value}`)
          .join(", ")})`,
        ref: { type: "component", name: a.agent },
        value: a.score,
      })),
    hint: "lower the factors the agent scores highest on: approval, narrower tools, less memory, audit logging",
  }),
  // ---- further metrics a policy can name --------------------------------------------------------
  def({
    id: "open_threats",
    title: "Open threats",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.mitigation.status.open,
    items: (_m, findings) => findingItems(findings, (f) => f.status === "open", "is open"),
    hint: "mitigate the listed threats with declared controls, or accept them with a reason, an owner and an expiry",
  }),
  def({
    id: "open_high",
    title: "Open high-severity threats",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.mitigation.bySeverity.find((s) => s.severity === "high")?.open ?? 0,
    items: (_m, findings) =>
      findingItems(findings, (f) => f.status === "open" && f.severity === "high", "is open"),
    hint: "mitigate the listed threats with declared controls, or accept them with a reason, an owner and an expiry",
  }),
  def({
    id: "open_assumptions",
    title: "Open assumptions",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.mitigation.openAssumptions,
    items: (_m, findings) =>
      findings
        .filter((f) => f.category === "assumption" && f.status === "open")
        .map((f) => ({
          name: f.id,
          text: `${code(f.id)}: ${f.title}`,
          ref: { type: "finding", name: f.id },
        })),
    hint: "state the properties the listed assumptions ask for",
  }),
  def({
    id: "max_path_likelihood",
    title: "Most likely attack path",
    unit: "likelihood",
    direction: "lower",
    headline: false,
    range: { min: 0, max: 1 },
    value: (m) => m.exposure.maxLikelihood,
    perItem: true,
    items: (m) =>
      m.exposure.targets
        .filter((t) => t.exposed)
        .map((t) => ({
          name: `${t.crown}:${t.property}`,
          text: `the most likely path to ${code(t.crown)} (${t.property}) has likelihood ${t.bestLikelihood} in ${t.steps} step${t.steps === 1 ? "" : "s"}`,
          ref: { type: "crown", name: t.crown },
          value: t.bestLikelihood,
        })),
    hint: "`aithreat paths --to <crown jewel>` shows the path; a control on any of its steps lowers it",
  }),
  def({
    id: "untrusted_input_reached",
    title: "Agents and models reached by untrusted input",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.untrustedInput.reached,
    items: (m) =>
      componentItems(
        m.untrustedInput.components.filter((c) => c.sources > 0).map((c) => c.component),
        "has untrusted content in its context",
      ),
    hint: "keep untrusted content out of the context, or isolate the component that reads it",
  }),
  def({
    id: "max_untrusted_sources",
    title: "Most untrusted sources in one context",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.untrustedInput.maxSources,
    perItem: true,
    items: (m) =>
      m.untrustedInput.components
        .filter((c) => c.sources > 0)
        .map((c) => ({
          name: c.component,
          text: `${code(c.component)} sees content from ${c.sourcesAtLeast ? "at least " : ""}${c.sources} untrusted source${c.sources === 1 ? "" : "s"}, ${c.boundaries} trust boundar${c.boundaries === 1 ? "y" : "ies"} away`,
          ref: { type: "component", name: c.component },
          value: c.sources,
        })),
    hint: "narrow what feeds the context: fewer untrusted sources, or a sanitising step in between",
  }),
  def({
    id: "open_trifecta_violations",
    title: "Unmitigated lethal-trifecta violations",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.trifecta.open,
    items: (m) =>
      componentItems(
        m.trifecta.agents.filter((a) => a.violation && a.findingStatus === "open").map((a) => a.agent),
        "combines all three legs and no control or acceptance covers AT-37",
      ),
    hint: "remove one leg per agent, or declare a control that cuts the way out (e.g. `egress_allowlist`)",
  }),
  def({
    id: "max_sensitive_assets_per_agent",
    title: "Most sensitive assets one agent reaches",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.blastRadius.maxSensitiveAssets,
    perItem: true,
    items: (m) =>
      m.blastRadius.agents.map((a) => ({
        name: a.agent,
        text: `${code(a.agent)} reaches ${a.sensitiveAssetsAtLeast ? "at least " : ""}${a.sensitiveAssets.length} sensitive asset${a.sensitiveAssets.length === 1 ? "" : "s"}${a.sensitiveAssets.length ? `: ${codes(a.sensitiveAssets.slice(0, 10))}${a.sensitiveAssets.length > 10 ? "..." : ""}` : ""}`,
        ref: { type: "component", name: a.agent },
        value: a.sensitiveAssets.length,
      })),
    hint: "give the agent tools scoped to the data it needs (least privilege)",
  }),
  def({
    id: "max_actions_per_agent",
    title: "Most actions one agent can take",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.blastRadius.maxActions,
    perItem: true,
    items: (m) =>
      m.blastRadius.agents.map((a) => ({
        name: a.agent,
        text: `${code(a.agent)} can take ${a.actionsAtLeast ? "at least " : ""}${a.actionCount} state-changing or outbound action${a.actionCount === 1 ? "" : "s"}`,
        ref: { type: "component", name: a.agent },
        value: a.actionCount,
      })),
    hint: "split the agent, or drop capabilities its task does not need",
  }),
  def({
    id: "unverified_third_party_artifacts",
    title: "Unverified third-party artifacts",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.supplyChain.unverifiedThirdParty.length,
    items: (m) =>
      componentItems(
        m.supplyChain.unverifiedThirdParty,
        "comes from outside the organisation and nothing checks it",
      ),
    hint: "check signatures or hashes before use (`verified true`, `artifact_signing`), or pin and scan the artifact",
  }),
  def({
    id: "executable_format_models",
    title: "Models in executable formats",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.supplyChain.executableFormats.length,
    items: (m) =>
      m.supplyChain.executableFormats.map((x) => ({
        name: x.model,
        text: `${code(x.model)} is stored as \`${x.format}\`, which can run code when loaded`,
        ref: { type: "component", name: x.model },
      })),
    hint: "convert the weights to a format that cannot run code (`safetensors`, `gguf`, `onnx`)",
  }),
  def({
    id: "public_endpoints_without_auth",
    title: "Public endpoints without authentication",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.queryExposure.withoutAuth.length,
    items: (m) =>
      componentItems(m.queryExposure.withoutAuth, "is reached by untrusted callers without authentication"),
    hint: "state how callers authenticate (`auth`), and require it where nothing does",
  }),
  def({
    id: "public_endpoints_without_quota",
    title: "Public endpoints without quota",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.queryExposure.withoutQuota.length,
    items: (m) => componentItems(m.queryExposure.withoutQuota, "is public and states no quota"),
    hint: "state `quota true` on each public endpoint that caps usage, and add a cap where none does",
  }),
  def({
    id: "score_endpoints_on_sensitive_models",
    title: "Endpoints returning scores of sensitive models",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.queryExposure.scoresOnSensitiveModels.length,
    items: (m) =>
      m.queryExposure.scoresOnSensitiveModels.map((e) => ({
        name: e.endpoint,
        text: `${code(e.endpoint)} returns scores of ${codes(e.models)}`,
        ref: { type: "component", name: e.endpoint },
      })),
    hint: "return labels only, or round and cap the scores",
  }),
  def({
    id: "cut_size",
    title: "Controls in the cheapest cut",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.cut.size,
    items: (m) =>
      m.cut.controls.map((c) => ({
        name: `${c.control}@${c.on}`,
        text: `${code(c.control)} on ${code(c.on)}`,
      })),
    hint: "the cut lists the controls that would protect every crown jewel",
  }),
  def({
    id: "uncuttable_steps",
    title: "Steps no control cuts",
    unit: "count",
    direction: "lower",
    headline: false,
    range: COUNT,
    value: (m) => m.cut.uncuttable,
    hint: "`aithreat paths` names the steps; only a redesign (or a lowering control) addresses them",
  }),
];

/** Every metric id, for "did you mean" and the schema. */
export const METRIC_IDS: readonly string[] = METRIC_DEFS.map((d) => d.id);

/** A metric's definition by id. */
export const METRIC_BY_ID: ReadonlyMap<string, MetricDef> = new Map(METRIC_DEFS.map((d) => [d.id, d]));

/** The id a policy may name. */
export type MetricId = string;

/** The value of a headline metric. */
export function metricValue(metrics: Metrics, id: string): number | undefined {
  return METRIC_BY_ID.get(id)?.value(metrics);
}

/** A metric value for people: `62.5%`, `0.42`, `3`. */
export function formatValue(def: Pick<MetricDef, "unit">, value: number): string {
  return def.unit === "percent" ? `${value}%` : String(value);
}
