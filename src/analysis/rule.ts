import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Component, Flow, ResolvedModel, Subject } from "../semantic/model.js";
import type { ComponentKind } from "../semantic/vocabulary.js";
import type { Fact, Facts } from "./facts.js";

/** STRIDE categories. */
export type Stride =
  | "spoofing"
  | "tampering"
  | "repudiation"
  | "information_disclosure"
  | "denial_of_service"
  | "elevation_of_privilege";
export const STRIDE: readonly Stride[] = [
  "spoofing",
  "tampering",
  "repudiation",
  "information_disclosure",
  "denial_of_service",
  "elevation_of_privilege",
];

/** Likelihood and impact levels. */
export type Level = "low" | "medium" | "high" | "very_high";
export const LEVELS: readonly Level[] = ["low", "medium", "high", "very_high"];

/**
 * What a rule is, as data: the text doubles as report and documentation content (written in our own
 * words), and the mappings cite external ids with pinned versions (ATLAS version in data/atlas.json;
 * OWASP ids carry their year). `category: "assumption"` rules report missing information.
 */
export interface RuleMeta {
  /** Stable id: `AT-nn` for threats, `AS-nn` for assumptions; never reused. */
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly category: "threat" | "assumption";
  readonly stride: readonly Stride[];
  /** MITRE ATLAS technique ids (checked against data/atlas.json). */
  readonly atlas: readonly string[];
  /** OWASP ids with year: `LLM01:2025`, `ML02:2023`, `ASI01:2026`. */
  readonly owasp: readonly string[];
  /** NIST AI 100-2 E2025 ids. */
  readonly nist: readonly string[];
  /** CoSAI Risk Map risk ids. */
  readonly cosai: readonly string[];
  /** Default likelihood, and why (e.g. ATLAS maturity, exposure). */
  readonly likelihood: Level;
  readonly likelihoodBasis: string;
  readonly impact: Level;
  readonly impactBasis: string;
  /** Built-in controls that mitigate the threat (their ATLAS mitigations come with them). */
  readonly mitigations: readonly string[];
  /**
   * Those of `mitigations` that act on the subject itself (its privileges, its approvals, its log):
   * they count on the finding's subject only, not on the other control points (an upstream agent's
   * least privilege says nothing of the agent it prompts). Default: every mitigation counts at every
   * control point.
   */
  readonly subjectControls?: readonly string[];
  /** What the rule looks for, in words (for `explain` and the rule reference). */
  readonly detection: string;
  /** When it fires but the threat may not be real. */
  readonly falsePositives: string;
  readonly references: readonly string[];
  /** The component kinds (or flows) the rule reports on. */
  readonly appliesTo: readonly (ComponentKind | "flow")[];
}

/** One finding as a rule reports it; the engine adds severity, status and ids. */
export interface FindingDraft {
  readonly subject: Subject;
  /** The specific sentence for this subject ("`copilot` reads `kb`, which ..."). */
  readonly message: string;
  /** Why it fired, each fact located. */
  readonly facts: readonly Fact[];
  /** Distinguishes several findings of one rule on one subject (e.g. per data asset); part of the fingerprint. */
  readonly key?: string;
  /** Overrides of the rule's default levels, with the reason. */
  readonly likelihood?: Level;
  readonly impact?: Level;
  /** Why the levels differ from the rule's defaults (the reason shown for each level overridden). */
  readonly adjustment?: string;
  /**
   * When a draft overrides both levels for different reasons: the reason for its likelihood and the
   * reason for its impact, each shown beside its own level instead of `adjustment` (see `levelReasons`).
   */
  readonly likelihoodReason?: string;
  readonly impactReason?: string;
  /** The subset of the rule's mitigations that apply to this finding (default: all of them). */
  readonly mitigations?: readonly string[];
  /** Where a declared mitigating control counts (default: the subject). */
  readonly controlPoints?: readonly ControlPoint[];
}

/**
 * A place where declared controls count against a finding, but for those in `except`: a tool that
 * states its own approval replaces the calling agent's, so the agent's `human_approval` (declared, or
 * implied by `approval human`) does not count for calls to it, while its other controls do.
 * `exceptFor: "delegated"` says the exception has the other reason (for `explain`): the calls are
 * made by agents this one delegates to, which its approval, a default for its own calls, does not cover;
 * `"uncalled"`: the finding's path leaves the agent by no call of its own (an answer, a write, a
 * result it returns), which its approval does not confirm either.
 */
export type ControlPoint = Subject & {
  readonly except?: readonly string[];
  readonly exceptFor?: "delegated" | "uncalled";
  /**
   * Where the exception comes from a tool's stated approval and the finding's path does not show
   * that tool (AT-37's way out leaves the agent by a call to a gateway): the components that state
   * it, for `explain`. Without it `explain` reads them from the other control points.
   */
  readonly replacedBy?: readonly number[];
};

/** What a rule's `check` can use: the model, its graph, the propagation facts, and a reporter. */
export interface RuleContext {
  readonly model: ResolvedModel;
  readonly graph: ThreatGraph;
  readonly facts: Facts;
  readonly report: (draft: FindingDraft) => void;
}

/** A threat rule: metadata plus a typed check over the graph (no condition strings, no eval). */
export interface Rule {
  readonly meta: RuleMeta;
  readonly check: (ctx: RuleContext) => void;
}

/** Declares a rule; the registry in rules/index.ts lists every built-in one. */
export function defineRule(meta: RuleMeta, check: (ctx: RuleContext) => void): Rule {
  return { meta, check };
}

// A subject is only a kind and an index, so one frozen object per index serves every finding of a
// rule stage (a copy per finding was a third of a million small objects on a large model), and the
// stage lets them go as it ends (`releaseSharedSubjects`).
const componentSubjects: (Subject | undefined)[] = [];
const flowSubjects: (Subject | undefined)[] = [];

function sharedSubject(list: (Subject | undefined)[], type: Subject["type"], index: number): Subject {
  // Grown in order: writing far past the end would turn the list into a slow dictionary.
  while (list.length <= index) list.push(undefined);
  return (list[index] ??= Object.freeze({ type, index }));
}

/**
 * Lets the shared subjects go, as a rule stage ends: the findings keep a subject as two numbers, so
 * the lists would otherwise keep an object per component and flow that ever had a finding for the
 * rest of the process (at 100k about 18 MB, measured with the lists' elements). A later call makes
 * them again; objects the rules' caches still hold stay valid (subjects compare by type and index).
 */
export function releaseSharedSubjects(): void {
  componentSubjects.length = 0;
  flowSubjects.length = 0;
}

/** Subject helpers. */
export const componentSubject = (c: Component): Subject =>
  sharedSubject(componentSubjects, "component", c.index);
export const flowSubject = (f: Flow): Subject => sharedSubject(flowSubjects, "flow", f.index);

/**
 * The reasons of a draft that may override its likelihood, its impact or both, each for a reason of
 * its own: the rationale then reads "likelihood high (why it is likely) x impact very_high (why it
 * matters)" rather than both reasons joined beside each level. An empty or missing reason is left out.
 */
export function levelReasons(
  likelihood: string | undefined,
  impact: string | undefined,
): Pick<FindingDraft, "likelihoodReason" | "impactReason"> {
  return {
    ...(likelihood ? { likelihoodReason: likelihood } : {}),
    ...(impact ? { impactReason: impact } : {}),
  };
}
