import { COMPONENT_KIND_CODE, componentsOf, flowKindMask } from "../../graph/threat-graph.js";
import type { FlowKind } from "../../semantic/vocabulary.js";
import type { Component, Flow, Subject } from "../../semantic/model.js";
import { describe, taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { isLlmConsumer } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  ACTIONS,
  adjust,
  consumerChain,
  consumerReach,
  firstConsumer,
  ownModels,
  reachPoints,
  toolsOf,
  toolsWith,
  untrustedClass,
  type ToolReach,
} from "./lib/agents.js";

// Flows by which an agent or its tools leave content somewhere others read it later.
const WRITE_FLOWS: ReadonlySet<FlowKind> = new Set(["write", "ingest", "send", "request", "log", "feedback"]);
const writeKind = flowKindMask(WRITE_FLOWS);
const PROVIDER = COMPONENT_KIND_CODE.get("provider")!;

interface Carrier {
  readonly at: Component;
  /** Whether a person approves the write (a gated tool on the way). */
  readonly gated: boolean;
  readonly steps: readonly Flow[];
  readonly points: readonly Subject[];
}

/** An agent that reads attacker content and writes where another model will read it. */
export default defineRule(
  {
    id: "AT-41",
    title: "Self-replicating prompt spreading across agents and retrieval",
    description:
      "An agent that attacker content reaches writes into something another model later reads: a mailbox, a shared document store, a retrieval index, a ticket queue. A prompt crafted to make the model copy it into its output travels along: each agent that reads it writes it on to the next place, like a worm, spreading the injection (and whatever it asks for) through the organisation.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0061", "AML.T0070"],
    owasp: ["LLM01:2025", "ASI08:2026"],
    nist: ["NISTAML.015"],
    cosai: ["riskPromptInjection", "riskRetrievalVectorStorePoisoning"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates self-replicating prompts as demonstrated (research worms through e-mail and RAG)",
    impact: "high",
    impactBasis: "the injection leaves the first agent and reaches every model downstream of what it writes",
    mitigations: ["output_filter", "input_filter", "spotlighting", "taint_tracking", "human_approval"],
    detection:
      "An agent that attacker content reaches writes (`write`, `ingest`, `send`, `request`, `log`, `feedback`, directly or through a tool it calls, or by calling a provider such as an e-mail service) into a component from which content reaches a different LLM consumer over content flows (not counting training or deployment), other than the model serving the agent.",
    falsePositives:
      "What the agent writes is structured data validated against a schema (no free text), which the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0061",
      "https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    const agents = componentsOf(graph, "agent");
    if (agents.length === 0) return;
    const reach = consumerReach(graph);
    // Write flows out of each tool, kept: tools are shared by many agents.
    const writes = new Map<number, Flow[]>();
    const writesOf = (tool: number): Flow[] => {
      let list = writes.get(tool);
      if (!list) {
        // Tested on the typed kinds: only the write flows' objects are read.
        list = [];
        const { outStart, outEdges } = graph.csr;
        for (let i = outStart[tool]!; i < outStart[tool + 1]!; i++)
          if (writeKind[graph.flowKind[outEdges[i]!]!]) list.push(graph.model.flows[outEdges[i]!]!);
        writes.set(tool, list);
      }
      return list;
    };
    for (const agent of agents) {
      const cls = untrustedClass(facts, agent.index);
      if (!cls) continue;
      // Candidate writes, cheapest first to test; steps and control points only for the one chosen.
      const own = ownModels(graph, agent);
      const targetOf = (at: Component): number | undefined =>
        isLlmConsumer(graph, at)
          ? undefined
          : firstConsumer(reach, at.index, (b) => b !== agent.index && !own.has(b));
      let hit: { carrier: Carrier; target: Component } | undefined;
      // Candidate writes in order: the agent's own write flows (never gated), then per reach the
      // provider itself or the tool's write flows. Tested as they come, without listing them first:
      // only the first that reaches another model is used.
      let pick: { at: Component; reach?: ToolReach; flow?: Flow; target: number } | undefined;
      const tryWrite = (at: Component, reach?: ToolReach, flow?: Flow): boolean => {
        const target = targetOf(at);
        if (target !== undefined) pick = { at, reach, flow, target };
        return pick !== undefined;
      };
      // Unconfirmed writes first: a gated route does not help while an ungated one exists.
      for (const pass of [false, true]) {
        if (!pass) {
          const { outStart, outEdges, edgeTo } = graph.csr;
          for (let i = outStart[agent.index]!; i < outStart[agent.index + 1]!; i++) {
            const fi = outEdges[i]!;
            if (!writeKind[graph.flowKind[fi]!]) continue;
            if (tryWrite(graph.model.components[edgeTo[fi]!]!, undefined, graph.model.flows[fi])) break;
          }
        }
        if (!pick)
          for (const r of toolsOf(graph, agent)) {
            if (r.gated !== pass) continue;
            if (graph.compKind[r.tool.index] === PROVIDER) {
              if (tryWrite(r.tool, r)) break;
              continue;
            }
            for (const f of writesOf(r.tool.index)) if (tryWrite(graph.model.components[f.to]!, r, f)) break;
            if (pick) break;
          }
        if (pick) {
          const c = pick;
          const steps = [...(c.reach?.path ?? []), ...(c.flow ? [c.flow] : [])];
          const points = [
            ...(c.reach ? reachPoints(agent, c.reach) : [componentSubject(agent)]),
            ...(c.flow ? [flowSubject(c.flow)] : []),
          ];
          hit = {
            carrier: { at: c.at, gated: pass, steps, points },
            target: graph.model.components[c.target]!,
          };
          break;
        }
      }
      if (!hit) continue;
      const { carrier, target } = hit;
      const stepFacts: Fact[] = carrier.steps.map((f) => ({
        text: `\`${graph.model.components[f.from]!.name} -> ${graph.model.components[f.to]!.name}\` (${f.kind}) lets \`${agent.name}\`'s output reach \`${graph.model.components[f.to]!.name}\``,
        loc: f.loc,
      }));
      const spreads = target.kind === "agent" && toolsWith(graph, target, ACTIONS).length > 0;
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` reads untrusted content and writes into \`${carrier.at.name}\`, which \`${target.name}\` reads: a self-copying prompt can spread from one model to the next`,
        facts: [
          ...taintChain(graph, facts, agent.index, cls),
          ...stepFacts,
          ...consumerChain(graph, reach, carrier.at.index, target.index),
          { text: `${describe(graph, target)} puts that content in a model's context`, loc: target.nameLoc },
        ],
        controlPoints: [...carrier.points, componentSubject(carrier.at)],
        ...adjust(
          undefined,
          spreads
            ? { level: "very_high", why: [`\`${target.name}\` can act and write on in turn`] }
            : undefined,
        ),
      });
    }
  },
);
