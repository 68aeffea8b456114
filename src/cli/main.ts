import yargs from "yargs";
import { COMMANDS } from "./commands/index.js";
import { EXIT, processIo, type Io } from "./io.js";

/** Version printed by `--version`, kept in sync with package.json by a test. */
export const VERSION = "0.1.0";

/**
 * Parses the command line and runs one command; returns the exit code. Usage errors exit 2; an
 * exception escaping a command is an internal error (exit 3) with a short message, and the stack
 * trace only with `--debug`.
 */
export async function main(args: readonly string[], io: Io = processIo()): Promise<number> {
  let code: number = EXIT.OK;
  let usageError: string | undefined;
  const parser = yargs([...args])
    .scriptName("aithreat")
    .usage("$0 <command> [options]\n\nA threat-modeling compiler for AI systems.")
    .option("debug", {
      describe: "print stack traces of internal errors",
      type: "boolean",
      default: false,
      global: true,
    })
    .option("quiet", {
      alias: "q",
      describe: "print only errors and results, no summaries or progress",
      type: "boolean",
      default: false,
      global: true,
    })
    .demandCommand(1, "name a command; `aithreat --help` lists them")
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      if (err) throw err;
      usageError = msg;
    })
    .epilogue(
      "Exit codes: 0 ok, 1 gate failed, 2 invalid model or usage, 3 internal error. Docs: docs/cli.md",
    );

  for (const cmd of COMMANDS) {
    parser.command({
      command: cmd.command,
      describe: cmd.describe,
      builder: cmd.builder,
      handler: async (argv) => {
        code = await cmd.run(io, argv);
      },
    });
  }

  let helpOrVersion = false;
  try {
    await parser.parseAsync([...args], {}, (err, _argv, output) => {
      if (output && !err) {
        helpOrVersion = true;
        io.out(`${output}\n`);
      }
    });
  } catch (e) {
    const debug = args.includes("--debug");
    const err = e as Error;
    io.err(
      `error AT9999: internal error: ${err.message}\n  = note: this is a bug in aithreat; please report it with the model that triggers it${debug ? "" : " (rerun with --debug for the stack trace)"}\n`,
    );
    if (debug && err.stack) io.err(`${err.stack}\n`);
    return EXIT.INTERNAL;
  }
  if (usageError !== undefined) {
    io.err(`error AT9002: ${usageError}\n  = hint: run \`aithreat --help\` for usage\n`);
    return EXIT.INVALID;
  }
  if (helpOrVersion) return EXIT.OK;
  return code;
}
