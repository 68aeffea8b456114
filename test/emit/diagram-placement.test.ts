/**
 * A view's placement of components (a map, or an array once a view places many) and its arrows
 * (kinds read from the index's codes, or from each flow): both ways give the same diagram.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DiagramGraph, KIND_UNKNOWN } from "../../src/emit/diagrams/graph.js";
import { diagramIndex } from "../../src/emit/diagrams/model-index.js";
import { Placement } from "../../src/emit/diagrams/placement.js";
import { SAMPLES, cachedSampleContext } from "../helpers/outputs.js";

/** Places every component of a sample (groups of three, every fifth again on its own) and draws every flow. */
function drawAll(sample: string, denseAt: number | undefined, codes: boolean) {
  const { analysis } = cachedSampleContext(sample);
  const dx = diagramIndex(analysis);
  const g = new DiagramGraph(dx.model);
  const pl = new Placement(dx, g, denseAt);
  const n = dx.model.components.length;
  for (let c = 0; c < n; c += 3) {
    const members = [c, c + 1, c + 2].filter((x) => x < n);
    pl.group("t", `g${c}`, members, `${members.length} components`, undefined);
  }
  for (let c = 0; c < n; c += 5) pl.component(c);
  const nodes = Array.from({ length: n }, (_, c) => pl.nodeOf(c));
  // Every flow, twice (an arrow meets kinds it has), with the index's kind codes or none.
  for (let round = 0; round < 2; round++)
    for (const f of dx.model.flows) {
      const from = pl.nodeOf(f.from);
      const to = pl.nodeOf(f.to);
      if (from !== undefined && to !== undefined)
        g.addFlowAt(from, to, f.index, codes ? dx.flowKind[f.index]! : KIND_UNKNOWN, f.index % 2 === 0);
    }
  return { nodes, mermaid: g.render().mermaid };
}

for (const sample of SAMPLES) {
  test(`sample ${sample}: the array of placements and the map place alike, and kind codes draw the same arrows`, () => {
    const byMap = drawAll(sample, undefined, false);
    const byArray = drawAll(sample, 0, true);
    const byArrayLate = drawAll(sample, 2, false);
    assert.equal(byArray.nodes, byMap.nodes);
    assert.equal(byArrayLate.nodes, byMap.nodes);
    assert.ok(byMap.nodes.every((x) => x !== undefined));
    assert.is(byArray.mermaid, byMap.mermaid);
    assert.is(byArrayLate.mermaid, byMap.mermaid);
  });
}

test.run();
