import type { ISerializedGast, TokenType } from "chevrotain";
import { AithreatGrammar } from "../../src/syntax/grammar.js";
import { allTokens } from "../../src/syntax/tokens.js";
import { alt, seq, type Expr } from "./ebnf.js";

/**
 * How each chevrotain token appears in grammar/aithreat.ebnf: a terminal string (keywords and
 * punctuation) or a lexical rule (names, strings ...). Tokens that only exist to report errors map to
 * null. The railroad diagrams use the same names, so diagrams, EBNF and parser speak one vocabulary.
 */
const NAMED_TOKENS: Readonly<Record<string, Expr | null>> = {
  WhiteSpace: { t: "ref", name: "whitespace" },
  LineComment: { t: "ref", name: "lineComment" },
  BlockComment: { t: "ref", name: "blockComment" },
  // Error tokens: they exist so that one missing quote or `*/` is one clear diagnostic.
  UnterminatedComment: null,
  UnterminatedString: null,
  MalformedNumber: null,
  Unexpected: null,
  TripleString: { t: "ref", name: "tripleString" },
  StringLit: { t: "ref", name: "string" },
  DateLit: { t: "ref", name: "date" },
  NumberLit: { t: "ref", name: "number" },
  Arrow: { t: "lit", text: "->" },
  LBrace: { t: "lit", text: "{" },
  RBrace: { t: "lit", text: "}" },
  LBracket: { t: "lit", text: "[" },
  RBracket: { t: "lit", text: "]" },
  Comma: { t: "lit", text: "," },
  Colon: { t: "lit", text: ":" },
  Keyword: { t: "ref", name: "reservedWord" },
  DeclKeyword: { t: "ref", name: "declKeyword" },
  Identifier: { t: "ref", name: "name" },
};

/** The EBNF term of a token (by token name); throws for a token the table does not know. */
export function termOfToken(tokenName: string): Expr | null {
  // Keyword tokens are `Kw_<word>` (tokens.ts); each is the terminal string of its word.
  if (tokenName.startsWith("Kw_")) return { t: "lit", text: tokenName.slice(3) };
  const term = NAMED_TOKENS[tokenName];
  if (term === undefined)
    throw new Error(`token \`${tokenName}\` has no EBNF term: add it to scripts/lib/grammar-terms.ts`);
  return term;
}

/** Every token of the lexer with its EBNF term, in lexer order. */
export function tokenTerms(): { token: TokenType; term: Expr | null }[] {
  return allTokens.map((token) => ({ token, term: termOfToken(token.name) }));
}

/** The fields of chevrotain's serialized grammar that the generators read. */
export interface Gast {
  type: string;
  name?: string;
  label?: string;
  definition?: Gast[];
  separator?: Gast;
  [key: string]: unknown;
}

/** The serialized productions of one fresh grammar instance, in rule order. */
export function serializedGrammar(): Gast[] {
  return new AithreatGrammar().getSerializedGastProductions() as unknown as Gast[];
}

/** Converts one chevrotain production to the EBNF expression it denotes. */
export function gastToExpr(node: Gast): Expr {
  const body = () => seq((node.definition ?? []).map(gastToExpr));
  switch (node.type) {
    case "Rule":
    case "Alternative":
      return body();
    case "Alternation":
      return alt((node.definition ?? []).map(gastToExpr));
    case "Option":
      return { t: "opt", body: body() };
    case "Repetition":
      return { t: "rep", body: body() };
    // ISO EBNF has no "one or more": `x+` is written `x, { x }`.
    case "RepetitionMandatory":
      return seq([body(), { t: "rep", body: body() }]);
    case "RepetitionWithSeparator":
    case "RepetitionMandatoryWithSeparator": {
      const more = seq([gastToExpr(node.separator!), body()]);
      const once = seq([body(), { t: "rep", body: more }]);
      return node.type === "RepetitionWithSeparator" ? { t: "opt", body: once } : once;
    }
    case "NonTerminal":
      return { t: "ref", name: node.name! };
    case "Terminal": {
      const term = termOfToken(node.name!);
      if (!term) throw new Error(`the grammar consumes the error token \`${node.name}\``);
      return term;
    }
    default:
      throw new Error(`unknown chevrotain production type \`${node.type}\``);
  }
}

/** How a terminal is labelled in the diagrams: the EBNF terminal string or lexical rule name. */
export function diagramLabel(tokenName: string): string {
  const term = termOfToken(tokenName);
  if (!term) return tokenName;
  return term.t === "lit" ? term.text : term.t === "ref" ? term.name : tokenName;
}

/** A copy of serialized productions with every terminal relabelled by `diagramLabel`. */
export function relabelForDiagrams(nodes: readonly Gast[]): Gast[] {
  return nodes.map((n) => {
    const copy: Gast = { ...n };
    if (n.type === "Terminal" && n.name) copy.label = diagramLabel(n.name);
    if (n.definition) copy.definition = relabelForDiagrams(n.definition);
    if (n.separator) copy.separator = relabelForDiagrams([n.separator])[0]!;
    return copy;
  });
}

/** Serialized productions, typed for chevrotain's diagram API. */
export function asSerialized(nodes: Gast[]): ISerializedGast[] {
  return nodes as unknown as ISerializedGast[];
}
