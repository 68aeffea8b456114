import { test } from "uvu";
import * as assert from "uvu/assert";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { generateModel } from "../../bench/gen/generate.js";
import { computeFacts } from "../../src/analysis/facts.js";
import { buildAttackGraph } from "../../src/analysis/paths/attack-graph.js";
import { usableGraph } from "../../src/analysis/paths/usable.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import type { ResolvedModel } from "../../src/semantic/model.js";

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

// Edge ids are out-slots (searches over `outEdges` read the per-edge arrays in order), and each node's
// steps out keep the order the attack graph gives them, its turned copies after its own steps.
test("usable graph: edge id = out-slot, each node's steps out in the attack graph's order", () => {
  const models = [1, 2, 3].map((seed): [string, ResolvedModel] => [
    `generated ${seed}`,
    generatedFrontEnd(generateModel({ components: 300, seed, coupling: 10 }).files).model,
  ]);
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
