import type {
  AcceptNode,
  AssetNode,
  BlockNode,
  DeclarationNode,
  FileNode,
  FlowNode,
  NameNode,
  PropertyNode,
  StatementNode,
  ValueNode,
} from "../ast/nodes.js";
import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import { at, diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { readProperties, type ReadProps } from "./properties.js";
import {
  PROP_KEY_INDEX,
  UnitWriter,
  type FileUnit,
  type Head,
  type Implied,
  type PropValue,
  type Ref,
  type Spans,
} from "./unit.js";
import {
  COMMON_COMPONENT_PROPS,
  COMPONENT_KINDS,
  DECLARATION_PROPS,
  FLOW_KIND_NAMES,
  FLOW_PROPS,
  IMPLIED_CONTROLS,
  type ComponentKind,
  type PropSpec,
} from "./vocabulary.js";

/*
 * The first half of the semantic stage: everything that can be checked within one file. It walks the
 * statements (which may appear where), checks every block's properties against the vocabulary,
 * converts their values, and writes what the whole-program half (resolve.ts) needs into the file's
 * unit. It never looks at another file, so it runs as soon as the file is parsed, on any thread, and
 * the syntax tree can be dropped right after: only the compact unit is kept for the whole program.
 */

const COMPONENT_KIND_SET = new Set<string>(Object.keys(COMPONENT_KINDS));
const isComponentKeyword = (k: string): k is ComponentKind => COMPONENT_KIND_SET.has(k);

/** "a" or "an" before a word, for messages: by its sound, so `mcp_server` (em-see-pee) takes "an". */
export function article(word: string): string {
  return /^([aeiou]|mcp)/i.test(word) ? "an" : "a";
}

const str = (p: ReadProps, key: string): string | undefined => {
  const v = p.values.get(key);
  return typeof v === "string" ? v : undefined;
};
const bool = (p: ReadProps, key: string): boolean | undefined => {
  const v = p.values.get(key);
  return typeof v === "boolean" ? v : undefined;
};
const list = (p: ReadProps, key: string): readonly string[] => {
  const v = p.values.get(key);
  return Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === "string") : [];
};
const names = (p: ReadProps, key: string): readonly NameNode[] => {
  const v = p.values.get(key);
  return Array.isArray(v)
    ? (v as unknown[]).filter(
        (x): x is NameNode => typeof x === "object" && x !== null && (x as NameNode).kind === "name",
      )
    : [];
};
const ref = (n: NameNode): Ref => ({ text: n.text, start: n.start, end: n.end });
const refs = (ns: readonly NameNode[]): Ref[] => ns.map(ref);

/** Spans of the properties a block set, in block order. */
function spansOf(p: ReadProps): Spans {
  const out: number[] = [];
  p.nodes.forEach((node, key) => out.push(PROP_KEY_INDEX.get(key) ?? -1, node.start, node.end));
  return out;
}

// The implied-control rules of each kind (and of flows), in the vocabulary's order.
const IMPLIED_BY_KIND = new Map<string, (typeof IMPLIED_CONTROLS)[number][]>();
for (const rule of IMPLIED_CONTROLS) {
  let list = IMPLIED_BY_KIND.get(rule.on);
  if (!list) IMPLIED_BY_KIND.set(rule.on, (list = []));
  list.push(rule);
}

/**
 * The values of `prop` among `anyOf` (a list property: those it holds, in its order), as the
 * property reads in a model (`checks [jailbreak]`, `position both`); undefined when none is.
 */
function heldOf(p: ReadProps, prop: string, anyOf: readonly string[]): string | undefined {
  const v = p.values.get(prop);
  if (typeof v === "string") return anyOf.includes(v) ? `${prop} ${v}` : undefined;
  const held = list(p, prop).filter((x) => anyOf.includes(x));
  return held.length > 0 ? `${prop} [${held.join(", ")}]` : undefined;
}

/** Controls implied by properties (`rate_limit true` -> `rate_limit`), before declared ones are known. */
function impliedBy(on: ComponentKind | "flow", p: ReadProps): Implied[] {
  const out: Implied[] = [];
  for (const rule of IMPLIED_BY_KIND.get(on) ?? []) {
    if (p.values.get(rule.prop) !== rule.value) continue;
    const node = p.nodes.get(rule.prop);
    if (!node) continue;
    const also = (rule.also ?? []).map((a) => heldOf(p, a.prop, a.anyOf));
    if (also.some((a) => a === undefined)) continue;
    out.push({
      control: rule.control,
      impliedBy: [`${rule.prop} ${String(rule.value)}`, ...also].join(", "),
      start: node.start,
      end: node.end,
    });
  }
  return out;
}

const specCache = new Map<ComponentKind, Record<string, PropSpec>>();
function specsFor(kind: ComponentKind): Record<string, PropSpec> {
  let s = specCache.get(kind);
  if (!s)
    specCache.set(
      kind,
      (s = { ...COMMON_COMPONENT_PROPS, ...(COMPONENT_KINDS[kind].props as Record<string, PropSpec>) }),
    );
  return s;
}

const kindKeyCache = new Map<ComponentKind, readonly string[]>();
/** The kind-specific property keys of a component kind, in the vocabulary's order. */
function kindPropKeys(kind: ComponentKind): readonly string[] {
  let keys = kindKeyCache.get(kind);
  if (!keys) kindKeyCache.set(kind, (keys = Object.keys(COMPONENT_KINDS[kind].props)));
  return keys;
}

const ASSET_DESCRIPTION = { description: DECLARATION_PROPS.asset.description };
const ASSET_CROWN = { crown: DECLARATION_PROPS.asset.crown };

/** What checking one file gives: its unit and its diagnostics, all located in the file. */
export interface CheckedUnit {
  readonly unit: FileUnit;
  readonly diagnostics: Diagnostic[];
}

/** Checks one file on its own and packs it into a unit; the diagnostics are all located in `file`. */
export function checkFile(file: SourceFile, ast: FileNode): CheckedUnit {
  const checker = fileChecker(file);
  for (const s of ast.statements) checker.statement(s);
  return checker.finish();
}

/**
 * The check of one file, fed its top-level statements in source order (as the streaming parser
 * produces them, so a statement's tree can be dropped once checked), then finished into a unit.
 */
export function fileChecker(file: SourceFile): {
  readonly statement: (s: StatementNode) => void;
  readonly finish: () => CheckedUnit;
} {
  const diagnostics: Diagnostic[] = [];
  const w = new UnitWriter();
  let zones = 0;
  let components = 0;
  let dataCount = 0;
  let controls = 0;
  let rules = 0;
  // The file's first system; a second one is AT3011.
  let firstSystem: DeclarationNode | undefined;

  const notHere = (s: StatementNode, where: string) => {
    const what = s.kind === "declaration" ? `\`${s.keyword}\`` : `\`${s.kind}\``;
    diagnostics.push(
      diag(
        "AT3001",
        at(file, s.kind === "declaration" ? s.keywordSpan : s),
        `${what} cannot appear ${where}`,
        {
          hint:
            s.kind === "import" ||
            (s.kind === "declaration" && ["system", "rule", "policy"].includes(s.keyword))
              ? "move it to the top level of the file"
              : "move it to the top level or into a `zone`",
        },
      ),
    );
  };
  const noDeclarationsIn = (body: BlockNode | undefined, owner: string) => {
    if (!body) return;
    for (const item of body.items) if (item.kind !== "property") notHere(item, `inside ${owner}`);
  };
  const requireName = (node: DeclarationNode) => {
    if (!node.name)
      diagnostics.push(
        diag("AT3015", at(file, node.keywordSpan), `\`${node.keyword}\` needs a name`, {
          hint: `e.g. \`${node.keyword} my_${node.keyword} "Title"\``,
        }),
      );
  };
  const notInZone = (node: DeclarationNode, message: string) => {
    if (node.parent) diagnostics.push(diag("AT3001", at(file, node.parent), message));
  };
  const head = (node: DeclarationNode): Head => ({
    name: node.name ? ref(node.name) : undefined,
    kwStart: node.keywordSpan.start,
    kwEnd: node.keywordSpan.end,
    start: node.start,
    end: node.end,
    title: node.title?.value,
  });
  const read = (body: BlockNode | undefined, specs: Readonly<Record<string, PropSpec>>, context: string) =>
    readProperties(file, body, specs, context, diagnostics);

  // ---- declarations, in the order the whole-program stage declares them ---------------------------

  const system = (node: DeclarationNode) => {
    noDeclarationsIn(node.body, "`system`");
    const p = read(node.body, DECLARATION_PROPS.system, "`system`");
    if (node.parent)
      diagnostics.push(diag("AT3001", at(file, node.parent), "a `system` cannot be placed `in` a zone"));
    if (firstSystem) {
      diagnostics.push(
        diag("AT3011", at(file, node.keywordSpan), "a file describes at most one `system`", {
          notes: [{ message: "first system here", location: at(file, firstSystem) }],
        }),
      );
      return;
    }
    firstSystem = node;
    w.system({
      title: node.title?.value ?? node.name?.text ?? "",
      start: node.start,
      end: node.end,
      owner: str(p, "owner"),
      version: str(p, "version"),
      description: str(p, "description"),
      contact: str(p, "contact"),
      repository: str(p, "repository"),
    });
  };

  const zone = (node: DeclarationNode, enclosing: number): number => {
    const index = zones++;
    if (node.name) w.decl({ category: "zone", index, name: ref(node.name), detail: undefined });
    const p = read(node.body, DECLARATION_PROPS.zone, "`zone`");
    if (node.parent && enclosing >= 0) {
      diagnostics.push(
        diag(
          "AT3016",
          at(file, node.parent),
          `zone \`${node.name?.text ?? ""}\` is nested in a zone block and also placed \`in\` \`${node.parent.text}\``,
          { hint: "keep one of the two; the `in` clause wins" },
        ),
      );
    }
    requireName(node);
    w.zone({
      head: head(node),
      parent: node.parent ? ref(node.parent) : undefined,
      enclosing,
      trust: str(p, "trust"),
      hasTrust: p.values.has("trust") || p.nodes.has("trust"),
      description: str(p, "description"),
      owner: str(p, "owner"),
      spans: spansOf(p),
    });
    return index;
  };

  const component = (node: DeclarationNode, kind: ComponentKind, enclosing: number) => {
    const index = components++;
    if (node.name) w.decl({ category: "component", index, name: ref(node.name), detail: kind });
    noDeclarationsIn(node.body, `${article(kind)} \`${kind}\``);
    const p = read(node.body, specsFor(kind), `\`${kind}\``);
    requireName(node);
    const props: [string, PropValue][] = [];
    for (const key of kindPropKeys(kind)) {
      const v = p.values.get(key);
      if (v !== undefined) props.push([key, v as PropValue]);
    }
    w.component({
      head: head(node),
      kind,
      parent: node.parent ? ref(node.parent) : undefined,
      enclosing,
      trust: str(p, "trust"),
      description: str(p, "description"),
      owner: str(p, "owner"),
      holds: refs(names(p, "holds")),
      controls: refs(names(p, "controls")),
      crown: list(p, "crown"),
      tags: list(p, "tags"),
      stateless: bool(p, "stateless"),
      props,
      implied: impliedBy(kind, p),
      spans: spansOf(p),
    });
  };

  const data = (node: DeclarationNode) => {
    if (node.name) w.decl({ category: "data", index: dataCount, name: ref(node.name), detail: undefined });
    dataCount++;
    noDeclarationsIn(node.body, "a `data` declaration");
    const p = read(node.body, DECLARATION_PROPS.data, "`data`");
    notInZone(node, "data assets are not placed in zones; components that `hold` them are");
    requireName(node);
    w.data({
      head: head(node),
      classification: str(p, "classification"),
      crown: list(p, "crown"),
      regulated: list(p, "regulated"),
      description: str(p, "description"),
      owner: str(p, "owner"),
      spans: spansOf(p),
    });
  };

  const control = (node: DeclarationNode) => {
    if (node.name) {
      if (BUILTIN_CONTROL_BY_ID.has(node.name.text)) {
        diagnostics.push(
          diag("AT2002", at(file, node.name), `\`${node.name.text}\` is a built-in control`, {
            hint: "use the built-in control as is, or give yours another name",
          }),
        );
      } else w.decl({ category: "control", index: controls, name: ref(node.name), detail: undefined });
    }
    controls++;
    noDeclarationsIn(node.body, "a `control`");
    const p = read(node.body, DECLARATION_PROPS.control, "`control`");
    // The ids named in `mitigates` and `atlas` are checked with the whole program (rules may be
    // declared in other files); only their text and spans travel.
    const items = (v: ValueNode | undefined): Ref[] => {
      const out: Ref[] = [];
      for (const item of v?.kind === "list" ? v.items : v ? [v] : []) {
        const text = item.kind === "string" ? item.value : item.kind === "name" ? item.text : undefined;
        if (text !== undefined) out.push({ text, start: item.start, end: item.end });
      }
      return out;
    };
    notInZone(node, "controls are not placed in zones; attach them with `controls [...]`");
    requireName(node);
    const cost = p.values.get("cost");
    w.control({
      head: head(node),
      mitigates: list(p, "mitigates"),
      atlas: list(p, "atlas"),
      cost: typeof cost === "number" ? cost : undefined,
      description: str(p, "description"),
      owner: str(p, "owner"),
      ruleRefs: items(p.nodes.get("mitigates")?.value),
      atlasRefs: items(p.nodes.get("atlas")?.value),
      spans: spansOf(p),
    });
  };

  // ---- statements that are not declarations ------------------------------------------------------

  const flow = (n: FlowNode) => {
    noDeclarationsIn(n.body, "a flow");
    const p = read(n.body, FLOW_PROPS, "a flow");
    if (!p.nodes.has("kind")) {
      diagnostics.push(
        diag("AT3015", at(file, n), "a flow needs a `kind`", {
          hint: `add \`{ kind ... }\`: ${FLOW_KIND_NAMES.map((k) => `\`${k}\``).join(", ")}`,
        }),
      );
    }
    w.flow({
      name: n.name ? ref(n.name) : undefined,
      from: ref(n.from),
      to: ref(n.to),
      start: n.start,
      end: n.end,
      title: n.title?.value,
      kind: str(p, "kind"),
      description: str(p, "description"),
      auth: str(p, "auth"),
      encrypted: bool(p, "encrypted"),
      controls: refs(names(p, "controls")),
      carries: refs(names(p, "carries")),
      implied: impliedBy("flow", p),
      spans: spansOf(p),
    });
  };

  const asset = (n: AssetNode) => {
    noDeclarationsIn(n.body, "an `asset`");
    read(n.body, ASSET_DESCRIPTION, "`asset`");
    let crown = false;
    let cia: readonly string[] = [];
    if (n.key.text === "") {
      // The parser reported the missing key (`asset x { ... }`); error recovery left an empty name.
    } else if (n.key.text === "crown" && !n.value) {
      diagnostics.push(
        diag("AT3015", at(file, n.key), `\`asset ${n.target.text} crown\` needs the properties that matter`, {
          hint: "e.g. `asset model crown integrity` or `crown [confidentiality, integrity]`",
        }),
      );
    } else if (n.key.text !== "crown") {
      diagnostics.push(
        diag("AT3002", at(file, n.key), `unknown property \`${n.key.text}\` for \`asset\``, {
          hint: "write `asset <name> crown <confidentiality|integrity|availability>`",
        }),
      );
    } else if (n.value) {
      const item: PropertyNode = {
        kind: "property",
        key: n.key,
        value: n.value,
        body: undefined,
        start: n.key.start,
        end: n.value.end,
      };
      const p = read({ kind: "block", items: [item], start: n.start, end: n.end }, ASSET_CROWN, "`asset`");
      crown = true;
      cia = list(p, "crown");
    }
    w.asset({ target: ref(n.target), start: n.start, end: n.end, crown, cia });
  };

  const accept = (n: AcceptNode) => {
    noDeclarationsIn(n.body, "an `accept`");
    const p = read(n.body, DECLARATION_PROPS.accept, "`accept`");
    const missing = (["reason", "owner", "expires"] as const).filter((k) => !p.nodes.has(k));
    if (missing.length > 0) {
      diagnostics.push(
        diag(
          "AT3010",
          at(file, n),
          `acceptance of \`${n.rule.text}\` on \`${n.target.text}\` lacks ${missing.map((m) => `\`${m}\``).join(", ")}`,
          { hint: 'e.g. `{ reason "..." owner "team" expires 2027-03-31 }`' },
        ),
      );
    }
    // Present but blank says as little as absent: every accepted risk needs a reason and someone.
    for (const key of ["reason", "owner"] as const) {
      const value = p.nodes.get(key)?.value;
      if (value?.kind !== "string" || value.value.trim() !== "") continue;
      diagnostics.push(
        diag(
          "AT3010",
          at(file, value),
          `the acceptance of \`${n.rule.text}\` on \`${n.target.text}\` has an empty \`${key}\``,
          {
            hint:
              key === "reason"
                ? "say why the risk is accepted"
                : "name the person or team who answers for it",
          },
        ),
      );
    }
    const expires = p.nodes.get("expires");
    w.accept({
      rule: ref(n.rule),
      target: ref(n.target),
      start: n.start,
      end: n.end,
      reason: str(p, "reason"),
      owner: str(p, "owner"),
      expires: str(p, "expires"),
      ticket: str(p, "ticket"),
      expiresStart: expires ? expires.start : -1,
      expiresEnd: expires ? expires.end : -1,
    });
  };

  // ---- the walk: files and zone bodies in source order -------------------------------------------

  const walk = (statements: readonly (StatementNode | PropertyNode)[], enclosing: number) => {
    for (const s of statements) visit(s, enclosing);
  };
  const visit = (s: StatementNode | PropertyNode, enclosing: number): void => {
    switch (s.kind) {
      case "property":
        break;
      case "import":
        if (enclosing >= 0) notHere(s, "inside a zone");
        else
          w.import({
            spec: s.path.value,
            triple: s.path.triple,
            start: s.start,
            end: s.end,
            pathStart: s.path.start,
            pathEnd: s.path.end,
          });
        break;
      case "flow":
        flow(s);
        break;
      case "accept":
        accept(s);
        break;
      case "asset":
        asset(s);
        break;
      case "declaration": {
        const kw = s.keyword;
        if (kw === "zone") {
          const index = zone(s, enclosing);
          if (s.body) walk(s.body.items, index);
        } else if (isComponentKeyword(kw)) component(s, kw, enclosing);
        else if (kw === "data") data(s);
        else if (kw === "control") control(s);
        else if (enclosing >= 0) notHere(s, "inside a zone");
        else if (kw === "system") system(s);
        else if (kw === "rule") {
          if (s.name) w.decl({ category: "rule", index: rules, name: ref(s.name), detail: undefined });
          rules++;
          w.rules.push(s);
        } else w.policies.push(s);
        break;
      }
    }
  };
  return {
    statement: (s) => visit(s, -1),
    finish: () => ({ unit: w.finish(), diagnostics }),
  };
}
