/**
 * Organisation-scale benchmark: `node dist/bench/org.js [options]`
 *   --components N     model size (default 100k; 10k / 1M shorthands)
 *   --files F          system files (default: components / 250, i.e. 4,000 at 1M)
 *   --huge             1M components over 4,000 system files (the target tree)
 *   --dir DIR          check this tree instead of generating one (e.g. from `bench:gen`)
 *   --heap MB          --max-old-space-size for the children (default: Node's own limit)
 *   --young MB         --max-semi-space-size for the children (default 64, what bin/aithreat.js sets)
 *   --json FILE        also write the results as JSON
 *
 * Writes the generated tree to a temporary folder (removed afterwards), then runs, each in its own
 * child process so every mode has its own peak memory and a cold JIT like the CLI:
 *   1. `aithreat check DIR` end to end (the CLI's `main`, with its default threads);
 *   2. the front end on the main thread only (`workers: 0`);
 *   3. the front end with its default worker threads.
 * For 2 and 3 it prints wall and CPU time, the time of each stage (load = read + parse + per-file
 * checks; resolve = names across files and the model; rules = organisation rules), peak RSS, and
 * the gain of the threads over one thread, measured in the same run (the machine may be shared:
 * the load average is printed, and CPU time, which counts every thread, is steadier than wall).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs } from "./args.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { expandInputs, findRoot } from "../src/cli/inputs.js";
import { bufferIo } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { nodeHost } from "../src/cli/node-host.js";
import { runFrontEnd } from "../src/compiler.js";
import { writeModel } from "./gen/generate.js";

/** What one child measures. */
interface RunResult {
  readonly mode: string;
  readonly wall: number;
  readonly cpu: number;
  readonly peakRss: number;
  readonly stages?: { load: number; resolve: number; rules: number };
  readonly threads?: { workers: number; byWorkers: number; byMain: number };
  readonly files: number;
  readonly errors: number;
  readonly load1: number;
}

const TODAY = "2026-06-01";

async function child(mode: string, dir: string): Promise<RunResult> {
  const load1 = os.loadavg()[0]!;
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  let stages: RunResult["stages"];
  let threads: RunResult["threads"];
  let files = 0;
  let errors = 0;
  if (mode === "cli") {
    const io = bufferIo({ AITHREAT_TODAY: TODAY });
    const code = await main(["check", dir, "--quiet"], io);
    errors = code === 0 ? 0 : 1;
    files = expandInputs([dir]).files.length;
  } else {
    const { files: inputs } = expandInputs([dir]);
    const result = runFrontEnd({
      inputs,
      root: findRoot(inputs, undefined),
      host: nodeHost,
      resolve: { today: TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
      workers: mode === "one-thread" ? 0 : undefined,
    });
    stages = result.stages;
    threads = result.threads;
    files = result.program.files.length;
    errors = result.diagnostics.filter((d) => d.severity === "error").length;
  }
  const wall = performance.now() - t0;
  const c = process.cpuUsage(cpu0);
  return {
    mode,
    wall,
    cpu: (c.user + c.system) / 1000,
    peakRss: process.resourceUsage().maxRSS * 1024,
    ...(stages ? { stages } : {}),
    ...(threads ? { threads } : {}),
    files,
    errors,
    load1,
  };
}

function runChild(mode: string, dir: string, heap: number | undefined, young: number): RunResult {
  const script = fileURLToPath(import.meta.url);
  const flags = [`--max-semi-space-size=${young}`];
  if (heap !== undefined) flags.push(`--max-old-space-size=${heap}`);
  const r = spawnSync(process.execPath, [...flags, script, "--child", mode, "--dir", dir], {
    encoding: "utf8",
    maxBuffer: 64 * 1024 * 1024,
  });
  const line = r.stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`child ${mode} failed (status ${r.status}):\n${r.stderr}`);
  return JSON.parse(line.slice("RESULT ".length)) as RunResult;
}

const s = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
const mb = (bytes: number) => `${Math.round(bytes / 1024 / 1024).toLocaleString("en")} MB`;

async function mainBench(argv: string[]): Promise<number> {
  const { values } = benchArgs({
    args: argv,
    options: {
      components: { type: "string", default: "100k" },
      files: { type: "string" },
      huge: { type: "boolean", default: false },
      dir: { type: "string" },
      heap: { type: "string" },
      young: { type: "string", default: "64" },
      json: { type: "string" },
      child: { type: "string" },
    },
  });
  if (values.child) {
    const r = await child(values.child, values.dir!);
    console.log(`RESULT ${JSON.stringify(r)}`);
    return 0;
  }
  const num = (text: string): number => {
    const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text);
    if (!m) throw new Error(`not a number: ${text}`);
    return Math.round(Number(m[1]) * (m[2] === "" ? 1 : /k/i.test(m[2]!) ? 1e3 : 1e6));
  };
  const components = values.huge ? 1_000_000 : num(values.components);
  const files = values.huge ? 4000 : values.files === undefined ? undefined : num(values.files);
  const heap = values.heap === undefined ? undefined : Number(values.heap);
  let dir = values.dir;
  let made: string | undefined;
  if (!dir) {
    made = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-org-"));
    dir = made;
    const t = performance.now();
    const [stats] = writeModel({ components, seed: 1, coupling: 1, ...(files ? { files } : {}) }, dir, [
      "aithreat",
    ]);
    console.log(
      `generated ${stats!.components.toLocaleString("en")} components, ${stats!.flows.toLocaleString("en")} flows, ` +
        `${stats!.files.toLocaleString("en")} files, ${mb(stats!.bytes)} in ${s(performance.now() - t)}`,
    );
  }
  try {
    console.log(
      `node ${process.version}, ${os.availableParallelism()} cores, load average ${os.loadavg()[0]!.toFixed(1)}`,
    );
    const results: RunResult[] = [];
    for (const mode of ["cli", "one-thread", "threads"]) {
      const r = runChild(mode, dir, heap, Number(values.young));
      results.push(r);
      const stages = r.stages
        ? `  load ${s(r.stages.load)}  resolve ${s(r.stages.resolve)}  rules ${s(r.stages.rules)}`
        : "";
      const threads = r.threads
        ? `  workers ${r.threads.workers} (files: ${r.threads.byWorkers} by workers, ${r.threads.byMain} by main)`
        : "";
      console.log(
        `${mode.padEnd(10)}  wall ${s(r.wall).padStart(7)}  cpu ${s(r.cpu).padStart(7)}  peak RSS ${mb(r.peakRss).padStart(9)}` +
          `${stages}${threads}  errors ${r.errors}  (load average ${r.load1.toFixed(1)})`,
      );
    }
    const one = results.find((r) => r.mode === "one-thread")!;
    const many = results.find((r) => r.mode === "threads")!;
    if (many.threads!.workers === 0)
      console.log("threads: none started (input under 4 MB), so both runs did the same work");
    else
      console.log(
        `threads vs one thread: check ${(one.wall / many.wall).toFixed(2)}x faster (wall), ` +
          `load stage ${(one.stages!.load / many.stages!.load).toFixed(2)}x; CPU ${(many.cpu / one.cpu).toFixed(2)}x of one thread's`,
      );
    if (values.json)
      fs.writeFileSync(values.json, `${JSON.stringify({ components, files, results }, null, 2)}\n`);
    return results.some((r) => r.errors > 0) ? 1 : 0;
  } finally {
    if (made) fs.rmSync(made, { recursive: true, force: true });
  }
}

process.exitCode = await mainBench(process.argv.slice(2));
