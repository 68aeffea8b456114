import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import { scratchI32 } from "../graph/arena.js";
import { diag, type Diagnostic, type Location, type StageResult } from "../diagnostics/diagnostic.js";
import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Acceptance, ControlDecl, ControlUse, ResolvedModel, Subject } from "../semantic/model.js";
import type { Facts } from "./facts.js";
import type { FindingRecords } from "./finding-records.js";
import { RecordsBuilder } from "./finding-records.js";
import { lower } from "./findings.js";
import { releaseReportCaches } from "./report-caches.js";
import {
  LEVELS,
  type ControlPoint,
  type FindingDraft,
  type Level,
  type Rule,
  type RuleContext,
  type RuleMeta,
  releaseSharedSubjects,
} from "./rule.js";

/** Shared by every subject that declares no control and every finding none mitigates; never written to. */
const NO_CONTROLS: readonly ControlUse[] = Object.freeze([]);

/** The controls declared at a subject (none for data), read through the graph's typed counts. */
export function controlsAt(graph: ThreatGraph, s: Subject): readonly ControlUse[] {
  // Most subjects declare no control: the typed counts answer that without touching the objects.
  if (s.type === "component")
    return graph.compControls[s.index] ? graph.model.components[s.index]!.controls : NO_CONTROLS;
  if (s.type === "flow")
    return graph.flowControls[s.index] ? graph.model.flows[s.index]!.controls : NO_CONTROLS;
  return NO_CONTROLS;
}

const userControlsOf = new WeakMap<ResolvedModel, ReadonlyMap<string, ControlDecl>>();

/**
 * Whether a declared control counts against a rule: a built-in control when it is among the
 * mitigations given (the rule's, or the subset a finding names), a user control when its
 * `mitigates` lists the rule. This is the engine's test for "mitigated"; rules that let a control
 * cut a chain use it too (`guardOf` in rules/lib/training.ts), so the two cannot drift apart.
 * Answers are cached per control name.
 */
export function controlCounts(
  model: ResolvedModel,
  ruleId: string,
  mitigations: readonly string[],
): (name: string) => boolean {
  let user = userControlsOf.get(model);
  if (!user) userControlsOf.set(model, (user = new Map(model.controls.map((c) => [c.name, c]))));
  const users = user;
  const cache = new Map<string, boolean>();
  return (name) => {
    let counts = cache.get(name);
    if (counts === undefined) {
      counts = BUILTIN_CONTROL_BY_ID.has(name)
        ? mitigations.includes(name)
        : (users.get(name)?.mitigates.includes(ruleId) ?? false);
      cache.set(name, counts);
    }
    return counts;
  };
}

/** A subject as one number: components, flows and data share index ranges, the low bits tell them apart. */
const subjectKey = (s: Subject): number =>
  s.index * 4 + (s.type === "component" ? 0 : s.type === "flow" ? 1 : 2);

const NO_ACCEPTANCES: ReadonlyMap<number, Acceptance> = new Map();

/** Character `i` of the id tail `name` (+ `:key`) as a UTF-16 code, -1 past its end. */
function tailCode(name: string, key: string, i: number): number {
  if (i < name.length) return name.charCodeAt(i);
  if (key === "") return -1;
  if (i === name.length) return 58; // ":"
  const k = i - name.length - 1;
  return k < key.length ? key.charCodeAt(k) : -1;
}

/**
 * Compares the id tails `name1[:key1]` and `name2[:key2]` (empty key: none) as `<` on the id strings
 * would (UTF-16 code units), without building them. Names that differ before either ends decide by
 * themselves; a name that is a prefix of the other (`a` and `a-b`, or `a` with key `k` and `a:k`)
 * is compared code by code through the `:` and the key.
 */
export function compareIdTails(name1: string, key1: string, name2: string, key2: string): number {
  if (name1 === name2) return key1 === key2 ? 0 : key1 < key2 ? -1 : 1;
  // Without keys the tails are the names (most findings have none): no prefix test is needed.
  if (key1 === "" && key2 === "") return name1 < name2 ? -1 : 1;
  const short = Math.min(name1.length, name2.length);
  const prefix = name1.length < name2.length ? name2.startsWith(name1) : name1.startsWith(name2);
  if (!prefix) return name1 < name2 ? -1 : 1;
  for (let i = short; ; i++) {
    const a = tailCode(name1, key1, i);
    const b = tailCode(name2, key2, i);
    if (a !== b) return a < b ? -1 : 1;
    if (a === -1) return 0;
  }
}

/**
 * The record numbers sorted by id, each id once: the first reported wins (the sort is stable). Every
 * id starts with its rule's `id:` prefix, so the order is that of the prefixes, then of the id tails
 * (subject name, then key) within a prefix (rules sharing an id are sorted together): records are
 * compared by those, no id string is built. Deduplicating here, after the sort, costs one comparison
 * per finding; a table of what each rule reported, kept while rules run, cost a long-lived entry per
 * finding (rules rarely report a subject twice).
 */
function sortById(
  names: readonly string[],
  keys: readonly string[],
  groups: readonly { prefix: string; start: number; end: number }[],
): number[] {
  const byPrefix = new Map<string, number[]>();
  for (const g of groups) {
    if (g.start === g.end) continue;
    let list = byPrefix.get(g.prefix);
    if (!list) byPrefix.set(g.prefix, (list = []));
    for (let i = g.start; i < g.end; i++) list.push(i);
  }
  const prefixes = [...byPrefix.keys()].sort();
  const byTail = (a: number, b: number): number => compareIdTails(names[a]!, keys[a]!, names[b]!, keys[b]!);
  // Rule ids never contain `:`, so no prefix starts another; should one, fall back to one sort of ids.
  for (let i = 1; i < prefixes.length; i++)
    if (prefixes[i]!.startsWith(prefixes[i - 1]!)) return sortByIdStrings(names, keys, groups);
  const out: number[] = [];
  for (const p of prefixes) {
    const list = byPrefix.get(p)!.sort(byTail);
    for (let i = 0; i < list.length; i++)
      if (i === 0 || byTail(list[i - 1]!, list[i]!) !== 0) out.push(list[i]!);
  }
  return out;
}

/** The sort by id with the ids built: the fallback for rule ids one of which starts another. */
function sortByIdStrings(
  names: readonly string[],
  keys: readonly string[],
  groups: readonly { prefix: string; start: number; end: number }[],
): number[] {
  const ids: string[] = [];
  for (const g of groups)
    for (let i = g.start; i < g.end; i++) ids[i] = g.prefix + names[i]! + (keys[i] ? `:${keys[i]}` : "");
  const order = ids.map((_, i) => i).sort((a, b) => (ids[a]! < ids[b]! ? -1 : ids[a]! > ids[b]! ? 1 : 0));
  return order.filter((r, i) => i === 0 || ids[r] !== ids[order[i - 1]!]);
}

/** The rationale of each (likelihood, impact, reasons) a rule reports with, built once. */
class Rationales {
  private readonly byReasons = new Map<string, Map<string, string[]>>();
  /** The rationale of a finding at the rule's own levels, which most findings use. */
  readonly standard: string;
  constructor(private readonly meta: RuleMeta) {
    this.standard = this.get(meta.likelihood, meta.likelihoodBasis, meta.impact, meta.impactBasis);
  }
  /** The rationale of a draft: the standard one unless it overrides a level. */
  of(d: Draft, likelihood: Level, impact: Level): string {
    const meta = this.meta;
    if (!d.likelihood && !d.impact) return this.standard;
    const likelihoodWhy = d.likelihood
      ? (d.likelihoodReason ?? d.adjustment ?? meta.likelihoodBasis)
      : meta.likelihoodBasis;
    const impactWhy = d.impact ? (d.impactReason ?? d.adjustment ?? meta.impactBasis) : meta.impactBasis;
    return this.get(likelihood, likelihoodWhy, impact, impactWhy);
  }
  private get(likelihood: Level, likelihoodWhy: string, impact: Level, impactWhy: string): string {
    let byImpact = this.byReasons.get(likelihoodWhy);
    if (!byImpact) this.byReasons.set(likelihoodWhy, (byImpact = new Map<string, string[]>()));
    let byLevels = byImpact.get(impactWhy);
    if (!byLevels) byImpact.set(impactWhy, (byLevels = []));
    const slot = LEVELS.indexOf(likelihood) * LEVELS.length + LEVELS.indexOf(impact);
    return (byLevels[slot] ??=
      `likelihood ${likelihood} (${likelihoodWhy}) x impact ${impact} (${impactWhy})`);
  }
}

/**
 * The string itself, stored flat. Texts built by templates are trees of pieces in V8 (a node per
 * `+`); every finding keeps its id, message and facts for as long as the output lives, and flat
 * they take far less of the memory the garbage collector copies and marks (with the exact-size
 * lists below, 2029 -> 1530 bytes per finding on the 10k model). Reading one character makes V8
 * flatten the tree, and the pieces die young.
 */
function flat(s: string): string {
  s.charCodeAt(0);
  return s;
}

/** Whether one of the first `end` controls of the list (all by default) has that name. */
export function named(uses: readonly ControlUse[], name: string, end = uses.length): boolean {
  for (let i = 0; i < end; i++) if (uses[i]!.name === name) return true;
  return false;
}

/**
 * Fills `into` with the declared controls that count against a finding, at its control points (or
 * its subject), each name once in the order met; returns whether one of them cuts the threat.
 */
function collectMitigations(
  graph: ThreatGraph,
  subject: Subject,
  points: readonly ControlPoint[] | undefined,
  counts: (name: string) => boolean,
  into: ControlUse[],
  subjectOnly: readonly string[] | undefined,
  marks: CountedMarks | undefined,
): boolean {
  into.length = 0;
  let cut = false;
  const n = points ? points.length : 1;
  for (let p = 0; p < n; p++) {
    const point: ControlPoint = points ? points[p]! : subject;
    if (marks && !marks.has(point)) continue;
    const uses = controlsAt(graph, point);
    if (uses.length === 0) continue;
    const elsewhere =
      subjectOnly !== undefined && (point.type !== subject.type || point.index !== subject.index);
    const except = point.except;
    for (let u = 0; u < uses.length; u++) {
      const use = uses[u]!;
      if (!counts(use.name) || named(into, use.name)) continue;
      if (elsewhere && subjectOnly.includes(use.name)) continue;
      if (except !== undefined && except.includes(use.name)) continue;
      into.push(use);
      if (BUILTIN_CONTROL_BY_ID.get(use.name)?.effect === "cut") cut = true;
    }
  }
  return cut;
}

/**
 * The components and flows that declare a control one rule's own mitigations count (those equal to
 * `stamp` in the two lists), so that a finding's control points without one are passed over on one
 * typed read: at 100k the findings name 1.27 million points, 486 thousand of them with controls, and
 * each of those controls was looked up by name. The lists are shared by the rules of one run, each
 * marking with its own stamp, so no rule allocates per component.
 */
class CountedMarks {
  private stamp = 0;
  private readonly comp: Int32Array;
  private readonly flow: Int32Array;
  constructor(private readonly graph: ThreatGraph) {
    this.comp = scratchI32(graph.model.components.length);
    this.flow = scratchI32(graph.model.flows.length);
  }
  /** Marks (with a new stamp) the users of every control name that `counts`. */
  mark(counts: (name: string) => boolean): this {
    const stamp = ++this.stamp;
    for (const [name, users] of this.graph.controlUsers) {
      if (!counts(name)) continue;
      for (let i = 0; i < users.comps.length; i++) this.comp[users.comps[i]!] = stamp;
      for (let i = 0; i < users.flows.length; i++) this.flow[users.flows[i]!] = stamp;
    }
    return this;
  }
  /** Whether a counting control is declared at the point (data declares none). */
  has(p: Subject): boolean {
    if (p.type === "component") return this.comp[p.index] === this.stamp;
    if (p.type === "flow") return this.flow[p.index] === this.stamp;
    return false;
  }
}

/**
 * A draft with every field present, in one order. Rules build drafts in dozens of shapes (optional
 * fields added with spreads); the code that turns a draft into a finding was compiled again for each
 * new shape the first rules brought (seven times in a cold run on the 10k model). Only `copy` meets
 * them now. One is reused for every draft of a run: a copy per draft was 32 MB of young objects per
 * run at 100k.
 */
class Draft {
  subject: Subject = { type: "component", index: 0 };
  message = "";
  facts: FindingDraft["facts"] = [];
  key: string | undefined = undefined;
  likelihood: Level | undefined = undefined;
  impact: Level | undefined = undefined;
  adjustment: string | undefined = undefined;
  likelihoodReason: string | undefined = undefined;
  impactReason: string | undefined = undefined;
  mitigations: readonly string[] | undefined = undefined;
  controlPoints: readonly ControlPoint[] | undefined = undefined;
  copy(d: FindingDraft): this {
    this.subject = d.subject;
    this.message = d.message;
    this.facts = d.facts;
    this.key = d.key;
    this.likelihood = d.likelihood;
    this.impact = d.impact;
    this.adjustment = d.adjustment;
    this.likelihoodReason = d.likelihoodReason;
    this.impactReason = d.impactReason;
    this.mitigations = d.mitigations;
    this.controlPoints = d.controlPoints;
    return this;
  }
}

/**
 * Runs every rule and turns drafts into findings: stable ids and fingerprints, severity from
 * likelihood x impact with its rationale, mitigation by declared controls (kept, with residual risk),
 * acceptance (or an expired one, which leaves the finding open). A rule that throws becomes an AT4002
 * diagnostic and the others still run. Findings are sorted by id, so output does not depend on rule order.
 */
export function runRules(
  model: ResolvedModel,
  graph: ThreatGraph,
  facts: Facts,
  rules: readonly Rule[],
): StageResult<FindingRecords> {
  const diagnostics: Diagnostic[] = [];
  const records = new RecordsBuilder();
  // Each record's subject name, for the sort (dropped after it).
  const names: string[] = [];
  const modelLoc: Location | undefined = model.files[0]
    ? { file: model.files[0], start: 0, end: 0 }
    : undefined;
  // The first acceptance of each (rule, subject), as a linear search would find it.
  // Per rule id, then subject: a finding looks its acceptance up without building a key string.
  const acceptances = new Map<string, Map<number, Acceptance>>();
  for (const a of model.acceptances) {
    let byRule = acceptances.get(a.rule);
    if (!byRule) acceptances.set(a.rule, (byRule = new Map<number, Acceptance>()));
    const key = subjectKey(a.subject);
    if (!byRule.has(key)) byRule.set(key, a);
  }
  const { components, flows, data } = model;
  // Where each rule's findings start: sorting per rule id and joining the groups in id order is the
  // same order as one sort by id, with fewer and shorter comparisons.
  const groups: { prefix: string; start: number; end: number }[] = [];
  // Reused by every finding while its mitigations are collected.
  const scratch: ControlUse[] = [];
  let counted: CountedMarks | undefined;
  const draft = new Draft();

  const metas = rules.map((r) => r.meta);
  for (let ruleNumber = 0; ruleNumber < rules.length; ruleNumber++) {
    const rule = rules[ruleNumber]!;
    const meta = rule.meta;
    const defaultCounts = controlCounts(model, meta.id, meta.mitigations);
    const countsFor = new Map<readonly string[], (name: string) => boolean>();
    const rationales = new Rationales(meta);
    const accepted = acceptances.get(meta.id) ?? NO_ACCEPTANCES;
    const idPrefix = `${meta.id}:`;
    // Drafts become findings as they are reported, so drafts and their control points die young
    // (cheap to collect) instead of piling up for the whole rule. A rule that throws reports nothing:
    // what it added is taken out again.
    const first = records.length;
    // Marked when the rule reports its first finding that counts its own mitigations: a rule that
    // reports none pays nothing.
    let marks: CountedMarks | undefined;
    const build = (d: Draft): void => {
      const s = d.subject;
      const name =
        s.type === "component"
          ? components[s.index]!.name
          : s.type === "flow"
            ? flows[s.index]!.id
            : data[s.index]!.name;
      const key = d.key ? flat(d.key) : "";
      // The message and the facts' texts are written into joined strings by the records (`JoinedTexts`);
      // a fact's text is flattened there, once per fact object, not once per finding showing it.
      const fs = d.facts;
      const likelihood: Level = d.likelihood ?? meta.likelihood;
      const impact: Level = d.impact ?? meta.impact;

      let counts = defaultCounts;
      if (d.mitigations) {
        let c = countsFor.get(d.mitigations);
        if (!c) countsFor.set(d.mitigations, (c = controlCounts(model, meta.id, d.mitigations)));
        counts = c;
      }
      // Only the rule's own mitigations are marked (when its first such draft comes); a draft that
      // names others reads every point.
      const marked =
        counts === defaultCounts
          ? (marks ??= (counted ??= new CountedMarks(graph)).mark(defaultCounts))
          : undefined;
      const cut = collectMitigations(
        graph,
        s,
        d.controlPoints,
        counts,
        scratch,
        meta.subjectControls,
        marked,
      );
      const mitigated = scratch.length;
      const residualLikelihood =
        mitigated === 0 ? likelihood : cut ? "low" : lower(likelihood, Math.min(2, mitigated));
      const acceptance = accepted.size === 0 ? undefined : accepted.get(subjectKey(s));
      const status = acceptance && !acceptance.expired ? "accepted" : mitigated > 0 ? "mitigated" : "open";
      records.add(
        ruleNumber,
        s,
        key,
        d.message,
        likelihood,
        impact,
        residualLikelihood,
        status,
        rationales.of(d, likelihood, impact),
        d.mitigations ?? meta.mitigations,
        // Copied exact-size by the records when not one they hold already (a list grown by push keeps
        // room for 17).
        mitigated === 0 ? undefined : scratch,
        acceptance,
        fs,
      );
      names.push(name);
    };
    const report = (d: FindingDraft): void => build(draft.copy(d));
    const ctx: RuleContext = { model, graph, facts, report };
    try {
      rule.check(ctx);
    } catch (e) {
      records.truncate(first);
      names.length = first;
      diagnostics.push(
        diag("AT4002", modelLoc, `rule \`${rule.meta.id}\` failed: ${(e as Error).message ?? String(e)}`, {
          hint: "the other rules ran; please report this with the model",
        }),
      );
    }
    groups.push({ prefix: idPrefix, start: first, end: records.length });
  }

  // Before the records are finished: what the library cached for the reports can be collected
  // while they are copied into their columns.
  releaseReportCaches(graph, facts);
  const order = sortById(names, records.key, groups);
  const value = records.finish(model, metas, order);
  releaseSharedSubjects();
  if (model.acceptances.length > 0) diagnostics.push(...unmatchedAcceptances(model, value));
  return { value, diagnostics };
}

/** An AT4001 warning for each acceptance that no finding took up. */
function unmatchedAcceptances(model: ResolvedModel, findings: FindingRecords): Diagnostic[] {
  const out: Diagnostic[] = [];
  const matched = new Set<number>();
  for (let i = 0; i < findings.length; i++) {
    const a = findings.acceptance(i);
    if (a) matched.add(a.index);
  }
  for (const a of model.acceptances) {
    if (matched.has(a.index)) continue;
    out.push(
      diag(
        "AT4001",
        a.loc,
        `\`${a.rule}\` raises no finding on \`${a.subjectName}\`, so this acceptance matches nothing`,
        { hint: "remove the acceptance, or check that it names the right rule and subject" },
      ),
    );
  }
  return out;
}
