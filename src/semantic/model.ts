import type { DeclarationNode } from "../ast/nodes.js";
import type { Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import type { Cia, Classification, ComponentKind, FlowKind, KindProps, TrustLevel } from "./vocabulary.js";

/**
 * The resolved model: every name bound, every property typed, every entity indexed in declaration
 * order (files in load order, statements in source order). This is the only input of the later
 * stages; they never look at syntax.
 */
export interface ResolvedModel {
  readonly files: readonly SourceFile[];
  readonly systems: readonly SystemInfo[];
  readonly zones: readonly Zone[];
  readonly components: readonly Component[];
  readonly data: readonly DataAsset[];
  readonly flows: readonly Flow[];
  /** Controls declared with `control` (built-ins live in the catalog). */
  readonly controls: readonly ControlDecl[];
  readonly acceptances: readonly Acceptance[];
  readonly crownJewels: readonly CrownJewel[];
  /** `rule` declarations, validated by the rule stage (organisation rules). */
  readonly ruleDecls: readonly RawDeclaration[];
  /** `policy` declarations, validated by the policy stage. */
  readonly policyDecls: readonly RawDeclaration[];
  /** The date acceptances were judged against (YYYY-MM-DD). */
  readonly today: string;
}

/** A declaration later stages validate themselves, with the file it came from. */
export interface RawDeclaration {
  readonly node: DeclarationNode;
  readonly file: SourceFile;
}

/** `system "Title" { ... }`: one per file at most. */
export interface SystemInfo {
  readonly index: number;
  readonly title: string;
  readonly file: SourceFile;
  readonly owner?: string;
  readonly version?: string;
  readonly description?: string;
  readonly contact?: string;
  readonly repository?: string;
  readonly loc: Location;
}

/** A trust zone. `trust` is effective (declared, or inherited from the parent zone). */
export interface Zone {
  readonly index: number;
  readonly name: string;
  readonly title?: string;
  readonly parent?: number;
  readonly trust: TrustLevel;
  readonly description?: string;
  readonly owner?: string;
  /** Index of the system declared in the same file, if any. */
  readonly system?: number;
  readonly loc: Location;
  readonly nameLoc: Location;
  readonly propLocs: Readonly<Record<string, Location>>;
}

/** Where an entity's trust level came from, for "why it fired". */
export type TrustOrigin = "declared" | "zone" | "default";

/** A use of a control on a component or flow. */
export interface ControlUse {
  readonly name: string;
  readonly loc: Location;
  /** Set when a property implies the control (`rate_limit true` implies `rate_limit`): the property. */
  readonly impliedBy?: string;
}

interface ComponentBase<K extends ComponentKind> {
  readonly index: number;
  readonly name: string;
  readonly kind: K;
  readonly title?: string;
  readonly zone?: number;
  /** Effective trust: declared on the component, else its zone's, else `internal`. */
  readonly trust: TrustLevel;
  readonly trustOrigin: TrustOrigin;
  readonly description?: string;
  readonly owner?: string;
  readonly holds: readonly number[];
  readonly controls: readonly ControlUse[];
  readonly crown: readonly Cia[];
  readonly tags: readonly string[];
  /** `stateless true`: answers each caller apart (see the vocabulary). */
  readonly stateless?: boolean;
  readonly props: KindProps<K>;
  readonly system?: number;
  readonly loc: Location;
  readonly nameLoc: Location;
  readonly propLocs: Readonly<Record<string, Location>>;
}

/** A component; `kind` discriminates, and `props` is typed by the vocabulary for that kind. */
export type Component = { [K in ComponentKind]: ComponentBase<K> }[ComponentKind];

/** Narrows a component to one kind. */
export function isKind<K extends ComponentKind>(c: Component, kind: K): c is Extract<Component, { kind: K }> {
  return c.kind === kind;
}

/**
 * How `c` says it authenticates its callers (`auth` on an endpoint, app or MCP server); undefined for
 * other kinds or when unstated. The resolver's AT3023 and the rules' `hopAuth` read it alike.
 */
export function componentAuth(c: Component): string | undefined {
  return c.kind === "endpoint" || c.kind === "app" || c.kind === "mcp_server" ? c.props.auth : undefined;
}

/** A data asset. */
export interface DataAsset {
  readonly index: number;
  readonly name: string;
  readonly title?: string;
  readonly classification?: Classification;
  readonly crown: readonly Cia[];
  readonly description?: string;
  readonly owner?: string;
  readonly regulated: readonly string[];
  readonly loc: Location;
  readonly nameLoc: Location;
  readonly propLocs: Readonly<Record<string, Location>>;
}

/** A flow between two components. `id` is its name, or `from->to` when unnamed. */
export interface Flow {
  readonly index: number;
  readonly id: string;
  readonly name?: string;
  readonly from: number;
  readonly to: number;
  readonly kind: FlowKind;
  readonly title?: string;
  readonly description?: string;
  readonly auth?: string;
  readonly encrypted?: boolean;
  readonly carries: readonly number[];
  readonly controls: readonly ControlUse[];
  readonly loc: Location;
  readonly propLocs: Readonly<Record<string, Location>>;
}

/** A user-declared control. */
export interface ControlDecl {
  readonly index: number;
  readonly name: string;
  readonly title?: string;
  readonly description?: string;
  readonly mitigates: readonly string[];
  readonly atlas: readonly string[];
  readonly cost?: number;
  readonly owner?: string;
  readonly loc: Location;
  readonly propLocs: Readonly<Record<string, Location>>;
}

/** What an acceptance or crown marking points at. */
export type Subject =
  | { readonly type: "component"; readonly index: number }
  | { readonly type: "flow"; readonly index: number }
  | { readonly type: "data"; readonly index: number };

/** `accept RULE on target { reason owner expires }`. */
export interface Acceptance {
  readonly index: number;
  readonly rule: string;
  readonly subject: Subject;
  readonly subjectName: string;
  readonly reason: string;
  readonly owner: string;
  readonly expires: string;
  readonly expired: boolean;
  readonly ticket?: string;
  readonly loc: Location;
  readonly ruleLoc: Location;
}

/** A crown jewel: a component or data asset and the properties that matter. */
export interface CrownJewel {
  readonly subject: Extract<Subject, { type: "component" | "data" }>;
  readonly name: string;
  readonly properties: readonly Cia[];
  readonly loc: Location;
}
