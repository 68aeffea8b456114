/**
 * Metrics benchmark: `node dist/bench/metrics.js [--sizes 10k,100k] [--seed S] [--coupling C]`
 *
 * For each size, generates a model in memory (seeded, multi-file), runs the front end and the
 * analysis (rules + attack paths) as `compile` does, then times `computeMetrics` on that analysis,
 * best of three. Printed against two things measured in the same run: one BFS over the
 * information-flow CSR (the floor of any linear pass over the graph), and the analysis itself (what
 * the metrics add to a compile). Absolute times are printed too but move with the machine's load.
 */
import { parseArgs } from "node:util";
import { computeMetrics } from "../src/analysis/metrics/index.js";
import { agenticMetrics } from "../src/analysis/metrics/agentic.js";
import { blastRadiusMetrics } from "../src/analysis/metrics/agents.js";
import { untrustedInputMetrics } from "../src/analysis/metrics/untrusted.js";
import { analyzePaths } from "../src/analysis/paths/analyze.js";
import { RULES } from "../src/analysis/rules/index.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { analyze, runFrontEnd } from "../src/compiler.js";
import type { CompactGraph } from "../src/graph/compact.js";
import { generateModel } from "./gen/generate.js";
import { generatedHost } from "./gen/memory-host.js";

function best(repeat: number, fn: () => void): number {
  let ms = Infinity;
  for (let i = 0; i < repeat; i++) {
    const t = performance.now();
    fn();
    ms = Math.min(ms, performance.now() - t);
  }
  return ms;
}

/** One BFS from every node with no in-edge (or node 0): touches every reachable edge once. */
function bfs(g: CompactGraph): number {
  const seen = new Uint8Array(g.nodeCount);
  const queue = new Int32Array(g.nodeCount);
  let tail = 0;
  for (let v = 0; v < g.nodeCount; v++)
    if (g.inStart[v + 1] === g.inStart[v] || v === 0) {
      seen[v] = 1;
      queue[tail++] = v;
    }
  for (let head = 0; head < tail; head++) {
    const v = queue[head]!;
    for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
      const w = g.edgeTo[g.outEdges[i]!]!;
      if (!seen[w]) {
        seen[w] = 1;
        queue[tail++] = w;
      }
    }
  }
  return tail;
}

const parseSize = (s: string): number =>
  Math.round(Number.parseFloat(s) * (s.endsWith("k") ? 1e3 : s.endsWith("M") ? 1e6 : 1));

const { values } = parseArgs({
  options: {
    sizes: { type: "string", default: "10k,100k" },
    seed: { type: "string", default: "1" },
    coupling: { type: "string", default: "0.05" },
  },
});
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
for (const size of values.sizes.split(",").map(parseSize)) {
  const g = generateModel({ components: size, seed: Number(values.seed), coupling: Number(values.coupling) });
  const { host, inputs, root } = generatedHost(g.files);
  const front = runFrontEnd({
    inputs,
    root,
    host,
    resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  const t0 = performance.now();
  const result = analyze(front.model, RULES);
  const paths = analyzePaths(result.graph, result.facts, RULES, {});
  const analysisMs = performance.now() - t0;
  const input = { ...result, rules: RULES, paths };
  computeMetrics(input); // warm-up (and the agent rules' tool reach is cached already)
  const metricsMs = best(3, () => computeMetrics(input));
  const untrustedMs = best(3, () => untrustedInputMetrics(result.graph, result.facts));
  const blastMs = best(3, () => blastRadiusMetrics(result.graph));
  const agenticMs = best(3, () => agenticMetrics(result.graph, result.facts));
  const bfsMs = best(5, () => bfs(result.facts.info));
  const n = front.model.components.length;
  const m = front.model.flows.length;
  console.log(
    [
      `${n} components, ${m} flows, ${result.findings.length} findings`,
      `  analysis (rules + paths) ${fmt(analysisMs)}; metrics ${fmt(metricsMs)} = ${(metricsMs / analysisMs).toFixed(3)}x the analysis`,
      `  one BFS over the info graph ${fmt(bfsMs)}; metrics = ${(metricsMs / bfsMs).toFixed(1)}x that BFS`,
      `  of which untrusted input ${fmt(untrustedMs)} (${(untrustedMs / bfsMs).toFixed(1)}x BFS), blast radius ${fmt(blastMs)} (${(blastMs / bfsMs).toFixed(1)}x), agentic ${fmt(agenticMs)} (${(agenticMs / bfsMs).toFixed(1)}x)`,
    ].join("\n"),
  );
}
