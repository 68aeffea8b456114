import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { RULE_IDS, ATLAS_MITIGATION_IDS } from "../catalog/index.js";
import { runFrontEnd, type FrontEndResult } from "../compiler.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { diagnosticToJson, formatDiagnostic, summarize } from "../diagnostics/format.js";
import { DEFAULT_MAX_FILE_SIZE, isInside } from "../semantic/imports.js";
import { isValidDate } from "../syntax/dates.js";
import { expandInputs, findRoot, MODEL_EXTENSION } from "./inputs.js";
import type { Io } from "./io.js";
import { nodeHost } from "./node-host.js";
import { plural } from "../words.js";

/** Options every model-reading command accepts. */
export interface ModelOptions {
  models: string[];
  root?: string;
  today?: string;
  /** A number once `maxFileSizeProblem` passed it; before, any other text as given (wholeNumberOption). */
  "max-file-size"?: number;
  format?: string;
  debug?: boolean;
  quiet?: boolean;
}

/** Adds the shared model options to a command. */
export function withModelOptions<T>(y: Argv<T>) {
  return withLoadOptions(
    y.positional("models", {
      describe: "model files or folders (folders are searched for *.aithreat)",
      type: "string",
      array: true,
      demandOption: true,
    }),
  );
}

/** How models are loaded (`--root`, `--today`, `--max-file-size`), for a command that also takes models. */
export function withLoadOptions<T>(y: Argv<T>) {
  return y
    .option("root", {
      describe: "project root: imports may not leave it; paths print relative to it",
      type: "string",
    })
    .option("today", {
      describe: "date acceptances are judged against (YYYY-MM-DD; default: today, or $AITHREAT_TODAY)",
      type: "string",
    })
    .option("max-file-size", MAX_FILE_SIZE_OPTION);
}

/**
 * A yargs option that takes a whole number (`-k`, `--max-file-size`, `--sarif-max-results`). It is
 * read as text: as a number, yargs took `0x10` for 16, `1e2` for 100 and `""` for 0, though each
 * option's documentation says a whole number. Its coerce turns plain decimal digits (with a sign)
 * into the number and leaves any other text as written, which `wholeNumberProblem` refuses quoting
 * it; every command checks its numeric options with that one function before using them.
 */
export function wholeNumberOption(describe: string, byDefault?: number) {
  return {
    describe,
    type: "string",
    coerce: digitsAsNumber,
    ...(byDefault === undefined ? {} : { default: byDefault }),
  } as const;
}

/**
 * Decimal digits as their number; anything else (other spellings, a repeated option's list) unchanged,
 * and so are digits past what a number holds exactly, so the message quotes them as given, not as the
 * number they round to (`1e+21`).
 */
function digitsAsNumber(value: unknown): unknown {
  if (typeof value !== "string" || !/^[+-]?\d+$/.test(value)) return value;
  const n = Number(value);
  return Number.isSafeInteger(n) ? n : value;
}

/** `--max-file-size`, as every command that reads model files declares it. */
export const MAX_FILE_SIZE_OPTION = wholeNumberOption(
  "largest model file accepted, in bytes",
  DEFAULT_MAX_FILE_SIZE,
);

/** What a whole-number option accepts: `flag` must be `what` (a number from `min` to `max`). */
export interface WholeNumberRule {
  /** The option as the message names it: "`-k`", "`-k` or `-n`". */
  readonly flag: string;
  readonly min: number;
  readonly max?: number;
  /** What it must be, in words: "a whole number from 1 to 100". */
  readonly what: string;
}

/**
 * A whole-number option checked before any work (wholeNumberOption): nothing when it is absent or a
 * whole number within the rule's range, else AT9002 quoting what was given.
 */
export function wholeNumberProblem(value: unknown, rule: WholeNumberRule): Diagnostic | undefined {
  if (value === undefined) return undefined;
  if (
    typeof value === "number" &&
    Number.isInteger(value) &&
    value >= rule.min &&
    value <= (rule.max ?? Number.MAX_SAFE_INTEGER)
  )
    return undefined;
  // Text as given, or a number yargs' coerce made of digits (`-5`, `101`).
  const text = typeof value === "string" ? value : JSON.stringify(value);
  return diag("AT9002", undefined, `${rule.flag} must be ${rule.what}, ${notGiven(text)}`);
}

/**
 * How a usage error quotes a wrong value: `` not `abc` ``, or `not empty` for one that is empty or
 * blank (an unset variable in `--today "$DAY"`), where the quotes would hold nothing to read.
 */
export function notGiven(text: string): string {
  return text.trim() === "" ? "not empty" : `not \`${text}\``;
}

/** The date to judge expiry against: option, then $AITHREAT_TODAY, then the current UTC date. */
export function resolveToday(io: Io, option: string | undefined): string | Diagnostic {
  const value = option ?? io.env["AITHREAT_TODAY"];
  if (value === undefined) return new Date().toISOString().slice(0, 10);
  if (!isValidDate(value)) {
    const from = option === undefined ? "`$AITHREAT_TODAY`" : "`--today`";
    return diag("AT9002", undefined, `${from} must be a date written YYYY-MM-DD, ${notGiven(value)}`);
  }
  return value;
}

/** Most attack paths `-k` lists per crown jewel: a longer list is one nobody reads, each path a search. */
export const MAX_PATHS_PER_TARGET = 100;

/**
 * `-k` checked before any work: nothing when it is a whole number from 1 to the maximum, else AT9002
 * naming the option as `flag` (with its alias where it has one).
 */
export function pathsPerTargetProblem(k: unknown, flag = "`-k`"): Diagnostic | undefined {
  return wholeNumberProblem(k, {
    flag,
    min: 1,
    max: MAX_PATHS_PER_TARGET,
    what: `a whole number from 1 to ${MAX_PATHS_PER_TARGET}`,
  });
}

/**
 * `--max-file-size` checked before any file is read (by every command that takes it, `fmt` and `diff`
 * too): nothing when it is a positive whole number, else AT9002. A value that is not a size must not
 * lift the limit nor become one (`0`, `-5`, `1.5`, `0x10`).
 */
export function maxFileSizeProblem(value: unknown): Diagnostic | undefined {
  return wholeNumberProblem(value, {
    flag: "`--max-file-size`",
    min: 1,
    what: "a positive whole number of bytes",
  });
}

/**
 * The options that say how models are read (`--today` or `$AITHREAT_TODAY`, `--max-file-size`,
 * `--root`), checked before any file is read: AT9002 for the first one that is wrong. `rules` and
 * `explain` check them without models too, so a wrong value is never taken without a word.
 */
export function loadOptionsProblem(
  io: Io,
  argv: Pick<ModelOptions, "today" | "max-file-size" | "root">,
): Diagnostic | undefined {
  const today = resolveToday(io, argv.today);
  if (typeof today !== "string") return today;
  const badSize = maxFileSizeProblem(argv["max-file-size"]);
  if (badSize) return badSize;
  if (argv.root !== undefined && !fs.statSync(argv.root, { throwIfNoEntry: false })?.isDirectory())
    return diag("AT9002", undefined, `\`--root ${argv.root}\` is not a folder`);
  return undefined;
}

/** Reads and checks the models named on the command line; CLI-level problems become diagnostics. */
export function loadModels(
  io: Io,
  argv: ModelOptions,
  frontEnd: { readonly workers?: number } = {},
): FrontEndResult | { diagnostics: Diagnostic[] } {
  const bad = loadOptionsProblem(io, argv);
  if (bad) return { diagnostics: [bad] };
  const today = resolveToday(io, argv.today) as string; // a date: loadOptionsProblem checked it
  const expanded = expandInputs(argv.models);
  const outside = argv.root === undefined ? undefined : outsideRoot(io, expanded.files, argv.root);
  if (outside) return { diagnostics: [outside] };
  const { missing } = expanded;
  const problems: Diagnostic[] = missing.map((m) =>
    diag("AT1001", undefined, `cannot read \`${m}\`: no such file or directory`),
  );
  const kept = withoutRefusedLinks(io, expanded, argv.root);
  problems.push(...kept.problems);
  const { files, root } = kept;
  if (root === undefined || files.length === 0) {
    // Inputs that do not exist are said above; "no files found" names the ones that do (unless the
    // files found were all refused links, said above too).
    const present = argv.models.filter((m) => !missing.includes(m));
    if (present.length > 0 && kept.problems.length === 0)
      problems.push(
        diag(
          "AT9001",
          undefined,
          `no \`.aithreat\` files found in ${present.map((m) => `\`${m}\``).join(", ")}`,
          {
            hint: "pass model files, or folders that contain them; `aithreat init` writes a starter model",
          },
        ),
      );
    return { diagnostics: problems };
  }
  const result = runFrontEnd({
    inputs: files,
    root,
    host: nodeHost,
    resolve: { today, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
    load: { maxFileSize: argv["max-file-size"] ?? DEFAULT_MAX_FILE_SIZE },
    ...(frontEnd.workers === undefined ? {} : { workers: frontEnd.workers }),
  });
  if (problems.length === 0) return result;
  return { ...result, diagnostics: [...problems, ...result.diagnostics], ok: false };
}

/**
 * AT9002 when model files lie outside an explicit `--root`: their imports of the files beside them
 * were each refused as leaving the project root (AT2011, at an import that never left the model's
 * folder), and their paths printed with `..`, also in SARIF, whose paths code scanning reads
 * against the repository. A file counts as inside when its path or the file it links to is.
 */
function outsideRoot(io: Io, files: readonly string[], root: string): Diagnostic | undefined {
  const real = (p: string) => {
    try {
      return fs.realpathSync(p);
    } catch {
      return path.resolve(p);
    }
  };
  const given = path.resolve(root);
  const realRoot = real(root);
  const out = files.filter((f) => !isInside(given, path.resolve(f)) && !isInside(realRoot, real(f)));
  if (out.length === 0) return undefined;
  const first = path.relative(io.cwd, out[0]!) || out[0]!;
  const more = out.length > 1 ? ` (and ${plural(out.length - 1, "more model file")})` : "";
  return diag("AT9002", undefined, `\`${first}\`${more} lies outside the project root \`--root ${root}\``, {
    hint: "pass a `--root` that holds every model file, or leave `--root` out to have it found",
  });
}

/**
 * The files `expandInputs` found, less the symbolic links in a folder that are not read: one that
 * leads outside the project root (AT2011), as an import that leaves the root, and one that leads to a
 * file not named `.aithreat` (AT2013), as an import of one. A link added in a pull request could
 * otherwise have CI read a file of the machine, or a `.env` of the project, and quote it. `root` is
 * the project root found from every file (a link's own place, not its target's), undefined when none.
 */
export function withoutRefusedLinks(
  io: Io,
  expanded: { readonly files: readonly string[]; readonly linked: readonly string[] },
  explicitRoot: string | undefined,
  hint = "copy the file into the project, name it on the command line, or pass `--root` to widen the project",
): { files: readonly string[]; root: string | undefined; problems: Diagnostic[] } {
  const root = expanded.files.length > 0 ? findRoot(expanded.files, explicitRoot) : undefined;
  const shown = (p: string) => path.relative(io.cwd, p) || p;
  const problems: Diagnostic[] = [];
  const refused = new Set<string>();
  const realRoot = root === undefined || expanded.linked.length === 0 ? undefined : fs.realpathSync(root);
  for (const link of realRoot === undefined ? [] : expanded.linked) {
    let target: string;
    try {
      target = fs.realpathSync(link);
    } catch {
      continue; // A dangling link: the load reports it as a file that cannot be read.
    }
    if (!isInside(realRoot!, target))
      problems.push(
        diag(
          "AT2011",
          undefined,
          `\`${shown(link)}\` is a symbolic link to a file outside the project root: not read`,
          {
            hint,
          },
        ),
      );
    else if (!target.endsWith(MODEL_EXTENSION))
      problems.push(
        diag(
          "AT2013",
          undefined,
          `\`${shown(link)}\` is a symbolic link to \`${shown(target)}\`, not a model file: not read`,
          {
            hint: "link to `.aithreat` files only, or name the file itself on the command line",
          },
        ),
      );
    else continue;
    refused.add(link);
  }
  const files = refused.size === 0 ? expanded.files : expanded.files.filter((f) => !refused.has(f));
  return { files, root, problems };
}

/** Prints diagnostics as text (stderr) or JSON (stdout). */
export function reportDiagnostics(
  io: Io,
  diagnostics: readonly Diagnostic[],
  format: string | undefined,
  extra: Record<string, unknown> = {},
): void {
  if (format === "json") {
    io.out(`${JSON.stringify({ ...extra, diagnostics: diagnostics.map(diagnosticToJson) }, null, 2)}\n`);
    return;
  }
  for (const d of diagnostics) io.err(`${formatDiagnostic(d, { color: io.tty })}\n\n`);
}

/**
 * How many files a run read, as `check` and `compile` say it (the summary line, and `files` in their
 * JSON diagnostics): the models, their imports, and a `--policy` file that is not one of them; 0
 * when the run stopped before reading a model.
 */
export function filesRead(
  loaded: FrontEndResult | { readonly diagnostics: readonly Diagnostic[] },
  policyFiles = 0,
): number {
  return ("program" in loaded ? loaded.program.files.length : 0) + policyFiles;
}

/** One line summary for text output. */
export function summaryLine(diagnostics: readonly Diagnostic[], files: number): string {
  return `${plural(files, "file")} checked: ${summarize(diagnostics)}`;
}
