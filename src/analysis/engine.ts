import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import { diag, type Diagnostic, type Location, type StageResult } from "../diagnostics/diagnostic.js";
import type { ThreatGraph } from "../graph/threat-graph.js";
import type { ControlUse, ResolvedModel, Subject } from "../semantic/model.js";
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

function controlsAt(model: ResolvedModel, s: Subject): readonly ControlUse[] {
  if (s.type === "component") return model.components[s.index]!.controls;
  if (s.type === "flow") return model.flows[s.index]!.controls;
  return [];
}

const sameSubject = (a: Subject, b: Subject) => a.type === b.type && a.index === b.index;

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
  const userControls = new Map(model.controls.map((c) => [c.name, c]));
  const modelLoc: Location | undefined = model.files[0]
    ? { file: model.files[0], start: 0, end: 0 }
    : undefined;

  for (const rule of rules) {
    const drafts: FindingDraft[] = [];
    const ctx: RuleContext = { model, graph, facts, report: (d) => drafts.push(d) };
    try {
      rule.check(ctx);
    } catch (e) {
      diagnostics.push(
        diag("AT4002", modelLoc, `rule \`${rule.meta.id}\` failed: ${(e as Error).message ?? String(e)}`, {
          hint: "the other rules ran; please report this with the model",
        }),
      );
      continue;
    }
    const meta = rule.meta;
    for (const d of drafts) {
      const info = subjectInfo(model, d.subject);
      const id = `${meta.id}:${info.name}${d.key ? `:${d.key}` : ""}`;
      if (findings.has(id)) continue;
      const likelihood: Level = d.likelihood ?? meta.likelihood;
      const impact: Level = d.impact ?? meta.impact;
      const severity = severityOf(likelihood, impact);

      const mitigatedBy: ControlUse[] = [];
      let cut = false;
      for (const point of d.controlPoints ?? [d.subject]) {
        for (const use of controlsAt(model, point)) {
          const builtin = BUILTIN_CONTROL_BY_ID.get(use.name);
          const counts = builtin
            ? (d.mitigations ?? meta.mitigations).includes(use.name)
            : (userControls.get(use.name)?.mitigates.includes(meta.id) ?? false);
          if (!counts || mitigatedBy.some((m) => m.name === use.name)) continue;
          mitigatedBy.push(use);
          if (builtin?.effect === "cut") cut = true;
        }
      }
      const residualLikelihood =
        mitigatedBy.length === 0
          ? likelihood
          : cut
            ? "low"
            : lower(likelihood, Math.min(2, mitigatedBy.length));
      const acceptance = model.acceptances.find(
        (a) => a.rule === meta.id && sameSubject(a.subject, d.subject),
      );
      const status =
        acceptance && !acceptance.expired ? "accepted" : mitigatedBy.length > 0 ? "mitigated" : "open";
      const likelihoodWhy = d.likelihood
        ? (d.likelihoodReason ?? d.adjustment ?? meta.likelihoodBasis)
        : meta.likelihoodBasis;
      const impactWhy = d.impact ? (d.impactReason ?? d.adjustment ?? meta.impactBasis) : meta.impactBasis;
      const rationale = `likelihood ${likelihood} (${likelihoodWhy}) x impact ${impact} (${impactWhy})`;
      findings.set(id, {
        id,
        fingerprint: fingerprintOf(id),
        rule: meta.id,
        category: meta.category,
        title: meta.title,
        message: d.message,
        subject: d.subject,
        subjectName: info.name,
        subjectKind: info.kind,
        ...(d.key ? { key: d.key } : {}),
        location: info.loc,
        facts: d.facts,
        likelihood,
        impact,
        severity,
        rationale,
        status,
        mitigatedBy,
        residualLikelihood,
        residualSeverity: severityOf(residualLikelihood, impact),
        ...(acceptance ? { acceptance } : {}),
        recommended: d.mitigations ?? meta.mitigations,
      });
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
