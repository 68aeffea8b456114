/**
 * Rule-stage memory benchmark: `npm run bench:rule-memory -- [--sizes 10k,100k] [--seed S] [--coupling C]`
 *
 * The live heap the rule stage adds, read after full collections at three points of one run over a
 * generated model, as `compile` runs it (the session copies of the graph and facts the rule
 * library's caches are kept on, alive until the metrics are done):
 *   - at the end of the last rule: the findings not yet finished and every cache of the library;
 *   - after the stage: the finished records, and the caches that outlive the rules (the report
 *     caches are let go as the rules end, `analysis/report-caches.ts`);
 *   - the records alone (the stage's result dropped, the session kept).
 * The first is what the 1M compile's peak is made of besides the model, the arena and garbage
 * (bench/README.md, stop 41), so it is printed per finding too. One child per size (`--expose-gc`),
 * so each size's heap is its own. Memory only: no figure here is a time.
 */
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { benchArgs, parseSizes } from "./args.js";
import { runRules } from "../src/analysis/engine.js";
import type { Rule } from "../src/analysis/rule.js";
import { graphAndFacts, ruleScratchBytes } from "../src/compiler.js";
import { inArena } from "../src/graph/arena.js";
import { generatedForAnalysis } from "./gen/front-end.js";

const MB = 1e6;

/** What one child measures: bytes of live heap the stage adds at each point, and the arena's use. */
interface RuleStageMemory {
  readonly components: number;
  readonly findings: number;
  readonly atRulesEnd: number;
  readonly afterStage: number;
  readonly records: number;
  /** The finished records' typed columns (array buffers, outside the JavaScript heap). */
  readonly recordColumns: number;
  readonly arenaUsed: number;
  readonly arenaReserved: number;
}

/** Live heap after two full collections (the child runs with `--expose-gc`). */
function liveHeap(): number {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (!gc) throw new Error("run with --expose-gc (the parent starts its children so)");
  gc();
  gc();
  return process.memoryUsage().heapUsed;
}

/** Bytes of array buffers (read after `liveHeap`). */
const arrayBuffers = (): number => process.memoryUsage().arrayBuffers;

function child(components: number, seed: number, coupling: number): RuleStageMemory {
  const { model, rules: own } = generatedForAnalysis({ components, seed, coupling });
  const { graph, facts } = graphAndFacts(model);
  // The session `analyzeModel` gives the rules: the library's caches are kept on these objects.
  const session = { graph: { ...graph }, facts: { ...facts } };
  const base = liveHeap();
  let atRulesEnd = 0;
  const last = own[own.length - 1]!;
  const rules: Rule[] = [
    ...own.slice(0, -1),
    {
      meta: last.meta,
      check: (ctx) => {
        last.check(ctx);
        atRulesEnd = liveHeap() - base;
      },
    },
  ];
  let arenaUsed = 0;
  let arenaReserved = 0;
  let found: ReturnType<typeof runRules>["value"] | undefined = inArena(
    ruleScratchBytes(model.components.length, model.flows.length),
    () => runRules(model, session.graph, session.facts, rules).value,
    (arena) => {
      arenaUsed = arena.highWater;
      arenaReserved = arena.capacity;
    },
    true,
  );
  const findings = found.length;
  const afterStage = liveHeap() - base;
  const buffersWithRecords = arrayBuffers();
  found = undefined;
  const withoutRecords = liveHeap() - base;
  const recordColumns = buffersWithRecords - arrayBuffers();
  // The session is read here so that it stays alive through every reading above.
  if (session.graph.model !== model) throw new Error("unreachable");
  return {
    components,
    findings,
    atRulesEnd,
    afterStage,
    records: afterStage - withoutRecords,
    recordColumns,
    arenaUsed,
    arenaReserved,
  };
}

function print(r: RuleStageMemory): void {
  const mb = (b: number) => `${(b / MB).toFixed(1)} MB`;
  const each = (b: number) => `${Math.round(b / Math.max(1, r.findings))} B a finding`;
  console.log(
    `${r.components.toLocaleString("en-US")} components, ${r.findings.toLocaleString("en-US")} findings; ` +
      `the rules' arena ${mb(r.arenaUsed)} used of ${mb(r.arenaReserved)} reserved`,
  );
  console.log("  JavaScript heap the rule stage adds (live, after full collections; typed arrays apart):");
  console.log(
    `    at the end of the last rule       ${mb(r.atRulesEnd).padStart(10)}  (${each(r.atRulesEnd)})`,
  );
  console.log(`    after the stage                   ${mb(r.afterStage).padStart(10)}`);
  console.log(`    the finished records              ${mb(r.records).padStart(10)}  (${each(r.records)})`);
  console.log(
    `      and their typed columns         ${mb(r.recordColumns).padStart(10)}  (${each(r.recordColumns)})`,
  );
  console.log(`    caches kept past the rules        ${mb(r.afterStage - r.records).padStart(10)}`);
}

function main(argv: string[]): number {
  const { values } = benchArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "10k,100k" },
      seed: { type: "string", default: "1" },
      coupling: { type: "string", default: "1" },
      child: { type: "string" },
    },
  });
  const seed = Number(values.seed);
  const coupling = Number(values.coupling);
  if (values.child !== undefined) {
    console.log(`RESULT ${JSON.stringify(child(Number(values.child), seed, coupling))}`);
    return 0;
  }
  for (const size of parseSizes(values.sizes)) {
    const heap = size >= 500_000 ? ["--max-old-space-size=12288"] : [];
    const out = spawnSync(
      process.execPath,
      [
        "--expose-gc",
        ...heap,
        fileURLToPath(import.meta.url),
        "--child",
        String(size),
        "--seed",
        values.seed,
        "--coupling",
        values.coupling,
      ],
      { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"], maxBuffer: 16 * MB },
    );
    const line = out.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (out.status !== 0 || !line) {
      console.error(`child for ${size} components failed (exit ${out.status}, signal ${out.signal})`);
      return 1;
    }
    print(JSON.parse(line.slice("RESULT ".length)) as RuleStageMemory);
  }
  return 0;
}

process.exitCode = main(process.argv.slice(2));
