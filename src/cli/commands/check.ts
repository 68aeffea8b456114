import type { Argv } from "yargs";
import { checkGate, combineExit, policySummary, POLICY_OPTION } from "../../analysis/metrics/gate.js";
import { sortDiagnostics } from "../../diagnostics/diagnostic.js";
import type { CommandModule } from "../command.js";
import {
  filesRead,
  loadModels,
  reportDiagnostics,
  summaryLine,
  withModelOptions,
  type ModelOptions,
} from "../common.js";
import { EXIT, type Io } from "../io.js";
import { nodeHost } from "../node-host.js";

/**
 * Runs `check`, returning the exit code: 0 when valid (warnings allowed), 2 on any error, 1 when a
 * policy (the model's own or `--policy`) fails.
 */
export function runCheck(io: Io, argv: ModelOptions & { policy?: string }): number {
  const result = loadModels(io, argv);
  const gate = checkGate(result, argv.policy, {
    host: nodeHost,
    cwd: io.cwd,
    ...(argv["max-file-size"] === undefined ? {} : { maxFileSize: argv["max-file-size"] }),
  });
  const diagnostics = sortDiagnostics([...result.diagnostics, ...gate.diagnostics]);
  // A `--policy` file that is not one of the model's files was read and checked too.
  const files = filesRead(result, gate.policyFiles);
  reportDiagnostics(io, diagnostics, argv.format, { files });
  // A command-line mistake stopped the run before any file was read: the error says it all.
  const usageOnly = !("program" in result) && diagnostics.every((d) => d.code.startsWith("AT9"));
  if (argv.format !== "json" && !argv.quiet && !usageOnly) {
    io.err(`${summaryLine(diagnostics, files)}\n`);
    const policy = gate.evaluation && policySummary(gate.evaluation);
    if (policy) io.err(`${policy}\n`);
  }
  const own = result.diagnostics.some((d) => d.severity === "error") ? EXIT.INVALID : EXIT.OK;
  return combineExit(own, gate.exit);
}

/** `aithreat check`: parse and check models. */
export const checkCommand: CommandModule = {
  command: "check <models...>",
  describe: "Parse and check models, reporting every error with its location",
  builder: (y: Argv) =>
    withModelOptions(y)
      .option("format", { describe: "diagnostic output", choices: ["text", "json"], default: "text" })
      .option("policy", POLICY_OPTION)
      .example("$0 check samples/rag-support", "check every model file in a folder")
      .example("$0 check model.aithreat --format json", "diagnostics as JSON on stdout, for tools"),
  run: (io, argv) => runCheck(io, argv as unknown as ModelOptions & { policy?: string }),
};
