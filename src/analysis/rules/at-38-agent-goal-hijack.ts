import { componentsOf, type ThreatGraph } from "../../graph/threat-graph.js";
import { taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject, type ControlPoint } from "../rule.js";
import {
  ACTIONS,
  agentPoint,
  IRREVERSIBLE,
  adjust,
  approvalFact,
  autonomyFact,
  capabilityFact,
  capsUnion,
  codeList,
  isAutonomous,
  reachPoints,
  taintEntryFlow,
  toolsWith,
  uniqueSubjects,
  untrustedClass,
  delegatedTools,
  type DelegatedReach,
} from "./lib/agents.js";

/** How many action tools a finding lists as facts; the message names them all. */
const MAX_TOOL_FACTS = 6;

/** An agent that plans in a loop, reads attacker content and can act: its goal can be replaced. */
export default defineRule(
  {
    id: "AT-38",
    title: "Agent goal hijack driving multi-step actions",
    description:
      "An agent that plans and acts in a loop has attacker-written content in its context and tools that change state. Instructions hidden in that content can replace the task the agent was given, and because the agent chains calls without a person between steps, it carries out the attacker's plan step by step: gathering data, changing records, paying, sending.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0051", "AML.T0053", "AML.T0094"],
    owasp: ["ASI01:2026", "LLM01:2025", "LLM06:2025"],
    nist: ["NISTAML.015", "NISTAML.027"],
    cosai: ["riskPromptInjection", "riskRogueActions"],
    likelihood: "high",
    likelihoodBasis:
      "ATLAS rates prompt injection as realized; attacker content demonstrably reaches this agent",
    impact: "high",
    impactBasis: "the attacker directs a sequence of actions with the agent's privileges",
    mitigations: ["human_approval", "taint_tracking", "spotlighting", "input_filter"],
    detection:
      "An agent with `autonomy loop` or `autonomous` that attacker content of any run-time class reaches (over any chain of flows, tool results included), and that can reach at least one tool with a state-changing or outbound capability, its own or one held by an agent it delegates to. Tools a person approves count as mitigation only when every such tool is approved. The agent's own spotlighting, input filter and restricted tools on untrusted data count whatever its tools state: a tool's `approval` replaces only the agent's approval, declared or implied. That approval is the default for the agent's own tool calls: it does not confirm what the agents it delegates to do.",
    falsePositives:
      "The loop is bounded by a fixed plan the model cannot change (a workflow engine choosing the steps), which the model does not show.",
    references: [
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
      "https://atlas.mitre.org/techniques/AML.T0051",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    for (const agent of componentsOf(graph, "agent")) {
      if (!isAutonomous(agent)) continue;
      const cls = untrustedClass(facts, agent.index);
      if (!cls) continue;
      // What the agent can get done: its own tools, and tools of agents it delegates to.
      const actions: DelegatedReach[] = [
        ...toolsWith(graph, agent, ACTIONS).map((reach) => ({ holder: agent, delegations: [], reach })),
        ...delegatedTools(graph, agent, ACTIONS),
      ];
      if (actions.length === 0) continue;
      const ungated = actions.filter((a) => !a.reach.gated);
      const shown = ungated.length > 0 ? ungated : actions;
      const entry = taintEntryFlow(graph, facts, agent.index, cls);
      // With an unconfirmed action left, only controls on the agent or the way in cut the hijack;
      // when every action needs a person, the approvals themselves are the control. A tool of the
      // agent's that states its own approval replaces only the agent's approval: its spotlighting,
      // taint tracking and input filter still count (as in AT-36 and AT-39). Nor does its approval
      // confirm what the agents it delegates to do: their tools answer to their own approval.
      const points: ControlPoint[] = [
        agentPoint(
          agent,
          ungated.some((a) => a.holder === agent && a.reach.overridesAgent)
            ? "overridden"
            : ungated.some((a) => a.holder !== agent)
              ? "delegated"
              : undefined,
        ),
        ...(entry ? [flowSubject(entry)] : []),
        ...(ungated.length === 0
          ? actions.flatMap((a) => [...a.delegations.map(flowSubject), ...reachPoints(a.holder, a.reach)])
          : []),
      ];
      const caps = capsUnion(
        shown.map((a) => a.reach),
        ACTIONS,
      );
      const irreversible = caps.some((c) => IRREVERSIBLE.includes(c));
      const unattended = agent.props.autonomy === "autonomous";
      const via = (a: DelegatedReach) =>
        a.holder === agent
          ? `\`${a.reach.tool.name}\``
          : `\`${a.reach.tool.name}\` (via \`${a.holder.name}\`)`;
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` acts in a loop with untrusted content in its context and can ${codeList(caps)} through ${shown.slice(0, 6).map(via).join(", ")}${ungated.length > 0 ? " without confirmation" : ""}: injected instructions can steer a whole sequence of actions`,
        facts: [
          autonomyFact(agent),
          ...taintChain(graph, facts, agent.index, cls),
          ...toolFacts(graph, shown.slice(0, MAX_TOOL_FACTS)),
        ],
        controlPoints: uniqueSubjects(points),
        ...adjust(
          unattended
            ? { level: "very_high", why: ["it runs unattended (`autonomy autonomous`)"] }
            : undefined,
          irreversible
            ? { level: "very_high", why: ["some of those actions cannot easily be undone"] }
            : undefined,
        ),
      });
    }
  },
);

/**
 * Per shown reach, its delegations, capabilities and approval: a module function (not a closure made
 * per compile), so V8 keeps its optimized code from one compile to the next.
 */
function toolFacts(graph: ThreatGraph, shown: readonly DelegatedReach[]): Fact[] {
  const out: Fact[] = [];
  for (const a of shown) {
    for (const f of a.delegations)
      out.push({
        text: `\`${graph.model.components[f.from]!.name} -> ${graph.model.components[f.to]!.name}\` (delegate) hands the task on`,
        loc: f.loc,
      });
    out.push(capabilityFact(a.reach, ACTIONS), approvalFact(a.holder, a.reach));
  }
  return out;
}
