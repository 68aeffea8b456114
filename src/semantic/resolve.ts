import type {
  AcceptNode,
  AssetNode,
  BlockNode,
  DeclarationNode,
  FlowNode,
  NameNode,
  StatementNode,
} from "../ast/nodes.js";
import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import { at, diag, type Diagnostic, type Location, type StageResult } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import type { LoadedFile, Program } from "./imports.js";
import type {
  Acceptance,
  Component,
  ControlDecl,
  ControlUse,
  CrownJewel,
  DataAsset,
  Flow,
  RawDeclaration,
  ResolvedModel,
  Subject,
  SystemInfo,
  TrustOrigin,
  Zone,
} from "./model.js";
import { readProperties, type Converted, type ReadProps } from "./properties.js";
import { didYouMean } from "./suggest.js";
import { SymbolTable } from "./symbols.js";
import {
  CIA,
  COMMON_COMPONENT_PROPS,
  COMPONENT_KINDS,
  DECLARATION_PROPS,
  FLOW_KIND_NAMES,
  FLOW_PROPS,
  IMPLIED_CONTROLS,
  fittingFlowKinds,
  flowKindFits,
  type Cia,
  type Classification,
  type ComponentKind,
  type FlowKind,
  type PropSpec,
  type TrustLevel,
} from "./vocabulary.js";

/** What the semantic stage needs to know beyond the files. */
export interface ResolveOptions {
  /** Date acceptances are judged against, YYYY-MM-DD (the CLI passes today, tests pin it). */
  readonly today: string;
  /** Built-in rule ids, for `accept` and `mitigates`. */
  readonly ruleIds: ReadonlySet<string>;
  /** ATLAS mitigation ids the project ships, for a control's `atlas` list. */
  readonly atlasMitigations?: ReadonlySet<string>;
}

interface ZoneDraft {
  node: DeclarationNode;
  file: SourceFile;
  enclosing?: number;
}
interface ComponentDraft {
  node: DeclarationNode;
  file: SourceFile;
  enclosing?: number;
}
interface Located<N> {
  node: N;
  file: SourceFile;
}

const COMPONENT_KIND_SET = new Set<string>(Object.keys(COMPONENT_KINDS));
const isComponentKeyword = (k: string): k is ComponentKind => COMPONENT_KIND_SET.has(k);

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

/** Adds the controls implied by properties (`rate_limit true` -> `rate_limit`), unless declared too. */
function addImpliedControls(on: ComponentKind | "flow", p: ReadProps, uses: ControlUse[]): void {
  for (const rule of IMPLIED_CONTROLS) {
    if (rule.on !== on || p.values.get(rule.prop) !== rule.value) continue;
    if (uses.some((u) => u.name === rule.control)) continue;
    const loc = p.locs[rule.prop];
    if (loc) uses.push({ name: rule.control, loc, impliedBy: `${rule.prop} ${String(rule.value)}` });
  }
}

/** "a" or "an" before a word, for messages. */
export function article(word: string): string {
  return /^[aeiou]/i.test(word) ? "an" : "a";
}

// Optional string fields are only set when present, so resolved objects stay small and printable.
function opt<K extends string, V>(key: K, value: V | undefined): { [P in K]?: V } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: V };
}

/**
 * Binds names and checks the model: the semantic stage. Always runs over every file so the user
 * sees all errors at once; entities with broken references are dropped from the model (a flow to an
 * unknown component) while the rest stays usable.
 */
export function resolveProgram(program: Program, options: ResolveOptions): StageResult<ResolvedModel> {
  const diagnostics: Diagnostic[] = [];
  const files = program.files;
  const symbols = new SymbolTable(files, diagnostics);

  const systemDrafts: Located<DeclarationNode>[] = [];
  const zoneDrafts: ZoneDraft[] = [];
  const componentDrafts: ComponentDraft[] = [];
  const dataDrafts: Located<DeclarationNode>[] = [];
  const controlDrafts: Located<DeclarationNode>[] = [];
  const flowDrafts: Located<FlowNode>[] = [];
  const acceptDrafts: Located<AcceptNode>[] = [];
  const assetDrafts: Located<AssetNode>[] = [];
  const ruleDecls: RawDeclaration[] = [];
  const policyDecls: RawDeclaration[] = [];

  // ---- collect: walk files and zone bodies in source order --------------------------------------
  const notHere = (file: SourceFile, s: StatementNode, where: string) => {
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
  const noDeclarationsIn = (file: SourceFile, body: BlockNode | undefined, owner: string) => {
    for (const item of body?.items ?? [])
      if (item.kind !== "property") notHere(file, item, `inside ${owner}`);
  };

  const collect = (file: SourceFile, statements: readonly StatementNode[], enclosing: number | undefined) => {
    for (const s of statements) {
      switch (s.kind) {
        case "import":
          if (enclosing !== undefined) notHere(file, s, "inside a zone");
          break;
        case "flow":
          flowDrafts.push({ node: s, file });
          noDeclarationsIn(file, s.body, "a flow");
          break;
        case "accept":
          acceptDrafts.push({ node: s, file });
          noDeclarationsIn(file, s.body, "an `accept`");
          break;
        case "asset":
          assetDrafts.push({ node: s, file });
          noDeclarationsIn(file, s.body, "an `asset`");
          break;
        case "declaration": {
          const kw = s.keyword;
          if (kw === "zone") {
            const index = zoneDrafts.length;
            zoneDrafts.push({ node: s, file, ...(enclosing === undefined ? {} : { enclosing }) });
            if (s.name) symbols.declare(s.name, { category: "zone", index, file, nameLoc: at(file, s.name) });
            const nested = (s.body?.items ?? []).filter((i): i is StatementNode => i.kind !== "property");
            collect(file, nested, index);
          } else if (isComponentKeyword(kw)) {
            const index = componentDrafts.length;
            componentDrafts.push({ node: s, file, ...(enclosing === undefined ? {} : { enclosing }) });
            if (s.name)
              symbols.declare(s.name, {
                category: "component",
                index,
                file,
                nameLoc: at(file, s.name),
                detail: kw,
              });
            noDeclarationsIn(file, s.body, `${article(kw)} \`${kw}\``);
          } else if (kw === "data") {
            if (s.name)
              symbols.declare(s.name, {
                category: "data",
                index: dataDrafts.length,
                file,
                nameLoc: at(file, s.name),
              });
            dataDrafts.push({ node: s, file });
            noDeclarationsIn(file, s.body, "a `data` declaration");
          } else if (kw === "control") {
            if (s.name) {
              const builtin = BUILTIN_CONTROL_BY_ID.get(s.name.text);
              if (builtin) {
                diagnostics.push(
                  diag("AT2002", at(file, s.name), `\`${s.name.text}\` is a built-in control`, {
                    hint: "use the built-in control as is, or give yours another name",
                  }),
                );
              } else
                symbols.declare(s.name, {
                  category: "control",
                  index: controlDrafts.length,
                  file,
                  nameLoc: at(file, s.name),
                });
            }
            controlDrafts.push({ node: s, file });
            noDeclarationsIn(file, s.body, "a `control`");
          } else if (kw === "system" || kw === "rule" || kw === "policy") {
            if (enclosing !== undefined) {
              notHere(file, s, "inside a zone");
              break;
            }
            if (kw === "system") {
              systemDrafts.push({ node: s, file });
              noDeclarationsIn(file, s.body, "`system`");
            } else if (kw === "rule") {
              if (s.name)
                symbols.declare(s.name, {
                  category: "rule",
                  index: ruleDecls.length,
                  file,
                  nameLoc: at(file, s.name),
                });
              ruleDecls.push({ node: s, file });
            } else policyDecls.push({ node: s, file });
          }
          break;
        }
      }
    }
  };
  for (const f of files) collect(f.source, f.ast.statements, undefined);

  const requireName = (d: Located<DeclarationNode>): NameNode | undefined => {
    if (!d.node.name)
      diagnostics.push(
        diag("AT3015", at(d.file, d.node.keywordSpan), `\`${d.node.keyword}\` needs a name`, {
          hint: `e.g. \`${d.node.keyword} my_${d.node.keyword} "Title"\``,
        }),
      );
    return d.node.name;
  };

  // ---- systems ---------------------------------------------------------------------------------------
  const systems: SystemInfo[] = [];
  const systemOfFile = new Map<number, number>();
  for (const d of systemDrafts) {
    const p = readProperties(d.file, d.node.body, DECLARATION_PROPS.system, "`system`", diagnostics);
    if (d.node.parent)
      diagnostics.push(diag("AT3001", at(d.file, d.node.parent), "a `system` cannot be placed `in` a zone"));
    const prior = systemOfFile.get(d.file.id);
    if (prior !== undefined) {
      diagnostics.push(
        diag("AT3011", at(d.file, d.node.keywordSpan), "a file describes at most one `system`", {
          notes: [{ message: "first system here", location: systems[prior]!.loc }],
        }),
      );
      continue;
    }
    const index = systems.length;
    systemOfFile.set(d.file.id, index);
    systems.push({
      index,
      title: d.node.title?.value ?? d.node.name?.text ?? "",
      file: d.file,
      loc: at(d.file, d.node),
      ...opt("owner", str(p, "owner")),
      ...opt("version", str(p, "version")),
      ...opt("description", str(p, "description")),
      ...opt("contact", str(p, "contact")),
      ...opt("repository", str(p, "repository")),
    });
  }

  // ---- zones -----------------------------------------------------------------------------------------
  const zoneProps = zoneDrafts.map((d) =>
    readProperties(d.file, d.node.body, DECLARATION_PROPS.zone, "`zone`", diagnostics),
  );
  const zoneParent: (number | undefined)[] = zoneDrafts.map((d) => {
    if (!d.node.parent) return d.enclosing;
    if (d.enclosing !== undefined) {
      diagnostics.push(
        diag(
          "AT3016",
          at(d.file, d.node.parent),
          `zone \`${d.node.name?.text ?? ""}\` is nested in a zone block and also placed \`in\` \`${d.node.parent.text}\``,
          { hint: "keep one of the two; the `in` clause wins" },
        ),
      );
    }
    const sym = symbols.resolve(d.node.parent, d.file, ["zone"]);
    return sym?.index;
  });
  // Break `in` cycles so trust inheritance terminates. Linear: each zone is walked once (colours:
  // 0 unseen, 1 on the current walk, 2 known to reach a root).
  const colour = new Uint8Array(zoneDrafts.length);
  for (let z = 0; z < zoneDrafts.length; z++) {
    const walk: number[] = [];
    let p: number | undefined = z;
    while (p !== undefined && colour[p] === 0) {
      colour[p] = 1;
      walk.push(p);
      p = zoneParent[p];
    }
    if (p !== undefined && colour[p] === 1) {
      // `p` is on this walk: the last zone of the walk closes the cycle; cut it there.
      const last = walk[walk.length - 1]!;
      const d = zoneDrafts[last]!;
      diagnostics.push(
        diag(
          "AT3014",
          at(d.file, d.node.parent ?? d.node.keywordSpan),
          `zone \`${d.node.name?.text ?? ""}\` is inside itself through \`in\``,
        ),
      );
      zoneParent[last] = undefined;
    }
    for (const w of walk) colour[w] = 2;
  }
  const zoneTrust: (TrustLevel | undefined)[] = new Array<TrustLevel | undefined>(zoneDrafts.length);
  const trustOfZone = (z: number): TrustLevel => {
    const chain: number[] = [];
    let cur: number | undefined = z;
    let found: TrustLevel | undefined;
    while (cur !== undefined) {
      const known = zoneTrust[cur];
      if (known) {
        found = known;
        break;
      }
      const declared = str(zoneProps[cur]!, "trust") as TrustLevel | undefined;
      chain.push(cur);
      if (declared) {
        found = declared;
        break;
      }
      cur = zoneParent[cur];
    }
    for (const c of chain) zoneTrust[c] = found ?? "internal";
    return found ?? "internal";
  };
  const zones: Zone[] = zoneDrafts.map((d, index) => {
    const p = zoneProps[index]!;
    const parent = zoneParent[index];
    // A zone without a name already has its error; one missing piece is enough to report.
    if (parent === undefined && d.node.name && !p.values.has("trust") && !p.nodes.has("trust")) {
      diagnostics.push(
        diag(
          "AT3015",
          at(d.file, d.node.name ?? d.node.keywordSpan),
          `top-level zone \`${d.node.name?.text ?? ""}\` needs a \`trust\` level`,
          { hint: "add e.g. `trust internal` (untrusted, public, partner, internal or restricted)" },
        ),
      );
    }
    requireName(d);
    return {
      index,
      name: d.node.name?.text ?? `zone#${index}`,
      trust: trustOfZone(index),
      loc: at(d.file, d.node),
      nameLoc: at(d.file, d.node.name ?? d.node.keywordSpan),
      propLocs: p.locs,
      ...opt("title", d.node.title?.value),
      ...opt("parent", parent),
      ...opt("description", str(p, "description")),
      ...opt("owner", str(p, "owner")),
      ...opt("system", systemOfFile.get(d.file.id)),
    };
  });

  // ---- data ------------------------------------------------------------------------------------------
  const data: DataAsset[] = dataDrafts.map((d, index) => {
    const p = readProperties(d.file, d.node.body, DECLARATION_PROPS.data, "`data`", diagnostics);
    if (d.node.parent)
      diagnostics.push(
        diag(
          "AT3001",
          at(d.file, d.node.parent),
          "data assets are not placed in zones; components that `hold` them are",
        ),
      );
    requireName(d);
    return {
      index,
      name: d.node.name?.text ?? `data#${index}`,
      crown: list(p, "crown") as Cia[],
      regulated: list(p, "regulated"),
      loc: at(d.file, d.node),
      nameLoc: at(d.file, d.node.name ?? d.node.keywordSpan),
      propLocs: p.locs,
      ...opt("title", d.node.title?.value),
      ...opt("classification", str(p, "classification") as Classification | undefined),
      ...opt("description", str(p, "description")),
      ...opt("owner", str(p, "owner")),
    };
  });

  // ---- user controls ---------------------------------------------------------------------------------
  const ruleNames = (): string[] => [...options.ruleIds, ...symbols.names("rule")];
  const checkRuleId = (file: SourceFile, id: string, loc: Location): boolean => {
    if (options.ruleIds.has(id) || symbols.get(id)?.category === "rule") return true;
    diagnostics.push(
      diag("AT2020", loc, `unknown threat rule \`${id}\``, {
        hint: didYouMean(id, ruleNames()) ?? "run `aithreat rules` to list the catalog",
      }),
    );
    void file;
    return false;
  };
  const controls: ControlDecl[] = controlDrafts.map((d, index) => {
    const p = readProperties(d.file, d.node.body, DECLARATION_PROPS.control, "`control`", diagnostics);
    const valueNode = p.nodes.get("mitigates")?.value;
    const items = valueNode?.kind === "list" ? valueNode.items : valueNode ? [valueNode] : [];
    for (const item of items) {
      const text = item.kind === "string" ? item.value : item.kind === "name" ? item.text : undefined;
      if (text !== undefined) checkRuleId(d.file, text, at(d.file, item));
    }
    const atlasNode = p.nodes.get("atlas")?.value;
    if (options.atlasMitigations && atlasNode) {
      for (const item of atlasNode.kind === "list" ? atlasNode.items : [atlasNode]) {
        const text = item.kind === "string" ? item.value : item.kind === "name" ? item.text : undefined;
        if (text !== undefined && !options.atlasMitigations.has(text)) {
          diagnostics.push(
            diag("AT2021", at(d.file, item), `\`${text}\` is not an ATLAS mitigation id`, {
              hint:
                didYouMean(text, options.atlasMitigations) ?? "ATLAS mitigation ids look like `AML.M0007`",
            }),
          );
        }
      }
    }
    if (d.node.parent)
      diagnostics.push(
        diag(
          "AT3001",
          at(d.file, d.node.parent),
          "controls are not placed in zones; attach them with `controls [...]`",
        ),
      );
    requireName(d);
    const cost = p.values.get("cost");
    return {
      index,
      name: d.node.name?.text ?? `control#${index}`,
      mitigates: list(p, "mitigates"),
      atlas: list(p, "atlas"),
      loc: at(d.file, d.node),
      propLocs: p.locs,
      ...opt("title", d.node.title?.value),
      ...opt("description", str(p, "description")),
      ...opt("owner", str(p, "owner")),
      ...opt("cost", typeof cost === "number" ? cost : undefined),
    };
  });

  const resolveControls = (file: SourceFile, refs: readonly NameNode[]): ControlUse[] => {
    const out: ControlUse[] = [];
    for (const ref of refs) {
      const sym = symbols.get(ref.text);
      if (sym?.category === "control") {
        symbols.resolve(ref, file, ["control"]);
        out.push({ name: ref.text, loc: at(file, ref) });
      } else if (BUILTIN_CONTROL_BY_ID.has(ref.text)) {
        out.push({ name: ref.text, loc: at(file, ref) });
      } else {
        symbols.resolve(ref, file, ["control"], [...BUILTIN_CONTROL_BY_ID.keys()]);
      }
    }
    return out;
  };
  const resolveData = (file: SourceFile, refs: readonly NameNode[]): number[] => {
    const out: number[] = [];
    for (const ref of refs) {
      const sym = symbols.resolve(ref, file, ["data"]);
      if (sym && !out.includes(sym.index)) out.push(sym.index);
    }
    return out;
  };

  // ---- components ------------------------------------------------------------------------------------
  const specCache = new Map<ComponentKind, Record<string, PropSpec>>();
  const specsFor = (kind: ComponentKind): Record<string, PropSpec> => {
    let s = specCache.get(kind);
    if (!s)
      specCache.set(
        kind,
        (s = { ...COMMON_COMPONENT_PROPS, ...(COMPONENT_KINDS[kind].props as Record<string, PropSpec>) }),
      );
    return s;
  };
  const zonesUsed = zones.length > 0;
  const components: Component[] = [];
  for (let index = 0; index < componentDrafts.length; index++) {
    const d = componentDrafts[index]!;
    const kind = d.node.keyword as ComponentKind;
    const specs = specsFor(kind);
    const p = readProperties(d.file, d.node.body, specs, `\`${kind}\``, diagnostics);
    let zone = d.enclosing;
    if (d.node.parent) {
      if (d.enclosing !== undefined) {
        diagnostics.push(
          diag(
            "AT3016",
            at(d.file, d.node.parent),
            `\`${d.node.name?.text ?? kind}\` is declared inside zone \`${zones[d.enclosing]?.name ?? ""}\` and also placed \`in\` \`${d.node.parent.text}\``,
            { hint: "keep one of the two; the `in` clause wins" },
          ),
        );
      }
      zone = symbols.resolve(d.node.parent, d.file, ["zone"])?.index;
    }
    const declaredTrust = str(p, "trust") as TrustLevel | undefined;
    let trust: TrustLevel;
    let trustOrigin: TrustOrigin;
    if (declaredTrust) [trust, trustOrigin] = [declaredTrust, "declared"];
    else if (zone !== undefined) [trust, trustOrigin] = [zones[zone]!.trust, "zone"];
    else {
      [trust, trustOrigin] = ["internal", "default"];
      if (zonesUsed && !d.node.parent) {
        diagnostics.push(
          diag(
            "AT3008",
            at(d.file, d.node.name ?? d.node.keywordSpan),
            `\`${d.node.name?.text ?? kind}\` is in no zone and declares no \`trust\`; it is treated as \`internal\``,
            { hint: "declare it inside a zone, add `in <zone>`, or give it `trust`" },
          ),
        );
      }
    }
    requireName(d);
    const props: Record<string, Converted> = {};
    for (const key of Object.keys(COMPONENT_KINDS[kind].props)) {
      const v = p.values.get(key);
      if (v !== undefined) props[key] = v;
    }
    const controlUses = resolveControls(d.file, names(p, "controls"));
    addImpliedControls(kind, p, controlUses);
    components.push({
      index,
      name: d.node.name?.text ?? `${kind}#${index}`,
      kind,
      trust,
      trustOrigin,
      holds: resolveData(d.file, names(p, "holds")),
      controls: controlUses,
      crown: list(p, "crown") as Cia[],
      tags: list(p, "tags"),
      ...opt("stateless", bool(p, "stateless")),
      props,
      loc: at(d.file, d.node),
      nameLoc: at(d.file, d.node.name ?? d.node.keywordSpan),
      propLocs: p.locs,
      ...opt("title", d.node.title?.value),
      ...opt("zone", zone),
      ...opt("description", str(p, "description")),
      ...opt("owner", str(p, "owner")),
      ...opt("system", systemOfFile.get(d.file.id)),
    });
  }

  // ---- flows -----------------------------------------------------------------------------------------
  const flows: Flow[] = [];
  const flowIds = new Map<string, Location>();
  const flowByName = new Map<string, number>();
  for (const d of flowDrafts) {
    const n = d.node;
    const p = readProperties(d.file, n.body, FLOW_PROPS, "a flow", diagnostics);
    const fromSym = n.from.text ? symbols.resolve(n.from, d.file, ["component"]) : undefined;
    const toSym = n.to.text ? symbols.resolve(n.to, d.file, ["component"]) : undefined;
    const kind = str(p, "kind") as FlowKind | undefined;
    if (!p.nodes.has("kind")) {
      diagnostics.push(
        diag("AT3015", at(d.file, n), "a flow needs a `kind`", {
          hint: `add \`{ kind ... }\`: ${FLOW_KIND_NAMES.map((k) => `\`${k}\``).join(", ")}`,
        }),
      );
    }
    if (n.name) {
      const prior = symbols.get(n.name.text);
      if (prior)
        diagnostics.push(
          diag(
            "AT2002",
            at(d.file, n.name),
            `flow name \`${n.name.text}\` is already declared as a ${prior.category}`,
            { notes: [{ message: "declared here", location: prior.nameLoc }] },
          ),
        );
    }
    if (!fromSym || !toSym || !kind) continue;
    const from = components[fromSym.index]!;
    const to = components[toSym.index]!;
    if (!flowKindFits(kind, from.kind, to.kind)) {
      const fits = fittingFlowKinds(from.kind, to.kind);
      diagnostics.push(
        diag(
          "AT3006",
          p.locs["kind"] ?? at(d.file, n),
          `${article(kind)} \`${kind}\` flow cannot go from ${article(from.kind)} \`${from.kind}\` to ${article(to.kind)} \`${to.kind}\``,
          {
            hint:
              fits.length > 0
                ? `between these kinds use ${fits.map((k) => `\`${k}\``).join(", ")}`
                : `no flow kind connects ${article(from.kind)} \`${from.kind}\` to ${article(to.kind)} \`${to.kind}\`; check the direction or the component kinds`,
          },
        ),
      );
    }
    if (fromSym.index === toSym.index) {
      diagnostics.push(
        diag("AT3012", at(d.file, n), `flow from \`${from.name}\` to itself`, {
          hint: "remove it, or model the loop through the components it really passes",
        }),
      );
      continue;
    }
    const id = n.name?.text ?? `${from.name}->${to.name}`;
    const prior = flowIds.get(id);
    if (prior) {
      diagnostics.push(
        diag("AT2003", at(d.file, n), `flow \`${id}\` is declared twice`, {
          hint: "name one of them: `flow reply: a -> b`",
          notes: [{ message: "first declared here", location: prior }],
        }),
      );
      continue;
    }
    flowIds.set(id, at(d.file, n));
    const index = flows.length;
    if (n.name) flowByName.set(n.name.text, index);
    const flowControls = resolveControls(d.file, names(p, "controls"));
    addImpliedControls("flow", p, flowControls);
    flows.push({
      index,
      id,
      from: fromSym.index,
      to: toSym.index,
      kind,
      carries: resolveData(d.file, names(p, "carries")),
      controls: flowControls,
      loc: at(d.file, n),
      propLocs: p.locs,
      ...opt("name", n.name?.text),
      ...opt("title", n.title?.value),
      ...opt("description", str(p, "description")),
      ...opt("auth", str(p, "auth")),
      ...opt("encrypted", bool(p, "encrypted")),
    });
  }

  // ---- crown jewels ----------------------------------------------------------------------------------
  const crownBySubject = new Map<
    string,
    { subject: CrownJewel["subject"]; name: string; properties: Cia[]; loc: Location }
  >();
  const markCrown = (subject: CrownJewel["subject"], name: string, props: readonly Cia[], loc: Location) => {
    if (props.length === 0) return;
    const key = `${subject.type}:${subject.index}`;
    const entry = crownBySubject.get(key);
    if (entry) {
      for (const prop of props) if (!entry.properties.includes(prop)) entry.properties.push(prop);
    } else crownBySubject.set(key, { subject, name, properties: [...props], loc });
  };
  for (const c of components)
    markCrown({ type: "component", index: c.index }, c.name, c.crown, c.propLocs["crown"] ?? c.nameLoc);
  for (const dta of data)
    markCrown({ type: "data", index: dta.index }, dta.name, dta.crown, dta.propLocs["crown"] ?? dta.nameLoc);
  for (const d of assetDrafts) {
    const n = d.node;
    const p = readProperties(
      d.file,
      n.body,
      { description: DECLARATION_PROPS.asset.description },
      "`asset`",
      diagnostics,
    );
    void p;
    const sym = symbols.resolve(n.target, d.file, ["component", "data"]);
    if (n.key.text === "crown" && !n.value) {
      diagnostics.push(
        diag(
          "AT3015",
          at(d.file, n.key),
          `\`asset ${n.target.text} crown\` needs the properties that matter`,
          { hint: "e.g. `asset model crown integrity` or `crown [confidentiality, integrity]`" },
        ),
      );
      continue;
    }
    if (n.key.text !== "crown") {
      diagnostics.push(
        diag("AT3002", at(d.file, n.key), `unknown property \`${n.key.text}\` for \`asset\``, {
          hint: "write `asset <name> crown <confidentiality|integrity|availability>`",
        }),
      );
      continue;
    }
    const props = n.value
      ? readProperties(
          d.file,
          {
            kind: "block",
            items: [{ kind: "property", key: n.key, value: n.value, start: n.key.start, end: n.value.end }],
            start: n.start,
            end: n.end,
          },
          { crown: DECLARATION_PROPS.asset.crown },
          "`asset`",
          diagnostics,
        )
      : undefined;
    if (!sym || !props) continue;
    const cia = list(props, "crown") as Cia[];
    const subject: CrownJewel["subject"] =
      sym.category === "component"
        ? { type: "component", index: sym.index }
        : { type: "data", index: sym.index };
    markCrown(subject, n.target.text, cia, at(d.file, n));
    // `asset x crown p` and `crown p` inside x mean the same: the entity's own list says so too.
    const own = (
      subject.type === "component" ? components[subject.index]!.crown : data[subject.index]!.crown
    ) as Cia[];
    for (const p of cia) if (!own.includes(p)) own.push(p);
  }
  const crownJewels: CrownJewel[] = [...crownBySubject.values()]
    .map((e) => ({ ...e, properties: CIA.filter((x) => e.properties.includes(x)) }))
    .sort((a, b) =>
      a.subject.type !== b.subject.type
        ? a.subject.type < b.subject.type
          ? -1
          : 1
        : a.subject.index - b.subject.index,
    );

  // ---- acceptances -----------------------------------------------------------------------------------
  const acceptances: Acceptance[] = [];
  for (const d of acceptDrafts) {
    const n = d.node;
    const p = readProperties(d.file, n.body, DECLARATION_PROPS.accept, "`accept`", diagnostics);
    const knownRule = n.rule.text ? checkRuleId(d.file, n.rule.text, at(d.file, n.rule)) : false;
    let subject: Subject | undefined;
    const flowIndex = flowByName.get(n.target.text);
    if (flowIndex !== undefined) {
      subject = { type: "flow", index: flowIndex };
      const flowFile = flows[flowIndex]!.loc.file;
      if (!symbols.canSee(d.file.id, flowFile.id)) {
        diagnostics.push(
          diag(
            "AT2005",
            at(d.file, n.target),
            `flow \`${n.target.text}\` is declared in \`${flowFile.path}\`, which this file does not import`,
            { notes: [{ message: "declared here", location: flows[flowIndex]!.loc }] },
          ),
        );
      }
    } else if (n.target.text) {
      const sym = symbols.resolve(n.target, d.file, ["component", "data"]);
      if (sym)
        subject =
          sym.category === "component"
            ? { type: "component", index: sym.index }
            : { type: "data", index: sym.index };
    }
    const missing = (["reason", "owner", "expires"] as const).filter((k) => !p.nodes.has(k));
    if (missing.length > 0) {
      diagnostics.push(
        diag(
          "AT3010",
          at(d.file, n),
          `acceptance of \`${n.rule.text}\` on \`${n.target.text}\` lacks ${missing.map((m) => `\`${m}\``).join(", ")}`,
          {
            hint: 'e.g. `{ reason "..." owner "team" expires 2027-03-31 }`',
          },
        ),
      );
    }
    const expires = str(p, "expires");
    const reason = str(p, "reason");
    const owner = str(p, "owner");
    if (!knownRule || !subject || !expires || reason === undefined || owner === undefined) continue;
    const expired = expires < options.today;
    if (expired) {
      diagnostics.push(
        diag(
          "AT3009",
          p.locs["expires"] ?? at(d.file, n),
          `acceptance of \`${n.rule.text}\` on \`${n.target.text}\` expired on ${expires}`,
          { hint: "renew it with a new date and a reason that still holds, or fix the threat" },
        ),
      );
    }
    acceptances.push({
      index: acceptances.length,
      rule: n.rule.text,
      subject,
      subjectName: n.target.text,
      reason,
      owner,
      expires,
      expired,
      loc: at(d.file, n),
      ruleLoc: at(d.file, n.rule),
      ...opt("ticket", str(p, "ticket")),
    });
  }

  // ---- whole-model checks ----------------------------------------------------------------------------
  const used = new Uint8Array(data.length);
  for (const c of components) for (const h of c.holds) used[h] = 1;
  for (const f of flows) for (const h of f.carries) used[h] = 1;
  // Only data declared in the files named on the command line: a shared catalogue that one system
  // imports holds assets other systems use, and checking that system alone must not warn about them.
  const inputFiles = new Set(files.filter((f) => f.isInput).map((f) => f.source.id));
  for (const dta of data) {
    if (!used[dta.index] && inputFiles.has(dta.loc.file.id)) {
      diagnostics.push(
        diag(
          "AT3007",
          dta.nameLoc,
          `data asset \`${dta.name}\` is held by no component and carried by no flow`,
          { hint: "add it to a component's `holds` or a flow's `carries`, or remove it" },
        ),
      );
    }
  }

  return {
    value: {
      files: files.map((f: LoadedFile) => f.source),
      systems,
      zones,
      components,
      data,
      flows,
      controls,
      acceptances,
      crownJewels,
      ruleDecls,
      policyDecls,
      today: options.today,
    },
    diagnostics,
  };
}
