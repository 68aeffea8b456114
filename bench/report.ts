/**
 * Report benchmark: `npm run bench:report -- [--sizes 10k,100k] [--seed S] [--json FILE]`
 *
 * For each size a child process generates a model (bench/gen), checks and analyses it, then runs
 * every emitter `compile` runs (no images) and writes the files to a temporary folder, timing each
 * stage. The report stages (report data, report.md, report.html, checklist) are also timed alone.
 * Printed last: for each stage, the ratio of its time at the largest size to its time at the smallest,
 * beside the ratio of the model sizes and of the finding counts. A stage that scales linearly shows a
 * ratio near those; a quadratic one shows about their square. Times are CPU milliseconds of the child
 * (the machine is shared; wall times are printed too).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { analyzeModel, runFrontEnd } from "../src/compiler.js";
import { writeOutputsAtomically } from "../src/cli/write-outputs.js";
import { checklistEmitter } from "../src/emit/checklist.js";
import type { EmitContext, OutputFile } from "../src/emit/emitter.js";
import { EMITTERS } from "../src/emit/index.js";
import { reportHtmlEmitter } from "../src/emit/report-html.js";
import { reportMdEmitter } from "../src/emit/report-md.js";
import { reportData } from "../src/emit/report-view.js";
import { generateModel } from "./gen/generate.js";
import { generatedHost } from "./gen/memory-host.js";

/** Wall and CPU milliseconds. */
interface Timing {
  wall: number;
  cpu: number;
}

/** What one child measures. */
interface SizeResult {
  components: number;
  flows: number;
  findings: number;
  stages: { name: string; t: Timing; bytes?: number }[];
  peakRss: number;
}

function timed<T>(fn: () => T): [T, Timing] {
  const wall = performance.now();
  const cpu = process.cpuUsage();
  const value = fn();
  const c = process.cpuUsage(cpu);
  return [value, { wall: performance.now() - wall, cpu: (c.user + c.system) / 1000 }];
}

const bytesOf = (files: readonly OutputFile[]) =>
  files.reduce(
    (n, f) => n + (typeof f.contents === "string" ? Buffer.byteLength(f.contents) : f.contents.length),
    0,
  );

function child(components: number, seed: number): SizeResult {
  const stages: SizeResult["stages"] = [];
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
  stages.push({ name: "analyse (rules, paths, views)", t: ta });
  const ctx: EmitContext = { analysis, toolVersion: "bench" };

  // The report stages alone, first (report data is cached per analysis, so it is timed once here
  // and the emitters below reuse it, as compile does).
  const [, td] = timed(() => reportData(analysis, { toolVersion: "bench" }));
  stages.push({ name: "report data (incl. diagram views)", t: td });
  for (const e of [reportMdEmitter, reportHtmlEmitter, checklistEmitter]) {
    const [files, t] = timed(() => e.emit(ctx));
    stages.push({ name: `  ${e.name}`, t, bytes: bytesOf(files) });
  }
  // Every emitter of compile, in order, as `compile` runs them, then the atomic write.
  const all: OutputFile[] = [];
  const [, te] = timed(() => {
    for (const e of EMITTERS) all.push(...e.emit(ctx));
  });
  stages.push({ name: "all emitters (compile, no images)", t: te, bytes: bytesOf(all) });
  const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-bench-report-"));
  const [, tw] = timed(() => writeOutputsAtomically(path.join(tmp, "out"), all));
  fs.rmSync(tmp, { recursive: true, force: true });
  stages.push({ name: "write outputs", t: tw });
  return {
    components: front.model.components.length,
    flows: front.model.flows.length,
    findings: analysis.findingsView.length,
    stages,
    peakRss: process.resourceUsage().maxRSS * 1024,
  };
}

const size = (s: string) => Math.round(Number(s.replace(/k$/i, "")) * (/k$/i.test(s) ? 1000 : 1));
const ms = (t: number) => (t >= 10_000 ? `${(t / 1000).toFixed(1)} s` : `${t.toFixed(0)} ms`);
const mb = (b: number) => `${(b / 1e6).toFixed(1)} MB`;

function parent(): void {
  const { values } = parseArgs({
    options: {
      sizes: { type: "string", default: "10k,100k" },
      seed: { type: "string", default: "1" },
      json: { type: "string" },
    },
  });
  const sizes = values.sizes.split(",").map(size);
  const results: SizeResult[] = [];
  for (const n of sizes) {
    console.log(`\n== ${n.toLocaleString("en")} components ==`);
    const run = spawnSync(
      process.execPath,
      ["--max-old-space-size=12288", fileURLToPath(import.meta.url), "--child", String(n), values.seed],
      { encoding: "utf8", maxBuffer: 1 << 26, stdio: ["ignore", "pipe", "inherit"] },
    );
    if (run.status !== 0) {
      console.error(`child for ${n} failed (${run.status ?? run.signal})`);
      process.exitCode = 1;
      return;
    }
    const r = JSON.parse(run.stdout) as SizeResult;
    results.push(r);
    console.log(
      `${r.components} components, ${r.flows} flows, ${r.findings} findings, peak RSS ${mb(r.peakRss)}`,
    );
    for (const s of r.stages)
      console.log(
        `  ${s.name.padEnd(36)} cpu ${ms(s.t.cpu).padStart(9)}  wall ${ms(s.t.wall).padStart(9)}${s.bytes !== undefined ? `  ${mb(s.bytes)}` : ""}`,
      );
    const compile = r.stages
      .filter((s) => !s.name.startsWith("generate") && !s.name.startsWith(" "))
      .reduce((a, s) => a + s.t.cpu, 0);
    console.log(`  full compile, no images (check + analyse + emit + write): cpu ${ms(compile)}`);
  }
  if (results.length >= 2) {
    const [a, b] = [results[0]!, results[results.length - 1]!];
    console.log(
      `\nscaling ${a.components} -> ${b.components} components: size x${(b.components / a.components).toFixed(1)}, findings x${(b.findings / a.findings).toFixed(1)}; stage CPU ratio (near those = linear, near their square = quadratic):`,
    );
    for (const s of b.stages) {
      const base = a.stages.find((x) => x.name === s.name);
      if (base) console.log(`  ${s.name.padEnd(36)} x${(s.t.cpu / Math.max(1, base.t.cpu)).toFixed(1)}`);
    }
  }
  if (values.json) fs.writeFileSync(values.json, `${JSON.stringify(results, null, 2)}\n`);
}

if (process.argv[2] === "--child") {
  process.stdout.write(JSON.stringify(child(Number(process.argv[3]), Number(process.argv[4]))));
} else parent();
