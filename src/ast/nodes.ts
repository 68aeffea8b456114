/**
 * The syntax tree. Every node has a `kind` discriminator and `start`/`end` offsets into its file
 * (end exclusive). Names stay as written, with their spans, until the semantic stage resolves them,
 * so every later diagnostic can point at the exact reference.
 */

/** Offsets of a node within its file. */
export interface Span {
  readonly start: number;
  readonly end: number;
}

/** A name as written: an identifier, or a reserved word used as a value inside a list. */
export interface NameNode extends Span {
  readonly kind: "name";
  readonly text: string;
}

/** A string literal with escapes already decoded. */
export interface StringNode extends Span {
  readonly kind: "string";
  readonly value: string;
  /** True for `"""` strings, which the formatter keeps triple-quoted. */
  readonly triple: boolean;
}

/** A number literal (integers and decimals, no sign, no exponent). */
export interface NumberNode extends Span {
  readonly kind: "number";
  readonly value: number;
  readonly text: string;
}

/** A `YYYY-MM-DD` date, kept as text; the semantic stage checks that the day exists. */
export interface DateNode extends Span {
  readonly kind: "date";
  readonly text: string;
}

/** `[a, b, c]`. */
export interface ListNode extends Span {
  readonly kind: "list";
  readonly items: readonly ValueNode[];
}

/** Any property value. */
export type ValueNode = NameNode | StringNode | NumberNode | DateNode | ListNode;

/** `key value`, `key { ... }` or `key value { ... }`. */
export interface PropertyNode extends Span {
  readonly kind: "property";
  readonly key: NameNode;
  readonly value?: ValueNode;
  readonly body?: BlockNode;
}

/** `{ ... }`: properties and nested declarations in source order. */
export interface BlockNode extends Span {
  readonly kind: "block";
  readonly items: readonly BlockItem[];
}

/** Something that can appear inside a block. */
export type BlockItem = StatementNode | PropertyNode;

/** The keyword that starts a generic declaration. */
export type DeclarationKeyword =
  "system" | "zone" | "data" | "control" | "rule" | "policy" | ComponentKindWord;

/** Component kind keywords (the vocabulary documents each). */
export type ComponentKindWord =
  | "actor"
  | "source"
  | "dataset"
  | "store"
  | "pipeline"
  | "model"
  | "endpoint"
  | "vectorstore"
  | "template"
  | "agent"
  | "tool"
  | "mcp_server"
  | "provider"
  | "guardrail"
  | "app"
  | "registry";

/** `<keyword> name? "title"? (in parent)? { ... }?`: zones, components, data, controls, rules, policies, system. */
export interface DeclarationNode extends Span {
  readonly kind: "declaration";
  readonly keyword: DeclarationKeyword;
  readonly keywordSpan: Span;
  readonly name?: NameNode;
  readonly title?: StringNode;
  readonly parent?: NameNode;
  readonly body?: BlockNode;
}

/** `flow (name:)? from -> to "title"? { ... }?`. */
export interface FlowNode extends Span {
  readonly kind: "flow";
  readonly name?: NameNode;
  readonly from: NameNode;
  readonly to: NameNode;
  readonly title?: StringNode;
  readonly body?: BlockNode;
}

/** `import "path"`. */
export interface ImportNode extends Span {
  readonly kind: "import";
  readonly path: StringNode;
}

/** `accept RULE-ID on target { reason ... owner ... expires ... }`. */
export interface AcceptNode extends Span {
  readonly kind: "accept";
  readonly rule: NameNode;
  readonly target: NameNode;
  readonly body?: BlockNode;
}

/** `asset target crown <value> { ... }?`: marks an existing component or data asset as a crown jewel. */
export interface AssetNode extends Span {
  readonly kind: "asset";
  readonly target: NameNode;
  readonly key: NameNode;
  readonly value?: ValueNode;
  readonly body?: BlockNode;
}

/** Any statement. */
export type StatementNode = DeclarationNode | FlowNode | ImportNode | AcceptNode | AssetNode;

/** A comment, kept beside the tree for the formatter. */
export interface CommentNode extends Span {
  readonly kind: "comment";
  readonly text: string;
  readonly block: boolean;
}

/** A parsed file. */
export interface FileNode extends Span {
  readonly kind: "file";
  readonly statements: readonly StatementNode[];
  readonly comments: readonly CommentNode[];
}

/** Type guards, one per statement kind. */
export const isDeclaration = (n: BlockItem): n is DeclarationNode => n.kind === "declaration";
export const isFlow = (n: BlockItem): n is FlowNode => n.kind === "flow";
export const isImport = (n: BlockItem): n is ImportNode => n.kind === "import";
export const isAccept = (n: BlockItem): n is AcceptNode => n.kind === "accept";
export const isAsset = (n: BlockItem): n is AssetNode => n.kind === "asset";
export const isProperty = (n: BlockItem): n is PropertyNode => n.kind === "property";
