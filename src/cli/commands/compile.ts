import type { Argv } from "yargs";
import { analyzeModel } from "../../compiler.js";
import type { EmitContext, OutputFile } from "../../emit/emitter.js";
import { EMITTERS } from "../../emit/index.js";
import { checkTemplatesDir, TemplateError } from "../../emit/templates.js";
import { diag } from "../../diagnostics/diagnostic.js";
import type { CommandModule } from "../command.js";
import { loadModels, reportDiagnostics, withModelOptions, type ModelOptions } from "../common.js";
import { EXIT, type Io } from "../io.js";
import { VERSION } from "../version.js";
import { writeOutputsAtomically } from "../write-outputs.js";

/** Options of `compile`. */
export interface CompileArgs extends ModelOptions {
  out: string;
  k: number;
  timestamp?: boolean;
  templates?: string;
}

/** Runs every emitter over an analysed model; files in emitter order, each emitter's files as it orders them. */
export function emitAll(ctx: EmitContext): OutputFile[] {
  return EMITTERS.flatMap((e) => e.emit(ctx));
}

/** Runs `compile`: check, analyse, write every output into `--out` atomically. */
export function runCompile(io: Io, argv: CompileArgs): number {
  if (argv.templates !== undefined) {
    const problems = checkTemplatesDir(argv.templates).map((m) => diag("AT9002", undefined, m));
    if (problems.length > 0) {
      reportDiagnostics(io, problems, "text");
      return EXIT.INVALID;
    }
  }
  const loaded = loadModels(io, argv);
  if (!("model" in loaded) || !loaded.ok) {
    reportDiagnostics(io, loaded.diagnostics, "text");
    return EXIT.INVALID;
  }
  const analysis = analyzeModel(loaded.model, { paths: { k: argv.k } });
  const diagnostics = [...loaded.diagnostics, ...analysis.diagnostics];
  reportDiagnostics(io, diagnostics, "text");
  if (analysis.diagnostics.some((d) => d.severity === "error")) return EXIT.INTERNAL;
  const ctx: EmitContext = {
    analysis,
    toolVersion: VERSION,
    ...(argv.timestamp ? { generatedAt: new Date().toISOString() } : {}),
    ...(argv.templates ? { templatesDir: argv.templates } : {}),
  };
  let files: OutputFile[];
  try {
    files = emitAll(ctx);
  } catch (e) {
    // A broken template from `--templates` is bad input, not a bug: no output is written.
    if (!(e instanceof TemplateError && e.overridden)) throw e;
    reportDiagnostics(
      io,
      [diag("AT9002", undefined, `${e.message} (in \`--templates ${argv.templates}\`)`)],
      "text",
    );
    return EXIT.INVALID;
  }
  writeOutputsAtomically(argv.out, files);
  if (!argv.quiet) {
    const open = analysis.findings.filter((f) => f.status === "open").length;
    io.err(
      `wrote ${files.length} files to ${argv.out}: ${analysis.findings.length} findings (${open} open)\n`,
    );
  }
  return EXIT.OK;
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
      .option("k", { describe: "attack paths listed per crown jewel", type: "number", default: 5 })
      .option("timestamp", {
        describe: "record the time of the run in the outputs (off: identical input gives identical files)",
        type: "boolean",
        default: false,
      })
      .option("templates", {
        describe: "folder of report templates overriding the built-in ones",
        type: "string",
      })
      .example("$0 compile samples/rag-support --out out/rag", "write every output for one model"),
  run: (io, argv) => runCompile(io, argv as unknown as CompileArgs),
};
