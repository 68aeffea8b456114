import { test } from "uvu";
import * as assert from "uvu/assert";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { generateModel } from "../../bench/gen/generate.js";
import { computeFacts, UNTRUSTED_CONTENT } from "../../src/analysis/facts.js";
import { capabilities, invokedBy, STATE_CHANGING, stateChangingCall } from "../../src/analysis/predicates.js";
import {
  ACTIONS,
  BROWSE,
  capsUnion,
  delegatedTools,
  EXECUTE,
  IRREVERSIBLE,
  reachHas,
  toolCaps,
  toolsOf,
  toolsWith,
  type Agent,
} from "../../src/analysis/rules/lib/agents.js";
import { servedBy, servingPath, servingRoot } from "../../src/analysis/rules/lib/inference.js";
import {
  ARTIFACT_REACH,
  entrySeeds,
  guardOf,
  hasLessTrustedWriter,
  initiates,
  initiatesAt,
  lessTrustedWriters,
  NOT_FEEDBACK,
  reach,
  reachBoth,
  thirdPartyModelSeeds,
} from "../../src/analysis/rules/lib/training.js";
import { buildThreatGraph, outFlows, type ThreatGraph } from "../../src/graph/threat-graph.js";
import type { Component, Flow } from "../../src/semantic/model.js";
import { trustRank, type Capability } from "../../src/semantic/vocabulary.js";
import { frontEndOf } from "../helpers/compile.js";

// The rule library answers several questions from typed codes, shared caches or shortcuts (masks,
// a reach computed once for several rules). Each must give what the plain question over the model's
// objects gives; the generated models have every kind, many agents and tools, and controls.

function generated(components: number, coupling: number) {
  const front = generatedFrontEnd(generateModel({ components, seed: 3, coupling }).files);
  assert.ok(front.ok, "generated model compiles");
  const graph = buildThreatGraph(front.model);
  return { graph, facts: computeFacts(graph) };
}

const MODELS = [generated(1500, 1), generated(1500, 10)];

const agents = (g: ThreatGraph): Agent[] =>
  (g.byKind.get("agent") ?? []).map((i) => g.model.components[i] as Agent);

test("capsUnion lists each capability of the reaches once, in the order the reaches give them", () => {
  let nonEmpty = 0;
  for (const { graph } of MODELS)
    for (const agent of agents(graph))
      for (const set of [ACTIONS, IRREVERSIBLE, EXECUTE, BROWSE]) {
        for (const reaches of [toolsOf(graph, agent), toolsWith(graph, agent, set)]) {
          const plain = [...new Set(reaches.flatMap((r) => toolCaps(r.tool, set)))];
          assert.equal(capsUnion(reaches, set), plain);
          if (plain.length > 1) nonEmpty++;
          for (const r of reaches) assert.is(reachHas(r, set), toolCaps(r.tool, set).length > 0);
        }
      }
  assert.ok(nonEmpty > 20, `several agents reach more than one capability (${nonEmpty})`);
});

test("toolsWith answers with the same list each time, and as the filter over toolsOf", () => {
  for (const { graph } of MODELS)
    for (const agent of agents(graph)) {
      const first = toolsWith(graph, agent, ACTIONS);
      // Another set in between must not disturb the answers kept for the first.
      toolsWith(graph, agent, BROWSE);
      assert.is(toolsWith(graph, agent, ACTIONS), first);
      const viaCaps = (r: (typeof first)[number]) => new Set(r.via.flatMap((v) => capabilities(v)));
      assert.equal(
        first.map((r) => r.tool.index),
        toolsOf(graph, agent)
          .filter((r) => toolCaps(r.tool, ACTIONS).some((c) => !viaCaps(r).has(c)))
          .map((r) => r.tool.index),
      );
    }
});

test("stateChangingCall finds what a search of the invoke flows finds", () => {
  let found = 0;
  for (const { graph } of MODELS)
    for (const c of graph.model.components) {
      const plain = invokedBy(graph, c).find(({ callee }) =>
        capabilities(callee).some((x) => STATE_CHANGING.includes(x)),
      );
      // Asked twice: the second answer comes from the per-graph table.
      for (let k = 0; k < 2; k++) assert.is(stateChangingCall(graph, c), plain?.flow);
      if (plain) found++;
    }
  assert.ok(found > 10, `some components call state-changing tools (${found})`);
});

test("less trusted writers and initiators from typed codes match the objects", () => {
  const WRITES = new Set(["write", "publish", "copy", "ingest", "produce"]);
  let writers = 0;
  for (const { graph } of MODELS)
    for (const c of graph.model.components) {
      assert.is(initiatesAt(graph, c.index), initiates(c));
      const plain = graph.model.flows.filter((f) => {
        if (f.to !== c.index) return false;
        const w: Component = graph.model.components[f.from]!;
        return WRITES.has(f.kind) && initiates(w) && trustRank(w.trust) < trustRank(c.trust);
      });
      const typed = lessTrustedWriters(graph, c);
      assert.equal(
        typed.map((f) => f.index).sort((a, b) => a - b),
        plain.map((f) => f.index),
      );
      assert.is(hasLessTrustedWriter(graph, c.index), plain.length > 0);
      writers += plain.length;
    }
  assert.ok(writers > 0, "some components have less trusted writers");
});

test("reachBoth shares a reach between equal questions and equals a fresh search", () => {
  let cut = 0;
  for (const { graph, facts } of MODELS) {
    const questions = [
      { seeds: entrySeeds(graph, facts, UNTRUSTED_CONTENT), opts: { kinds: NOT_FEEDBACK } },
      { seeds: thirdPartyModelSeeds(graph), opts: ARTIFACT_REACH },
    ];
    for (const { seeds, opts } of questions) {
      // One guard counting every control the model declares (so it cuts), one counting none.
      const guards = [
        guardOf(graph, { id: "AT-00", mitigations: [...graph.controlUsers.keys()] }),
        guardOf(graph, { id: "AT-00", mitigations: [] }),
      ];
      assert.is.not(guards[0]!.key, "", "the model declares controls");
      for (const guard of guards) {
        const r = reachBoth(graph, facts, seeds, opts, guard);
        assert.equal([...r.all], [...reach(graph, facts, seeds, opts)]);
        assert.equal([...r.open], [...reach(graph, facts, seeds, { ...opts, guard })]);
        // A guard that cuts nothing leaves the uncut reach; asking again gives the shared arrays.
        if (guard.key === "") assert.is(r.open, r.all);
        else if (r.open.some((p, v) => p !== r.all[v])) cut++;
        const again = reachBoth(graph, facts, [...seeds], { ...opts }, guard);
        assert.is(again.all, r.all);
        assert.is(again.open, r.open);
      }
      // A guard that cuts something has its own reach.
      assert.is.not(
        reachBoth(graph, facts, seeds, opts, guards[0]!).open,
        reachBoth(graph, facts, seeds, opts, guards[1]!).open,
      );
    }
  }
  assert.ok(cut > 0, "the declared controls cut some reach");
});

test("servingRoot is the model a serving path starts at", () => {
  let served = 0;
  for (const { graph, facts } of MODELS) {
    const s = servedBy(graph, facts, "any", () => true, true);
    for (let v = 0; v < graph.model.components.length; v++) {
      if (s.parent[v]! < 0) continue;
      assert.is(servingRoot(graph, s, v), servingPath(graph, s, v).model.index);
      served++;
    }
  }
  assert.ok(served > 10, `components are served (${served})`);
});

/** delegatedTools as a plain BFS over every delegation, with each holder's chain built as it is met. */
function plainDelegated(g: ThreatGraph, agent: Agent, set: readonly Capability[]) {
  const out: { holder: number; delegations: number[]; tool: number }[] = [];
  const via = new Map<number, Flow>();
  const queue = [agent.index];
  const seen = new Set(queue);
  for (let head = 0; head < queue.length; head++)
    for (const f of outFlows(g, queue[head]!)) {
      if (f.kind !== "delegate" || seen.has(f.to) || g.model.components[f.to]!.kind !== "agent") continue;
      seen.add(f.to);
      via.set(f.to, f);
      queue.push(f.to);
      const delegations: number[] = [];
      for (let v = f.to; v !== agent.index; v = via.get(v)!.from) delegations.unshift(via.get(v)!.index);
      for (const r of toolsWith(g, g.model.components[f.to] as Agent, set))
        out.push({ holder: f.to, delegations, tool: r.tool.index });
    }
  return out;
}

/**
 * Agents a0 .. a(n-1), each delegating to the next (a chain), or a0 delegating to every other (a
 * star); the agents in `withTool` hold a mailer.
 */
function delegations(n: number, shape: "chain" | "star", withTool: ReadonlySet<number>): ThreatGraph {
  const lines = ['zone vpc "VPC" { trust internal }'];
  for (let i = 0; i < n; i++) {
    lines.push(`agent a${i} "A" in vpc { autonomy loop }`);
    if (i > 0) lines.push(`flow a${shape === "chain" ? i - 1 : 0} -> a${i} { kind delegate }`);
    if (withTool.has(i)) {
      lines.push(`tool t${i} "T" in vpc { capabilities [send_external] }`);
      lines.push(`flow a${i} -> t${i} { kind invoke }`);
    }
  }
  const front = frontEndOf(lines.join("\n"));
  assert.ok(front.ok, "the model compiles");
  return buildThreatGraph(front.model);
}

test("delegatedTools finds what a BFS over every delegation finds", () => {
  let found = 0;
  const chains = [
    delegations(30, "chain", new Set([4, 5, 17, 29])),
    delegations(12, "chain", new Set()),
    delegations(12, "star", new Set([0, 3, 7])),
  ];
  for (const graph of [...MODELS.map((m) => m.graph), ...chains])
    for (const agent of agents(graph))
      for (const set of [ACTIONS, IRREVERSIBLE, EXECUTE, BROWSE]) {
        const got = delegatedTools(graph, agent, set).map((d) => ({
          holder: d.holder.index,
          delegations: d.delegations.map((f) => f.index),
          tool: d.reach.tool.index,
        }));
        assert.equal(got, plainDelegated(graph, agent, set));
        found += got.length;
      }
  assert.ok(found > 20, `agents reach tools through delegations (${found})`);
});

test.run();
