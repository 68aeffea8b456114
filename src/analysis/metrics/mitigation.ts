import { SEVERITIES, type Finding } from "../findings.js";
import { sourceOf, type FindingList } from "../finding-records.js";
import { LEVELS, type Level } from "../rule.js";
import { percent, type MitigationMetrics } from "./model.js";

const rank = (l: Level): number => LEVELS.indexOf(l) + 1;

/** Likelihood x impact of a finding after its declared controls, on the engine's 1..16 scale. */
export function residualScore(f: Finding): number {
  return rank(f.residualLikelihood) * rank(f.impact);
}

/**
 * Mitigation coverage, status counts by severity and residual risk, over threat findings. Acceptance
 * changes the status but not the risk: accepting a threat is a decision about it, not a control.
 */
export function mitigationMetrics(findings: FindingList): MitigationMetrics {
  const bySeverity = new Map(
    SEVERITIES.map((s) => [s, { severity: s, total: 0, open: 0, mitigated: 0, accepted: 0 }]),
  );
  const status = { open: 0, mitigated: 0, accepted: 0 };
  let threats = 0;
  let withControl = 0;
  let inherentRisk = 0;
  let residualRisk = 0;
  let openAssumptions = 0;
  // Read field by field: a finding object per record would make its id and fingerprint.
  const src = sourceOf(findings);
  for (let i = 0; i < src.length; i++) {
    const fStatus = src.status(i);
    if (src.category(i) === "assumption") {
      if (fStatus === "open") openAssumptions++;
      continue;
    }
    threats++;
    if (src.mitigatedBy(i).length > 0) withControl++;
    status[fStatus]++;
    const row = bySeverity.get(src.severity(i))!;
    row.total++;
    row[fStatus]++;
    const impact = rank(src.impact(i));
    inherentRisk += rank(src.likelihood(i)) * impact;
    residualRisk += rank(src.residualLikelihood(i)) * impact;
  }
  return {
    threats,
    withControl,
    coverage: percent(withControl, threats),
    status,
    bySeverity: [...SEVERITIES].reverse().map((s) => bySeverity.get(s)!),
    inherentRisk,
    residualRisk,
    riskReduction: inherentRisk === 0 ? 0 : percent(inherentRisk - residualRisk, inherentRisk),
    openAssumptions,
  };
}
