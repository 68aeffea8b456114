import path from "node:path";
import { analyze, runFrontEnd, type AnalysisResult, type FrontEndResult } from "../../src/compiler.js";
import { RULE_IDS, ATLAS_MITIGATION_IDS } from "../../src/catalog/index.js";
import { nodeHost } from "../../src/cli/node-host.js";
import type { Rule } from "../../src/analysis/rule.js";
import { TEST_TODAY, dump, frontEndOf } from "./compile.js";

/** Front end + analysis of one model file on disk; throws with the diagnostics if it has errors. */
export function analyzeFile(
  file: string,
  rules?: readonly Rule[],
): { front: FrontEndResult; analysis: AnalysisResult } {
  const abs = path.resolve(file);
  const front = runFrontEnd({
    inputs: [abs],
    root: path.dirname(abs),
    host: nodeHost,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  if (!front.ok) throw new Error(`${file} has errors:\n${dump(front)}`);
  return { front, analysis: analyze(front.model, rules) };
}

/** Front end + analysis of an inline model; throws with the diagnostics if it has errors. */
export function analyzeText(text: string, rules?: readonly Rule[]): AnalysisResult {
  const front = frontEndOf(text);
  if (!front.ok) throw new Error(`model has errors:\n${dump(front)}`);
  return analyze(front.model, rules);
}
