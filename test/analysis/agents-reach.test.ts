/**
 * `reachSummary` (what the attack paths ask of an agent's reaches, without building them) answers as
 * `toolsOf` and `unsandboxedRunners` do, and `agentWayOuts`' replaced steps and `approvalReplacedTest` (the
 * rules' per-step form, AT-37) as `approvalReplacedOn` does step by step, for every agent of every sample, of a generated model, and of a hand-built one with
 * gateways, stated approvals, sandboxes and code runners behind other tools. So do `agentWayOuts`' runners
 * (the union of every agent's `unsandboxedRunners`) and the attack graph's receiver codes
 * (`isLlmConsumer` and `receiverSides`, which it reads from the kinds and typed arrays where it can).
 * Each reach's path, `via` and first callee (made from its caller's reach when first read) are the
 * chain of invoke flows they say, and `toolsWith` keeps the reaches its definition keeps.
 */
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { computeFacts } from "../../src/analysis/facts.js";
import { RECEIVER_LLM, receiverCodes } from "../../src/analysis/paths/attack-graph.js";
import { receiverSides } from "../../src/analysis/paths/techniques.js";
import { isLlmConsumer } from "../../src/analysis/predicates.js";
import {
  agentWayOuts,
  approvalReplacedOn,
  approvalReplacedTest,
  ACTIONS,
  BROWSE,
  effectiveCapabilities,
  EXECUTE,
  reachSummary,
  SummaryScratch,
  toolsOf,
  toolsWith,
  unsandboxedRunners,
  type Agent,
  type ToolReach,
} from "../../src/analysis/rules/lib/agents.js";
import { buildThreatGraph, type ThreatGraph } from "../../src/graph/threat-graph.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import type { Capability } from "../../src/semantic/vocabulary.js";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { frontEnd, frontEndOf } from "../helpers/compile.js";
import { REPO, SAMPLES } from "../helpers/outputs.js";

function assertSame(model: ResolvedModel, what: string): number {
  const g: ThreatGraph = buildThreatGraph(model);
  const facts = computeFacts(g);
  // The attack paths' per-step answer for every agent equals the rules' per-step one.
  const steps = agentWayOuts(g, facts, g.byKind.get("agent") ?? [], new SummaryScratch(g)).replaced;
  // So does the per-step test, asked of the steps in an order of its own (last first).
  const replaced = approvalReplacedTest(g, facts);
  for (let e = 0; e < facts.info.edgeCount; e++)
    assert.is(steps?.[e] === 1, approvalReplacedOn(g, facts, e), `${what}: step ${e}`);
  for (let e = facts.info.edgeCount - 1; e >= 0; e--)
    assert.is(replaced.has(e), approvalReplacedOn(g, facts, e), `${what}: step ${e}, one at a time`);
  const codes = receiverCodes(g);
  for (const c of model.components)
    assert.is(
      codes[c.index],
      (isLlmConsumer(g, c) ? RECEIVER_LLM : 0) + receiverSides(c),
      `${what}: receiver code of ${c.name}`,
    );
  const runnerSinks = new Uint8Array(model.components.length);
  for (const a of g.byKind.get("agent") ?? [])
    for (const r of unsandboxedRunners(g, model.components[a] as Agent)) runnerSinks[r.tool.index] = 1;
  const alone = agentWayOuts(g, undefined, [], new SummaryScratch(g)).runners;
  assert.equal([...alone], [...runnerSinks], `${what}: code runner sinks`);
  // Both at once, as the attack graph asks them: for every other agent (the replaced steps of those
  // alone, the runners of all), and for none.
  const agents = g.byKind.get("agent") ?? [];
  for (const asked of [agents.filter((_, i) => i % 2 === 0), []]) {
    const both = agentWayOuts(g, facts, asked, new SummaryScratch(g));
    assert.equal([...both.runners], [...runnerSinks], `${what}: runners with the replaced steps`);
    const out = new Set<number>();
    for (const a of asked)
      for (let i = facts.info.outStart[a]!; i < facts.info.outStart[a + 1]!; i++)
        out.add(facts.info.outEdges[i]!);
    for (let e = 0; e < facts.info.edgeCount; e++)
      assert.is(
        both.replaced?.[e] === 1,
        out.has(e) && approvalReplacedOn(g, facts, e),
        `${what}: step ${e} asked`,
      );
  }
  let reaches = 0;
  const scratch = new SummaryScratch(g);
  for (const a of g.byKind.get("agent") ?? []) {
    const agent = model.components[a] as Agent;
    const s = reachSummary(g, agent, scratch);
    const rs = toolsOf(g, agent);
    const runners = unsandboxedRunners(g, agent);
    const at = `${what}: ${agent.name}`;
    assert.equal(
      s.tools,
      rs.map((r) => r.tool.index),
      at,
    );
    assert.equal(
      s.first,
      rs.map((r) => r.path[0]!.to),
      at,
    );
    assert.equal(
      s.overrides,
      rs.map((r) => r.overridesAgent),
      at,
    );
    assert.equal(
      s.runner,
      rs.map((r) => runners.includes(r)),
      at,
    );
    for (const r of rs) assertReach(g, agent, r, at);
    // `toolsWith` against its definition on the lists: a capability of the callee in the set that no
    // tool on the way has.
    for (const set of SETS)
      assert.equal(
        toolsWith(g, agent, set),
        rs.filter((r) =>
          effectiveCapabilities(r.tool).some(
            (c) => set.includes(c) && !r.via.some((v) => effectiveCapabilities(v).includes(c)),
          ),
        ),
        `${at}: toolsWith ${set.join(",")}`,
      );
    reaches += rs.length;
  }
  return reaches;
}

const SETS: readonly (readonly Capability[])[] = [ACTIONS, EXECUTE, BROWSE, ["read", "browse"]];

/**
 * A reach's path (made when first read from its caller's reach) is a chain of invoke flows from the
 * agent to the tool, its `via` the callees on the way and `first` the first of them, and a second
 * read gives the same lists.
 */
function assertReach(g: ThreatGraph, agent: Agent, r: ToolReach, at: string): void {
  const { path: steps, via } = r;
  assert.ok(steps.length > 0, at);
  assert.is(steps[0]!.from, agent.index, `${at}: path starts at the agent`);
  assert.is(steps.at(-1)!.to, r.tool.index, `${at}: path ends at ${r.tool.name}`);
  for (let k = 0; k < steps.length; k++) {
    assert.is(steps[k]!.kind, "invoke", at);
    if (k > 0) assert.is(steps[k]!.from, steps[k - 1]!.to, `${at}: step ${k} follows on`);
  }
  assert.equal(
    via.map((c) => c.index),
    steps.slice(0, -1).map((f) => f.to),
    `${at}: via`,
  );
  assert.is(r.first, steps[0]!.to, `${at}: first callee`);
  assert.is(r.path, steps, `${at}: path kept`);
  assert.is(r.via, via, `${at}: via kept`);
  assert.is(g.model.components[r.tool.index], r.tool, at);
}

test("every sample's agents", () => {
  let reaches = 0;
  for (const sample of SAMPLES) {
    const dir = path.join(REPO, "samples", sample);
    const files = Object.fromEntries(
      fs
        .readdirSync(dir, { recursive: true, encoding: "utf8" })
        .filter((f) => f.endsWith(".aithreat"))
        .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
    );
    const front = frontEnd(files, Object.keys(files));
    assert.ok(front.ok, sample);
    reaches += assertSame(front.model, sample);
  }
  assert.ok(reaches > 20, `${reaches} reaches compared`);
});

test("a generated model's agents", () => {
  const gen = generateModel({ components: 3000, seed: 5, coupling: 1 });
  const reaches = assertSame(generatedFrontEnd(gen.files).model, "generated");
  assert.ok(reaches > 100, `${reaches} reaches compared`);
});

test("gateways, stated approvals, sandboxes and runners behind other tools", () => {
  const front = frontEndOf(`zone corp "Corp" { trust internal }
agent courier "Courier" in corp { approval human }
agent boxed "Boxed" in corp { controls [sandbox] }
mcp_server gw "Gateway" in corp { approval none }
tool notes "Notes" in corp { capabilities [write] }
tool shell "Shell" in corp { capabilities [execute_code] }
tool safe_shell "Safe shell" in corp { capabilities [execute_code]  controls [sandbox] }
tool runner_front "Runner front" in corp { capabilities [execute_code] }
tool deep_shell "Deep shell" in corp { capabilities [execute_code] }
tool sender "Sender" in corp { capabilities [send_external]  approval human }
flow courier -> gw { kind invoke }
flow gw -> notes { kind invoke }
flow gw -> sender { kind invoke }
flow courier -> shell { kind invoke }
flow courier -> safe_shell { kind invoke }
flow courier -> runner_front { kind invoke }
flow runner_front -> deep_shell { kind invoke }
flow boxed -> shell { kind invoke }
flow boxed -> gw { kind invoke }
model gen "Gen" in corp { family generative }
model cls "Classifier" in corp { family predictive }
endpoint chat "Chat" in corp
endpoint score "Score" in corp
vectorstore vs "Vectors" in corp
dataset rag "RAG set" in corp { purpose rag }
dataset train "Train set" in corp { purpose training }
pipeline ft "Fine-tune" in corp { type fine_tuning }
pipeline idx "Indexer" in corp { type indexing }
flow gen -> chat { kind serve }
flow cls -> score { kind serve }
flow cls -> chat { kind deploy }
`);
  assert.ok(front.ok, front.diagnostics.map((d) => d.message).join("\n"));
  assert.ok(assertSame(front.model, "hand-built") >= 10);
});

test.run();
