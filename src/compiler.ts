import { runRules } from "./analysis/engine.js";
import { computeFacts, type Facts } from "./analysis/facts.js";
import type { Finding } from "./analysis/findings.js";
import type { Rule } from "./analysis/rule.js";
import { RULES } from "./analysis/rules/index.js";
import { sortDiagnostics, hasErrors, type Diagnostic } from "./diagnostics/diagnostic.js";
import { buildThreatGraph, type ThreatGraph } from "./graph/threat-graph.js";
import type { CompilerHost } from "./host.js";
import { loadProgram, type LoadOptions, type Program } from "./semantic/imports.js";
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
}

/** What the front end produces: the program, the model when it resolved, and every diagnostic sorted. */
export interface FrontEndResult {
  readonly program: Program;
  readonly model: ResolvedModel;
  readonly diagnostics: readonly Diagnostic[];
  readonly ok: boolean;
}

/** Parse and resolve: everything `aithreat check` does. */
export function runFrontEnd(input: FrontEndInput): FrontEndResult {
  const loaded = loadProgram(input.inputs, input.root, input.host, input.load);
  const resolved = resolveProgram(loaded.value, input.resolve);
  const diagnostics = sortDiagnostics([...loaded.diagnostics, ...resolved.diagnostics]);
  return { program: loaded.value, model: resolved.value, diagnostics, ok: !hasErrors(diagnostics) };
}

/** What the analysis stage produces. */
export interface AnalysisResult {
  readonly graph: ThreatGraph;
  readonly facts: Facts;
  readonly findings: readonly Finding[];
  readonly diagnostics: readonly Diagnostic[];
}

/** Graph -> propagation facts -> rules -> findings. Runs only on a model without errors. */
export function analyze(model: ResolvedModel, rules: readonly Rule[] = RULES): AnalysisResult {
  const graph = buildThreatGraph(model);
  const facts = computeFacts(graph);
  const run = runRules(model, graph, facts, rules);
  return { graph, facts, findings: run.value, diagnostics: sortDiagnostics(run.diagnostics) };
}
