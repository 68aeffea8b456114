import type { Argv } from "yargs";
import type { Finding } from "../../analysis/findings.js";
import type { FindingList } from "../../analysis/finding-records.js";
import { withOrgRules } from "../../analysis/org-rules.js";
import type { Rule } from "../../analysis/rule.js";
import { RULES } from "../../analysis/rules/index.js";
import { BUILTIN_CONTROL_BY_ID } from "../../catalog/controls.js";
import { ATLAS, ATLAS_TECHNIQUES, ATLAS_VERSION, type AtlasTechnique } from "../../catalog/frameworks.js";
import { analyze } from "../../compiler.js";
import type { ResolvedModel } from "../../semantic/model.js";
import type { CommandModule } from "../command.js";
import { loadModels, reportDiagnostics, withModelOptions, type ModelOptions } from "../common.js";
import { EXIT, type Io } from "../io.js";
import { atlasName } from "./rules.js";
import { plural } from "../../words.js";

/** How far the model's analysis looked at a technique. */
export type Examination = "found" | "examined" | "not_examined";

/** One ATLAS technique as the coverage view sees it. */
export interface TechniqueCoverage {
  id: string;
  name: string;
  maturity: string;
  /** `found`: a finding cites it; `examined`: a rule looks for it and found nothing; else `not_examined`. */
  status: Examination;
  /** Rules (that ran) which look for it. */
  rules: string[];
  findings: { open: number; mitigated: number; accepted: number; ids: string[] };
  /** Declared controls that address it through the ATLAS mitigations linked to the technique. */
  controls: { control: string; mitigations: string[] }[];
  /** Sub-techniques of a top-level technique (each counted in the parent's figures). */
  subTechniques?: TechniqueCoverage[];
}

/** A tactic and its techniques, in ATLAS matrix order. */
export interface TacticCoverage {
  id: string;
  name: string;
  counts: { found: number; examined: number; notExamined: number; controlled: number };
  techniques: TechniqueCoverage[];
}

/** The whole coverage view (the JSON output is this shape). */
export interface Coverage {
  atlasVersion: string;
  summary: {
    techniques: number;
    found: number;
    examined: number;
    notExamined: number;
    controlled: number;
    /** Not examined by any rule, but a declared control addresses it. */
    controlledOnly: number;
  };
  /** Declared controls in use, with the ATLAS mitigations they implement. */
  controls: { control: string; builtIn: boolean; mitigations: string[] }[];
  tactics: TacticCoverage[];
}

const RANK: Record<Examination, number> = { not_examined: 0, examined: 1, found: 2 };

/** The list a map holds under `key`, made empty on first use. */
function listIn<K, V>(map: Map<K, V[]>, key: K): V[] {
  let list = map.get(key);
  if (!list) map.set(key, (list = []));
  return list;
}

/** Rule ids in reading order: by prefix, then by number (`AS-02`, `AT-09`, `AT-10`, `ORG-1`). */
function byRuleId(a: string, b: string): number {
  const [pa, na] = [a.replace(/\d+$/, ""), Number(/\d+$/.exec(a)?.[0] ?? 0)];
  const [pb, nb] = [b.replace(/\d+$/, ""), Number(/\d+$/.exec(b)?.[0] ?? 0)];
  return pa < pb ? -1 : pa > pb ? 1 : na - nb || (a < b ? -1 : a > b ? 1 : 0);
}

/**
 * Which ATLAS techniques a model's findings and declared controls address, tactic by tactic. A rule
 * examines the techniques its metadata cites; a declared control addresses a technique when one of the
 * ATLAS mitigations it implements is linked to that technique in data/atlas.json (a sub-technique
 * without links of its own takes its parent's). Controls count when placed on a component or flow.
 */
export function coverageOf(model: ResolvedModel, rules: readonly Rule[], findings: FindingList): Coverage {
  // Lists grow in place (`listIn`): a model of 100k components has 300,000 findings, and copying a
  // technique's list for each one made this quadratic (over four minutes there).
  const rulesBy = new Map<string, string[]>();
  for (const r of [...rules].sort((a, b) => byRuleId(a.meta.id, b.meta.id)))
    for (const t of r.meta.atlas) listIn(rulesBy, t).push(r.meta.id);
  const ruleAtlas = new Map(rules.map((r) => [r.meta.id, r.meta.atlas]));
  const findingsBy = new Map<string, Finding[]>();
  for (const f of findings) for (const t of ruleAtlas.get(f.rule) ?? []) listIn(findingsBy, t).push(f);
  const findingsById = new Map(findings.map((f) => [f.id, f]));

  // Controls in use: on components and flows, including those implied by properties.
  const userControls = new Map(model.controls.map((c) => [c.name, c]));
  const used = new Set<string>();
  for (const c of model.components) for (const u of c.controls) used.add(u.name);
  for (const f of model.flows) for (const u of f.controls) used.add(u.name);
  const controls = [...used].sort().map((name) => {
    const builtin = BUILTIN_CONTROL_BY_ID.get(name);
    return {
      control: name,
      builtIn: builtin !== undefined,
      mitigations: [...(builtin?.atlas ?? userControls.get(name)?.atlas ?? [])],
    };
  });
  const byMitigation = new Map<string, string[]>();
  for (const c of controls) for (const m of c.mitigations) listIn(byMitigation, m).push(c.control);

  const subsOf = new Map<string, AtlasTechnique[]>();
  for (const t of ATLAS.techniques) if (t.parent) listIn(subsOf, t.parent).push(t);

  const own = (t: AtlasTechnique): TechniqueCoverage => {
    const links =
      t.mitigations.length > 0 || !t.parent
        ? t.mitigations
        : (ATLAS_TECHNIQUES.get(t.parent)?.mitigations ?? []);
    const viaControl = new Map<string, string[]>();
    for (const m of links) for (const c of byMitigation.get(m) ?? []) listIn(viaControl, c).push(m);
    const fs = findingsBy.get(t.id) ?? [];
    const ruleIds = rulesBy.get(t.id) ?? [];
    return {
      id: t.id,
      name: atlasName(t.id),
      maturity: t.maturity,
      status: fs.length > 0 ? "found" : ruleIds.length > 0 ? "examined" : "not_examined",
      rules: [...ruleIds],
      findings: {
        open: fs.filter((f) => f.status === "open").length,
        mitigated: fs.filter((f) => f.status === "mitigated").length,
        accepted: fs.filter((f) => f.status === "accepted").length,
        ids: fs.map((f) => f.id),
      },
      controls: [...viaControl]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([control, mitigations]) => ({ control, mitigations })),
    };
  };

  // A top-level technique with its sub-techniques rolled in: examined if any of them is.
  const withSubs = (t: AtlasTechnique): TechniqueCoverage => {
    const parent = own(t);
    const subs = (subsOf.get(t.id) ?? []).map(own);
    if (subs.length === 0) return parent;
    const all = [parent, ...subs];
    const ids = [...new Set(all.flatMap((x) => x.findings.ids))];
    const statusCount = (s: Finding["status"]) =>
      ids.filter((id) => findingsById.get(id)?.status === s).length;
    const controlMap = new Map<string, Set<string>>();
    for (const x of all)
      for (const c of x.controls)
        for (const m of c.mitigations)
          controlMap.set(c.control, (controlMap.get(c.control) ?? new Set()).add(m));
    return {
      ...parent,
      status: all.reduce<Examination>(
        (best, x) => (RANK[x.status] > RANK[best] ? x.status : best),
        "not_examined",
      ),
      rules: [...new Set(all.flatMap((x) => x.rules))].sort(byRuleId),
      findings: {
        open: statusCount("open"),
        mitigated: statusCount("mitigated"),
        accepted: statusCount("accepted"),
        ids,
      },
      controls: [...controlMap]
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([control, ms]) => ({ control, mitigations: [...ms].sort() })),
      subTechniques: subs,
    };
  };

  const top = new Map(ATLAS.techniques.filter((t) => !t.parent).map((t) => [t.id, withSubs(t)]));
  const tactics: TacticCoverage[] = ATLAS.tactics.map((tactic) => {
    const techniques = ATLAS.techniques
      .filter((t) => !t.parent && t.tactics.includes(tactic.id))
      .map((t) => top.get(t.id)!);
    return {
      id: tactic.id,
      name: tactic.name,
      counts: {
        found: techniques.filter((t) => t.status === "found").length,
        examined: techniques.filter((t) => t.status === "examined").length,
        notExamined: techniques.filter((t) => t.status === "not_examined").length,
        controlled: techniques.filter((t) => t.controls.length > 0).length,
      },
      techniques,
    };
  });
  const all = [...top.values()];
  return {
    atlasVersion: ATLAS_VERSION,
    summary: {
      techniques: all.length,
      found: all.filter((t) => t.status === "found").length,
      examined: all.filter((t) => t.status === "examined").length,
      notExamined: all.filter((t) => t.status === "not_examined").length,
      controlled: all.filter((t) => t.controls.length > 0).length,
      controlledOnly: all.filter((t) => t.status === "not_examined" && t.controls.length > 0).length,
    },
    controls,
    tactics,
  };
}

const LABEL: Record<Examination, string> = { found: "found", examined: "examined", not_examined: "-" };

function techniqueLine(t: TechniqueCoverage, indent: string): string {
  const parts: string[] = [];
  if (t.status === "found") {
    const f = t.findings;
    const split = [
      f.open ? `${f.open} open` : "",
      f.mitigated ? `${f.mitigated} mitigated` : "",
      f.accepted ? `${f.accepted} accepted` : "",
    ].filter(Boolean);
    parts.push(`${plural(f.ids.length, "finding")} (${split.join(", ")}) from ${t.rules.join(", ")}`);
  } else if (t.status === "examined") parts.push(`${t.rules.join(", ")} found nothing`);
  else parts.push("not examined by any rule");
  if (t.controls.length > 0)
    parts.push(`controls ${t.controls.map((c) => `${c.control} [${c.mitigations.join(", ")}]`).join(", ")}`);
  return `${indent}${LABEL[t.status].padEnd(9)} ${t.id} ${t.name}: ${parts.join("; ")}`;
}

/** The text report: a summary, then each tactic with its techniques. */
export function coverageText(c: Coverage): string {
  const s = c.summary;
  const out: string[] = [
    `ATLAS ${c.atlasVersion} coverage: ${s.techniques} techniques; ${s.found} with findings, ${s.examined} examined without findings, ${s.notExamined} not examined by any rule`,
    `declared controls address ${s.controlled} techniques${s.controlledOnly > 0 ? ` (${s.controlledOnly} of them not examined by any rule)` : ""}: ${c.controls.map((x) => x.control).join(", ") || "no control is declared"}`,
    "a technique counts with its sub-techniques; sub-techniques a rule looks for are listed under it",
  ];
  for (const tactic of c.tactics) {
    const k = tactic.counts;
    out.push("");
    out.push(
      `${tactic.name} (${tactic.id}): ${k.found} found, ${k.examined} examined, ${k.notExamined} not examined, ${k.controlled} addressed by controls`,
    );
    for (const t of tactic.techniques) {
      out.push(techniqueLine(t, "  "));
      for (const sub of t.subTechniques ?? [])
        if (sub.status !== "not_examined") out.push(techniqueLine(sub, "    "));
    }
  }
  return `${out.join("\n")}\n`;
}

/** Options of `coverage`. */
interface CoverageArgs extends ModelOptions {
  format: "text" | "json";
}

/** Runs `coverage`. */
export function runCoverage(io: Io, argv: CoverageArgs): number {
  const loaded = loadModels(io, argv);
  if (!("model" in loaded) || !loaded.ok) {
    reportDiagnostics(io, loaded.diagnostics, argv.format);
    return EXIT.INVALID;
  }
  const rules = withOrgRules(loaded.model, RULES);
  const analysis = analyze(loaded.model, rules);
  const coverage = coverageOf(loaded.model, rules, analysis.findings);
  if (argv.format === "json") io.out(`${JSON.stringify(coverage, null, 2)}\n`);
  else io.out(coverageText(coverage));
  return EXIT.OK;
}

/** `aithreat coverage`: which ATLAS techniques the model's findings and controls address. */
export const coverageCommand: CommandModule = {
  command: "coverage <models...>",
  describe: "Show, tactic by tactic, which ATLAS techniques the findings and declared controls address",
  builder: (y: Argv) =>
    withModelOptions(y)
      .option("format", { describe: "output", choices: ["text", "json"], default: "text" })
      .example("$0 coverage samples/rag-support", "ATLAS coverage of one model")
      .example("$0 coverage models/ --format json | jq '.summary'", "the summary figures, for CI"),
  run: (io, argv) => runCoverage(io, argv as unknown as CoverageArgs),
};
