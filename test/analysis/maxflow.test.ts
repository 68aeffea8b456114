import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlowWorkspace, SlotLog, layOut, maxFlow } from "../../src/analysis/paths/maxflow.js";

/** Max flow by shortest augmenting paths over an adjacency matrix: the reference. */
function referenceFlow(
  n: number,
  arcs: readonly (readonly [number, number, number])[],
  s: number,
  t: number,
) {
  const c = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (const [u, v, cap] of arcs) c[u]![v]! += cap;
  let flow = 0;
  for (;;) {
    const prev = new Array<number>(n).fill(-1);
    prev[s] = s;
    const queue = [s];
    while (queue.length && prev[t] === -1) {
      const u = queue.shift()!;
      for (let v = 0; v < n; v++)
        if (prev[v] === -1 && c[u]![v]! > 0) {
          prev[v] = u;
          queue.push(v);
        }
    }
    if (prev[t] === -1) return flow;
    let push = Infinity;
    for (let v = t; v !== s; v = prev[v]!) push = Math.min(push, c[prev[v]!]![v]!);
    if (push === Infinity) return Infinity;
    for (let v = t; v !== s; v = prev[v]!) {
      c[prev[v]!]![v]! -= push;
      c[v]![prev[v]!]! += push;
    }
    flow += push;
  }
}

const networkOf = (maxNodes: number) =>
  fc.integer({ min: 2, max: maxNodes }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      arcs: fc.array(
        fc.tuple(
          fc.nat({ max: n - 1 }),
          fc.nat({ max: n - 1 }),
          fc.oneof(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 9 }), fc.constant(Infinity)),
        ),
        { minLength: n, maxLength: 4 * n, size: "max" },
      ),
      // Rounds of raised capacities: arc (by index modulo the count) and how much more.
      raises: fc.array(fc.array(fc.tuple(fc.nat(), fc.integer({ min: 1, max: 9 })), { maxLength: 6 }), {
        maxLength: 5,
        size: "max",
      }),
    }),
  );
/** Small and dense networks, and larger ones: the trees' adoptions and restarts differ between them. */
const network = networkOf(40);

/** The residual network of `arcs` (tail, head, capacity) laid out in `ws`, each arc's slot in `pos`. */
const layOutArcs = (
  ws: FlowWorkspace,
  n: number,
  arcs: readonly (readonly [number, number, number])[],
  pos?: Int32Array,
) =>
  layOut(
    ws,
    n,
    arcs.length,
    Int32Array.from(arcs, (a) => a[0]),
    Int32Array.from(arcs, (a) => a[1]),
    Float64Array.from(arcs, (a) => a[2]),
    pos,
  );

test("max-flow matches a reference on random networks, and again after capacities are raised under its flow (both trees in turns, or the sink's alone)", () => {
  fc.assert(
    fc.property(network, ({ n, arcs, raises }) => {
      // Mostly finite: an unbounded path is its own answer, checked once.
      const finite = arcs.map(([u, v, c]) => [u, v, c === Infinity ? 50 : c] as const);
      const count = finite.length;
      const ws = new FlowWorkspace();
      const pos = new Int32Array(count);
      const r = layOutArcs(ws, n, finite, pos);
      // Some networks start at the end of the stamps' range, or a few rounds before it, so that their
      // stamps start over before the first round or during a later one.
      if (n % 2 === 1) ws.time = 0x7fffffff;
      else if (n % 4 === 2) ws.time = 0x7ffffffc;
      const caps = finite.map((a) => [...a] as [number, number, number]);
      const s = 0;
      const t = n - 1;
      let total = 0;
      const rounds = [[], ...raises];
      for (const [k, round] of rounds.entries()) {
        for (const [i, more] of round) {
          if (count === 0) break;
          const a = i % count;
          caps[a]![2] += more;
          const j = pos[a]!;
          r.cap[j]! += more;
          r.back[r.twin[j]!]! += more;
        }
        const before = Float64Array.from(r.cap);
        const saturated = new SlotLog(2 * count);
        const touched = new SlotLog(2 * count);
        // The growth alternates by network and round, so that each follows the other's flow.
        const grow = (n + k) % 2 === 0 ? "turns" : "sink";
        total += maxFlow(ws, r, s, t, Infinity, saturated, touched, grow);
        assert.is(total, referenceFlow(n, caps, s, t));
        for (let j = 0; j < 2 * count; j++) {
          // The mirror stays exact, and the logs heard every arc the flow went along.
          assert.is(r.back[j], r.cap[r.twin[j]!]);
          if (r.cap[j] !== before[j]) assert.ok(touched.mark[j] || touched.mark[r.twin[j]!], `touched ${j}`);
          if (before[j]! > 0 && r.cap[j] === 0) assert.ok(saturated.mark[j], `saturated ${j}`);
        }
      }
    }),
    // Many runs: a tree restart that skips an arc shows in about one network of a thousand.
    { numRuns: 4000, seed: 1 },
  );
});

test("max-flow reports an unbounded path as Infinity, and a bounded one beside it as finite", () => {
  fc.assert(
    fc.property(network, ({ n, arcs }) => {
      const ws = new FlowWorkspace();
      const r = layOutArcs(ws, n, arcs);
      assert.is(maxFlow(ws, r, 0, n - 1), referenceFlow(n, arcs, 0, n - 1));
    }),
    { numRuns: 1000, seed: 2 },
  );
});

test("max-flow stops once the flow reaches the limit", () => {
  // Three disjoint paths of capacity 2 from 0 to 4.
  const tail = Int32Array.from([0, 1, 0, 2, 0, 3]);
  const head = Int32Array.from([1, 4, 2, 4, 3, 4]);
  const cap = Float64Array.from([2, 2, 2, 2, 2, 2]);
  const ws = new FlowWorkspace();
  const r = layOut(ws, 5, 6, tail, head, cap);
  // Each augmenting path carries 2: a limit met exactly stops there, one between stops at the path
  // that passes it (the limit counts this call's flow).
  const first = maxFlow(ws, r, 0, 4, 2);
  assert.is(first, 2);
  const second = maxFlow(ws, r, 0, 4, 3);
  assert.is(second, 4);
  assert.is(first + second + maxFlow(ws, r, 0, 4), 6);
});

test.run();
