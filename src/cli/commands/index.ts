import type { CommandModule } from "../command.js";
import { checkCommand } from "./check.js";
import { compileCommand } from "./compile.js";
import { coverageCommand } from "./coverage.js";
import { diffCommand } from "./diff.js";
import { explainCommand } from "./explain.js";
import { exportCommand } from "./export.js";
import { fmtCommand } from "./fmt.js";
import { initCommand } from "./init.js";
import { pathsCommand } from "./paths.js";
import { rulesCommand } from "./rules.js";

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: readonly CommandModule[] = [
  checkCommand,
  compileCommand,
  pathsCommand,
  rulesCommand,
  explainCommand,
  coverageCommand,
  diffCommand,
  exportCommand,
  fmtCommand,
  initCommand,
];
