import { readFileSync } from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { runRules } from "../../src/analysis/engine.js";
import { edgeFact } from "../../src/analysis/explain.js";
import { computeFacts } from "../../src/analysis/facts.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { reachFacts, toolsOf, type Agent } from "../../src/analysis/rules/lib/agents.js";
import { runtimeTaint } from "../../src/analysis/rules/lib/inference.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import { frontEndOf } from "../helpers/compile.js";
import { REPO } from "../helpers/outputs.js";

/**
 * What the rule library caches only for the rules' reports (facts, explanation chains, the answers
 * they are built from) is let go as the rules end, so it is not alive beside the findings while they
 * are finished and the metrics run; the reaches the metrics ask for stay. Each check reads an answer
 * before and after a rule stage: the same object where the cache lives on, a new one, equal, where it
 * was let go.
 */

const text = readFileSync(path.join(REPO, "samples", "agent-mcp", "ops-assistant.aithreat"), "utf8");
const front = frontEndOf(text);
const model = front.model;
const graph = buildThreatGraph(model);
const facts = computeFacts(graph);
const agent = model.components.find((c) => c.kind === "agent") as Agent;

test("report caches are let go as the rules end; the agents' reaches stay", () => {
  assert.is(front.diagnostics.filter((d) => d.severity === "error").length, 0);
  const reaches = toolsOf(graph, agent);
  assert.ok(reaches.length > 0, "the sample's agent reaches tools");
  const steps = reachFacts(graph, reaches[0]!);
  assert.is(reachFacts(graph, reaches[0]!), steps, "kept while no stage ends");
  const step = edgeFact(graph, facts, 0, "test content");
  const taint = runtimeTaint(graph, facts);

  const found = runRules(model, graph, facts, RULES).value;
  assert.ok(found.length > 0);

  assert.is(toolsOf(graph, agent), reaches, "the reaches stay for the metrics");
  const stepsAfter = reachFacts(graph, reaches[0]!);
  assert.is.not(stepsAfter, steps, "a reach's facts are made again");
  assert.equal(stepsAfter, steps);
  const stepAfter = edgeFact(graph, facts, 0, "test content");
  assert.is.not(stepAfter, step, "an edge's fact is made again");
  assert.equal(stepAfter, step);
  assert.is.not(runtimeTaint(graph, facts), taint, "the inference library's answers are worked out again");
});

test("a second rule stage over the same graph reports the same findings", () => {
  const first = runRules(model, graph, facts, RULES).value;
  const second = runRules(model, graph, facts, RULES).value;
  assert.is(second.length, first.length);
  assert.equal([...second], [...first]);
});

test.run();
