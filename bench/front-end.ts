/**
 * Front-end benchmark: `npm run bench:front-end -- [options]`
 *   --sizes 10k,100k     model sizes in components (about 250 per system file)
 *   --huge               also 1M components over `--huge-files` (4000) system files: slow, about 8 GB
 *   --repeat N           runs of each warm comparison pass; the best is kept (default 3)
 *   --heap MB            --max-old-space-size for the child (default 12288 from 500k components)
 *   --node-flags=FLAGS   more Node flags for the child, e.g. `--node-flags=--max-semi-space-size=64`
 *   --check-only         skip the comparison passes; --profile DIR also writes a .cpuprofile
 *   --seed S, --coupling C, --json FILE
 *
 * For each size a child process generates the model in memory (seeded, multi-file), then measures:
 * a cold `check` (load = read + decode + lex + parse of every file, then resolve), exactly what
 * `aithreat check` runs; then, in the same process, lexing alone, lexing + parsing, and `JSON.parse`
 * of the same model encoded as JSON, the floor the parser is held against. Peak memory is read right
 * after the check, before the other passes run. Every figure is also printed as a ratio measured in
 * the same run, because the machine is shared and absolute times move with its load (printed too).
 *
 * One child per size keeps each size's peak memory its own and its JIT state cold, like the CLI's.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import { fileURLToPath } from "node:url";
import { benchArgs, parseSize, parseSizes } from "./args.js";
import v8 from "node:v8";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { hasErrors, sortDiagnostics, type StageResult } from "../src/diagnostics/diagnostic.js";
import { loadProgram, type Program } from "../src/semantic/imports.js";
import type { ResolvedModel } from "../src/semantic/model.js";
import { resolveProgram } from "../src/semantic/resolve.js";
import { makeSourceFile, type SourceFile } from "../src/source.js";
import { parseFile } from "../src/syntax/parse.js";
import { theLexer } from "../src/syntax/tokens.js";
import { generateModel, type GenStats } from "./gen/generate.js";
import { generatedHost } from "./gen/memory-host.js";

/** Wall and CPU milliseconds of one measured phase. */
interface Timing {
  wall: number;
  cpu: number;
}

/** What one child measures for one model size. */
export interface FrontEndResult {
  readonly components: number;
  readonly files: number;
  readonly stats: GenStats;
  readonly jsonBytes: number;
  readonly generate: Timing;
  readonly check: Timing;
  readonly load: Timing;
  /** Wall ms of `load` spent in `parseFile` (lex + parse + AST); the rest is reading, decoding, imports. */
  readonly loadParse: number;
  readonly resolve: Timing;
  readonly lex?: Timing;
  readonly parse?: Timing;
  readonly jsonParse?: Timing;
  readonly tokens?: number;
  readonly errors: number;
  readonly warnings: number;
  readonly memory: {
    readonly baseRss: number;
    readonly baseHeap: number;
    readonly peakRss: number;
    readonly heapAfterCheck: number;
    readonly heapTotalAfterCheck: number;
    readonly externalAfterCheck: number;
    readonly heapLimit: number;
    /** Live heap of the syntax trees (after a full collection). */
    readonly liveAst: number;
    /** Live heap the resolved model adds to them. */
    readonly liveModel: number;
  };
  readonly load1: readonly number[];
  readonly node: string;
}

function now(): { wall: number; cpu: NodeJS.CpuUsage } {
  return { wall: performance.now(), cpu: process.cpuUsage() };
}
function since(start: { wall: number; cpu: NodeJS.CpuUsage }): Timing {
  const cpu = process.cpuUsage(start.cpu);
  return { wall: performance.now() - start.wall, cpu: (cpu.user + cpu.system) / 1000 };
}
function timed<T>(fn: () => T): [T, Timing] {
  const start = now();
  const value = fn();
  return [value, since(start)];
}
/** The fastest of `repeat` runs, wall and CPU each: the runs least disturbed by other load. */
function best(repeat: number, fn: () => void): Timing {
  let wall = Infinity;
  let cpu = Infinity;
  for (let i = 0; i < repeat; i++) {
    const [, t] = timed(fn);
    wall = Math.min(wall, t.wall);
    cpu = Math.min(cpu, t.cpu);
  }
  return { wall, cpu };
}
const collect = (): void => (globalThis as { gc?: () => void }).gc?.();

/** Runs inside the child: generate, check cold, then the comparison passes. */
function child(opts: {
  components: number;
  files?: number;
  seed: number;
  coupling: number;
  repeat: number;
  checkOnly: boolean;
}): FrontEndResult {
  const load1 = [os.loadavg()[0]!];
  const genOptions = {
    components: opts.components,
    seed: opts.seed,
    coupling: opts.coupling,
    ...(opts.files === undefined ? {} : { files: opts.files }),
  };
  const [generated, generate] = timed(() => {
    const g = generateModel(genOptions);
    // Hold the model as bytes, as the file system would; the texts are dropped here.
    return { stats: g.stats, ...generatedHost(g.files) };
  });
  const { stats, host, inputs, root } = generated;
  collect();
  const base = process.memoryUsage();

  // ---- cold check, as `aithreat check` runs it -------------------------------------------------
  const resolveOptions = { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS };
  // Per-file split by wall clock only: reading CPU time per file costs a system call each.
  let parseWall = 0;
  const checkStart = now();
  // Held in an object so the trees can be dropped for the live-size measurements below.
  const held: { program?: StageResult<Program>; resolved?: StageResult<ResolvedModel> } = {};
  const [, load] = timed(() => {
    held.program = loadProgram(inputs, root, host, {
      parse: (file) => {
        const t = performance.now();
        const r = parseFile(file);
        parseWall += performance.now() - t;
        return r;
      },
    });
  });
  const [, resolve] = timed(() => {
    held.resolved = resolveProgram(held.program!.value, resolveOptions);
  });
  const diagnostics = sortDiagnostics([...held.program!.diagnostics, ...held.resolved!.diagnostics]);
  const check = since(checkStart);
  const after = process.memoryUsage();
  const peakRss = process.resourceUsage().maxRSS * 1024;
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  const warnings = diagnostics.length - errors;
  if (hasErrors(diagnostics)) {
    const first = diagnostics.find((d) => d.severity === "error")!;
    console.error(`generated model has ${errors} errors; first: ${first.code} ${first.message}`);
  }
  const sources: SourceFile[] = held.program!.value.files.map((f: Program["files"][number]) =>
    makeSourceFile(f.source.id, f.source.path, f.source.text),
  );
  // Live sizes, measured after the timed check so the forced collections do not perturb it: the
  // AST plus the resolved model, then the AST alone (the model keeps no AST nodes but rules').
  collect();
  const liveAll = process.memoryUsage().heapUsed;
  delete held.resolved;
  collect();
  const liveAst = process.memoryUsage().heapUsed;
  delete held.program;
  collect();
  const liveNone = process.memoryUsage().heapUsed;

  let lex: Timing | undefined;
  let parse: Timing | undefined;
  let jsonParse: Timing | undefined;
  let tokens = 0;
  let jsonBytes = 0;
  if (!opts.checkOnly) {
    lex = best(opts.repeat, () => {
      tokens = 0;
      for (const s of sources) tokens += theLexer().tokenize(s.text).tokens.length;
    });
    collect();
    parse = best(opts.repeat, () => {
      for (const s of sources) parseFile(s);
    });
    sources.length = 0;
    collect();
    const json = generateModel(genOptions, "json");
    const texts = json.files.map((f) => f.text);
    jsonBytes = json.stats.bytes;
    jsonParse = best(opts.repeat, () => {
      for (const t of texts) JSON.parse(t);
    });
  }
  load1.push(os.loadavg()[0]!);
  return {
    components: stats.components,
    files: stats.files,
    stats,
    jsonBytes,
    generate,
    check,
    load,
    loadParse: parseWall,
    resolve,
    ...(lex ? { lex, parse: parse!, jsonParse: jsonParse!, tokens } : {}),
    errors,
    warnings,
    memory: {
      baseRss: base.rss,
      baseHeap: base.heapUsed,
      peakRss,
      heapAfterCheck: after.heapUsed,
      heapTotalAfterCheck: after.heapTotal,
      externalAfterCheck: after.external + after.arrayBuffers,
      heapLimit: v8.getHeapStatistics().heap_size_limit,
      liveAst: liveAst - liveNone,
      liveModel: liveAll - liveAst,
    },
    load1,
    node: process.version,
  };
}

// ---- parent: run one child per size and print the table ---------------------------------------------

const MB = 1024 * 1024;
const fmtMs = (ms: number) => (ms >= 10_000 ? `${(ms / 1000).toFixed(1)} s` : `${ms.toFixed(0)} ms`);
const fmtMB = (b: number) => `${(b / MB).toFixed(0)} MB`;
const ratio = (a: number, b: number) => `${(a / b).toFixed(1)}x`;

function report(r: FrontEndResult, targets: { checkMs?: number; peakBytes?: number }): string {
  const mb = r.stats.bytes / MB;
  const lines = [
    `\n## ${r.components.toLocaleString("en")} components, ${r.stats.flows.toLocaleString("en")} flows, ` +
      `${r.files} files (${r.stats.systems} systems), ${mb.toFixed(1)} MB, ${r.stats.statements.toLocaleString("en")} statements` +
      `${r.stats.crossFlows ? `, ${r.stats.crossFlows.toLocaleString("en")} cross-system flows` : ""}`,
    `   load average ${r.load1.map((x) => x.toFixed(1)).join(" -> ")} on ${os.cpus().length} cores; node ${r.node}`,
    `   diagnostics: ${r.errors} errors, ${r.warnings} warnings`,
    "",
    "   phase                          wall        cpu   share of check",
  ];
  const row = (name: string, t: Timing | number, share = true) => {
    const wall = typeof t === "number" ? t : t.wall;
    const cpu = typeof t === "number" ? "" : fmtMs(t.cpu);
    lines.push(
      `   ${name.padEnd(28)} ${fmtMs(wall).padStart(8)} ${cpu.padStart(10)}   ${share ? `${((100 * wall) / r.check.wall).toFixed(0)}%` : ""}`,
    );
  };
  row("check (cold)", r.check);
  row("  load: parseFile", r.loadParse);
  row("  load: read+decode+imports", r.load.wall - r.loadParse);
  row("  resolve", r.resolve);
  if (r.lex && r.parse && r.jsonParse) {
    row("lex only (warm, best)", r.lex, false);
    row("lex + parse (warm, best)", r.parse, false);
    row("JSON.parse (warm, best)", r.jsonParse, false);
  }
  row("generate (not measured)", r.generate, false);
  lines.push("");
  lines.push(
    `   check throughput: ${(mb / (r.check.wall / 1000)).toFixed(2)} MB/s, ` +
      `${Math.round(r.stats.statements / (r.check.wall / 1000)).toLocaleString("en")} statements/s by wall; ` +
      `${(mb / (r.check.cpu / 1000)).toFixed(2)} MB/s, ` +
      `${Math.round(r.stats.statements / (r.check.cpu / 1000)).toLocaleString("en")} statements/s by CPU`,
  );
  if (r.lex && r.parse && r.jsonParse) {
    // Rates and ratios on CPU time: on a shared machine it moves far less with other load than wall.
    const rate = (bytes: number, t: Timing) => `${(bytes / MB / (t.cpu / 1000)).toFixed(1)} MB/s`;
    const vs = (t: number) => ratio(t, r.jsonParse!.cpu);
    lines.push(
      `   by CPU time: lex ${rate(r.stats.bytes, r.lex)} (${Math.round(r.tokens! / (r.lex.cpu / 1000)).toLocaleString("en")} tokens/s), ` +
        `lex+parse ${rate(r.stats.bytes, r.parse)}, JSON.parse ${rate(r.jsonBytes, r.jsonParse)} on ${fmtMB(r.jsonBytes)} of JSON`,
      `   ratios to JSON.parse of the same model (CPU): lex ${vs(r.lex.cpu)}, parse alone ${vs(r.parse.cpu - r.lex.cpu)}, ` +
        `lex+parse ${vs(r.parse.cpu)} (target <= 10x), check ${vs(r.check.cpu)}; ` +
        `wall: lex+parse ${ratio(r.parse.wall, r.jsonParse.wall)}, check ${ratio(r.check.wall, r.jsonParse.wall)}`,
    );
  }
  const m = r.memory;
  lines.push(
    `   memory: peak RSS ${fmtMB(m.peakRss)} (input held as bytes: RSS ${fmtMB(m.baseRss)} before the check), ` +
      `heap used after check ${fmtMB(m.heapAfterCheck)} of ${fmtMB(m.heapTotalAfterCheck)} (heap before ${fmtMB(m.baseHeap)}), ` +
      `external ${fmtMB(m.externalAfterCheck)}, heap limit ${fmtMB(m.heapLimit)}`,
    `   live heap after a full collection: syntax trees ${fmtMB(m.liveAst)} (${(m.liveAst / r.stats.bytes).toFixed(1)}x the source), ` +
      `resolved model ${fmtMB(m.liveModel)} more`,
  );
  if (targets.checkMs !== undefined)
    lines.push(
      `   target: check <= ${fmtMs(targets.checkMs)}: ${r.check.wall <= targets.checkMs ? "met" : "MISSED"} ` +
        `(wall ${fmtMs(r.check.wall)}, cpu ${fmtMs(r.check.cpu)})`,
    );
  if (targets.peakBytes !== undefined)
    lines.push(
      `   target: peak <= ${fmtMB(targets.peakBytes)}: ${m.peakRss <= targets.peakBytes ? "met" : "MISSED"}`,
    );
  return lines.join("\n");
}

function parent(argv: string[]): number {
  const { values } = benchArgs({
    args: argv,
    options: {
      sizes: { type: "string", default: "10k,100k" },
      huge: { type: "boolean", default: false },
      "huge-files": { type: "string", default: "4000" },
      seed: { type: "string", default: "1" },
      coupling: { type: "string", default: "1" },
      repeat: { type: "string", default: "3" },
      heap: { type: "string" },
      profile: { type: "string" },
      json: { type: "string" },
      "node-flags": { type: "string", default: "" },
      "check-only": { type: "boolean", default: false },
    },
  });
  const extraFlags = values["node-flags"].split(/\s+/).filter((f) => f !== "");
  const runs: { components: number; files?: number }[] = parseSizes(values.sizes).map((components) => ({
    components,
  }));
  if (values.huge) runs.push({ components: 1_000_000, files: parseSize(values["huge-files"]) });
  const self = fileURLToPath(import.meta.url);
  const results: FrontEndResult[] = [];
  console.log(
    `# aithreat front-end benchmark (${new Date().toISOString().slice(0, 10)}, ${os.cpus()[0]?.model ?? "cpu"} x ${os.cpus().length}, ` +
      `${(os.totalmem() / 1024 ** 3).toFixed(0)} GB, node ${process.version})`,
  );
  for (const run of runs) {
    const big = run.components >= 500_000;
    // Node's default heap limit (about 4 GB here) is too small for a 1M-component model.
    const heap = values.heap ?? (big ? "12288" : undefined);
    const nodeArgs = [
      "--expose-gc",
      ...extraFlags,
      ...(heap ? [`--max-old-space-size=${heap}`] : []),
      ...(values.profile ? ["--cpu-prof", `--cpu-prof-dir=${values.profile}`] : []),
    ];
    const args = [
      ...nodeArgs,
      self,
      "--child",
      "--components",
      String(run.components),
      ...(run.files ? ["--files", String(run.files)] : []),
      "--seed",
      values.seed,
      "--coupling",
      values.coupling,
      "--repeat",
      big ? "1" : values.repeat,
      // A profile should show the check alone; the comparison passes would dilute it.
      ...(values.profile || values["check-only"] ? ["--check-only"] : []),
    ];
    console.error(`running ${run.components} components: node ${args.join(" ")}`);
    const out = spawnSync(process.execPath, args, {
      encoding: "utf8",
      stdio: ["ignore", "pipe", "inherit"],
      maxBuffer: 64 * MB,
    });
    const line = out.stdout.split("\n").find((l) => l.startsWith("RESULT "));
    if (out.status !== 0 || !line) {
      console.error(
        `child for ${run.components} components failed (exit ${out.status}, signal ${out.signal})`,
      );
      return 1;
    }
    const r = JSON.parse(line.slice("RESULT ".length)) as FrontEndResult;
    results.push(r);
    const targets =
      r.components === 10_000
        ? { checkMs: 1000 }
        : r.components >= 1_000_000
          ? { checkMs: 60_000, peakBytes: 6 * 1024 ** 3 }
          : {};
    console.log(report(r, targets));
    const shown = [...(heap ? [`--max-old-space-size=${heap}`] : []), ...extraFlags];
    if (shown.length > 0) console.log(`   node flags: ${shown.join(" ")}`);
  }
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
  return 0;
}

function main(argv: string[]): number {
  if (!argv.includes("--child")) return parent(argv);
  const { values } = benchArgs({
    args: argv,
    options: {
      child: { type: "boolean" },
      components: { type: "string" },
      files: { type: "string" },
      seed: { type: "string", default: "1" },
      coupling: { type: "string", default: "1" },
      repeat: { type: "string", default: "3" },
      "check-only": { type: "boolean", default: false },
    },
  });
  const result = child({
    components: Number(values.components),
    ...(values.files ? { files: Number(values.files) } : {}),
    seed: Number(values.seed),
    coupling: Number(values.coupling),
    repeat: Number(values.repeat),
    checkOnly: values["check-only"],
  });
  console.log(`RESULT ${JSON.stringify(result)}`);
  return result.errors > 0 ? 1 : 0;
}

process.exitCode = main(process.argv.slice(2));
