import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { runFrontEnd, type FrontEndResult } from "../../src/compiler.js";
import type { GeneratedFile } from "./generate.js";
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
