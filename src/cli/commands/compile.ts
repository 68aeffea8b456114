import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { analyzeModel, type CompileAnalysis } from "../../compiler.js";
import {
  combineExit,
  compileGate,
  policySummary,
  POLICY_OPTION,
  runPolicies,
} from "../../analysis/metrics/gate.js";
import { diag, sortDiagnostics, type Diagnostic } from "../../diagnostics/diagnostic.js";
import type { EmitContext, Emitter, OutputFile } from "../../emit/emitter.js";
import { CHECKLIST_MAX_BYTES } from "../../emit/checklist.js";
import { EMITTERS, releaseAfter, writeOrder } from "../../emit/index.js";
import { JUNIT_MAX_BYTES, junitCasesLeftOut, junitEmitter } from "../../emit/junit.js";
import { SARIF_MAX_RESULTS, sarifEmitter, sarifResultsLeftOut } from "../../emit/sarif.js";
import { ONLY_NAMES, selectEmitters } from "../only.js";
import { checkTemplatesDir, TemplateError } from "../../emit/templates.js";
import type { CommandModule } from "../command.js";
import {
  loadModels,
  notGiven,
  pathsPerTargetProblem,
  filesRead,
  reportDiagnostics,
  resolveToday,
  wholeNumberOption,
  wholeNumberProblem,
  withModelOptions,
  type ModelOptions,
} from "../common.js";
import { evaluateGates, formatGateResult, resolveGates } from "../gates.js";
import { EXIT, type Io } from "../io.js";
import { nodeHost } from "../node-host.js";
import { sourceDigest, startPathsWorker, type PathsWorker } from "../paths-worker.js";
import { count, createProgress } from "../progress.js";
import { renderFormatsOf, renderOutputs, type RenderArgs } from "../render.js";
import { VERSION } from "../version.js";
import {
  cannotWriteOut,
  outputFolderRefusal,
  writeEmittedAtomically,
  writeOutputsAtomically,
} from "../write-outputs.js";
import { plural } from "../../words.js";
import type { ResolvedModel } from "../../semantic/model.js";
import { releaseText, type SourceFile } from "../../source.js";

/** Options of `compile`. */
export interface CompileArgs extends ModelOptions, RenderArgs {
  out: string;
  k: number;
  timestamp?: boolean;
  templates?: string;
  "fail-on"?: string;
  baseline?: string;
  policy?: string;
  only?: string;
  /** Checked by capOf: a number once checked, the text as given otherwise (wholeNumberOption). */
  "sarif-max-results"?: unknown;
  /** As `sarif-max-results`. */
  "junit-max-kb"?: unknown;
  "checklist-max-kb"?: unknown;
}

/** The output `--format` prints on stdout (text: none, only the summary on stderr). */
const FORMAT_FILES: Readonly<Record<string, string>> = {
  json: "findings.json",
  sarif: "findings.sarif",
  junit: "findings.junit.xml",
};

/**
 * Runs the emitters (every one by default) over an analysed model; files in emitter order, each
 * emitter's files as it orders them. `onEmitter` hears of each emitter before it runs (a large
 * model takes seconds).
 */
export function emitAll(
  ctx: EmitContext,
  onEmitter?: (name: string) => void,
  emitters: readonly Emitter[] = EMITTERS,
): OutputFile[] {
  return emitters.flatMap((e) => {
    onEmitter?.(e.name);
    return e.emit(ctx);
  });
}

/**
 * Prints a written output file on stdout a slice at a time (a large one does not fit in one string),
 * each slice decoded with the characters cut at its end carried over to the next. Printing the file
 * as written, rather than producing it again, costs a read of what the page cache still holds.
 */
export function printWrittenFile(io: Io, file: string, slice = 1 << 24): void {
  const fd = fs.openSync(file, "r");
  try {
    const bytes = Buffer.allocUnsafe(slice);
    const decoder = new TextDecoder();
    for (let n = fs.readSync(fd, bytes); n > 0; n = fs.readSync(fd, bytes))
      io.out(decoder.decode(bytes.subarray(0, n), { stream: true }));
    const rest = decoder.decode();
    if (rest !== "") io.out(rest);
  } finally {
    fs.closeSync(fd);
  }
}

/** AT9102 when findings.sarif is written and leaves results out under its cap (SARIF_MAX_RESULTS). */
function sarifCapped(
  analysis: CompileAnalysis,
  emitters: readonly Emitter[],
  max: number | undefined,
): Diagnostic[] {
  if (!emitters.some((e) => e.name === sarifEmitter.name)) return [];
  const cap = max ?? SARIF_MAX_RESULTS;
  const left = sarifResultsLeftOut(analysis.findingsView, cap);
  if (left === 0) return [];
  return [
    diag(
      "AT9102",
      undefined,
      `findings.sarif holds the ${cap} most severe of ${cap + left} results (open and accepted findings): GitHub code scanning rejects a run of more than ${SARIF_MAX_RESULTS}`,
      {
        hint: "findings.json has every finding; `--sarif-max-results 0` writes them all into findings.sarif",
      },
    ),
  ];
}

/** AT9103 when findings.junit.xml is written and leaves findings out under its size limit. */
function junitCapped(
  analysis: CompileAnalysis,
  emitters: readonly Emitter[],
  maxKb: number | undefined,
): Diagnostic[] {
  if (!emitters.some((e) => e.name === junitEmitter.name)) return [];
  const bytes = maxKb === undefined ? JUNIT_MAX_BYTES : maxKb * 1000;
  const all = analysis.findingsView.length;
  const left = junitCasesLeftOut(analysis.findingsView, bytes);
  if (left === 0) return [];
  return [
    diag(
      "AT9103",
      undefined,
      `findings.junit.xml holds ${all - left} of ${all} findings (open ones and the most severe first), to stay under ${bytes / 1000} kB: GitLab refuses a JUnit report of 30 MB or more`,
      { hint: "findings.json has every finding; `--junit-max-kb 0` writes them all into findings.junit.xml" },
    ),
  ];
}

/**
 * A cap option (`--sarif-max-results`, `--junit-max-kb`, `--checklist-max-kb`) as a number (undefined: not given), or
 * AT9002 when it is not a whole number. Read from the text as given (wholeNumberOption): yargs reads
 * `""` or `" "` as the number 0, the value that lifts the cap, so `--sarif-max-results "$MAX"` with
 * the variable unset would write every result, and a large model's upload would fail.
 */
function capOf(raw: unknown, flag: string): number | undefined | Diagnostic {
  return (
    wholeNumberProblem(raw, {
      flag: `\`${flag}\``,
      min: 0,
      what: "a whole number, 0 for no limit",
    }) ?? (raw as number | undefined)
  );
}

/** Runs `compile`: check, analyse, write every output into `--out` atomically. */
export async function runCompile(io: Io, argv: CompileArgs): Promise<number> {
  // A command line mistake stops the run before any model is read (with --format json, as JSON).
  const refuse = (problems: Diagnostic[]): number => {
    reportDiagnostics(io, problems, argv.format === "json" ? "json" : "text", { files: 0 });
    return EXIT.INVALID;
  };
  const threads = threadModeProblem(io);
  if (threads) return refuse([threads]);
  const gates = resolveGates(argv);
  if ("code" in gates) return refuse([gates]);
  const badK = pathsPerTargetProblem(argv.k);
  if (badK) return refuse([badK]);
  const sarifMax = capOf(argv["sarif-max-results"], "--sarif-max-results");
  if (typeof sarifMax === "object") return refuse([sarifMax]);
  const junitMaxKb = capOf(argv["junit-max-kb"], "--junit-max-kb");
  if (typeof junitMaxKb === "object") return refuse([junitMaxKb]);
  const checklistMaxKb = capOf(argv["checklist-max-kb"], "--checklist-max-kb");
  if (typeof checklistMaxKb === "object") return refuse([checklistMaxKb]);
  if (argv.templates !== undefined) {
    const problems = checkTemplatesDir(argv.templates).map((m) => diag("AT9002", undefined, m));
    if (problems.length > 0) return refuse(problems);
  }
  const render = renderFormatsOf(argv);
  if (render && "code" in render) return refuse([render]);
  const printed = FORMAT_FILES[argv.format ?? "text"];
  const emitters = selectEmitters(argv.only, {
    ...(printed === undefined ? {} : { printed }),
    render: render !== undefined,
  });
  if ("code" in emitters) return refuse([emitters]);
  const refused = outputFolderRefusal(argv.out);
  if (refused) return refuse([cannotWriteOut(argv.out, refused)]);
  const progress = createProgress(io, { quiet: argv.quiet });
  progress.stage("loading models");
  // The day is resolved once, so the paths worker loads the model with the very same options.
  const today = resolveToday(io, argv.today);
  const args = typeof today === "string" ? { ...argv, today } : argv;
  // With `--only`, the paths are worked out only if an output reads them: no worker for them.
  const worker =
    argv.only === undefined && typeof today === "string" ? pathsWorkerFor(io, args, today) : undefined;
  try {
    return await compileWith(io, args, {
      gates,
      emitters,
      render,
      printed,
      progress,
      worker,
      sarifMax,
      junitMaxKb,
      checklistMaxKb,
    });
  } finally {
    worker?.close();
  }
}

/**
 * `$AITHREAT_THREADS`: `never` keeps a compile's path analysis and file writing on the main thread,
 * `always` gives them threads of their own whatever the model's size; unset or empty, by size. Any
 * other value is refused before the run (threadModeProblem).
 */
function threadMode(io: Io): "never" | "always" | "auto" {
  const mode = io.env["AITHREAT_THREADS"];
  return mode === "never" || mode === "always" ? mode : "auto";
}

/**
 * AT9002 for an `$AITHREAT_THREADS` that is neither `never` nor `always` (nor unset or empty), as for an
 * `$AITHREAT_TODAY` that is no date: `AITHREAT_THREADS=off` silently meant the default, threads
 * included, where it was meant to turn them off.
 */
function threadModeProblem(io: Io): Diagnostic | undefined {
  const mode = io.env["AITHREAT_THREADS"];
  if (mode === undefined || mode === "" || mode === "never" || mode === "always") return undefined;
  return diag(
    "AT9002",
    undefined,
    `\`$AITHREAT_THREADS\` must be \`never\` or \`always\`, ${notGiven(mode)}`,
    {
      hint: "unset it (or leave it empty) to have compile choose by the model's size",
    },
  );
}

/**
 * Components from which output files are written by a second thread. Measured (medians of six runs
 * per mode, idle machine): at 10k the compile took 3.58 s with it against 3.38 s without; at 100k
 * 22.9 against 23.3 s (three runs each).
 */
const WRITE_THREAD_COMPONENTS = 40_000;

function threadsFor(io: Io, components: number): boolean {
  const mode = threadMode(io);
  return mode === "always" || (mode === "auto" && components >= WRITE_THREAD_COMPONENTS);
}

/** Starts the attack paths on a second thread (paths-worker.ts) when it pays. */
function pathsWorkerFor(io: Io, argv: CompileArgs, today: string): PathsWorker | undefined {
  const mode = threadMode(io);
  if (mode === "never") return undefined;
  try {
    return startPathsWorker(
      {
        models: argv.models,
        today,
        paths: { k: argv.k },
        ...(argv.root === undefined ? {} : { root: argv.root }),
        ...(argv["max-file-size"] === undefined ? {} : { maxFileSize: argv["max-file-size"] }),
      },
      { force: mode === "always", patient: mode === "always" },
    );
  } catch {
    // Sizing the inputs failed (the load reports why): the paths are made here.
    return undefined;
  }
}

async function compileWith(
  io: Io,
  argv: CompileArgs,
  run: {
    gates: Exclude<ReturnType<typeof resolveGates>, Diagnostic>;
    emitters: readonly Emitter[];
    render: Exclude<ReturnType<typeof renderFormatsOf>, Diagnostic>;
    printed: string | undefined;
    progress: ReturnType<typeof createProgress>;
    worker: PathsWorker | undefined;
    /** `--sarif-max-results`, checked. */
    sarifMax: number | undefined;
    /** `--junit-max-kb`, checked. */
    junitMaxKb: number | undefined;
    /** `--checklist-max-kb`, checked. */
    checklistMaxKb: number | undefined;
  },
): Promise<number> {
  const { gates, emitters, render, printed, progress, worker, sarifMax, junitMaxKb, checklistMaxKb } = run;
  let loaded: ReturnType<typeof loadModels> | undefined = loadModels(io, argv);
  progress.clear();
  // The model's own policies and `--policy`, validated: a mistake in a policy is an invalid model.
  const policies = runPolicies(loaded, argv.policy, {
    host: nodeHost,
    cwd: io.cwd,
    ...(argv["max-file-size"] === undefined ? {} : { maxFileSize: argv["max-file-size"] }),
  });
  // With --format json, stdout holds one JSON document either way: findings, or the diagnostics that
  // stopped the run (an invalid model, a broken template, an `--out` that cannot be written).
  // As `check --format json` prints them, with the count of files read.
  const failureFormat = argv.format === "json" ? "json" : "text";
  const read = { files: filesRead(loaded, policies.policyFiles) };
  if (!("model" in loaded) || !loaded.ok || policies.invalid) {
    const all = sortDiagnostics([...loaded.diagnostics, ...policies.diagnostics]);
    reportDiagnostics(io, all, failureFormat, read);
    return EXIT.INVALID;
  }
  progress.stage(`analysing ${count(loaded.model.components.length, "component")}`);
  // With `--only`, what no chosen output reads (the attack paths, the metrics) is never worked out.
  const model = loaded.model;
  const frontEndDiagnostics = loaded.diagnostics;
  // Nothing after this reads the program (every file's units and syntax beside the model: 7 MB of
  // heap and 13 MB of array buffers at 100k components), so it does not live through the analysis
  // and the outputs, where the 1M compile has its peaks.
  loaded = undefined;
  releaseTexts(model, [...frontEndDiagnostics, ...policies.diagnostics], worker);
  const analysis = analyzeModel(model, {
    paths: { k: argv.k },
    policies: policies.policies,
    onDemand: argv.only !== undefined,
    // No output reads the threat graph or facts: they go once the metrics and views are made.
    releaseGraph: argv.only === undefined,
    ...(worker ? { pathsFrom: (analysed) => worker.take(model, analysed) } : {}),
  });
  progress.clear();
  if (argv.debug && worker?.outcome !== undefined)
    io.err(
      worker.outcome === ""
        ? `debug: the attack paths came from the paths worker (waited ${Math.round(worker.waited)} ms)\n`
        : `debug: the attack paths were worked out on the main thread: ${worker.outcome}\n`,
    );
  const diagnostics = [
    ...frontEndDiagnostics,
    ...policies.diagnostics,
    ...analysis.diagnostics,
    ...sarifCapped(analysis, emitters, sarifMax),
    ...junitCapped(analysis, emitters, junitMaxKb),
  ];
  reportDiagnostics(io, diagnostics, "text");
  if (analysis.diagnostics.some((d) => d.severity === "error")) return EXIT.INTERNAL;
  const ctx: EmitContext = {
    analysis,
    toolVersion: VERSION,
    ...(argv.timestamp ? { generatedAt: new Date().toISOString() } : {}),
    ...(argv.templates ? { templatesDir: argv.templates } : {}),
    diagnostics,
    ...(sarifMax === undefined ? {} : { sarifMaxResults: sarifMax }),
    ...(junitMaxKb === undefined ? {} : { junitMaxBytes: junitMaxKb * 1000 }),
    ...(checklistMaxKb === undefined ? {} : { checklistMaxBytes: checklistMaxKb * 1000 }),
  };
  progress.stage("writing outputs");
  const onEmitter = (name: string) => progress.stage(`writing outputs: ${name}`);
  const thread = threadsFor(io, model.components.length);
  let written: number;
  // Whether an emitter is running: an error it throws is no error of the output folder's.
  let emitting = false;
  try {
    if (render) {
      // Images join the same atomic folder, and are rendered from the other files: every file is
      // made before the writing.
      emitting = true;
      const files = emitAll(ctx, onEmitter, emitters);
      files.push(
        ...(await renderOutputs(io, files, render, argv, (done, total) =>
          progress.stage(`rendering diagrams ${done}/${total}`),
        )),
      );
      emitting = false;
      progress.stage(`writing outputs: ${count(files.length, "file")} into ${argv.out}`);
      writeOutputsAtomically(argv.out, files, { thread });
      written = files.length;
    } else {
      // Each emitter's files are written before the next emitter runs, so its data can go.
      written = writeEmittedAtomically(
        argv.out,
        function* () {
          const ordered = writeOrder(emitters);
          for (const [i, e] of ordered.entries()) {
            onEmitter(e.name);
            emitting = true;
            const files = e.emit(ctx);
            emitting = false;
            yield files;
            // Written now: what no later emitter reads can go. The files (whose producers hold their
            // emitter's data: the checklist's, 92 MB at 100k) too, while the next emitter runs: this
            // frame and the writer's loop still name the list until the next one is made.
            files.length = 0;
            releaseAfter(ordered, i, ctx);
          }
        },
        { thread },
      );
    }
  } catch (e) {
    // A broken template from `--templates` is bad input, not a bug: no output is written.
    if (e instanceof TemplateError && e.overridden) {
      progress.clear();
      reportDiagnostics(
        io,
        [diag("AT9002", undefined, `${e.message} (in \`--templates ${argv.templates}\`)`)],
        failureFormat,
        read,
      );
      return EXIT.INVALID;
    }
    // A file in the way, no permission, a full disk: the command line or the machine is at fault,
    // not aithreat (an error without a system code, such as an unsafe emitter path, is a bug).
    if (emitting || typeof (e as NodeJS.ErrnoException).code !== "string") throw e;
    progress.clear();
    reportDiagnostics(io, [cannotWriteOut(argv.out, (e as Error).message)], failureFormat, read);
    return EXIT.INVALID;
  }
  progress.clear();
  if (printed !== undefined) printWrittenFile(io, path.join(argv.out, printed));
  if (!argv.quiet) {
    const open = analysis.findings.countStatus("open");
    io.err(
      `wrote ${plural(written, "file")} to ${argv.out}: ${plural(analysis.findings.length, "finding")} (${open} open)\n`,
    );
  }
  // Read only by an active gate: `--only paths` or `metrics` never builds the findings' view.
  const gate = evaluateGates(() => analysis.findingsView, gates);
  if (gate.failed || !argv.quiet) io.err(formatGateResult(gate, gates));
  // The policy gate (docs/policy.md): each violated threshold is a located AT5010; either gate fails the run.
  const policyGate = compileGate(analysis.policy);
  reportDiagnostics(io, policyGate.diagnostics, "text");
  const summary = policySummary(analysis.policy);
  if (summary && (policyGate.exit !== EXIT.OK || !argv.quiet)) io.err(`${summary}\n`);
  return combineExit(gate.failed ? EXIT.GATE : EXIT.OK, policyGate.exit);
}

/**
 * Lets go the texts of the model's files that no diagnostic of this run can show a line of (about
 * 280 MB at 1M components, through the analysis and the outputs): lines and columns stay exact (the
 * line starts are kept). Kept: the files of the diagnostics already found, and those holding what a
 * later diagnostic points at: policies (the policy gate's AT5010), acceptances (AT4001) and the first
 * file (a rule that fails, AT4002); and the organisation rules' (none points there after the load,
 * but the analysis compiles the rules again from their syntax nodes). The paths worker's answer is
 * checked against a digest of the texts, taken first.
 */
export function releaseTexts(
  model: ResolvedModel,
  diagnostics: readonly Diagnostic[],
  worker: PathsWorker | undefined,
): void {
  if (worker) sourceDigest(model);
  const keep = new Set<SourceFile>();
  if (model.files[0]) keep.add(model.files[0]);
  for (const d of diagnostics) {
    if (d.location) keep.add(d.location.file);
    for (const n of d.notes ?? []) if (n.location) keep.add(n.location.file);
  }
  for (const r of model.ruleDecls) keep.add(r.file);
  for (const p of model.policyDecls) keep.add(p.file);
  for (const a of model.acceptances) keep.add(a.loc.file);
  for (const f of model.files) if (!keep.has(f)) releaseText(f);
}

/** `aithreat compile`: every output for a model. */
export const compileCommand: CommandModule = {
  command: "compile <models...>",
  describe: "Check and analyse models, and write findings, attack paths and reports into a folder",
  builder: (y: Argv) =>
    withModelOptions(y)
      .option("out", {
        alias: "o",
        describe: "output folder (replaced atomically)",
        type: "string",
        default: "aithreat-out",
      })
      .option("k", wholeNumberOption("attack paths listed per crown jewel (1 to 100)", 5))
      .option(
        "sarif-max-results",
        // Read as text: as a number, yargs would take "" for 0, no limit.
        wholeNumberOption(
          `most results in findings.sarif, the most severe kept (0: all; GitHub code scanning takes at most ${SARIF_MAX_RESULTS})`,
        ),
      )
      .option(
        "junit-max-kb",
        wholeNumberOption(
          `most kilobytes (1,000 bytes) of findings.junit.xml, open and most severe findings kept first (0: no limit; default ${JUNIT_MAX_BYTES / 1000}, under GitLab's 30 MB)`,
        ),
      )
      .option(
        "checklist-max-kb",
        wholeNumberOption(
          `most kilobytes (1,000 bytes) of checklist.md; a larger checklist is split into an index and a file per owner, each under this size (0: one file of any size, each owner's findings capped by count; default ${CHECKLIST_MAX_BYTES / 1000}, under GitHub's 2 MB preview)`,
        ),
      )
      .option("timestamp", {
        describe: "record the time of the run in the outputs (off: identical input gives identical files)",
        type: "boolean",
        default: false,
      })
      .option("templates", {
        describe: "folder of report templates overriding the built-in ones",
        type: "string",
      })
      .option("fail-on", {
        describe: "exit 1 when an open finding (not mitigated, not accepted) is at or above this severity",
        choices: ["info", "low", "medium", "high", "critical"],
        type: "string",
      })
      .option("policy", POLICY_OPTION)
      .option("baseline", {
        describe:
          "a findings.json of an earlier run: fail only on findings over the bar that are new since it",
        type: "string",
      })
      .option("format", {
        describe: "also print an output on stdout: findings.json, findings.sarif or findings.junit.xml",
        choices: ["text", "json", "sarif", "junit"],
        default: "text",
      })
      .option("only", {
        describe: `write only these outputs (comma-separated): ${ONLY_NAMES}`,
        type: "string",
      })
      .option("render", {
        describe:
          "also render every diagram into images with Mermaid in a system Chromium: svg, png, pdf (comma-separated)",
        type: "string",
      })
      .option("chromium", {
        describe:
          "Chromium or Chrome to render with (default: $CHROMIUM_PATH, $PUPPETEER_EXECUTABLE_PATH, /usr/bin/chromium)",
        type: "string",
      })
      .example("$0 compile samples/rag-support --out out/rag", "write every output for one model")
      .example("$0 compile models --fail-on high", "exit 1 when an open finding is high or critical")
      .example(
        "$0 compile models --baseline main/findings.json",
        "exit 1 only on open findings that are new since the baseline",
      )
      .example("$0 compile models --render svg,png", "also write diagrams/*.svg and *.png (needs Chromium)"),
  run: (io, argv) => runCompile(io, argv as unknown as CompileArgs),
};
