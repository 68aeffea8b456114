import type { CommandModule } from "../command.js";
import { checkCommand } from "./check.js";
import { compileCommand } from "./compile.js";
import { diffCommand } from "./diff.js";
import { fmtCommand } from "./fmt.js";
import { initCommand } from "./init.js";
import { pathsCommand } from "./paths.js";

/** Every command of the CLI, in the order `--help` lists them. */
export const COMMANDS: readonly CommandModule[] = [
  checkCommand,
  compileCommand,
  pathsCommand,
  diffCommand,
  fmtCommand,
  initCommand,
];
