import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Argv } from "yargs";
import { diffModels, type ModelDiff } from "../../analysis/diff.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../catalog/index.js";
import { analyzeModel, runFrontEnd, type CompileAnalysis } from "../../compiler.js";
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { diffMarkdown } from "../../emit/diff-markdown.js";
import { DEFAULT_MAX_FILE_SIZE } from "../../semantic/imports.js";
import type { CommandModule } from "../command.js";
import {
  loadModels,
  MAX_FILE_SIZE_OPTION,
  maxFileSizeProblem,
  reportDiagnostics,
  resolveToday,
} from "../common.js";
import { expandInputs, findRoot, MODEL_EXTENSION } from "../inputs.js";
import { EXIT, type Io } from "../io.js";
import { nodeHost } from "../node-host.js";
import { createProgress } from "../progress.js";

/** Options of `diff`. */
export interface DiffArgs {
  paths?: string[];
  base?: string;
  root?: string;
  today?: string;
  "max-file-size"?: number;
  format?: string;
  quiet?: boolean;
}

/** Version of the `diff --format json` document. */
export const DIFF_SCHEMA_VERSION = "1.0";

/** One side of the comparison: what to load, and how to name it. */
interface Side {
  readonly label: string;
  readonly models: readonly string[];
  readonly root?: string;
  /** A side with no model files is an empty model (a revision before the models existed). */
  readonly allowEmpty: boolean;
}

type Loaded = { analysis: CompileAnalysis } | { diagnostics: readonly Diagnostic[] };

/** Loads and analyses one side; errors come back as diagnostics. */
function loadSide(io: Io, side: Side, argv: DiffArgs, today: string): Loaded {
  const present = side.allowEmpty ? side.models.filter((m) => fs.existsSync(m)) : [...side.models];
  const files = expandInputs(present).files;
  if (side.allowEmpty && files.length === 0) {
    const empty = runFrontEnd({
      inputs: [],
      root: side.root ?? io.cwd,
      host: nodeHost,
      resolve: { today, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
    });
    return { analysis: analyzeModel(empty.model) };
  }
  const loaded = loadModels(io, {
    models: present,
    today,
    "max-file-size": argv["max-file-size"] ?? DEFAULT_MAX_FILE_SIZE,
    ...(side.root !== undefined ? { root: side.root } : {}),
  });
  if (!("model" in loaded) || !loaded.ok) return { diagnostics: loaded.diagnostics };
  return { analysis: analyzeModel(loaded.model) };
}

/** A git command that did not run (git is not on the PATH) or failed (`why`: git's first line). */
interface GitFailure {
  readonly missing: boolean;
  readonly why: string;
  readonly diagnostic: Diagnostic;
}

/** Runs git; a failure says why. */
function runGit(args: readonly string[], cwd: string, input?: string): Buffer | GitFailure {
  const r = spawnSync("git", [...args], {
    cwd,
    ...(input !== undefined ? { input } : {}),
    maxBuffer: 2 ** 30,
    stdio: ["pipe", "pipe", "pipe"],
  });
  if (r.error) {
    const missing = (r.error as NodeJS.ErrnoException).code === "ENOENT";
    const why = missing ? "" : r.error.message;
    return {
      missing,
      why,
      diagnostic: diag(
        "AT9002",
        undefined,
        missing ? "`--base` needs git, which is not on the PATH" : `git failed: ${why}`,
      ),
    };
  }
  if (r.status !== 0) {
    const why = r.stderr.toString("utf8").trim().split("\n")[0] ?? "";
    return {
      missing: false,
      why,
      diagnostic: diag("AT9002", undefined, `\`git ${args.join(" ")}\` failed${why ? `: ${why}` : ""}`),
    };
  }
  return r.stdout;
}

/** Runs git; a failure is a diagnostic naming the command. */
function git(args: readonly string[], cwd: string, input?: string): Buffer | Diagnostic {
  const r = runGit(args, cwd, input);
  return Buffer.isBuffer(r) ? r : r.diagnostic;
}

const isDiag = (x: unknown): x is Diagnostic =>
  typeof x === "object" && x !== null && "code" in x && "severity" in x;

/**
 * Writes every model file of a revision below `dir`, with the paths they have in the repository.
 * One `git ls-tree` lists them and one `git cat-file --batch` reads them all, so a revision with
 * thousands of files costs two processes. Symbolic links are skipped (their target is not a model).
 */
export function extractRevision(top: string, commit: string, dir: string): number | Diagnostic {
  const listing = git(["ls-tree", "-r", "-z", "--full-tree", commit], top);
  if (isDiag(listing)) return listing;
  const entries: { sha: string; file: string }[] = [];
  for (const record of listing.toString("utf8").split("\0")) {
    const tab = record.indexOf("\t");
    if (tab < 0) continue;
    const [mode, type, sha] = record.slice(0, tab).split(" ");
    const file = record.slice(tab + 1);
    if (type !== "blob" || mode === "120000" || !file.endsWith(MODEL_EXTENSION)) continue;
    if (path.isAbsolute(file) || file.split("/").includes("..")) continue;
    entries.push({ sha: sha!, file });
  }
  if (entries.length === 0) return 0;
  const out = git(["cat-file", "--batch"], top, `${entries.map((e) => e.sha).join("\n")}\n`);
  if (isDiag(out)) return out;
  let pos = 0;
  for (const e of entries) {
    const eol = out.indexOf(10, pos);
    const header = out.subarray(pos, eol).toString("utf8").split(" ");
    const size = Number(header[2]);
    if (header[1] !== "blob" || !Number.isInteger(size))
      return diag("AT9002", undefined, `git returned no blob for \`${e.file}\``);
    const target = path.join(dir, ...e.file.split("/"));
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, out.subarray(eol + 1, eol + 1 + size));
    pos = eol + 1 + size + 1;
  }
  return entries.length;
}

/** Builds the two sides for `--base REV [paths]`: the revision's files, extracted, against the working tree. */
function baseSides(io: Io, argv: DiffArgs, tmp: string): { before: Side; after: Side } | Diagnostic {
  const rev = argv.base!;
  const real = (p: string) => {
    const abs = path.resolve(io.cwd, p);
    return fs.existsSync(abs) ? fs.realpathSync(abs) : abs;
  };
  const given = argv.paths && argv.paths.length > 0 ? argv.paths : ["."];
  const paths = given.map(real);
  // The repository is the one holding the paths (the first one's nearest existing folder), not
  // necessarily the one the command runs in.
  let where = paths[0]!;
  while (!fs.statSync(where, { throwIfNoEntry: false })?.isDirectory() && path.dirname(where) !== where)
    where = path.dirname(where);
  const topOut = runGit(["rev-parse", "--show-toplevel"], where);
  if (!Buffer.isBuffer(topOut)) {
    if (topOut.missing) return topOut.diagnostic;
    if (!/not a git repository/i.test(topOut.why))
      return diag(
        "AT9002",
        undefined,
        `\`--base ${rev}\`: git cannot read the repository at \`${where}\`: ${topOut.why}`,
        /dubious ownership/.test(topOut.why)
          ? {
              hint: "another user owns the checkout (common in CI containers): `git config --global --add safe.directory <the repository>` trusts it",
            }
          : {},
      );
    return diag(
      "AT9002",
      undefined,
      `\`--base ${rev}\` needs a git repository, and \`${where}\` is not in one`,
    );
  }
  const top = fs.realpathSync(topOut.toString("utf8").trim());
  const commitOut = git(["rev-parse", "--verify", "--quiet", `${rev}^{commit}`], top);
  if (isDiag(commitOut)) {
    const shallow = git(["rev-parse", "--is-shallow-repository"], top);
    const hint =
      !isDiag(shallow) && shallow.toString("utf8").trim() === "true"
        ? "this is a shallow clone, which may not hold the revision: fetch it (`git fetch --unshallow`, `fetch-depth: 0` in GitHub's checkout, `GIT_DEPTH: 0` in GitLab)"
        : "name a commit, branch or tag (in CI, fetch it first: `git fetch origin main`)";
    return diag("AT9002", undefined, `\`--base ${rev}\` is not a revision of this repository`, { hint });
  }
  const commit = commitOut.toString("utf8").trim();
  const extracted = extractRevision(top, commit, tmp);
  if (isDiag(extracted)) return extracted;
  const outside = paths.find((p) => path.relative(top, p).startsWith(".."));
  if (outside !== undefined)
    return diag(
      "AT9002",
      undefined,
      `\`${outside}\` is outside the repository \`${top}\` that \`--base\` reads`,
    );
  // A path the working tree lacks is a deletion, one the revision lacks an addition; one neither
  // has is a mistake (a typo would otherwise compare nothing with nothing: "no change").
  const before = paths.map((p) => path.join(tmp, path.relative(top, p)));
  const absent = paths.findIndex((p, i) => !fs.existsSync(p) && !fs.existsSync(before[i]!));
  if (absent >= 0)
    return diag(
      "AT1001",
      undefined,
      `cannot read \`${given[absent]}\`: not in the working tree, and \`${rev}\` has no model files there`,
    );
  if (argv.root !== undefined && !fs.statSync(real(argv.root), { throwIfNoEntry: false })?.isDirectory())
    return diag("AT9002", undefined, `\`--root ${argv.root}\` is not a folder`);
  const wtFiles = expandInputs(paths.filter((p) => fs.existsSync(p))).files;
  const newRoot = argv.root !== undefined ? real(argv.root) : findRoot(wtFiles.length > 0 ? wtFiles : paths);
  const relRoot = path.relative(top, newRoot);
  if (relRoot.startsWith(".."))
    return diag("AT9002", undefined, `the project root \`${newRoot}\` is outside the repository`);
  return {
    before: {
      label: `${rev} (${commit.slice(0, 12)})`,
      models: before,
      root: path.join(tmp, relRoot),
      allowEmpty: true,
    },
    after: { label: "working tree", models: paths, root: newRoot, allowEmpty: true },
  };
}

/** The `--format json` document. */
export function diffJson(d: ModelDiff, labels: { before: string; after: string }) {
  return { schemaVersion: DIFF_SCHEMA_VERSION, before: labels.before, after: labels.after, ...d };
}

/** Runs `diff`: exit 0 with the diff on stdout, 2 when a side is invalid or the command line is. */
export function runDiff(io: Io, argv: DiffArgs): number {
  const fail = (d: Diagnostic) => {
    reportDiagnostics(io, [d], argv.format === "json" ? "json" : "text");
    return EXIT.INVALID;
  };
  const today = resolveToday(io, argv.today);
  if (typeof today !== "string") return fail(today);
  const badSize = maxFileSizeProblem(argv["max-file-size"]);
  if (badSize) return fail(badSize);
  const paths = argv.paths ?? [];
  if (argv.base === undefined && paths.length !== 2)
    return fail(
      diag(
        "AT9002",
        undefined,
        `\`diff\` compares two models: give \`<old> <new>\`, or \`--base <revision>\` and paths`,
        {
          hint: "`aithreat diff old.aithreat new.aithreat`, or `aithreat diff --base main models/`",
        },
      ),
    );
  const tmp = argv.base !== undefined ? fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-diff-")) : undefined;
  try {
    let sides: { before: Side; after: Side };
    if (argv.base !== undefined) {
      const s = baseSides(io, argv, tmp!);
      if (isDiag(s)) return fail(s);
      sides = s;
    } else {
      // Read relative to the command's folder, and named as given: the loader reads paths relative
      // to the process's folder and says them as it got them (an absolute path in a message about a
      // file the user named `nope.aithreat` read as if aithreat had looked elsewhere).
      const side = (p: string): Side => ({
        label: p,
        models: [path.relative(process.cwd(), path.resolve(io.cwd, p)) || "."],
        ...(argv.root !== undefined ? { root: path.resolve(io.cwd, argv.root) } : {}),
        allowEmpty: false,
      });
      sides = { before: side(paths[0]!), after: side(paths[1]!) };
    }
    const progress = createProgress(io, { quiet: argv.quiet });
    const analyses: CompileAnalysis[] = [];
    for (const side of [sides.before, sides.after]) {
      progress.stage(`analysing ${side.label}`);
      const loaded = loadSide(io, side, argv, today);
      progress.clear();
      if ("diagnostics" in loaded) {
        if (argv.format !== "json") io.err(`the model in ${side.label} has errors:\n\n`);
        reportDiagnostics(io, loaded.diagnostics, argv.format === "json" ? "json" : "text", {
          side: side.label,
        });
        return EXIT.INVALID;
      }
      analyses.push(loaded.analysis);
    }
    const labels = { before: sides.before.label, after: sides.after.label };
    const d = diffModels(analyses[0]!, analyses[1]!);
    if (argv.format === "json") io.out(`${JSON.stringify(diffJson(d, labels), null, 2)}\n`);
    else io.out(diffMarkdown(d, labels));
    return EXIT.OK;
  } finally {
    if (tmp !== undefined) fs.rmSync(tmp, { recursive: true, force: true });
  }
}

/** `aithreat diff`: what a change did to the model, its findings and its attack paths. */
export const diffCommand: CommandModule = {
  command: "diff [paths..]",
  describe: "Compare two versions of a model: components, flows, findings, attack paths, metrics",
  builder: (y: Argv) =>
    y
      .positional("paths", {
        describe: "`<old> <new>` (files or folders), or with `--base` the working-tree paths to compare",
        type: "string",
        array: true,
      })
      .option("base", {
        describe: "compare the working tree's models with this git revision (no network: read with git)",
        type: "string",
      })
      .option("format", {
        describe: "Markdown for a pull-request comment, or JSON",
        choices: ["markdown", "json"],
        default: "markdown",
      })
      .option("root", {
        describe: "project root of the new side (and its place in the old one)",
        type: "string",
      })
      .option("today", {
        describe: "date acceptances are judged against, for both sides (YYYY-MM-DD)",
        type: "string",
      })
      .option("max-file-size", MAX_FILE_SIZE_OPTION)
      .example("$0 diff v1.aithreat v2.aithreat", "what changed between two files")
      .example("$0 diff --base origin/main models/", "what this branch changes, as a PR comment"),
  run: (io, argv) => runDiff(io, argv),
};
