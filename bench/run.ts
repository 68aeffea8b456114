/**
 * `npm run bench`: runs every benchmark in turn with its default sizes, each in its own process so
 * one benchmark's heap and JIT state do not colour the next. Arguments are passed to each benchmark.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Benchmarks in the order they run. */
export const BENCHMARKS = [
  "front-end.js",
  "analysis.js",
  "rule-memory.js",
  "report.js",
  "compile-cli.js",
  "org.js",
] as const;

const here = path.dirname(fileURLToPath(import.meta.url));
let failed = 0;
for (const name of BENCHMARKS) {
  const run = spawnSync(process.execPath, [path.join(here, name), ...process.argv.slice(2)], {
    stdio: "inherit",
  });
  if (run.status !== 0) failed++;
}
process.exitCode = failed > 0 ? 1 : 0;
