import path from "node:path";
import type { FileNode } from "../../ast/nodes.js";
import { analyzeModel, type FrontEndResult } from "../../compiler.js";
import { at, diag, type Diagnostic, type StageResult } from "../../diagnostics/diagnostic.js";
import type { CompilerHost } from "../../host.js";
import { loadProgram } from "../../semantic/imports.js";
import type { RawDeclaration } from "../../semantic/model.js";
import type { SourceFile } from "../../source.js";
import { parseFile } from "../../syntax/parse.js";
import {
  readPolicies,
  samePolicyNames,
  violationDiagnostics,
  type Policy,
  type PolicyEvaluation,
} from "./policy.js";

/**
 * The policy gate of `check` and `compile`: policies come from the model's own `policy` declarations
 * and from `--policy <file>`; both are validated (a mistake in a policy is an invalid model, exit 2);
 * a violated threshold is an AT5010 error located at the threshold (exit 1). The commands call these
 * few functions and combine the verdict with their own (`combineExit`), so this gate and the findings
 * gates of `compile` (`--fail-on`, `--baseline`) fail the run together.
 */

/** The yargs option both commands declare. */
export const POLICY_OPTION = {
  describe: "a file of `policy` declarations checked with the model's own (exit 1 when one fails)",
  type: "string",
} as const;

/** Exit codes the gate speaks (the CLI's, io.ts). */
const OK = 0;
const GATE = 1;
const INVALID = 2;
const INTERNAL = 3;

/** The more serious of two exit codes: an internal error, then an invalid model, then a failed gate. */
export function combineExit(a: number, b: number): number {
  for (const code of [INTERNAL, INVALID, GATE]) if (a === code || b === code) return code;
  return OK;
}

/** The validated policies of a run and what was wrong with them. */
export interface RunPolicies {
  readonly policies: readonly Policy[];
  readonly diagnostics: readonly Diagnostic[];
  /** A policy has an error: the run is invalid (exit 2). */
  readonly invalid: boolean;
  /** Files read for `--policy` besides the model's own (0 or 1): `check` counts them as checked. */
  readonly policyFiles: number;
}

/** Where the gate reads a policy file from. */
export interface PolicyFileContext {
  readonly host: CompilerHost;
  /** The command's working directory: a relative `--policy` is resolved against it. */
  readonly cwd: string;
  readonly maxFileSize?: number;
}

/**
 * The model's own policies plus those of `--policy <file>`, validated. A policy file that is also one
 * of the model's files is read once (its policies are the model's).
 */
export function runPolicies(
  front: FrontEndResult | { readonly diagnostics: readonly Diagnostic[] },
  policyFile: string | undefined,
  ctx: PolicyFileContext,
): RunPolicies {
  const diagnostics: Diagnostic[] = [];
  const policies: Policy[] = [];
  let policyFiles = 0;
  if ("model" in front) {
    const own = readPolicies(front.model.policyDecls, "model");
    policies.push(...own.value);
    diagnostics.push(...own.diagnostics);
  }
  if (policyFile !== undefined) {
    const abs = path.resolve(ctx.cwd, policyFile);
    const real = ctx.host.realpath(abs);
    const already = "program" in front && front.program.files.some((f) => f.realPath === real);
    if (!already) {
      // Named relative to the project root, as every model file is (`../org/gate.aithreat` for a
      // file beside it): a policy file's imports are dropped, so the root only names it. The name
      // reaches metrics.json, which must not change with the working directory the run starts in.
      const root = "program" in front ? front.program.root : ctx.cwd;
      const loaded = loadPolicyFile(abs, root, ctx);
      policyFiles = loaded.value.files;
      diagnostics.push(...loaded.diagnostics);
      const fromFile = readPolicies(loaded.value.decls, "file");
      policies.push(...fromFile.value);
      diagnostics.push(...fromFile.diagnostics);
    }
  }
  diagnostics.push(...samePolicyNames(policies));
  return { policies, diagnostics, invalid: diagnostics.some((d) => d.severity === "error"), policyFiles };
}

/**
 * Reads a policy file: the model language, `policy` declarations only. Anything else (components,
 * flows, imports) is AT5004 and ignored, so a policy file can never change the model it judges.
 * `files` is how many files were read (0 when it could not be).
 */
export function loadPolicyFile(
  abs: string,
  root: string,
  ctx: PolicyFileContext,
): StageResult<{ decls: RawDeclaration[]; files: number }> {
  const others: Diagnostic[] = [];
  // Parsed with imports removed, so loading never follows them.
  const parse = (file: SourceFile): StageResult<FileNode> => {
    const parsed = parseFile(file);
    const keep = parsed.value.statements.filter((s) => {
      if (s.kind === "declaration" && s.keyword === "policy") return true;
      const what = s.kind === "declaration" ? `\`${s.keyword}\`` : `\`${s.kind}\``;
      const span = s.kind === "declaration" ? s.keywordSpan : s;
      others.push(
        diag("AT5004", at(file, span), `a policy file holds only \`policy\` declarations, not ${what}`, {
          hint: "put the model in the model's own files; `--policy` adds thresholds only",
        }),
      );
      return false;
    });
    return { value: { ...parsed.value, statements: keep }, diagnostics: parsed.diagnostics };
  };
  const loaded = loadProgram([abs], root, ctx.host, {
    parse,
    ...(ctx.maxFileSize === undefined ? {} : { maxFileSize: ctx.maxFileSize }),
  });
  const decls: RawDeclaration[] = [];
  for (const f of loaded.value.files)
    for (const s of f.ast.statements)
      if (s.kind === "declaration" && s.keyword === "policy") decls.push({ node: s, file: f.source });
  return {
    value: { decls, files: loaded.value.files.length },
    diagnostics: [...loaded.diagnostics, ...others],
  };
}

/** What the gate adds to a run: diagnostics to print and its own exit code. */
export interface GateVerdict {
  readonly diagnostics: readonly Diagnostic[];
  readonly exit: number;
  /** The evaluation, when policies were checked. */
  readonly evaluation?: PolicyEvaluation;
  /** Files read for `--policy` besides the model's own (RunPolicies). */
  readonly policyFiles?: number;
}

/**
 * `check`'s gate: validates the run's policies, and when there are any and the model is valid,
 * analyses the model (only then: `check` stays a front-end pass otherwise) and checks them.
 */
export function checkGate(
  front: FrontEndResult | { readonly diagnostics: readonly Diagnostic[] },
  policyFile: string | undefined,
  ctx: PolicyFileContext,
): GateVerdict {
  const run = runPolicies(front, policyFile, ctx);
  const { policyFiles } = run;
  if (run.invalid) return { diagnostics: run.diagnostics, exit: INVALID, policyFiles };
  if (!("model" in front) || !front.ok || !run.policies.some((p) => p.thresholds.length > 0))
    return { diagnostics: run.diagnostics, exit: OK, policyFiles };
  const analysis = analyzeModel(front.model, { policies: run.policies });
  // A rule that threw makes the metrics incomplete: say so rather than judge on them.
  const broken = analysis.diagnostics.filter((d) => d.severity === "error");
  if (broken.length > 0) return { diagnostics: [...run.diagnostics, ...broken], exit: INTERNAL, policyFiles };
  return { ...verdictOf(analysis.policy, run.diagnostics), policyFiles };
}

/** `compile`'s gate, once the analysis (which evaluated the policies) has run. */
export function compileGate(evaluation: PolicyEvaluation): GateVerdict {
  return verdictOf(evaluation, []);
}

function verdictOf(evaluation: PolicyEvaluation, earlier: readonly Diagnostic[]): GateVerdict {
  const violations = violationDiagnostics(evaluation);
  return {
    diagnostics: [...earlier, ...violations],
    exit: violations.length > 0 ? GATE : OK,
    evaluation,
  };
}

/** One line for people after a run with policies: how many thresholds held. */
export function policySummary(evaluation: PolicyEvaluation): string | undefined {
  const n = evaluation.results.length;
  if (n === 0) return undefined;
  const failed = evaluation.results.filter((r) => !r.passed).length;
  const p = evaluation.policies.length;
  return `policy: ${n - failed} of ${n} threshold${n === 1 ? "" : "s"} met in ${p} polic${p === 1 ? "y" : "ies"}${failed ? `, ${failed} failed` : ""}`;
}
