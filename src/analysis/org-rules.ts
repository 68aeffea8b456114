import type { BlockNode, DeclarationNode, NameNode, PropertyNode, ValueNode } from "../ast/nodes.js";
import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import {
  ATLAS_MITIGATIONS,
  ATLAS_TECHNIQUES,
  COSAI_RISKS,
  NIST_IDS,
  OWASP_IDS,
} from "../catalog/frameworks.js";
import { RULE_IDS } from "../catalog/index.js";
import { at, diag, type Diagnostic, type Location, type StageResult } from "../diagnostics/diagnostic.js";
import { componentsOf } from "../graph/threat-graph.js";
import type { Program } from "../semantic/imports.js";
import type { Component, ResolvedModel } from "../semantic/model.js";
import { readProperties, valueText, type Converted } from "../semantic/properties.js";
import { didYouMean } from "../semantic/suggest.js";
import { importHint } from "../semantic/symbols.js";
import { idSkeleton, lookalikes } from "../semantic/lookalike.js";
import {
  CLASSIFICATIONS,
  COMMON_COMPONENT_PROPS,
  COMPONENT_KIND_NAMES,
  COMPONENT_KINDS,
  classificationRank,
  type Classification,
  type ComponentKind,
  type PropSpec,
} from "../semantic/vocabulary.js";
import type { SourceFile } from "../source.js";
import { sensitivityChain, taintChain, firstTaintClass } from "./explain.js";
import { ENTRY_BIT, ENTRY_CLASSES, type EntryClass, type Fact } from "./facts.js";
import { SEVERITIES, type Severity } from "./findings.js";
import {
  componentSubject,
  LEVELS,
  STRIDE,
  type Level,
  type Rule,
  type RuleMeta,
  type Stride,
} from "./rule.js";

/**
 * Organisation rules: `rule ORG-001 "Title" { match [agent] { autonomy loop } ... }` declarations in
 * `.aithreat` files, compiled into ordinary `Rule`s that run beside the built-in catalog. The body is
 * data in the model's own typed vocabulary (kinds, properties and values of src/semantic/vocabulary.ts,
 * entry classes of the propagation facts), checked here with located diagnostics; a valid declaration
 * becomes a typed `check` closure over that data. Nothing is evaluated as code.
 */

/** The properties a `rule` body takes besides `match`, with their types; docs/language.md lists them. */
export const ORG_RULE_PROPS = {
  description: {
    type: "string",
    doc: "What the threat is, in a sentence or two; reports and `aithreat explain` show it. Default: the title.",
  },
  reachable_from: {
    type: "enum-list",
    values: ENTRY_CLASSES,
    doc: "Fire only on components that content from one of these entry classes reaches, over any chain of flows (the component itself counts).",
  },
  sees_at_least: {
    type: "enum",
    values: CLASSIFICATIONS,
    doc: "Fire only on components that hold or receive data of at least this classification.",
  },
  requires: {
    type: "ref-list",
    target: "control",
    doc: "Controls (built-in or declared) any one of which, declared on the matched component, mitigates the finding.",
  },
  severity: {
    type: "enum",
    values: SEVERITIES,
    doc: "Severity of the findings (default `medium`); or give `likelihood` and `impact` instead.",
  },
  likelihood: { type: "enum", values: LEVELS, doc: "Likelihood, with `impact`, instead of `severity`." },
  impact: { type: "enum", values: LEVELS, doc: "Impact, with `likelihood`, instead of `severity`." },
  stride: { type: "enum-list", values: STRIDE, doc: "STRIDE categories of the threat." },
  atlas: {
    type: "string-list",
    doc: "MITRE ATLAS technique ids, checked against the shipped data: `[AML.T0051.001]`.",
  },
  owasp: {
    type: "string-list",
    doc: 'OWASP ids with their year, quoted because of the colon: `["LLM01:2025", "ASI02:2026"]`.',
  },
  nist: { type: "string-list", doc: "NIST AI 100-2 E2025 ids: `[NISTAML.015]`." },
  cosai: { type: "string-list", doc: "CoSAI Risk Map risk ids: `[riskPromptInjection]`." },
  remediation: {
    type: "string",
    doc: "What to do beyond the required controls (a runbook, a service to register with).",
  },
  false_positives: { type: "string", doc: "When the rule fires but the threat is not real." },
  references: { type: "string-list", doc: "Links to the policy or standard behind the rule." },
} as const satisfies Record<string, PropSpec>;

/** Properties that shape findings, and so make no sense without a `match`. */
const FINDING_PROPS = [
  "reachable_from",
  "sees_at_least",
  "requires",
  "severity",
  "likelihood",
  "impact",
] as const;

/** What `match [kinds] { property value ... }` means, for the docs and `--help`. */
export const MATCH_DOC =
  "Required. The component kinds the rule looks at, as a list (`[agent]`, `[tool, mcp_server]`), and optionally a block of property constraints: each lists the values it accepts (`autonomy [loop, autonomous]`), and a component matches when every constraint holds. A list property (`capabilities`, `tags`, `crown`) matches when it shares a value with the constraint; a property the component does not state never matches.";

/** Severity -> the likelihood and impact that give it (see `severityOf`). */
const SEVERITY_LEVELS: Readonly<Record<Severity, readonly [Level, Level]>> = {
  info: ["low", "low"],
  low: ["low", "medium"],
  medium: ["medium", "medium"],
  high: ["high", "high"],
  critical: ["very_high", "high"],
};

/** One compiled constraint of a `match` block. */
export interface MatchConstraint {
  readonly prop: string;
  /** Accepted values (booleans as `true`/`false`; data assets by name). */
  readonly values: readonly string[];
  /** Whether the property holds a list (`capabilities`, `tags`): it matches on any shared value. */
  readonly list: boolean;
  readonly loc: Location;
}

/** A compiled organisation rule: a `Rule` plus where it was declared and what it matches. */
export interface OrgRule extends Rule {
  readonly origin: {
    readonly loc: Location;
    readonly nameLoc: Location;
    readonly kinds: readonly ComponentKind[];
    readonly constraints: readonly MatchConstraint[];
    readonly reachableFrom: readonly EntryClass[];
    readonly seesAtLeast?: Classification;
    readonly remediation?: string;
  };
}

/** Whether a rule was declared in a model rather than built in. */
export function isOrgRule(rule: Rule): rule is OrgRule {
  return "origin" in rule;
}

const ID_RESERVED = /^(?:AT|AS)-\d+$/i;
const code = (s: string) => `\`${s}\``;
const orList = (xs: readonly string[]) =>
  xs.length <= 1 ? xs.map(code).join("") : `${xs.slice(0, -1).map(code).join(", ")} or ${code(xs.at(-1)!)}`;
const article = (w: string) => (/^[aeiou]/i.test(w) ? "an" : "a");

/** Specs every component kind accepts, by kind, for constraint checks. */
function propsOf(kind: ComponentKind): Readonly<Record<string, PropSpec>> {
  return { ...COMMON_COMPONENT_PROPS, ...(COMPONENT_KINDS[kind].props as Record<string, PropSpec>) };
}

/**
 * The spec a constraint on `key` accepts for these kinds: single values become "any of" lists, and
 * enum values are the union over the kinds that have the property (each value must fit one of them).
 */
function constraintSpec(key: string, kinds: readonly ComponentKind[]): PropSpec | undefined {
  const specs = kinds.map((k) => propsOf(k)[key]).filter((s): s is PropSpec => s !== undefined);
  const first = specs[0];
  if (!first) return undefined;
  switch (first.type) {
    case "enum":
    case "enum-list": {
      const values = [...new Set(specs.flatMap((s) => ("values" in s ? s.values : [])))];
      return { type: "enum-list", values, doc: first.doc };
    }
    case "string":
    case "string-list":
      return { type: "string-list", doc: first.doc };
    case "boolean":
      return first;
    case "ref-list":
      return first.target === "data" ? first : undefined;
    case "number":
    case "date":
      return undefined;
  }
}

/** A component's value for a constraint property, as strings (undefined when not stated). */
function valueOf(model: ResolvedModel, c: Component, prop: string): readonly string[] | undefined {
  switch (prop) {
    case "trust":
      return [c.trust];
    case "crown":
      return c.crown.length > 0 ? c.crown : undefined;
    case "tags":
      return c.tags.length > 0 ? c.tags : undefined;
    case "holds":
      return c.holds.length > 0 ? c.holds.map((d) => model.data[d]!.name) : undefined;
    case "stateless":
      return c.stateless === undefined ? undefined : [String(c.stateless)];
    case "description":
      return c.description === undefined ? undefined : [c.description];
    case "owner":
      return c.owner === undefined ? undefined : [c.owner];
  }
  const v = (c.props as Readonly<Record<string, unknown>>)[prop];
  if (v === undefined) return undefined;
  if (Array.isArray(v)) return v.length > 0 ? v.map(valueText) : undefined;
  return [valueText(v)];
}

/** Where a component's value for a property is written (trust may come from the zone). */
function valueLoc(model: ResolvedModel, c: Component, prop: string): Location {
  const own = c.propLocs[prop];
  if (own) return own;
  if (prop === "trust" && c.zone !== undefined) {
    const z = model.zones[c.zone]!;
    return z.propLocs["trust"] ?? z.nameLoc;
  }
  return c.nameLoc;
}

/** Whether `from` may use a declaration in `target`: itself, or a file it imports, transitively. */
function visible(program: Program | undefined, from: SourceFile, target: SourceFile): boolean {
  if (!program || from.id === target.id) return true;
  const seen = new Set<number>([from.id]);
  const queue = [from.id];
  while (queue.length > 0) {
    const f = queue.shift()!;
    for (const imp of program.files[f]?.imports ?? []) {
      if (imp.target === undefined || seen.has(imp.target)) continue;
      if (imp.target === target.id) return true;
      seen.add(imp.target);
      queue.push(imp.target);
    }
  }
  return false;
}

/** Items of a list value, or the value itself. */
const itemsOf = (v: ValueNode | undefined): readonly ValueNode[] =>
  v === undefined ? [] : v.kind === "list" ? v.items : [v];
const textOf = (v: ValueNode): string | undefined =>
  v.kind === "name" ? v.text : v.kind === "string" ? v.value : undefined;

/** Options of `compileOrgRules`. */
export interface OrgRuleOptions {
  /** The loaded program, so references to controls and data obey imports as elsewhere (AT2005). */
  readonly program?: Program;
}

/**
 * Checks every `rule` declaration of the model and compiles the valid ones. Every problem is a located
 * diagnostic; a declaration with an error produces no rule (the front end stops the compile anyway).
 */
export function compileOrgRules(model: ResolvedModel, options: OrgRuleOptions = {}): StageResult<OrgRule[]> {
  const diagnostics: Diagnostic[] = [];
  const rules: OrgRule[] = [];
  for (const decl of model.ruleDecls) {
    const before = diagnostics.filter((d) => d.severity === "error").length;
    const rule = compileOne(model, decl.node, decl.file, options.program, diagnostics);
    if (rule && diagnostics.filter((d) => d.severity === "error").length === before) rules.push(rule);
  }
  return { value: rules, diagnostics };
}

function compileOne(
  model: ResolvedModel,
  node: DeclarationNode,
  file: SourceFile,
  program: Program | undefined,
  diagnostics: Diagnostic[],
): OrgRule | undefined {
  const report = (d: Diagnostic): void => {
    diagnostics.push(d);
  };
  const name = node.name;
  if (!name) {
    report(
      diag("AT3015", at(file, node.keywordSpan), "`rule` needs a name", {
        hint: 'e.g. `rule ORG-001 "Agents need an approval step" { match [agent] }`',
      }),
    );
    return undefined;
  }
  const id = name.text;
  // As the id reads: fullwidth `ＡＴ-２５` or `АТ-25` in Cyrillic is the reserved `AT-25`, whose findings
  // it would otherwise pass off as the built-in rule's in every report.
  const read = idSkeleton(id);
  if (ID_RESERVED.test(read) || RULE_IDS.has(read)) {
    const alike =
      read === id
        ? ""
        : ` (it reads as \`${read}\`: ${lookalikes(id, read)?.slice(1, -1) ?? "other code points"})`;
    report(
      diag("AT3022", at(file, name), `rule id \`${id}\` is reserved for the built-in catalog${alike}`, {
        hint: "give organisation rules their own prefix, e.g. `ORG-001` or `ACME-PII-1`",
      }),
    );
  }
  if (node.parent)
    report(
      diag("AT3001", at(file, node.parent), "a `rule` is not placed in a zone; it applies to the model"),
    );
  if (!node.title)
    report(
      diag("AT3015", at(file, name), `rule \`${id}\` needs a title`, {
        hint: `e.g. \`rule ${id} "Agents need an approval step" { ... }\``,
      }),
    );

  const body: BlockNode = node.body ?? { kind: "block", items: [], start: node.end, end: node.end };
  noDeclarations(file, body, "a `rule`", report);
  const matches = body.items.filter(
    (i): i is PropertyNode => i.kind === "property" && i.key.text === "match",
  );
  for (const extra of matches.slice(1))
    report(
      diag("AT3005", at(file, extra.key), "property `match` is given twice", {
        hint: "list every kind in one `match`, or write a second rule",
        notes: [{ message: "first given here", location: at(file, matches[0]!.key) }],
      }),
    );
  const match = matches[0];

  // Everything but `match` is plain properties, checked like any declaration's.
  const rest: BlockNode = { ...body, items: body.items.filter((i) => !matches.includes(i as PropertyNode)) };
  const p = readProperties(file, rest, ORG_RULE_PROPS, "`rule`", diagnostics);
  // Without `match` a rule is tracked by hand; properties that shape findings then mean a forgotten `match`.
  const shaping = FINDING_PROPS.filter((k) => p.nodes.has(k));
  if (!match && shaping.length > 0)
    report(
      diag("AT3015", at(file, name), `rule \`${id}\` gives \`${shaping[0]!}\` but no \`match\``, {
        hint: "say which components it looks at, e.g. `match [agent] { autonomy [loop, autonomous] }`",
      }),
    );
  const strings = (key: string): readonly string[] => {
    const v = p.values.get(key);
    return Array.isArray(v) ? (v as unknown[]).filter((x): x is string => typeof x === "string") : [];
  };
  const str = (key: string): string | undefined => {
    const v = p.values.get(key);
    return typeof v === "string" ? v : undefined;
  };

  const kinds = match ? matchKinds(file, match, report) : undefined;
  // Constraints are typed by the kinds, so they are checked only once every kind is known.
  const constraints = match && kinds ? matchConstraints(model, file, match, kinds, program, report) : [];

  // External ids are checked against the shipped data, with the same code as elsewhere (AT2021).
  const ids = (key: string, check: IdCheck) => checkIds(file, p.nodes.get(key), check, report);
  ids("atlas", {
    what: "an ATLAS technique id",
    known: ATLAS_TECHNIQUES,
    specific: (x) =>
      ATLAS_MITIGATIONS.has(x)
        ? `\`${x}\` is an ATLAS mitigation; rules cite techniques (\`AML.Tnnnn\`), controls cite mitigations`
        : undefined,
    form: "technique ids look like `AML.T0051` or `AML.T0051.001`",
  });
  ids("owasp", {
    what: "an OWASP id",
    known: OWASP_IDS,
    specific: (x) => {
      const withYear = [...OWASP_IDS.keys()].filter((k) => k.startsWith(`${x}:`));
      return withYear.length > 0 ? `write it with its year: ${orList(withYear)}` : undefined;
    },
    form: 'write OWASP ids with their year, quoted: `"LLM01:2025"`, `"ML02:2023"`, `"ASI01:2026"`',
  });
  ids("nist", {
    what: "a NIST AI 100-2 id",
    known: NIST_IDS,
    form: "ids of NIST AI 100-2 look like `NISTAML.015`",
  });
  ids("cosai", {
    what: "a CoSAI risk id",
    known: COSAI_RISKS,
    form: "risk ids of the CoSAI Risk Map look like `riskPromptInjection`",
  });

  // Required controls: built-in, or declared in a file this one can see.
  const requires: string[] = [];
  const userControls = new Map(model.controls.map((c) => [c.name, c]));
  for (const ref of (p.values.get("requires") as readonly NameNode[] | undefined) ?? []) {
    const user = userControls.get(ref.text);
    if (!user && !BUILTIN_CONTROL_BY_ID.has(ref.text)) {
      report(
        diag("AT2001", at(file, ref), `unknown control \`${ref.text}\``, {
          hint: didYouMean(ref.text, [...BUILTIN_CONTROL_BY_ID.keys(), ...userControls.keys()], {
            partial: true,
          }),
        }),
      );
      continue;
    }
    if (user && !visible(program, file, user.loc.file)) notImported(file, ref, user.loc, report);
    if (!requires.includes(ref.text)) requires.push(ref.text);
  }

  // Severity, or likelihood and impact; never both, never half.
  const severity = str("severity") as Severity | undefined;
  const likelihood = str("likelihood") as Level | undefined;
  const impact = str("impact") as Level | undefined;
  if (p.nodes.has("severity") && (p.nodes.has("likelihood") || p.nodes.has("impact"))) {
    const other = p.nodes.get("likelihood") ?? p.nodes.get("impact")!;
    report(
      diag(
        "AT3021",
        at(file, other.key),
        `rule \`${id}\` gives both \`severity\` and \`${other.key.text}\``,
        {
          hint: "give `severity` alone, or `likelihood` and `impact` together",
          notes: [{ message: "severity given here", location: at(file, p.nodes.get("severity")!.key) }],
        },
      ),
    );
  } else if (p.nodes.has("likelihood") !== p.nodes.has("impact")) {
    const given = p.nodes.get("likelihood") ?? p.nodes.get("impact")!;
    const missing = given.key.text === "likelihood" ? "impact" : "likelihood";
    report(
      diag(
        "AT3015",
        at(file, given.key),
        `rule \`${id}\` gives \`${given.key.text}\` without \`${missing}\``,
        {
          hint: `add \`${missing}\`, or give \`severity\` instead`,
        },
      ),
    );
  }
  if (match && !kinds) return undefined;

  const [defaultLikelihood, defaultImpact] = SEVERITY_LEVELS[severity ?? "medium"];
  const levels = {
    likelihood: likelihood ?? defaultLikelihood,
    impact: impact ?? defaultImpact,
  };
  const basis =
    severity !== undefined
      ? `organisation rule \`${id}\` sets \`severity ${severity}\``
      : likelihood !== undefined
        ? `set by organisation rule \`${id}\``
        : `organisation rule \`${id}\` sets no severity, so \`medium\``;
  const reach = p.nodes.get("reachable_from");
  const noEntry = reach && emptyList(file, reach, `reachable_from [${ENTRY_CLASSES.slice(0, 2).join(", ")}]`);
  if (noEntry) report(noEntry);
  const reachableFrom = strings("reachable_from") as EntryClass[];
  const seesAtLeast = str("sees_at_least") as Classification | undefined;
  const title = node.title?.value ?? id;
  const remediation = str("remediation");
  const meta: RuleMeta = {
    id,
    title,
    description: str("description") ?? title,
    category: "threat",
    stride: strings("stride") as Stride[],
    atlas: strings("atlas"),
    owasp: strings("owasp"),
    nist: strings("nist"),
    cosai: strings("cosai"),
    likelihood: levels.likelihood,
    likelihoodBasis: basis,
    impact: levels.impact,
    impactBasis: basis,
    mitigations: requires,
    detection: kinds
      ? detectionText(kinds, constraints, reachableFrom, seesAtLeast, requires)
      : "Nothing: the rule has no `match`, so it is tracked by hand and raises no finding itself. Its id can be accepted and named in a control's `mitigates`.",
    falsePositives: str("false_positives") ?? "",
    references: strings("references"),
    appliesTo: kinds ?? [],
  };
  const ruleLoc = at(file, node);
  const origin: OrgRule["origin"] = {
    loc: ruleLoc,
    nameLoc: at(file, name),
    kinds: kinds ?? [],
    constraints,
    reachableFrom,
    ...(seesAtLeast !== undefined ? { seesAtLeast } : {}),
    ...(remediation !== undefined ? { remediation } : {}),
  };
  return { meta, origin, check: match ? makeCheck(meta, origin, at(file, match.key)) : () => {} };
}

function noDeclarations(file: SourceFile, body: BlockNode, owner: string, report: (d: Diagnostic) => void) {
  for (const item of body.items) {
    if (item.kind === "property") continue;
    const word = item.kind === "declaration" ? item.keyword : item.kind;
    const isKind = (COMPONENT_KIND_NAMES as readonly string[]).includes(word);
    report(
      diag(
        "AT3001",
        at(file, item.kind === "declaration" ? item.keywordSpan : item),
        `\`${word}\` cannot appear inside ${owner}`,
        {
          hint: isKind
            ? `to match components of this kind, write the kind in a list: \`match [${word}] { ... }\``
            : "move it to the top level of the file",
        },
      ),
    );
  }
}

/**
 * AT3015 for a line that lists nothing (`autonomy []`, `reachable_from []`): dropped as no condition,
 * it widened the rule to every component of its kinds, the opposite of a line that accepts nothing.
 */
function emptyList(file: SourceFile, prop: PropertyNode, example: string): Diagnostic | undefined {
  if (prop.value?.kind !== "list" || prop.value.items.length > 0) return undefined;
  return diag("AT3015", at(file, prop.key), `\`${prop.key.text} []\` lists no value to match`, {
    hint: `list the values it accepts, e.g. \`${example}\`, or leave the line out`,
  });
}

function notImported(file: SourceFile, ref: NameNode, declared: Location, report: (d: Diagnostic) => void) {
  report(
    diag(
      "AT2005",
      at(file, ref),
      `\`${ref.text}\` is declared in \`${declared.file.path}\`, which this file does not import`,
      {
        hint: importHint(file, declared.file),
        notes: [{ message: "declared here", location: declared }],
      },
    ),
  );
}

/**
 * The kinds of `match [...]`, each a known component kind (AT3020 with a suggestion otherwise);
 * undefined when the list is missing, empty or names something else.
 */
function matchKinds(
  file: SourceFile,
  match: PropertyNode,
  report: (d: Diagnostic) => void,
): ComponentKind[] | undefined {
  if (!match.value) return undefined; // AT1023 was reported by the parser
  const kinds: ComponentKind[] = [];
  let broken = false;
  const items = itemsOf(match.value);
  if (items.length === 0) {
    report(
      diag("AT3015", at(file, match.value), "`match` needs at least one component kind", {
        hint: "e.g. `match [agent]` or `match [tool, mcp_server]`",
      }),
    );
    return undefined;
  }
  for (const item of items) {
    const text = textOf(item);
    if (text === undefined) {
      report(
        diag("AT3003", at(file, item), `\`match\` expects a list of component kinds, not a ${item.kind}`),
      );
      broken = true;
    } else if (!(COMPONENT_KIND_NAMES as readonly string[]).includes(text)) {
      report(
        diag("AT3020", at(file, item), `\`${text}\` is not a component kind`, {
          hint:
            didYouMean(text, COMPONENT_KIND_NAMES, { partial: true }) ??
            `component kinds are ${COMPONENT_KIND_NAMES.map(code).join(", ")}`,
        }),
      );
      broken = true;
    } else if (!kinds.includes(text as ComponentKind)) kinds.push(text as ComponentKind);
  }
  return broken ? undefined : kinds;
}

/** The constraints of a `match` block, typed by the matched kinds' vocabulary. */
function matchConstraints(
  model: ResolvedModel,
  file: SourceFile,
  match: PropertyNode,
  kinds: readonly ComponentKind[],
  program: Program | undefined,
  report: (d: Diagnostic) => void,
): MatchConstraint[] {
  const body = match.body;
  if (!body) return [];
  const context = `\`match [${kinds.join(", ")}]\``;
  noDeclarations(file, body, context, report);
  const specs: Record<string, PropSpec> = {};
  const known = new Set(kinds.flatMap((k) => Object.keys(propsOf(k))));
  for (const key of known) {
    const s = constraintSpec(key, kinds);
    if (s) specs[key] = s;
  }
  // `controls` is what a rule requires, not what it matches: say so instead of "unknown property".
  const kept = body.items.filter((item) => {
    if (item.kind !== "property" || item.key.text !== "controls") return true;
    report(
      diag("AT3002", at(file, item.key), `\`controls\` cannot be matched in ${context}`, {
        hint: "name the controls the rule asks for in `requires [...]`; a declared one mitigates the finding",
      }),
    );
    return false;
  });
  const local: Diagnostic[] = [];
  const p = readProperties(file, { ...body, items: kept }, specs, context, local);
  local.forEach(report);
  const out: MatchConstraint[] = [];
  for (const [key, prop] of p.nodes) {
    const lacking = kinds.filter((k) => !(key in propsOf(k)));
    if (lacking.length > 0) {
      const having = kinds.filter((k) => key in propsOf(k));
      report(
        diag("AT3002", at(file, prop.key), `\`${key}\` is not a property of ${orList(lacking)}`, {
          hint: `\`${key}\` belongs to ${orList(having)}; match the other kinds in a rule of their own`,
        }),
      );
      continue;
    }
    const spec = specs[key];
    const listed = spec && "values" in spec ? spec.values.slice(-2).join(", ") : "...";
    const empty = emptyList(file, prop, `${key} [${listed}]`);
    if (empty) {
      report(empty);
      continue;
    }
    const v: Converted | undefined = p.values.get(key);
    if (v === undefined) continue;
    let values: string[];
    if (typeof v === "boolean") values = [String(v)];
    else if (Array.isArray(v)) {
      values = [];
      for (const x of v as readonly (string | NameNode)[]) {
        if (typeof x === "string") values.push(x);
        else {
          // `holds [asset]`: a data asset this file can see.
          const asset = model.data.find((d) => d.name === x.text);
          if (!asset) {
            report(
              diag("AT2001", at(file, x), `unknown data asset \`${x.text}\``, {
                hint: didYouMean(
                  x.text,
                  model.data.map((d) => d.name),
                ),
              }),
            );
            continue;
          }
          if (!visible(program, file, asset.loc.file)) notImported(file, x, asset.nameLoc, report);
          values.push(x.text);
        }
      }
    } else values = [valueText(v)];
    if (values.length === 0) continue;
    const list = kinds.some((k) => {
      const t = propsOf(k)[key]?.type;
      return t === "enum-list" || t === "string-list" || t === "ref-list";
    });
    out.push({ prop: key, values, list, loc: at(file, prop) });
  }
  return out;
}

/** How one list of external ids is checked. */
interface IdCheck {
  readonly what: string;
  readonly known: ReadonlyMap<string, unknown>;
  /** A hint for a mistake worth naming (a mitigation id among techniques, a missing year). */
  readonly specific?: (id: string) => string | undefined;
  /** The hint when nothing is close: what the ids look like. */
  readonly form: string;
}

function checkIds(
  file: SourceFile,
  prop: PropertyNode | undefined,
  check: IdCheck,
  report: (d: Diagnostic) => void,
): void {
  for (const item of itemsOf(prop?.value)) {
    const text = textOf(item) ?? (item.kind === "number" || item.kind === "date" ? item.text : undefined);
    if (text === undefined || check.known.has(text)) continue;
    report(
      diag("AT2021", at(file, item), `\`${text}\` is not ${check.what}`, {
        hint: check.specific?.(text) ?? didYouMean(text, check.known.keys()) ?? check.form,
      }),
    );
  }
}

/** "What the rule looks for", in words, from its compiled parts. */
function detectionText(
  kinds: readonly ComponentKind[],
  constraints: readonly MatchConstraint[],
  reach: readonly EntryClass[],
  sees: Classification | undefined,
  requires: readonly string[],
): string {
  const parts = [`Components of kind ${orList(kinds)}`];
  if (constraints.length > 0)
    parts.push(
      ` where ${constraints
        .map((k) => `\`${k.prop}\` ${k.list ? "includes" : "is"} ${orList(k.values)}`)
        .join(" and ")}`,
    );
  if (reach.length > 0)
    parts.push(`, reached over any chain of flows by content from ${orList(reach)} entries`);
  if (sees !== undefined) parts.push(`, that hold or receive data classified \`${sees}\` or higher`);
  parts.push(". ");
  parts.push(
    requires.length > 0
      ? `${requires.length === 1 ? "A declared" : "Any one of"} ${orList(requires)} on the component mitigates the finding.`
      : "No control is named, so only an acceptance closes a finding.",
  );
  parts.push(" A property the component does not state never matches.");
  return parts.join("");
}

/** The check of a compiled rule: typed data, read by a closure (no strings evaluated). */
function makeCheck(meta: RuleMeta, origin: OrgRule["origin"], matchLoc: Location): Rule["check"] {
  const mask = origin.reachableFrom.reduce((m, c) => m | ENTRY_BIT[c], 0);
  const minRank = origin.seesAtLeast === undefined ? undefined : classificationRank(origin.seesAtLeast);
  const ruleFact: Fact = { text: `organisation rule \`${meta.id}\` asks for this here`, loc: matchLoc };
  return ({ graph, facts, report }) => {
    const model = graph.model;
    for (const kind of origin.kinds) {
      for (const c of componentsOf(graph, kind)) {
        const matched: Fact[] = [];
        let ok = true;
        for (const k of origin.constraints) {
          const actual = valueOf(model, c, k.prop);
          const hits = actual?.filter((v) => k.values.includes(v)) ?? [];
          if (hits.length === 0) {
            ok = false;
            break;
          }
          const shown = hits.length === 1 ? hits[0]! : `[${hits.join(", ")}]`;
          const from = k.prop === "trust" && c.trustOrigin === "zone" ? " (from its zone)" : "";
          matched.push({
            text: `\`${c.name}\` has \`${k.prop} ${shown}\`${from}`,
            loc: valueLoc(model, c, k.prop),
          });
        }
        if (!ok) continue;
        const why: Fact[] = [
          {
            text: `\`${c.name}\` is ${article(c.kind)} \`${c.kind}\`, a kind \`${meta.id}\` looks at`,
            loc: c.nameLoc,
          },
          ...matched,
        ];
        if (mask !== 0) {
          const cls = firstTaintClass(facts, c.index, mask);
          if (!cls) continue;
          why.push(...taintChain(graph, facts, c.index, cls));
        }
        if (minRank !== undefined) {
          if (facts.sensitivity[c.index]! < minRank) continue;
          why.push(...sensitivityChain(graph, facts, c.index));
        }
        const declared = c.controls.filter((u) => meta.mitigations.includes(u.name));
        if (meta.mitigations.length > 0 && declared.length === 0)
          why.push({
            text: `\`${c.name}\` declares none of ${meta.mitigations.map(code).join(", ")}`,
            loc: c.nameLoc,
          });
        why.push(ruleFact);
        report({
          subject: componentSubject(c),
          message:
            meta.mitigations.length > 0
              ? `\`${c.name}\` matches organisation rule \`${meta.id}\`, which asks for ${orList(meta.mitigations)}`
              : `\`${c.name}\` matches organisation rule \`${meta.id}\``,
          facts: why,
        });
      }
    }
  };
}

/**
 * Each model's organisation rules, compiled once: `explain` adds them to the catalog and the analysis
 * it runs asks again (rules are pure values, so sharing them is safe).
 */
const compiledOf = new WeakMap<ResolvedModel, readonly OrgRule[]>();

/**
 * The rules to run on a model: the given ones plus the model's valid organisation rules (those whose
 * id is not already among them, so calling this twice adds nothing). Unchanged when there are none.
 */
export function withOrgRules(model: ResolvedModel, rules: readonly Rule[]): readonly Rule[] {
  if (model.ruleDecls.length === 0) return rules;
  const ids = new Set(rules.map((r) => r.meta.id));
  let compiled = compiledOf.get(model);
  if (!compiled) compiledOf.set(model, (compiled = compileOrgRules(model).value));
  const org = compiled.filter((r) => !ids.has(r.meta.id));
  return org.length === 0 ? rules : [...rules, ...org];
}

/**
 * The model with each declared control that an organisation rule `requires` also listing that rule
 * in its `mitigates`: naming a control in `requires` says the same as the control naming the rule,
 * and the engine reads the latter. The same model object when no rule names a declared control.
 */
export function withOrgRuleControls(model: ResolvedModel, rules: readonly Rule[]): ResolvedModel {
  const extra = new Map<string, string[]>();
  const declared = new Set(model.controls.map((c) => c.name));
  for (const r of rules) {
    if (!isOrgRule(r)) continue;
    for (const name of r.meta.mitigations) {
      if (!declared.has(name)) continue;
      const list = extra.get(name) ?? [];
      if (!list.includes(r.meta.id)) list.push(r.meta.id);
      extra.set(name, list);
    }
  }
  if (extra.size === 0) return model;
  return {
    ...model,
    controls: model.controls.map((c) => {
      const add = (extra.get(c.name) ?? []).filter((id) => !c.mitigates.includes(id));
      return add.length === 0 ? c : { ...c, mitigates: [...c.mitigates, ...add] };
    }),
  };
}
