/**
 * What a generated system is made of: the five shared trust zones, the roles a component plays in a
 * layered AI pipeline (users and sources -> ingestion -> datasets -> training -> models -> serving ->
 * retrieval and agents -> tools -> APIs and stores), the flow patterns between roles, and the
 * patterns that cross systems. Every flow kind here is checked against the vocabulary's table when
 * the module loads, so a pattern that would not check clean fails fast instead of in a benchmark.
 */
import { BUILTIN_CONTROL_BY_ID } from "../../src/catalog/controls.js";
import { RESERVED_WORDS } from "../../src/syntax/tokens.js";
import {
  COMMON_COMPONENT_PROPS,
  COMPONENT_KINDS,
  flowKindFits,
  type ComponentKind,
  type FlowKind,
  type PropSpec,
} from "../../src/semantic/vocabulary.js";
import type { Rng } from "./random.js";
import type { Props, Value } from "./shape.js";

/** The five organisation-wide zones, declared once in `shared/zones.aithreat`. */
export const ZONES = [
  { name: "internet", title: "Public internet", trust: "untrusted", suffix: "net" },
  { name: "partner", title: "Partner network", trust: "partner", suffix: "partner" },
  { name: "dmz", title: "Public-facing DMZ", trust: "public", suffix: "dmz" },
  { name: "internal", title: "Internal network", trust: "internal", suffix: "int" },
  { name: "restricted", title: "Restricted data zone", trust: "restricted", suffix: "vault" },
] as const;

/** Index into ZONES. */
export type ZoneSlot = 0 | 1 | 2 | 3 | 4;
const [NET, PARTNER, DMZ, INTERNAL, RESTRICTED] = [0, 1, 2, 3, 4] as const;

/** A role: a component kind in one layer of the pipeline, with how its properties are drawn. */
export interface RoleDef {
  /** Name stem: components are named `<system>_<stem><n>`. */
  readonly stem: string;
  readonly kind: ComponentKind;
  /** Relative share of a system's components. */
  readonly weight: number;
  /** Title stem. */
  readonly noun: string;
  zone(rng: Rng): ZoneSlot;
  props(rng: Rng): Props;
  /** Built-in controls that fit the role, drawn for some components. */
  readonly controls: readonly string[];
  /** Whether components of the role hold data assets (stores, datasets, indexes). */
  readonly holder?: boolean;
}

const bool = (rng: Rng, p = 0.5) => rng.chance(p);
const fixed = (slot: ZoneSlot) => (): ZoneSlot => slot;

/** The roles, in layer order (the order components are declared in a system file). */
export const ROLES: readonly RoleDef[] = [
  {
    stem: "user",
    kind: "actor",
    weight: 5,
    noun: "Customer",
    zone: fixed(NET),
    props: (r) => [
      ["role", r.pick(["customer", "user", "public"])],
      ["authenticated", bool(r)],
    ],
    controls: [],
  },
  {
    stem: "staff",
    kind: "actor",
    weight: 3,
    noun: "Employee",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["role", r.pick(["employee", "operator", "developer", "admin"])],
      ["authenticated", true],
    ],
    controls: [],
  },
  {
    stem: "partner",
    kind: "actor",
    weight: 2,
    noun: "Partner user",
    zone: fixed(PARTNER),
    props: () => [
      ["role", "partner"],
      ["authenticated", true],
    ],
    controls: [],
  },
  {
    stem: "labeler",
    kind: "actor",
    weight: 2,
    noun: "Labeler",
    zone: fixed(PARTNER),
    props: () => [["role", "labeler"]],
    controls: [],
  },
  {
    stem: "src",
    kind: "source",
    weight: 10,
    noun: "Content source",
    zone: (r) => (r.chance(0.8) ? NET : PARTNER),
    props: (r) => [
      [
        "type",
        r.pick(["web", "forum", "social", "user_upload", "email", "documents", "api_feed", "repository"]),
      ],
    ],
    controls: [],
  },
  {
    stem: "ui",
    kind: "app",
    weight: 6,
    noun: "Web app",
    zone: fixed(DMZ),
    props: (r) => [
      ["renders", r.pick(["text", "markdown", "html"])],
      ["exposure", "public"],
      ["auth", r.pick(["session", "oauth", "none"])],
    ],
    controls: ["output_encoding", "rate_limit", "input_filter"],
  },
  {
    stem: "etl",
    kind: "pipeline",
    weight: 8,
    noun: "Ingestion job",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["type", "etl"],
      ["isolated", bool(r)],
    ],
    controls: ["data_sanitization", "least_privilege"],
  },
  {
    stem: "indexer",
    kind: "pipeline",
    weight: 5,
    noun: "Indexing job",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["type", "indexing"],
      ["isolated", bool(r)],
    ],
    controls: ["data_sanitization"],
  },
  {
    stem: "lake",
    kind: "store",
    weight: 8,
    noun: "Raw data lake",
    zone: fixed(RESTRICTED),
    props: (r) => [
      ["type", r.pick(["data_lake", "object_store"])],
      ["encrypted", bool(r, 0.7)],
    ],
    controls: ["encryption_at_rest", "access_control"],
    holder: true,
  },
  {
    stem: "ds",
    kind: "dataset",
    weight: 16,
    noun: "Dataset",
    zone: fixed(RESTRICTED),
    props: (r) => [
      ["purpose", r.pick(["training", "fine_tuning", "evaluation", "rag", "feedback", "labels"])],
      ["labeled_by", r.pick(["none", "internal", "vendor", "crowd", "users"])],
      ["provenance", bool(r, 0.4)],
      ["versioned", bool(r, 0.6)],
    ],
    controls: ["dataset_provenance", "data_sanitization", "access_control"],
    holder: true,
  },
  {
    stem: "train",
    kind: "pipeline",
    weight: 8,
    noun: "Training run",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["type", r.pick(["training", "fine_tuning"])],
      ["isolated", bool(r, 0.6)],
    ],
    controls: ["sandbox", "least_privilege", "artifact_scanning"],
  },
  {
    stem: "eval",
    kind: "pipeline",
    weight: 4,
    noun: "Evaluation job",
    zone: fixed(INTERNAL),
    props: () => [["type", "evaluation"]],
    controls: ["model_validation"],
  },
  {
    stem: "model",
    kind: "model",
    weight: 12,
    noun: "Model",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["family", r.pick(["generative", "generative", "predictive", "embedding"])],
      ["origin", r.pick(["in_house", "fine_tuned", "public_hub", "vendor"])],
      ["format", r.pick(["safetensors", "safetensors", "onnx", "pickle", "pytorch", "gguf"])],
      ["verified", bool(r, 0.5)],
      ["decisions", r.pick(["none", "advisory", "automated"])],
    ],
    controls: ["artifact_signing", "safe_serialization", "model_validation", "adversarial_training"],
  },
  {
    stem: "reg",
    kind: "registry",
    weight: 3,
    noun: "Model registry",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["type", "model"],
      ["origin", "private"],
      ["verified", bool(r, 0.6)],
    ],
    controls: ["artifact_signing", "access_control"],
    holder: true,
  },
  {
    stem: "ep",
    kind: "endpoint",
    weight: 14,
    noun: "Inference endpoint",
    zone: (r) => (r.chance(0.6) ? DMZ : INTERNAL),
    props: (r) => [
      ["exposure", r.pick(["public", "partner", "internal"])],
      ["auth", r.pick(["api_key", "oauth", "mtls", "iam", "none"])],
      ["rate_limit", bool(r, 0.6)],
      ["returns_scores", bool(r, 0.3)],
    ],
    controls: ["rate_limit", "quota", "input_filter", "output_obfuscation"],
  },
  {
    stem: "tpl",
    kind: "template",
    weight: 6,
    noun: "Prompt template",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["contains_secrets", bool(r, 0.2)],
      ["untrusted_slots", bool(r, 0.6)],
    ],
    controls: ["spotlighting"],
  },
  {
    stem: "guard",
    kind: "guardrail",
    weight: 6,
    noun: "Guardrail",
    zone: fixed(DMZ),
    props: (r) => [
      ["checks", r.sample(["prompt_injection", "jailbreak", "pii", "toxicity", "secrets", "topic"], 2)],
      ["mode", r.pick(["block", "flag", "log"])],
      ["position", r.pick(["input", "output", "both"])],
    ],
    controls: [],
  },
  {
    stem: "vs",
    kind: "vectorstore",
    weight: 10,
    noun: "Vector index",
    zone: fixed(RESTRICTED),
    props: (r) => [
      ["access_control", r.pick(["none", "per_tenant", "per_user", "document"])],
      ["multi_tenant", bool(r, 0.4)],
    ],
    controls: ["retrieval_acl", "access_control"],
    holder: true,
  },
  {
    stem: "agent",
    kind: "agent",
    weight: 20,
    noun: "Agent",
    zone: fixed(INTERNAL),
    props: (r) => [
      ["autonomy", r.pick(["assist", "step", "loop", "autonomous"])],
      ["memory", r.pick(["none", "session", "persistent", "shared"])],
      ["approval", r.pick(["none", "human", "policy"])],
      ["identity", r.pick(["user_delegated", "service_account"])],
    ],
    controls: ["spotlighting", "human_approval", "least_privilege", "memory_hardening", "output_filter"],
  },
  {
    stem: "tool",
    kind: "tool",
    weight: 30,
    noun: "Tool",
    zone: fixed(INTERNAL),
    props: (r) => [
      [
        "capabilities",
        r.sample(
          ["read", "write", "delete", "send_external", "execute_code", "pay", "browse", "file_system"],
          2,
        ),
      ],
      ["approval", r.pick(["none", "human", "policy"])],
      ["origin", r.pick(["in_house", "third_party"])],
    ],
    controls: ["sandbox", "egress_allowlist", "human_approval", "least_privilege"],
  },
  {
    stem: "mcp",
    kind: "mcp_server",
    weight: 8,
    noun: "MCP server",
    zone: (r) => (r.chance(0.7) ? INTERNAL : PARTNER),
    props: (r) => [
      ["origin", r.pick(["in_house", "third_party", "public_registry"])],
      ["transport", r.pick(["stdio", "http"])],
      ["verified", bool(r, 0.5)],
      ["capabilities", r.sample(["read", "write", "send_external", "browse", "file_system"], 2)],
      ["auth", r.pick(["none", "api_key", "oauth", "mtls"])],
    ],
    controls: ["server_allowlist", "sandbox", "least_privilege"],
  },
  {
    stem: "api",
    kind: "provider",
    weight: 10,
    noun: "Partner API",
    zone: fixed(PARTNER),
    props: (r) => [
      ["type", r.pick(["saas", "search", "storage", "email"])],
      ["trains_on_inputs", bool(r, 0.2)],
      ["retention", r.pick(["none", "limited", "standard"])],
    ],
    controls: ["vendor_agreement"],
  },
  {
    stem: "db",
    kind: "store",
    weight: 24,
    noun: "Database",
    zone: fixed(RESTRICTED),
    props: (r) => [
      ["type", r.pick(["database", "crm", "ticketing", "feature_store", "cache", "file_share"])],
      ["encrypted", bool(r, 0.7)],
    ],
    controls: ["encryption_at_rest", "access_control", "audit_log"],
    holder: true,
  },
  {
    stem: "logs",
    kind: "store",
    weight: 6,
    noun: "Log store",
    zone: fixed(INTERNAL),
    props: () => [["type", "logs"]],
    controls: ["pii_redaction", "audit_log"],
    holder: true,
  },
];

/** Role index by stem. */
export const ROLE_INDEX: ReadonlyMap<string, number> = new Map(ROLES.map((r, i) => [r.stem, i]));

/** A flow pattern between two roles: the flow kind, a title, and how often it is drawn. */
export interface FlowPattern {
  readonly from: string;
  readonly to: string;
  readonly kind: FlowKind;
  readonly title: string;
  readonly weight: number;
}

const p = (from: string, to: string, kind: FlowKind, title: string, weight: number): FlowPattern => ({
  from,
  to,
  kind,
  title,
  weight,
});

/** Flows inside one system. Several close cycles (feedback into training, agent memory write-back). */
export const INTRA_PATTERNS: readonly FlowPattern[] = [
  p("user", "ui", "prompt", "chat", 3),
  p("user", "ep", "prompt", "query", 2),
  p("staff", "ui", "prompt", "internal chat", 1),
  p("staff", "agent", "prompt", "instruct", 1),
  p("partner", "ep", "prompt", "partner query", 1),
  p("labeler", "ds", "label", "labels", 2),
  p("src", "etl", "ingest", "crawl", 3),
  p("src", "indexer", "ingest", "fetch documents", 2),
  p("src", "vs", "ingest", "direct upload", 1),
  p("src", "lake", "ingest", "land raw data", 2),
  p("etl", "lake", "produce", "write raw", 2),
  p("etl", "ds", "produce", "build dataset", 3),
  p("lake", "ds", "copy", "curate", 2),
  p("lake", "etl", "read", "read raw", 2),
  p("db", "etl", "read", "export", 2),
  p("indexer", "vs", "produce", "embed and index", 3),
  p("ds", "indexer", "read", "read corpus", 1),
  p("ds", "train", "train", "train", 4),
  p("ds", "eval", "read", "evaluation set", 2),
  p("model", "eval", "serve", "score for evaluation", 1),
  p("train", "model", "produce", "publish weights", 4),
  p("train", "reg", "publish", "push artifact", 1),
  p("model", "reg", "publish", "register", 2),
  p("reg", "ep", "deploy", "roll out", 2),
  p("reg", "train", "train", "base model", 1),
  p("model", "ep", "serve", "serve", 4),
  p("model", "agent", "serve", "backing model", 3),
  p("ep", "ui", "response", "answer", 3),
  p("ep", "user", "response", "api response", 1),
  p("ep", "guard", "response", "screen output", 2),
  p("guard", "ui", "response", "filtered answer", 2),
  p("ui", "guard", "prompt", "screen input", 1),
  p("guard", "agent", "prompt", "filtered prompt", 2),
  p("ui", "agent", "prompt", "user request", 3),
  p("ui", "ep", "invoke", "call model", 2),
  p("agent", "ui", "response", "agent reply", 2),
  p("tpl", "agent", "prompt", "system prompt", 2),
  p("tpl", "ep", "prompt", "prompt template", 2),
  p("vs", "agent", "retrieve", "retrieve context", 3),
  p("vs", "ep", "retrieve", "ground answer", 2),
  p("agent", "vs", "ingest", "remember", 1),
  p("agent", "tool", "invoke", "call tool", 6),
  p("agent", "mcp", "invoke", "use MCP tool", 2),
  p("agent", "agent", "delegate", "hand off", 2),
  p("agent", "ep", "invoke", "ask model", 1),
  p("tool", "db", "write", "update record", 3),
  p("db", "tool", "read", "look up", 3),
  p("tool", "api", "invoke", "call API", 3),
  p("tool", "user", "send", "notify", 1),
  p("mcp", "api", "invoke", "call API", 1),
  p("mcp", "db", "write", "store", 1),
  p("db", "mcp", "read", "fetch", 1),
  p("api", "agent", "serve", "hosted answer", 1),
  p("agent", "logs", "log", "transcript", 2),
  p("ep", "logs", "log", "request log", 2),
  p("ui", "logs", "log", "telemetry", 1),
  p("logs", "ds", "copy", "mine transcripts", 1),
  p("ep", "ds", "feedback", "production feedback", 2),
  p("ui", "ds", "feedback", "thumbs up/down", 1),
  p("agent", "ds", "feedback", "agent outcomes", 1),
  p("db", "ds", "copy", "export records", 2),
];

/**
 * For each role, the pattern that connects every component of it at least once, and which end of
 * the pattern the role is on. This is what keeps every component on some path.
 */
export const PRIMARY: ReadonlyMap<string, { pattern: FlowPattern; side: "from" | "to" }> = (() => {
  const find = (from: string, to: string): FlowPattern => {
    const found = INTRA_PATTERNS.find((x) => x.from === from && x.to === to);
    if (!found) throw new Error(`generator: no pattern ${from} -> ${to} for a primary flow`);
    return found;
  };
  const m = new Map<string, { pattern: FlowPattern; side: "from" | "to" }>();
  const out = (stem: string, to: string) => m.set(stem, { pattern: find(stem, to), side: "from" });
  const inn = (stem: string, from: string) => m.set(stem, { pattern: find(from, stem), side: "to" });
  out("user", "ui");
  out("staff", "ui");
  out("partner", "ep");
  out("labeler", "ds");
  out("src", "etl");
  out("ui", "agent");
  out("etl", "ds");
  out("indexer", "vs");
  out("lake", "ds");
  out("ds", "train");
  out("train", "model");
  inn("eval", "ds");
  out("model", "ep");
  inn("reg", "model");
  out("ep", "ui");
  out("tpl", "agent");
  out("guard", "ui");
  out("vs", "agent");
  out("agent", "tool");
  inn("tool", "agent");
  inn("mcp", "agent");
  inn("api", "tool");
  inn("db", "tool");
  inn("logs", "agent");
  return m;
})();

/** The kinds of shared providers in `shared/providers.aithreat`, with how each is used. */
export const SHARED_PROVIDER_TYPES = [
  "llm_api",
  "embedding_api",
  "search",
  "email",
  "payment",
  "labeling",
  "saas",
  "storage",
] as const;

/** A flow between a system's role and a shared component (a provider type or a public registry). */
export interface SharedPattern {
  readonly role: string;
  /** A provider type, or `hub` / `pkgs` for the public model hub and package registry. */
  readonly shared: string;
  readonly kind: FlowKind;
  /** Whether the flow goes from the shared component to the role. */
  readonly inbound: boolean;
  readonly title: string;
  readonly weight: number;
}

const s = (role: string, shared: string, kind: FlowKind, inbound: boolean, title: string, weight: number) =>
  ({ role, shared, kind, inbound, title, weight }) as const;

/** Flows to and from shared providers and registries. */
export const SHARED_PATTERNS: readonly SharedPattern[] = [
  s("agent", "llm_api", "invoke", false, "hosted LLM call", 3),
  s("agent", "llm_api", "serve", true, "hosted LLM answer", 2),
  s("ep", "llm_api", "invoke", false, "fallback model", 1),
  s("indexer", "embedding_api", "invoke", false, "embed", 2),
  s("tool", "email", "invoke", false, "send e-mail", 1),
  s("tool", "payment", "invoke", false, "charge", 1),
  s("tool", "search", "invoke", false, "web search", 1),
  s("tool", "saas", "invoke", false, "SaaS call", 1),
  s("train", "labeling", "invoke", false, "request labels", 1),
  s("ds", "labeling", "label", true, "vendor labels", 1),
  s("etl", "storage", "write", false, "archive", 1),
  s("train", "hub", "train", true, "pull base model", 1),
  s("model", "hub", "deploy", true, "hub weights", 1),
  s("etl", "pkgs", "copy", true, "install packages", 1),
];

/** Flows between systems, declared in link files; the `from` role is in the owning system. */
export const CROSS_PATTERNS: readonly FlowPattern[] = [
  p("agent", "ep", "invoke", "call partner service", 4),
  p("agent", "tool", "invoke", "use partner tool", 2),
  p("agent", "agent", "delegate", "delegate to partner agent", 2),
  p("ui", "ep", "invoke", "embed partner model", 2),
  p("vs", "agent", "retrieve", "shared knowledge", 2),
  p("db", "ds", "copy", "share records", 3),
  p("lake", "ds", "copy", "share raw data", 1),
  p("ds", "train", "train", "shared training data", 2),
  p("ep", "ds", "feedback", "cross-product feedback", 2),
  p("reg", "ep", "deploy", "shared model registry", 1),
  p("model", "agent", "serve", "shared model", 1),
  p("etl", "db", "write", "sync", 1),
  p("tool", "db", "write", "update partner record", 1),
  p("ep", "ui", "response", "partner answer", 1),
];

const RESERVED = new Set(RESERVED_WORDS);
const specCache = new Map<ComponentKind, Readonly<Record<string, PropSpec>>>();
function specsOf(kind: ComponentKind): Readonly<Record<string, PropSpec>> {
  let specs = specCache.get(kind);
  if (!specs) {
    specs = { ...COMMON_COMPONENT_PROPS, ...(COMPONENT_KINDS[kind].props as Record<string, PropSpec>) };
    specCache.set(kind, specs);
  }
  return specs;
}
// A stand-in for a value the vocabulary no longer has: deterministic, and never a reserved word.
function standIn(values: readonly string[], wanted: string): string {
  const usable = values.filter((v) => !RESERVED.has(v));
  // A renamed value usually keeps its stem (`model` -> `models`).
  const renamed = usable.find((v) => v.startsWith(wanted) || wanted.startsWith(v));
  if (renamed !== undefined) return renamed;
  const pool = usable.length > 0 ? usable : values;
  let h = 0;
  for (let i = 0; i < wanted.length; i++) h = (h * 31 + wanted.charCodeAt(i)) >>> 0;
  return pool[h % pool.length]!;
}

/**
 * Makes drawn properties fit the vocabulary as it is now: the vocabulary is still moving (values
 * get renamed, e.g. to avoid reserved words), and a benchmark model must check clean whatever it
 * says. Unknown properties and controls are dropped; unknown enum values get a stable stand-in.
 */
export function conformProps(kind: ComponentKind, props: Props): (readonly [string, Value])[] {
  const specs = specsOf(kind);
  const out: (readonly [string, Value])[] = [];
  for (const [key, value] of props) {
    const spec = Object.prototype.hasOwnProperty.call(specs, key) ? specs[key] : undefined;
    if (!spec) continue;
    if (spec.type === "enum" && typeof value === "string") {
      out.push([key, spec.values.includes(value) ? value : standIn(spec.values, value)]);
    } else if (spec.type === "enum-list" && Array.isArray(value)) {
      const kept = (value as readonly string[]).filter((v) => spec.values.includes(v));
      out.push([key, kept.length > 0 ? kept : [standIn(spec.values, key)]]);
    } else if (spec.type === "ref-list" && spec.target === "control" && Array.isArray(value)) {
      const kept = (value as readonly string[]).filter(
        (v) => BUILTIN_CONTROL_BY_ID.has(v) || ORG_CONTROLS.some((c) => c.name === v),
      );
      if (kept.length > 0) out.push([key, kept]);
    } else out.push([key, value]);
  }
  return out;
}

/** Org-wide controls declared in `shared/data.aithreat` (user-defined, beside the built-ins). */
export const ORG_CONTROLS = [
  {
    name: "org_dlp",
    title: "Data loss prevention gateway",
    atlas: ["AML.M0005"],
    cost: 3,
  },
  { name: "org_waf", title: "Web application firewall", atlas: ["AML.M0004"], cost: 2 },
  { name: "org_review", title: "Architecture security review", atlas: ["AML.M0000"], cost: 8 },
] as const;

// Fail at load time if a pattern names an unknown role or a flow kind the vocabulary rejects.
{
  const kindOf = (stem: string): ComponentKind => {
    const i = ROLE_INDEX.get(stem);
    if (i === undefined) throw new Error(`generator: unknown role \`${stem}\``);
    return ROLES[i]!.kind;
  };
  for (const x of [...INTRA_PATTERNS, ...CROSS_PATTERNS]) {
    if (!flowKindFits(x.kind, kindOf(x.from), kindOf(x.to)))
      throw new Error(`generator: \`${x.kind}\` cannot go from ${x.from} to ${x.to}`);
  }
  for (const x of SHARED_PATTERNS) {
    const shared: ComponentKind = x.shared === "hub" || x.shared === "pkgs" ? "registry" : "provider";
    const [a, b] = x.inbound ? [shared, kindOf(x.role)] : [kindOf(x.role), shared];
    if (!flowKindFits(x.kind, a, b))
      throw new Error(`generator: \`${x.kind}\` cannot go between ${x.role} and ${x.shared}`);
  }
  if (PRIMARY.size !== ROLES.length) throw new Error("generator: a role has no primary flow pattern");
}
