import type { Argv } from "yargs";
import { ENTRY_CLASSES, type EntryClass } from "../../analysis/facts.js";
import { applyAssumptions, parseAssumption, type Assumption } from "../../analysis/paths/assume.js";
import type { FindingList } from "../../analysis/finding-records.js";
import { analyzeModel, analyzeModelPaths } from "../../compiler.js";
import { diag, type Diagnostic } from "../../diagnostics/diagnostic.js";
import { pathsMermaid } from "../../emit/paths-mermaid.js";
import { pathsText } from "../../emit/paths-text.js";
import type { PathsView } from "../../emit/paths-view.js";
import type { ResolvedModel } from "../../semantic/model.js";
import { didYouMean } from "../../semantic/suggest.js";
import type { CommandModule } from "../command.js";
import {
  loadModels,
  pathsPerTargetProblem,
  reportDiagnostics,
  wholeNumberOption,
  withModelOptions,
  type ModelOptions,
} from "../common.js";
import { EXIT, type Io } from "../io.js";
import { listedUpTo, percentPair } from "../../words.js";

interface PathsArgs extends ModelOptions {
  to?: string;
  from?: string;
  k: number;
  assume?: string[];
}

/** The paths view, and the findings when `--assume` compares them (without it the rules do not run). */
function run(
  model: ResolvedModel,
  argv: PathsArgs,
  fromEntry: number | undefined,
  fromClasses: EntryClass[] | undefined,
  withFindings: boolean,
): { view: PathsView; findings: FindingList } {
  const paths = {
    k: argv.k,
    ...(argv.to !== undefined ? { to: argv.to } : {}),
    ...(fromEntry !== undefined ? { fromEntry } : {}),
    ...(fromClasses ? { fromClasses } : {}),
  };
  if (!withFindings) return { view: analyzeModelPaths(model, paths).pathsView, findings: [] };
  const analysis = analyzeModel(model, { paths });
  return { view: analysis.pathsView, findings: analysis.findings };
}

/** What changed between two runs, for `--assume`. */
function changes(
  before: PathsView,
  after: PathsView,
  findingsBefore: ReturnType<typeof run>["findings"],
  findingsAfter: ReturnType<typeof run>["findings"],
) {
  const targets = after.targets.flatMap((t, i) => {
    const b = before.targets[i]!;
    const cells = t.exposure
      .map((c, j) => ({
        entryClass: c.entryClass,
        before: b.exposure[j]!.bestLikelihood,
        after: c.bestLikelihood,
        entriesBefore: b.exposure[j]!.entries,
        entriesAfter: c.entries,
      }))
      .filter((c) => c.before !== c.after || c.entriesBefore !== c.entriesAfter);
    return cells.length ? [{ crown: t.crown, property: t.property, exposure: cells }] : [];
  });
  const status = new Map(findingsBefore.map((f) => [f.id, f.status]));
  const findings = findingsAfter
    .filter((f) => status.get(f.id) !== f.status)
    .map((f) => ({ id: f.id, before: status.get(f.id) ?? "absent", after: f.status }));
  return {
    targets,
    cut: {
      before: before.cut.total,
      after: after.cut.total,
      feasibleBefore: before.cut.feasible,
      feasibleAfter: after.cut.feasible,
    },
    findings,
  };
}

/** Runs `paths`. */
export function runPaths(io: Io, argv: PathsArgs): number {
  const badK = pathsPerTargetProblem(argv.k, "`-k` or `-n`");
  if (badK) {
    reportDiagnostics(io, [badK], argv.format === "json" ? "json" : "text");
    return EXIT.INVALID;
  }
  const loaded = loadModels(io, argv);
  if (!("model" in loaded) || !loaded.ok) {
    reportDiagnostics(io, loaded.diagnostics, argv.format === "json" ? "json" : "text");
    return EXIT.INVALID;
  }
  const model = loaded.model;
  const problems: Diagnostic[] = [];
  let fromEntry: number | undefined;
  let fromClasses: EntryClass[] | undefined;
  // An empty value (`--to "$CROWN"` with the variable unset) is checked like any other, not taken
  // for the option left out: the run would answer another question than the one asked.
  if (argv.from !== undefined) {
    if ((ENTRY_CLASSES as readonly string[]).includes(argv.from)) fromClasses = [argv.from as EntryClass];
    else {
      const c = model.components.find((x) => x.name === argv.from);
      if (c) fromEntry = c.index;
      else
        problems.push(
          diag("AT9002", undefined, `\`--from ${argv.from}\` is neither an entry class nor a component`, {
            hint:
              didYouMean(argv.from, [...ENTRY_CLASSES, ...model.components.map((x) => x.name)]) ??
              `entry classes: ${ENTRY_CLASSES.join(", ")}`,
          }),
        );
    }
  }
  if (argv.to !== undefined && !model.crownJewels.some((c) => c.name === argv.to)) {
    problems.push(
      diag("AT9002", undefined, `\`--to ${argv.to}\` names no crown jewel`, {
        hint:
          didYouMean(
            argv.to,
            model.crownJewels.map((c) => c.name),
          ) ?? `crown jewels: ${model.crownJewels.map((c) => c.name).join(", ") || "none declared"}`,
      }),
    );
  }
  const assumptions: Assumption[] = [];
  for (const a of argv.assume ?? []) {
    const parsed = parseAssumption(model, a);
    if ("error" in parsed) problems.push(diag("AT9002", undefined, parsed.error, { hint: parsed.hint }));
    else assumptions.push(parsed);
  }
  if (problems.length > 0) {
    reportDiagnostics(io, problems, argv.format === "json" ? "json" : "text");
    return EXIT.INVALID;
  }
  reportDiagnostics(io, loaded.diagnostics, "text");
  const assuming = assumptions.length > 0;
  const base = run(model, argv, fromEntry, fromClasses, assuming);
  // A component that is no attacker entry gave "0 entries" and "not reachable from any entry" for
  // every crown jewel, exit 0: true, but not an answer to the question asked.
  if (fromEntry !== undefined && base.view.entries.length === 0) {
    const entries = run(model, argv, undefined, undefined, false).view.entries.map((e) => `\`${e.name}\``);
    const classes = ENTRY_CLASSES.join(", ");
    reportDiagnostics(
      io,
      [
        diag(
          "AT9002",
          undefined,
          `\`--from ${argv.from}\` is a component, but not an attacker entry: no path starts there`,
          {
            hint:
              entries.length > 0
                ? `the entries are ${listedUpTo(entries, 10)}; or name an entry class: ${classes}`
                : `the model has no attacker entry (a component in an untrusted zone, a public endpoint, a source outsiders write)`,
          },
        ),
      ],
      argv.format === "json" ? "json" : "text",
    );
    return EXIT.INVALID;
  }
  const what = assuming
    ? run(applyAssumptions(model, assumptions), argv, fromEntry, fromClasses, true)
    : undefined;
  const shown = what ?? base;
  if (argv.format === "json") {
    const out = what
      ? {
          assume: assumptions.map((a) => a.text),
          ...what.view,
          changes: changes(base.view, what.view, base.findings, what.findings),
        }
      : base.view;
    io.out(`${JSON.stringify(out, null, 2)}\n`);
  } else if (argv.format === "mermaid") {
    io.out(pathsMermaid(shown.view));
  } else {
    if (what) io.out(`as if: ${assumptions.map((a) => a.text).join(", ")}\n\n`);
    io.out(pathsText(shown.view));
    if (what) {
      const ch = changes(base.view, what.view, base.findings, what.findings);
      io.out(`\nwhat changed:\n`);
      if (ch.targets.length === 0 && ch.findings.length === 0 && ch.cut.before === ch.cut.after)
        io.out("  nothing: the assumed controls cut or lower no step on any path\n");
      for (const t of ch.targets)
        for (const c of t.exposure) {
          const [before, after] = percentPair(c.before, c.after);
          io.out(
            `  ${t.crown} ${t.property} from ${c.entryClass}: best ${before} -> ${after}, entries ${c.entriesBefore} -> ${c.entriesAfter}\n`,
          );
        }
      if (ch.cut.before !== ch.cut.after) io.out(`  cheapest cut: ${ch.cut.before} -> ${ch.cut.after}\n`);
      for (const f of ch.findings) io.out(`  ${f.id}: ${f.before} -> ${f.after}\n`);
    }
  }
  return EXIT.OK;
}

/** `aithreat paths`: attack paths, exposure, chokepoints and the cheapest cut. */
export const pathsCommand: CommandModule = {
  command: "paths <models...>",
  describe: "Attack paths to the crown jewels: exposure, top paths, chokepoints, cheapest cut, what-if",
  builder: (y: Argv) =>
    withModelOptions(y)
      .option("to", { describe: "only this crown jewel (component or data name)", type: "string" })
      .option("from", {
        describe: `only paths from this entry component or entry class (${ENTRY_CLASSES.join(", ")})`,
        type: "string",
      })
      .option("k", { alias: "n", ...wholeNumberOption("paths listed per crown jewel (1 to 100)", 5) })
      .option("assume", {
        describe: "what-if: act as if <control>@<component or flow> were declared (repeatable)",
        type: "string",
        array: true,
        // One value per `--assume`: greedy, it took the model paths after it too.
        nargs: 1,
      })
      .option("format", { describe: "output", choices: ["text", "json", "mermaid"], default: "text" })
      .example("$0 paths samples/rag-support", "every crown jewel's exposure and top paths")
      .example(
        "$0 paths model.aithreat --to customer_pii --from external_data -k 3",
        "three most likely paths from outside content to one asset",
      )
      .example(
        "$0 paths model.aithreat --assume egress_allowlist@mailer",
        "what changes if the mailer gets an egress allow-list",
      )
      .example("$0 paths model.aithreat --format mermaid > paths.mmd", "path diagrams"),
  run: (io, argv) => runPaths(io, argv as unknown as PathsArgs),
};
