import type { Argv } from "yargs";
import { severityOf } from "../../analysis/findings.js";
import { isOrgRule, withOrgRules } from "../../analysis/org-rules.js";
import type { Rule } from "../../analysis/rule.js";
import { RULES } from "../../analysis/rules/index.js";
import { BUILTIN_CONTROL_BY_ID, BUILTIN_CONTROLS } from "../../catalog/controls.js";
import {
  ATLAS_MITIGATIONS,
  ATLAS_TECHNIQUES,
  ATLAS_VERSION,
  COSAI_RISKS,
  NIST_IDS,
  OWASP,
} from "../../catalog/frameworks.js";
import { terminalText } from "../../diagnostics/format.js";
import { locationView, type LocationView } from "../../emit/location-view.js";
import type { ResolvedModel } from "../../semantic/model.js";
import type { CommandModule } from "../command.js";
import {
  loadModels,
  loadOptionsProblem,
  reportDiagnostics,
  withLoadOptions,
  type ModelOptions,
} from "../common.js";
import { EXIT, type Io } from "../io.js";
import { plural } from "../../words.js";
import { DOCS_URL } from "../../emit/tool-info.js";

/** An external id with its name. */
export interface Named {
  id: string;
  name: string;
}

/** A rule as `aithreat rules` and `aithreat explain` show it; the JSON output is this shape. */
export interface RuleView {
  id: string;
  title: string;
  category: "threat" | "assumption";
  /** Built into aithreat, or declared with `rule` in a model. */
  origin: "built-in" | "organisation";
  declaredAt?: LocationView;
  description: string;
  detection: string;
  falsePositives: string;
  remediation?: string;
  likelihood: string;
  likelihoodBasis: string;
  impact: string;
  impactBasis: string;
  /** Severity of a finding at the rule's default levels. */
  severity: string;
  stride: string[];
  appliesTo: string[];
  atlas: { version: string; techniques: Named[] };
  /** OWASP ids carry their year; `list` names the Top 10 they belong to. */
  owasp: (Named & { list: string })[];
  nist: { version: string; entries: Named[] };
  cosai: { version: string; risks: Named[] };
  /** Controls that mitigate it, each with the ATLAS mitigations it implements. */
  controls: { id: string; title: string; builtIn: boolean; atlas: Named[] }[];
  references: string[];
}

const OWASP_LISTS = [OWASP.llm2025, OWASP.ml2023, OWASP.agentic2026];
const OWASP_ENTRY = new Map(
  OWASP_LISTS.flatMap((list) =>
    list.entries.map((e) => [e.id, { name: e.name, list: `${list.framework} ${list.version}` }]),
  ),
);
const named = (ids: readonly string[], names: ReadonlyMap<string, string>): Named[] =>
  ids.map((id) => ({ id, name: names.get(id) ?? "" }));
/** A technique's name; a sub-technique's after its parent's, as ATLAS shows it ("AI Supply Chain Compromise: Data"). */
export function atlasName(id: string): string {
  const t = ATLAS_TECHNIQUES.get(id);
  if (!t) return "";
  const parent = t.parent ? ATLAS_TECHNIQUES.get(t.parent) : undefined;
  return parent ? `${parent.name}: ${t.name}` : t.name;
}

/** The view of one rule; `model` supplies the titles and ATLAS ids of controls it declares. */
export function ruleView(rule: Rule, model?: ResolvedModel): RuleView {
  const m = rule.meta;
  const declared = new Map((model?.controls ?? []).map((c) => [c.name, c]));
  const view: RuleView = {
    id: m.id,
    title: m.title,
    category: m.category,
    origin: isOrgRule(rule) ? "organisation" : "built-in",
    description: m.description,
    detection: m.detection,
    falsePositives: m.falsePositives,
    likelihood: m.likelihood,
    likelihoodBasis: m.likelihoodBasis,
    impact: m.impact,
    impactBasis: m.impactBasis,
    severity: severityOf(m.likelihood, m.impact),
    stride: [...m.stride],
    appliesTo: [...m.appliesTo],
    atlas: { version: ATLAS_VERSION, techniques: m.atlas.map((id) => ({ id, name: atlasName(id) })) },
    owasp: m.owasp.map((id) => ({
      id,
      name: OWASP_ENTRY.get(id)?.name ?? "",
      list: OWASP_ENTRY.get(id)?.list ?? "",
    })),
    nist: { version: "NIST AI 100-2 E2025", entries: named(m.nist, NIST_IDS) },
    cosai: { version: "CoSAI Risk Map 2025", risks: named(m.cosai, COSAI_RISKS) },
    controls: m.mitigations.map((id) => {
      const builtin = BUILTIN_CONTROL_BY_ID.get(id);
      const user = declared.get(id);
      return {
        id,
        title: builtin?.title ?? user?.title ?? id,
        builtIn: builtin !== undefined,
        atlas: named(builtin?.atlas ?? user?.atlas ?? [], ATLAS_MITIGATIONS),
      };
    }),
    references: [...m.references],
  };
  if (isOrgRule(rule)) {
    view.declaredAt = locationView(rule.origin.nameLoc);
    if (rule.origin.remediation !== undefined) view.remediation = rule.origin.remediation;
  }
  return view;
}

const ids = (xs: readonly Named[]) => xs.map((x) => (x.name ? `${x.id} ${x.name}` : x.id)).join("; ");

/** A control with its ATLAS mitigation ids, as one line shows it: `spotlighting (AML.M0xxx)`. */
export function controlText(c: RuleView["controls"][number]): string {
  const atlas = c.atlas.map((a) => a.id).join(", ");
  return `${c.id}${c.builtIn ? "" : " (declared)"}${atlas ? ` [${atlas}]` : ""}`;
}

/** The mapping lines of a rule (ATLAS, OWASP, NIST, CoSAI, controls), each prefixed by `indent`. */
export function mappingLines(v: RuleView, indent: string): string[] {
  const lines: string[] = [];
  if (v.atlas.techniques.length > 0) lines.push(`ATLAS ${v.atlas.version}: ${ids(v.atlas.techniques)}`);
  if (v.owasp.length > 0) lines.push(`OWASP: ${ids(v.owasp)}`);
  if (v.nist.entries.length > 0) lines.push(`${v.nist.version}: ${ids(v.nist.entries)}`);
  if (v.cosai.risks.length > 0) lines.push(`${v.cosai.version}: ${ids(v.cosai.risks)}`);
  lines.push(
    v.controls.length > 0
      ? `controls: ${v.controls.map(controlText).join(", ")}`
      : "controls: none (only an acceptance closes its findings)",
  );
  return lines.map((l) => `${indent}${l}`);
}

/** The block `aithreat rules` prints for one rule. */
export function ruleSummaryText(v: RuleView): string {
  const kind = v.category === "assumption" ? "assumption check" : "threat";
  const where = v.declaredAt
    ? `, declared at ${v.declaredAt.file}:${v.declaredAt.line}:${v.declaredAt.column}`
    : "";
  const stride = v.stride.length > 0 ? `; STRIDE ${v.stride.join(", ")}` : "";
  return [
    `${v.id}  ${v.title}`,
    `    ${v.origin === "organisation" ? `organisation ${kind}${where}` : kind}${stride}; default severity ${v.severity} (likelihood ${v.likelihood} x impact ${v.impact})`,
    ...mappingLines(v, "    "),
  ].join("\n");
}

/** Built-in controls with their ATLAS mitigations and the rules (of `rules`) each mitigates. */
export function controlsView(rules: readonly Rule[]): {
  id: string;
  title: string;
  description: string;
  atlas: Named[];
  effect: "cut" | "lower";
  cost: number;
  mitigates: string[];
}[] {
  return BUILTIN_CONTROLS.map((c) => ({
    id: c.id,
    title: c.title,
    description: c.description,
    atlas: named(c.atlas, ATLAS_MITIGATIONS),
    effect: c.effect,
    cost: c.cost,
    mitigates: rules.filter((r) => r.meta.mitigations.includes(c.id)).map((r) => r.meta.id),
  }));
}

/** Options of `rules`. */
interface RulesArgs extends Omit<ModelOptions, "models"> {
  models?: string[];
  format: "text" | "json";
}

/** Runs `rules`: the catalog, plus the organisation rules of the models given. */
export function runRulesCommand(io: Io, argv: RulesArgs): number {
  const bad = loadOptionsProblem(io, argv);
  if (bad) {
    reportDiagnostics(io, [bad], argv.format);
    return EXIT.INVALID;
  }
  let rules: readonly Rule[] = RULES;
  let model: ResolvedModel | undefined;
  if (argv.models && argv.models.length > 0) {
    const loaded = loadModels(io, { ...argv, models: argv.models });
    if (!("model" in loaded) || !loaded.ok) {
      reportDiagnostics(io, loaded.diagnostics, argv.format);
      return EXIT.INVALID;
    }
    model = loaded.model;
    rules = withOrgRules(model, RULES);
  }
  const views = rules.map((r) => ruleView(r, model));
  if (argv.format === "json") {
    const out = {
      atlasVersion: ATLAS_VERSION,
      frameworks: {
        atlas: `MITRE ATLAS ${ATLAS_VERSION}`,
        owasp: OWASP_LISTS.map((l) => `${l.framework} ${l.version}`),
        nist: "NIST AI 100-2 E2025",
        cosai: "CoSAI Risk Map 2025",
      },
      rules: views,
      controls: controlsView(rules),
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT.OK;
  }
  io.out(terminalText(`${views.map(ruleSummaryText).join("\n\n")}\n`));
  if (!argv.quiet) {
    const builtIn = views.filter((v) => v.origin === "built-in");
    const threats = builtIn.filter((v) => v.category === "threat").length;
    const org = views.length - builtIn.length;
    io.out(
      `\n${builtIn.length} built-in rules (${threats} threats, ${builtIn.length - threats} assumption checks)${org > 0 ? `, ${plural(org, "organisation rule")}` : ""}; ATLAS ${ATLAS_VERSION}. \`aithreat explain <rule>\` tells what one looks for; ${DOCS_URL}/rules.md has them all.\n`,
    );
  }
  return EXIT.OK;
}

/** Adds the options of commands whose models are optional (`rules`, `explain`). */
export function withOptionalModels<T>(y: Argv<T>) {
  return withLoadOptions(
    y.positional("models", {
      describe: "model files or folders, for their organisation rules and findings",
      type: "string",
      array: true,
    }),
  ).option("format", { describe: "output", choices: ["text", "json"], default: "text" });
}

/** `aithreat rules`: the rule catalog with its mappings. */
export const rulesCommand: CommandModule = {
  command: "rules [models...]",
  describe: "List the threat rules with their ATLAS, OWASP, NIST and CoSAI mappings and controls",
  builder: (y: Argv) =>
    withOptionalModels(y)
      .example("$0 rules", "every built-in rule with its mappings")
      .example("$0 rules --format json > rules.json", "the catalog and the built-in controls as JSON")
      .example("$0 rules samples/org-multi-file", "the catalog plus the models' organisation rules"),
  run: (io, argv) => runRulesCommand(io, argv as unknown as RulesArgs),
};
