import { UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import { firstTaintClass, sensitivityChain, taintChain } from "../explain.js";
import { componentsOf, type ThreatGraph } from "../../graph/threat-graph.js";
import { seesAtLeast } from "../predicates.js";
import { componentSubject, defineRule, flowSubject, type ControlPoint } from "../rule.js";
import type { Component } from "../../semantic/model.js";
import { agentPoint, reachPoints, replacedPoint, replacingReaches, wayOutOf } from "./lib/agents.js";

/** Untrusted input, private data and an outbound channel meeting in one agent. */
export default defineRule(
  {
    id: "AT-37",
    title: "Lethal trifecta: untrusted input, private data and an outbound channel in one agent",
    description:
      "One agent sees content an attacker controls, can read private data, and can send data somewhere the attacker can see (e-mail, web requests, rendered links, the attacker's own chat, a comment on the issue or ticket the attacker filed). Injected instructions can then make the agent collect the data and send it out. Keeping at most two of the three in one agent session (the rule of two) removes the path.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0086", "AML.T0051.001", "AML.T0057"],
    owasp: ["LLM01:2025", "LLM02:2025", "LLM06:2025", "ASI02:2026"],
    nist: ["NISTAML.015", "NISTAML.038"],
    cosai: ["riskSensitiveDataDisclosure", "riskRogueActions"],
    likelihood: "high",
    likelihoodBasis:
      "exfiltration through agent tools is realized in ATLAS case studies; each leg is present in the model",
    impact: "very_high",
    impactBasis: "confidential data leaves the organisation under the attacker's control",
    mitigations: [
      "taint_tracking",
      "egress_allowlist",
      "human_approval",
      "output_filter",
      "least_privilege",
      "segmentation",
    ],
    detection:
      "For each agent: attacker content of any run-time class reaches it, data classified confidential or above reaches it, and an information path leads from it to an observable sink (a send_external or browse tool, a markdown/HTML renderer, an untrusted party, or a component an untrusted actor `write`s to, since the actor reads back what lands there). Without such a path, a tool the agent reaches that runs code with no `sandbox` declared is the way out, since the code can open its own connections. Controls count on the agent and on every hop of the way out, but an agent's approval (declared or implied) only where the way out leaves it by a tool call it decides: not by its answer, a write, a delegation or a result it returns, nor by a call to a tool that states its own `approval` and can carry data out, which replaces the agent's. Its other controls still count.",
    falsePositives:
      "The private data and the outbound channel are used in different sessions that the model does not separate.",
    references: [
      "https://simonwillison.net/2025/Jun/16/the-lethal-trifecta/",
      "https://atlas.mitre.org/techniques/AML.T0086",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    for (const agent of componentsOf(graph, "agent")) {
      const cls = firstTaintClass(facts, agent.index, UNTRUSTED_CONTENT);
      if (!cls || !seesAtLeast(facts, agent, "confidential")) continue;
      const out = wayOutOf(graph, facts, agent);
      if (!out) continue;
      const runner = out.runner;
      if (runner) {
        // No declared way out, but code the agent runs outside a sandbox can open its own.
        report({
          subject: componentSubject(agent),
          message: `\`${agent.name}\` combines untrusted input, private data and code it can run outside a sandbox: injected instructions can make that code send the data out`,
          facts: [
            ...taintChain(graph, facts, agent.index, cls),
            ...sensitivityChain(graph, facts, agent.index),
            ...out.facts,
          ],
          controlPoints: reachPoints(agent, runner),
        });
        continue;
      }
      // Controls count on the agent and on every hop of the way out. An agent's approval is the
      // default for its own tool calls: where the way out leaves an agent by a call to a tool that
      // states its own approval, that approval replaces the agent's, whose other controls still
      // count (as in AT-36 and AT-39, and as the attack paths close the step: approvalReplacedOn);
      // where it leaves the agent by no call of its own (an answer, a write, a delegation, a result
      // it returns), its approval confirms nothing either (as AT-38 reads a delegation).
      const points: ControlPoint[] = [];
      for (let v = agent.index; ;) {
        const e = facts.exfilNext[v]!;
        const c = graph.model.components[v]!;
        points.push(e >= 0 && c.kind === "agent" ? leavingAgent(graph, facts, c, e) : componentSubject(c));
        if (e < 0 || points.length > 64) break;
        points.push(flowSubject(graph.model.flows[facts.infoFlow[e]!]!));
        v = facts.info.edgeTo[e]!;
      }
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` combines untrusted input, private data and a way out: injected instructions can make it leak the data`,
        facts: [
          ...taintChain(graph, facts, agent.index, cls),
          ...sensitivityChain(graph, facts, agent.index),
          ...out.facts,
        ],
        controlPoints: points,
      });
    }
  },
);

/** An agent as a control point of the way out that leaves it by information-graph step `e`. */
function leavingAgent(graph: ThreatGraph, facts: Facts, agent: Component, e: number): ControlPoint {
  const kind = graph.model.flows[facts.infoFlow[e]!]!.kind;
  if (facts.infoReturn[e] === 1 || kind !== "invoke")
    return agentPoint(agent, kind === "delegate" && facts.infoReturn[e] !== 1 ? "delegated" : "uncalled");
  const replacing = replacingReaches(graph, facts, e);
  return replacing.length > 0 ? replacedPoint(agent, replacing) : componentSubject(agent);
}
