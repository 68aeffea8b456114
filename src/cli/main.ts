import yargs, { type Argv } from "yargs";
import { COMMANDS } from "./commands/index.js";
import { EXIT, processIo, type Io } from "./io.js";
import { VERSION } from "./version.js";
import { DOCS_URL } from "../emit/tool-info.js";
import { terminalLine, terminalText } from "../diagnostics/format.js";

export { VERSION } from "./version.js";
// For the bundle's loader, which must give the bundle its `import()` (render/packages.ts).
export { useImporter } from "../render/packages.js";

/**
 * The arguments with `--` taken out and every argument after it made a plain path: `./-name` for a
 * file whose name starts with `-`. yargs leaves the arguments after `--` out of a command's
 * positionals, so `aithreat check -- -draft.aithreat` was "not enough arguments". Every positional
 * a command takes after `--` is a model path or explain's target (neither starts with `-` unless it
 * is a path). The options written just before `--` move after those words: an option that takes a
 * value would otherwise take the first of them as it (`compile a -o -- b` wrote into `b`), where
 * `--` left it without one.
 */
export function afterDoubleDash(args: readonly string[]): string[] {
  const at = args.indexOf("--");
  if (at < 0) return [...args];
  const rest = args.slice(at + 1).map((a) => (a.startsWith("-") ? `./${a}` : a));
  let options = at;
  while (options > 0 && args[options - 1]!.startsWith("-")) options--;
  return [...args.slice(0, options), ...rest, ...args.slice(options, at)];
}

/** The commands by name, as a usage error lists them: `check`, `compile`, ... */
function commandNames(): string {
  return COMMANDS.map((c) => `\`${String(c.command).split(" ")[0]}\``).join(", ");
}

/**
 * Parses the command line and runs one command; returns the exit code. Usage errors exit 2; an
 * exception escaping a command is an internal error (exit 3) with a short message, and the stack
 * trace only with `--debug`.
 */
export async function main(given: readonly string[], io: Io = processIo()): Promise<number> {
  const args = afterDoubleDash(given);
  let code: number = EXIT.OK;
  let usageError: string | undefined;
  let pending: (() => number | Promise<number>) | undefined;
  const parser = yargs(args)
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
    .demandCommand(1, `name a command: ${commandNames()}`)
    .strict()
    .recommendCommands()
    .version(VERSION)
    .help()
    .wrap(Math.min(110, process.stdout.columns || 110))
    .exitProcess(false)
    .fail((msg, err) => {
      // yargs' own errors (YError: an option without its value) are usage errors; any other came
      // from a command and is a bug.
      if (err && err.name !== "YError") throw err;
      const bare = /^Not enough arguments following: (\S+)$/.exec(msg ?? "");
      usageError = bare ? `\`${flagOf(bare[1]!)}\` needs a value` : withoutCamelCase(msg ?? err?.message);
    })
    .epilogue(
      `Exit codes: 0 ok, 1 gate failed, 2 invalid model or usage, 3 internal error. Docs: ${DOCS_URL}/cli.md (also in the package's docs/ folder)`,
    );

  for (const cmd of COMMANDS) {
    let built: Argv<object> | undefined;
    parser.command({
      command: cmd.command,
      describe: cmd.describe,
      builder: (y: Argv) => (built = valuesRequired(cmd.builder(y), cmd.command)),
      // yargs may call the handler before its strict checks fail, so the command runs only after
      // parsing finished without a usage error.
      handler: (argv) => {
        const twice = built && repeatedOption(built, argv);
        const empty = built && emptyValue(built, argv, cmd.command);
        if (twice !== undefined) usageError ??= `${twice} is given more than once; give it once`;
        else if (empty !== undefined)
          usageError ??= `${empty} is given an empty value; is a variable it comes from unset?`;
        else pending = () => cmd.run(io, argv);
      },
    });
  }

  skipHelpCache(parser);
  let helpOrVersion = false;
  try {
    await parser.parseAsync(args, {}, (err, _argv, output) => {
      if (output && !err) {
        helpOrVersion = true;
        io.out(`${output}\n`);
      }
    });
  } catch (e) {
    return internalError(io, e, args.includes("--debug"));
  }
  if (usageError !== undefined) {
    const message = usageError.charAt(0).toLowerCase() + usageError.slice(1);
    io.err(`error AT9002: ${usageText(message, args)}\n  = hint: run \`aithreat --help\` for usage\n`);
    return EXIT.INVALID;
  }
  if (helpOrVersion || !pending) return EXIT.OK;
  try {
    code = await pending();
  } catch (e) {
    return internalError(io, e, args.includes("--debug"));
  }
  return code;
}

/**
 * A usage error made safe for a terminal, as diagnostics are (format.ts): yargs quotes the command
 * line in its messages (`Unknown argument: ...`), so its hidden characters (an escape sequence, a
 * bidirectional override) are shown as `?` (terminalText), and a line feed of an argument is shown as
 * `?` wherever the message quotes that argument (whole, without its dashes, or either side of its
 * `=`), so it cannot start a line that reads as another diagnostic. yargs' own line breaks stay
 * (`Invalid values:` and the argument under it, whose given value yargs writes as JSON). Should an
 * argument's line feed reach the message in a form not found there (yargs splits `-\nx` into two
 * flags), the whole message is put on one line.
 */
export function usageText(message: string, args: readonly string[]): string {
  let text = message;
  let unaccounted = false;
  for (const arg of args) {
    if (!arg.includes("\n")) continue;
    const bare = arg.replace(/^-+/, "");
    const eq = bare.indexOf("=");
    const pieces = [arg, bare, ...(eq < 0 ? [] : [bare.slice(0, eq), bare.slice(eq + 1)])]
      .filter((p) => p.includes("\n"))
      .sort((a, b) => b.length - a.length);
    let found = false;
    for (const p of pieces) {
      if (text.includes(p)) {
        text = text.split(p).join(terminalLine(p));
        found = true;
      } else if (text.includes(JSON.stringify(p).slice(1, -1))) found = true;
    }
    if (!found) unaccounted = true;
  }
  return unaccounted && text.includes("\n") ? terminalLine(text) : terminalText(text);
}

/**
 * yargs' "Unknown arguments" without the camel-case twin it adds for each dashed option:
 * `aithreat check --fail-on high` said "unknown arguments: fail-on, failOn", two unknowns for the
 * one option given.
 */
export function withoutCamelCase(message: string | undefined): string | undefined {
  const m = /^Unknown arguments: (.*)$/s.exec(message ?? "");
  if (!m) return message;
  const names = m[1]!.split(", ");
  const camel = (name: string) => name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
  const twins = new Set(names.filter((n) => n.includes("-")).map(camel));
  const kept = names.filter((n) => !twins.has(n));
  return `Unknown argument${kept.length === 1 ? "" : "s"}: ${kept.join(", ")}`;
}

/**
 * Stops yargs from rendering the chosen command's whole help text after its handler
 * (`usage.cacheHelpMessage`), kept for a help screen after a failure that this CLI never shows: usage
 * errors are reported by `fail` above, and help is printed only for `--help`, which does not run a
 * handler. Rendering it cost about 60 ms of every run, more than checking a small model. Reaches into
 * yargs' internal methods; returns whether it found them (test/cli/main.test.ts fails when a yargs
 * update moves them, so the saving cannot vanish unnoticed).
 */
export function skipHelpCache(parser: unknown): boolean {
  type Usage = { cacheHelpMessage?: () => void };
  const internal = (parser as { getInternalMethods?: () => { getUsageInstance?: () => Usage } })
    .getInternalMethods?.()
    ?.getUsageInstance?.();
  if (typeof internal?.cacheHelpMessage !== "function") return false;
  internal.cacheHelpMessage = () => {};
  return true;
}

/** What yargs knows of a command's options (its `getOptions`, not in its types). */
interface YargsOptions {
  key?: Record<string, unknown>;
  string?: string[];
  number?: string[];
  array?: string[];
  choices?: Record<string, unknown>;
  alias?: Record<string, string[]>;
}
const optionsOf = (built: Argv<object>): YargsOptions | undefined =>
  (built as unknown as { getOptions?: () => YargsOptions }).getOptions?.();

/** An option as typed on the command line: `-k`, `--out`. */
const flagOf = (name: string): string => (name.length === 1 ? `-${name}` : `--${name}`);

/** The positional arguments a command names: `models` and `target` in `explain <target> [models...]`. */
const positionalNames = (command: string): Set<string> =>
  new Set([...command.matchAll(/[<[](\w+)/g)].map((m) => m[1]!));

/**
 * Makes every option of a command that takes a value (a string or a number) refuse to stand without
 * one: yargs otherwise reads `-o` at the end of the line as "" or nothing, and the run went on with
 * the default (`compile m -o` wrote `aithreat-out`, `paths m -k` listed 5). Positionals are left
 * alone; options are found as `repeatedOption` finds them (nothing changes if yargs moves them).
 */
function valuesRequired(built: Argv<object>, command: string): Argv<object> {
  const options = optionsOf(built);
  if (!options) return built;
  const positionals = positionalNames(command);
  // An option with choices (`--format`) takes a value whatever its type says.
  const keys = [
    ...new Set([...(options.string ?? []), ...(options.number ?? []), ...Object.keys(options.choices ?? {})]),
  ].filter((k) => !positionals.has(k));
  return keys.length > 0 ? built.requiresArg(keys) : built;
}

/**
 * The first option of a command given more than once although it takes one value (`--out a --out
 * b`), by its own name (`-o a -o b` reports `--out`); undefined when there is none, or when yargs'
 * `getOptions` cannot be found (test/cli/main.test.ts fails then). yargs collects a repeated option
 * into an array, which the command would otherwise take for a string.
 */
function repeatedOption(built: Argv<object>, argv: Record<string, unknown>): string | undefined {
  const options = optionsOf(built);
  if (!options?.key) return undefined;
  const many = new Set(options.array ?? []);
  for (const a of [...many]) for (const alias of options.alias?.[a] ?? []) many.add(alias);
  const aliasOf = new Map<string, string>();
  for (const [name, aliases] of Object.entries(options.alias ?? {}))
    for (const alias of aliases) aliasOf.set(alias, name);
  for (const key of Object.keys(options.key)) {
    if (many.has(key) || !Array.isArray(argv[key])) continue;
    const name = aliasOf.get(key) ?? key;
    // With its aliases: `-k 3 -n 4` gives the same option twice under two names.
    const aliases = (options.alias?.[name] ?? []).filter((a) => a !== name);
    return [name, ...aliases].map((n) => `\`${flagOf(n)}\``).join(" or ");
  }
  return undefined;
}

/**
 * The first option or argument given as an empty string (`--out ""`, `check ""`): nothing takes one,
 * and read as a path it meant the current folder. Most often an unset shell variable.
 */
function emptyValue(built: Argv<object>, argv: Record<string, unknown>, command: string): string | undefined {
  const options = optionsOf(built);
  const aliases = new Set(Object.values(options?.alias ?? {}).flat());
  // Positional arguments by the names in the command (`check <models...>`), options by their flag.
  const positional = positionalNames(command);
  for (const key of Object.keys(options?.key ?? {})) {
    if (aliases.has(key)) continue;
    const v = argv[key];
    if (v !== "" && !(Array.isArray(v) && v.includes(""))) continue;
    return positional.has(key) ? `\`<${key}>\`` : `\`${flagOf(key)}\``;
  }
  const rest = (argv["_"] as unknown[] | undefined) ?? [];
  return rest.includes("") ? "a path" : undefined;
}

/** Reports an exception that escaped a command: a short message, the stack only with `--debug`. */
function internalError(io: Io, e: unknown, debug: boolean): number {
  const err = e instanceof Error ? e : new Error(String(e));
  try {
    io.err(
      `error AT9999: internal error: ${err.message}\n  = note: this is a bug in aithreat; please report it with the model that triggers it${debug ? "" : " (rerun with --debug for the stack trace)"}\n`,
    );
    if (debug && err.stack) io.err(`${err.stack}\n`);
  } catch {
    // The error stream itself failed (a closed pipe): the exit code still says what happened.
  }
  return EXIT.INTERNAL;
}
