import { EmbeddedActionsParser, EOF, type IToken, type TokenType } from "chevrotain";
import type {
  AcceptNode,
  AssetNode,
  BlockItem,
  BlockNode,
  DeclarationKeyword,
  DeclarationNode,
  FlowNode,
  ImportNode,
  ListNode,
  NameNode,
  PropertyNode,
  StatementNode,
  StringNode,
  ValueNode,
} from "../ast/nodes.js";
import {
  acceptNode,
  assetNode,
  blockNode,
  dateNode,
  declarationNode,
  flowNode,
  importNode,
  listNode,
  nameNode as makeName,
  numberNode,
  propertyNode,
  stringNode,
} from "./nodes.js";
import { decodeString } from "./strings.js";
import {
  allTokens,
  Arrow,
  Colon,
  Comma,
  DateLit,
  DeclKeyword,
  Identifier,
  Keyword,
  KW,
  LBrace,
  LBracket,
  NumberLit,
  RBrace,
  RBracket,
  StringLit,
  TripleString,
} from "./tokens.js";

/** A problem found while building nodes (not a grammar mismatch): reported by `parse.ts`. */
export interface ActionProblem {
  readonly code: "AT1013" | "AT1020" | "AT1023";
  readonly start: number;
  readonly end: number;
  readonly message: string;
  readonly hint?: string;
}

function describe(token: IToken): string {
  if (token.tokenType === EOF) return "end of file";
  const image = token.image.length > 30 ? `${token.image.slice(0, 30)}...` : token.image;
  return `\`${image.replace(/[\r\n]+/g, " ")}\``;
}

function label(t: TokenType): string {
  return t.LABEL ?? t.name;
}

function alternatives(paths: TokenType[][]): string {
  const firsts = [...new Set(paths.map((p) => (p[0] ? label(p[0]) : "end of file")))];
  if (firsts.length <= 1) return firsts[0] ?? "something else";
  return `${firsts.slice(0, -1).join(", ")} or ${firsts[firsts.length - 1]}`;
}

/** A token where only a new statement may start (after the last statement of a block or file). */
function strayMessage(t: IToken): string {
  if (t.tokenType === RBrace || t.tokenType === RBracket)
    return `unexpected ${describe(t)}: no ${t.tokenType === RBrace ? "block" : "list"} is open here`;
  return `unexpected ${describe(t)}: expected a statement`;
}

// Messages follow the house style: lowercase, no period, tokens in backticks.
const errorMessageProvider = {
  buildMismatchTokenMessage: ({ expected, actual }: { expected: TokenType; actual: IToken }) =>
    expected === EOF ? strayMessage(actual) : `expected ${label(expected)} but found ${describe(actual)}`,
  buildNotAllInputParsedMessage: ({ firstRedundant }: { firstRedundant: IToken }) =>
    strayMessage(firstRedundant),
  buildNoViableAltMessage: ({
    expectedPathsPerAlt,
    actual,
    ruleName,
  }: {
    expectedPathsPerAlt: TokenType[][][];
    actual: IToken[];
    ruleName: string;
  }) => {
    const found = actual[0] ? describe(actual[0]) : "end of file";
    if (ruleName === "statement")
      return `unexpected ${found}: expected a statement such as \`zone\`, a component kind, \`flow\` or \`import\``;
    if (ruleName === "reference") return `expected a name but found ${found}`;
    if (ruleName === "blockItem")
      return `unexpected ${found}: expected a property name, a declaration or \`}\``;
    return `expected ${alternatives(expectedPathsPerAlt.flat())} but found ${found}`;
  },
  buildEarlyExitMessage: ({
    expectedIterationPaths,
    actual,
  }: {
    expectedIterationPaths: TokenType[][];
    actual: IToken[];
  }) =>
    `expected ${alternatives(expectedIterationPaths)} but found ${actual[0] ? describe(actual[0]) : "end of file"}`,
};

// A token inserted by error recovery has no text and no position: it becomes an empty name, which
// later stages skip (the parser already reported the error).
function nameNode(t: IToken): NameNode {
  if (t.isInsertedInRecovery || !Number.isFinite(t.startOffset)) return makeName("", 0, 0);
  // Names compare in NFC, so a precomposed and a decomposed `café` are the same name.
  return makeName(t.image.normalize("NFC"), t.startOffset, t.startOffset + t.image.length);
}

/** The grammar (see grammar/aithreat.ebnf, which this class must match). One instance is reused. */
export class AithreatGrammar extends EmbeddedActionsParser {
  /** Problems raised by node-building actions during the current parse. */
  problems: ActionProblem[] = [];

  constructor() {
    super(allTokens, { recoveryEnabled: true, maxLookahead: 2, errorMessageProvider });
    this.performSelfAnalysis();
  }

  readonly file = this.RULE("file", (): StatementNode[] => {
    const statements: StatementNode[] = [];
    this.MANY(() => {
      const s = this.SUBRULE(this.statement);
      this.ACTION(() => {
        if (s) statements.push(s);
      });
    });
    return statements;
  });

  readonly statement = this.RULE(
    "statement",
    (): StatementNode | undefined =>
      this.OR<StatementNode | undefined>([
        { ALT: () => this.SUBRULE(this.importStatement) },
        { ALT: () => this.SUBRULE(this.flowStatement) },
        { ALT: () => this.SUBRULE(this.acceptStatement) },
        { ALT: () => this.SUBRULE(this.assetStatement) },
        { ALT: () => this.SUBRULE(this.declaration) },
      ]),
    { recoveryValueFunc: () => undefined },
  );

  readonly importStatement = this.RULE("importStatement", (): ImportNode => {
    const kw = this.CONSUME(KW.import);
    const path = this.SUBRULE(this.stringValue);
    return this.ACTION(() => importNode(path, kw.startOffset, path.end));
  });

  readonly flowStatement = this.RULE("flowStatement", (): FlowNode => {
    const kw = this.CONSUME(KW.flow);
    let name: NameNode | undefined;
    this.OPTION(() => {
      const n = this.CONSUME(Identifier);
      this.CONSUME(Colon);
      name = this.ACTION(() => nameNode(n));
    });
    const from = this.SUBRULE(this.reference);
    this.CONSUME(Arrow);
    const to = this.SUBRULE2(this.reference);
    const title = this.OPTION2(() => this.SUBRULE(this.stringValue));
    const body = this.OPTION3(() => this.SUBRULE(this.block));
    return this.ACTION((): FlowNode =>
      flowNode(
        name,
        from,
        to,
        title,
        body,
        kw.startOffset,
        Math.max(kw.startOffset + 4, body?.end ?? title?.end ?? to.end),
      ),
    );
  });

  readonly acceptStatement = this.RULE("acceptStatement", (): AcceptNode => {
    const kw = this.CONSUME(KW.accept);
    const rule = this.CONSUME(Identifier);
    this.CONSUME(KW.on);
    const target = this.SUBRULE(this.reference);
    const body = this.OPTION(() => this.SUBRULE(this.block));
    return this.ACTION(() =>
      acceptNode(
        nameNode(rule),
        target,
        body,
        kw.startOffset,
        Math.max(kw.startOffset + 6, body?.end ?? target.end),
      ),
    );
  });

  readonly assetStatement = this.RULE("assetStatement", (): AssetNode => {
    const kw = this.CONSUME(KW.asset);
    const target = this.SUBRULE(this.reference);
    const key = this.SUBRULE2(this.reference);
    const value = this.OPTION(() => this.SUBRULE(this.value));
    const body = this.OPTION2(() => this.SUBRULE(this.block));
    return this.ACTION(() =>
      assetNode(
        target,
        key,
        value,
        body,
        kw.startOffset,
        Math.max(kw.startOffset + 5, body?.end ?? value?.end ?? key.end),
      ),
    );
  });

  readonly declaration = this.RULE("declaration", (): DeclarationNode => {
    const kw = this.CONSUME(DeclKeyword);
    const name = this.OPTION(() => this.CONSUME(Identifier));
    const title = this.OPTION2(() => this.SUBRULE(this.stringValue));
    let parent: IToken | undefined;
    this.OPTION3(() => {
      this.CONSUME(KW.in);
      parent = this.CONSUME2(Identifier);
    });
    const body = this.OPTION4(() => this.SUBRULE(this.block));
    return this.ACTION(() => {
      const keywordEnd = kw.startOffset + kw.image.length;
      const parentNode = parent ? nameNode(parent) : undefined;
      return declarationNode(
        kw.image as DeclarationKeyword,
        { start: kw.startOffset, end: keywordEnd },
        name ? nameNode(name) : undefined,
        title,
        parentNode,
        body,
        kw.startOffset,
        body?.end ??
          parentNode?.end ??
          title?.end ??
          (name ? name.startOffset + name.image.length : keywordEnd),
      );
    });
  });

  // A reserved word where a name is expected still parses as that name, with one clear error.
  readonly reference = this.RULE(
    "reference",
    (): NameNode =>
      this.OR<NameNode>([
        {
          ALT: () => {
            const t = this.CONSUME(Identifier);
            return this.ACTION(() => nameNode(t));
          },
        },
        {
          ALT: () => {
            const t = this.CONSUME(Keyword);
            return this.ACTION(() => {
              const n = nameNode(t);
              this.problems.push({
                code: "AT1020",
                start: n.start,
                end: n.end,
                message: `\`${n.text}\` is a reserved word and cannot name a declaration`,
                hint: "rename the declaration, e.g. `my_model`",
              });
              return n;
            });
          },
        },
      ]),
    { recoveryValueFunc: (): NameNode => makeName("", 0, 0) },
  );

  readonly block = this.RULE("block", (): BlockNode => {
    const open = this.CONSUME(LBrace);
    const items: BlockItem[] = [];
    this.MANY(() => {
      const item = this.SUBRULE(this.blockItem);
      this.ACTION(() => {
        if (item) items.push(item);
      });
    });
    const close = this.CONSUME(RBrace);
    return this.ACTION(() =>
      blockNode(
        items.slice(),
        open.startOffset,
        // A `}` inserted by recovery has no position: end the block at its last item instead.
        Number.isFinite(close.startOffset) && !close.isInsertedInRecovery
          ? close.startOffset + 1
          : (items[items.length - 1]?.end ?? open.startOffset + 1),
      ),
    );
  });

  readonly blockItem = this.RULE(
    "blockItem",
    (): BlockItem | undefined =>
      this.OR<BlockItem | undefined>([
        { ALT: () => this.SUBRULE(this.statement) },
        { ALT: () => this.SUBRULE(this.property) },
      ]),
    { recoveryValueFunc: () => undefined },
  );

  readonly property = this.RULE("property", (): PropertyNode => {
    const key = this.CONSUME(Identifier);
    const value = this.OPTION(() => this.SUBRULE(this.value));
    const body = this.OPTION2(() => this.SUBRULE(this.block));
    return this.ACTION(() => {
      const keyNode = nameNode(key);
      if (!value && !body) {
        this.problems.push({
          code: "AT1023",
          start: keyNode.start,
          end: keyNode.end,
          message: `property \`${keyNode.text}\` has no value`,
          hint: "write a value after the name, e.g. `trust internal`",
        });
      }
      return propertyNode(keyNode, value, body, keyNode.start, body?.end ?? value?.end ?? keyNode.end);
    });
  });

  readonly value = this.RULE("value", (): ValueNode =>
    this.OR<ValueNode>([
      { ALT: () => this.SUBRULE(this.stringValue) },
      {
        ALT: () => {
          const t = this.CONSUME(NumberLit);
          return this.ACTION(() =>
            numberNode(parseFloat(t.image), t.image, t.startOffset, t.startOffset + t.image.length),
          );
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(DateLit);
          return this.ACTION(() => dateNode(t.image, t.startOffset, t.startOffset + t.image.length));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(Identifier);
          return this.ACTION(() => nameNode(t));
        },
      },
      { ALT: () => this.SUBRULE(this.list) },
    ]),
  );

  readonly list = this.RULE("list", (): ListNode => {
    const open = this.CONSUME(LBracket);
    const items: ValueNode[] = [];
    this.OPTION(() => {
      const first = this.SUBRULE(this.listItem);
      this.ACTION(() => items.push(first));
      this.MANY(() => {
        this.CONSUME(Comma);
        const next = this.SUBRULE2(this.listItem);
        this.ACTION(() => items.push(next));
      });
      this.OPTION2(() => this.CONSUME2(Comma));
    });
    const close = this.CONSUME(RBracket);
    return this.ACTION(() =>
      listNode(
        items.slice(),
        open.startOffset,
        Number.isFinite(close.startOffset) && !close.isInsertedInRecovery
          ? close.startOffset + 1
          : (items[items.length - 1]?.end ?? open.startOffset + 1),
      ),
    );
  });

  // Inside a list a reserved word is a plain name (`kinds [model, agent]`); bare, it starts a declaration.
  readonly listItem = this.RULE("listItem", (): ValueNode =>
    this.OR<ValueNode>([
      { ALT: () => this.SUBRULE(this.value) },
      {
        ALT: () => {
          const t = this.CONSUME(Keyword);
          return this.ACTION(() => nameNode(t));
        },
      },
    ]),
  );

  readonly stringValue = this.RULE("stringValue", (): StringNode =>
    this.OR<StringNode>([
      {
        ALT: () => {
          const t = this.CONSUME(StringLit);
          return this.ACTION(() => this.decode(t, false));
        },
      },
      {
        ALT: () => {
          const t = this.CONSUME(TripleString);
          return this.ACTION(() => this.decode(t, true));
        },
      },
    ]),
  );

  private decode(t: IToken, triple: boolean): StringNode {
    const start = t.startOffset;
    const inner = triple
      ? t.image.slice(3, -3)
      : t.image.slice(1, t.image.endsWith('"') && t.image.length > 1 ? -1 : undefined);
    const bodyStart = start + (triple ? 3 : 1);
    const { value, errors } = decodeString(inner, triple);
    for (const e of errors) {
      this.problems.push({
        code: "AT1013",
        start: bodyStart + e.offset,
        end: bodyStart + e.offset + e.length,
        message: e.message,
        hint: 'use `\\"`, `\\\\`, `\\n`, `\\t`, `\\r` or `\\u{hex}`',
      });
    }
    return stringNode(value, triple, start, start + t.image.length);
  }
}
