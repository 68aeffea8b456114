import { randomBytes } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import type { FileNode } from "../../ast/nodes.js";
import { diag, hasErrors, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { DEFAULT_MAX_FILE_SIZE } from "../../semantic/imports.js";
import { makeSourceFile } from "../../source.js";
import { decodeSource } from "../../syntax/decode.js";
import { parseFile } from "../../syntax/parse.js";
import { commentSignature, formatSource, sameSyntaxTree } from "../../syntax/printer.js";
import type { CommandModule } from "../command.js";
import {
  MAX_FILE_SIZE_OPTION,
  maxFileSizeProblem,
  reportDiagnostics,
  withoutRefusedLinks,
} from "../common.js";
import { expandInputs } from "../inputs.js";
import { EXIT, type Io } from "../io.js";
import { plural } from "../../words.js";

/** Options of `aithreat fmt`. */
export interface FmtOptions {
  files: string[];
  check?: boolean;
  stdout?: boolean;
  quiet?: boolean;
  "max-file-size"?: number;
}

/** What formatting one file came to. */
type Outcome =
  | { readonly kind: "unchanged" | "changed"; readonly formatted: string }
  | { readonly kind: "invalid"; readonly diagnostics: readonly Diagnostic[] };

function errnoMessage(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  if (err.code === "ENOENT") return "no such file or directory";
  if (err.code === "EACCES" || err.code === "EPERM") return "permission denied";
  if (err.code === "EISDIR") return "is a directory";
  if (err.code === "ENOSPC") return "no space left on device";
  // Node's own text names the absolute path, which the diagnostic already gives as the user wrote it.
  if (err.code === "ELOOP") return "a loop of symbolic links";
  return err.message ?? String(e);
}

/** Whether formatted text parses to the same tree as the original, with every comment kept. */
export function keepsMeaning(original: FileNode, formatted: string): boolean {
  const again = parseFile(makeSourceFile(0, "formatted", formatted));
  return (
    !hasErrors(again.diagnostics) &&
    sameSyntaxTree(original, again.value) &&
    commentSignature(original).join("\n") === commentSignature(again.value).join("\n")
  );
}

/** Reads, parses and formats one file; `display` is the path diagnostics print. */
function formatOne(abs: string, display: string, maxSize: number): Outcome {
  const fail = (message: string, code: "AT1001" | "AT1004" = "AT1001", hint?: string): Outcome => ({
    kind: "invalid",
    diagnostics: [diag(code, undefined, message, { hint })],
  });
  let bytes: Buffer;
  try {
    const st = fs.statSync(abs);
    if (!st.isFile()) return fail(`cannot read \`${display}\`: is not a regular file`);
    if (st.size > maxSize)
      return fail(
        `\`${display}\` is ${st.size} bytes, over the ${maxSize}-byte limit`,
        "AT1004",
        "split the model across files with `import`, or raise `--max-file-size`",
      );
    bytes = fs.readFileSync(abs);
  } catch (e) {
    return fail(`cannot read \`${display}\`: ${errnoMessage(e)}`);
  }
  const decoded = decodeSource(0, display, bytes);
  if (decoded.diagnostic) return { kind: "invalid", diagnostics: [decoded.diagnostic] };
  const parsed = parseFile(decoded.file);
  if (hasErrors(parsed.diagnostics)) return { kind: "invalid", diagnostics: parsed.diagnostics };
  const formatted = formatSource(decoded.file, parsed.value);

  // Checking costs one more parse, and turns a formatter bug into an error instead of a silently
  // rewritten model.
  if (!keepsMeaning(parsed.value, formatted)) {
    return {
      kind: "invalid",
      diagnostics: [
        diag(
          "AT9999",
          undefined,
          `internal error: formatting \`${display}\` would change its syntax tree or comments, so it was left as it is`,
          { hint: "this is a bug in aithreat; please report it with the file" },
        ),
      ],
    };
  }
  // Compared as bytes, so a BOM or CRLF line endings alone count as a change.
  return { kind: Buffer.from(formatted, "utf8").equals(bytes) ? "unchanged" : "changed", formatted };
}

/**
 * Replaces a file's contents through a temporary file in the same folder and a rename, so a crash
 * or a full disk leaves either the old model or the new one, never half of one. A symbolic link is
 * followed, so the link survives and its target is rewritten; the file's permissions are kept.
 */
export function writeFileAtomically(file: string, text: string): void {
  const target = fs.realpathSync(file);
  const mode = fs.statSync(target).mode & 0o7777;
  const tmp = path.join(
    path.dirname(target),
    // A dot-name with a suffix other than `.aithreat`: folder expansion never picks it up.
    `.${path.basename(target)}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`,
  );
  try {
    const fd = fs.openSync(tmp, "wx", mode);
    try {
      fs.writeFileSync(fd, text, "utf8");
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    // The umask may have narrowed the mode given to `open`.
    fs.chmodSync(tmp, mode);
    fs.renameSync(tmp, target);
  } catch (e) {
    try {
      fs.unlinkSync(tmp);
    } catch {
      // Nothing to clean up: the temporary file was never created, or was already renamed.
    }
    throw e;
  }
}

/**
 * Runs `fmt`: 0 when every file is (now) formatted, 1 when `--check` finds files to reformat, 2 when
 * a file cannot be read or has syntax errors (other files are still formatted), 3 on a formatter bug.
 */
export function runFmt(io: Io, argv: FmtOptions): number {
  if (argv.check && argv.stdout) {
    reportDiagnostics(
      io,
      [
        diag("AT9002", undefined, "`--check` and `--stdout` cannot be combined", {
          hint: "`--check` reports whether files would change; `--stdout` prints the formatted text",
        }),
      ],
      "text",
    );
    return EXIT.INVALID;
  }
  const badSize = maxFileSizeProblem(argv["max-file-size"]);
  if (badSize) {
    reportDiagnostics(io, [badSize], "text");
    return EXIT.INVALID;
  }
  const maxSize = argv["max-file-size"] ?? DEFAULT_MAX_FILE_SIZE;
  // Inputs are resolved against the command's working directory, and printed relative to it.
  const given = new Map(argv.files.map((f) => [path.resolve(io.cwd, f), f]));
  const expanded = expandInputs([...given.keys()]);
  const { missing } = expanded;
  const problems: Diagnostic[] = missing.map((m) =>
    diag("AT1001", undefined, `cannot read \`${given.get(m) ?? m}\`: no such file or directory`),
  );
  // A link in a folder that leads outside the project is neither read (its text quoted in an error)
  // nor rewritten, as the other commands do not read it.
  const kept = withoutRefusedLinks(
    io,
    expanded,
    undefined,
    "copy the file into the project, or name it on the command line",
  );
  problems.push(...kept.problems);
  const { files } = kept;
  if (files.length === 0 && missing.length === 0 && kept.problems.length === 0) {
    problems.push(
      diag(
        "AT9001",
        undefined,
        `no \`.aithreat\` files found in ${argv.files.map((m) => `\`${m}\``).join(", ")}`,
        { hint: "pass model files, or folders that contain them" },
      ),
    );
  }
  const count = files.length + missing.length;
  if (argv.stdout && count > 1) {
    problems.push(
      diag("AT9002", undefined, `\`--stdout\` formats one file, but ${count} were given`, {
        hint: "name a single file, as an editor integration does",
      }),
    );
    reportDiagnostics(io, problems, "text");
    return EXIT.INVALID;
  }
  reportDiagnostics(io, problems, "text");

  let invalid = problems.length > 0;
  let internal = false;
  // Files left as they were for the errors reported, so the summary never calls them formatted.
  let failed = 0;
  const changed: string[] = [];
  for (const abs of files) {
    const display = (path.relative(io.cwd, abs) || abs).split(path.sep).join("/");
    const outcome = formatOne(abs, display, maxSize);
    if (outcome.kind === "invalid") {
      reportDiagnostics(io, outcome.diagnostics, "text");
      if (outcome.diagnostics.some((d) => d.code === "AT9999")) internal = true;
      else invalid = true;
      failed++;
      continue;
    }
    if (argv.stdout) {
      io.out(outcome.formatted);
      continue;
    }
    if (outcome.kind === "unchanged") continue;
    if (argv.check) {
      // Results go to stdout, one path a line, so scripts can read the list.
      io.out(`${display}\n`);
      changed.push(display);
      continue;
    }
    try {
      writeFileAtomically(abs, outcome.formatted);
    } catch (e) {
      reportDiagnostics(
        io,
        [diag("AT1001", undefined, `cannot write \`${display}\`: ${errnoMessage(e)}; it was left as it is`)],
        "text",
      );
      invalid = true;
      failed++;
      continue;
    }
    changed.push(display);
    if (!argv.quiet) io.err(`formatted ${display}\n`);
  }

  if (!argv.quiet && !argv.stdout && files.length > 0) {
    const total = plural(files.length, "file");
    const left = failed > 0 ? `, ${failed} could not be formatted (errors above)` : "";
    if (argv.check)
      io.err(
        changed.length > 0
          ? `${changed.length} of ${total} would be reformatted${left}; run \`aithreat fmt\` to fix\n`
          : failed > 0
            ? `${total} checked: ${failed} could not be formatted (errors above)\n`
            : `${total} checked: all formatted\n`,
      );
    else io.err(`${total} checked: ${changed.length} reformatted${left}\n`);
  }
  if (internal) return EXIT.INTERNAL;
  if (invalid) return EXIT.INVALID;
  return argv.check && changed.length > 0 ? EXIT.GATE : EXIT.OK;
}

/** `aithreat fmt`: rewrite models in the canonical layout, or check that they are. */
export const fmtCommand: CommandModule = {
  command: "fmt <files...>",
  describe: "Format models in the canonical layout (comments kept, meaning unchanged)",
  builder: (y: Argv) =>
    y
      .positional("files", {
        describe: "model files or folders (folders are searched for *.aithreat)",
        type: "string",
        array: true,
        demandOption: true,
      })
      .option("check", {
        describe: "write nothing; list the files that would change and exit 1 if any would",
        type: "boolean",
        default: false,
      })
      .option("stdout", {
        describe: "print the formatted text of one file instead of rewriting it (for editors)",
        type: "boolean",
        default: false,
      })
      .option("max-file-size", MAX_FILE_SIZE_OPTION)
      .example("$0 fmt .", "rewrite every model below the current folder in place")
      .example("$0 fmt --check models/", "in CI: exit 1 and list the files that are not formatted")
      .example("$0 fmt --stdout model.aithreat", "print one formatted model, for an editor to take"),
  run: (io, argv) => runFmt(io, argv as unknown as FmtOptions),
};
