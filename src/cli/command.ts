import type { Argv } from "yargs";
import type { Io } from "./io.js";

/**
 * One CLI command: yargs metadata plus a `run` that returns the exit code. Commands are listed in
 * `commands/index.ts`; `run` is the only code that touches the file system, stdout and exit codes.
 */
export interface CommandModule {
  readonly command: string;
  readonly describe: string;
  readonly builder: (y: Argv) => Argv<object>;
  readonly run: (io: Io, argv: Record<string, unknown>) => number | Promise<number>;
}
