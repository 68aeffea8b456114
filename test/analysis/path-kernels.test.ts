import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  bfs,
  buildCompactGraph,
  reachByCode,
  reachFinite,
  reachOver,
  type CompactGraph,
} from "../../src/graph/compact.js";
import { openComponents } from "../../src/analysis/paths/data-readers.js";
import { dijkstra, fewestStepsInto, fewestStepsOn } from "../../src/analysis/paths/dijkstra.js";
import { adjacency } from "../../src/analysis/paths/adjacency.js";
import { commonDominator, dominatorChain, dominators } from "../../src/analysis/paths/dominators.js";
import { FlowNetwork, INF } from "../../src/analysis/paths/maxflow.js";
import { reachGroupMask } from "../../src/analysis/paths/reach.js";
import { condense } from "../../src/analysis/paths/scc.js";
import { TargetGroup } from "../../src/analysis/paths/target-groups.js";
import { pathShares, ShareWorkspace } from "../../src/analysis/paths/soft-chokepoints.js";

/** Random directed graphs with cycles, self-contained: n nodes, edges as [from, to] pairs. */
const graphArb = fc.integer({ min: 1, max: 9 }).chain((n) =>
  fc.record({
    n: fc.constant(n),
    edges: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 3 * n }),
  }),
);
const build = (n: number, edges: [number, number][]): CompactGraph =>
  buildCompactGraph(
    n,
    edges.map((e) => e[0]),
    edges.map((e) => e[1]),
  );
const runs = { numRuns: 300, seed: 20261125 };

test("condensation: same component iff mutually reachable; edges go forward in topological order", () => {
  fc.assert(
    fc.property(graphArb, ({ n, edges }) => {
      const g = build(n, edges);
      const c = condense(g);
      const reach = Array.from({ length: n }, (_, v) => bfs(g, [v]));
      for (let a = 0; a < n; a++)
        for (let b = 0; b < n; b++) assert.is(c.comp[a] === c.comp[b], Boolean(reach[a]![b] && reach[b]![a]));
      const pos = new Map<number, number>();
      c.topo.forEach((x, i) => pos.set(x, i));
      for (let e = 0; e < c.dag.edgeCount; e++)
        assert.ok(pos.get(c.dag.edgeFrom[e]!)! < pos.get(c.dag.edgeTo[e]!)!);
    }),
    runs,
  );
});

test("bit-parallel reachability matches one BFS per source", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.array(fc.nat({ max: 8 }), { maxLength: 3 }), { minLength: 1, maxLength: 5 }),
      ({ n, edges }, sets) => {
        const g = build(n, edges);
        const c = condense(g);
        const seeds = sets.map((s) => s.filter((v) => v < n));
        const back = reachGroupMask(c, TargetGroup.ofLists(seeds), new Int32Array(c.count));
        for (let v = 0; v < n; v++) {
          const fromV = bfs(g, [v]);
          seeds.forEach((set, t) => {
            assert.is(
              Boolean(back[c.comp[v]!]! & (1 << t)),
              set.some((x) => fromV[x]),
              "reaches target set",
            );
          });
        }
      },
    ),
    runs,
  );
});

test("dijkstra finds the most likely path (brute force over simple paths)", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.double({ min: 0.05, max: 1, noNaN: true }), { minLength: 30, maxLength: 30 }),
      ({ n, edges }, ps) => {
        const g = build(n, edges);
        const w = Float64Array.from({ length: g.edgeCount }, (_, e) => -Math.log(ps[e % ps.length]!));
        const sp = dijkstra(g, w, [{ node: 0, dist: 0 }], "forward");
        const bestTo = new Float64Array(n).fill(-1);
        const walk = (v: number, p: number, seen: Set<number>) => {
          bestTo[v] = Math.max(bestTo[v]!, p);
          for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
            const e = g.outEdges[i]!;
            const u = g.edgeTo[e]!;
            if (!seen.has(u)) walk(u, p * Math.exp(-w[e]!), new Set([...seen, u]));
          }
        };
        walk(0, 1, new Set([0]));
        for (let v = 0; v < n; v++) {
          if (bestTo[v]! < 0) assert.is(sp.dist[v], Infinity);
          else assert.ok(Math.abs(Math.exp(-sp.dist[v]!) - bestTo[v]!) < 1e-9, `node ${v}`);
        }
        const back = dijkstra(g, w, [{ node: n - 1, dist: 0 }], "backward");
        for (let v = 0; v < n; v++) {
          const fwd = dijkstra(g, w, [{ node: v, dist: 0 }], "forward");
          assert.ok(
            Math.abs(back.dist[v]! - fwd.dist[n - 1]!) < 1e-9 ||
              (back.dist[v] === Infinity && fwd.dist[n - 1] === Infinity),
          );
        }
      },
    ),
    runs,
  );
});

/**
 * Dominator sets by the textbook fixpoint (dom(v) = {v} + the intersection over v's reached
 * predecessors; a root's only predecessor is the virtual root), as boolean rows.
 */
function dominatorSets(n: number, edges: readonly [number, number][], roots: readonly number[]): boolean[][] {
  const reach = bfs(build(n, [...edges]), roots);
  const preds = Array.from({ length: n }, () => [] as number[]);
  for (const [a, b] of edges) if (reach[a]) preds[b]!.push(a);
  const isRoot = new Set(roots);
  const dom = Array.from({ length: n }, (_, v) =>
    Array.from({ length: n }, (_, d) => (isRoot.has(v) ? d === v : true)),
  );
  for (let changed = true; changed;) {
    changed = false;
    for (let v = 0; v < n; v++) {
      if (!reach[v] || isRoot.has(v)) continue;
      for (let d = 0; d < n; d++) {
        const next = d === v || preds[v]!.every((p) => dom[p]![d]);
        if (next !== dom[v]![d]) {
          dom[v]![d] = next;
          changed = true;
        }
      }
    }
  }
  return dom;
}

test("dominators on larger graphs (deep DFS trees, where the balanced forest matters) match the fixpoint", () => {
  const larger = fc.integer({ min: 20, max: 120 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      // Mostly forward steps (long chains, as in a pipeline) plus some back and cross steps.
      edges: fc.array(
        fc.oneof(
          fc.nat({ max: n - 2 }).map((a): [number, number] => [a, a + 1]),
          fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })),
        ),
        { minLength: n, maxLength: 3 * n },
      ),
      roots: fc.array(fc.nat({ max: n - 1 }), { minLength: 1, maxLength: 3 }),
    }),
  );
  fc.assert(
    fc.property(larger, ({ n, edges, roots }) => {
      const unique = [...new Set(roots)];
      const tree = dominators(build(n, edges), unique);
      const sets = dominatorSets(n, edges, unique);
      const reach = bfs(build(n, edges), unique);
      for (let v = 0; v < n; v++) {
        if (!reach[v]) continue;
        const chain = new Set(dominatorChain(tree, v));
        for (let d = 0; d < n; d++) assert.is(chain.has(d), sets[v]![d], `d=${d} v=${v}`);
      }
    }),
    { numRuns: 200, seed: 20261126 },
  );
});

test("dominators backward and with cut steps match the fixpoint over the reversed graph without them", () => {
  const cases = fc.integer({ min: 2, max: 40 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(
        fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }), fc.constantFrom(0.5, 1, Infinity)),
        { minLength: n, maxLength: 3 * n },
      ),
      roots: fc.array(fc.nat({ max: n - 1 }), { minLength: 1, maxLength: 3 }),
    }),
  );
  fc.assert(
    fc.property(cases, ({ n, edges, roots }) => {
      const unique = [...new Set(roots)];
      const g = build(
        n,
        edges.map(([a, b]) => [a, b]),
      );
      const weight = Float64Array.from(edges, (e) => e[2]);
      const tree = dominators(g, unique, "backward", weight);
      // Paths run against the edges; a cut step is no step at all.
      const kept = edges.filter((e) => e[2] !== Infinity).map(([a, b]): [number, number] => [b, a]);
      const sets = dominatorSets(n, kept, unique);
      const reach = bfs(build(n, kept), unique);
      for (let v = 0; v < n; v++) {
        if (!reach[v]) {
          assert.is(tree.depth[v], -1);
          continue;
        }
        const chain = new Set(dominatorChain(tree, v));
        for (let d = 0; d < n; d++) assert.is(chain.has(d), sets[v]![d], `d=${d} v=${v}`);
      }
    }),
    { numRuns: 200, seed: 20261127 },
  );
});

test("dominators: d dominates v iff removing d cuts v off from every root", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.nat({ max: 8 }), { minLength: 1, maxLength: 3 }),
      ({ n, edges }, rootsRaw) => {
        const g = build(n, edges);
        const roots = [...new Set(rootsRaw.filter((r) => r < n))];
        if (roots.length === 0) return;
        const tree = dominators(g, roots);
        const reach = bfs(g, roots);
        for (let v = 0; v < n; v++) {
          if (!reach[v]) {
            assert.is(tree.depth[v], -1);
            continue;
          }
          const chain = new Set(dominatorChain(tree, v));
          for (let d = 0; d < n; d++) {
            // Remove d: v is cut off iff d dominates v (v dominates itself).
            const keep = edges.filter(([a, b]) => a !== d && b !== d);
            const cut =
              d === v ||
              !bfs(
                build(n, keep),
                roots.filter((r) => r !== d),
              )[v];
            assert.is(chain.has(d), cut, `d=${d} v=${v}`);
          }
        }
        const reached = [...Array(n).keys()].filter((v) => reach[v]);
        if (reached.length > 1) {
          const lca = commonDominator(tree, reached);
          for (const v of reached) if (lca !== tree.root) assert.ok(dominatorChain(tree, v).includes(lca));
        }
      },
    ),
    runs,
  );
});

test("max-flow equals the brute-force minimum cut, and the cut it reports separates s from t", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 7 }).chain((n) =>
        fc.record({
          n: fc.constant(n),
          edges: fc.array(fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })), { maxLength: 12 }),
        }),
      ),
      fc.array(fc.integer({ min: 1, max: 6 }), { minLength: 30, maxLength: 30 }),
      fc.array(fc.boolean(), { minLength: 30, maxLength: 30 }),
      ({ n, edges }, caps, inf) => {
        const cap = edges.map((_, i) => (inf[i] ? INF : caps[i]!));
        const net = new FlowNetwork(n);
        const arcs = edges.map(([a, b], i) => net.addArc(a, b, cap[i]!));
        const flow = net.maxFlow(0, n - 1);
        // Brute force: cheapest subset of edges whose removal disconnects 0 from n-1.
        let best = INF;
        for (let mask = 0; mask < 1 << edges.length; mask++) {
          let cost = 0;
          const keep: [number, number][] = [];
          edges.forEach((e, i) => (mask & (1 << i) ? (cost += cap[i]!) : keep.push(e)));
          if (cost >= best) continue;
          if (!bfs(build(n, keep), [0])[n - 1]) best = cost;
        }
        assert.is(Math.min(flow, INF), Math.min(best, INF));
        if (flow < INF) {
          const side = net.sourceSide(0);
          assert.ok(side[0] && !side[n - 1]);
          const cutCost = arcs.reduce(
            (s, id, i) => s + (side[net.arc(id).from] && !side[net.arc(id).to] ? cap[i]! : 0),
            0,
          );
          assert.is(cutCost, flow);
        }
      },
    ),
    { numRuns: 300, seed: 7 },
  );
});

test("path shares on a DAG match enumeration of all entry-to-target paths", () => {
  fc.assert(
    fc.property(
      fc.integer({ min: 2, max: 8 }),
      fc.array(fc.tuple(fc.nat({ max: 7 }), fc.nat({ max: 7 })), { maxLength: 16 }),
      (n, raw) => {
        const edges = raw.filter(([a, b]) => a < b && b < n);
        const g = build(n, edges);
        const c = condense(g);
        const { share } = pathShares(c, [0], [n - 1]);
        const paths: number[][] = [];
        const walk = (v: number, acc: number[]) => {
          if (v === n - 1) paths.push(acc);
          for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++)
            walk(g.edgeTo[g.outEdges[i]!]!, [...acc, g.edgeTo[g.outEdges[i]!]!]);
        };
        walk(0, [0]);
        for (let v = 0; v < n; v++) {
          // The entry's and the target's own components are left out: every path crosses them.
          const expected =
            paths.length === 0 || c.comp[v] === c.comp[0] || c.comp[v] === c.comp[n - 1]
              ? 0
              : paths.filter((p) => p.includes(v)).length / paths.length;
          assert.ok(Math.abs(share[v]! - expected) < 1e-9, `node ${v}: ${share[v]} vs ${expected}`);
        }
      },
    ),
    runs,
  );
});

test("soft chokepoints: one workspace, many target sets, graphs with cycles: shares match plain path counts", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.nat(8), { minLength: 1, maxLength: 3 }),
      fc.array(fc.array(fc.nat(8), { minLength: 1, maxLength: 3 }), { minLength: 1, maxLength: 4 }),
      ({ n, edges }, rawEntries, rawTargets) => {
        const g = build(n, edges);
        const c = condense(g);
        const entries = rawEntries.map((v) => v % n);
        const ws = new ShareWorkspace(c, entries);
        // Plain counts over every component of the condensation, in topological order both ways.
        const isEntry = new Set(entries.map((v) => c.comp[v]!));
        const from = new Array<number>(c.count).fill(0);
        for (const x of c.topo) {
          if (isEntry.has(x)) from[x]! += 1;
          for (let j = c.dag.outStart[x]!; j < c.dag.outStart[x + 1]!; j++)
            from[c.dag.edgeTo[c.dag.outEdges[j]!]!]! += from[x]!;
        }
        for (const raw of rawTargets) {
          const targets = raw.map((v) => v % n);
          const isTarget = new Set(targets.map((v) => c.comp[v]!));
          const to = new Array<number>(c.count).fill(0);
          for (const x of [...c.topo].reverse()) {
            to[x] = isTarget.has(x) ? 1 : 0;
            for (let j = c.dag.outStart[x]!; j < c.dag.outStart[x + 1]!; j++)
              to[x] += to[c.dag.edgeTo[c.dag.outEdges[j]!]!]!;
          }
          const total = [...isEntry].reduce((s, x) => s + to[x]!, 0);
          const got = new Float64Array(n);
          const count = ws.shares(targets, (v, share) => (got[v] = share));
          assert.ok(Math.abs(count - total) < 1e-9 * Math.max(1, total), `total ${count} vs ${total}`);
          for (let v = 0; v < n; v++) {
            const x = c.comp[v]!;
            const expected =
              total === 0 || isEntry.has(x) || isTarget.has(x) ? 0 : Math.min(1, (from[x]! * to[x]!) / total);
            assert.ok(Math.abs(got[v]! - expected) < 1e-9, `node ${v}: ${got[v]} vs ${expected}`);
          }
        }
      },
    ),
    runs,
  );
});

test("soft chokepoints: top keeps the first `limit` by share then node, as a full sort would", () => {
  // Graphs large enough that many nodes carry a share, so the kept list overflows and evicts: mostly
  // forward steps (many components of their own), a few back steps (cycles).
  const wide = fc.integer({ min: 10, max: 40 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.array(
        fc.oneof(
          {
            weight: 9,
            arbitrary: fc
              .tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }))
              .map(([a, b]): [number, number] => (a < b ? [a, b] : [b, a])),
          },
          { weight: 1, arbitrary: fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 })) },
        ),
        { minLength: n, maxLength: 3 * n },
      ),
      // Entries early and targets late, so that most forward steps lie on some path between them.
      entries: fc.array(fc.nat({ max: (n >> 2) - 1 }), { minLength: 1, maxLength: 3 }),
      targets: fc.array(fc.integer({ min: n - (n >> 2), max: n - 1 }), { minLength: 1, maxLength: 3 }),
      excluded: fc.array(fc.nat({ max: n - 1 }), { maxLength: 4 }),
    }),
  );
  let evicted = 0;
  fc.assert(
    fc.property(
      wide,
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(0, 0.05, 0.5),
      ({ n, edges, entries, targets, excluded }, limit, min) => {
        const ws = new ShareWorkspace(condense(build(n, edges)), [...new Set(entries)]);
        const exclude = new Uint8Array(n);
        for (const v of excluded) exclude[v] = 1;
        const all: { node: number; share: number }[] = [];
        ws.shares(targets, (node, share) => {
          if (share >= min && !exclude[node]) all.push({ node, share });
        });
        all.sort((a, b) => b.share - a.share || a.node - b.node);
        if (all.length > limit) evicted++;
        assert.equal(ws.top(targets, exclude, limit, min), all.slice(0, limit));
      },
    ),
    runs,
  );
  // The property must have exercised eviction, not only lists shorter than the limit.
  assert.ok(evicted > 60, `only ${evicted} runs evicted`);
});

test("the data readers' components of the open steps number them as condensing a graph of those steps would", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.boolean(), { minLength: 27, maxLength: 27 }),
      fc.array(fc.nat({ max: 26 }), { minLength: 27, maxLength: 27 }),
      ({ n, edges }, declares, flowOf) => {
        const g = build(n, edges);
        // Several steps may share a flow, as an information graph's do.
        const infoFlow = Int32Array.from(edges, (_, e) => flowOf[e]!);
        const declaresCarries = Uint8Array.from(declares, (d) => (d ? 1 : 0));
        const open = edges.filter((_, e) => !declaresCarries[infoFlow[e]!]);
        const want = condense(build(n, open));
        const got = openComponents(g, infoFlow, declaresCarries);
        assert.is(got.count, want.count);
        assert.equal([...got.comp], [...want.comp]);
      },
    ),
    runs,
  );
});

test("reachOver from marks closed in its direction adds what a search from the sources reaches", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.nat({ max: 8 }), { maxLength: 3 }),
      fc.array(fc.nat({ max: 8 }), { maxLength: 3 }),
      fc.boolean(),
      ({ n, edges }, closedSeeds, sources, backward) => {
        const g = build(n, edges);
        const inRange = (list: number[]) => list.filter((v) => v < n);
        // A set closed in the search's direction: everything a search from some seeds reaches.
        const closed = reachOver(g, inRange(closedSeeds), () => true, backward);
        const want = reachOver(g, inRange(sources), () => true, backward);
        for (let v = 0; v < n; v++) want[v]! |= closed[v]!;
        const got = reachOver(g, inRange(sources), () => true, backward, Uint8Array.from(closed));
        assert.equal([...got], [...want]);
      },
    ),
    runs,
  );
});

test("reachByCode, keeping the edges of a code or all but them, is reachOver with that test", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.nat({ max: 8 }), { maxLength: 3 }),
      fc.array(fc.nat({ max: 3 }), { minLength: 27, maxLength: 27 }),
      fc.nat({ max: 3 }),
      fc.boolean(),
      fc.boolean(),
      ({ n, edges }, sources, codes, value, keep, backward) => {
        const g = build(n, edges);
        const seeds = sources.filter((v) => v < n);
        const code = Uint8Array.from(edges, (_, e) => codes[e]!);
        const want = reachOver(g, seeds, (e) => (code[e] === value) === keep, backward);
        assert.equal([...reachByCode(g, seeds, code, value, keep, backward)], [...want]);
      },
    ),
    runs,
  );
});

test("reachFinite, by edge and through a level table, is reachOver over the edges of finite weight", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.nat({ max: 8 }), { maxLength: 3 }),
      fc.array(fc.nat({ max: 3 }), { minLength: 27, maxLength: 27 }),
      fc.boolean(),
      ({ n, edges }, sources, levels, backward) => {
        const g = build(n, edges);
        const seeds = sources.filter((v) => v < n);
        // Four levels, two of them cut (Infinity); each edge's level from the list.
        const table = Float64Array.of(0.5, Infinity, 2, Infinity);
        const level = Uint16Array.from(edges, (_, e) => levels[e]!);
        const weight = Float64Array.from(level, (l) => table[l]!);
        const want = reachOver(g, seeds, (e) => weight[e] !== Infinity, backward);
        assert.equal([...reachFinite(g, seeds, weight, backward)], [...want]);
        assert.equal([...reachFinite(g, seeds, table, backward, level)], [...want]);
      },
    ),
    runs,
  );
});

test("fewest steps, alone and interleaved per class on shared scratch, match relaxation to a fixpoint", () => {
  fc.assert(
    fc.property(
      graphArb,
      fc.array(fc.array(fc.nat({ max: 8 }), { maxLength: 3 }), { minLength: 1, maxLength: 3 }),
      fc.array(fc.boolean(), { minLength: 27, maxLength: 27 }),
      ({ n, edges }, seedSets, cut) => {
        const g = build(n, edges);
        // Cut steps (weight Infinity) are left out of the adjacency, so not walked.
        const weight = Float64Array.from(edges, (_, e) => (cut[e] ? Infinity : 1));
        const adj = adjacency(g, "forward", weight);
        const C = seedSets.length;
        const table = new Float64Array(n * C).fill(Infinity);
        const queue = new Int32Array(n);
        const seen = new Uint8Array(n);
        seedSets.forEach((set, c) => {
          const seeds = set.filter((v) => v < n);
          const want = new Array<number>(n).fill(Infinity);
          for (const s of seeds) want[s] = 0;
          for (let changed = true; changed;) {
            changed = false;
            edges.forEach(([a, b], e) => {
              if (!cut[e] && want[a]! + 1 < want[b]!) {
                want[b] = want[a]! + 1;
                changed = true;
              }
            });
          }
          assert.equal([...fewestStepsOn(adj, seeds)], want);
          seen.fill(0);
          fewestStepsInto(adj, seeds, table, C, c, queue, seen);
          for (let v = 0; v < n; v++) assert.is(table[v * C + c], want[v], `class ${c}, node ${v}`);
        });
      },
    ),
    runs,
  );
});

test.run();
