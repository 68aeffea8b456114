/**
 * The closed vocabulary of the language: component kinds, their typed properties and allowed values,
 * flow kinds and which component kinds each may connect. Checking, `docs/language.md`, the formatter's
 * property order and the rule API's types all derive from this one table.
 */

/** Property value types. `list` properties also accept a single bare value. */
export type PropType =
  | { readonly type: "string" }
  | { readonly type: "number"; readonly min?: number; readonly max?: number }
  | { readonly type: "boolean" }
  | { readonly type: "date" }
  | { readonly type: "enum"; readonly values: readonly string[] }
  | { readonly type: "enum-list"; readonly values: readonly string[] }
  | { readonly type: "string-list" }
  | { readonly type: "ref-list"; readonly target: "data" | "control" };

/** One property: its type and what it means. */
export type PropSpec = PropType & { readonly doc: string };

const str = (doc: string) => ({ type: "string", doc }) as const;
const num = (doc: string, min?: number, max?: number) =>
  ({
    type: "number",
    doc,
    ...(min === undefined ? {} : { min }),
    ...(max === undefined ? {} : { max }),
  }) as const;
const bool = (doc: string) => ({ type: "boolean", doc }) as const;
const date = (doc: string) => ({ type: "date", doc }) as const;
const oneOf = <const V extends readonly string[]>(values: V, doc: string) =>
  ({ type: "enum", values, doc }) as const;
const listOf = <const V extends readonly string[]>(values: V, doc: string) =>
  ({ type: "enum-list", values, doc }) as const;
const strings = (doc: string) => ({ type: "string-list", doc }) as const;
const refs = <const T extends "data" | "control">(target: T, doc: string) =>
  ({ type: "ref-list", target, doc }) as const;

/** Trust levels, from least to most trusted. Attackers control `untrusted` and can write `public`. */
export const TRUST_LEVELS = ["untrusted", "public", "partner", "internal", "restricted"] as const;
export type TrustLevel = (typeof TRUST_LEVELS)[number];

/** The security properties a crown jewel can need. */
export const CIA = ["confidentiality", "integrity", "availability"] as const;
export type Cia = (typeof CIA)[number];

/** Data classifications, from least to most sensitive. */
export const CLASSIFICATIONS = [
  "public",
  "internal",
  "confidential",
  "personal",
  "sensitive",
  "secret",
] as const;
export type Classification = (typeof CLASSIFICATIONS)[number];

export const AUTH_METHODS = ["none", "api_key", "oauth", "session", "mtls", "iam"] as const;
export const EXPOSURES = ["public", "partner", "internal"] as const;
// `automated` (not `policy`): enum values never collide with reserved words, so they need no quotes.
export const APPROVALS = ["none", "human", "automated"] as const;
export const CAPABILITIES = [
  "read",
  "write",
  "delete",
  "send_external",
  "execute_code",
  "pay",
  "browse",
  "file_system",
  "admin",
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/** Properties every component kind accepts. */
export const COMMON_COMPONENT_PROPS = {
  description: str("What the component is, in a sentence or two."),
  owner: str("Team or person who answers for it; checklists group tasks by owner."),
  trust: oneOf(TRUST_LEVELS, "Overrides the trust level inherited from the zone."),
  holds: refs("data", "Data assets stored in or readable by this component."),
  controls: refs(
    "control",
    "Controls in place on this component (built-in names or `control` declarations).",
  ),
  crown: listOf(CIA, "Marks the component as a crown jewel and says which properties matter."),
  tags: strings("Free labels, kept in outputs and usable in organisation rules."),
  stateless: bool(
    "Answers each caller separately and keeps nothing between requests (a gateway, a stateless API), so one caller's content never reaches another caller's answers.",
  ),
} as const;

/** Component kinds with their own properties. */
export const COMPONENT_KINDS = {
  actor: {
    doc: "A person or party that uses or feeds the system: customers, employees, labelers, partners.",
    props: {
      role: oneOf(
        ["user", "customer", "employee", "operator", "admin", "developer", "labeler", "partner", "public"],
        "What the actor is to the system. Descriptive: kept in exports and `diff`, matched by organisation rules, not read by the built-in rules; the actor's trust comes from its zone, whatever its role.",
      ),
      authenticated: bool(
        "Whether the actor's requests carry credentials (a signed-in customer, a partner with a key). It counts where neither its flow nor the component it reaches states `auth`: `false` as `auth none`, `true` as authenticated. It says who the caller is, not whether to trust them: that is the zone's trust.",
      ),
    },
  },
  source: {
    doc: "Where outside content comes from: web pages, forums, uploads, e-mail, feeds.",
    props: {
      type: oneOf(
        [
          "web",
          "forum",
          "social",
          "user_upload",
          "email",
          "documents",
          "api_feed",
          "sensor",
          "logs",
          "repository",
          "database",
        ],
        "What kind of source it is.",
      ),
    },
  },
  dataset: {
    doc: "A curated collection of records used to train, fine-tune, evaluate or ground a model.",
    props: {
      purpose: oneOf(
        ["training", "fine_tuning", "evaluation", "rag", "feedback", "labels"],
        "What the dataset is used for.",
      ),
      labeled_by: oneOf(["none", "internal", "vendor", "crowd", "users", "ai"], "Who produces its labels."),
      provenance: bool("Whether the lineage of every record is recorded and verified."),
      versioned: bool(
        "Whether the dataset is versioned and immutable once published, so content changed at its source later is not in a version already taken.",
      ),
    },
  },
  store: {
    doc: "A database, bucket, file share, log or secret store.",
    props: {
      type: oneOf(
        [
          "database",
          "object_store",
          "file_share",
          "cache",
          "logs",
          "secrets",
          "feature_store",
          "data_lake",
          "crm",
          "ticketing",
        ],
        "What kind of store it is.",
      ),
      encrypted: bool("Whether data is encrypted at rest."),
      multi_tenant: bool(
        "Whether several tenants' data shares the store, e.g. a prompt or response cache keyed without the tenant.",
      ),
    },
  },
  pipeline: {
    doc: "An automated job: training, fine-tuning, ETL, evaluation, conversion, deployment, labeling or indexing.",
    props: {
      type: oneOf(
        ["training", "fine_tuning", "etl", "evaluation", "conversion", "deployment", "labeling", "indexing"],
        "What the pipeline does.",
      ),
      isolated: bool("Whether each run executes in an isolated, ephemeral environment."),
    },
  },
  model: {
    doc: "A machine-learning model: predictive, generative or embedding.",
    props: {
      family: oneOf(
        ["predictive", "generative", "embedding"],
        "The model family; generative models take prompts.",
      ),
      origin: oneOf(
        ["in_house", "public_hub", "vendor", "fine_tuned"],
        "Where the weights come from; `public_hub` and `vendor` are third-party artifacts.",
      ),
      format: oneOf(
        ["safetensors", "gguf", "onnx", "pickle", "pytorch", "joblib", "keras", "tensorflow", "other"],
        "Serialization format; `pickle`, `pytorch`, `joblib` and `keras` can execute code on load.",
      ),
      verified: bool("Whether the artifact's signature or hash is checked before use."),
      decisions: oneOf(
        ["none", "advisory", "automated"],
        "Whether outputs drive decisions automatically, advise a human, or neither.",
      ),
      task: oneOf(
        [
          "classification",
          "regression",
          "ranking",
          "detection",
          "moderation",
          "identity_verification",
          "generation",
          "other",
        ],
        "What the model is used for; `identity_verification` covers face, voice, document and liveness checks.",
      ),
    },
  },
  endpoint: {
    doc: "An inference endpoint that serves a model to callers.",
    props: {
      exposure: oneOf(EXPOSURES, "Who can reach the endpoint."),
      auth: oneOf(AUTH_METHODS, "How callers authenticate."),
      rate_limit: bool("Whether requests per caller are rate limited."),
      quota: bool("Whether callers have a usage quota (requests, tokens or cost)."),
      returns_scores: bool("Whether responses include confidence scores, logits or log-probabilities."),
    },
  },
  vectorstore: {
    doc: "A vector store or retriever that supplies context to a model or agent.",
    props: {
      access_control: oneOf(
        ["none", "per_tenant", "per_user", "document"],
        "Whether retrieval is filtered by the caller's identity, and at what grain.",
      ),
      multi_tenant: bool("Whether several tenants' content shares the index."),
    },
  },
  template: {
    doc: "A prompt template or system prompt that frames model input.",
    props: {
      contains_secrets: bool("Whether the template embeds credentials, internal URLs or other secrets."),
      untrusted_slots: bool("Whether untrusted text is substituted into the template."),
    },
  },
  agent: {
    doc: "An LLM-driven agent that plans and calls tools.",
    props: {
      autonomy: oneOf(
        ["assist", "step", "loop", "autonomous"],
        "How far it acts on its own: suggests, one step per request, plans in a loop, or runs unattended.",
      ),
      memory: oneOf(
        ["none", "session", "persistent", "shared"],
        "What it remembers between turns, sessions or agents.",
      ),
      approval: oneOf(APPROVALS, "Default approval for its tool calls."),
      identity: oneOf(
        ["user_delegated", "service_account", "none"],
        "Whose privileges its tool calls carry.",
      ),
    },
  },
  tool: {
    doc: "A function or API an agent can call.",
    props: {
      capabilities: listOf(
        CAPABILITIES,
        "What the tool can do; `send_external` reaches outside the organisation, `browse` fetches untrusted content.",
      ),
      approval: oneOf(
        APPROVALS,
        "Approval required before a call runs; overrides the agent's default (its `approval` and `human_approval`, not its other controls).",
      ),
      origin: oneOf(["in_house", "third_party"], "Who wrote and maintains the tool."),
    },
  },
  mcp_server: {
    doc: "A Model Context Protocol server exposing tools and resources to agents.",
    props: {
      origin: oneOf(["in_house", "third_party", "public_registry"], "Where the server comes from."),
      transport: oneOf(["stdio", "http"], "How agents connect to it."),
      verified: bool("Whether its package or image is pinned and its signature or hash checked."),
      capabilities: listOf(CAPABILITIES, "What its tools can do."),
      approval: oneOf(APPROVALS, "Approval required before its tools run."),
      auth: oneOf(AUTH_METHODS, "How agents authenticate to it."),
    },
  },
  provider: {
    doc: "An external API or model provider: hosted LLMs, embeddings, search, e-mail, payments.",
    props: {
      type: oneOf(
        ["llm_api", "embedding_api", "search", "email", "payment", "saas", "labeling", "storage"],
        "What the provider offers.",
      ),
      trains_on_inputs: bool("Whether the provider may train on what it receives."),
      retention: oneOf(["none", "limited", "standard"], "How long the provider keeps inputs."),
    },
  },
  guardrail: {
    doc: "A filter on model or agent input or output.",
    props: {
      checks: listOf(
        ["prompt_injection", "jailbreak", "pii", "toxicity", "secrets", "topic", "schema", "malware"],
        "What it detects.",
      ),
      mode: oneOf(["block", "flag", "log"], "What it does on a detection."),
      position: oneOf(["input", "output", "both"], "Which side of the model it guards."),
    },
  },
  app: {
    doc: "An application or user interface that hosts the AI features and renders their output.",
    props: {
      renders: oneOf(
        ["text", "markdown", "html"],
        "How model output is displayed; markdown and html can load remote images and links.",
      ),
      exposure: oneOf(EXPOSURES, "Who can reach the application."),
      auth: oneOf(AUTH_METHODS, "How users authenticate."),
    },
  },
  registry: {
    doc: "A registry of models, datasets, packages or containers.",
    props: {
      type: oneOf(["models", "datasets", "packages", "containers"], "What it stores."),
      origin: oneOf(["public", "private"], "Whether anyone can publish to it."),
      verified: bool("Whether artifacts are signed and signatures checked on pull."),
    },
  },
} as const;

/** A component kind word. */
export type ComponentKind = keyof typeof COMPONENT_KINDS;
export const COMPONENT_KIND_NAMES = Object.keys(COMPONENT_KINDS) as ComponentKind[];

// Groups used by the flow-kind table.
const HOLDERS = ["source", "dataset", "store", "vectorstore", "registry"] as const;
const CALLERS = ["agent", "app", "pipeline", "endpoint"] as const;
const CALLEES = ["tool", "mcp_server", "provider", "endpoint", "model", "agent", "app"] as const;
const ALL = COMPONENT_KIND_NAMES;

/** Flow kinds: what each means and which component kinds it may connect (from -> to). */
export const FLOW_KINDS = {
  prompt: {
    doc: "Input to a model or agent: chat turns, instructions, queries.",
    from: ["actor", "app", "agent", "source", "endpoint", "template", "pipeline", "guardrail"],
    to: ["agent", "model", "endpoint", "app", "guardrail", "provider"],
  },
  request: {
    doc: "A request to an application or service that is not a prompt: form submissions, API calls.",
    from: ["actor", "app", "agent", "pipeline", "endpoint", "tool", "mcp_server"],
    to: ["app", "endpoint", "tool", "mcp_server", "provider"],
  },
  response: {
    doc: "Output returned to a caller or user.",
    from: ["agent", "model", "endpoint", "app", "provider", "guardrail", "tool", "mcp_server"],
    to: ["actor", "app", "agent", "endpoint", "guardrail", "pipeline"],
  },
  retrieve: {
    doc: "Context fetched for a model or agent (RAG, lookups).",
    from: [...HOLDERS, "provider", "mcp_server", "tool", "endpoint"],
    to: ["agent", "app", "pipeline", "endpoint", "model", "guardrail"],
  },
  ingest: {
    doc: "Content loaded into a store, index or dataset (crawls, uploads, indexing).",
    from: [
      "source",
      "store",
      "dataset",
      "actor",
      "app",
      "pipeline",
      "provider",
      "agent",
      "tool",
      "endpoint",
      "mcp_server",
    ],
    to: ["vectorstore", "store", "dataset", "pipeline"],
  },
  train: {
    doc: "Data or a base model consumed by a training, fine-tuning or conversion run.",
    from: ["dataset", "store", "source", "vectorstore", "registry", "model"],
    to: ["pipeline", "model"],
  },
  produce: {
    doc: "An artifact a pipeline outputs: a model, a dataset, a package.",
    from: ["pipeline"],
    to: ["model", "dataset", "registry", "store", "vectorstore"],
  },
  publish: {
    doc: "An artifact pushed to a registry.",
    from: ["pipeline", "model", "actor", "registry"],
    to: ["registry"],
  },
  deploy: {
    doc: "An artifact rolled out to serving.",
    from: ["registry", "pipeline", "model"],
    to: ["endpoint", "model", "agent", "app"],
  },
  load: {
    doc: "An artifact loaded for execution: weights, adapters or packages pulled into a pipeline, a server or a tool.",
    from: ["registry", "model", "store", "dataset", "pipeline"],
    to: ["pipeline", "endpoint", "model", "agent", "app", "tool", "mcp_server"],
  },
  serve: {
    doc: "A model answering for a component (the model behind an agent or endpoint).",
    from: ["model", "endpoint", "provider"],
    to: ["agent", "app", "endpoint", "pipeline", "actor", "guardrail"],
  },
  invoke: {
    doc: "A call to a tool, API or service; its result returns to the caller.",
    from: [...CALLERS, "mcp_server", "tool"],
    to: CALLEES,
  },
  delegate: { doc: "An agent handing a task to another agent.", from: ["agent"], to: ["agent"] },
  copy: {
    doc: "Data copied between stores and datasets (exports, replication).",
    from: [...HOLDERS, "pipeline"],
    to: [...HOLDERS, "pipeline"],
  },
  read: {
    doc: "A component reading from a store.",
    from: [...HOLDERS, "provider"],
    to: ["agent", "tool", "mcp_server", "app", "pipeline", "endpoint", "model"],
  },
  write: {
    doc: "A component writing to a store, an instruction template or an external service.",
    from: ["agent", "tool", "mcp_server", "app", "pipeline", "endpoint", "actor"],
    to: [...HOLDERS, "provider", "template"],
  },
  feedback: {
    doc: "User feedback or production data flowing back toward training.",
    from: ["actor", "app", "endpoint", "agent"],
    to: ["dataset", "store", "pipeline"],
  },
  label: {
    doc: "Labels produced by people or a service for a dataset.",
    from: ["actor", "provider", "pipeline"],
    to: ["dataset"],
  },
  log: { doc: "Telemetry and transcripts written to logs.", from: ALL, to: ["store", "provider"] },
  send: {
    doc: "A message leaving the system: e-mail, webhooks, chat.",
    from: ["tool", "mcp_server", "app", "agent", "provider"],
    to: ["actor", "provider", "source"],
  },
} as const satisfies Record<
  string,
  { doc: string; from: readonly ComponentKind[]; to: readonly ComponentKind[] }
>;

export type FlowKind = keyof typeof FLOW_KINDS;
export const FLOW_KIND_NAMES = Object.keys(FLOW_KINDS) as FlowKind[];

/** Properties of a flow. */
export const FLOW_PROPS = {
  kind: oneOf(FLOW_KIND_NAMES, "What the flow means; required."),
  description: str("What moves along the flow."),
  auth: oneOf(AUTH_METHODS, "How the receiving side authenticates the sender."),
  encrypted: bool("Whether the flow is encrypted in transit."),
  carries: refs("data", "Data assets that move along the flow."),
  controls: refs("control", "Controls in place on the flow."),
} as const;

/** Properties of the other declarations. */
export const DECLARATION_PROPS = {
  system: {
    description: str("What the system does."),
    owner: str("Team that owns the system."),
    version: str("Version of the system the model describes."),
    contact: str("Where to reach the owners."),
    repository: str("Where the system's code lives."),
  },
  zone: {
    trust: oneOf(
      TRUST_LEVELS,
      "Trust level of everything inside; required on top-level zones, nested zones inherit.",
    ),
    description: str("What the zone is."),
    owner: str("Team that runs the zone."),
  },
  data: {
    classification: oneOf(CLASSIFICATIONS, "How sensitive the data is."),
    crown: listOf(CIA, "Marks the data as a crown jewel and says which properties matter."),
    description: str("What the data is."),
    owner: str("Who answers for the data."),
    regulated: strings("Regulations that apply, e.g. `[GDPR, HIPAA]`."),
  },
  control: {
    description: str("What the control does."),
    mitigates: strings("Threat rule ids the control mitigates, e.g. `[AT-01, ORG-7]`."),
    atlas: strings("MITRE ATLAS mitigation ids it implements, e.g. `[AML.M0007]`."),
    cost: num(
      "Relative cost of putting the control in place, at least 1 (default 5); used by the cheapest-cut analysis.",
      1,
    ),
    owner: str("Who runs the control."),
  },
  accept: {
    reason: str("Why the risk is accepted; required."),
    owner: str("Who accepted it and answers for it; required."),
    expires: date("When the acceptance lapses and the finding counts as open again; required."),
    ticket: str("A tracking reference."),
  },
  asset: {
    crown: listOf(CIA, "Which properties of the asset matter."),
    description: str("Why it is a crown jewel."),
  },
} as const;

/**
 * A control a component (or flow) implies by its properties: `prop` has `value` (the implication is
 * located there) and each of `also` holds: that property has one of `anyOf`, or, a list property,
 * holds one of them.
 */
export interface ImpliedControl {
  readonly on: ComponentKind | "flow";
  readonly prop: string;
  readonly value: string | boolean;
  readonly also?: readonly { readonly prop: string; readonly anyOf: readonly string[] }[];
  readonly control: string;
}

/**
 * Properties that imply a built-in control, so `rate_limit true` on an endpoint and
 * `controls [rate_limit]` mean the same to the rules: (kind or "flow", property, value) -> control.
 */
export const IMPLIED_CONTROLS: readonly ImpliedControl[] = [
  { on: "endpoint", prop: "rate_limit", value: true, control: "rate_limit" },
  { on: "endpoint", prop: "quota", value: true, control: "quota" },
  { on: "tool", prop: "approval", value: "human", control: "human_approval" },
  { on: "mcp_server", prop: "approval", value: "human", control: "human_approval" },
  { on: "agent", prop: "approval", value: "human", control: "human_approval" },
  { on: "model", prop: "verified", value: true, control: "artifact_signing" },
  { on: "registry", prop: "verified", value: true, control: "artifact_signing" },
  { on: "mcp_server", prop: "verified", value: true, control: "artifact_signing" },
  { on: "dataset", prop: "provenance", value: true, control: "dataset_provenance" },
  { on: "store", prop: "encrypted", value: true, control: "encryption_at_rest" },
  { on: "vectorstore", prop: "access_control", value: "per_user", control: "retrieval_acl" },
  { on: "vectorstore", prop: "access_control", value: "document", control: "retrieval_acl" },
  { on: "pipeline", prop: "isolated", value: true, control: "sandbox" },
  { on: "flow", prop: "encrypted", value: true, control: "encryption_in_transit" },
  // A guardrail that blocks is the control it implements; one that only flags or logs detects and
  // stops nothing. Content-safety checks (toxicity, topic) are not a security control here.
  {
    on: "guardrail",
    prop: "mode",
    value: "block",
    also: [
      { prop: "position", anyOf: ["input", "both"] },
      { prop: "checks", anyOf: ["prompt_injection", "jailbreak"] },
    ],
    control: "input_filter",
  },
  {
    on: "guardrail",
    prop: "mode",
    value: "block",
    also: [
      { prop: "position", anyOf: ["output", "both"] },
      { prop: "checks", anyOf: ["pii", "secrets"] },
    ],
    control: "output_filter",
  },
];

/** Classification rank (0 = public ... 5 = secret), for "at least this sensitive" questions. */
export function classificationRank(c: Classification): number {
  return CLASSIFICATIONS.indexOf(c);
}

/** Trust rank (0 = untrusted ... 4 = restricted). */
export function trustRank(t: TrustLevel): number {
  return TRUST_LEVELS.indexOf(t);
}

/** Value type of a property spec, as the resolved model stores it. */
export type ValueOf<S> = S extends { type: "string" }
  ? string
  : S extends { type: "number" }
    ? number
    : S extends { type: "boolean" }
      ? boolean
      : S extends { type: "date" }
        ? string
        : S extends { type: "enum"; values: readonly (infer V)[] }
          ? V
          : S extends { type: "enum-list"; values: readonly (infer V)[] }
            ? readonly V[]
            : S extends { type: "string-list" }
              ? readonly string[]
              : never;

/** The kind-specific properties of a component kind, each optional (unset means "not said"). */
export type KindProps<K extends ComponentKind> = {
  readonly [P in keyof (typeof COMPONENT_KINDS)[K]["props"]]?: ValueOf<
    (typeof COMPONENT_KINDS)[K]["props"][P]
  >;
};

/** Whether a flow kind may connect the two component kinds. */
export function flowKindFits(kind: FlowKind, from: ComponentKind, to: ComponentKind): boolean {
  const spec = FLOW_KINDS[kind];
  return (spec.from as readonly string[]).includes(from) && (spec.to as readonly string[]).includes(to);
}

/** Flow kinds that fit between two component kinds, for the hint of AT3006. */
export function fittingFlowKinds(from: ComponentKind, to: ComponentKind): FlowKind[] {
  return FLOW_KIND_NAMES.filter((k) => flowKindFits(k, from, to));
}

let typesByKey: Map<string, Set<PropType["type"]>> | undefined;

/**
 * The value types a property of this name takes in any block of the language (components, flows,
 * other declarations); empty for a name no block has (a policy's metric, a rule's own property).
 * For the lexer, which sees `cost 1.2.3` before it knows the block: `cost` only takes a number.
 */
export function valueTypesOf(key: string): ReadonlySet<PropType["type"]> {
  if (!typesByKey) {
    const map = new Map<string, Set<PropType["type"]>>();
    const add = (specs: Readonly<Record<string, PropType>>) => {
      for (const [k, spec] of Object.entries(specs)) {
        let set = map.get(k);
        if (!set) map.set(k, (set = new Set()));
        set.add(spec.type);
      }
    };
    add(COMMON_COMPONENT_PROPS);
    for (const kind of Object.values(COMPONENT_KINDS)) add(kind.props);
    add(FLOW_PROPS);
    for (const specs of Object.values(DECLARATION_PROPS)) add(specs);
    typesByKey = map;
  }
  return typesByKey.get(key) ?? new Set();
}

/** Formats which properties a spec accepts, for messages. */
export function describeType(spec: PropType): string {
  switch (spec.type) {
    case "string":
      return "a string";
    case "number":
      return "a number";
    case "boolean":
      return "`true` or `false`";
    case "date":
      return "a date (YYYY-MM-DD)";
    case "enum":
      return `one of ${spec.values.map((v) => `\`${v}\``).join(", ")}`;
    case "enum-list":
      return `a list of ${spec.values.map((v) => `\`${v}\``).join(", ")}`;
    case "string-list":
      return "a list of strings or names";
    case "ref-list":
      return `a list of ${spec.target === "data" ? "data asset" : "control"} names`;
  }
}
