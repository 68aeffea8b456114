/**
 * Report benchmark: `npm run bench:report -- [--sizes 1k,10k,100k] [--seed S] [--json FILE] [--profile DIR] [--young MB]`
 *
 * For each size a child process generates a model (bench/gen), checks and analyses it, then runs
 * every emitter `compile` runs (no images), each timed alone with the writing of its files into a
 * temporary folder (large outputs are produced as they are written). The views every emitter shares (the findings view, the diagram views, the report data) are
 * timed as stages of their own, so an emitter's line is its own work.
 *
 * Printed last: for each stage, the ratio of its time at one size to its time at the size before,
 * beside the ratio of the model sizes and of the finding counts. A stage that scales linearly shows a
 * ratio near those; a quadratic one shows about their square. Times are CPU milliseconds of the child
 * (the machine is shared; wall times are printed too). `--profile DIR` writes a V8 CPU profile of the
 * output side alone (from the end of the analysis to the end of the write) per size, for
 * `bench/profile-summary.ts`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import { Session } from "node:inspector/promises";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs, parseSizes } from "./args.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { analyzeModel, runFrontEnd } from "../src/compiler.js";
import { writeFiles, writeFolderAtomically } from "../src/cli/write-outputs.js";
import { diagramViews } from "../src/emit/diagrams/index.js";
import type { EmitContext } from "../src/emit/emitter.js";
import { findingsView } from "../src/emit/findings-view.js";
import { EMITTERS } from "../src/emit/index.js";
import { reportData } from "../src/emit/report-view.js";
import { generateModel } from "./gen/generate.js";
import { generatedHost } from "./gen/memory-host.js";

/** Wall and CPU milliseconds. */
interface Timing {
  wall: number;
  cpu: number;
}

/** One timed stage; `part` marks a stage already counted inside the one above it. */
interface Stage {
  name: string;
  t: Timing;
  bytes?: number;
  files?: number;
  part?: boolean;
}

/** What one child measures. */
interface SizeResult {
  components: number;
  flows: number;
  findings: number;
  stages: Stage[];
  peakRss: number;
}

function timed<T>(fn: () => T): [T, Timing] {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(cpu);
  return [value, { wall: performance.now() - wall, cpu: (c.user + c.system) / 1000 }];
}

/** Stages that are not part of `compile` (the generator) or counted twice (parts of a stage). */
const notCompile = (s: Stage) => s.part === true || s.name.startsWith("generate");

async function child(components: number, seed: number, profileDir?: string): Promise<SizeResult> {
  const stages: Stage[] = [];
  const [gen, tg] = timed(() => {
    const g = generateModel({ components, seed, coupling: 1 });
    return { stats: g.stats, ...generatedHost(g.files) };
  });
  stages.push({ name: "generate (not part of compile)", t: tg });
  const [front, tf] = timed(() =>
    runFrontEnd({
      inputs: gen.inputs,
      root: gen.root,
      host: gen.host,
      resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
    }),
  );
  stages.push({ name: "check (load + resolve)", t: tf });
  if (!front.ok) throw new Error("the generated model has errors");
  const [analysis, ta] = timed(() => analyzeModel(front.model));
  stages.push({ name: "analyse (rules, paths, metrics)", t: ta });
  // analyzeModel builds the findings view every emitter reads; it is output-side work, so it is
  // measured again alone and shown as a part of the analysis.
  const [, tv] = timed(() => findingsView(analysis.model, analysis.findings, analysis.rules));
  stages.push({ name: "  of which findings view", t: tv, part: true });

  const session = profileDir ? new Session() : undefined;
  if (session) {
    session.connect();
    await session.post("Profiler.enable");
    await session.post("Profiler.start");
  }
  const ctx: EmitContext = { analysis, toolVersion: "bench", diagnostics: analysis.diagnostics };
  // Shared views first (both are cached per analysis), so each emitter below is timed alone.
  const [, tdv] = timed(() => diagramViews(analysis));
  stages.push({ name: "diagram views", t: tdv });
  const [, td] = timed(() => reportData(analysis, { toolVersion: "bench" }));
  stages.push({ name: "report data", t: td });
  // Each emitter is timed with the writing of its files, as `compile` writes them (into the
  // temporary folder it then moves into place): a large output is produced as it is written
  // (OutputFile.produce), so its emitter's line holds the work of producing it. "write outputs" is
  // what is left: the folder, its marker and the move into place.
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-bench-report-"));
  const [, tw] = timed(() =>
    writeFolderAtomically(path.join(tmp, "out"), (temp) => {
      for (const e of EMITTERS) {
        const [files, t] = timed(() => {
          const out = e.emit(ctx);
          writeFiles(temp, out);
          return out;
        });
        const bytes = files.reduce((n, f) => n + fs.statSync(path.join(temp, f.path)).size, 0);
        stages.push({ name: `emit ${e.name}`, t, bytes, files: files.length });
      }
    }),
  );
  const emitted = stages.filter((s) => s.name.startsWith("emit "));
  const sumOf = (k: keyof Timing) => emitted.reduce((n, s) => n + s.t[k], 0);
  const bytes = emitted.reduce((n, s) => n + (s.bytes ?? 0), 0);
  const files = emitted.reduce((n, s) => n + (s.files ?? 0), 0);
  fs.rmSync(tmp, { recursive: true, force: true });
  stages.push({
    name: "write outputs",
    t: { wall: tw.wall - sumOf("wall"), cpu: tw.cpu - sumOf("cpu") },
    bytes,
    files,
  });
  if (session && profileDir) {
    const { profile } = await session.post("Profiler.stop");
    fs.mkdirSync(profileDir, { recursive: true });
    fs.writeFileSync(path.join(profileDir, `emit-${components}.cpuprofile`), JSON.stringify(profile));
    session.disconnect();
  }
  return {
    components: front.model.components.length,
    flows: front.model.flows.length,
    findings: analysis.findingsView.length,
    stages,
    peakRss: process.resourceUsage().maxRSS * 1024,
  };
}

const ms = (t: number) => (t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`);
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;
const sum = (r: SizeResult, pick: (s: Stage) => boolean) =>
  r.stages.filter(pick).reduce((a, s) => a + s.t.cpu, 0);
/** The output side: every stage after the analysis. */
const isEmit = (s: Stage) =>
  s.name === "diagram views" ||
  s.name === "report data" ||
  s.name.startsWith("emit ") ||
  s.name === "write outputs";

function printSize(r: SizeResult): void {
  console.log(
    `${r.components} components, ${r.flows} flows, ${r.findings} findings, peak RSS ${mb(r.peakRss)}`,
  );
  for (const s of r.stages) {
    const extra =
      s.bytes !== undefined
        ? `  ${mb(s.bytes).padStart(9)}${s.files !== 1 ? ` in ${s.files} files` : ""}`
        : "";
    console.log(
      `  ${s.name.padEnd(34)} cpu ${ms(s.t.cpu).padStart(8)}  wall ${ms(s.t.wall).padStart(8)}${extra}`,
    );
  }
  const emit = sum(r, isEmit);
  const compile = sum(r, (s) => !notCompile(s));
  console.log(`  output side (views + emitters + write):   cpu ${ms(emit)}`);
  console.log(`  full compile, no images (check + analyse + output side): cpu ${ms(compile)}`);
}

function printGrowth(a: SizeResult, b: SizeResult): void {
  const total = (r: SizeResult) => sum(r, (s) => !notCompile(s));
  const ratio = (x: number, y: number) => `x${(y / Math.max(1, x)).toFixed(1)}`;
  console.log(
    `\ngrowth ${a.components} -> ${b.components} components: size x${(b.components / a.components).toFixed(1)}, findings x${(b.findings / a.findings).toFixed(1)}; CPU ratio per stage (near those = linear, near their square = quadratic):`,
  );
  for (const s of b.stages) {
    const base = a.stages.find((x) => x.name === s.name);
    if (!base || s.name.startsWith("generate")) continue;
    const bytes = s.bytes !== undefined && base.bytes ? `   bytes ${ratio(base.bytes, s.bytes)}` : "";
    console.log(`  ${s.name.padEnd(34)} ${ratio(base.t.cpu, s.t.cpu).padStart(7)}${bytes}`);
  }
  console.log(`  ${"output side".padEnd(34)} ${ratio(sum(a, isEmit), sum(b, isEmit)).padStart(7)}`);
  console.log(`  ${"full compile".padEnd(34)} ${ratio(total(a), total(b)).padStart(7)}`);
}

function parent(): void {
  const { values } = benchArgs({
    options: {
      sizes: { type: "string", default: "1k,10k,100k" },
      seed: { type: "string", default: "1" },
      json: { type: "string" },
      profile: { type: "string" },
      young: { type: "string", default: "64" },
    },
  });
  const sizes = parseSizes(values.sizes);
  const results: SizeResult[] = [];
  for (const n of sizes) {
    console.log(`\n== ${n.toLocaleString("en")} components ==`);
    const run = spawnSync(
      process.execPath,
      [
        "--max-old-space-size=12288",
        // The young generation bin/aithreat.js gives compile; `--young 0` measures Node's default.
        ...(Number(values.young) > 0 ? [`--max-semi-space-size=${values.young}`] : []),
        fileURLToPath(import.meta.url),
        "--child",
        String(n),
        values.seed,
        ...(values.profile ? [path.resolve(values.profile)] : []),
      ],
      { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "inherit"] },
    );
    if (run.status !== 0) {
      console.error(`child for ${n} failed (${run.status ?? run.signal})`);
      process.exitCode = 1;
      break;
    }
    const r = JSON.parse(run.stdout) as SizeResult;
    results.push(r);
    printSize(r);
  }
  for (let i = 1; i < results.length; i++) printGrowth(results[i - 1]!, results[i]!);
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

if (process.argv[2] === "--child") {
  const r = await child(Number(process.argv[3]), Number(process.argv[4]), process.argv[5]);
  process.stdout.write(JSON.stringify(r));
} else parent();
