import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CancelScratch, cancelFlow } from "../../src/analysis/paths/cancel-flow.js";
import { FlowWorkspace, SlotLog, layOut, maxFlow, sourceSide } from "../../src/analysis/paths/maxflow.js";
import { ResidualReach } from "../../src/analysis/paths/residual-reach.js";

// ResidualReach keeps what the residual graph reaches from s across many flows on one network
// (links to t opened and closed, flow cancelled and continued); each time it must agree with a plain
// search of the residual graph.

const S = 0;
const T = 1;

// "from a flow": after the first question its residual graph is the base the later ones are
// compared with (what a solver restoring the first question's flow does).
for (const [how, searchAbove, flowBase] of [
  ["level order", Infinity, false],
  ["whole search", 0, false],
  ["level order from a flow", Infinity, true],
] as const)
  test(`residual reach (${how}) equals a search of the residual graph, question after question`, () => {
    let compared = 0;
    let cutOff = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 3, max: 12 }),
        fc.array(fc.tuple(fc.nat(11), fc.nat(11), fc.integer({ min: 0, max: 4 })), { maxLength: 40 }),
        fc.array(fc.array(fc.boolean(), { minLength: 12, maxLength: 12 }), { minLength: 1, maxLength: 6 }),
        (n, raw, questions) => {
          // Arcs among the nodes, and one link from every other node to t, which each question opens
          // or closes.
          const { tail, head, cap } = arcsAmong(n, raw);
          const linkArc: number[] = [];
          for (let v = 2; v < n; v++) {
            linkArc.push(tail.length);
            tail.push(v);
            head.push(T);
            cap.push(0);
          }
          const { ws, pos, r, forward } = laidOut(n, tail, head, cap);
          const reach = new ResidualReach(r, forward, S, T, new Uint8Array(n), searchAbove);
          const scratch = new CancelScratch(n);
          const open = new Uint8Array(n);
          const touched = new SlotLog(2 * tail.length);
          touched.next = reach.changed;
          let based = false;
          for (const wantOpen of questions) {
            for (let v = 2; v < n; v++) {
              const j = pos[linkArc[v - 2]!]!;
              const want = wantOpen[v]!;
              if (open[v] && !want) {
                cancelFlow(r, forward, j, S, T, scratch, reach.changed);
                r.cap[j] = 0;
                r.back[r.twin[j]!] = 0;
                reach.changed.note(j);
              } else if (!open[v] && want) {
                r.cap[j] = Infinity;
                r.back[r.twin[j]!] = Infinity;
                reach.changed.note(j);
              }
              open[v] = want ? 1 : 0;
            }
            if (maxFlow(ws, r, S, T, Infinity, reach.saturated, touched) === Infinity) continue;
            if (flowBase && !based) {
              reach.takeFlowBase();
              reach.useBase("flow");
              based = true;
              continue;
            }
            reach.update(true, new Int32Array(0), 0);
            const side = sourceSide(ws, r, S);
            const unreached = new Set(reach.unreached.subarray(0, reach.unreachedCount));
            for (let v = 0; v < n; v++) {
              if (v === T) continue;
              assert.is(reach.reached(v), side[v] === 1, `node ${v}`);
              // Every node cut off from s that the network reaches at full capacity is listed.
              if (side[v] === 0 && !unreached.has(v) && !based) assert.not.ok(reachableAtFull(r, forward, v));
              // From a flow, every node cut off from s is listed.
              if (side[v] === 0 && based && v !== S) assert.ok(unreached.has(v), `node ${v} listed`);
            }
            compared++;
            if (reach.unreachedCount > 0) cutOff++;
          }
        },
      ),
      { numRuns: 300, seed: 77 },
    );
    assert.ok(compared > 300 && cutOff > 50, `${compared} questions, ${cutOff} with nodes cut off`);
  });

// A second layer (a way out) that only links from the first lead into, and that leads only to t:
// questions open and close those links with the links to t, and the reach, told whether any link
// into the layer is open, must agree with a plain search whether the layer is open or closed, and
// whichever was asked first (each is compared with the full network's levels, made once).
for (const [how, searchAbove] of [
  ["level order", Infinity],
  ["whole search", 0],
] as const)
  test(`residual reach (${how}) with a second layer opened and closed equals a search`, () => {
    let open0 = 0;
    let open1 = 0;
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 8 }),
        fc.integer({ min: 1, max: 6 }),
        fc.array(fc.tuple(fc.nat(13), fc.nat(13), fc.integer({ min: 0, max: 4 })), { maxLength: 40 }),
        fc.array(fc.tuple(fc.nat(13), fc.nat(13)), { minLength: 1, maxLength: 8 }),
        fc.array(fc.array(fc.boolean(), { minLength: 24, maxLength: 24 }), { minLength: 1, maxLength: 6 }),
        (n0, n1, raw, rawLinks, questions) => {
          // Nodes: s, t, the first layer 2 .. 2 + n0, the second after it. Arcs stay in their layer
          // (s only in the first), capacity 1-4 or unbounded (0); the second layer's lead into t too.
          const first = (x: number) => (x % (n0 + 1) === n0 ? S : 2 + (x % (n0 + 1)));
          const second = (x: number) => 2 + n0 + (x % n1);
          const n = 2 + n0 + n1;
          const tail: number[] = [];
          const head: number[] = [];
          const cap: number[] = [];
          const arc = (u: number, v: number, c: number) => {
            tail.push(u);
            head.push(v);
            cap.push(c);
          };
          for (const [a, b, c] of raw) {
            const inSecond = c % 2 === 1;
            const u = inSecond ? second(a) : first(a);
            const v = inSecond ? (b % 3 === 0 ? T : second(b)) : first(b);
            if (u === v || v === S) continue;
            arc(u, v, c === 0 ? Infinity : c);
          }
          // Links (closed at first): every first-layer node to t, and some into the second layer.
          const links: number[] = [];
          for (let v = 2; v < 2 + n0; v++) {
            links.push(tail.length);
            arc(v, T, 0);
          }
          const intoLayer: number[] = [];
          for (const [a, b] of rawLinks) {
            links.push(tail.length);
            intoLayer.push(tail.length);
            arc(first(a), second(b), 0);
          }
          const count = tail.length;
          const { ws, pos, r, forward } = laidOut(n, tail, head, cap);
          const layer = new Uint8Array(n);
          for (let v = 2 + n0; v < n; v++) layer[v] = 1;
          const reach = new ResidualReach(r, forward, S, T, layer, searchAbove);
          const scratch = new CancelScratch(n);
          const isOpen = new Uint8Array(count);
          const touched = new SlotLog(2 * count);
          touched.next = reach.changed;
          for (const wantOpen of questions) {
            // The layer is open only while some link into it is.
            let layerOpen = false;
            for (let i = 0; i < links.length; i++) {
              const a = links[i]!;
              const j = pos[a]!;
              const want = wantOpen[i % 24]!;
              if (isOpen[a] && !want) {
                cancelFlow(r, forward, j, S, T, scratch, reach.changed);
                r.cap[j] = 0;
                r.back[r.twin[j]!] = 0;
                reach.changed.note(j);
              } else if (!isOpen[a] && want) {
                r.cap[j] = Infinity;
                r.back[r.twin[j]!] = Infinity;
                reach.changed.note(j);
              }
              isOpen[a] = want ? 1 : 0;
              if (want && i >= n0) layerOpen = true;
            }
            if (maxFlow(ws, r, S, T, Infinity, reach.saturated, touched) === Infinity) continue;
            const closed = Int32Array.from(intoLayer.filter((a) => !isOpen[a]).map((a) => pos[a]!));
            reach.update(layerOpen, closed, closed.length);
            const side = sourceSide(ws, r, S);
            for (let v = 0; v < n; v++) {
              if (v === T) continue;
              assert.is(reach.reached(v), side[v] === 1, `node ${v}, layer ${layerOpen ? "open" : "closed"}`);
            }
            if (layerOpen) open1++;
            else open0++;
          }
        },
      ),
      { numRuns: 300, seed: 78 },
    );
    assert.ok(open0 > 100 && open1 > 100, `${open0} questions with the layer closed, ${open1} open`);
  });

// The first update's whole search keeps its levels, and a flow base taken of the same residual graph
// (`takeFlowBase(true)`: the first question's flow restored) is made of them, not of another search:
// it must be the base a search would make (levels, the deepest level, the nodes left unreached).
test("a flow base made of the first update's search equals one searched afresh", () => {
  let used = 0;
  type Base = { level: Int32Array; maxLevel: number; unreached: Int32Array };
  const inside = (reach: ResidualReach) =>
    reach as unknown as { flowBase?: Base; firstSearch?: Omit<Base, "along"> };
  fc.assert(
    fc.property(
      fc.integer({ min: 3, max: 12 }),
      fc.array(fc.tuple(fc.nat(11), fc.nat(11), fc.integer({ min: 0, max: 4 })), { maxLength: 40 }),
      (n, raw) => {
        const { tail, head, cap } = arcsAmong(n, raw);
        // Into t from every other node, with room for more than most paths bring.
        for (let v = 2; v < n; v++) {
          tail.push(v);
          head.push(T);
          cap.push(8);
        }
        const { ws, r, forward } = laidOut(n, tail, head, cap);
        // Every update with a seed searches the whole residual graph.
        const first = new ResidualReach(r, forward, S, T, new Uint8Array(n), 0);
        if (maxFlow(ws, r, S, T, Infinity, first.saturated) === Infinity) return;
        first.update(true, new Int32Array(0), 0);
        if (inside(first).firstSearch) used++;
        first.takeFlowBase(true);
        const afresh = new ResidualReach(r, forward, S, T, new Uint8Array(n), 0);
        afresh.takeFlowBase(false);
        const a = inside(first).flowBase!;
        const b = inside(afresh).flowBase!;
        assert.equal([...a.level], [...b.level]);
        assert.is(a.maxLevel, b.maxLevel);
        assert.equal([...a.unreached], [...b.unreached]);
      },
    ),
    { numRuns: 800, seed: 79 },
  );
  assert.ok(used > 200, `${used} bases made of the first search`);
});

/** Arcs among `n` nodes (never into s or out of t, none a loop), capacity 1-4 or unbounded (0). */
function arcsAmong(
  n: number,
  raw: readonly (readonly [number, number, number])[],
): { tail: number[]; head: number[]; cap: number[] } {
  const tail: number[] = [];
  const head: number[] = [];
  const cap: number[] = [];
  for (const [a, b, c] of raw) {
    const u = a % n;
    const v = b % n;
    if (u === v || v === S || u === T) continue;
    tail.push(u);
    head.push(v);
    cap.push(c === 0 ? Infinity : c);
  }
  return { tail, head, cap };
}

/** The arcs laid out as a residual network, and its own arcs' positions marked in `forward`. */
function laidOut(n: number, tail: readonly number[], head: readonly number[], cap: readonly number[]) {
  const count = tail.length;
  const ws = new FlowWorkspace();
  const pos = new Int32Array(count);
  const r = layOut(ws, n, count, Int32Array.from(tail), Int32Array.from(head), Float64Array.from(cap), pos);
  const forward = new Uint8Array(2 * count);
  for (let a = 0; a < count; a++) forward[pos[a]!] = 1;
  return { ws, pos, r, forward };
}

/** Whether s reaches v over the network's own arcs with any capacity left or not (t not crossed). */
function reachableAtFull(
  r: { nodeCount: number; start: Int32Array; head: Int32Array },
  forward: Uint8Array,
  v: number,
): boolean {
  const seen = new Uint8Array(r.nodeCount);
  const queue = [S];
  seen[S] = 1;
  while (queue.length > 0) {
    const u = queue.pop()!;
    if (u === v) return true;
    for (let j = r.start[u]!; j < r.start[u + 1]!; j++) {
      const w = r.head[j]!;
      if (forward[j] === 1 && w !== T && !seen[w]) {
        seen[w] = 1;
        queue.push(w);
      }
    }
  }
  return false;
}

test.run();
