import type { Rule } from "../rule.js";
import as01 from "./as-01-endpoint-rate-limit-unstated.js";
import at14 from "./at-14-model-extraction.js";
import at25 from "./at-25-indirect-prompt-injection.js";
import at37 from "./at-37-lethal-trifecta.js";
import at15 from "./at-15-membership-inference.js";
import at16 from "./at-16-model-inversion.js";
import at17 from "./at-17-property-inference.js";
import at18 from "./at-18-training-data-regurgitation.js";
import at19 from "./at-19-evasion.js";
import at20 from "./at-20-physical-adversarial-inputs.js";
import at21 from "./at-21-deepfake-identity-bypass.js";
import at22 from "./at-22-denial-of-ai-service.js";
import at23 from "./at-23-denial-of-wallet.js";
import at24 from "./at-24-direct-prompt-injection.js";
import at26 from "./at-26-system-prompt-leakage.js";
import at27 from "./at-27-retrieval-over-sharing.js";
import at28 from "./at-28-cross-tenant-leakage.js";
import at29 from "./at-29-embedding-inversion.js";
import at30 from "./at-30-rag-corpus-poisoning.js";
import at31 from "./at-31-rag-credential-harvesting.js";
import at32 from "./at-32-improper-output-handling.js";
import at33 from "./at-33-rendered-output-exfiltration.js";
import at34 from "./at-34-overreliance-automated-decisions.js";
import at35 from "./at-35-hallucinated-packages.js";
import at53 from "./at-53-sensitive-data-to-providers-and-logs.js";
import at54 from "./at-54-model-output-tampering-in-transit.js";
import as05 from "./as-05-endpoint-auth-unstated.js";
import as06 from "./as-06-app-rendering-unstated.js";

/**
 * The explicit registry of built-in rules, in id order (no file-system discovery). A meta-test checks
 * that every file in this folder is listed here, that ids match file names, and that each rule has
 * fixtures and documentation.
 */
export const RULES: readonly Rule[] = [
  at14,
  at25,
  at37,
  as01,
  at15,
  at16,
  at17,
  at18,
  at19,
  at20,
  at21,
  at22,
  at23,
  at24,
  at26,
  at27,
  at28,
  at29,
  at30,
  at31,
  at32,
  at33,
  at34,
  at35,
  at53,
  at54,
  as05,
  as06,
];
