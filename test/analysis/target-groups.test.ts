import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { buildCompactGraph } from "../../src/graph/compact.js";
import { adjacency } from "../../src/analysis/paths/adjacency.js";
import { DijkstraWorkspace, byDistance } from "../../src/analysis/paths/dijkstra.js";
import { commonDominator, dominators } from "../../src/analysis/paths/dominators.js";
import { IndexedMinHeap } from "../../src/analysis/paths/heap.js";
import { TargetGroup, nodesInOrder } from "../../src/analysis/paths/target-groups.js";

const runs = { numRuns: 300, seed: 20261126 };

/** Up to 32 random node lists over n nodes (some empty, some sharing nodes). */
const listsArb = fc.integer({ min: 1, max: 40 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    lists: fc.array(fc.uniqueArray(fc.nat({ max: n - 1 }), { maxLength: n }), { maxLength: 32 }),
  }),
);

const sorted = (list: readonly number[]) => [...list].sort((a, b) => a - b);

test("a group gives back each list: nodes, size and membership, whichever way it was built", () => {
  fc.assert(
    fc.property(listsArb, ({ n, lists }) => {
      const fromLists = TargetGroup.ofLists(lists);
      const bits = new Int32Array(n);
      lists.forEach((list, i) => list.forEach((v) => (bits[v]! |= 1 << i)));
      const fromMasks = TargetGroup.ofMasks(bits);
      for (const group of [fromLists, fromMasks]) {
        assert.equal([...group.support], sorted([...new Set(lists.flat())]));
        lists.forEach((list, bit) => {
          assert.equal(group.nodesOf(bit), sorted(list));
          assert.is(group.sizeOf(bit), list.length);
          for (let v = -1; v <= n; v++) assert.is(group.has(v, bit), list.includes(v));
        });
        // Slots are distinct bit sets, and their member lists partition the support.
        assert.is(new Set(group.slotMask).size, group.slotMask.length);
        const { start, nodes } = group.slotMembers();
        assert.equal(sorted([...nodes]), [...group.support]);
        for (let s = 0; s < group.slotMask.length; s++)
          for (let i = start[s]!; i < start[s + 1]!; i++) assert.is(bits[nodes[i]!], group.slotMask[s]);
      }
    }),
    runs,
  );
});

test("nodesInOrder meets the nodes as a walk over each target's ascending list does", () => {
  fc.assert(
    fc.property(listsArb, fc.array(fc.nat({ max: 31 }), { maxLength: 40 }), ({ n, lists }, picks) => {
      const group = TargetGroup.ofLists(lists);
      const other = TargetGroup.ofLists([...lists].reverse());
      // Targets in any order, from two groups, a bit possibly asked twice.
      const targets = picks
        .filter((p) => p < lists.length)
        .map((p, i) => (i % 2 === 0 ? { group, bit: p } : { group: other, bit: lists.length - 1 - p }));
      const expected: number[] = [];
      for (const t of targets)
        for (const v of t.group.nodesOf(t.bit)) if (!expected.includes(v)) expected.push(v);
      assert.equal([...nodesInOrder(n, targets)], expected);
    }),
    runs,
  );
});

test("the heap pops equal keys in node order, whatever order they were pushed in", () => {
  fc.assert(
    fc.property(
      fc.array(fc.tuple(fc.nat({ max: 49 }), fc.integer({ min: 0, max: 3 })), { maxLength: 60 }),
      (pushes) => {
        const heap = new IndexedMinHeap(50);
        const key = new Map<number, number>();
        for (const [v, k] of pushes) {
          heap.push(v, k);
          key.set(v, Math.min(key.get(v) ?? Infinity, k));
        }
        const popped: number[] = [];
        while (heap.length > 0) popped.push(heap.pop());
        const expected = [...key.keys()].sort((a, b) => key.get(a)! - key.get(b)! || a - b);
        assert.equal(popped, expected);
      },
    ),
    runs,
  );
});

/** Random graphs with cycles and a few repeated weights (so ties are common). */
const weightedArb = fc.integer({ min: 1, max: 12 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(
      fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }), fc.constantFrom(0.5, 1, 1.5, Infinity)),
      {
        maxLength: 3 * n,
      },
    ),
    seeds: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.constantFrom(0, 0.5, 1, Infinity)), { maxLength: n }),
    stopAfter: fc.integer({ min: 1, max: 12 }),
  }),
);

test("seeds taken lazily in distance order settle the same nodes through the same steps", () => {
  fc.assert(
    fc.property(weightedArb, ({ n, edges, seeds, stopAfter }) => {
      const g = buildCompactGraph(
        n,
        edges.map((e) => e[0]),
        edges.map((e) => e[1]),
      );
      const adj = adjacency(
        g,
        "backward",
        Float64Array.from(edges, (e) => e[2]),
      );
      // Each node seeded once at most, with its distance.
      const seedDist = new Float64Array(n).fill(Infinity);
      const isSeed = new Uint8Array(n);
      for (const [v, d] of seeds) {
        if (isSeed[v]) continue;
        isSeed[v] = 1;
        seedDist[v] = d;
      }
      const list = [...isSeed.keys()].filter((v) => isSeed[v]);
      const eager = new DijkstraWorkspace(n);
      const lazy = new DijkstraWorkspace(n);
      const settled = (ws: DijkstraWorkspace, run: (stop: (v: number) => boolean) => void) => {
        const order: number[] = [];
        run((v) => {
          order.push(v);
          return order.length >= stopAfter;
        });
        return { order, dist: [...ws.dist], via: [...ws.via] };
      };
      // Run twice on each workspace: the second search must not see the first one's state.
      for (let round = 0; round < 2; round++) {
        const a = settled(eager, (stop) => eager.search(adj, list, (i) => seedDist[list[i]!]!, stop));
        const b = settled(lazy, (stop) =>
          lazy.searchOrdered(
            adj,
            byDistance(seedDist),
            (v) => seedDist[v]!,
            (v) => isSeed[v] === 1,
            stop,
          ),
        );
        assert.equal(b.order, a.order);
        // Nodes the lazy search never reached keep Infinity; every node it settled agrees.
        for (const v of a.order) {
          assert.is(b.dist[v], a.dist[v]);
          assert.is(b.via[v], a.via[v]);
        }
      }
    }),
    runs,
  );
});

test("byDistance lists the finite distances ascending, ties by node", () => {
  // A few values (ties) or many (each distinct value kept in the sorted list, or past `most` the
  // native sort), with -0 beside 0.
  const distance = fc.oneof(
    fc.constantFrom(0, -0, 0.25, 1, 2.5, Infinity),
    fc.double({ min: 0, max: 50, noNaN: true }),
  );
  fc.assert(
    fc.property(fc.array(distance, { maxLength: 60 }), fc.constantFrom(1, 3, 8, 1024), (ds, most) => {
      const dist = Float64Array.from(ds);
      const expected = [...dist.keys()]
        .filter((v) => dist[v]! < Infinity)
        .sort((a, b) => dist[a]! - dist[b]! || a - b);
      assert.equal([...byDistance(dist, most)], expected);
    }),
    runs,
  );
});

test("the common dominator of a union is that of its parts' common dominators", () => {
  fc.assert(
    fc.property(listsArb, fc.array(fc.tuple(fc.nat(), fc.nat()), { maxLength: 80 }), ({ n, lists }, raw) => {
      const edges = raw.map(([a, b]) => [a % n, b % n] as const);
      const g = buildCompactGraph(
        n,
        edges.map((e) => e[0]),
        edges.map((e) => e[1]),
      );
      const tree = dominators(g, [0]);
      const group = TargetGroup.ofLists(lists);
      const { start, nodes } = group.slotMembers();
      const tops = Array.from(group.slotMask, (_, s) =>
        commonDominator(tree, nodes.subarray(start[s], start[s + 1])),
      );
      lists.forEach((list, bit) => {
        const parts = tops.filter((top, s) => (group.slotMask[s]! >>> bit) & 1 && top >= 0);
        assert.is(commonDominator(tree, parts), commonDominator(tree, list));
      });
    }),
    runs,
  );
});

test.run();
