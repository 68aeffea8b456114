import type { Severity } from "../analysis/findings.js";
import { diagnosticToJson, type DiagnosticJson } from "../diagnostics/format.js";
import type { Emitter, EmitContext } from "./emitter.js";
import {
  eachFact,
  eachMitigation,
  FindingViews,
  viewFields,
  type FindingView,
  type FindingViewList,
  type MappingView,
} from "./findings-view.js";
import { jsonFile, jsonString, type JsonLines } from "./json-layout.js";
import type { LocationView } from "./location-view.js";
import { memoize } from "../memoize.js";
import { rememberLast } from "./remember-last.js";
import type { CutView, PathView, TargetView } from "./paths-view.js";
import { FINDINGS_SCHEMA_ID, FINDINGS_SCHEMA_VERSION } from "./tool-info.js";

/**
 * findings.json: the whole result of a compile as one documented, versioned JSON document
 * (schemas/findings-2.1.schema.json describes every field). Scripts, baselines (`--baseline`) and
 * `aithreat diff` read it. Its shape is built here field by field rather than dumped from the views,
 * so a field added to a view for a report does not change this contract unnoticed.
 *
 * Format 2 (docs/adr/0009-findings-json-2.md): what is the same for every finding of a rule (title,
 * category, framework mappings) is in `rules`, and a built-in control's title and ATLAS mitigations in
 * `controls`, each once; a finding keeps what is its own. Format 1 repeated them in every finding,
 * two thirds of a large model's file.
 */

/** Counts per severity, every severity present (zero included) so readers need no defaults. */
export type SeverityCounts = Record<Severity, number>;

/** A rule's title, category and mappings: `rules[finding.rule]`. */
export interface RuleJson {
  title: string;
  category: "threat" | "assumption";
  mappings: FindingView["mappings"];
}

/** A built-in control a finding recommends: `controls[recommended.control]`. */
export interface ControlJson {
  title: string;
  atlas: MappingView[];
}

/** One finding in findings.json. */
export interface FindingJson {
  id: string;
  fingerprint: string;
  rule: string;
  message: string;
  subject: { type: "component" | "flow" | "data"; name: string; kind: string; title?: string };
  location: LocationView;
  facts: { text: string; location: LocationView }[];
  likelihood: string;
  impact: string;
  severity: string;
  rationale: string;
  status: "open" | "mitigated" | "accepted";
  mitigatedBy: { control: string; impliedBy?: string; location: LocationView }[];
  residual: { likelihood: string; severity: string };
  acceptance?: {
    reason: string;
    owner: string;
    expires: string;
    expired: boolean;
    ticket?: string;
    location: LocationView;
  };
  /** `bypassed` (since 2.1) only when true: the subject declares it, the finding goes around it. */
  recommended: { control: string; declared: boolean; bypassed?: true }[];
  owner?: string;
  system?: string;
}

/** A top path of one crown jewel property, briefly. */
export interface PathSummaryJson {
  entry: string;
  entryClasses: string[];
  likelihood: number;
  steps: number;
  route: string[];
  exfilRoute: string[];
  techniques: string[];
  firstBoundaryCrossing?: string;
}

/** Attack-path summary of one crown jewel property. */
export interface TargetSummaryJson {
  crown: string;
  crownType: string;
  property: string;
  mode: string;
  exposed: boolean;
  bestLikelihood: number;
  exposure: TargetView["exposure"];
  topPaths: PathSummaryJson[];
  morePathsAtLeast: number;
  cut?: CutView;
}

/** The whole findings.json document. */
export interface FindingsDocument {
  $schema: string;
  schemaVersion: string;
  tool: { name: string; version: string };
  generatedAt?: string;
  model: {
    evaluatedOn: string;
    files: string[];
    systems: {
      title: string;
      file: string;
      owner?: string;
      version?: string;
      description?: string;
      contact?: string;
      repository?: string;
    }[];
    counts: {
      zones: number;
      components: number;
      flows: number;
      data: number;
      controls: number;
      acceptances: number;
      crownJewels: number;
    };
    componentsByKind: Record<string, number>;
  };
  summary: {
    findings: number;
    byStatus: { open: number; mitigated: number; accepted: number };
    bySeverity: SeverityCounts;
    openBySeverity: SeverityCounts;
  };
  /** Every rule with a finding, by id (keys sorted). */
  rules: Record<string, RuleJson>;
  /** Every built-in control a finding recommends, by id (keys sorted). */
  controls: Record<string, ControlJson>;
  findings: FindingJson[];
  attackPaths: { targets: TargetSummaryJson[]; cut: CutView };
  diagnostics: DiagnosticJson[];
}

const zeroCounts = (): SeverityCounts => ({ info: 0, low: 0, medium: 0, high: 0, critical: 0 });

/** The summary's counts in one pass over the records (no view, and no list of views, per count). */
function summaryOf(findings: FindingViewList): FindingsDocument["summary"] {
  const read = viewFields(findings);
  const byStatus = { open: 0, mitigated: 0, accepted: 0 };
  const bySeverity = zeroCounts();
  const openBySeverity = zeroCounts();
  for (let i = 0; i < findings.length; i++) {
    const status = read.status(i);
    const severity = read.severity(i) as keyof SeverityCounts;
    byStatus[status]++;
    bySeverity[severity]++;
    if (status === "open") openBySeverity[severity]++;
  }
  return { findings: findings.length, byStatus, bySeverity, openBySeverity };
}

/** Copies a finding view into the findings.json shape (optional fields only when present). */
export function findingJson(f: FindingView): FindingJson {
  const out: FindingJson = {
    id: f.id,
    fingerprint: f.fingerprint,
    rule: f.rule,
    message: f.message,
    subject: {
      type: f.subject.type,
      name: f.subject.name,
      kind: f.subject.kind,
      ...(f.subject.title !== undefined ? { title: f.subject.title } : {}),
    },
    location: { ...f.location },
    facts: f.facts.map((x) => ({ text: x.text, location: { ...x.location } })),
    likelihood: f.likelihood,
    impact: f.impact,
    severity: f.severity,
    rationale: f.rationale,
    status: f.status,
    mitigatedBy: f.mitigatedBy.map((m) => ({
      control: m.control,
      ...(m.impliedBy !== undefined ? { impliedBy: m.impliedBy } : {}),
      location: { ...m.location },
    })),
    residual: { likelihood: f.residual.likelihood, severity: f.residual.severity },
    recommended: f.recommended.map((r) => ({
      control: r.control,
      declared: r.declared,
      ...(r.bypassed ? { bypassed: true as const } : {}),
    })),
  };
  if (f.acceptance) {
    const a = f.acceptance;
    out.acceptance = {
      reason: a.reason,
      owner: a.owner,
      expires: a.expires,
      expired: a.expired,
      ...(a.ticket !== undefined ? { ticket: a.ticket } : {}),
      location: { ...a.location },
    };
  }
  if (f.owner !== undefined) out.owner = f.owner;
  if (f.system !== undefined) out.system = f.system;
  return out;
}

const str = jsonString;

/** A location's JSON text after its `{"file":"<path>","line":` head, keys in the order of `LocationView`. */
const locationTail = (l: LocationView): string =>
  `${l.line},"column":${l.column},"endLine":${l.endLine},"endColumn":${l.endColumn}}`;

/** A location's JSON text. */
const locationText = (l: LocationView): string => `{"file":${str(l.file)},"line":${locationTail(l)}`;

/**
 * `locationText` with each file's head written once: a large model has a few hundred files and 10^6
 * locations. The heads live as long as the document being written, not the process.
 */
function locationTexts(): (l: LocationView) => string {
  const head = memoize((file: string) => `{"file":${str(file)},"line":`);
  return (l) => head(l.file) + locationTail(l);
}

/** The subject's JSON text (its kind is one of a few, written through `few`). */
const subjectText = (s: FindingView["subject"], few: (s: string) => string) =>
  `{"type":"${s.type}","name":${str(s.name)},"kind":${few(s.kind)}${s.title !== undefined ? `,"title":${str(s.title)}` : ""}}`;

/** A `recommended` list's JSON text. */
function recommendedText(list: FindingView["recommended"]): string {
  let t = "[";
  for (let i = 0; i < list.length; i++) {
    const r = list[i]!;
    t += `${i > 0 ? "," : ""}{"control":${str(r.control)},"declared":${r.declared}${r.bypassed ? ',"bypassed":true' : ""}}`;
  }
  return `${t}]`;
}

/** How `findingJsonText` writes the parts of a finding that the findings view shares among findings. */
export interface SharedTexts {
  readonly recommended: (list: FindingView["recommended"]) => string;
  readonly location: (l: LocationView) => string;
  /** The JSON text of a string that takes few values over all findings (rationale, owner, kind). */
  readonly few: (s: string) => string;
}

const UNSHARED: SharedTexts = { recommended: recommendedText, location: locationText, few: str };

/**
 * `SharedTexts` that write each shared value once: the findings view shares one recommended list per
 * set of controls (written again when the previous finding had another list: see `rememberLast`),
 * and each location's file head is written once per file. (Subjects and locations
 * themselves are written each time: at 100k components there are a third as many subjects as
 * findings and nearly as many locations, and looking a text up in a memo that large cost more than
 * writing it again.)
 */
export const sharedTexts = (): SharedTexts => ({
  recommended: rememberLast(recommendedText),
  location: locationTexts(),
  // A rule builds each of its rationales once, and owners, systems and kinds repeat on thousands of
  // findings: a lookup of such a string is cheaper than testing it for escapes again (a rationale is
  // a few hundred characters).
  few: memoize(str),
});

/**
 * `JSON.stringify(findingJson(f))`, written straight from the view: a large model has hundreds of
 * thousands of findings, and building each one's JSON shape first only fed the garbage collector.
 * Levels, severities, statuses and the hex fingerprint are written without escaping (fixed
 * vocabularies). test/emit/findings-json.test.ts holds the two equal on every sample.
 */
export function findingJsonText(f: FindingView, shared: SharedTexts = UNSHARED): string {
  const loc = shared.location;
  let t = `{"id":${str(f.id)},"fingerprint":"${f.fingerprint}","rule":${str(f.rule)},"message":${str(f.message)}`;
  const few = shared.few;
  t += `,"subject":${subjectText(f.subject, few)},"location":${loc(f.location)},"facts":[`;
  eachFact(f, (text, location, i) => {
    t += `${i > 0 ? "," : ""}{"text":${str(text)},"location":${loc(location)}}`;
  });
  t += `],"likelihood":"${f.likelihood}","impact":"${f.impact}","severity":"${f.severity}","rationale":${few(f.rationale)},"status":"${f.status}","mitigatedBy":[`;
  eachMitigation(f, (control, impliedBy, location, i) => {
    t += `${i > 0 ? "," : ""}{"control":${str(control)}${impliedBy !== undefined ? `,"impliedBy":${str(impliedBy)}` : ""},"location":${loc(location)}}`;
  });
  t += `],"residual":{"likelihood":"${f.residual.likelihood}","severity":"${f.residual.severity}"},"recommended":${shared.recommended(f.recommended)}`;
  const a = f.acceptance;
  if (a)
    t += `,"acceptance":{"reason":${str(a.reason)},"owner":${str(a.owner)},"expires":${str(a.expires)},"expired":${a.expired}${a.ticket !== undefined ? `,"ticket":${str(a.ticket)}` : ""},"location":${loc(a.location)}}`;
  if (f.owner !== undefined) t += `,"owner":${few(f.owner)}`;
  if (f.system !== undefined) t += `,"system":${few(f.system)}`;
  return `${t}}`;
}

const byKey = <T>(m: Map<string, T>): Record<string, T> =>
  Object.fromEntries([...m.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));

/** A rule's entry in `rules`, from one of its findings (copied: the views' objects are shared). */
function ruleJson(f: Pick<FindingView, "title" | "category" | "mappings">): RuleJson {
  const m = f.mappings;
  return {
    title: f.title,
    category: f.category,
    mappings: {
      stride: [...m.stride],
      atlasVersion: m.atlasVersion,
      atlas: m.atlas.map((x) => ({ ...x })),
      owasp: m.owasp.map((x) => ({ ...x })),
      nist: m.nist.map((x) => ({ ...x })),
      cosai: m.cosai.map((x) => ({ ...x })),
    },
  };
}

/** The `rules` and `controls` tables: every rule and recommended control of the findings, once. */
export function ruleAndControlTables(findings: FindingViewList): {
  rules: Record<string, RuleJson>;
  controls: Record<string, ControlJson>;
} {
  const rules = new Map<string, RuleJson>();
  const controls = new Map<string, ControlJson>();
  // Built views: each rule's first finding's shared object and the controls from the records, the
  // same tables without a view (and a recommended list) made per finding.
  if (findings instanceof FindingViews) {
    for (const f of findings.rulesShared) if (!rules.has(f.rule)) rules.set(f.rule, ruleJson(f));
    for (const [id, c] of findings.recommendedControls())
      controls.set(id, { title: c.title, atlas: c.atlas.map((x) => ({ ...x })) });
    return { rules: byKey(rules), controls: byKey(controls) };
  }
  for (const f of findings) {
    if (!rules.has(f.rule)) rules.set(f.rule, ruleJson(f));
    for (const r of f.recommended)
      if (!controls.has(r.control))
        controls.set(r.control, { title: r.title, atlas: r.atlas.map((x) => ({ ...x })) });
  }
  return { rules: byKey(rules), controls: byKey(controls) };
}

function pathSummary(p: PathView): PathSummaryJson {
  const route = (steps: PathView["steps"], start: string) => [start, ...steps.map((s) => s.to)];
  const techniques: string[] = [];
  for (const s of [...p.steps, ...p.exfil]) {
    if (s.technique !== undefined && !techniques.includes(s.technique)) techniques.push(s.technique);
  }
  return {
    entry: p.entry,
    entryClasses: [...p.entryClasses],
    likelihood: p.likelihood,
    steps: p.steps.length + p.exfil.length,
    route: route(p.steps, p.entry),
    exfilRoute: p.exfil.length > 0 ? route(p.exfil, p.exfil[0]!.from) : [],
    techniques,
    ...(p.firstBoundaryCrossing !== undefined ? { firstBoundaryCrossing: p.firstBoundaryCrossing } : {}),
  };
}

function cutJson(c: CutView): CutView {
  return {
    feasible: c.feasible,
    quality: c.quality,
    total: c.total,
    controls: c.controls.map((x) => ({ ...x })),
    uncuttable: [...c.uncuttable],
  };
}

/** Attack-path summary of one target. */
export function targetSummary(t: TargetView): TargetSummaryJson {
  return {
    crown: t.crown,
    crownType: t.crownType,
    property: t.property,
    mode: t.mode,
    exposed: t.exposure.some((e) => e.reachable),
    bestLikelihood: Math.max(0, ...t.exposure.map((e) => e.bestLikelihood)),
    exposure: t.exposure.map((e) => ({ ...e })),
    topPaths: t.paths.map(pathSummary),
    morePathsAtLeast: t.morePathsAtLeast,
    ...(t.cut ? { cut: cutJson(t.cut) } : {}),
  };
}

/** Builds the findings.json document of a compile. */
export function findingsDocument(ctx: EmitContext): FindingsDocument {
  const doc = documentWith(ctx);
  return { ...doc, findings: doc.findings.map(findingJson) };
}

/** The document with the finding views in place of their JSON shape (mapped as they are written). */
function documentWith(ctx: EmitContext): Omit<FindingsDocument, "findings"> & { findings: FindingViewList } {
  const { analysis } = ctx;
  const model = analysis.model;
  const views = analysis.findingsView;
  const byKind: Record<string, number> = {};
  for (const c of model.components) byKind[c.kind] = (byKind[c.kind] ?? 0) + 1;
  const componentsByKind = Object.fromEntries(
    Object.keys(byKind)
      .sort()
      .map((k) => [k, byKind[k]!]),
  );
  return {
    $schema: FINDINGS_SCHEMA_ID,
    schemaVersion: FINDINGS_SCHEMA_VERSION,
    tool: { name: "aithreat", version: ctx.toolVersion },
    ...(ctx.generatedAt !== undefined ? { generatedAt: ctx.generatedAt } : {}),
    model: {
      evaluatedOn: model.today,
      files: model.files.map((f) => f.path).sort(),
      systems: model.systems.map((s) => ({
        title: s.title,
        file: s.file.path,
        ...(s.owner !== undefined ? { owner: s.owner } : {}),
        ...(s.version !== undefined ? { version: s.version } : {}),
        ...(s.description !== undefined ? { description: s.description } : {}),
        ...(s.contact !== undefined ? { contact: s.contact } : {}),
        ...(s.repository !== undefined ? { repository: s.repository } : {}),
      })),
      counts: {
        zones: model.zones.length,
        components: model.components.length,
        flows: model.flows.length,
        data: model.data.length,
        controls: model.controls.length,
        acceptances: model.acceptances.length,
        crownJewels: model.crownJewels.length,
      },
      componentsByKind,
    },
    summary: summaryOf(views),
    ...ruleAndControlTables(views),
    findings: views,
    attackPaths: {
      targets: analysis.pathsView.targets.map(targetSummary),
      cut: cutJson(analysis.pathsView.cut),
    },
    diagnostics: (ctx.diagnostics ?? analysis.diagnostics).map(diagnosticToJson),
  };
}

/**
 * The lists of findings.json written one compact item per line (see json-layout.ts); each finding
 * view becomes its JSON text just before it is written.
 */
const findingsJsonLines = (): readonly JsonLines[] => {
  const shared = sharedTexts();
  return [
    { path: ["findings"], text: (f: FindingView) => findingJsonText(f, shared) },
    { path: ["attackPaths", "targets"] },
    { path: ["diagnostics"] },
  ];
};

/** `findings.json`: every finding, the model summary, attack-path summaries and diagnostics. */
export const findingsJsonEmitter: Emitter = {
  name: "findings.json",
  emit: (ctx) => [jsonFile("findings.json", documentWith(ctx), findingsJsonLines())],
};
