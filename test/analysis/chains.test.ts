/**
 * Explanation chains over long paths (src/analysis/explain.ts): a path is known by its ends (length,
 * first and last steps), remembered per node, so explaining every node of a long chain costs the
 * chain once; the answers must be those of walking each path in full, in any order of questions.
 * The trimmed chain shows the first and last steps with a count of the rest.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { stepOf, trimmedChain, walkBackOver, type PathSteps } from "../../src/analysis/explain.js";
import type { Fact } from "../../src/analysis/facts.js";

/** Parent pointers of a forest: `parentOf[v]` is v's parent node (-1 for a root); edge `v` enters v. */
function forest(parentOf: readonly number[]): { edgeFrom: Int32Array; parent: Int32Array } {
  const edgeFrom = Int32Array.from(parentOf, (p) => Math.max(p, 0));
  const parent = Int32Array.from(parentOf, (p, v) => (p < 0 ? -1 : v));
  return { edgeFrom, parent };
}

/** The path to `v` walked in full: its first node and every edge in path order. */
function walkedInFull(
  edgeFrom: Int32Array,
  parent: Int32Array,
  v: number,
): { from: number; edges: number[] } {
  const edges: number[] = [];
  let cur = v;
  while (parent[cur]! >= 0) {
    edges.push(parent[cur]!);
    cur = edgeFrom[parent[cur]!]!;
  }
  return { from: cur, edges: edges.reverse() };
}

function assertSame(p: PathSteps, full: { from: number; edges: number[] }, v: number): void {
  assert.is(p.from, full.from, `start of ${v}`);
  assert.is(p.to, v);
  assert.is(p.length, full.edges.length, `length of ${v}`);
  // Every step a trimmed chain can ask for: the first and last twelve.
  for (let i = 0; i < full.edges.length; i++)
    if (i < 12 || i >= full.edges.length - 12) assert.is(stepOf(p, i), full.edges[i], `step ${i} of ${v}`);
}

test("a long chain asked in any order: every node's path as if walked in full", () => {
  const n = 3000;
  const { edgeFrom, parent } = forest(Array.from({ length: n }, (_, v) => v - 1));
  // Deep first, then shallow, then a stride: the memory of earlier questions must not change answers.
  const order = [n - 1, 0, 1, 11, 12, 13, 1500, ...Array.from({ length: 60 }, (_, i) => (i * 97) % n)];
  const owner = {};
  for (const v of order)
    assertSame(walkBackOver(owner, edgeFrom, parent, v), walkedInFull(edgeFrom, parent, v), v);
});

test("a tree with branches and several roots", () => {
  // Two roots (0 and 40); a spine from each, branches every few nodes.
  const parentOf = Array.from({ length: 80 }, (_, v) =>
    v === 0 || v === 40 ? -1 : v % 5 === 0 ? v - 3 : v - 1,
  );
  const { edgeFrom, parent } = forest(parentOf);
  const owner = {};
  for (let v = 79; v >= 0; v--)
    assertSame(walkBackOver(owner, edgeFrom, parent, v), walkedInFull(edgeFrom, parent, v), v);
});

test("a pointer cycle (no search makes one) ends after as many steps as there are nodes", () => {
  // 0 <- 1 <- 2 <- 0: edge v enters v from v - 1 (mod 3).
  const edgeFrom = Int32Array.from([2, 0, 1]);
  const parent = Int32Array.from([0, 1, 2]);
  const p = walkBackOver({}, edgeFrom, parent, 2);
  assert.is(p.length, 3);
  assert.is(p.to, 2);
});

test("trimmedChain: all steps while short; else the first and last ones and a count, built only for those", () => {
  const fact = (i: number): Fact => ({
    text: `step ${i}`,
    loc: { file: undefined as never, start: i, end: i },
  });
  const first: Fact[] = [{ text: "entry", loc: { file: undefined as never, start: 0, end: 0 } }];
  const asked: number[] = [];
  const step = (i: number) => {
    asked.push(i);
    return i;
  };
  const short = trimmedChain(first, 11, step, fact);
  assert.equal(
    short.map((f) => f.text),
    ["entry", ...Array.from({ length: 11 }, (_, i) => `step ${i}`)],
  );
  asked.length = 0;
  const long = trimmedChain(first, 1000, step, fact);
  assert.equal(
    long.map((f) => f.text),
    [
      "entry",
      "step 0",
      "step 1",
      "step 2",
      "step 3",
      "step 4",
      "... 990 more steps",
      "step 995",
      "step 996",
      "step 997",
      "step 998",
      "step 999",
    ],
  );
  // The gap is located at the first step it leaves out.
  assert.is(long[6]!.loc.start, 5);
  assert.equal(
    asked.sort((a, b) => a - b),
    [0, 1, 2, 3, 4, 5, 995, 996, 997, 998, 999],
  );
});

test.run();
