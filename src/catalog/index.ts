import { RULES } from "../analysis/rules/index.js";

export { ATLAS_MITIGATION_IDS } from "./frameworks.js";

/** Ids of the built-in rules, for name checks in the front end. */
export const RULE_IDS: ReadonlySet<string> = new Set(RULES.map((r) => r.meta.id));
