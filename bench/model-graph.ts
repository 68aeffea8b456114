/**
 * Model graph benchmark: `node --expose-gc dist/bench/model-graph.js [--sizes 1k,10k,100k] [--repeat N]`
 *
 * What the typed graphology model graph (src/graph/model-graph.ts) costs against the CSR the analysis
 * builds (`buildThreatGraph`: CSR both ways plus the kind indexes), on generated models: build time
 * (best of `--repeat`, CPU), retained heap, and one breadth-first search over the flows in each (the
 * CSR kernel of compact.ts against graphology's `forEachOutNeighbor`). Ratios are measured in the
 * same run, so they hold on a loaded machine where absolute times do not.
 */
import { benchArgs, parseSizes } from "./args.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { runFrontEnd } from "../src/compiler.js";
import { bfs } from "../src/graph/compact.js";
import { buildModelGraph, nodeKey, type ModelGraph } from "../src/graph/model-graph.js";
import { buildThreatGraph } from "../src/graph/threat-graph.js";
import type { ResolvedModel } from "../src/semantic/model.js";
import { generateModel } from "./gen/generate.js";
import { generatedHost } from "./gen/memory-host.js";

const { values } = benchArgs({
  options: { sizes: { type: "string", default: "1k,10k,100k" }, repeat: { type: "string", default: "5" } },
});
const sizes = parseSizes(values.sizes);
const repeat = Number(values.repeat);
const gc = (globalThis as { gc?: () => void }).gc;
if (!gc) console.error("note: run with --expose-gc for retained-heap figures");

function cpuMs<T>(f: () => T): { ms: number; value: T } {
  const t = process.cpuUsage();
  const value = f();
  const u = process.cpuUsage(t);
  return { ms: (u.user + u.system) / 1000, value };
}

function best<T>(f: () => T): { ms: number; value: T } {
  let out = cpuMs(f);
  for (let i = 1; i < repeat; i++) {
    const r = cpuMs(f);
    if (r.ms < out.ms) out = r;
  }
  return out;
}

function retained(f: () => unknown): number {
  if (!gc) return NaN;
  gc();
  const before = process.memoryUsage().heapUsed;
  const keep = f();
  gc();
  const after = process.memoryUsage().heapUsed;
  void keep;
  return (after - before) / 1e6;
}

/** Breadth-first search over the flows in the graphology graph, from the same sources. */
function graphologyBfs(g: ModelGraph, model: ResolvedModel, sources: readonly number[]): number {
  const seen = new Set<string>();
  const queue: string[] = [];
  for (const s of sources) {
    const k = nodeKey("component", model.components[s]!.name);
    if (!seen.has(k)) {
      seen.add(k);
      queue.push(k);
    }
  }
  for (let head = 0; head < queue.length; head++) {
    g.forEachOutEdge(queue[head]!, (_e, a, _s, t) => {
      if (a.type === "flows" && !seen.has(t)) {
        seen.add(t);
        queue.push(t);
      }
    });
  }
  return seen.size;
}

const rows: string[] = [];
for (const components of sizes) {
  const generated = generateModel({ components, seed: 1 });
  const { host, inputs, root } = generatedHost(generated.files);
  const front = runFrontEnd({
    inputs,
    root,
    host,
    resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  if (!front.ok) throw new Error(`generated model of ${components} components has errors`);
  const model = front.model;
  const csr = best(() => buildThreatGraph(model));
  const graph = best(() => buildModelGraph(model));
  const csrHeap = retained(() => buildThreatGraph(model));
  const graphHeap = retained(() => buildModelGraph(model));
  const sources = model.components.filter((c) => c.trust === "untrusted").map((c) => c.index);
  const csrBfs = best(() => bfs(csr.value.csr, sources).reduce((a, b) => a + b, 0));
  const graphBfs = best(() => graphologyBfs(graph.value, model, sources));
  if (csrBfs.value !== graphBfs.value) throw new Error("the two searches disagree");
  const g = graph.value;
  const fmt = (x: number) => (x < 10 ? x.toFixed(2) : x.toFixed(0));
  rows.push(
    `| ${components.toLocaleString("en")} / ${model.flows.length.toLocaleString("en")} | ${g.order.toLocaleString("en")} / ${g.size.toLocaleString("en")} | ${fmt(csr.ms)} | ${fmt(graph.ms)} | ${(graph.ms / csr.ms).toFixed(0)}x | ${fmt(csrHeap)} | ${fmt(graphHeap)} | ${fmt(csrBfs.ms)} | ${fmt(graphBfs.ms)} | ${(graphBfs.ms / csrBfs.ms).toFixed(0)}x |`,
  );
  console.error(`${components}: done`);
}
console.log(
  "| components / flows | graph nodes / edges | CSR build ms | graphology build ms | ratio | CSR heap MB | graphology heap MB | CSR BFS ms | graphology BFS ms | ratio |",
);
console.log("| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |");
for (const r of rows) console.log(r);
