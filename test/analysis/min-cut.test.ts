import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedHost } from "../../bench/gen/memory-host.js";
import { computeFacts } from "../../src/analysis/facts.js";
import {
  EXFIL_RULE,
  buildAttackGraph,
  type AttackGraph,
  type AttackTarget,
} from "../../src/analysis/paths/attack-graph.js";
import {
  FlowNetwork,
  FlowWorkspace,
  INF,
  layOut,
  maxFlow,
  sourceSide,
} from "../../src/analysis/paths/maxflow.js";
import {
  BuildScratch,
  CutNetworkBuilder,
  cutArcs,
  reduced,
  type CutNetwork,
} from "../../src/analysis/paths/cut-network.js";
import { CutSolver } from "../../src/analysis/paths/min-cut.js";
import type { CutReport } from "../../src/analysis/paths/model.js";
import { componentOf, usableGraph } from "../../src/analysis/paths/usable.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST, canPlace } from "../../src/catalog/controls.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { runFrontEnd } from "../../src/compiler.js";
import { Arena, inArena } from "../../src/graph/arena.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import { loadModels } from "../../src/cli/common.js";
import { bufferIo } from "../../src/cli/io.js";
import { TEST_TODAY, frontEndOf } from "../helpers/compile.js";

// The cut solver builds each question's network over only the nodes on some entry -> target path,
// with entries folded into the source and targets and sinks into the sink. The reference here is the
// plain construction: both layers over the whole attack graph, every node split, nothing folded, one
// max-flow; the cut closest to the entries read off it. Both must name the same controls. A reader
// that only a step turns is its turned node (the usable graph's in-steps are its turning steps), cut
// by its component's control and linked into its component's way out.

type On = { type: "component" | "flow"; index: number };

/** Changes the influence leg's cut costs of an attack graph in place (INF: no control cuts there). */
type Costs = (ag: AttackGraph) => void;

/** Adds `by` to every cuttable cost of the influence leg (a few such controls then cost more than one uncuttable step at 2^24). */
const raised =
  (by: number): Costs =>
  (ag) => {
    for (const costs of [ag.nodeCutCost, ag.flowCutCost])
      for (let i = 0; i < costs.length; i++) if (costs[i]! < INF) costs[i]! += by;
  };

/**
 * The attack graph of a model, its usable steps and its way-out sinks, as analyzePaths builds them,
 * its cut costs changed by `costs`.
 */
function attackIndex(m: ResolvedModel, costs?: Costs) {
  const tg = buildThreatGraph(m);
  const facts = computeFacts(tg);
  const ag = buildAttackGraph(tg, facts, RULES);
  costs?.(ag);
  const ug = usableGraph(ag);
  const n = ug.g.nodeCount;
  const sinks = [...Array(ug.components).keys()].filter((v) => ag.sink[v] && !ag.exfilClosed[v]);
  return { ag, ug, n, sinks };
}

function wholeNetworkCut(m: ResolvedModel, targets: readonly AttackTarget[], costs?: Costs): CutReport {
  const { ag, ug, n, sinks } = attackIndex(m, costs);
  const net = new FlowNetwork(4 * n + 2);
  const [S, T] = [4 * n, 4 * n + 1];
  const id = (layer: number, v: number) => 2 * (layer * n + v);
  const meaning: ({ control?: string; cost: number; on: On } | undefined)[] = [];
  // Arcs are collected first: a target link on a path of uncuttable arcs (at 2^24 or Infinity) is
  // reported as uncuttable and left out, so the cut is not bought by an arc no control can cut.
  const arcs: {
    u: number;
    v: number;
    cap: number;
    x?: { control?: string; cost: number; on: On };
    link?: number;
  }[] = [];
  const arc = (u: number, v: number, control: string | undefined, cost: number, on?: On, link?: number) => {
    arcs.push({
      u,
      v,
      cap: on ? (control ? cost : 1 << 24) : Infinity,
      x: on && { control, cost, on },
      link,
    });
  };
  const entry = new Set(ag.entries);
  const component = (v: number) => componentOf(ug, v);
  for (let v = 0; v < n; v++) {
    const c = ag.nodeCutCost[component(v)]!;
    if (entry.has(v)) arc(id(0, v), id(0, v) + 1, undefined, 0);
    else
      arc(id(0, v), id(0, v) + 1, c < INF ? ag.nodeCutControl[component(v)] : undefined, c, {
        type: "component",
        index: component(v),
      });
  }
  for (let i = 0; i < ug.g.edgeCount; i++) {
    const e = ug.original[i]!;
    const c = ag.flowCutCost[e]!;
    const on: On = { type: "flow", index: ag.flowIndex[e]! };
    arc(
      id(0, ug.g.edgeFrom[i]!) + 1,
      id(0, ug.g.edgeTo[i]!),
      c < INF ? ag.flowCutControlOf(e) : undefined,
      c,
      on,
    );
  }
  for (const v of entry) arc(S, id(0, v), undefined, 0);
  // The way out: the lethal-trifecta rule's cutting controls, cheapest placeable one per kind.
  const mitigations = RULES.find((r) => r.meta.id === EXFIL_RULE)!.meta.mitigations;
  const costOf = (name: string) =>
    Math.round(
      m.controls.find((c) => c.name === name)?.cost ??
        BUILTIN_CONTROL_BY_ID.get(name)?.cost ??
        DEFAULT_CONTROL_COST,
    );
  const cheapest = (on: string) =>
    [...BUILTIN_CONTROL_BY_ID.values()]
      .filter((c) => c.effect === "cut" && mitigations.includes(c.id) && canPlace(c.id, on))
      .map((c) => ({ id: c.id, cost: costOf(c.id) }))
      .sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1))[0];
  for (let v = 0; v < ug.components; v++) {
    const o = cheapest(m.components[v]!.kind);
    arc(id(1, v), id(1, v) + 1, o?.id, o?.cost ?? 0, { type: "component", index: v });
  }
  const onFlow = cheapest("flow");
  for (let e = 0; e < ag.g.edgeCount; e++)
    if (ag.exfilWeight[e] !== Infinity)
      arc(id(1, ag.g.edgeFrom[e]!) + 1, id(1, ag.g.edgeTo[e]!), onFlow?.id, onFlow?.cost ?? 0, {
        type: "flow",
        index: ag.flowIndex[e]!,
      });
  for (const s of sinks) arc(id(1, s) + 1, T, undefined, 0);
  for (const t of targets)
    for (const v of t.nodes)
      arc(
        id(0, v) + 1,
        t.mode === "influence" ? T : id(1, component(v)),
        undefined,
        0,
        undefined,
        component(v),
      );

  const reach = (from: number, forward: boolean): Set<number> => {
    const next = new Map<number, number[]>();
    for (const a of arcs) {
      if (a.cap < 1 << 24) continue;
      const [x, y] = forward ? [a.u, a.v] : [a.v, a.u];
      next.set(x, [...(next.get(x) ?? []), y]);
    }
    const seen = new Set([from]);
    const queue = [from];
    for (let i = 0; i < queue.length; i++)
      for (const y of next.get(queue[i]!) ?? [])
        if (!seen.has(y)) {
          seen.add(y);
          queue.push(y);
        }
    return seen;
  };
  const fromS = reach(S, true);
  const toT = reach(T, false);
  const lost = new Set<number>();
  for (const a of arcs) {
    if (a.link !== undefined && fromS.has(a.u) && toT.has(a.v)) {
      lost.add(a.link);
      continue;
    }
    meaning[net.addArc(a.u, a.v, a.cap)] = a.x;
  }

  if (net.maxFlow(S, T) === Infinity)
    return { feasible: false, total: 0, controls: [], uncuttable: [], quality: "exact" };
  const side = net.sourceSide(S);
  const controls = new Map<string, { control: string; on: On; cost: number }>();
  const stuck = new Map<string, On>();
  meaning.forEach((x, a) => {
    const { from, to } = net.arc(a);
    if (!x || !side[from] || side[to]) return;
    if (x.control)
      controls.set(`${x.control}@${x.on.type}:${x.on.index}`, { control: x.control, on: x.on, cost: x.cost });
    else stuck.set(`${x.on.type}:${x.on.index}`, x.on);
  });
  for (const v of lost) stuck.set(`component:${v}`, { type: "component", index: v });
  const byPlace = (a: On, b: On) => (a.type !== b.type ? (a.type < b.type ? -1 : 1) : a.index - b.index);
  const list = [...controls.values()].sort((a, b) => byPlace(a.on, b.on) || (a.control < b.control ? -1 : 1));
  const uncuttable = [...stuck.values()].sort(byPlace);
  return {
    feasible: uncuttable.length === 0,
    total: list.reduce((s, c) => s + c.cost, 0),
    controls: list,
    uncuttable,
    quality: "exact",
  };
}

/** The solver's answers (all targets at once, each alone, in groups) beside the whole-network reference. */
function compare(
  m: ResolvedModel,
  label: string,
  costs?: Costs,
): { questions: number; disclosure: number; cut: number; uncuttable: number } {
  const { ag, ug, sinks } = attackIndex(m, costs);
  const disclosure = ag.targets.filter((t) => t.mode === "disclosure");
  // Beside the default, a solver whose residual reach searches the whole residual graph at every
  // update with a seed (`searchAbove` 0), which the small models here would otherwise hardly reach:
  // its crossings are read against the first question's cut from a pass over the nodes.
  const solvers = [undefined, 0].map(
    (above) => new CutSolver(m, ag, ug, RULES, sinks, disclosure, undefined, above),
  );
  // Disclosure questions share one network and carry its flow from one question to the next: ask
  // them in several orders and groupings so links open and close in every pattern.
  const singles = ag.targets.map((t) => [t]);
  const questions = [ag.targets, ...singles, disclosure, ...singles.reverse(), disclosure.slice(1), []];
  let cut = 0;
  let uncuttable = 0;
  for (const [i, q] of questions.entries()) {
    const want = wholeNetworkCut(m, q, costs);
    const [got, searched] = solvers.map((solver) => solver.solve(q)) as [CutReport, CutReport];
    assert.equal(got, want, `${label}, question ${i}`);
    assert.equal(searched, want, `${label}, question ${i}, whole searches`);
    if (got.controls.length + got.uncuttable.length > 0) cut++;
    if (got.uncuttable.length > 0) uncuttable++;
  }
  return {
    questions: questions.length,
    disclosure: ag.targets.filter((t) => t.mode === "disclosure").length,
    cut,
    uncuttable,
  };
}

/** A generated model through the front end. */
function generatedModel(options: Parameters<typeof generateModel>[0]): ResolvedModel {
  const { host, inputs, root } = generatedHost(generateModel(options).files);
  return runFrontEnd({
    inputs,
    root,
    host,
    resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  }).model;
}

test("generated layered models: every cut equals the whole-network cut (global and per target)", () => {
  let disclosure = 0;
  let cut = 0;
  for (let seed = 1; seed <= 12; seed++) {
    const components = [100, 150, 250, 400][seed % 4]!;
    const files = Math.min(1 + (seed % 3), Math.floor(components / 100));
    const model = generatedModel({ components, seed, files, coupling: seed % 2 ? 1 : 10 });
    const r = compare(model, `seed ${seed}, ${components} components`);
    disclosure += r.disclosure;
    cut += r.cut;
  }
  // The comparison is only worth something if the models ask real questions of both kinds.
  assert.ok(disclosure > 10 && cut > 20, `${disclosure} disclosure targets, ${cut} non-empty cuts`);
});

// The shared network folds into the source what the entries reach over uncuttable steps, which is
// exact only for a cut below 2^24 (min-cut.ts, `uncuttableReach`): with every cuttable cost raised
// to 2^23 and more (two cost more than one uncuttable step), cheapest cuts cross uncuttable steps,
// and the solver must notice and ask a network without the fold.
test("costs near the uncuttable step's: every cut equals the whole-network cut", () => {
  let uncuttable = 0;
  let cut = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const components = [100, 150, 250][seed % 3]!;
    const model = generatedModel({ components, seed, files: 1, coupling: seed % 2 ? 1 : 10 });
    const r = compare(model, `seed ${seed}, ${components} components, raised`, raised(1 << 23));
    uncuttable += r.uncuttable;
    cut += r.cut;
  }
  compareRandomModels({ numRuns: 100, seed: 777 }, raised(1 << 23), (r) => {
    uncuttable += r.uncuttable;
    cut += r.cut;
  });
  assert.ok(uncuttable > 20 && cut > 40, `${uncuttable} cuts with uncuttable steps, ${cut} non-empty`);
});

// A cut of exactly 2^24 (one uncuttable step, nothing else) is where the fold stops being exact: the
// entry's uncuttable prompt into c1 (no control cuts c1 either) is the minimum cut closest to the
// entry, but with c1 folded into the source the folded network's closest cut of that value is c4,
// past two controls that together cost more. Missed by the properties above when the solver's value
// check is `>` instead of `>=`.
test("a cut of exactly one uncuttable step: the one closest to the entries, not the fold's", () => {
  // c0 (internet) -> c1 -> c2, c3 -> c4 -> c5, the store holding the crown jewel.
  const m = randomModel(
    [0, 3, 4, 4, 3, 6],
    [
      [0, 1],
      [1, 2],
      [1, 3],
      [2, 4],
      [3, 4],
      [4, 5],
    ],
  )!;
  // Only the two steps out of c1 can be cut, each for just over half an uncuttable step.
  const costs: Costs = (ag) => {
    ag.nodeCutCost.fill(INF);
    for (let e = 0; e < ag.flowCutCost.length; e++)
      ag.flowCutCost[e] = ag.flowIndex[e] === 1 || ag.flowIndex[e] === 2 ? 2 ** 23 + 1 : INF;
  };
  compare(m, "c0 > c1 > (c2 | c3) > c4 > c5", costs);
  const { ag } = attackIndex(m, costs);
  const influence = ag.targets.find((t) => t.mode === "influence")!;
  assert.equal(wholeNetworkCut(m, [influence], costs).uncuttable, [{ type: "flow", index: 0 }]);
});

test("in an arena with released bytes poisoned: the answers of a solver outside one", () => {
  // The solver gives back what it builds the shared network from (and its capacities) once the
  // network is laid out, and takes a question outside that network its own arrays after: a read of
  // given-back bytes would change an answer. The first question has one influence target, so later
  // ones with others are built apart.
  const m = generatedModel({ components: 400, seed: 5, files: 2, coupling: 1 });
  const { ag, ug, sinks } = attackIndex(m);
  const disclosure = ag.targets.filter((t) => t.mode === "disclosure");
  const influence = ag.targets.filter((t) => t.mode === "influence");
  assert.ok(influence.length > 1 && disclosure.length > 1);
  const questions = [[influence[0]!], ag.targets, ...ag.targets.map((t) => [t]), disclosure, [influence[1]!]];
  const ask = () => {
    const solver = new CutSolver(m, ag, ug, RULES, sinks, disclosure);
    return questions.map((q) => solver.solve(q));
  };
  const reference = ask();
  Arena.poisonReleased = true;
  try {
    for (const bytes of [4096, 1 << 20, 64 << 20]) {
      let used = 0;
      const got = inArena(bytes, ask, (arena) => (used = arena.highWater));
      assert.equal(got, reference, `${bytes} bytes of arena`);
      assert.ok(used > 0);
    }
  } finally {
    Arena.poisonReleased = false;
  }
});

test("every sample: every cut equals the whole-network cut", () => {
  const samples = fs
    .readdirSync("samples", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
  for (const sample of samples) {
    const loaded = loadModels(bufferIo(), { models: [path.join("samples", sample)], today: TEST_TODAY });
    if (!("model" in loaded) || !loaded.ok) throw new Error(`invalid sample ${sample}`);
    compare(loaded.model, sample);
  }
});

const ZONES = `zone internet "Internet" { trust untrusted }\nzone corp "Corp" { trust internal }\n`;
/** Kinds and where they sit: entries (internet), readers of the secret, senders, cycles. */
const KINDS = [
  ["actor", "in internet"],
  ["source", "in internet { type web }"],
  ["vectorstore", "in corp"],
  ["agent", "in corp"],
  ["tool", "in corp { capabilities [read] }"],
  ["tool", "in corp { capabilities [send_external] }"],
  ["store", "in corp { holds [secret_data] }"],
  ["app", "in internet"],
] as const;
/** A flow kind the language allows from KINDS[a] to KINDS[b] ("": none). */
const FLOW = [
  ["", "write", "write", "prompt", "request", "request", "write", "prompt"],
  ["", "", "ingest", "prompt", "read", "read", "ingest", "prompt"],
  ["", "", "", "read", "read", "read", "", "read"],
  ["response", "write", "write", "prompt", "invoke", "invoke", "write", "prompt"],
  ["response", "write", "write", "invoke", "invoke", "invoke", "write", "invoke"],
  ["response", "write", "write", "invoke", "invoke", "invoke", "write", "invoke"],
  ["", "", "ingest", "read", "read", "read", "ingest", "read"],
  ["response", "write", "write", "prompt", "invoke", "invoke", "write", "prompt"],
];

function randomModel(kinds: number[], edges: [number, number][]): ResolvedModel | undefined {
  const lines = [
    ZONES,
    'data secret_data "S" { classification confidential  crown [confidentiality, integrity] }',
  ];
  kinds.forEach((k, i) => lines.push(`${KINDS[k]![0]} c${i} "c${i}" ${KINDS[k]![1]}`));
  const seen = new Set<string>();
  for (const [a, b] of edges) {
    if (a >= kinds.length || b >= kinds.length || a === b || seen.has(`${a}>${b}`)) continue;
    const kind = FLOW[kinds[a]!]![kinds[b]!]!;
    if (!kind) continue;
    seen.add(`${a}>${b}`);
    lines.push(`flow c${a} -> c${b} { kind ${kind} }`);
  }
  const r = frontEndOf(lines.join("\n"));
  return r.ok ? r.model : undefined;
}

/** `compare` on random small models (`runs` of them that the language accepts), with `costs` if given. */
function compareRandomModels(
  runs: { numRuns: number; seed: number },
  costs: Costs | undefined,
  each: (r: ReturnType<typeof compare>) => void,
): void {
  fc.assert(
    fc.property(
      fc.array(fc.nat(KINDS.length - 1), { minLength: 2, maxLength: 10 }),
      fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 24 }),
      (kinds, edges) => {
        const m = randomModel(kinds, edges);
        if (!m) return;
        const label = `${kinds.join(",")} / ${edges.map((e) => e.join(">")).join(" ")}`;
        each(compare(m, costs ? `${label}, costs changed` : label, costs));
      },
    ),
    runs,
  );
}

test("random small models: every cut equals the whole-network cut", () => {
  let checked = 0;
  let disclosure = 0;
  compareRandomModels({ numRuns: 200, seed: 4242 }, undefined, (r) => {
    checked++;
    disclosure += r.disclosure;
  });
  assert.ok(checked > 150 && disclosure > 50, `${checked} models, ${disclosure} disclosure targets`);
});

// The shared network is built at once into arc arrays that grow (min-cut.ts `share`): a build that
// outgrows its room, from none at all, must give the network a build counted first and given room
// gives, arc for arc. Returns how many times the arrays were outgrown (0: they were not).
function sameGrownBuild(m: ResolvedModel, costs: readonly number[], room: (count: number) => number): number {
  const { ag, ug, n, sinks } = attackIndex(m);
  const capOfIndex = (i: number) => capOf[costs[i % costs.length]!]!;
  const capacity = {
    node: Float64Array.from({ length: n }, (_, v) => capOfIndex(v)),
    wayOutNode: Float64Array.from({ length: n }, (_, v) => capOfIndex(v + 1)),
    flow: Float64Array.from({ length: ug.g.edgeCount }, (_, e) => capOfIndex(e + 2)),
    wayOutFlow: capOfIndex(0),
  };
  const fold = { capacity, influence: new Uint8Array(n), folded: new Uint8Array(n) };
  const disclosure = ag.targets.some((t) => t.mode === "disclosure");
  const builder = new CutNetworkBuilder(ag, ug, sinks, disclosure, undefined, fold);
  const build = (arcs?: ReturnType<typeof cutArcs>) =>
    builder.build(ag.targets, true, capacity, new BuildScratch(n), arcs, fold.folded) as CutNetwork;
  const counted = build();
  const want = build(cutArcs(counted.count));
  const given = cutArcs(room(counted.count));
  const got = build(given);
  assert.is(got.count, want.count);
  assert.is(got.nodeCount, want.nodeCount);
  const part = <A extends Int32Array | Float64Array>(a: A) => [...a.subarray(0, want.count)];
  assert.equal(part(got.tail), part(want.tail));
  assert.equal(part(got.head), part(want.head));
  assert.equal(part(got.cap), part(want.cap));
  assert.equal(part(got.meta), part(want.meta));
  // Each growth at least doubles the room, from 64 arcs.
  let times = 0;
  for (let size = given.tail.length; size < got.tail.length; size = Math.max(64, 2 * size)) times++;
  return times;
}

test("a build that outgrows its arc arrays: the network a build given room makes", () => {
  let grew = 0;
  fc.assert(
    fc.property(
      fc.array(fc.nat(KINDS.length - 1), { minLength: 2, maxLength: 10 }),
      fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 24 }),
      fc.array(fc.nat(5), { minLength: 1, maxLength: 8 }),
      fc.nat(40),
      (kinds, edges, costs, room) => {
        const m = randomModel(kinds, edges);
        if (m && sameGrownBuild(m, costs, (count) => room % Math.max(1, count)) > 0) grew++;
      },
    ),
    { numRuns: 800, seed: 31 },
  );
  // Generated models: networks of hundreds of arcs, grown several times over.
  let often = 0;
  for (let seed = 1; seed <= 6; seed++) {
    const model = generatedModel({ components: [100, 250][seed % 2]!, seed, coupling: seed % 2 ? 1 : 10 });
    for (const room of [0, 1, 63, 64, 65])
      if (sameGrownBuild(model, [seed, 1, 5, 2], () => room) > 2) often++;
  }
  assert.ok(
    grew > 50 && often > 20,
    `${grew} random builds grew, ${often} generated ones grew three times or more`,
  );
});

// A way-out component first met by the build's search (no reader links into it) whose own capacity
// is at least what its steps in can carry (the attack graph's steps into it at the way-out step's
// capacity) is built as one node (cut-network.ts, `halvesAsOne`): its own arc would never cross the cut
// closest to the source. The shared network with those merges and without them must have that cut
// cross the same arcs (meta codes), of the same value. Capacities come from a few values, with ties
// against one, two and three steps' worth and one far above; the step's from 1 to 4.
function sameCutMerged(m: ResolvedModel, costs: readonly number[], step: number): number {
  const { ag, ug, n, sinks } = attackIndex(m);
  if (!ag.targets.some((t) => t.mode === "disclosure")) return 0;
  const caps = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 12, 1 << 24];
  const capOfIndex = (i: number) => caps[costs[i % costs.length]! % caps.length]!;
  const capacity = {
    node: Float64Array.from({ length: n }, (_, v) => capOfIndex(v)),
    wayOutNode: Float64Array.from({ length: n }, (_, v) => capOfIndex(v + 1)),
    flow: Float64Array.from({ length: ug.g.edgeCount }, (_, e) => capOfIndex(e + 2)),
    wayOutFlow: step,
  };
  const cutOf = (merges: boolean) => {
    const fold = { capacity, influence: new Uint8Array(n), folded: new Uint8Array(n) };
    const builder = new CutNetworkBuilder(ag, ug, sinks, true, undefined, fold);
    builder.mergesHalves = merges;
    const net = builder.build(
      ag.targets,
      true,
      capacity,
      new BuildScratch(n),
      cutArcs(0),
      fold.folded,
    ) as CutNetwork;
    const ws = new FlowWorkspace();
    const r = layOut(ws, net.nodeCount, net.count, net.tail, net.head, net.cap);
    const flow = maxFlow(ws, r, net.S, net.T);
    const side = sourceSide(ws, r, net.S);
    const codes: number[] = [];
    for (let a = 0; a < net.count; a++)
      if (side[net.tail[a]!] === 1 && side[net.head[a]!] === 0) codes.push(net.meta[a]!);
    return { flow, codes: codes.sort((a, b) => a - b), nodes: net.nodeCount, net };
  };
  const split = cutOf(false);
  const one = cutOf(true);
  assert.equal(one.flow, split.flow);
  assert.equal(one.codes, split.codes);
  // Each arc the merges left out is one `reduced` contracts in the network without them, by that
  // network's own sums (links unbounded): a component's own arc at least the sum into its in-half or
  // above the sum out of its out-half; a step the one arc into its head and above the sum out of it.
  const { net } = split;
  const kept = new Set(one.net.meta.subarray(0, one.net.count));
  const inCap = new Float64Array(net.nodeCount);
  const outCap = new Float64Array(net.nodeCount);
  const into = new Int32Array(net.nodeCount);
  for (let a = 0; a < net.count; a++) {
    const c = net.meta[a]! < -1 ? Infinity : net.cap[a]!;
    inCap[net.head[a]!]! += c;
    outCap[net.tail[a]!]! += c;
    into[net.head[a]!]!++;
  }
  for (let a = 0; a < net.count; a++) {
    const code = net.meta[a]!;
    if (code < 0 || kept.has(code)) continue;
    const [x, y, c] = [net.tail[a]!, net.head[a]!, net.cap[a]!];
    assert.ok((code & 3) >= 2 && y > 1 && into[y] === 1, `arc ${code} left out`);
    assert.ok(c > outCap[y]! || ((code & 3) === 2 && c >= inCap[x]!), `arc ${code} left out at ${c}`);
  }
  return split.nodes - one.nodes;
}

test("way-out halves merged in the build: the cut closest to the source of the network without", () => {
  let builds = 0;
  let merging = 0;
  fc.assert(
    fc.property(
      fc.array(fc.nat(KINDS.length - 1), { minLength: 2, maxLength: 10 }),
      fc.array(fc.tuple(fc.nat(9), fc.nat(9)), { maxLength: 24 }),
      fc.array(fc.nat(9), { minLength: 1, maxLength: 8 }),
      fc.integer({ min: 1, max: 4 }),
      (kinds, edges, costs, step) => {
        const m = randomModel(kinds, edges);
        if (!m) return;
        builds++;
        if (sameCutMerged(m, costs, step) > 0) merging++;
      },
    ),
    { numRuns: 1000, seed: 2024 },
  );
  // Random small models have few components on the way out that no reader links into: generated
  // ones have hundreds.
  for (let seed = 1; seed <= 8; seed++) {
    const model = generatedModel({ components: [100, 250][seed % 2]!, seed, coupling: seed % 2 ? 1 : 10 });
    for (const costs of [
      [seed, 9, 3, 5, 2, 7],
      [4, 4, 8, 1],
      [seed % 10, 3, 6, 9, 0, 5, 7, 2],
      [1, 2, 1, 3, 2, 1, 3],
      [2, 3, 3, 1, 2, 4, 1],
    ])
      for (const step of [1, 2, 3, 4]) if (sameCutMerged(model, costs, step) > 0) merging++;
  }
  assert.ok(builds > 300 && merging > 60, `${builds} random builds, ${merging} with halves merged`);
});

// One solver keeps its network and flow from question to question (links opened and closed, the
// flow continued, started over or restored from the first question's): any sequence of questions
// must get the answers a fresh solver gives each question alone.
test("random question sequences on one solver: the answers of a fresh solver per question", () => {
  let asked = 0;
  let nonEmpty = 0;
  const models: ResolvedModel[] = [];
  for (let seed = 1; seed <= 4; seed++) {
    const generated = generateModel({
      components: [100, 150, 250][seed % 3]!,
      seed,
      coupling: seed % 2 ? 1 : 10,
    });
    const { host, inputs, root } = generatedHost(generated.files);
    models.push(
      runFrontEnd({
        inputs,
        root,
        host,
        resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
      }).model,
    );
  }
  fc.assert(
    fc.property(
      fc.nat(models.length - 1),
      fc.array(fc.array(fc.nat(200), { maxLength: 6 }), { minLength: 2, maxLength: 8 }),
      fc.boolean(),
      (which, picks, whole) => {
        const m = models[which]!;
        const { ag, ug, sinks } = attackIndex(m);
        const disclosure = ag.targets.filter((t) => t.mode === "disclosure");
        const solver = () => new CutSolver(m, ag, ug, RULES, sinks, disclosure);
        // Half the sequences on a solver whose residual reach always searches the whole graph.
        const one = whole ? new CutSolver(m, ag, ug, RULES, sinks, disclosure, undefined, 0) : solver();
        for (const pick of picks) {
          const q = [...new Set(pick.map((i) => ag.targets[i % ag.targets.length]!))];
          const got = one.solve(q);
          assert.equal(got, solver().solve(q), `model ${which}, targets ${pick.join(",")}, whole ${whole}`);
          asked++;
          if (got.controls.length + got.uncuttable.length > 0) nonEmpty++;
        }
      },
    ),
    { numRuns: 60, seed: 99 },
  );
  assert.ok(asked > 200 && nonEmpty > 60, `${asked} questions, ${nonEmpty} non-empty cuts`);
});

// Questions that start from the first question's flow (restored: many links, most of them the
// first's, after a question with few) are compared with that flow; with every update a whole search
// (`searchAbove` 0), the nodes on another side than that flow's come from a pass over the nodes, and
// the cut is read against the first question's. After all the targets, questions alternate between
// one influence target (a few links: the flow starts over) and all the targets but one or two, or
// all of them (hundreds of readers' links, nearly all the first question's: its flow is restored).
test("whole searches against the first question's flow: the answers of a fresh solver", () => {
  let asked = 0;
  for (let seed = 1; seed <= 8; seed++) {
    const m = generatedModel({ components: [150, 250, 400][seed % 3]!, seed, coupling: seed % 2 ? 1 : 10 });
    const { ag, ug, sinks } = attackIndex(m);
    const { targets } = ag;
    const disclosure = targets.filter((t) => t.mode === "disclosure");
    const influence = targets.filter((t) => t.mode === "influence");
    const solver = (above?: number) => new CutSolver(m, ag, ug, RULES, sinks, disclosure, undefined, above);
    const one = solver(0);
    // The first question leaves one reader's target out; a later one with it (restoring the first
    // question's flow) needs more flow, and nodes leave that flow's source side.
    const left = disclosure[seed % disclosure.length]!;
    const questions: (readonly AttackTarget[])[] = [targets.filter((x) => x !== left)];
    targets.forEach((t, i) => {
      const other = (i * 7 + seed) % targets.length;
      questions.push(
        [influence[i % influence.length]!],
        targets.filter((x) => x !== t),
      );
      questions.push(
        [t],
        targets.filter((x, k) => x !== t && k !== other),
      );
      questions.push([influence[(i + 1) % influence.length]!], i % 2 ? targets : [...questions[0]!, t]);
    });
    for (const [i, q] of questions.entries()) {
      assert.equal(one.solve(q), solver().solve(q), `seed ${seed}, question ${i}`);
      asked++;
    }
  }
  assert.ok(asked > 200, `${asked} questions`);
});

// The shared network's reductions (arcs contracted, series elimination) on random networks: the cut
// closest to the source names the same arcs (meta codes) and has the same value as on the network
// before them. Capacities come from a few values, with ties, zeros and one far above the rest, so
// that an arc often carries at least what can enter its tail or more than can leave its head. Node-
// split networks are the builder's shape; arbitrary ones put the arcs in any order.
const capOf = [0, 1, 2, 3, 5, 1 << 24];

function cutOf(net: CutNetwork): { value: number; codes: number[] } {
  const ws = new FlowWorkspace();
  const r = layOut(ws, net.nodeCount, net.count, net.tail, net.head, net.cap);
  const value = maxFlow(ws, r, net.S, net.T);
  const side = sourceSide(ws, r, net.S);
  const codes = new Set<number>();
  for (let a = 0; a < net.count; a++)
    if (net.meta[a]! >= 0 && side[net.tail[a]!] === 1 && side[net.head[a]!] === 0) codes.add(net.meta[a]!);
  return { value, codes: [...codes].sort((x, y) => x - y) };
}

/** Whether `reduced` left the cut of the network these arcs make as it was (and whether it removed nodes). */
function reducesExactly(
  nodeCount: number,
  arcs: readonly (readonly [number, number, number, number])[],
): boolean {
  const make = (): CutNetwork => ({
    nodeCount,
    count: arcs.length,
    tail: Int32Array.from(arcs, (x) => x[0]),
    head: Int32Array.from(arcs, (x) => x[1]),
    cap: Float64Array.from(arcs, (x) => x[2]),
    meta: Int32Array.from(arcs, (x) => x[3]),
    S: 0,
    T: 1,
  });
  const before = cutOf(make());
  const net = make();
  const size = reduced(net);
  assert.equal(cutOf({ ...net, ...size }), before);
  return size.nodeCount < nodeCount;
}

test("reduced node-split networks: the same cut closest to the source as before the reductions", () => {
  let smaller = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 9 }),
      fc.array(fc.nat(5), { minLength: 9, maxLength: 9 }),
      fc.array(fc.tuple(fc.nat(9), fc.nat(9), fc.nat(5)), { maxLength: 24 }),
      fc.array(fc.tuple(fc.nat(9), fc.nat(5)), { minLength: 1, maxLength: 4 }),
      fc.array(fc.nat(9), { minLength: 1, maxLength: 3 }),
      (k, own, steps, fromS, targets) => {
        // Component v is in-half 2 + 2v -> out-half 3 + 2v; S = 0, T = 1; a target's link is unbounded.
        const arcs: [number, number, number, number][] = [];
        for (let v = 0; v < k; v++) arcs.push([2 + 2 * v, 3 + 2 * v, capOf[own[v]!]!, v * 4]);
        steps.forEach(([u, v, c], i) => {
          if (u % k !== v % k) arcs.push([3 + 2 * (u % k), 2 + 2 * (v % k), capOf[c]!, i * 4 + 1]);
        });
        fromS.forEach(([v, c], i) => arcs.push([0, 2 + 2 * (v % k), capOf[c]!, (100 + i) * 4 + 1]));
        for (const v of new Set(targets.map((t) => t % k))) arcs.push([3 + 2 * v, 1, Infinity, -2 - v]);
        if (reducesExactly(2 + 2 * k, arcs)) smaller++;
      },
    ),
    { numRuns: 3000, seed: 77 },
  );
  assert.ok(smaller > 1000, `${smaller} networks reduced`);
});

test("reduced arbitrary networks: the same cut closest to the source as before the reductions", () => {
  let smaller = 0;
  fc.assert(
    fc.property(
      fc.integer({ min: 1, max: 6 }),
      fc.array(fc.tuple(fc.nat(7), fc.nat(7), fc.nat(6)), { minLength: 1, maxLength: 14 }),
      (k, list) => {
        // Nodes 2 .. k + 1 besides S and T; capacity index 6 is a link (unbounded, meta below -1).
        const arcs: [number, number, number, number][] = [];
        list.forEach(([u, v, c], i) => {
          const from = u % (k + 2);
          const to = v % (k + 2);
          if (from === to || from === 1 || to === 0) return;
          arcs.push(c === 6 ? [from, to, Infinity, -2 - i] : [from, to, capOf[c]!, i * 4]);
        });
        if (reducesExactly(k + 2, arcs)) smaller++;
      },
    ),
    { numRuns: 20000, seed: 78 },
  );
  assert.ok(smaller > 5000, `${smaller} networks reduced`);
});

test.run();
