/**
 * Metrics benchmark: `node dist/bench/metrics.js [--sizes 10k,100k] [--seed S] [--coupling C]
 * [--shapes 1000]`
 *
 * For each size, generates a model in memory (seeded, multi-file), runs the front end and the
 * analysis (rules + attack paths) as `compile` does, then times `computeMetrics` on that analysis,
 * best of three. Printed against two things measured in the same run: one BFS over the
 * information-flow CSR (the floor of any linear pass over the graph), and the analysis itself (what
 * the metrics add to a compile). Absolute times are printed too but move with the machine's load.
 *
 * `--shapes k` then times the per-agent metrics on shapes that make a per-agent traversal quadratic
 * (a delegation chain of k agents; one model serving k agents), at k and 2k: a linear metric takes
 * about 2x as long at 2k, a quadratic one about 4x.
 */
import { benchArgs, parseSize, parseSizes } from "./args.js";
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

const { values } = benchArgs({
  options: {
    sizes: { type: "string", default: "10k,100k" },
    seed: { type: "string", default: "1" },
    coupling: { type: "string", default: "0.05" },
    shapes: { type: "string", default: "0" },
  },
});
const fmt = (ms: number) => `${ms.toFixed(1)} ms`;
for (const size of parseSizes(values.sizes)) {
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

/** A delegation chain of k agents, each with a write tool into a store of confidential data. */
function chainModel(k: number): string {
  const out = [`zone corp "Corp" { trust internal }`, `zone internet "Internet" { trust untrusted }`];
  out.push(`actor user "User" in internet`, `flow user -> a0 { kind prompt }`);
  for (let i = 0; i < k; i++) {
    out.push(
      `agent a${i} "A" in corp`,
      `tool t${i} "T" in corp { capabilities [write] }`,
      `store s${i} "S" in corp { holds [d${i}] }`,
      `data d${i} "D" { classification confidential }`,
      `flow a${i} -> t${i} { kind invoke }`,
      `flow t${i} -> s${i} { kind write }`,
    );
    if (i + 1 < k) out.push(`flow a${i} -> a${i + 1} { kind delegate }`);
  }
  return out.join("\n");
}

/** One model serving k agents, each prompted by its own untrusted actor. */
function servedModel(k: number): string {
  const out = [`zone corp "Corp" { trust internal }`, `zone internet "Internet" { trust untrusted }`];
  out.push(`model llm "LLM" in corp { family generative }`);
  for (let i = 0; i < k; i++)
    out.push(
      `agent a${i} "A" in corp`,
      `actor u${i} "U" in internet`,
      `flow u${i} -> a${i} { kind prompt }`,
      `flow llm -> a${i} { kind serve }`,
    );
  return out.join("\n");
}

function analysed(text: string) {
  const { host, inputs, root } = generatedHost([{ path: "shape.aithreat", text }]);
  const front = runFrontEnd({
    inputs,
    root,
    host,
    resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  return analyze(front.model, RULES);
}

const k = parseSize(values.shapes);
if (k > 0) {
  for (const [name, make] of [
    ["delegation chain", chainModel],
    ["one model serving every agent", servedModel],
  ] as const) {
    const times = [k, 2 * k].map((size) => {
      const result = analysed(make(size));
      blastRadiusMetrics(result.graph); // warm-up; the agent rules' tool reach is cached by now
      return {
        size,
        untrusted: best(3, () => untrustedInputMetrics(result.graph, result.facts)),
        blast: best(3, () => blastRadiusMetrics(result.graph)),
        agentic: best(3, () => agenticMetrics(result.graph, result.facts)),
        bfs: best(5, () => bfs(result.facts.info)),
      };
    });
    const [a, b] = times as [(typeof times)[0], (typeof times)[0]];
    const ratio = (x: number, y: number) => (y / x).toFixed(2);
    console.log(
      [
        `${name}: ${a.size} -> ${b.size} agents, time at 2k / time at k (2 = linear, 4 = quadratic)`,
        `  untrusted input ${ratio(a.untrusted, b.untrusted)}x, blast radius ${ratio(a.blast, b.blast)}x, agentic ${ratio(a.agentic, b.agentic)}x, one BFS ${ratio(a.bfs, b.bfs)}x`,
        `  at 2k: untrusted input ${(b.untrusted / b.bfs).toFixed(1)}x BFS, blast radius ${(b.blast / b.bfs).toFixed(1)}x, agentic ${(b.agentic / b.bfs).toFixed(1)}x`,
      ].join("\n"),
    );
  }
}
