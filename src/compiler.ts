import { runRules } from "./analysis/engine.js";
import { computeFacts, type Facts } from "./analysis/facts.js";
import type { FindingRecords } from "./analysis/finding-records.js";
import type { Rule } from "./analysis/rule.js";
import { RULES } from "./analysis/rules/index.js";
import { ENTRY_BIT, ENTRY_CLASSES } from "./analysis/facts.js";
import { analyzePaths, scratchFor, type PathOptions } from "./analysis/paths/analyze.js";
import { compileOrgRules, withOrgRuleControls, withOrgRules } from "./analysis/org-rules.js";
import { computeMetrics, type Metrics } from "./analysis/metrics/index.js";
import {
  evaluatePolicies,
  modelPolicies,
  type Policy,
  type PolicyEvaluation,
} from "./analysis/metrics/policy.js";
import type { PathAnalysis } from "./analysis/paths/model.js";
import {
  sortDiagnostics,
  hasErrors,
  type Diagnostic,
  type Location,
  type StageResult,
} from "./diagnostics/diagnostic.js";
import { findingsView, type FindingViewList } from "./emit/findings-view.js";
import { pathsView, type PathsView } from "./emit/paths-view.js";
import { once } from "./memoize.js";
import { buildThreatGraph, type ThreatGraph } from "./graph/threat-graph.js";
import { inArena, type Arena } from "./graph/arena.js";
import { lineCol, type SourceFile } from "./source.js";
import { capErrors } from "./syntax/parse.js";
import { suggestedIn } from "./semantic/suggest.js";
import { BUILTIN_CONTROL_BY_ID } from "./catalog/controls.js";
import type { CompilerHost } from "./host.js";
import { DEFAULT_MAX_FILE_SIZE, loadProgram, type LoadOptions, type Program } from "./semantic/imports.js";
import { createCheckPool } from "./semantic/parallel.js";
import type { ResolvedModel } from "./semantic/model.js";
import { resolveProgram, type ResolveOptions } from "./semantic/resolve.js";

/**
 * The pipeline: load (read + parse every file and its imports) -> resolve (bind names, check) ->
 * graph -> analyze -> emit. Load and resolve always run so every error shows at once; later stages
 * run only on a model without errors.
 */
export interface FrontEndInput {
  readonly inputs: readonly string[];
  readonly root: string;
  readonly host: CompilerHost;
  readonly resolve: ResolveOptions;
  readonly load?: LoadOptions;
  /**
   * Worker threads that parse and check files (parallel.ts); default: one per core beyond the
   * first, started only for inputs large enough to pay for them. 0 loads on this thread only.
   */
  readonly workers?: number;
}

/** What the front end produces: the program, the model when it resolved, and every diagnostic sorted. */
export interface FrontEndResult {
  readonly program: Program;
  readonly model: ResolvedModel;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
  /** Wall milliseconds of each stage (bench/org.ts prints them). */
  readonly stages: { readonly load: number; readonly resolve: number; readonly rules: number };
  /** Worker threads started, and the files they and the main thread checked. */
  readonly threads: { readonly workers: number; readonly byWorkers: number; readonly byMain: number };
}

// Semantic complaints that a syntax error on the same line usually causes (an unterminated string
// swallows the `in zone` or the `trust` after it): shown once the syntax error is fixed, not before.
const FOLLOW_UPS = new Set(["AT3002", "AT3003", "AT3004", "AT3008", "AT3015", "AT2001"]);

function withoutFollowUps(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const broken = new Set<string>();
  for (const d of diagnostics) {
    if (d.location && d.code.startsWith("AT10") && d.severity === "error")
      broken.add(`${d.location.file.id}:${lineCol(d.location.file, d.location.start).line}`);
  }
  if (broken.size === 0) return [...diagnostics];
  return diagnostics.filter(
    (d) =>
      !(
        d.location &&
        FOLLOW_UPS.has(d.code) &&
        broken.has(`${d.location.file.id}:${lineCol(d.location.file, d.location.start).line}`)
      ),
  );
}

// Imports that loaded nothing: not found, outside the project root, a path that cannot be read.
const FAILED_IMPORTS = new Set(["AT2010", "AT2011", "AT2013"]);

/**
 * An unknown name (AT2001) in a file whose import failed gets a note pointing at that import: the
 * name is most likely declared in the file that did not load, and the import is what to fix. Not
 * when the name is a misspelt built-in control (its hint suggests one): no file declares those, and
 * the hint already says what to write.
 */
function withImportNotes(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const failed = new Map<SourceFile, Location>();
  for (const d of diagnostics)
    if (d.location && FAILED_IMPORTS.has(d.code) && !failed.has(d.location.file))
      failed.set(d.location.file, d.location);
  if (failed.size === 0) return [...diagnostics];
  return diagnostics.map((d) => {
    const at = d.code === "AT2001" && d.location ? failed.get(d.location.file) : undefined;
    if (!at || BUILTIN_CONTROL_BY_ID.has(suggestedIn(d.hint) ?? "")) return d;
    const note = {
      message: "an import of this file failed; the name may be declared in the file it names",
      location: at,
    };
    return { ...d, notes: [...(d.notes ?? []), note] };
  });
}

/** At most MAX_ERRORS_PER_FILE errors per file over all stages; the rest are summarised (AT1022). */
function capPerFile(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const byFile = new Map<SourceFile | undefined, Diagnostic[]>();
  for (const d of diagnostics) {
    const key = d.location?.file;
    let list = byFile.get(key);
    if (!list) byFile.set(key, (list = []));
    list.push(d);
  }
  return [...byFile].flatMap(([file, list]) => {
    if (!file) return list;
    // The parser may have capped its own errors already; keep its summary if this pass adds none.
    const earlier = list.find((d) => d.code === "AT1022");
    const capped = capErrors(
      file,
      list.filter((d) => d.code !== "AT1022"),
    );
    return earlier && !capped.some((d) => d.code === "AT1022") ? [...capped, earlier] : capped;
  });
}

/** Parse and resolve: everything `aithreat check` does. */
export function runFrontEnd(input: FrontEndInput): FrontEndResult {
  const pool =
    input.load?.parse || input.load?.check
      ? undefined
      : createCheckPool({
          host: input.host,
          maxFileSize: input.load?.maxFileSize ?? DEFAULT_MAX_FILE_SIZE,
          ...(input.workers === undefined ? {} : { workers: input.workers }),
        });
  const t0 = performance.now();
  let loaded: StageResult<Program>;
  try {
    loaded = loadProgram(input.inputs, input.root, input.host, { ...input.load, ...(pool ? { pool } : {}) });
  } finally {
    pool?.close();
  }
  const t1 = performance.now();
  const resolved = resolveProgram(loaded.value, input.resolve);
  const t2 = performance.now();
  // Organisation rules are checked here so `check` reports their errors; analysis recompiles them.
  const orgRules = compileOrgRules(resolved.value, { program: loaded.value });
  const t3 = performance.now();
  const diagnostics = sortDiagnostics(
    capPerFile(
      withImportNotes(
        withoutFollowUps([...loaded.diagnostics, ...resolved.diagnostics, ...orgRules.diagnostics]),
      ),
    ),
  );
  return {
    program: loaded.value,
    model: resolved.value,
    diagnostics,
    ok: !hasErrors(diagnostics),
    stages: { load: t1 - t0, resolve: t2 - t1, rules: t3 - t2 },
    threads: pool?.stats ?? { workers: 0, byWorkers: 0, byMain: 0 },
  };
}

/** What the analysis stage produces. */
export interface AnalysisResult {
  readonly graph: ThreatGraph;
  readonly facts: Facts;
  readonly findings: FindingRecords;
  readonly diagnostics: readonly Diagnostic[];
}

/** The threat graph and propagation facts of a model, and the rules that run on it. */
interface Prepared {
  readonly rules: readonly Rule[];
  readonly model: ResolvedModel;
  readonly graph: ThreatGraph;
  readonly facts: Facts;
}

/** Graph -> propagation facts, with the model's organisation rules and their controls. */
function prepare(model: ResolvedModel, rules: readonly Rule[]): Prepared {
  const allRules = withOrgRules(model, rules);
  const analysed = withOrgRuleControls(model, allRules);
  return { rules: allRules, model: analysed, ...graphAndFacts(analysed) };
}

/**
 * The threat graph and its propagation facts. Their typed arrays come from one reservation that
 * lives as long as they do (it is never given back): at 1M components they are about 250 MB in some
 * eighty arrays, and every 64 MB of new ArrayBuffers started a full collection of the 1.9 GB heap the
 * front end had left. `done` is told when each is built (the analysis benchmark times them).
 */
export function graphAndFacts(
  model: ResolvedModel,
  done: (built: "threat graph" | "facts") => void = () => undefined,
): { graph: ThreatGraph; facts: Facts } {
  const { length: n } = model.components;
  const { length: m } = model.flows;
  return inArena(prepareScratchBytes(n, m), () => {
    const graph = buildThreatGraph(model);
    done("threat graph");
    const facts = computeFacts(graph);
    done("facts");
    return { graph, facts };
  });
}

/**
 * The typed arrays of a threat graph and its facts, in bytes, from n components and m flows: about
 * 150 per component and 80 per flow, with room to spare (more is allocated apart).
 */
function prepareScratchBytes(n: number, m: number): number {
  return 200 * n + 120 * m + (1 << 16);
}

function findingsOf(p: Prepared): AnalysisResult {
  const run = runRules(p.model, p.graph, p.facts, p.rules);
  return {
    graph: p.graph,
    facts: p.facts,
    findings: run.value,
    diagnostics: sortDiagnostics(run.diagnostics),
  };
}

/**
 * Graph -> propagation facts -> rules -> findings. Runs only on a model without errors. The model's
 * organisation rules run with the given ones.
 */
export function analyze(model: ResolvedModel, rules: readonly Rule[] = RULES): AnalysisResult {
  return findingsOf(prepare(model, rules));
}

/**
 * Everything `compile` knows about a model: findings, attack paths, and their output views. Made with
 * `releaseGraph` (compile without `--only`), reading `graph` or `facts` throws: no output may.
 */
export interface CompileAnalysis extends AnalysisResult {
  readonly model: ResolvedModel;
  readonly rules: readonly Rule[];
  readonly findingsView: FindingViewList;
  readonly paths: PathAnalysis;
  readonly pathsView: PathsView;
  /** Every metric of the model (docs/metrics.md). */
  readonly metrics: Metrics;
  /** The policies of the run checked against the metrics (passed, with no results, when there is none). */
  readonly policy: PolicyEvaluation;
}

/**
 * The scratch the rule library's and metrics' per-graph caches take, with the searches that fill
 * them (nothing is given back before the stage ends), and the findings' record and fact chunks, in
 * bytes, from n components and m flows (measured on the generated models, bench/README.md; more is
 * allocated apart: slower, never wrong). Little room to spare with the paths handed in (`compile`
 * with the paths worker): a high water of 128.6 of 136 MB at 100k (ADR 0011, stop 38).
 */
export function ruleScratchBytes(n: number, m: number): number {
  // 200 bytes a component of it for the findings' fact numbers and fact table (ADR 0021 step 2, third
  // part: they took about 134 a component at 100k).
  return 1050 * n + 120 * m + (1 << 20);
}

/**
 * Attack paths, then rules, then the views every emitter reads. The paths do not read the findings,
 * and run first on purpose: their working arrays are allocated while the heap is small, before the
 * rules add their findings (hundreds of thousands on a large model), so the collections the paths
 * cause stay cheap (bench/README.md). With `pathsFrom` (a paths worker, ADR 0013) they are asked for
 * after the rules, when the metrics first read them, and worked out here only if it has none.
 *
 * With `onDemand`, the attack paths, their view, the metrics (which read the paths), the policy
 * verdict (which reads the metrics) and the findings' view are worked out when first read instead:
 * `compile --only` asking for outputs that read none of them (SARIF and JUnit read no path; the
 * checklist reads the paths for its cheapest cut, not the metrics), or `export` (which reads no
 * view), then never pays for them. The findings are always made.
 */
export function analyzeModel(
  model: ResolvedModel,
  options: {
    rules?: readonly Rule[];
    paths?: PathOptions;
    policies?: readonly Policy[];
    /** Called with the rules' and metrics' scratch arena after them (tests read how much was used). */
    ruleScratchUsed?: (arena: Arena) => void;
    onDemand?: boolean;
    /**
     * The attack paths worked out elsewhere (src/cli/paths-worker.ts), asked for after the rules,
     * with the model as analysed; undefined when they cannot be had, and they are worked out here.
     */
    pathsFrom?: (analysed: ResolvedModel) => PathAnalysis | undefined;
    /**
     * Everything worked out now, and the threat graph and facts let go (reading `graph` or `facts`
     * then throws): `compile` without `--only`, whose outputs read neither, while at 1M components
     * they are about 0.5 GB of arena beside their objects, alive through every output. Not with
     * `onDemand`.
     */
    releaseGraph?: boolean;
  } = {},
): CompileAnalysis {
  const prepared = prepare(model, options.rules ?? RULES);
  const rules = prepared.rules;
  const pathsFrom = options.pathsFrom;
  const pathsOf = once(
    () =>
      pathsFrom?.(prepared.model) ?? analyzePaths(prepared.graph, prepared.facts, rules, options.paths ?? {}),
  );
  // Worked out here and now, the paths take the front of the rules' reservation (sized for both) and
  // give it back before the rules start: one reservation instead of two, whose pages the rules then
  // reuse. (When reservations were plain ArrayBuffers, the second one came after the paths, with the
  // model and their answers on the heap, and started a full collection that paused the
  // 1M-component compile for seconds; shared ones start none, ADR 0011.)
  const pathsFirst = !options.onDemand && !pathsFrom;
  // The rule library caches its answers per graph and per facts object (WeakMaps), and metrics read
  // them too. Rules and metrics get views of their own, dropped once metrics are done: the caches
  // then go with them instead of living through the output side beside the graph (about 150 MB at
  // 100k components, memory every later garbage collection would walk).
  const session = (): Prepared => ({
    ...prepared,
    graph: { ...prepared.graph },
    facts: { ...prepared.facts },
  });
  // Those caches' typed arrays come from one reservation, as the path analysis's scratch does (ADR
  // 0011): at 1M components they are hundreds of megabytes, and every 64 MB of new ArrayBuffers
  // would start a full collection of a heap that by then holds the findings too. Nothing is given
  // back before the end, so no array is ever reused while a cache holds it.
  const n = model.components.length;
  const m = model.flows.length;
  const { result, metrics: eager } = inArena(
    Math.max(ruleScratchBytes(n, m), pathsFirst ? scratchFor(n, m, options.paths ?? {}) : 0),
    () => {
      if (pathsFirst) pathsOf();
      const mine = session();
      const found = findingsOf(mine);
      // Metrics read the rules' caches: in the same session while it lives, or (on demand) in one of
      // their own, outside this reservation, so the rules' caches are not kept for them.
      const metrics = options.onDemand ? undefined : computeMetrics({ ...found, rules, paths: pathsOf() });
      // Only the findings leave the stage: `found` also names this session's graph and facts, which
      // key the rules' caches, so they would live on through the views beside the findings.
      return { result: { findings: found.findings, diagnostics: found.diagnostics }, metrics };
    },
    options.ruleScratchUsed,
    // Given back as the stage ends rather than at the next full collection, which on a large model
    // comes during the outputs, at the compile's peak (bench/README.md, stop 34).
    true,
  );
  const { findings, diagnostics } = result;
  const metricsOf = once(() => {
    if (eager) return eager;
    const { graph, facts } = session();
    return computeMetrics({ graph, facts, findings, rules, paths: pathsOf() });
  });
  const pathsViewOf = once(() => viewOfPaths(model, prepared.facts, pathsOf()));
  // Policies default to the model's own; the CLI passes them validated, plus `--policy <file>`.
  const policies = options.policies ?? modelPolicies(model);
  const policyOf = once(() =>
    evaluatePolicies(policies, {
      get metrics() {
        return metricsOf();
      },
      findings,
      model,
    }),
  );
  const findingsViewOf = once(() => findingsView(model, findings, rules));
  if (!options.onDemand) {
    pathsViewOf();
    findingsViewOf();
    policyOf();
  }
  const release = options.releaseGraph === true && !options.onDemand;
  // Run, each `once` lets its function go, and with it this scope's `prepared` (the graph and facts).
  if (release) metricsOf();
  return compileAnalysis({
    findings,
    diagnostics,
    model,
    rules,
    graph: release ? undefined : { graph: prepared.graph, facts: prepared.facts },
    findingsView: findingsViewOf,
    paths: pathsOf,
    pathsView: pathsViewOf,
    metrics: metricsOf,
    policy: policyOf,
  });
}

/**
 * The analysis `compile` reads, built outside `analyzeModel`'s scope: its getters would otherwise
 * keep that scope, the graph and facts of `prepared` with it, alive as long as the analysis.
 */
function compileAnalysis(parts: {
  findings: FindingRecords;
  diagnostics: readonly Diagnostic[];
  model: ResolvedModel;
  rules: readonly Rule[];
  /** Undefined: let go (`releaseGraph`). */
  graph: { graph: ThreatGraph; facts: Facts } | undefined;
  findingsView: () => FindingViewList;
  paths: () => PathAnalysis;
  pathsView: () => PathsView;
  metrics: () => Metrics;
  policy: () => PolicyEvaluation;
}): CompileAnalysis {
  const { graph, findingsView, paths, pathsView, metrics, policy } = parts;
  const kept = () => {
    if (graph === undefined)
      throw new Error("the threat graph and facts were let go after the analysis (releaseGraph)");
    return graph;
  };
  return {
    findings: parts.findings,
    diagnostics: parts.diagnostics,
    model: parts.model,
    rules: parts.rules,
    get graph() {
      return kept().graph;
    },
    get facts() {
      return kept().facts;
    },
    get findingsView() {
      return findingsView();
    },
    get paths() {
      return paths();
    },
    get pathsView() {
      return pathsView();
    },
    get metrics() {
      return metrics();
    },
    get policy() {
      return policy();
    },
  };
}

/** The output view of a path analysis, each entry shown with its classes. */
function viewOfPaths(model: ResolvedModel, facts: Facts, paths: PathAnalysis): PathsView {
  return pathsView(model, paths, (v) => ENTRY_CLASSES.filter((c) => facts.entry[v]! & ENTRY_BIT[c]));
}

/** The attack paths alone, with what they were worked out from. */
function preparedPaths(
  model: ResolvedModel,
  options: PathOptions,
): { prepared: Prepared; paths: PathAnalysis } {
  const prepared = prepare(model, RULES);
  return { prepared, paths: analyzePaths(prepared.graph, prepared.facts, prepared.rules, options) };
}

/**
 * The attack paths of a model and their view alone, without the rule catalog's findings (what
 * `aithreat paths` shows): on a large model the findings are most of an analysis.
 */
export function analyzeModelPaths(
  model: ResolvedModel,
  options: PathOptions = {},
): { readonly paths: PathAnalysis; readonly pathsView: PathsView } {
  const { prepared, paths } = preparedPaths(model, options);
  return { paths, pathsView: viewOfPaths(model, prepared.facts, paths) };
}

/**
 * The attack paths alone, with the model as analysed (its organisation rules' controls in place),
 * whose control objects the paths' steps name: what the paths worker of a compile sends back.
 */
export function pathsOfModel(
  model: ResolvedModel,
  options: PathOptions = {},
): { readonly paths: PathAnalysis; readonly analysed: ResolvedModel } {
  const { prepared, paths } = preparedPaths(model, options);
  return { paths, analysed: prepared.model };
}
