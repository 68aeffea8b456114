import type { Argv } from "yargs";
import type { CommandModule } from "../command.js";
import {
  loadModels,
  reportDiagnostics,
  summaryLine,
  withModelOptions,
  type ModelOptions,
} from "../common.js";
import { EXIT, type Io } from "../io.js";

/** Runs `check`, returning the exit code: 0 when valid (warnings allowed), 2 on any error. */
export function runCheck(io: Io, argv: ModelOptions): number {
  const result = loadModels(io, argv);
  const files = "program" in result ? result.program.files.length : 0;
  reportDiagnostics(io, result.diagnostics, argv.format, { files });
  if (argv.format !== "json" && !argv.quiet) io.err(`${summaryLine(result.diagnostics, files)}\n`);
  return result.diagnostics.some((d) => d.severity === "error") ? EXIT.INVALID : EXIT.OK;
}

/** `aithreat check`: parse and check models. */
export const checkCommand: CommandModule = {
  command: "check <models...>",
  describe: "Parse and check models, reporting every error with its location",
  builder: (y: Argv) =>
    withModelOptions(y)
      .option("format", { describe: "diagnostic output", choices: ["text", "json"], default: "text" })
      .example("$0 check samples/rag-support", "check every model file in a folder")
      .example("$0 check model.aithreat --format json", "diagnostics as JSON on stdout, for tools"),
  run: (io, argv) => runCheck(io, argv as unknown as ModelOptions),
};
