import { severityOf, severityRank, type Severity } from "../analysis/findings.js";
import type { RuleMeta } from "../analysis/rule.js";
import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import { RULE_IDS } from "../catalog/index.js";
import type { Diagnostic } from "../diagnostics/diagnostic.js";
import type { Emitter, EmitContext } from "./emitter.js";
import { escapeMarkdown, markdownCode } from "./escape.js";
import type { ReadList } from "../analysis/made-on-read.js";
import {
  ByNumber,
  eachFact,
  eachMitigation,
  viewFields,
  type FindingView,
  type FindingViewList,
} from "./findings-view.js";
import { jsonFile, jsonString, type JsonLines, type JsonPath } from "./json-layout.js";
import { locationView, type LocationView } from "./location-view.js";
import { memoize } from "../memoize.js";
import { PROJECT_URL, ruleDocUrl } from "./tool-info.js";

/**
 * findings.sarif: SARIF 2.1.0 for code scanning (GitHub, GitLab, Azure DevOps, IDE viewers).
 *
 * What goes in, and why (docs/ci.md says the same for users):
 * - open findings are results with a `level` from their severity;
 * - accepted findings are results with an external, accepted suppression whose justification is the
 *   acceptance's reason, owner and expiry, so code scanning shows them as dismissed;
 * - mitigated findings are not results: code scanning treats every result as an alert whatever its
 *   `kind`, so a `pass` result would stay an alert after the control was declared. Leaving them out
 *   lets the alert close as fixed; they are listed in `run.properties.mitigatedFindings` and in full in
 *   findings.json.
 * Every result carries the finding's stable fingerprint in `partialFingerprints`, so alerts follow
 * the finding when lines move.
 */

/** The SARIF schema URI written into every log (the OASIS standard with errata 01). */
export const SARIF_SCHEMA_URI =
  "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/** The `uriBaseId` every location is relative to: the project root (`--root`). */
export const SRCROOT = "%SRCROOT%";

/** The `partialFingerprints` key that holds a finding's fingerprint. */
export const FINGERPRINT_KEY = "aithreatFingerprint/v1";

/** SARIF `level` of a severity: critical and high are errors, medium warnings, low and info notes. */
export function sarifLevel(severity: string): "error" | "warning" | "note" {
  if (severity === "critical" || severity === "high") return "error";
  if (severity === "medium") return "warning";
  return "note";
}

/**
 * `security-severity` (0.0-10.0, the CVSS-like scale code scanning sorts by) of a rule's default
 * severity: critical 9.5, high 8.0, medium 5.5, low 3.0, info 1.0 (each inside the band GitHub
 * labels with the same word).
 */
export function securitySeverity(severity: Severity): string {
  return { critical: "9.5", high: "8.0", medium: "5.5", low: "3.0", info: "1.0" }[severity];
}

/** A rule's default severity, from its default likelihood and impact. */
export function ruleSeverity(meta: RuleMeta): Severity {
  return severityOf(meta.likelihood, meta.impact);
}

interface SarifMessage {
  text: string;
  markdown?: string;
}

interface SarifPhysicalLocation {
  artifactLocation: { uri: string; uriBaseId: string; index?: number };
  region: { startLine: number; startColumn: number; endLine: number; endColumn: number };
}

interface SarifLocation {
  id?: number;
  physicalLocation: SarifPhysicalLocation;
  message?: SarifMessage;
}

/** Percent-encodes a project-relative path into a relative URI, segment by segment. */
export function pathToUri(path: string): string {
  return path.split("/").map(encodeURIComponent).join("/");
}

/** Title to a PascalCase rule name (`Lethal trifecta: ...` -> `LethalTrifecta...`). */
function ruleName(title: string): string {
  return title
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

const unique = (xs: readonly string[]): string[] => [...new Set(xs)];

/** The reporting descriptor of a rule: descriptions, help text and Markdown, link, tags. */
function ruleDescriptor(meta: RuleMeta) {
  const severity = ruleSeverity(meta);
  const builtIn = RULE_IDS.has(meta.id);
  const mitigations = meta.mitigations.map((id) => {
    const c = BUILTIN_CONTROL_BY_ID.get(id);
    return { id, title: c?.title ?? id, atlas: c?.atlas ?? [] };
  });
  const mapping = (label: string, ids: readonly string[]) =>
    ids.length > 0 ? `${label}: ${ids.join(", ")}` : "";
  const mappings = [
    mapping("STRIDE", meta.stride),
    mapping("MITRE ATLAS", meta.atlas),
    mapping("OWASP", meta.owasp),
    mapping("NIST AI 100-2", meta.nist),
    mapping("CoSAI", meta.cosai),
  ].filter(Boolean);
  const text = [
    meta.description,
    `How it is detected: ${meta.detection}`,
    mitigations.length > 0
      ? `Mitigations: ${mitigations.map((m) => `${m.id} (${m.title}${m.atlas.length > 0 ? `; ${m.atlas.join(", ")}` : ""})`).join("; ")}`
      : "",
    `When it may be a false positive: ${meta.falsePositives}`,
    mappings.join(". "),
    meta.references.length > 0 ? `References: ${meta.references.join(" ")}` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  const md = (s: string) => escapeMarkdown(s);
  const markdown = [
    `**${md(meta.id)} ${md(meta.title)}**`,
    md(meta.description),
    `**How it is detected.** ${md(meta.detection)}`,
    mitigations.length > 0
      ? `**Mitigations.**\n\n${mitigations
          .map(
            (m) =>
              `- ${markdownCode(m.id)}: ${md(m.title)}${m.atlas.length > 0 ? ` (${m.atlas.map(markdownCode).join(", ")})` : ""}`,
          )
          .join("\n")}`
      : "",
    `**When it may be a false positive.** ${md(meta.falsePositives)}`,
    mappings.length > 0 ? `**Mappings.** ${mappings.map(md).join("; ")}` : "",
    meta.references.length > 0
      ? `**References.**\n\n${meta.references.map((r) => `- <${r.replace(/[<>\s]/g, encodeURIComponent)}>`).join("\n")}`
      : "",
    // Only built-in rules have a section in aithreat's rule reference; an organisation's are its own.
    builtIn ? `[Rule reference](${ruleDocUrl(meta)})` : "",
  ]
    .filter(Boolean)
    .join("\n\n");
  return {
    id: meta.id,
    name: ruleName(meta.title),
    shortDescription: { text: meta.title },
    fullDescription: { text: meta.description },
    defaultConfiguration: { level: sarifLevel(severity) },
    ...(builtIn ? { helpUri: ruleDocUrl(meta) } : {}),
    help: { text, markdown },
    properties: {
      tags: unique(["security", "ai", meta.category, ...meta.stride, ...meta.atlas, ...meta.owasp]),
      "security-severity": securitySeverity(severity),
      precision: "medium",
      "problem.severity": sarifLevel(severity) === "note" ? "recommendation" : sarifLevel(severity),
    },
  };
}

/**
 * Most results findings.sarif holds by default: GitHub code scanning rejects a run with more (and
 * shows the 5,000 most severe). A 10k-component model has about 20,000 open findings, a 100k one ten
 * times as many.
 */
export const SARIF_MAX_RESULTS = 25_000;

/** How many of a compile's would-be results a cap of `max` leaves out (0: none, or no cap). */
export function sarifResultsLeftOut(findingsView: FindingViewList, max: number = SARIF_MAX_RESULTS): number {
  if (max <= 0) return 0;
  const read = viewFields(findingsView);
  let results = 0;
  for (let i = 0; i < findingsView.length; i++) if (read.status(i) !== "mitigated") results++;
  return Math.max(0, results - max);
}

/**
 * The numbers of the findings that are results (open and accepted ones are, mitigated ones are not:
 * above), and of the mitigated ones, in the views' order.
 */
function splitByResult(findingsView: FindingViewList): { results: Int32Array; mitigated: Int32Array } {
  const read = viewFields(findingsView);
  const n = findingsView.length;
  const isResultAt = new Uint8Array(n);
  let count = 0;
  for (let i = 0; i < n; i++) if (read.status(i) !== "mitigated") count += isResultAt[i] = 1;
  const results = new Int32Array(count);
  const mitigated = new Int32Array(n - count);
  for (let i = 0, r = 0, m = 0; i < n; i++)
    if (isResultAt[i] === 1) results[r++] = i;
    else mitigated[m++] = i;
  return { results, mitigated };
}

/**
 * The `max` most severe of `results` (0: all), in their own order: ties by that order, so the cut is
 * deterministic and the kept results read as before. That is every result above the least severe
 * rank kept and the first of that rank, counted per rank: no sort.
 */
function mostSevere(results: Int32Array, severity: (i: number) => string, max: number): Int32Array {
  if (max <= 0 || results.length <= max) return results;
  const rank = new Uint8Array(results.length);
  const perRank: number[] = [];
  for (let k = 0; k < results.length; k++) {
    const r = (rank[k] = severityRank(severity(results[k]!) as Severity));
    perRank[r] = (perRank[r] ?? 0) + 1;
  }
  // The least severe rank kept, and how many of it fit.
  let left = max;
  let floor = perRank.length - 1;
  for (; floor >= 0; floor--) {
    const here = perRank[floor] ?? 0;
    if (here >= left) break;
    left -= here;
  }
  const kept = new Int32Array(max);
  for (let k = 0, at = 0; k < results.length && at < max; k++) {
    const r = rank[k]!;
    if (r > floor || (r === floor && left-- > 0)) kept[at++] = results[k]!;
  }
  return kept;
}

/** Builds the SARIF log of a compile. */
export function sarifLog(ctx: EmitContext) {
  const { logWith, shown, result, mitigatedFindings } = sarifParts(ctx);
  return logWith(shown.map(result), mitigatedFindings.toJSON());
}

/** Each result of the log as the emitter writes it, beside the object `sarifLog` holds (for tests). */
export function sarifResultTexts(ctx: EmitContext): { text: string; result: unknown }[] {
  const { shown, result, resultText } = sarifParts(ctx);
  return shown.map((f) => ({ text: resultText(f), result: result(f) }));
}

/**
 * The log around its results (`logWith`), the findings that become results and how one does: the
 * emitter writes each result as it builds it instead of holding them all.
 */
function sarifParts(ctx: EmitContext) {
  const { analysis } = ctx;
  const rules = [...analysis.rules].sort((a, b) =>
    a.meta.id < b.meta.id ? -1 : a.meta.id > b.meta.id ? 1 : 0,
  );
  const ruleIndex = new Map(rules.map((r, i) => [r.meta.id, i]));
  const artifacts = analysis.model.files.map((f) => f.path).sort();
  const artifactIndex = new Map(artifacts.map((p, i) => [p, i]));
  // One URI per file, not per location: a large model has a few hundred files and 10^5 locations.
  const uris = new Map<string, string>();
  const uriOf = (file: string) => {
    let uri = uris.get(file);
    if (uri === undefined) uris.set(file, (uri = pathToUri(file)));
    return uri;
  };
  const artifactLocation = (file: string) => {
    const index = artifactIndex.get(file);
    return { uri: uriOf(file), uriBaseId: SRCROOT, ...(index !== undefined ? { index } : {}) };
  };
  const physical = (loc: LocationView): SarifPhysicalLocation => {
    return {
      artifactLocation: artifactLocation(loc.file),
      region: {
        startLine: loc.line,
        startColumn: loc.column,
        endLine: loc.endLine,
        endColumn: loc.endColumn,
      },
    };
  };
  const result = (f: FindingView) => {
    const related: SarifLocation[] = f.facts.map((fact, i) => ({
      id: i + 1,
      physicalLocation: physical(fact.location),
      message: { text: fact.text },
    }));
    const index = ruleIndex.get(f.rule);
    return {
      ruleId: f.rule,
      ...(index !== undefined ? { ruleIndex: index } : {}),
      level: sarifLevel(f.severity),
      message: { text: f.message },
      locations: [{ physicalLocation: physical(f.location) }],
      partialFingerprints: { [FINGERPRINT_KEY]: f.fingerprint },
      ...(related.length > 0 ? { relatedLocations: related } : {}),
      ...(f.status === "accepted" && f.acceptance
        ? {
            suppressions: [
              {
                kind: "external",
                status: "accepted",
                justification: `${f.acceptance.reason} (accepted by ${f.acceptance.owner} until ${f.acceptance.expires}${f.acceptance.ticket ? `, ${f.acceptance.ticket}` : ""})`,
                location: { physicalLocation: physical(f.acceptance.location) },
              },
            ],
          }
        : {}),
      properties: {
        findingId: f.id,
        status: f.status,
        severity: f.severity,
        likelihood: f.likelihood,
        impact: f.impact,
        residualSeverity: f.residual.severity,
        subject: `${f.subject.type} ${f.subject.name}`,
        ...(f.owner !== undefined ? { owner: f.owner } : {}),
        ...(f.acceptance?.expired ? { acceptanceExpired: f.acceptance.expires } : {}),
      },
    };
  };
  // The same result as JSON text, written without building its object: a large model has hundreds
  // of thousands of results (test/emit/sarif.test.ts holds the two equal on every sample).
  const str = jsonString;
  // Written once per file; locations and subjects are too many for a memo to pay (see sharedTexts).
  const artifactText = memoize((file: string) => JSON.stringify(artifactLocation(file)));
  // Owners repeat on thousands of results: looked up rather than tested for escapes each time.
  const ownerText = memoize(str);
  const physicalText = (loc: LocationView) =>
    `{"artifactLocation":${artifactText(loc.file)},"region":{"startLine":${loc.line},"startColumn":${loc.column},"endLine":${loc.endLine},"endColumn":${loc.endColumn}}}`;
  const resultText = (f: FindingView) => {
    const index = ruleIndex.get(f.rule);
    let t = `{"ruleId":${str(f.rule)}${index !== undefined ? `,"ruleIndex":${index}` : ""},"level":"${sarifLevel(f.severity)}","message":{"text":${str(f.message)}}`;
    t += `,"locations":[{"physicalLocation":${physicalText(f.location)}}],"partialFingerprints":{"${FINGERPRINT_KEY}":"${f.fingerprint}"}`;
    let related = "";
    eachFact(f, (text, location, i) => {
      related += `${i > 0 ? "," : ""}{"id":${i + 1},"physicalLocation":${physicalText(location)},"message":{"text":${str(text)}}}`;
    });
    if (related !== "") t += `,"relatedLocations":[${related}]`;
    const a = f.acceptance;
    if (f.status === "accepted" && a)
      t += `,"suppressions":[{"kind":"external","status":"accepted","justification":${str(`${a.reason} (accepted by ${a.owner} until ${a.expires}${a.ticket ? `, ${a.ticket}` : ""})`)},"location":{"physicalLocation":${physicalText(a.location)}}}]`;
    t += `,"properties":{"findingId":${str(f.id)},"status":"${f.status}","severity":"${f.severity}","likelihood":"${f.likelihood}","impact":"${f.impact}","residualSeverity":"${f.residual.severity}","subject":${str(`${f.subject.type} ${f.subject.name}`)}`;
    if (f.owner !== undefined) t += `,"owner":${ownerText(f.owner)}`;
    if (a?.expired) t += `,"acceptanceExpired":${str(a.expires)}`;
    return `${t}}}`;
  };
  const notification = (d: Diagnostic) => ({
    level: d.severity === "info" ? "note" : d.severity,
    message: { text: d.hint ? `${d.message} (hint: ${d.hint})` : d.message },
    descriptor: { id: d.code },
    ...(d.location ? { locations: [{ physicalLocation: physical(locationView(d.location)) }] } : {}),
  });
  // Numbers, not views, until each result is written: SARIF keeps at most 25,000 results, and the
  // mitigated findings' entries are made as their lines are written.
  const views = analysis.findingsView;
  const { results: candidates, mitigated } = splitByResult(views);
  const read = viewFields(views);
  const kept = mostSevere(candidates, (i) => read.severity(i), ctx.sarifMaxResults ?? SARIF_MAX_RESULTS);
  const shown = new ByNumber(kept, (i) => views.at(i)!);
  const mitigatedFinding = (f: FindingView) => {
    const mitigatedBy: string[] = [];
    eachMitigation(f, (control) => mitigatedBy.push(control));
    return {
      findingId: f.id,
      fingerprint: f.fingerprint,
      ruleId: f.rule,
      severity: f.severity,
      residualSeverity: f.residual.severity,
      mitigatedBy,
    };
  };
  const mitigatedFindings = new ByNumber(mitigated, (i) => mitigatedFinding(views.at(i)!));
  type MitigatedFinding = ReturnType<typeof mitigatedFinding>;
  // Any lists read by position: plain ones for the log as an object (`sarifLog`), lists made on read
  // for the file (json-layout writes them item by item). The log's type keeps the lists' own.
  const logWith = <Rs extends ReadList<unknown>, Ms extends ReadList<MitigatedFinding>>(
    results: Rs,
    mitigatedList: Ms,
  ) => ({
    $schema: SARIF_SCHEMA_URI,
    version: "2.1.0",
    runs: [
      {
        tool: {
          driver: {
            name: "aithreat",
            version: ctx.toolVersion,
            semanticVersion: ctx.toolVersion,
            informationUri: PROJECT_URL,
            rules: rules.map((r) => ruleDescriptor(r.meta)),
          },
        },
        invocations: [
          {
            executionSuccessful: true,
            ...(ctx.generatedAt !== undefined ? { endTimeUtc: ctx.generatedAt } : {}),
            toolExecutionNotifications: (ctx.diagnostics ?? analysis.diagnostics).map(notification),
          },
        ],
        originalUriBaseIds: {
          [SRCROOT]: {
            description: {
              text: "The project root (`--root`; by default the folder holding .git or aithreat.json).",
            },
          },
        },
        artifacts: artifacts.map((p) => ({
          location: { uri: pathToUri(p), uriBaseId: SRCROOT },
          sourceLanguage: "aithreat",
        })),
        columnKind: "utf16CodeUnits",
        results,
        properties: {
          evaluatedOn: analysis.model.today,
          // Left out past the cap (the least severe): findings.json has every finding.
          ...(shown.length < candidates.length ? { resultsLeftOut: candidates.length - shown.length } : {}),
          mitigatedFindings: mitigatedList,
        },
      },
    ],
  });
  return { logWith, shown, result, resultText, mitigatedFindings };
}

/**
 * The lists of the log written one compact item per line besides the results (see json-layout.ts);
 * rules stay indented.
 */
const SARIF_LINES: readonly JsonPath[] = [
  ["runs", 0, "artifacts"],
  ["runs", 0, "invocations", 0, "toolExecutionNotifications"],
  ["runs", 0, "properties", "mitigatedFindings"],
];

/** `findings.sarif`: SARIF 2.1.0, results located at `.aithreat` lines. */
export const sarifEmitter: Emitter = {
  name: "findings.sarif",
  emit: (ctx) => {
    const { logWith, shown, resultText, mitigatedFindings } = sarifParts(ctx);
    const lines: (JsonLines | JsonPath)[] = [
      { path: ["runs", 0, "results"], text: resultText },
      ...SARIF_LINES,
    ];
    // The lists stay lists made on read: json-layout writes each item as its line is written.
    return [jsonFile("findings.sarif", logWith(shown, mitigatedFindings), lines)];
  },
};
