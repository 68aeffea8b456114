/**
 * The unnamed-flow index finds each flow by its end points, whether sized for every flow up front
 * (as resolve.ts does) or grown from too small a size, and finds nothing for end points not added.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PairIndex } from "../../src/semantic/pair-index.js";

/** Flows between 300 components, every pair at most once, in a scrambled order. */
function flowsOf(n: number): { from: number; to: number }[] {
  const out: { from: number; to: number }[] = [];
  for (let i = 0; out.length < n; i++) {
    const k = (i * 7919) % (300 * 300);
    out.push({ from: Math.floor(k / 300), to: k % 300 });
  }
  return out;
}

for (const capacity of [20_000, 0]) {
  test(`20,000 flows in an index sized for ${capacity}`, () => {
    const all = flowsOf(20_000);
    const flows: { from: number; to: number }[] = [];
    const index = new PairIndex(capacity, flows);
    for (const [i, f] of all.entries()) {
      assert.is(index.get(f.from, f.to), undefined);
      index.add(f.from, f.to, i);
      flows.push(f);
      // A flow added earlier is still found after the table grew.
      const early = all[i >> 1]!;
      assert.is(index.get(early.from, early.to), i >> 1);
    }
    all.forEach((f, i) => assert.is(index.get(f.from, f.to), i));
    // The reverse of a flow is another pair; only those also added are found.
    const added = new Set(all.map((f) => f.from * 300 + f.to));
    for (const f of all.slice(0, 2000))
      assert.is(index.get(f.to, f.from) !== undefined, added.has(f.to * 300 + f.from));
  });
}

test.run();
