import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import { diag, type Diagnostic, type Location, type StageResult } from "../diagnostics/diagnostic.js";
import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Acceptance, ControlDecl, ControlUse, ResolvedModel, Subject } from "../semantic/model.js";
import type { Facts } from "./facts.js";
import { fingerprintOf, lower, severityOf, type Finding } from "./findings.js";
import type { FindingDraft, Level, Rule, RuleContext } from "./rule.js";

/** Name, kind and location of a subject. */
export function subjectInfo(model: ResolvedModel, s: Subject): { name: string; kind: string; loc: Location } {
  switch (s.type) {
    case "component": {
      const c = model.components[s.index]!;
      return { name: c.name, kind: c.kind, loc: c.nameLoc };
    }
    case "flow": {
      const f = model.flows[s.index]!;
      return { name: f.id, kind: "flow", loc: f.loc };
    }
    case "data": {
      const d = model.data[s.index]!;
      return { name: d.name, kind: "data", loc: d.nameLoc };
    }
  }
}

const NO_CONTROLS: readonly ControlUse[] = [];

function controlsAt(graph: ThreatGraph, s: Subject): readonly ControlUse[] {
  // Most subjects declare no control: the typed counts answer that without touching the objects.
  if (s.type === "component")
    return graph.compControls[s.index] ? graph.model.components[s.index]!.controls : NO_CONTROLS;
  if (s.type === "flow")
    return graph.flowControls[s.index] ? graph.model.flows[s.index]!.controls : NO_CONTROLS;
  return NO_CONTROLS;
}

const userControlsOf = new WeakMap<ResolvedModel, ReadonlyMap<string, ControlDecl>>();

/**
 * Whether a declared control counts against a rule: a built-in control when it is among the
 * mitigations given (the rule's, or the subset a finding names), a user control when its
 * `mitigates` lists the rule. This is the engine's test for "mitigated"; rules that let a control
 * cut a chain use it too, so the two cannot drift apart. Answers are cached per control name.
 */
export function controlCounts(
  model: ResolvedModel,
  ruleId: string,
  mitigations: readonly string[],
): (name: string) => boolean {
  let user = userControlsOf.get(model);
  if (!user) userControlsOf.set(model, (user = new Map(model.controls.map((c) => [c.name, c]))));
  const users = user;
  const cache = new Map<string, boolean>();
  return (name) => {
    let counts = cache.get(name);
    if (counts === undefined) {
      counts = BUILTIN_CONTROL_BY_ID.has(name)
        ? mitigations.includes(name)
        : (users.get(name)?.mitigates.includes(ruleId) ?? false);
      cache.set(name, counts);
    }
    return counts;
  };
}

const subjectKey = (rule: string, s: Subject): string => `${rule}\u0000${s.type}\u0000${s.index}`;

/**
 * Runs every rule and turns drafts into findings: stable ids and fingerprints, severity from
 * likelihood x impact with its rationale, mitigation by declared controls (kept, with residual risk),
 * acceptance (or an expired one, which leaves the finding open). A rule that throws becomes an AT4002
 * diagnostic and the others still run. Findings are sorted by id, so output does not depend on rule order.
 */
export function runRules(
  model: ResolvedModel,
  graph: ThreatGraph,
  facts: Facts,
  rules: readonly Rule[],
): StageResult<Finding[]> {
  const diagnostics: Diagnostic[] = [];
  const findings = new Map<string, Finding>();
  const modelLoc: Location | undefined = model.files[0]
    ? { file: model.files[0], start: 0, end: 0 }
    : undefined;
  // The first acceptance of each (rule, subject), as a linear search would find it.
  const acceptances = new Map<string, Acceptance>();
  for (const a of model.acceptances) {
    const key = subjectKey(a.rule, a.subject);
    if (!acceptances.has(key)) acceptances.set(key, a);
  }

  for (const rule of rules) {
    const meta = rule.meta;
    const defaultCounts = controlCounts(model, meta.id, meta.mitigations);
    const countsFor = new Map<readonly string[], (name: string) => boolean>();
    // Drafts become findings as they are reported, so drafts and their control points die young
    // (cheap to collect) instead of piling up for the whole rule. A rule that throws reports nothing:
    // what it added is taken out again.
    const added: string[] = [];
    const report = (d: FindingDraft): void => {
      const info = subjectInfo(model, d.subject);
      const id = `${meta.id}:${info.name}${d.key ? `:${d.key}` : ""}`;
      if (findings.has(id)) return;
      added.push(id);
      const likelihood: Level = d.likelihood ?? meta.likelihood;
      const impact: Level = d.impact ?? meta.impact;
      const severity = severityOf(likelihood, impact);

      let counts = defaultCounts;
      if (d.mitigations) {
        let c = countsFor.get(d.mitigations);
        if (!c) countsFor.set(d.mitigations, (c = controlCounts(model, meta.id, d.mitigations)));
        counts = c;
      }
      const mitigatedBy: ControlUse[] = [];
      let cut = false;
      const points = d.controlPoints;
      const n = points ? points.length : 1;
      for (let p = 0; p < n; p++) {
        const uses = controlsAt(graph, points ? points[p]! : d.subject);
        for (let u = 0; u < uses.length; u++) {
          const use = uses[u]!;
          if (!counts(use.name) || mitigatedBy.some((m) => m.name === use.name)) continue;
          mitigatedBy.push(use);
          if (BUILTIN_CONTROL_BY_ID.get(use.name)?.effect === "cut") cut = true;
        }
      }
      const residualLikelihood =
        mitigatedBy.length === 0
          ? likelihood
          : cut
            ? "low"
            : lower(likelihood, Math.min(2, mitigatedBy.length));
      const acceptance = acceptances.size === 0 ? undefined : acceptances.get(subjectKey(meta.id, d.subject));
      const status =
        acceptance && !acceptance.expired ? "accepted" : mitigatedBy.length > 0 ? "mitigated" : "open";
      const likelihoodWhy = d.likelihood
        ? (d.likelihoodReason ?? d.adjustment ?? meta.likelihoodBasis)
        : meta.likelihoodBasis;
      const impactWhy = d.impact ? (d.impactReason ?? d.adjustment ?? meta.impactBasis) : meta.impactBasis;
      const rationale = `likelihood ${likelihood} (${likelihoodWhy}) x impact ${impact} (${impactWhy})`;
      // Built field by field in output order: object spreads of optional fields cost more than the
      // rest of the finding, and a large model reports hundreds of thousands.
      const finding: { -readonly [K in keyof Finding]: Finding[K] } = {
        id,
        fingerprint: fingerprintOf(id),
        rule: meta.id,
        category: meta.category,
        title: meta.title,
        message: d.message,
        subject: d.subject,
        subjectName: info.name,
        subjectKind: info.kind,
      } as Finding;
      if (d.key) finding.key = d.key;
      finding.location = info.loc;
      finding.facts = d.facts;
      finding.likelihood = likelihood;
      finding.impact = impact;
      finding.severity = severity;
      finding.rationale = rationale;
      finding.status = status;
      finding.mitigatedBy = mitigatedBy;
      finding.residualLikelihood = residualLikelihood;
      finding.residualSeverity = severityOf(residualLikelihood, impact);
      if (acceptance) finding.acceptance = acceptance;
      finding.recommended = d.mitigations ?? meta.mitigations;
      findings.set(id, finding);
    };
    const ctx: RuleContext = { model, graph, facts, report };
    try {
      rule.check(ctx);
    } catch (e) {
      for (const id of added) findings.delete(id);
      diagnostics.push(
        diag("AT4002", modelLoc, `rule \`${rule.meta.id}\` failed: ${(e as Error).message ?? String(e)}`, {
          hint: "the other rules ran; please report this with the model",
        }),
      );
    }
  }

  const matched = new Set<number>();
  for (const f of findings.values()) if (f.acceptance) matched.add(f.acceptance.index);
  for (const a of model.acceptances) {
    if (matched.has(a.index)) continue;
    diagnostics.push(
      diag(
        "AT4001",
        a.loc,
        `\`${a.rule}\` raises no finding on \`${a.subjectName}\`, so this acceptance matches nothing`,
        { hint: "remove the acceptance, or check that it names the right rule and subject" },
      ),
    );
  }

  const sorted = [...findings.values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { value: sorted, diagnostics };
}
