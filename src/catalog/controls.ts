/**
 * Built-in controls. Each names what it does in our own words, the MITRE ATLAS mitigations (ATLAS
 * 5.6.0) and CoSAI controls it implements, a default cost for the cheapest-cut analysis, and its
 * `effect` on attack paths: `cut` removes the step it guards, `lower` divides the step's likelihood.
 * Which rules a control mitigates is declared by the rules (one place), and derived for docs.
 */
export interface BuiltinControl {
  readonly id: string;
  readonly title: string;
  readonly description: string;
  readonly atlas: readonly string[];
  readonly cosai: readonly string[];
  readonly cost: number;
  readonly effect: "cut" | "lower";
}

/** Default cost of a control whose declaration names none. */
export const DEFAULT_CONTROL_COST = 5;

const c = (
  id: string,
  title: string,
  description: string,
  atlas: string[],
  cosai: string[],
  cost: number,
  effect: "cut" | "lower" = "lower",
): BuiltinControl => ({ id, title, description, atlas, cosai, cost, effect });

export const BUILTIN_CONTROLS: readonly BuiltinControl[] = [
  c(
    "access_control",
    "Access control on models and data",
    "Only authenticated, authorised principals can read or change model artifacts, datasets and stores.",
    ["AML.M0005", "AML.M0019"],
    ["controlModelAndDataAccessControls"],
    2,
    "cut",
  ),
  c(
    "adversarial_detection",
    "Adversarial input detection",
    "Inputs are screened for adversarial perturbations or out-of-distribution patterns before the model scores them.",
    ["AML.M0015", "AML.M0010"],
    ["controlInputValidationAndSanitization"],
    4,
  ),
  c(
    "adversarial_training",
    "Adversarial training and testing",
    "The model is hardened with adversarial examples and tested against evasion before release.",
    ["AML.M0003"],
    ["controlAdversarialTrainingAndTesting"],
    5,
  ),
  c(
    "aibom",
    "AI bill of materials",
    "Every model, dataset and package in the system is inventoried with version and origin.",
    ["AML.M0023"],
    ["controlModelAndDataInventoryManagement"],
    2,
  ),
  c(
    "artifact_scanning",
    "Artifact scanning",
    "Model files and packages are scanned for embedded code and known vulnerabilities before use.",
    ["AML.M0016", "AML.M0014"],
    ["controlVulnerabilityManagement"],
    2,
  ),
  c(
    "artifact_signing",
    "Artifact signing and verification",
    "Artifacts are signed by their producer and the signature or hash is checked before load.",
    ["AML.M0013", "AML.M0014"],
    ["controlModelAndDataIntegrityManagement"],
    3,
    "cut",
  ),
  c(
    "audit_log",
    "Audit logging",
    "Prompts, tool calls and model decisions are logged with identities so misuse can be detected and investigated.",
    ["AML.M0024"],
    ["controlAgentObservability", "controlThreatDetection"],
    2,
  ),
  c(
    "data_sanitization",
    "Training data sanitization",
    "Training and fine-tuning data is filtered for poisoned, anomalous or duplicated records before use.",
    ["AML.M0007"],
    ["controlTrainingDataSanitization"],
    3,
  ),
  c(
    "dataset_provenance",
    "Dataset provenance",
    "The origin and every transformation of each record is recorded and verified.",
    ["AML.M0025"],
    ["controlTrainingDataManagement"],
    3,
  ),
  c(
    "deepfake_detection",
    "Deepfake and liveness detection",
    "Media submitted for identity checks is screened for synthesis, replay and injection before the verifier trusts it.",
    ["AML.M0034"],
    ["controlInputValidationAndSanitization"],
    4,
  ),
  c(
    "differential_privacy",
    "Differential privacy",
    "Training adds calibrated noise so that the model reveals little about any single record.",
    [],
    ["controlModelPrivacyEnhancingTechnologies"],
    5,
  ),
  c(
    "egress_allowlist",
    "Egress allow-list",
    "Outbound requests (e-mail, HTTP, rendered links) may only reach approved destinations.",
    ["AML.M0032", "AML.M0028"],
    ["controlAgentExecutionBounds"],
    3,
    "cut",
  ),
  c(
    "encryption_at_rest",
    "Encryption at rest",
    "Stored data and artifacts are encrypted with managed keys.",
    ["AML.M0012"],
    ["controlModelAndDataAccessControls"],
    2,
  ),
  c(
    "encryption_in_transit",
    "Encryption in transit",
    "Connections between components use authenticated TLS.",
    ["AML.M0012"],
    ["controlInterComponentTransportSecurity"],
    1,
  ),
  c(
    "feedback_validation",
    "Feedback validation",
    "User feedback is deduplicated, rate limited per user and reviewed before it reaches training data.",
    ["AML.M0007", "AML.M0008"],
    ["controlTrainingDataSanitization"],
    3,
  ),
  c(
    "human_approval",
    "Human approval",
    "A person confirms each high-impact action before it runs, seeing exactly what will be done.",
    ["AML.M0029"],
    ["controlAgentPluginUserControl"],
    4,
    "cut",
  ),
  c(
    "input_filter",
    "Input guardrail",
    "Prompts and retrieved content are screened for injection and jailbreak attempts before the model sees them.",
    ["AML.M0015", "AML.M0020"],
    ["controlInputValidationAndSanitization"],
    3,
  ),
  c(
    "labeler_qa",
    "Labeling quality assurance",
    "Labels are cross-checked by several labelers and sampled for review.",
    ["AML.M0007"],
    ["controlTrainingDataManagement"],
    3,
  ),
  c(
    "least_privilege",
    "Least-privilege credentials",
    "Agents and tools hold only the permissions their task needs, scoped to the calling user.",
    ["AML.M0026", "AML.M0027", "AML.M0028"],
    ["controlAgentPluginPermissions", "controlAgentCredentialIsolation"],
    3,
  ),
  c(
    "memory_hardening",
    "Memory hardening",
    "What an agent stores in memory is validated, attributed, isolated per user and expires.",
    ["AML.M0031"],
    ["controlAgentIntegrityManagement"],
    3,
  ),
  c(
    "model_validation",
    "Model validation",
    "Models are evaluated for backdoors, regressions and unexpected behaviour before deployment.",
    ["AML.M0008"],
    ["controlRedTeaming"],
    4,
  ),
  c(
    "output_encoding",
    "Output encoding",
    "Model output is encoded for where it is shown: no active HTML, no auto-loaded images or links, no code executed.",
    ["AML.M0033"],
    ["controlOutputValidationAndSanitization"],
    2,
    "cut",
  ),
  c(
    "output_filter",
    "Output guardrail",
    "Responses are checked for secrets, personal data and policy violations before they leave.",
    ["AML.M0020", "AML.M0033"],
    ["controlOutputValidationAndSanitization"],
    3,
  ),
  c(
    "output_obfuscation",
    "Output obfuscation",
    "Endpoints return labels or coarse scores instead of raw confidences or log-probabilities.",
    ["AML.M0002"],
    ["controlRuntimePrivacyEnhancingTechnologies"],
    1,
  ),
  c(
    "pii_redaction",
    "Personal data redaction",
    "Personal data is removed or pseudonymised before it reaches prompts, logs or training data.",
    ["AML.M0007"],
    ["controlUserDataManagement"],
    3,
  ),
  c(
    "quota",
    "Usage quotas",
    "Each caller has a budget of requests, tokens or spend.",
    ["AML.M0004"],
    ["controlApplicationAccessManagement"],
    1,
  ),
  c(
    "rate_limit",
    "Rate limiting",
    "Requests per caller and time window are limited.",
    ["AML.M0004"],
    ["controlApplicationAccessManagement"],
    1,
  ),
  c(
    "retrieval_acl",
    "Retrieval access control",
    "Retrieval returns only documents the calling user may read.",
    ["AML.M0019", "AML.M0005"],
    ["controlRetrievalAndVectorSystemIntegrity"],
    3,
    "cut",
  ),
  c(
    "safe_serialization",
    "Safe serialization",
    "Only formats that cannot execute code on load are accepted, or loading is restricted to allowed classes.",
    ["AML.M0011"],
    ["controlSecureByDefaultMLTooling"],
    2,
    "cut",
  ),
  c(
    "sandbox",
    "Sandboxed execution",
    "Generated code runs in an isolated sandbox without credentials or network access.",
    ["AML.M0032"],
    ["controlIsolatedConfidentialComputing"],
    4,
    "cut",
  ),
  c(
    "secrets_vault",
    "Secrets vault",
    "Credentials live in a vault and are injected at call time, never placed in prompts or templates.",
    ["AML.M0012", "AML.M0005"],
    ["controlAgentCredentialIsolation"],
    2,
  ),
  c(
    "segmentation",
    "Agent segmentation",
    "Agents and their tools run as separate components with separate privileges, so one compromised part cannot drive the rest.",
    ["AML.M0032"],
    ["controlAgentExecutionBounds"],
    4,
  ),
  c(
    "sensor_fusion",
    "Multi-modal sensing",
    "Decisions rest on several independent sensors or modalities, so spoofing one input is not enough.",
    ["AML.M0009"],
    ["controlAdversarialTrainingAndTesting"],
    5,
  ),
  c(
    "server_allowlist",
    "Tool and server allow-list",
    "Only reviewed, pinned tools and MCP servers can be registered with agents.",
    ["AML.M0028", "AML.M0023"],
    ["controlAgentInventoryManagement", "controlComponentIdentityProvenance"],
    2,
    "cut",
  ),
  c(
    "spotlighting",
    "Spotlighting",
    "Untrusted content is delimited and marked so the model treats it as data, not instructions.",
    ["AML.M0020", "AML.M0021"],
    ["controlInputValidationAndSanitization"],
    2,
  ),
  c(
    "taint_tracking",
    "Restricted tools on untrusted data",
    "Once untrusted content is in an agent's context, state-changing and outbound tools are disabled or need approval.",
    ["AML.M0030"],
    ["controlAgentPluginPermissions"],
    4,
    "cut",
  ),
  c(
    "vendor_agreement",
    "Vendor data agreement",
    "The provider contractually does not retain or train on submitted data.",
    [],
    ["controlUserDataManagement"],
    1,
  ),
];

/** Built-in controls by id. */
export const BUILTIN_CONTROL_BY_ID: ReadonlyMap<string, BuiltinControl> = new Map(
  BUILTIN_CONTROLS.map((ctl) => [ctl.id, ctl]),
);

/**
 * Where a control can be put in place, for the cheapest-cut analysis (and the docs): an egress
 * allow-list belongs on what sends data out, not on a customer; access control on what stores or
 * serves. Controls not listed can go anywhere.
 */
export const CONTROL_PLACEMENT: Readonly<Record<string, readonly string[]>> = {
  access_control: ["store", "dataset", "vectorstore", "registry", "model", "endpoint", "pipeline", "app"],
  artifact_signing: ["model", "registry", "pipeline", "endpoint", "mcp_server", "tool", "flow"],
  egress_allowlist: ["tool", "mcp_server", "app", "agent", "provider", "pipeline"],
  human_approval: ["tool", "mcp_server", "agent", "pipeline", "flow"],
  output_encoding: ["app", "agent", "endpoint", "guardrail", "flow"],
  retrieval_acl: ["vectorstore", "store", "flow"],
  safe_serialization: ["pipeline", "endpoint", "model", "registry", "flow"],
  sandbox: ["tool", "mcp_server", "pipeline", "agent"],
  server_allowlist: ["agent", "mcp_server", "tool"],
  taint_tracking: ["agent"],
};

/** Whether a control may be placed on a component of this kind (or on a flow). */
export function canPlace(control: string, on: string): boolean {
  const allowed = CONTROL_PLACEMENT[control];
  return allowed === undefined || allowed.includes(on);
}
