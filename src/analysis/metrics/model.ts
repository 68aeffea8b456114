/**
 * The metrics of one model, as plain JSON-ready data (names, not indices): the `metrics` section of
 * metrics.json, what `scorecard` and `metricDeltas` read, and what a policy is checked against.
 * Every collection is sorted (or in declaration order), so the same model gives the same object.
 * docs/metrics.md defines each number, says which direction is better, and where the idea comes from.
 */

/** Findings by status. */
export interface StatusCounts {
  open: number;
  mitigated: number;
  accepted: number;
}

/** Mitigation coverage and residual risk over threat findings (assumption findings apart). */
export interface MitigationMetrics {
  /** Threat findings (rules of category `threat`). */
  threats: number;
  /** Threat findings with at least one declared mitigating control. */
  withControl: number;
  /** withControl / threats, in percent (100 when there is no threat). */
  coverage: number;
  status: StatusCounts;
  /** Status counts per severity, most severe first. */
  bySeverity: ({ severity: string; total: number } & StatusCounts)[];
  /** Sum over threat findings of likelihood x impact (each ranked 1..4), before controls. */
  inherentRisk: number;
  /** The same sum with the residual likelihood declared controls leave. */
  residualRisk: number;
  /** 1 - residual / inherent, in percent (0 when there is no risk). */
  riskReduction: number;
  /** Open assumption findings (AS-nn): information the model does not state. */
  openAssumptions: number;
}

/** Exposure of one crown jewel property. */
export interface TargetExposure {
  crown: string;
  crownType: "component" | "data";
  property: string;
  mode: "influence" | "disclosure";
  exposed: boolean;
  /** Entry classes that reach it, with how many entries, the best likelihood and its path length. */
  byEntryClass: {
    entryClass: string;
    entries: number;
    bestLikelihood: number;
    steps: number;
    fewestSteps: number;
  }[];
  /** Highest path likelihood over entry classes (0 when unexposed). */
  bestLikelihood: number;
  /** Fewest steps over entry classes, each the length of that class's most likely path (0 when unexposed). */
  steps: number;
  /** The shortest attack path's length in steps, whatever its likelihood (0 when unexposed). */
  fewestSteps: number;
}

/** Which crown jewels attackers reach, by entry class. */
export interface ExposureMetrics {
  /** Distinct crown jewels (components and data assets) declared. */
  crownJewels: number;
  /** Distinct crown jewels with at least one exposed property. */
  exposedCrownJewels: number;
  /** Their names, sorted. */
  exposed: string[];
  byEntryClass: { entryClass: string; entries: number; crownJewels: number; targets: number }[];
  targets: TargetExposure[];
  /** Highest path likelihood over every target (0 when nothing is exposed). */
  maxLikelihood: number;
}

/** Untrusted content reaching the context of one agent or model. */
export interface UntrustedInputEntry {
  component: string;
  kind: string;
  /** Distinct untrusted entries (user input, outside data, tool output) whose content reaches it. */
  sources: number;
  /** True when `sources` is a lower bound (the count stops at UNTRUSTED_SOURCE_CAP). */
  sourcesAtLeast: boolean;
  /** Entry classes of that content. */
  entryClasses: string[];
  /** Fewest trust boundaries untrusted content crosses on its way here (null when none reaches it). */
  boundaries: number | null;
}

/** Untrusted-input exposure per agent and model. */
export interface UntrustedInputMetrics {
  /** Agents and models reached by untrusted content. */
  reached: number;
  /** Largest `sources` over them. */
  maxSources: number;
  components: UntrustedInputEntry[];
}

/** The three legs of the lethal trifecta for one agent. */
export interface TrifectaEntry {
  agent: string;
  untrustedInput: boolean;
  privateData: boolean;
  outboundChannel: boolean;
  legs: number;
  violation: boolean;
  /** Status of the AT-37 finding on the agent, when the rule reported one. */
  findingStatus?: string;
}

/** Lethal-trifecta (rule of two) violations. */
export interface TrifectaMetrics {
  violations: number;
  /** Violations whose AT-37 finding is open (no declared control, no acceptance). */
  open: number;
  agents: TrifectaEntry[];
}

/** One state-changing action an agent can take. */
export interface AgentAction {
  tool: string;
  capabilities: string[];
  gated: boolean;
  /** The agent it delegates to that holds the tool (absent for its own tools). */
  via?: string;
}

/** What one agent can reach and change. */
export interface BlastRadiusEntry {
  agent: string;
  /** Data assets classified confidential or above that the agent or its tools can read or write. */
  sensitiveAssets: string[];
  /** True when `sensitiveAssets` stopped at BLAST_RADIUS_CAP (there may be more). */
  sensitiveAssetsAtLeast: boolean;
  /** Tools with state-changing or outbound capabilities, its own and its delegates'. */
  actions: AgentAction[];
  /** Number of (tool, capability) pairs in `actions`. */
  actionCount: number;
  /** True when `actions` stopped at BLAST_RADIUS_CAP tools (there may be more). */
  actionsAtLeast: boolean;
  /** Its own high-impact tools that no person approves. */
  ungatedHighImpactTools: string[];
}

/** Blast radius per agent. */
export interface BlastRadiusMetrics {
  /** Distinct tools some agent can call with high impact and no approval. */
  ungatedHighImpactTools: number;
  maxSensitiveAssets: number;
  maxActions: number;
  agents: BlastRadiusEntry[];
}

/** Provenance of one artifact kind. */
export interface ProvenanceByKind {
  kind: string;
  total: number;
  verified: number;
  thirdParty: number;
}

/** Supply-chain provenance. */
export interface SupplyChainMetrics {
  artifacts: number;
  verified: number;
  /** verified / artifacts, in percent (100 when there is none). */
  verifiedShare: number;
  byKind: ProvenanceByKind[];
  /** Artifacts without verified provenance, sorted. */
  unverified: string[];
  /** Of those, the ones that come from outside the organisation (by lineage), sorted. */
  unverifiedThirdParty: string[];
  /** Models in a serialization format that can run code when loaded. */
  executableFormats: { model: string; format: string; verified: boolean }[];
}

/** Query exposure of inference endpoints. */
export interface QueryExposureMetrics {
  endpoints: number;
  publicEndpoints: string[];
  withoutAuth: string[];
  withoutRateLimit: string[];
  withoutQuota: string[];
  /** Endpoints returning scores from a model trained on or holding sensitive data, or marked a crown jewel. */
  scoresOnSensitiveModels: { endpoint: string; public: boolean; models: string[] }[];
}

/** The cheapest set of controls cutting every attack path to every crown jewel. */
export interface CutMetrics {
  size: number;
  cost: number;
  feasible: boolean;
  quality: string;
  controls: { control: string; on: string; cost: number }[];
  /** Steps no built-in control cuts. */
  uncuttable: number;
}

/** ATLAS coverage of one tactic. */
export interface TacticCoverage {
  tactic: string;
  name: string;
  examined: number;
  applicable: number;
  addressed: number;
  /** Applicable techniques for which ATLAS lists no mitigation (left out of `coverage`). */
  withoutMitigation: number;
  /** addressed / (applicable - withoutMitigation), in percent (100 when the denominator is 0). */
  coverage: number;
}

/** One ATLAS technique the analysis looked for. */
export interface TechniqueCoverage {
  id: string;
  name: string;
  tactics: string[];
  /** A finding of a rule citing it fired. */
  applicable: boolean;
  /** Declared controls implementing one of its ATLAS mitigations. */
  addressedBy: string[];
  /** ATLAS mitigations listed for it (its parent's for a sub-technique that lists none). */
  mitigations: string[];
}

/** MITRE ATLAS technique coverage. */
export interface AtlasMetrics {
  version: string;
  examined: number;
  applicable: number;
  addressed: number;
  withoutMitigation: number;
  coverage: number;
  byTactic: TacticCoverage[];
  techniques: TechniqueCoverage[];
}

/** One AIVSS agentic amplification factor as scored for an agent. */
export interface AgenticFactor {
  factor: string;
  value: number;
  reason: string;
}

/** The agentic amplification score of one agent. */
export interface AgenticEntry {
  agent: string;
  /** Sum of the ten factors, 0..10. */
  score: number;
  factors: AgenticFactor[];
  /** Properties the agent does not state (scored as the worst case). */
  unstated: string[];
}

/** Agentic amplification per agent. */
export interface AgenticMetrics {
  maxScore: number;
  agents: AgenticEntry[];
}

/** Every metric of a model. */
export interface Metrics {
  mitigation: MitigationMetrics;
  exposure: ExposureMetrics;
  untrustedInput: UntrustedInputMetrics;
  trifecta: TrifectaMetrics;
  blastRadius: BlastRadiusMetrics;
  supplyChain: SupplyChainMetrics;
  queryExposure: QueryExposureMetrics;
  cut: CutMetrics;
  atlas: AtlasMetrics;
  agentic: AgenticMetrics;
}

/** Percent with one decimal. */
export const percent = (part: number, whole: number): number =>
  whole === 0 ? 100 : Math.round((part / whole) * 1000) / 10;

/** Four decimals, as the path views round likelihoods. */
export const round4 = (x: number): number => Math.round(x * 1e4) / 1e4;

/** Code-unit string order (locale-independent, so output never depends on the machine). */
export const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

/** Largest number of a list, 0 when empty (no spread: lists can hold a million entries). */
export function maxOf(xs: readonly number[]): number {
  let m = 0;
  for (const x of xs) if (x > m) m = x;
  return m;
}
