import type {
  AcceptNode,
  AssetNode,
  BlockItem,
  BlockNode,
  CommentNode,
  DateNode,
  DeclarationKeyword,
  DeclarationNode,
  FileNode,
  FlowNode,
  ImportNode,
  ListNode,
  NameNode,
  NumberNode,
  PropertyNode,
  Span,
  StatementNode,
  StringNode,
  ValueNode,
} from "../ast/nodes.js";

/*
 * Node constructors shared by both parsers (the fast path in fast-parse.ts and the recovering
 * chevrotain grammar), so a file gets the same tree whichever parser read it. Every node of a kind
 * has every field, optional ones set to `undefined` when absent: one object shape per kind keeps
 * property reads monomorphic in the resolver, and no temporary objects are spread into nodes.
 */

/** A name as written; `text` is already NFC-normalised. */
export const nameNode = (text: string, start: number, end: number): NameNode => ({
  kind: "name",
  text,
  start,
  end,
});

/** A string literal, escapes decoded. */
export const stringNode = (value: string, triple: boolean, start: number, end: number): StringNode => ({
  kind: "string",
  value,
  triple,
  start,
  end,
});

/** A number literal. */
export const numberNode = (value: number, text: string, start: number, end: number): NumberNode => ({
  kind: "number",
  value,
  text,
  start,
  end,
});

/** A `YYYY-MM-DD` date. */
export const dateNode = (text: string, start: number, end: number): DateNode => ({
  kind: "date",
  text,
  start,
  end,
});

/** `[a, b]`. */
export const listNode = (items: readonly ValueNode[], start: number, end: number): ListNode => ({
  kind: "list",
  items,
  start,
  end,
});

/** `key value { ... }`, value and body optional. */
export const propertyNode = (
  key: NameNode,
  value: ValueNode | undefined,
  body: BlockNode | undefined,
  start: number,
  end: number,
): PropertyNode => ({ kind: "property", key, value, body, start, end });

/** `{ ... }`. */
export const blockNode = (items: readonly BlockItem[], start: number, end: number): BlockNode => ({
  kind: "block",
  items,
  start,
  end,
});

/** `<keyword> name? "title"? (in parent)? { ... }?`. */
export const declarationNode = (
  keyword: DeclarationKeyword,
  keywordSpan: Span,
  name: NameNode | undefined,
  title: StringNode | undefined,
  parent: NameNode | undefined,
  body: BlockNode | undefined,
  start: number,
  end: number,
): DeclarationNode => ({ kind: "declaration", keyword, keywordSpan, name, title, parent, body, start, end });

/** `flow (name:)? from -> to "title"? { ... }?`. */
export const flowNode = (
  name: NameNode | undefined,
  from: NameNode,
  to: NameNode,
  title: StringNode | undefined,
  body: BlockNode | undefined,
  start: number,
  end: number,
): FlowNode => ({ kind: "flow", name, from, to, title, body, start, end });

/** `import "path"`. */
export const importNode = (path: StringNode, start: number, end: number): ImportNode => ({
  kind: "import",
  path,
  start,
  end,
});

/** `accept RULE on target { ... }?`. */
export const acceptNode = (
  rule: NameNode,
  target: NameNode,
  body: BlockNode | undefined,
  start: number,
  end: number,
): AcceptNode => ({ kind: "accept", rule, target, body, start, end });

/** `asset target key value? { ... }?`. */
export const assetNode = (
  target: NameNode,
  key: NameNode,
  value: ValueNode | undefined,
  body: BlockNode | undefined,
  start: number,
  end: number,
): AssetNode => ({ kind: "asset", target, key, value, body, start, end });

/** A comment, kept beside the tree. */
export const commentNode = (text: string, block: boolean, start: number, end: number): CommentNode => ({
  kind: "comment",
  text,
  block,
  start,
  end,
});

/** A parsed file. */
export const fileNode = (
  statements: readonly StatementNode[],
  comments: readonly CommentNode[],
  start: number,
  end: number,
): FileNode => ({ kind: "file", statements, comments, start, end });
