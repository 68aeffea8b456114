import type { Rule } from "../rule.js";
import as01 from "./as-01-endpoint-rate-limit-unstated.js";
import at14 from "./at-14-model-extraction.js";
import at25 from "./at-25-indirect-prompt-injection.js";
import at37 from "./at-37-lethal-trifecta.js";

/**
 * The explicit registry of built-in rules, in id order (no file-system discovery). A meta-test checks
 * that every file in this folder is listed here, that ids match file names, and that each rule has
 * fixtures and documentation.
 */
export const RULES: readonly Rule[] = [at14, at25, at37, as01];
