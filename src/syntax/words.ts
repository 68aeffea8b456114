/**
 * The reserved words of the language, without chevrotain: the lexer (tokens.ts) builds its keyword
 * tokens from these lists, and the fast scanner (fast-parse.ts) and the resolver read them without
 * loading the parser library, which keeps worker threads cheap to start.
 */

/** Statement keywords (not component kinds), in the order the docs list them. */
export const STATEMENT_WORDS = [
  "system",
  "import",
  "zone",
  "data",
  "asset",
  "flow",
  "control",
  "accept",
  "rule",
  "policy",
  "in",
  "on",
] as const;

/** Component kind keywords; the vocabulary (semantic/vocabulary.ts) documents each. */
export const COMPONENT_KIND_WORDS = [
  "actor",
  "source",
  "dataset",
  "store",
  "pipeline",
  "model",
  "endpoint",
  "vectorstore",
  "template",
  "agent",
  "tool",
  "mcp_server",
  "provider",
  "guardrail",
  "app",
  "registry",
] as const;

/** Statement keywords that open a generic declaration, like the component kinds. */
export const DECL_WORDS: ReadonlySet<string> = new Set([
  "system",
  "zone",
  "data",
  "control",
  "rule",
  "policy",
]);

/** Every reserved word, for docs, the TextMate grammar and "did you mean" on keywords. */
export const RESERVED_WORDS: readonly string[] = [...STATEMENT_WORDS, ...COMPONENT_KIND_WORDS];
