import { test } from "uvu";
import * as assert from "uvu/assert";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { generateModel } from "../../bench/gen/generate.js";
import { ENTRY, ENTRY_BIT, ENTRY_CLASSES, computeFacts, type Facts } from "../../src/analysis/facts.js";
import { buildThreatGraph, type ThreatGraph } from "../../src/graph/threat-graph.js";

/**
 * The facts' taint searches against a plain oracle on generated models (several sizes, seeds and
 * couplings): each class's taint parents from a breadth-first search through the edge ids, slot by
 * slot, as the searches did before they read slot-order copies.
 */
const models = [
  { components: 300, seed: 1, coupling: 1 },
  { components: 800, seed: 7, coupling: 10 },
  { components: 1500, seed: 3, coupling: 3 },
].map((o) => generatedFrontEnd(generateModel(o).files).model);

/** One class's taint parents by a plain BFS over the info graph's edge ids. */
function oracleParents(g: ThreatGraph, facts: Facts, bit: number): Int32Array {
  const { info, contentEdge, entry } = facts;
  const n = g.model.components.length;
  const parent = new Int32Array(n).fill(-2);
  const queue: number[] = [];
  for (let v = 0; v < n; v++) {
    if ((entry[v]! & bit) === 0) continue;
    parent[v] = -1;
    queue.push(v);
  }
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = info.outStart[v]!; i < info.outStart[v + 1]!; i++) {
      const e = info.outEdges[i]!;
      if (bit !== ENTRY.SUPPLY_CHAIN && !contentEdge[e]) continue;
      const w = info.edgeTo[e]!;
      if (parent[w] !== -2) continue;
      parent[w] = e;
      queue.push(w);
    }
  }
  return parent;
}

test("taint parents and bits match one plain search per class", () => {
  for (const model of models) {
    const g = buildThreatGraph(model);
    const facts = computeFacts(g);
    const taint = new Uint8Array(model.components.length);
    for (const cls of ENTRY_CLASSES) {
      const want = oracleParents(g, facts, ENTRY_BIT[cls]);
      assert.equal([...facts.taintParent[cls]], [...want], cls);
      want.forEach((p, v) => {
        if (p !== -2) taint[v]! |= ENTRY_BIT[cls];
      });
    }
    assert.equal([...facts.taint], [...taint]);
  }
});

test.run();
