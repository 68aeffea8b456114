import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedHost } from "../../bench/gen/memory-host.js";
import { computeFacts } from "../../src/analysis/facts.js";
import { buildAttackGraph } from "../../src/analysis/paths/attack-graph.js";
import { usableGraph } from "../../src/analysis/paths/usable.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { loadModels } from "../../src/cli/common.js";
import { bufferIo } from "../../src/cli/io.js";
import { runFrontEnd } from "../../src/compiler.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import { TEST_TODAY } from "../helpers/compile.js";

/** Per node, its usable steps out as (head, attack-graph step): its own in out-slot order, then its turned copies. */
function expectedSteps(m: ResolvedModel): {
  want: string[][];
  got: string[][];
  copies: number;
  inOrder: boolean;
} {
  const tg = buildThreatGraph(m);
  const ag = buildAttackGraph(tg, computeFacts(tg), RULES);
  const ug = usableGraph(ag);
  const { outStart, outEdges, edgeTo } = ag.g;
  const usable = (e: number) => ag.levelWeight[ag.stepLevel[e]!] !== Infinity;
  const want: string[][] = [];
  const got: string[][] = [];
  let copies = 0;
  for (let u = 0; u < ug.g.nodeCount; u++) {
    const own: string[] = [];
    const copied: string[] = [];
    if (u < ug.components)
      for (let s = outStart[u]!; s < outStart[u + 1]!; s++) {
        const e = outEdges[s]!;
        if (!usable(e)) continue;
        own.push(`${edgeTo[e]!}:${e}`);
        const t = ag.turnedNode[edgeTo[e]!]!;
        if (t >= 0 && ag.techniqueOf(e)?.turns) copied.push(`${t}:${e}`);
      }
    copies += copied.length;
    want.push([...own, ...copied]);
    const slots: string[] = [];
    for (let s = ug.g.outStart[u]!; s < ug.g.outStart[u + 1]!; s++) {
      const e = ug.g.outEdges[s]!;
      slots.push(`${ug.g.edgeTo[e]!}:${ug.original[e]!}`);
    }
    got.push(slots);
  }
  const inOrder = ug.g.outEdges.every((e, s) => e === s);
  return { want, got, copies, inOrder };
}

function generatedModel(seed: number): ResolvedModel {
  const { host, inputs, root } = generatedHost(generateModel({ components: 300, seed, coupling: 10 }).files);
  return runFrontEnd({
    inputs,
    root,
    host,
    resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  }).model;
}

// Edge ids are out-slots (searches over `outEdges` read the per-edge arrays in order), and each node's
// steps out keep the order the attack graph gives them, its turned copies after its own steps.
test("usable graph: edge id = out-slot, each node's steps out in the attack graph's order", () => {
  const samples = fs
    .readdirSync("samples", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  const models: [string, ResolvedModel][] = [1, 2, 3].map((seed) => [
    `generated ${seed}`,
    generatedModel(seed),
  ]);
  for (const sample of samples) {
    const loaded = loadModels(bufferIo(), { models: [path.join("samples", sample)], today: TEST_TODAY });
    if (!("model" in loaded) || !loaded.ok) throw new Error(`invalid sample ${sample}`);
    models.push([sample, loaded.model]);
  }
  let copies = 0;
  for (const [name, m] of models) {
    const r = expectedSteps(m);
    assert.ok(r.inOrder, `${name}: edge ids are out-slots`);
    assert.equal(r.got, r.want, name);
    copies += r.copies;
  }
  // Worth something only with turned copies among the steps.
  assert.ok(copies > 0, "no turned copies");
});

test.run();
