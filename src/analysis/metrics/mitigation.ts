import { SEVERITIES, type Finding } from "../findings.js";
import type { FindingList } from "../finding-records.js";
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
  for (const f of findings) {
    if (f.category === "assumption") {
      if (f.status === "open") openAssumptions++;
      continue;
    }
    threats++;
    if (f.mitigatedBy.length > 0) withControl++;
    status[f.status]++;
    const row = bySeverity.get(f.severity)!;
    row.total++;
    row[f.status]++;
    inherentRisk += rank(f.likelihood) * rank(f.impact);
    residualRisk += residualScore(f);
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
