import { BUILTIN_CONTROLS, DEFAULT_CONTROL_COST } from "../../src/catalog/controls.js";
import { ATLAS_MITIGATIONS, ATLAS_VERSION } from "../../src/catalog/frameworks.js";
import {
  APPROVALS,
  AUTH_METHODS,
  CAPABILITIES,
  CIA,
  CLASSIFICATIONS,
  COMMON_COMPONENT_PROPS,
  COMPONENT_KIND_NAMES,
  COMPONENT_KINDS,
  DECLARATION_PROPS,
  EXPOSURES,
  FLOW_KIND_NAMES,
  FLOW_KINDS,
  FLOW_PROPS,
  IMPLIED_CONTROLS,
  TRUST_LEVELS,
  type PropSpec,
} from "../../src/semantic/vocabulary.js";
import { COMPONENT_KIND_WORDS, KW, RESERVED_WORDS } from "../../src/syntax/tokens.js";
import { cell, code, table } from "./markdown.js";

/** Where the language reference lives, relative to the repository root. */
export const LANGUAGE_DOC = "docs/language.md";

const RESERVED = new Set(RESERVED_WORDS);

/**
 * What each statement keyword does. Component kinds are documented by the vocabulary; these words
 * have no table of their own in src/, so they are described here, and a keyword missing from this
 * table stops the generator.
 */
export const STATEMENT_KEYWORD_DOCS: Readonly<Record<keyof typeof KW, string>> = {
  system: "Describes the system a file models: title, owner, version. At most one per file.",
  import: 'Loads another model file, relative to this one: `import "./shared/zones.aithreat"`.',
  zone: "Declares a trust zone; components inside it inherit its trust level. Zones nest.",
  data: "Declares a data asset that components hold and flows carry.",
  asset: "Marks an existing component or data asset as a crown jewel: `asset kb crown integrity`.",
  flow: "Declares a flow between two components: `flow a -> b { kind prompt }`.",
  control: "Declares a control of your own, beside the built-in ones.",
  accept:
    "Accepts the risk of one threat rule on one component, data asset or named flow, with a reason, an owner and an expiry.",
  rule: "Declares an organisation rule: which components it matches and which controls satisfy it. See [Organisation rules](#organisation-rules).",
  policy:
    "Declares thresholds on the model's metrics that `check` and `compile` hold it to. See [policy.md](policy.md).",
  in: "Places a declaration in a zone: `actor customer in internet`.",
  on: "Names what an `accept` covers: `accept AT-33 on copilot`.",
};

/** A value as it must be written: reserved words are quoted, since bare they start a declaration. */
function valueText(v: string): string {
  return RESERVED.has(v) ? code(`"${v}"`) : code(v);
}

function values(vs: readonly string[]): string {
  return vs.map(valueText).join(", ");
}

/** The type column: what a property accepts, with every allowed value. */
export function typeText(spec: PropSpec): string {
  switch (spec.type) {
    case "string":
      return "string";
    case "number": {
      const bounds = [
        spec.min === undefined ? "" : `at least ${spec.min}`,
        spec.max === undefined ? "" : `at most ${spec.max}`,
      ].filter(Boolean);
      return bounds.length > 0 ? `number, ${bounds.join(" and ")}` : "number";
    }
    case "boolean":
      return "`true` or `false`";
    case "date":
      return "date `YYYY-MM-DD`";
    case "enum":
      return `one of ${values(spec.values)}`;
    case "enum-list":
      return `list of ${values(spec.values)}`;
    case "string-list":
      return "list of strings or names";
    case "ref-list":
      return spec.target === "data" ? "list of `data` names" : "list of control names (built-in or declared)";
  }
}

function propertyTable(props: Readonly<Record<string, PropSpec>>): string {
  return table(
    ["property", "type and values", "meaning"],
    Object.entries(props).map(([name, spec]) => [code(name), cell(typeText(spec)), cell(spec.doc)]),
  );
}

function kindList(kinds: readonly string[]): string {
  const all = [...COMPONENT_KIND_NAMES].sort().join(",");
  if ([...kinds].sort().join(",") === all) return "any component kind";
  return kinds.map((k) => code(k)).join(", ");
}

function keywordsSection(): string {
  const rows = [
    ...Object.keys(KW).map((w) => [
      code(w),
      w === "in" || w === "on" ? "clause" : "statement",
      cell(STATEMENT_KEYWORD_DOCS[w as keyof typeof KW]),
    ]),
    ...COMPONENT_KIND_WORDS.map((w) => [
      code(w),
      "component kind",
      cell(`${COMPONENT_KINDS[w].doc} See [\`${w}\`](#${w}).`),
    ]),
  ];
  return [
    `${RESERVED_WORDS.length} reserved words. None of them can be a name; as a property value, write one in quotes (\`"model"\`) or inside a list (\`[model]\`).`,
    "",
    table(["word", "kind", "what it does"], rows),
  ].join("\n");
}

function valueSetsSection(): string {
  const ordered = (xs: readonly string[]) => xs.map((x) => code(x)).join(" < ");
  return table(
    ["value set", "values"],
    [
      ["trust levels, least to most trusted", ordered(TRUST_LEVELS)],
      ["data classifications, least to most sensitive", ordered(CLASSIFICATIONS)],
      ["crown-jewel properties", values(CIA)],
      ["authentication methods (`auth`)", values(AUTH_METHODS)],
      ["exposures (`exposure`)", values(EXPOSURES)],
      ["approvals (`approval`)", values(APPROVALS)],
      ["tool capabilities (`capabilities`)", values(CAPABILITIES)],
    ],
  );
}

function componentKindsSection(): string {
  return COMPONENT_KIND_NAMES.map((k) => {
    const spec = COMPONENT_KINDS[k];
    const own = spec.props as Readonly<Record<string, PropSpec>>;
    return [
      `### \`${k}\``,
      "",
      spec.doc,
      "",
      Object.keys(own).length > 0
        ? propertyTable(own)
        : "No properties of its own beyond the [common ones](#properties-of-every-component).",
      "",
      `Flows out: ${flowKindsTouching(k, "from")}. Flows in: ${flowKindsTouching(k, "to")}.`,
      ...impliedBy(k),
    ].join("\n");
  }).join("\n\n");
}

/** `mode block` with `position` input or both and `checks` including prompt_injection or jailbreak. */
function impliedCondition(i: (typeof IMPLIED_CONTROLS)[number]): string {
  const props: Record<string, { type: string }> = i.on === "flow" ? FLOW_PROPS : COMPONENT_KINDS[i.on].props;
  const also = (i.also ?? []).map((a) => {
    const values =
      a.anyOf.length === 1 ? a.anyOf[0] : `${a.anyOf.slice(0, -1).join(", ")} or ${a.anyOf.at(-1)}`;
    return `${code(a.prop)} ${props[a.prop]?.type === "enum-list" ? "including " : ""}${values}`;
  });
  const head = code(`${i.prop} ${String(i.value)}`);
  return also.length > 0 ? `${head} with ${also.join(" and ")}` : head;
}

function impliedText(i: (typeof IMPLIED_CONTROLS)[number]): string {
  return `${impliedCondition(i)} counts as ${code(i.control)}`;
}

function impliedBy(on: string): string[] {
  const rows = IMPLIED_CONTROLS.filter((i) => i.on === on);
  return rows.length > 0 ? ["", `Implied controls: ${rows.map(impliedText).join("; ")}.`] : [];
}

function impliedControlsSection(): string {
  return table(
    ["on", "property", "counts as the control"],
    IMPLIED_CONTROLS.map((i) => [
      i.on === "flow" ? "a flow" : code(i.on),
      impliedCondition(i),
      `[${code(i.control)}](#built-in-controls)`,
    ]),
  );
}

function flowKindsTouching(kind: string, side: "from" | "to"): string {
  const ks = FLOW_KIND_NAMES.filter((f) => (FLOW_KINDS[f][side] as readonly string[]).includes(kind));
  return ks.length > 0 ? ks.map((f) => code(f)).join(", ") : "none";
}

function flowKindsSection(): string {
  return table(
    ["kind", "meaning", "from (source kinds)", "to (target kinds)"],
    FLOW_KIND_NAMES.map((k) => {
      const f = FLOW_KINDS[k];
      return [code(k), cell(f.doc), kindList(f.from), kindList(f.to)];
    }),
  );
}

function declarationPropertiesSection(): string {
  const intro: Record<keyof typeof DECLARATION_PROPS, string> = {
    system: "`system`",
    zone: "`zone`",
    data: "`data`",
    control: "`control`",
    accept: "`accept`",
    asset: "`asset` (the value after `crown`, or in its block)",
  };
  return (Object.keys(DECLARATION_PROPS) as (keyof typeof DECLARATION_PROPS)[])
    .map((d) => [`### Properties of ${intro[d]}`, "", propertyTable(DECLARATION_PROPS[d])].join("\n"))
    .join("\n\n");
}

function builtinControlsSection(): string {
  const rows = [...BUILTIN_CONTROLS]
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    .map((c) => [
      code(c.id),
      cell(`**${c.title}.** ${c.description}`),
      c.atlas.length > 0
        ? c.atlas
            .map((id) => {
              const name = ATLAS_MITIGATIONS.get(id);
              if (!name) throw new Error(`control ${c.id} cites ${id}, which data/atlas.json does not list`);
              return `${code(id)} ${cell(name)}`;
            })
            .join("<br>")
        : "none",
      c.effect === "cut" ? "cuts the step" : "lowers its likelihood",
      String(c.cost),
    ]);
  return [
    `${BUILTIN_CONTROLS.length} built-in controls; mitigation ids from MITRE ATLAS ${ATLAS_VERSION}. A \`control\` declaration without \`cost\` costs ${DEFAULT_CONTROL_COST}.`,
    "",
    table(["control", "what it does", "ATLAS mitigations", "effect on an attack step", "cost"], rows),
  ].join("\n");
}

/** Every generated section of docs/language.md, by marker name. */
export function languageSections(): Record<string, string> {
  for (const w of Object.keys(KW))
    if (!STATEMENT_KEYWORD_DOCS[w as keyof typeof KW]) throw new Error(`keyword \`${w}\` has no description`);
  return {
    keywords: keywordsSection(),
    "value-sets": valueSetsSection(),
    "common-properties": propertyTable(COMMON_COMPONENT_PROPS),
    "component-kinds": componentKindsSection(),
    "flow-kinds": flowKindsSection(),
    "flow-properties": propertyTable(FLOW_PROPS),
    "declaration-properties": declarationPropertiesSection(),
    "builtin-controls": builtinControlsSection(),
    "implied-controls": impliedControlsSection(),
  };
}
