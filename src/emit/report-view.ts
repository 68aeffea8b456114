/**
 * The view model of the reports and checklists. Two layers:
 *
 * 1. `reportData(analysis)`: what the reports say, as plain data: counts, findings grouped and sorted,
 *    crown jewels, paths, diagrams. Computed once per analysis (every list sorted, so the same model
 *    gives the same report) in time linear in the findings, plus a sort.
 * 2. `reportView(data, format)`: the same content as strings escaped for one output format
 *    (Markdown or HTML). Every string a template shows is a `Safe`, which only a `Format` can make:
 *    nothing from the model reaches a template unescaped, and templates only lay strings out.
 *
 * Large models produce tens of thousands of findings; a report lists the most severe of each kind up to
 * the caps in `REPORT_LIMITS` and says how many more there are. The complete data is in findings.json
 * and checklist.csv.
 */
import type { CompileAnalysis } from "../compiler.js";
import { SEVERITIES } from "../analysis/findings.js";
import { formatValue } from "../analysis/metrics/registry.js";
import { scorecardOf, type ScorecardEntry } from "../analysis/metrics/scorecard.js";
import nist from "../../data/nist.json" with { type: "json" };
import { OWASP } from "../catalog/frameworks.js";
import { byExposure, DIAGRAM_LIMITS, diagramSet, diagramViews, type DiagramView } from "./diagrams/index.js";
import { escapeHtml, markdownCode, markdownEscaper } from "./escape.js";
import {
  ByNumber,
  compareNumbersById,
  compareViewIds,
  viewFields,
  type FindingRows,
  type FindingView,
  type FindingViewList,
} from "./findings-view.js";
import type { LocationView } from "./location-view.js";
import {
  noStepsRelation,
  type CutView,
  type PathView,
  type StepView,
  type TargetView,
} from "./paths-view.js";
import { targetMermaid } from "./paths-mermaid.js";
import { percent, plural } from "../words.js";

// ---- limits ------------------------------------------------------------------------------------

/**
 * How much each section lists before it says "and N more". Chosen so a 100k-component model still
 * gives a report a person can scroll and a browser can open: a few hundred findings in detail, the
 * rest counted, everything in findings.json and checklist.csv.
 */
export const REPORT_LIMITS = {
  /** Open findings shown in detail per severity. */
  findingsPerSeverity: 50,
  /** Rows of the findings-by-component table. */
  componentRows: 100,
  /** Open findings named in a row of the findings-by-component table. */
  findingsPerComponentRow: 8,
  /** Rows of each status table (mitigated, accepted, expired acceptances, assumptions). */
  statusRows: 200,
  /** Rows of the crown-jewel exposure table. */
  crownRows: 100,
  /** Crown jewels whose attack paths are drawn and listed (as many as the diagram stage draws). */
  pathTargets: DIAGRAM_LIMITS.pathTargets,
  /** Open findings per owner's file once checklist.md is split (checklist.csv has all of them). */
  checklistFindingsPerOwner: 200,
  /** Open findings over all owners' files of a split checklist, shared among them (`checklistPerOwner`). */
  checklistFindings: 5000,
  /** Lines of the metrics table in the scorecard. */
  metricRows: 60,
  /** Largest diagram inlined into a report: Mermaid's default `maxTextSize`, which GitHub keeps. */
  inlineDiagramChars: 50_000,
  /**
   * Mermaid source of the zone and agent views report.html carries to draw on demand, over all of
   * them, in the order they are listed (declaration order); the rest are listed by file. A
   * 10k-component model's 160 views are 1.2 MB, which raised the compile's peak memory by 14 MB.
   */
  inlineViewChars: 400_000,
  /**
   * Zone and agent views listed (and, in HTML, drawable); `diagrams/index.md` lists every one. The
   * diagram limits allow 160 (60 zones, 60 parts, 40 agents).
   */
  viewRows: 100,
  /** Controls (and uncuttable steps) named in one cheapest-cut cell; paths.json has every one. */
  cutItems: 12,
  /** Chokepoints named per entry class in one exposure-table cell; paths.json has every one. */
  chokepoints: 5,
} as const;

// ---- formats -----------------------------------------------------------------------------------

declare const SAFE: unique symbol;
/** A string escaped for the output format it is in; only a `Format` makes one. */
export type Safe = string & { readonly [SAFE]: true };

/** How one output format escapes and marks up text; report and checklist views are built through it. */
export interface Format {
  readonly name: "md" | "md-cell" | "html";
  /** Plain text from the model (or anywhere): escaped, newlines folded. */
  text(s: string): Safe;
  /** A name or other literal shown as code. */
  code(s: string): Safe;
  /** Text in which the rules mark names with backticks (messages, facts): those become code. */
  rich(s: string): Safe;
  /** A link to an external reference; `href` comes from aithreat's catalogs, never from a model. */
  link(href: string, label: string): Safe;
  /**
   * A relative link to a file of the same output folder, labelled with its path as code: `file` is a
   * path aithreat wrote (`diagrams/<view id>.mmd`), never a model's text; each segment is
   * percent-encoded all the same.
   */
  fileLink(file: string): Safe;
  /** Emphasis. */
  strong(s: Safe): Safe;
  /** A `file:line` location as code. */
  loc(l: LocationView): Safe;
  /** Joins escaped parts with a separator written by aithreat (not from a model). */
  join(parts: readonly Safe[], sep: string): Safe;
  /** Text written by aithreat itself, trusted as markup for this format. */
  lit(s: string): Safe;
}

const safe = (s: string) => s as Safe;

/** Splits rule text at backticks: odd segments are code; an unmatched backtick stays text. */
function rich(fmt: Pick<Format, "text" | "code">, s: string): Safe {
  const parts = s.split("`");
  let out = "";
  for (let i = 0; i < parts.length; i++) {
    const part = parts[i]!;
    if (i % 2 === 0) out += fmt.text(part);
    else if (i === parts.length - 1) out += fmt.text(`\`${part}`);
    else out += fmt.code(part);
  }
  return safe(out);
}

/** A relative path as a link target: each segment percent-encoded, parentheses too (they end a Markdown link). */
function relativeHref(file: string): string {
  return file
    .split("/")
    .map((seg) =>
      encodeURIComponent(seg).replace(/[()!'*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`),
    )
    .join("/");
}

/** Only https URLs made of URL characters: a catalog id that is not one gets no link. */
function checkedHref(href: string): string | undefined {
  return /^https:\/\/[A-Za-z0-9._~:/?#@!$&*+,;=%-]+$/.test(href) ? href : undefined;
}

// Beyond escape.ts's `escapeMarkdown`: `=` (a line of them turns the line above into a heading), `$`
// (GitHub renders `$...$` as math), and `:` and `@`, whose escapes stop GFM's extended autolinks
// (`https://...`, `user@host`) from turning model text into links.
const mdText = markdownEscaper("=$:@");

function markdownFormat(cell: boolean): Format {
  const code = (s: string) => {
    const c = markdownCode(s);
    // In a table cell a pipe ends the cell even inside a code span; GFM lets `\|` stand for it.
    return safe(cell ? c.replace(/\|/g, "\\|") : c);
  };
  const text = (s: string) => safe(mdText(s));
  return {
    name: cell ? "md-cell" : "md",
    text,
    code,
    rich: (s) => rich({ text, code }, s),
    link: (href, label) => {
      const h = checkedHref(href);
      return h ? safe(`[${mdText(label)}](${h.replace(/[()]/g, encodeURIComponent)})`) : text(label);
    },
    fileLink: (file) => safe(`[${code(file)}](${relativeHref(file)})`),
    strong: (s) => safe(`**${s}**`),
    loc: (l) => code(`${l.file}:${l.line}`),
    join: (parts, sep) => safe(parts.join(sep)),
    lit: safe,
  };
}

/** GitHub-flavoured Markdown outside tables (paragraphs, lists, headings). */
export const MARKDOWN: Format = markdownFormat(false);
/** GitHub-flavoured Markdown inside a table cell. */
export const MARKDOWN_CELL: Format = markdownFormat(true);

/** Where an identifier in HTML may wrap: after these, when more of it follows (escaped text has none in entities). */
const WRAP_AFTER = /([_./:-])(?=[^\s<])/g;

/** HTML text and attribute values (attributes always double-quoted). */
export const HTML: Format = (() => {
  const text = (s: string) => safe(escapeHtml(s));
  // Identifiers wrap after `_`, `.`, `/`, `:` and `-` (`customer_<wbr>records`), never mid-word: a
  // narrow table cell broke `customer_recor|ds` where the stylesheet let code wrap anywhere.
  const code = (s: string) => safe(`<code>${escapeHtml(s).replace(WRAP_AFTER, "$1<wbr>")}</code>`);
  return {
    name: "html",
    text,
    code,
    rich: (s) => rich({ text, code }, s),
    link: (href, label) => {
      const h = checkedHref(href);
      return h ? safe(`<a href="${escapeHtml(h)}" rel="noreferrer">${escapeHtml(label)}</a>`) : text(label);
    },
    fileLink: (file) => safe(`<a href="${escapeHtml(relativeHref(file))}">${code(file)}</a>`),
    strong: (s) => safe(`<strong>${s}</strong>`),
    loc: (l) => code(`${l.file}:${l.line}`),
    join: (parts, sep) => safe(parts.join(sep)),
    lit: safe,
  };
})();

// ---- reference links ---------------------------------------------------------------------------

const ATLAS_TECHNIQUE_URL = "https://atlas.mitre.org/techniques/";
const ATLAS_MITIGATION_URL = "https://atlas.mitre.org/mitigations/";

// OWASP's per-entry page addresses follow no stable pattern across lists and years: data/owasp.json
// records an entry's own page where it is known (LLM 2025, ML 2023), else the id links to its list's.
const OWASP_SOURCE: ReadonlyMap<string, string> = new Map(
  Object.values(OWASP).flatMap((list) =>
    list.entries.map((e: { id: string; url?: string }) => [e.id, e.url ?? list.source] as const),
  ),
);

/** The page of an ATLAS technique. */
export const atlasTechniqueUrl = (id: string) => `${ATLAS_TECHNIQUE_URL}${encodeURIComponent(id)}`;
/** The page of an ATLAS mitigation. */
export const atlasMitigationUrl = (id: string) => `${ATLAS_MITIGATION_URL}${encodeURIComponent(id)}`;
/** The page of an OWASP entry, or of the list it belongs to. */
export const owaspUrl = (id: string) => OWASP_SOURCE.get(id);
/** The NIST AI 100-2 publication. */
export const NIST_URL = nist.source;

// ---- helpers -----------------------------------------------------------------------------------

/** Code-unit order: the same in every locale, unlike `localeCompare`. */
export const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Severities from the most severe down. */
export const SEVERITY_ORDER: readonly string[] = [...SEVERITIES].reverse();
const sevRank = (s: string) => SEVERITY_ORDER.indexOf(s);

/** Findings most severe first, then by id. */
export const bySeverityThenId = (a: FindingView, b: FindingView) =>
  sevRank(a.severity) - sevRank(b.severity) || compareViewIds(a, b);

/** `bySeverityThenId` of the findings of `list` by their numbers, reading no view of built views. */
export function bySeverityThenIdOf(list: FindingViewList): (a: number, b: number) => number {
  const read = viewFields(list);
  const byId = compareNumbersById(list);
  return (a, b) => sevRank(read.severity(a)) - sevRank(read.severity(b)) || byId(a, b);
}

/** `entry_class` as words. */
const words = (s: string) => s.replace(/_/g, " ");

/** A subject's grouping key: its type and name (a flow and a component may share a name). */
export const subjectKey = (s: FindingView["subject"]) => `${s.type}:${s.name}`;

/** The first `limit` items and how many were left out. */
function capped<T>(
  items: { readonly length: number; slice(start?: number, end?: number): T[] },
  limit: number,
): { shown: T[]; more: number } {
  return { shown: items.slice(0, limit), more: Math.max(0, items.length - limit) };
}

/** A number as text: digits, a point and a minus sign need no escaping in any format. */
const fmtNumber = (n: number) => String(Math.round(n * 1e4) / 1e4);

// ---- layer 1: report data ------------------------------------------------------------------------

/** Counts of one severity by status (threat findings). */
export interface SeverityCounts {
  severity: string;
  open: number;
  mitigated: number;
  accepted: number;
  total: number;
}

/** One component (or flow, or data asset) with findings. */
export interface SubjectRow {
  subject: FindingView["subject"];
  owner?: string;
  open: Record<string, number>;
  /** The open findings on the subject, most severe first (filled from the sorted severity lists). */
  openFindings: FindingRows;
  mitigated: number;
  accepted: number;
  /** Most severe open finding (index into SEVERITY_ORDER; SEVERITY_ORDER.length when none). */
  worst: number;
}

/** A scorecard line: a metric from the metrics stage, or a count the reports compute themselves. */
export interface MetricRow {
  name: string;
  value: string;
  /** Which way is better, when the metric says. */
  better?: string;
  /** Against a policy threshold, when one is set. */
  status?: string;
}

/** What the reports say, before any format. */
export interface ReportData {
  readonly title: string;
  readonly systems: readonly {
    title: string;
    owner?: string;
    version?: string;
    description?: string;
    contact?: string;
    repository?: string;
  }[];
  readonly files: readonly string[];
  readonly toolVersion: string;
  readonly generatedAt?: string;
  readonly stats: { components: number; zones: number; flows: number; data: number };
  readonly findings: number;
  readonly status: { open: number; mitigated: number; accepted: number };
  readonly bySeverity: readonly SeverityCounts[];
  /** Open threat findings per severity (most severe first), each list sorted. */
  readonly open: readonly { severity: string; findings: FindingRows }[];
  readonly subjects: readonly SubjectRow[];
  readonly mitigated: FindingRows;
  readonly accepted: FindingRows;
  /** Findings whose acceptance has expired (they count as open or mitigated again). */
  readonly expired: FindingRows;
  readonly assumptions: FindingRows;
  /** Every crown-jewel target, exposed first, most likely first. */
  readonly targets: readonly TargetView[];
  readonly crownJewels: { total: number; exposed: readonly string[] };
  readonly cut: CutView;
  readonly notes: readonly string[];
  /** The metrics stage's scorecard when the analysis has one, else undefined. */
  readonly metrics?: readonly MetricRow[];
  readonly overview?: DiagramView;
  /** Path diagrams from the diagram views, by the path they draw (see `matchPathViews`). */
  readonly pathViews: ReadonlyMap<string, DiagramView>;
  readonly otherPathViews: readonly DiagramView[];
  /** Zone and agent views, listed with their files. */
  readonly views: readonly DiagramView[];
  /** Zones and agents the diagram limits left without a view (diagrams/index.md lists them). */
  readonly viewsLeftOut: { zones: number; agents: number };
  /** Titles of the crown jewels of `targets` (components, zones, data) by `type:name`. */
  readonly titles: ReadonlyMap<string, string>;
}

const cache = new WeakMap<CompileAnalysis, Map<string, ReportData>>();

/**
 * The report data of an analysis. Cached per analysis and run options, because report.md,
 * report.html and the checklists all read it and computing it walks every finding.
 */
export function reportData(
  analysis: CompileAnalysis,
  run: { toolVersion: string; generatedAt?: string },
): ReportData {
  const key = `${run.toolVersion}\u0000${run.generatedAt ?? ""}`;
  let perRun = cache.get(analysis);
  if (!perRun) cache.set(analysis, (perRun = new Map<string, ReportData>()));
  let data = perRun.get(key);
  if (!data) perRun.set(key, (data = buildReportData(analysis, run)));
  return data;
}

/**
 * Drops an analysis's cached report data: a compile that writes each output before making the next
 * calls it once report.md and report.html are written (`releaseAfter`), so the data (about 450 bytes
 * per finding) is not held through the checklist, the largest output's making. A later read builds
 * it again.
 */
export function forgetReportData(analysis: CompileAnalysis): void {
  cache.delete(analysis);
}

/** What the reports and the checklist are titled: the system, the number of systems, or the file. */
export function reportTitle(m: CompileAnalysis["model"]): string {
  return m.systems.length === 1
    ? m.systems[0]!.title
    : m.systems.length > 1
      ? `${m.systems.length} systems`
      : (m.files[0]?.path ?? "model");
}

function buildReportData(
  analysis: CompileAnalysis,
  run: { toolVersion: string; generatedAt?: string },
): ReportData {
  const m = analysis.model;
  const systems = m.systems.map((s) => ({
    title: s.title,
    ...(s.owner !== undefined ? { owner: s.owner } : {}),
    ...(s.version !== undefined ? { version: s.version } : {}),
    ...(s.description !== undefined ? { description: s.description } : {}),
    ...(s.contact !== undefined ? { contact: s.contact } : {}),
    ...(s.repository !== undefined ? { repository: s.repository } : {}),
  }));
  const title = reportTitle(m);

  // The tables keep the findings' numbers (positions in the views), not their views: every threat
  // is in one of them, and the lists live as long as the report data (report.md and report.html).
  const findings = analysis.findingsView;
  const read = viewFields(findings);
  const viewOf = (i: number) => findings.at(i)!;
  const bySeverityThenIdAt = bySeverityThenIdOf(findings);
  const rows = (list: ArrayLike<number>): FindingRows => new ByNumber(list, viewOf);

  const sev = new Map(
    SEVERITY_ORDER.map((s) => [s, { severity: s, open: 0, mitigated: 0, accepted: 0, total: 0 }]),
  );
  const openBySeverity = new Map<string, number[]>(SEVERITY_ORDER.map((s) => [s, []]));
  const mitigated: number[] = [];
  const accepted: number[] = [];
  const expired: number[] = [];
  const assumptions: number[] = [];
  let openThreats = 0;
  const subjects = new Map<string, SubjectRow>();
  // A finding finds its row by its subject view (the findings view shares one per subject): the
  // row of the previous finding first (a rule's findings on one subject follow each other), then by
  // identity; a key is made only for a view seen first. The sort reads the keys the map holds.
  // Each row with the numbers of its open findings, in the views' order until sorted.
  const rowOf = new Map<FindingView["subject"], { row: SubjectRow; open: number[] }>();
  const rowsByKey = new Map<SubjectRow, { row: SubjectRow; open: number[] }>();
  let lastSubject: FindingView["subject"] | undefined;
  let lastRow: { row: SubjectRow; open: number[] } | undefined;
  for (let i = 0; i < findings.length; i++) {
    const f = findings.at(i)!;
    if (f.category === "assumption") {
      assumptions.push(i);
      continue;
    }
    const status = f.status;
    const severity = f.severity;
    const c = sev.get(severity);
    if (c) {
      c[status]++;
      c.total++;
    }
    if (status === "open") {
      openThreats++;
      openBySeverity.get(severity)?.push(i);
    } else if (status === "mitigated") mitigated.push(i);
    else accepted.push(i);
    if (f.acceptance?.expired) expired.push(i);
    const subject = f.subject;
    let built = subject === lastSubject ? lastRow : rowOf.get(subject);
    if (!built) {
      const key = subjectKey(subject);
      const known = subjects.get(key);
      if (known) built = rowsByKey.get(known)!;
      else {
        const row: SubjectRow = {
          subject,
          open: {},
          openFindings: [],
          mitigated: 0,
          accepted: 0,
          worst: SEVERITY_ORDER.length,
        };
        if (f.owner !== undefined) row.owner = f.owner;
        subjects.set(key, row);
        rowsByKey.set(row, (built = { row, open: [] }));
      }
      rowOf.set(subject, built);
    }
    lastSubject = subject;
    lastRow = built;
    const row = built.row;
    if (status === "open") {
      built.open.push(i);
      row.open[severity] = (row.open[severity] ?? 0) + 1;
      row.worst = Math.min(row.worst, sevRank(severity));
    } else row[status]++;
  }
  for (const list of openBySeverity.values()) list.sort(bySeverityThenIdAt);
  // Each row's open findings in the same order (most severe first, then by id).
  for (const { row, open } of rowsByKey.values()) row.openFindings = rows(open.sort(bySeverityThenIdAt));
  mitigated.sort(bySeverityThenIdAt);
  accepted.sort(bySeverityThenIdAt);
  expired.sort(bySeverityThenIdAt);
  assumptions.sort((a, b) => cmp(read.status(a), read.status(b)) || bySeverityThenIdAt(a, b));
  const subjectRows = [...subjects]
    .sort(
      ([ka, a], [kb, b]) =>
        a.worst - b.worst ||
        b.openFindings.length - a.openFindings.length ||
        b.mitigated + b.accepted - (a.mitigated + a.accepted) ||
        cmp(ka, kb),
    )
    .map(([, row]) => row);

  const reachable = (t: TargetView) => t.exposure.some((e) => e.reachable);
  // The order the diagram stage picks the targets it draws paths for, so both pick the same ones.
  const targets = [...analysis.pathsView.targets].sort(byExposure);
  const exposed = [...new Set(targets.filter(reachable).map((t) => t.crown))].sort(cmp);

  const views = diagramViews(analysis);
  const { byPath, other } = matchPathViews(views);

  // Only the crown jewels' titles are looked up: a key per titled component cost a string and an
  // entry each (10^5 at 100k components) for a few hundred lookups.
  const crowns = new Set(targets.map((t) => t.crown));
  const titles = new Map<string, string>();
  for (const z of m.zones) if (z.title && crowns.has(z.name)) titles.set(`zone:${z.name}`, z.title);
  for (const c of m.components) if (c.title && crowns.has(c.name)) titles.set(`component:${c.name}`, c.title);
  for (const d of m.data) if (d.title && crowns.has(d.name)) titles.set(`data:${d.name}`, d.title);

  const metrics = metricRows(analysis);
  return {
    title,
    systems,
    files: m.files.map((f) => f.path),
    toolVersion: run.toolVersion,
    ...(run.generatedAt !== undefined ? { generatedAt: run.generatedAt } : {}),
    stats: {
      components: m.components.length,
      zones: m.zones.length,
      flows: m.flows.length,
      data: m.data.length,
    },
    findings: analysis.findingsView.length,
    status: {
      open: openThreats,
      mitigated: mitigated.length,
      accepted: accepted.length,
    },
    bySeverity: [...sev.values()],
    open: SEVERITY_ORDER.map((s) => ({ severity: s, findings: rows(openBySeverity.get(s)!) })).filter(
      (g) => g.findings.length > 0,
    ),
    subjects: subjectRows,
    mitigated: rows(mitigated),
    accepted: rows(accepted),
    expired: rows(expired),
    assumptions: rows(assumptions),
    targets,
    crownJewels: { total: new Set(m.crownJewels.map((c) => c.name)).size, exposed },
    cut: analysis.pathsView.cut,
    notes: analysis.pathsView.notes,
    ...(metrics ? { metrics } : {}),
    ...(views.find((v) => v.kind === "overview")
      ? { overview: views.find((v) => v.kind === "overview")! }
      : {}),
    pathViews: byPath,
    otherPathViews: other,
    views: views.filter((v) => v.kind === "zone" || v.kind === "agent"),
    viewsLeftOut: {
      zones: diagramSet(analysis).leftOut.zones.length,
      agents: diagramSet(analysis).leftOut.agents.length,
    },
    titles,
  };
}

/** The attack path a path view draws, when the diagram stage says (`DiagramView.path`). */
type PathRef = { crown: string; property: string; rank: number };
const pathKey = (p: PathRef) => `${p.crown}\u0000${p.property}\u0000${p.rank}`;

/**
 * Path diagrams by the path they draw (crown jewel, property, rank within the target), read from
 * `DiagramView.path`; path views that do not say are returned apart and listed on their own.
 */
export function matchPathViews(views: readonly DiagramView[]): {
  byPath: Map<string, DiagramView>;
  other: DiagramView[];
} {
  const byPath = new Map<string, DiagramView>();
  const other: DiagramView[] = [];
  for (const v of views) {
    if (v.kind !== "path") continue;
    const ref = (v as DiagramView & { path?: PathRef }).path;
    if (ref && !byPath.has(pathKey(ref))) byPath.set(pathKey(ref), v);
    else other.push(v);
  }
  return { byPath, other };
}

// ---- the scorecard's metrics ---------------------------------------------------------------------

/** A threshold as the policy column shows it: `release: at most 0`. */
function thresholdText(e: ScorecardEntry, t: NonNullable<ScorecardEntry["thresholds"]>[number]): string {
  return `${t.policy}: ${t.bound === "min" ? "at least" : "at most"} ${formatValue(e, t.value)}${t.passed ? "" : ", not met"}`;
}

/**
 * The scorecard's metric lines, straight from the metrics module's scorecard (the same entries
 * metrics.json carries, computed once per run): title, value, which way is better and, when a policy
 * sets a threshold on the metric, its verdict and the thresholds. Undefined for an analysis without
 * metrics (hand-built analyses in tests): the reports then show only the counts they compute.
 */
export function metricRows(analysis: CompileAnalysis): MetricRow[] | undefined {
  const { metrics, policy } = analysis as Partial<Pick<CompileAnalysis, "metrics" | "policy">>;
  if (!metrics) return undefined;
  return scorecardOf(metrics, policy).map((e) => ({
    name: e.title,
    value: e.display,
    better: e.direction,
    ...(e.status
      ? { status: `${e.status} (${(e.thresholds ?? []).map((t) => thresholdText(e, t)).join("; ")})` }
      : {}),
  }));
}

// ---- layer 2: views for one format ---------------------------------------------------------------

/** A finding as the report templates show it. */
export interface FindingV {
  /** HTML id and link target: `f-` + the fingerprint (hex). */
  anchor: Safe;
  id: Safe;
  rule: Safe;
  title: Safe;
  message: Safe;
  subject: Safe;
  subjectKind: Safe;
  subjectTitle: Safe;
  severity: Safe;
  status: Safe;
  likelihood: Safe;
  impact: Safe;
  rationale: Safe;
  owner: Safe;
  system: Safe;
  location: Safe;
  facts: { text: Safe; where: Safe }[];
  recommended: { control: Safe; title: Safe; atlas: Safe; declared: boolean; bypassed: boolean }[];
  mitigatedBy: { control: Safe; where: Safe; impliedBy: Safe }[];
  residual: Safe;
  stride: Safe;
  atlas: Safe;
  owasp: Safe;
  nist: Safe;
  /** The acceptance, also when expired; `expired` says which. */
  acceptance: {
    reason: Safe;
    owner: Safe;
    expires: Safe;
    ticket: Safe;
    expired: boolean;
    where: Safe;
  } | null;
  /** Values for the HTML filters (`data-*` attributes). */
  filter: { severity: Safe; status: Safe; component: Safe };
}

/** One step of an attack path. */
export interface StepV {
  from: Safe;
  to: Safe;
  kind: Safe;
  technique: Safe;
  likelihood: Safe;
  controls: Safe;
  where: Safe;
  exfil: boolean;
}

/** One crown jewel's attack paths. */
export interface TargetPathsV {
  anchor: Safe;
  crown: Safe;
  crownTitle: Safe;
  property: Safe;
  mode: Safe;
  /** One diagram of all listed paths, when the diagram stage drew none of them. */
  diagrams: DiagramV[];
  paths: {
    rank: number;
    /** This path's own diagram from the diagram stage. */
    diagram: DiagramV | null;
    entry: Safe;
    entryClasses: Safe;
    likelihood: Safe;
    route: Safe;
    crossing: Safe;
    steps: StepV[];
  }[];
  more: number;
}

/** A diagram inlined into a report (the source is empty when it is too large to inline). */
export interface DiagramV {
  title: Safe;
  mermaid: Safe;
  fence: Safe;
  tooLarge: boolean;
  file: Safe;
}

/** The whole report view handed to report.md.hbs and report.html.hbs. */
export interface ReportView {
  title: Safe;
  systems: { title: Safe; owner: Safe; version: Safe; description: Safe; contact: Safe; repository: Safe }[];
  files: Safe;
  fileCount: number;
  toolVersion: Safe;
  generatedAt: Safe;
  summary: Safe;
  scorecard: { name: Safe; value: Safe }[];
  bySeverity: { severity: Safe; open: number; mitigated: number; accepted: number; total: number }[];
  metrics: { rows: { name: Safe; value: Safe; better: Safe; status: Safe }[]; more: number } | null;
  overview: DiagramV | null;
  /**
   * Zone and agent views, the first `REPORT_LIMITS.viewRows`, as table cells: report.html also draws
   * each (when opened), report.md links their files. `nodes`: nodes drawn, legend included.
   */
  views: {
    title: Safe;
    file: Safe;
    link: Safe;
    kind: Safe;
    nodes: number | null;
    diagram: DiagramV | null;
  }[];
  /** Zone and agent views past `REPORT_LIMITS.viewRows` (diagrams/index.md lists every view). */
  viewsMore: number;
  /** A sentence saying which zones and agents have no view and where they are listed; empty when none. */
  viewsLeftOut: Safe;
  entryClasses: Safe[];
  crownRows: {
    anchor: Safe;
    crown: Safe;
    crownTitle: Safe;
    property: Safe;
    mode: Safe;
    exposed: boolean;
    exposure: Safe[];
    chokepoints: Safe;
    cut: Safe;
  }[];
  crownMore: number;
  pathTargets: TargetPathsV[];
  pathTargetsMore: number;
  otherPathDiagrams: DiagramV[];
  notes: Safe[];
  open: { severity: Safe; count: number; findings: FindingV[]; more: number }[];
  openCount: number;
  components: {
    subject: Safe;
    kind: Safe;
    owner: Safe;
    counts: number[];
    openTotal: number;
    /** The component's open findings, most severe first: each links to its entry where the report has one. */
    openFindings: { id: Safe; anchor: Safe | null }[];
    openFindingsMore: number;
    mitigated: number;
    accepted: number;
    filter: Safe;
  }[];
  componentsMore: number;
  severities: Safe[];
  mitigated: { rows: StatusRowV[]; more: number; count: number };
  accepted: { rows: StatusRowV[]; more: number; count: number };
  expired: { rows: StatusRowV[]; more: number; count: number };
  assumptions: { rows: StatusRowV[]; more: number; count: number };
  /** For the HTML filters: every subject that appears in the report, sorted. */
  filterComponents: Safe[];
}

/** A finding as a row of a status table (mitigated, accepted, expired, assumptions). */
export interface StatusRowV {
  anchor: Safe;
  id: Safe;
  title: Safe;
  message: Safe;
  subject: Safe;
  severity: Safe;
  residual: Safe;
  status: Safe;
  controls: Safe;
  owner: Safe;
  reason: Safe;
  expires: Safe;
  ticket: Safe;
  where: Safe;
  filter: { severity: Safe; status: Safe; component: Safe };
}

/** A Markdown code fence long enough that no run of backticks inside the diagram can close it. */
function fenceFor(text: string): string {
  let longest = 0;
  for (const run of text.match(/`+/g) ?? []) longest = Math.max(longest, run.length);
  return "`".repeat(Math.max(3, longest + 1));
}

/** The zone and agent views: in HTML, those that fit `inlineViewChars` carry their diagram. */
export function viewsV(f: Format, views: readonly DiagramView[]): ReportView["views"] {
  let budget = f.name === "html" ? REPORT_LIMITS.inlineViewChars : 0;
  return views.map((v) => {
    const inline = v.mermaid.length <= budget;
    if (inline) budget -= v.mermaid.length;
    return {
      title: f.text(v.title),
      file: f.code(`diagrams/${v.id}.mmd`),
      link: f.fileLink(`diagrams/${v.id}.mmd`),
      kind: f.text(v.kind),
      nodes: v.nodes ?? null,
      diagram: inline ? diagramV(f, v) : null,
    };
  });
}

function diagramV(f: Format, v: { id: string; title: string; mermaid: string }): DiagramV {
  const tooLarge = v.mermaid.length > REPORT_LIMITS.inlineDiagramChars;
  // In Markdown the diagram goes verbatim into a fence sized to it (Mermaid labels are already
  // escaped for Mermaid); in HTML it is text inside <pre>, which Mermaid reads back unescaped.
  const mermaid = tooLarge ? "" : f.name === "html" ? escapeHtml(v.mermaid) : v.mermaid.replace(/\n$/, "");
  return {
    title: f.text(v.title),
    mermaid: safe(mermaid),
    fence: safe(fenceFor(v.mermaid)),
    tooLarge,
    file: f.code(`diagrams/${v.id}.mmd`),
  };
}

function findingV(f: Format, x: FindingView): FindingV {
  const mapping = (items: { id: string; name: string }[], url: (id: string) => string | undefined) =>
    f.join(
      items.map((i) => {
        const href = url(i.id);
        const label = i.name ? `${i.id} ${i.name}` : i.id;
        return href ? f.link(href, label) : f.text(label);
      }),
      "; ",
    );
  return {
    anchor: f.text(findingAnchor(x)),
    id: f.code(x.id),
    rule: f.text(x.rule),
    title: f.text(x.title),
    message: f.rich(x.message),
    subject: f.code(x.subject.name),
    subjectKind: f.text(x.subject.kind),
    subjectTitle: f.text(x.subject.title ?? ""),
    severity: f.text(x.severity),
    status: f.text(x.status),
    likelihood: f.text(words(x.likelihood)),
    impact: f.text(words(x.impact)),
    rationale: f.rich(x.rationale),
    owner: f.text(x.owner ?? ""),
    system: f.text(x.system ?? ""),
    location: f.loc(x.location),
    facts: x.facts.map((fact) => ({ text: f.rich(fact.text), where: f.loc(fact.location) })),
    recommended: x.recommended.map((r) => ({
      control: f.code(r.control),
      title: f.text(r.title),
      atlas: mapping(r.atlas, atlasMitigationUrl),
      declared: r.declared,
      bypassed: r.bypassed,
    })),
    mitigatedBy: x.mitigatedBy.map((u) => ({
      control: f.code(u.control),
      where: f.loc(u.location),
      impliedBy: u.impliedBy ? f.code(u.impliedBy) : f.lit(""),
    })),
    residual: f.text(`${x.residual.severity} (likelihood ${words(x.residual.likelihood)})`),
    stride: f.text(x.mappings.stride.map(words).join(", ")),
    atlas: mapping(x.mappings.atlas, atlasTechniqueUrl),
    owasp: mapping(x.mappings.owasp, owaspUrl),
    nist: mapping(x.mappings.nist, () => NIST_URL),
    acceptance: x.acceptance
      ? {
          reason: f.text(x.acceptance.reason),
          owner: f.text(x.acceptance.owner),
          expires: f.text(x.acceptance.expires),
          ticket: f.text(x.acceptance.ticket ?? ""),
          expired: x.acceptance.expired,
          where: f.loc(x.acceptance.location),
        }
      : null,
    filter: filterV(f, x),
  };
}

/** The id a finding's entry has in report.html, for links to it. */
const findingAnchor = (x: FindingView): string => `f-${x.fingerprint}`;

/** A row's open findings, the first few named, each linked to its entry when the report shows it. */
function openFindingsV(f: Format, open: FindingRows, shown: ReadonlySet<string>) {
  const c = capped(open, REPORT_LIMITS.findingsPerComponentRow);
  return {
    openFindings: c.shown.map((x) => ({
      id: f.code(x.id),
      anchor: shown.has(x.fingerprint) ? f.text(findingAnchor(x)) : null,
    })),
    openFindingsMore: c.more,
  };
}

function filterV(f: Format, x: FindingView) {
  return { severity: f.text(x.severity), status: f.text(x.status), component: f.text(x.subject.name) };
}

function statusRowV(f: Format, x: FindingView): StatusRowV {
  return {
    anchor: f.text(findingAnchor(x)),
    id: f.code(x.id),
    title: f.text(x.title),
    message: f.rich(x.message),
    subject: f.code(x.subject.name),
    severity: f.text(x.severity),
    residual: f.text(x.residual.severity),
    status: f.text(x.status),
    controls: f.join(
      x.mitigatedBy.map((u) => f.join([f.code(u.control), f.lit(" "), f.loc(u.location)], "")),
      ", ",
    ),
    owner: f.text(x.acceptance?.owner ?? x.owner ?? ""),
    reason: f.text(x.acceptance?.reason ?? ""),
    expires: f.text(x.acceptance?.expires ?? ""),
    ticket: f.text(x.acceptance?.ticket ?? ""),
    where: f.loc(x.location),
    filter: filterV(f, x),
  };
}

function statusTable(f: Format, list: FindingRows) {
  const { shown, more } = capped(list, REPORT_LIMITS.statusRows);
  return { rows: shown.map((x) => statusRowV(f, x)), more, count: list.length };
}

function stepV(f: Format, s: StepView, exfil: boolean): StepV {
  const technique = s.technique
    ? f.join(
        [f.link(atlasTechniqueUrl(s.technique), s.technique), f.lit(" ("), f.text(s.rule ?? ""), f.lit(")")],
        "",
      )
    : f.text(s.rule ?? "");
  return {
    from: f.code(s.from),
    to: f.code(s.to),
    kind: f.text(s.returning ? `${s.kind}, returning` : s.kind),
    technique,
    likelihood: f.lit(percent(s.likelihood)),
    controls: f.join(
      s.controls.map((c) => f.code(c)),
      ", ",
    ),
    where: f.code(s.location),
    exfil,
  };
}

function route(f: Format, t: TargetView, p: PathView): Safe {
  const arrow = f.lit(" → ");
  const relation = noStepsRelation(t, p);
  const main =
    relation === undefined
      ? f.join([f.code(p.entry), ...p.steps.map((s) => f.code(s.to))], arrow)
      : f.join(
          [
            f.code(p.entry),
            relation === "itself"
              ? f.lit(", the crown jewel itself")
              : f.join([f.lit(`, which ${relation} `), f.code(t.crown)], ""),
          ],
          "",
        );
  if (p.exfil.length === 0) return main;
  return f.join(
    [
      main,
      f.lit(" ⇒ out: "),
      f.join(
        p.exfil.map((s) => f.code(s.to)),
        arrow,
      ),
    ],
    "",
  );
}

/**
 * A list for one table cell: the first `limit`, then how many more (a 10k-component model's cut
 * names 1,600 controls, which no table cell shows usefully), and where the rest are (`note`).
 */
function cellList(
  f: Format,
  items: readonly Safe[],
  limit: number = REPORT_LIMITS.cutItems,
  note = " (paths.json lists every one)",
): Safe {
  const { shown, more } = capped(items, limit);
  const list = f.join(shown, ", ");
  return more === 0 ? list : f.join([list, f.lit(` and ${fmtNumber(more)} more${note}`)], "");
}

function cutV(f: Format, c: CutView | undefined): Safe {
  if (!c) return f.lit("");
  const controls = c.controls.map((x) => f.join([f.code(x.control), f.lit(" on "), f.code(x.on)], ""));
  const parts: Safe[] = [];
  if (controls.length > 0)
    parts.push(
      f.join(
        [
          f.lit(`cost ${fmtNumber(c.total)}${c.quality === "bounded" ? " (at most)" : ""}: `),
          cellList(f, controls),
        ],
        "",
      ),
    );
  if (c.uncuttable.length > 0)
    parts.push(
      f.join(
        [
          f.lit("no built-in control cuts "),
          cellList(
            f,
            c.uncuttable.map((u) => f.code(u)),
          ),
        ],
        "",
      ),
    );
  return parts.length ? f.join(parts, "; ") : f.lit("nothing to cut");
}

/**
 * The chokepoints of one crown jewel, per entry class as the analysis finds them (dominators per
 * class): "user input: none; external data, supply chain: `c`, `d`". One list over all classes would
 * say that every path crosses each of them, which holds only within a class. Classes with the same
 * chokepoints share a part ("none": no one component is on every path of that class); each part
 * lists the first REPORT_LIMITS.chokepoints in path order; a disclosure adds the way out every
 * exfiltration crosses.
 */
function chokepointsV(f: Format, t: TargetView): Safe {
  const groups = new Map<string, { classes: string[]; components: string[] }>();
  for (const c of t.chokepoints) {
    const key = c.components.join("\n");
    const g = groups.get(key);
    if (g) g.classes.push(words(c.entryClass));
    else groups.set(key, { classes: [words(c.entryClass)], components: c.components });
  }
  const list = (names: readonly string[]) =>
    names.length === 0
      ? f.lit("none")
      : cellList(
          f,
          names.map((n) => f.code(n)),
          REPORT_LIMITS.chokepoints,
          "",
        );
  const parts = [...groups.values()].map((g) =>
    // Entry classes are aithreat's own words: nothing to escape.
    f.join([f.lit(`${g.classes.join(", ")}: `), list(g.components)], ""),
  );
  if (t.exfilChokepoints.length > 0) parts.push(f.join([f.lit("way out: "), list(t.exfilChokepoints)], ""));
  return parts.length ? f.join(parts, "; ") : f.lit("none");
}

/** Which zones and agents the diagram limits left without a view, and where they are listed. */
function leftOutSentence(f: Format, n: { zones: number; agents: number }): Safe {
  const parts = [
    ...(n.zones ? [plural(n.zones, "zone")] : []),
    ...(n.agents ? [plural(n.agents, "agent")] : []),
  ];
  if (parts.length === 0) return f.lit("");
  return f.join(
    [
      f.text(`${parts.join(" and ")} of lower risk have no view of their own: `),
      f.code("diagrams/index.md"),
      f.text(" lists them, with every view."),
    ],
    "",
  );
}

/** Builds the view of a report for one format; `cell` is the same format inside a table cell. */
export function reportView(d: ReportData, f: Format, cell: Format): ReportView {
  const entryClasses = [...new Set(d.targets.flatMap((t) => t.exposure.map((e) => e.entryClass)))];
  const crown = capped(d.targets, REPORT_LIMITS.crownRows);
  const withPaths = d.targets.filter((t) => t.paths.length > 0);
  const pathTargets = capped(withPaths, REPORT_LIMITS.pathTargets);
  const views = capped(d.views, REPORT_LIMITS.viewRows);
  const components = capped(d.subjects, REPORT_LIMITS.componentRows);
  // The open findings whose entries the report shows (each section is capped): only those are linked.
  const shownOpen = new Set<string>();
  const open = d.open.map((g) => {
    const c = capped(g.findings, REPORT_LIMITS.findingsPerSeverity);
    for (const x of c.shown) shownOpen.add(x.fingerprint);
    return {
      severity: f.text(g.severity),
      count: g.findings.length,
      findings: c.shown.map((x) => findingV(f, x)),
      more: c.more,
    };
  });
  const openCount = d.status.open;
  const openList = d.bySeverity.filter((s) => s.open > 0).map((s) => `${s.open} ${s.severity}`);
  // The summary counts every finding, assumptions too, as the checklist, findings.json and the
  // command's own line do ("14 open"); the open ones are then told apart.
  const assumed = { open: 0, mitigated: 0, accepted: 0 };
  for (const a of d.assumptions) assumed[a.status]++;
  const openAll = openCount + assumed.open;
  const openParts =
    assumed.open === 0
      ? openList.join(", ")
      : openCount === 0
        ? plural(assumed.open, "assumption")
        : `${plural(openCount, "threat")}: ${openList.join(", ")}; ${plural(assumed.open, "assumption")}`;
  // The summary and the scorecard are numbers and aithreat's own words only: literal text.
  const summary = f.join(
    [
      f.lit(
        `${plural(d.stats.components, "component")} in ${plural(d.stats.zones, "zone")}, ${plural(d.stats.flows, "flow")} and ${plural(d.stats.data, "data asset")}. `,
      ),
      f.lit(`${plural(d.findings, "finding")}: `),
      f.strong(f.lit(`${openAll} open`)),
      f.lit(
        `${openParts ? ` (${openParts})` : ""}, ${d.status.mitigated + assumed.mitigated} mitigated, ${d.status.accepted + assumed.accepted} accepted. `,
      ),
      f.lit(
        `${d.crownJewels.exposed.length} of ${plural(d.crownJewels.total, "crown jewel")} can be reached from an attacker entry.`,
      ),
    ],
    "",
  );
  const scorecard: { name: Safe; value: Safe }[] = [
    { name: cell.text("open threats"), value: cell.text(String(openCount)) },
    {
      name: cell.text("open critical / high"),
      value: cell.text(
        `${d.bySeverity.find((s) => s.severity === "critical")?.open ?? 0} / ${d.bySeverity.find((s) => s.severity === "high")?.open ?? 0}`,
      ),
    },
    { name: cell.text("mitigated threats"), value: cell.text(String(d.status.mitigated)) },
    { name: cell.text("accepted threats"), value: cell.text(String(d.status.accepted)) },
    { name: cell.text("expired acceptances"), value: cell.text(String(d.expired.length)) },
    {
      name: cell.text("open assumptions"),
      value: cell.text(String(d.assumptions.filter((a) => a.status === "open").length)),
    },
    {
      name: cell.text("exposed crown jewels"),
      value:
        d.crownJewels.exposed.length === 0
          ? cell.lit(`0 of ${d.crownJewels.total}`)
          : cell.join(
              [
                cell.lit(`${d.crownJewels.exposed.length} of ${d.crownJewels.total}: `),
                cell.join(
                  capped(d.crownJewels.exposed, 10).shown.map((c) => cell.code(c)),
                  ", ",
                ),
                cell.text(
                  d.crownJewels.exposed.length > 10 ? ` and ${d.crownJewels.exposed.length - 10} more` : "",
                ),
              ],
              "",
            ),
    },
    { name: cell.text("cheapest cut"), value: cutV(cell, d.cut) },
  ];
  const metrics = d.metrics
    ? (() => {
        const c = capped(d.metrics, REPORT_LIMITS.metricRows);
        return {
          rows: c.shown.map((r) => ({
            name: cell.text(r.name),
            value: cell.text(r.value),
            better: cell.text(r.better ?? ""),
            status: cell.text(r.status ?? ""),
          })),
          more: c.more,
        };
      })()
    : null;
  const filterComponents = new Set<string>();
  for (const g of open) for (const x of g.findings) filterComponents.add(x.filter.component);
  const statusTables = {
    mitigated: statusTable(cell, d.mitigated),
    accepted: statusTable(cell, d.accepted),
    expired: statusTable(cell, d.expired),
    assumptions: statusTable(cell, d.assumptions),
  };
  for (const t of Object.values(statusTables))
    for (const r of t.rows) filterComponents.add(r.filter.component);
  const componentsV = components.shown.map((r) => ({
    subject: cell.code(r.subject.name),
    kind: cell.text(r.subject.kind),
    owner: cell.text(r.owner ?? ""),
    counts: SEVERITY_ORDER.map((s) => r.open[s] ?? 0),
    openTotal: r.openFindings.length,
    ...openFindingsV(cell, r.openFindings, shownOpen),
    mitigated: r.mitigated,
    accepted: r.accepted,
    filter: cell.text(r.subject.name),
  }));
  return {
    title: f.text(d.title),
    systems: d.systems.map((s) => ({
      title: f.text(s.title),
      owner: f.text(s.owner ?? ""),
      version: f.text(s.version ?? ""),
      description: f.text(s.description ?? ""),
      contact: f.text(s.contact ?? ""),
      repository: f.text(s.repository ?? ""),
    })),
    files: f.join(
      capped(d.files, 20).shown.map((p) => f.code(p)),
      ", ",
    ),
    fileCount: d.files.length,
    toolVersion: f.text(d.toolVersion),
    generatedAt: f.text(d.generatedAt ?? ""),
    summary,
    scorecard,
    bySeverity: d.bySeverity.map((s) => ({ ...s, severity: cell.text(s.severity) })),
    metrics,
    overview: d.overview ? diagramV(f, d.overview) : null,
    // A table in report.md: every field is a cell.
    views: viewsV(cell, views.shown),
    viewsMore: views.more,
    viewsLeftOut: leftOutSentence(f, d.viewsLeftOut),
    entryClasses: entryClasses.map((c) => cell.text(words(c))),
    crownRows: crown.shown.map((t) => {
      const exposed = t.exposure.some((e) => e.reachable);
      return {
        anchor: f.text(`t-${t.crown}-${t.property}`),
        crown: cell.code(t.crown),
        crownTitle: cell.text(d.titles.get(`${t.crownType}:${t.crown}`) ?? ""),
        property: cell.text(t.property),
        mode: cell.text(t.mode),
        exposed,
        exposure: entryClasses.map((ec) => {
          const e = t.exposure.find((x) => x.entryClass === ec);
          if (!e?.reachable) return cell.lit("–");
          // Only numbers and words of aithreat's own: nothing to escape.
          return cell.lit(
            `${e.entries} ${e.entries === 1 ? "entry" : "entries"}, best ${percent(e.bestLikelihood)} in ${e.shortestSteps} ${e.shortestSteps === 1 ? "step" : "steps"}`,
          );
        }),
        chokepoints: exposed ? chokepointsV(cell, t) : cell.lit("–"),
        cut: exposed ? cutV(cell, t.cut) : cell.lit("not reachable: nothing to cut"),
      };
    }),
    crownMore: crown.more,
    pathTargets: pathTargets.shown.map((t) => {
      const own = t.paths.map((_, i) =>
        d.pathViews.get(pathKey({ crown: t.crown, property: t.property, rank: i + 1 })),
      );
      // Without the diagram stage's path views, one diagram draws all listed paths of the target.
      const diagrams = own.some((v) => v)
        ? []
        : [
            diagramV(f, {
              id: `paths-${t.crown}-${t.property}`,
              title: `Attack paths to ${t.crown} (${t.property})`,
              mermaid: targetMermaid(t),
            }),
          ];
      return {
        anchor: f.text(`p-${t.crown}-${t.property}`),
        crown: f.code(t.crown),
        crownTitle: f.text(d.titles.get(`${t.crownType}:${t.crown}`) ?? ""),
        property: f.text(t.property),
        mode: f.text(t.mode),
        diagrams,
        paths: t.paths.map((p, i) => ({
          rank: i + 1,
          diagram: own[i] ? diagramV(f, own[i]) : null,
          entry: f.code(p.entry),
          entryClasses: f.text(p.entryClasses.map(words).join(", ")),
          likelihood: f.lit(percent(p.likelihood)),
          route: route(f, t, p),
          crossing: p.firstBoundaryCrossing ? f.code(p.firstBoundaryCrossing) : f.lit(""),
          steps: [...p.steps.map((s) => stepV(cell, s, false)), ...p.exfil.map((s) => stepV(cell, s, true))],
        })),
        more: t.morePathsAtLeast,
      };
    }),
    pathTargetsMore: pathTargets.more,
    otherPathDiagrams: d.otherPathViews.map((v) => diagramV(f, v)),
    notes: d.notes.map((n) => f.rich(n)),
    open,
    openCount,
    components: componentsV,
    componentsMore: components.more,
    severities: SEVERITY_ORDER.map((s) => cell.text(s)),
    ...statusTables,
    filterComponents: [...filterComponents].sort(cmp) as Safe[],
  };
}
