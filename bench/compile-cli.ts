/**
 * `npm run bench:compile -- [--sizes 1k,10k,100k] [--runs N] [--seed S] [--dir DIR] [--huge]`
 *
 * Issue #8's compile targets as a user meets them: the `aithreat` command itself (bin/aithreat.js,
 * with its launch, its code cache and its threads), run on a generated model tree on disk, each run
 * a fresh process writing a fresh output folder. Prints the wall time of every run, their median,
 * and the peak RSS of the slowest process (Linux: VmHWM of the CLI and its child, read while it
 * runs), beside the target. The machine is shared, so the median of several runs is the figure, and
 * the load average at the start and the end says how quiet it was (bench/README.md). `--huge` adds
 * issue #7's tree (1M components over 4,000 files), compiled once: a run takes minutes.
 */
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { benchArgs, parseSizes } from "./args.js";
import { writeModel } from "./gen/generate.js";

const here = path.dirname(fileURLToPath(import.meta.url));
/** bin/aithreat.js from dist/bench/. */
const CLI = path.resolve(here, "../../bin/aithreat.js");

/** Issues #8 (10k, 100k) and #7 (1M), and the brief (1k): seconds of wall time, no images. */
const TARGET_S: ReadonlyMap<number, number> = new Map([
  [1_000, 1],
  [10_000, 3],
  [100_000, 20],
  [1_000_000, 180],
]);

/** Peak RSS in MB of a process and its children so far (Linux /proc; 0 elsewhere). */
function peakRssMb(pid: number): number {
  const read = (p: number): number => {
    try {
      const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${p}/status`, "utf8"));
      return m ? Number(m[1]) / 1024 : 0;
    } catch {
      return 0;
    }
  };
  let peak = read(pid);
  try {
    for (const child of fs.readFileSync(`/proc/${pid}/task/${pid}/children`, "utf8").trim().split(/\s+/))
      if (child) peak += read(Number(child));
  } catch {
    // no children file: the process alone
  }
  return peak;
}

/**
 * One `aithreat compile`: its wall time and the highest peak RSS seen while it ran. Its stderr is
 * printed only when it fails: a generated organisation's warnings (AT9102, AT9103) are the same on
 * every run and hid the figures.
 */
function compileOnce(tree: string, out: string): Promise<{ seconds: number; rssMb: number; code: number }> {
  fs.rmSync(out, { recursive: true, force: true });
  const started = performance.now();
  const child = spawn(process.execPath, [CLI, "compile", tree, "--out", out, "-q"], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  const errors: Buffer[] = [];
  child.stderr.on("data", (b: Buffer) => errors.push(b));
  let rssMb = 0;
  const poll = setInterval(() => (rssMb = Math.max(rssMb, peakRssMb(child.pid!))), 50);
  return new Promise((resolve) => {
    child.on("close", (code) => {
      clearInterval(poll);
      const seconds = (performance.now() - started) / 1000;
      if (code !== 0) process.stderr.write(Buffer.concat(errors));
      resolve({ seconds, rssMb, code: code ?? 3 });
    });
  });
}

const median = (xs: readonly number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

async function main(): Promise<number> {
  const { values } = benchArgs({
    options: {
      sizes: { type: "string", default: "1k,10k" },
      runs: { type: "string", default: "7" },
      seed: { type: "string", default: "1" },
      dir: { type: "string" },
      huge: { type: "boolean", default: false },
    },
  });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1) {
    process.stderr.write(`compile-cli: --runs must be a whole number above 0, not \`${values.runs}\`\n`);
    return 2;
  }
  const base = values.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-bench-compile-"));
  const load = () => os.loadavg()[0]!.toFixed(2);
  console.log(`aithreat compile, ${runs} runs per size (load average ${load()} at the start)`);
  let failed = 0;
  const sizes = parseSizes(values.sizes);
  if (values.huge && !sizes.includes(1_000_000)) sizes.push(1_000_000);
  for (const size of sizes) {
    const tree = path.join(base, `model-${size}`);
    // The organisation benchmark's layout: 4,000 system files at 1M (bench/gen: components / 250).
    if (!fs.existsSync(tree))
      writeModel({ components: size, seed: Number(values.seed), coupling: 1 }, tree, ["aithreat"]);
    const out = path.join(base, `out-${size}`);
    const results = [];
    const times = size >= 1_000_000 ? 1 : runs;
    for (let i = 0; i < times; i++) results.push(await compileOnce(tree, out));
    if (results.some((r) => r.code !== 0)) failed++;
    const secs = results.map((r) => r.seconds);
    const med = median(secs);
    const target = TARGET_S.get(size);
    const verdict =
      target === undefined ? "" : `; target <= ${target} s: ${med <= target ? "met" : "missed"}`;
    console.log(
      `${size.toLocaleString("en")} components: median ${med.toFixed(2)} s (${secs.map((s) => s.toFixed(2)).join(", ")}); ` +
        `peak RSS ${Math.max(...results.map((r) => r.rssMb)).toFixed(0)} MB${verdict}`,
    );
  }
  console.log(`load average ${load()} at the end`);
  if (values.dir === undefined) fs.rmSync(base, { recursive: true, force: true });
  return failed > 0 ? 1 : 0;
}

process.exitCode = await main();
