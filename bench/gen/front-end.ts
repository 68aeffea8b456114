import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { withOrgRuleControls, withOrgRules } from "../../src/analysis/org-rules.js";
import type { Rule } from "../../src/analysis/rule.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { runFrontEnd, type FrontEndResult } from "../../src/compiler.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import { generateModel, type GeneratedFile, type GenOptions } from "./generate.js";
import { generatedHost } from "./memory-host.js";

/** The resolve options benchmarks and tests check generated models with (a fixed date: no expiry drift). */
export const GENERATED_RESOLVE = {
  today: "2026-06-01",
  ruleIds: RULE_IDS,
  atlasMitigations: ATLAS_MITIGATION_IDS,
} as const;

/** The front end over generated files held in memory (acceptances judged against `today`). */
export function generatedFrontEnd(
  files: readonly GeneratedFile[],
  today: string = GENERATED_RESOLVE.today,
): FrontEndResult {
  const { host, inputs, root } = generatedHost(files);
  return runFrontEnd({ inputs, root, host, resolve: { ...GENERATED_RESOLVE, today } });
}

/**
 * A generated model as the analysis reads it: the front end's model with its organisation rules and
 * their controls, as `compile` prepares it. The generator's texts are let go first, so the
 * measurements do not carry them (at 1M components they are gigabytes).
 */
export function generatedForAnalysis(options: GenOptions): { model: ResolvedModel; rules: readonly Rule[] } {
  const gen = generateModel(options);
  const front = generatedFrontEnd(gen.files);
  (gen.files as unknown[]).length = 0;
  const rules = withOrgRules(front.model, RULES);
  return { model: withOrgRuleControls(front.model, rules), rules };
}
