import type { Rule } from "../rule.js";
import as01 from "./as-01-endpoint-rate-limit-unstated.js";
import at01 from "./at-01-training-data-poisoning.js";
import at02 from "./at-02-training-data-backdoor.js";
import at03 from "./at-03-label-manipulation.js";
import at04 from "./at-04-feedback-loop-poisoning.js";
import at05 from "./at-05-poisoned-public-dataset.js";
import at06 from "./at-06-training-data-theft.js";
import at07 from "./at-07-unauthorised-training-data.js";
import at08 from "./at-08-tampered-third-party-model.js";
import at09 from "./at-09-unsafe-model-deserialization.js";
import at10 from "./at-10-compromised-ml-dependency.js";
import at11 from "./at-11-malicious-adapter-or-conversion.js";
import at12 from "./at-12-model-weight-tampering.js";
import at13 from "./at-13-model-weight-theft.js";
import at52 from "./at-52-unauthenticated-ai-infrastructure.js";
import at55 from "./at-55-missing-ai-bom.js";
import at56 from "./at-56-evaluation-manipulation.js";
import as02 from "./as-02-model-origin-unstated.js";
import as03 from "./as-03-model-format-unstated.js";
import as04 from "./as-04-data-classification-unstated.js";
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
import as07 from "./as-07-agent-autonomy-unstated.js";
import as08 from "./as-08-tool-capabilities-unstated.js";
import as09 from "./as-09-provider-data-handling-unstated.js";
import as10 from "./as-10-agent-identity-unstated.js";
import at36 from "./at-36-excessive-agency.js";
import at38 from "./at-38-agent-goal-hijack.js";
import at39 from "./at-39-browser-agent-lured.js";
import at40 from "./at-40-agent-memory-poisoning.js";
import at41 from "./at-41-self-replicating-prompt.js";
import at42 from "./at-42-poisoned-tool-or-mcp-server.js";
import at43 from "./at-43-agent-instruction-tampering.js";
import at44 from "./at-44-credential-theft-via-agent-tools.js";
import at45 from "./at-45-unsandboxed-code-execution.js";
import at46 from "./at-46-confused-deputy.js";
import at47 from "./at-47-insecure-inter-agent-communication.js";
import at48 from "./at-48-multi-agent-cascade.js";
import at49 from "./at-49-runaway-agent-loop.js";
import at50 from "./at-50-untraceable-agent-actions.js";
import at51 from "./at-51-human-in-the-loop-overwhelmed.js";
import at57 from "./at-57-read-to-write-tool-chain.js";
import at58 from "./at-58-unauthenticated-mcp-server.js";
import at59 from "./at-59-delegation-privilege-escalation.js";

/**
 * The explicit registry of built-in rules, in id order (no file-system discovery). A meta-test checks
 * that every file in this folder is listed here, that ids match file names, and that each rule has
 * fixtures and documentation.
 */
export const RULES: readonly Rule[] = [
  at01,
  at02,
  at03,
  at04,
  at05,
  at06,
  at07,
  at08,
  at09,
  at10,
  at11,
  at12,
  at13,
  at52,
  at55,
  at56,
  as02,
  as03,
  as04,
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
  as07,
  as08,
  as09,
  as10,
  at36,
  at38,
  at39,
  at40,
  at41,
  at42,
  at43,
  at44,
  at45,
  at46,
  at47,
  at48,
  at49,
  at50,
  at51,
  at57,
  at58,
  at59,
];
