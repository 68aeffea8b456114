import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import type { CommandModule } from "../command.js";
import { MODEL_EXTENSION } from "../inputs.js";
import { EXIT, type Io } from "../io.js";
import { DEFAULT_STARTER_TITLE, starterModel } from "../starter.js";

/** File name `init` writes when given no path, or a folder. */
export const DEFAULT_MODEL_FILE = `model${MODEL_EXTENSION}`;

/** Options of `aithreat init`. */
export interface InitOptions {
  path?: string;
  force?: boolean;
  title?: string;
  quiet?: boolean;
}

function fail(io: Io, message: string, hint?: string): number {
  io.err(`error AT9002: ${message}\n${hint ? `  = hint: ${hint}\n` : ""}`);
  return EXIT.INVALID;
}

/**
 * Where to write: no path means `model.aithreat` in the current folder; an existing folder, or a
 * path ending in a separator, gets `model.aithreat` inside it; anything else must name a
 * `.aithreat` file, because `check` only picks those up when given a folder.
 */
function targetFile(io: Io, given: string | undefined): string | { error: string; hint: string } {
  if (given === undefined || given === "") return path.resolve(io.cwd, DEFAULT_MODEL_FILE);
  const abs = path.resolve(io.cwd, given);
  const endsWithSep = /[\\/]$/.test(given);
  let isDir = false;
  try {
    isDir = fs.statSync(abs).isDirectory();
  } catch {
    // Missing: decided by its name below.
  }
  if (isDir || endsWithSep) return path.join(abs, DEFAULT_MODEL_FILE);
  if (!abs.endsWith(MODEL_EXTENSION))
    return {
      error: `\`${given}\` does not end in \`${MODEL_EXTENSION}\``,
      hint: `model files end in \`${MODEL_EXTENSION}\`: \`aithreat init ${given}${MODEL_EXTENSION}\`, or pass a folder`,
    };
  return abs;
}

/** Runs `init`, returning the exit code: 0 when the starter was written, 2 when it was not. */
export function runInit(io: Io, argv: InitOptions): number {
  const title = argv.title ?? DEFAULT_STARTER_TITLE;
  // A title is one line of text in a string literal; line breaks or control characters would
  // either break the starter or hide text in it.
  if (/[\u0000-\u001f\u007f]/.test(title))
    return fail(io, "`--title` must be one line of text without control characters");

  const target = targetFile(io, argv.path);
  if (typeof target !== "string") return fail(io, target.error, target.hint);
  const shown = path.relative(io.cwd, target) || target;

  try {
    fs.mkdirSync(path.dirname(target), { recursive: true });
    // `wx` fails if the file exists, atomically: no window between a check and the write in which
    // another process could create the file and lose it.
    fs.writeFileSync(target, starterModel(title), { encoding: "utf8", flag: argv.force ? "w" : "wx" });
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === "EEXIST")
      return fail(io, `\`${shown}\` already exists`, "pass `--force` to overwrite it, or name another file");
    if (err.code === "EISDIR") return fail(io, `\`${shown}\` is a folder`);
    if (err.code === "EACCES" || err.code === "EPERM")
      return fail(io, `cannot write \`${shown}\`: permission denied`);
    if (err.code === "ENOTDIR" || err.code === "ENOENT")
      return fail(io, `cannot write \`${shown}\`: a parent of it is not a folder`);
    throw e;
  }

  io.out(`wrote ${shown}\n`);
  if (!argv.quiet) io.err(`next: edit it to describe your system, then run \`aithreat check ${shown}\`\n`);
  return EXIT.OK;
}

/** `aithreat init`: write a commented starter model. */
export const initCommand: CommandModule = {
  command: "init [path]",
  describe: "Write a commented starter model that checks clean",
  builder: (y: Argv) =>
    y
      .positional("path", {
        describe: `file to write (must end in ${MODEL_EXTENSION}), or a folder to write ${DEFAULT_MODEL_FILE} in`,
        type: "string",
      })
      .option("force", {
        alias: "f",
        describe: "overwrite the file if it exists",
        type: "boolean",
        default: false,
      })
      .option("title", {
        describe: "title of the starter's system",
        type: "string",
        default: DEFAULT_STARTER_TITLE,
      })
      .example("$0 init", `write ${DEFAULT_MODEL_FILE} in the current folder`)
      .example("$0 init models/support-bot.aithreat --title 'Support bot'", "name the file and the system")
      .example("$0 init models/ --force", `overwrite models/${DEFAULT_MODEL_FILE}`),
  run: (io, argv) => runInit(io, argv),
};
