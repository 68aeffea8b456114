import type { Argv } from "yargs";
import type { Finding } from "../../analysis/findings.js";
import { sourceOf as findingSource, type FindingList } from "../../analysis/finding-records.js";
import { withOrgRules } from "../../analysis/org-rules.js";
import type { Rule } from "../../analysis/rule.js";
import { RULES } from "../../analysis/rules/index.js";
import { BUILTIN_CONTROL_BY_ID } from "../../catalog/controls.js";
import { ATLAS_MITIGATIONS } from "../../catalog/frameworks.js";
import { uncountedControls, type UncountedControl } from "../../analysis/uncounted.js";
import { analyze } from "../../compiler.js";
import { diag, type Location } from "../../diagnostics/diagnostic.js";
import { terminalText } from "../../diagnostics/format.js";
import { findingsView, type FindingView } from "../../emit/findings-view.js";
import { locationView, type LocationView } from "../../emit/location-view.js";
import type { ResolvedModel } from "../../semantic/model.js";
import { didYouMean } from "../../semantic/suggest.js";
import { lineText } from "../../source.js";
import type { CommandModule } from "../command.js";
import { loadModels, loadOptionsProblem, reportDiagnostics, type ModelOptions } from "../common.js";
import { EXIT, type Io } from "../io.js";
import { mappingLines, ruleView, withOptionalModels, type Named, type RuleView } from "./rules.js";
import { ruleDocUrl } from "../../emit/tool-info.js";
import { listedUpTo } from "../../words.js";

/** Options of `explain`. */
interface ExplainArgs extends Omit<ModelOptions, "models"> {
  target: string;
  models?: string[];
  format: "text" | "json";
}

/** A located fact with the source line it points at. */
export interface SourcedFact {
  text: string;
  location: LocationView;
  source: string;
}

/** What `explain` prints for a finding (the JSON output is this shape). */
export interface FindingExplanation {
  kind: "finding";
  finding: FindingView;
  subjectSource: string;
  facts: SourcedFact[];
  /**
   * Controls that would mitigate it: the rule's, and declared controls whose `mitigates` names the
   * rule. `declared`: declared on the subject (or implied by its properties) or counted against the
   * finding; `counted`: it counts against this finding (it is in the finding's `mitigatedBy`);
   * `notCounted`: why a control declared on the subject (or implied by `impliedBy`, a property of
   * it) does not count here.
   */
  mitigations: {
    control: string;
    title: string;
    builtIn: boolean;
    atlas: Named[];
    declared: boolean;
    counted: boolean;
    notCounted?: UncountedControl;
  }[];
  rule: RuleView;
}

// A finding fingerprint is 16 hex digits; a unique prefix of at least this many is accepted too.
const MIN_PREFIX = 6;
// Source lines longer than this are cut in text output so one minified line cannot flood a terminal.
const MAX_SOURCE = 160;

function sourceOf(loc: Location): string {
  return lineText(loc.file, locationView(loc).line);
}

const at = (l: LocationView) => `${l.file}:${l.line}:${l.column}`;
const clip = (s: string) => (s.length > MAX_SOURCE ? `${s.slice(0, MAX_SOURCE)}...` : s);

/** At most ten items of a hint, then how many more (a short prefix can match thousands). */
const listed = (items: readonly string[]): string => listedUpTo(items, 10);

/** Finds a finding by id (`AT-25:copilot`) or by fingerprint (or a unique prefix of one). */
export function findFinding(
  findings: FindingList,
  target: string,
): { finding?: Finding; ambiguous?: Finding[] } {
  // Ids and fingerprints are read by number: only the findings that match are made.
  const src = findingSource(findings);
  const numbers = (keep: (i: number) => boolean): number[] => {
    const out: number[] = [];
    for (let i = 0; i < src.length; i++) if (keep(i)) out.push(i);
    return out;
  };
  const lower = target.toLowerCase();
  const [byId] = numbers((i) => src.id(i) === target);
  const [byIdAnyCase] = byId === undefined ? numbers((i) => src.id(i).toLowerCase() === lower) : [];
  const idHit = byId ?? byIdAnyCase;
  if (idHit !== undefined) return { finding: findings.at(idHit)! };
  const hex = lower;
  if (!/^[0-9a-f]+$/.test(hex) || hex.length < MIN_PREFIX) return {};
  const hits = numbers((i) => src.fingerprint(i).startsWith(hex)).map((i) => findings.at(i)!);
  if (hits.length === 1) return { finding: hits[0]! };
  return hits.length > 1 ? { ambiguous: hits } : {};
}

/**
 * The explanation of one finding. `uncounted`: the controls declared on its subject that do not
 * count against it, with the reason (`uncountedControls`).
 */
export function explainFinding(
  model: ResolvedModel,
  finding: Finding,
  view: FindingView,
  rule: Rule,
  uncounted: ReadonlyMap<string, UncountedControl> = new Map(),
): FindingExplanation {
  const declaredOn = new Set(view.recommended.filter((r) => r.declared || r.bypassed).map((r) => r.control));
  const counts = (id: string) => finding.mitigatedBy.some((u) => u.name === id);
  const fromRule = rule.meta.mitigations.map((id) => {
    const builtin = BUILTIN_CONTROL_BY_ID.get(id);
    const user = model.controls.find((c) => c.name === id);
    const notCounted = uncounted.get(id);
    return {
      control: id,
      title: builtin?.title ?? user?.title ?? id,
      builtIn: builtin !== undefined,
      atlas: (builtin?.atlas ?? user?.atlas ?? []).map((a) => ({
        id: a,
        name: ATLAS_MITIGATIONS.get(a) ?? "",
      })),
      declared: declaredOn.has(id) || counts(id) || notCounted !== undefined,
      counted: counts(id),
      ...(notCounted !== undefined ? { notCounted } : {}),
    };
  });
  // Controls of the model that say themselves that they mitigate this rule.
  const own = model.controls
    .filter((c) => c.mitigates.includes(rule.meta.id) && !rule.meta.mitigations.includes(c.name))
    .map((c) => ({
      control: c.name,
      title: c.title ?? c.name,
      builtIn: false,
      atlas: c.atlas.map((a) => ({ id: a, name: ATLAS_MITIGATIONS.get(a) ?? "" })),
      declared: counts(c.name) || uncounted.has(c.name),
      counted: counts(c.name),
      ...(uncounted.has(c.name) ? { notCounted: uncounted.get(c.name)! } : {}),
    }));
  return {
    kind: "finding",
    finding: view,
    subjectSource: sourceOf(finding.location),
    facts: finding.facts.map((f) => ({
      text: f.text,
      location: locationView(f.loc),
      source: sourceOf(f.loc),
    })),
    mitigations: [...fromRule, ...own],
    rule: ruleView(rule, model),
  };
}

/** A code line as explain prints it under a location. */
function codeLine(indent: string, loc: LocationView, source: string): string {
  return `${indent}${loc.line} | ${clip(source.trimEnd())}`;
}

/** Text of a finding explanation. */
export function findingText(e: FindingExplanation): string {
  const f = e.finding;
  const out: string[] = [];
  out.push(`${f.id}  (fingerprint ${f.fingerprint})`);
  out.push(`${f.rule}: ${f.title}`);
  out.push("");
  out.push(`subject: \`${f.subject.name}\` (${f.subject.kind}) at ${at(f.location)}`);
  out.push(codeLine("  ", f.location, e.subjectSource));
  out.push("");
  out.push(f.message);
  out.push("");
  out.push(`severity ${f.severity}: ${f.rationale}`);
  if (f.status === "mitigated") {
    out.push(
      `status: mitigated by ${f.mitigatedBy.map((m) => `\`${m.control}\`${m.impliedBy ? ` (implied by \`${m.impliedBy}\`)` : ""} at ${at(m.location)}`).join(", ")}`,
    );
    out.push(`residual: likelihood ${f.residual.likelihood}, severity ${f.residual.severity}`);
  } else if (f.status === "accepted" && f.acceptance) {
    const a = f.acceptance;
    out.push(`status: accepted by ${a.owner} until ${a.expires} at ${at(a.location)}: ${a.reason}`);
  } else {
    out.push("status: open");
    if (f.acceptance)
      out.push(`  an acceptance expired on ${f.acceptance.expires} (${at(f.acceptance.location)})`);
  }
  out.push("");
  out.push("why it fired:");
  e.facts.forEach((fact, i) => {
    const n = `${i + 1}.`;
    out.push(`  ${n} ${fact.text}`);
    const pad = " ".repeat(n.length + 3);
    out.push(`${pad}${at(fact.location)}`);
    out.push(codeLine(`${pad}  `, fact.location, fact.source));
  });
  out.push("");
  if (e.mitigations.length === 0) {
    out.push(
      `what would mitigate it: no control is named by \`${f.rule}\`; change the model or accept the risk`,
    );
  } else {
    out.push("what would mitigate it:");
    for (const m of e.mitigations) {
      const atlas =
        m.atlas.length > 0 ? ` [${m.atlas.map((a) => `${a.id} ${a.name}`.trim()).join("; ")}]` : "";
      const how = m.notCounted?.impliedBy ? `implied by \`${m.notCounted.impliedBy}\`` : "declared";
      const declared = m.notCounted
        ? ` (${how} on \`${f.subject.name}\`, but not counted here: ${m.notCounted.reason})`
        : m.declared
          ? " (declared)"
          : "";
      out.push(`  - ${m.control}: ${m.title}${atlas}${declared}${m.builtIn ? "" : " (your control)"}`);
    }
    out.push(
      `  declare one with \`controls [...]\` on \`${f.subject.name}\` (or where the rule's facts point)`,
    );
  }
  if (f.status === "open")
    out.push(
      `  or accept the risk: accept ${f.rule} on ${f.subject.name} { reason "..."  owner "..."  expires YYYY-MM-DD }`,
    );
  out.push("");
  out.push(`\`aithreat explain ${f.rule}\` tells what the rule looks for.`);
  return `${out.join("\n")}\n`;
}

/** Text of a rule explanation: what it looks for, false positives, mitigations, mappings. */
export function ruleText(v: RuleView, findings: FindingList | undefined): string {
  const out: string[] = [];
  out.push(`${v.id}  ${v.title}`);
  out.push(
    v.origin === "organisation"
      ? `organisation rule${v.declaredAt ? ` declared at ${at(v.declaredAt)}` : ""}`
      : `built-in ${v.category === "assumption" ? "assumption check" : "threat rule"}; ${ruleDocUrl(v)}`,
  );
  out.push("");
  out.push(v.description);
  out.push("");
  out.push("what it looks for:");
  out.push(`  ${v.detection}`);
  if (v.falsePositives) {
    out.push("");
    out.push("false positives:");
    out.push(`  ${v.falsePositives}`);
  }
  out.push("");
  out.push(`default severity ${v.severity}:`);
  out.push(`  likelihood ${v.likelihood}: ${v.likelihoodBasis}`);
  out.push(`  impact ${v.impact}: ${v.impactBasis}`);
  if (v.stride.length > 0) out.push(`  STRIDE: ${v.stride.join(", ")}`);
  out.push("");
  out.push("mitigations and mappings:");
  out.push(...mappingLines(v, "  "));
  if (v.remediation) out.push(`  remediation: ${v.remediation}`);
  if (v.references.length > 0) {
    out.push("");
    out.push("references:");
    for (const r of v.references) out.push(`  ${r}`);
  }
  if (findings) {
    const mine = findings.filter((f) => f.rule === v.id);
    out.push("");
    if (mine.length === 0) out.push("findings in these models: none");
    else {
      out.push(`findings in these models: ${mine.length}`);
      for (const f of mine) out.push(`  ${f.fingerprint}  ${f.id}  ${f.status}, ${f.severity}`);
    }
  }
  return `${out.join("\n")}\n`;
}

/** Runs `explain`. */
export function runExplain(io: Io, argv: ExplainArgs): number {
  const target = argv.target;
  const models = argv.models ?? [];
  const builtIn = RULES.find((r) => r.meta.id.toLowerCase() === target.toLowerCase());
  const fail = (message: string, hint: string | undefined) => {
    reportDiagnostics(io, [diag("AT9002", undefined, message, { hint })], argv.format);
    return EXIT.INVALID;
  };
  const bad = loadOptionsProblem(io, argv);
  if (bad) {
    reportDiagnostics(io, [bad], argv.format);
    return EXIT.INVALID;
  }
  if (models.length === 0) {
    if (builtIn) return printRule(io, argv, ruleView(builtIn), undefined);
    return fail(
      `\`${target}\` is not a built-in rule`,
      didYouMean(
        target,
        RULES.map((r) => r.meta.id),
      ) ??
        "to explain a finding or an organisation rule, name the models too: `aithreat explain <fingerprint> model.aithreat`",
    );
  }
  const loaded = loadModels(io, { ...argv, models });
  if (!("model" in loaded) || !loaded.ok) {
    reportDiagnostics(io, loaded.diagnostics, argv.format);
    return EXIT.INVALID;
  }
  const model = loaded.model;
  const rules = withOrgRules(model, RULES);
  const ruleNamed = (id: string) => rules.find((r) => r.meta.id.toLowerCase() === id.toLowerCase());
  // A rule's findings do not depend on the other rules, so a rule, or a finding id (its rule before
  // the first `:`), runs only that rule: the whole catalog is most of the wait on a large model.
  const rule = ruleNamed(target);
  const idRule = !rule && target.includes(":") ? ruleNamed(target.slice(0, target.indexOf(":"))) : undefined;
  const only = rule ?? idRule;
  const analysis = analyze(model, only ? [only] : rules);
  if (rule) return printRule(io, argv, ruleView(rule, model), analysis.findings);
  const { finding, ambiguous } = findFinding(analysis.findings, target);
  if (ambiguous)
    return fail(
      `\`${target}\` is the start of ${ambiguous.length} fingerprints`,
      `give more digits: ${listed(ambiguous.map((f) => `${f.fingerprint} (${f.id})`))}`,
    );
  if (!finding) {
    // `AT-36:support_bot` when the rule reports that subject once per key (`...:escalate_email`).
    const start = `${target.toLowerCase()}:`;
    // The hints look at every finding: an id may name the wrong rule (`AT-52:triage` for `AT-25:triage`).
    const all = idRule ? analyze(model, rules).findings : analysis.findings;
    const keyed = all.filter((f) => f.id.toLowerCase().startsWith(start)).map((f) => f.id);
    const shortHex = /^[0-9a-f]+$/i.test(target) && target.length < MIN_PREFIX;
    return fail(
      `\`${target}\` names no rule and no finding of these models`,
      shortHex
        ? `a fingerprint is 16 hex digits; give at least its first ${MIN_PREFIX}`
        : keyed.length > 0
          ? `that rule reports this subject once per key: ${listed(keyed.map((id) => `\`${id}\``))}`
          : (didYouMean(target, [...rules.map((r) => r.meta.id), ...all.map((f) => f.id)]) ??
            "`aithreat rules` lists the rules; finding ids and fingerprints are in findings.json and the reports"),
    );
  }
  const findingRule = rules.find((r) => r.meta.id === finding.rule)!;
  const view = findingsView(model, [finding], rules).at(0)!;
  const uncounted = uncountedControls(analysis.graph, analysis.facts, findingRule, finding);
  const explanation = explainFinding(model, finding, view, findingRule, uncounted);
  if (argv.format === "json") io.out(`${JSON.stringify(explanation, null, 2)}\n`);
  else io.out(terminalText(findingText(explanation)));
  return EXIT.OK;
}

function printRule(io: Io, argv: ExplainArgs, view: RuleView, findings: FindingList | undefined): number {
  if (argv.format === "json") {
    const out = {
      kind: "rule",
      rule: view,
      ...(findings
        ? {
            findings: findings
              .filter((f) => f.rule === view.id)
              .map((f) => ({ id: f.id, fingerprint: f.fingerprint, status: f.status, severity: f.severity })),
          }
        : {}),
    };
    io.out(`${JSON.stringify(out, null, 2)}\n`);
  } else io.out(terminalText(ruleText(view, findings)));
  return EXIT.OK;
}

/** `aithreat explain`: what a rule looks for, or why a finding fired and what would mitigate it. */
export const explainCommand: CommandModule = {
  command: "explain <target> [models...]",
  describe:
    "Explain a rule (what it looks for) or a finding (why it fired, with source lines, and what mitigates it)",
  builder: (y: Argv) =>
    withOptionalModels(
      y.positional("target", {
        describe:
          "a rule id (AT-25), or a finding's fingerprint (or its first 6+ digits) or id (AT-25:copilot)",
        type: "string",
        demandOption: true,
      }),
    )
      .example("$0 explain AT-37", "what the lethal-trifecta rule looks for and what mitigates it")
      .example("$0 explain 3f9a1c20 samples/rag-support", "why the finding with this fingerprint fired")
      .example("$0 explain AT-25:copilot model.aithreat --format json", "a finding by id, as JSON")
      .example("$0 explain ORG-001 models/", "an organisation rule declared in the models"),
  run: (io, argv) => runExplain(io, argv as unknown as ExplainArgs),
};
