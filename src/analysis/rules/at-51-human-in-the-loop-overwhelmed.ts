import { componentsOf } from "../../graph/threat-graph.js";
import { hasControl } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import {
  ACTIONS,
  IRREVERSIBLE,
  adjust,
  approvalFact,
  autonomyFact,
  capabilityFact,
  capsUnion,
  reachCaps,
  codeList,
  isAutonomous,
  propFact,
  reachFacts,
  reachPoints,
  toolsWith,
  uniqueSubjects,
} from "./lib/agents.js";

/**
 * How many approval-gated high-impact tools make approvals routine for a looping agent. Three is a
 * judgement: one or two distinct confirmations stay meaningful, more become a stream people click through.
 */
const APPROVAL_FATIGUE_TOOLS = 3;
const MAX_TOOL_FACTS = 5;

/** Human approval as the only safeguard, either drowned in requests or routed around. */
export default defineRule(
  {
    id: "AT-51",
    title: "Human in the loop overwhelmed or bypassed",
    description:
      "A person approving an agent's actions is the only safeguard, and the design undermines it: a looping agent asks for approval on many kinds of high-impact action, so confirmations become routine and get clicked through, or the agent's approval requirement does not cover a tool that reaches the same effect, so the action can go around the person. Attackers exploit both, by burying one harmful request among many or by steering the agent to the ungated path.",
    category: "threat",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0046", "AML.T0053"],
    owasp: ["ASI09:2026", "LLM06:2025"],
    nist: [],
    cosai: ["riskRogueActions"],
    likelihood: "medium",
    likelihoodBasis:
      "approval fatigue is well documented and an opted-out tool only has to be chosen; ATLAS rates flooding reviewers as feasible",
    impact: "high",
    impactBasis:
      "a harmful action goes through with a person's approval, or without the one the design promised",
    mitigations: ["audit_log", "least_privilege", "taint_tracking", "segmentation"],
    detection: `Without a key: an agent with \`autonomy loop\` or \`autonomous\` whose only gate on ${APPROVAL_FATIGUE_TOOLS} or more state-changing or outbound tools is human approval. With a tool key: an agent whose default is human approval (\`approval human\` or a \`human_approval\` control) while a high-impact tool it calls states its own approval (\`none\` or \`automated\`).`,
    falsePositives:
      "Approvals are batched by risk and most actions are pre-authorised within limits, or the overriding tool is harmless in context, which the model does not show.",
    references: [
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
      "https://atlas.mitre.org/techniques/AML.T0046",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, report }) => {
    for (const agent of componentsOf(graph, "agent")) {
      const actions = toolsWith(graph, agent, ACTIONS);
      if (actions.length === 0) continue;
      const gated = actions.filter((r) => r.gated);
      if (isAutonomous(agent) && gated.length >= APPROVAL_FATIGUE_TOOLS) {
        const caps = capsUnion(gated, ACTIONS);
        report({
          subject: componentSubject(agent),
          message: `\`${agent.name}\` loops on its own and asks a person to approve ${gated.length} kinds of high-impact action (${codeList(gated.map((r) => r.tool.name))}): approvals become routine and a harmful one slips through`,
          facts: [
            autonomyFact(agent),
            ...gated
              .slice(0, MAX_TOOL_FACTS)
              .flatMap((r) => [capabilityFact(r, ACTIONS), approvalFact(agent, r)]),
          ],
          controlPoints: uniqueSubjects([
            componentSubject(agent),
            ...gated.flatMap((r) => reachPoints(agent, r, true)),
          ]),
          ...adjust(
            undefined,
            caps.some((c) => IRREVERSIBLE.includes(c))
              ? { level: "very_high", why: ["some of those actions cannot easily be undone"] }
              : undefined,
          ),
        });
      }
      const agentHuman = agent.props.approval === "human" || hasControl(agent, "human_approval");
      if (!agentHuman) continue;
      for (const r of actions.filter((x) => !x.gated && x.overridesAgent)) {
        const caps = reachCaps(r, ACTIONS);
        report({
          subject: componentSubject(agent),
          key: r.tool.name,
          message: `\`${agent.name}\` requires human approval by default, but \`${r.tool.name}\` opts out and can ${codeList(caps)}: the action can go around the person`,
          facts: [
            propFact(
              agent,
              "approval",
              `\`${agent.name}\` requires a person to approve its tool calls by default`,
            ),
            ...reachFacts(graph, r),
            capabilityFact(r, ACTIONS),
            approvalFact(agent, r),
          ],
          controlPoints: reachPoints(agent, r, true),
          ...adjust(
            undefined,
            caps.some((c) => IRREVERSIBLE.includes(c))
              ? { level: "very_high", why: ["the ungated action cannot easily be undone"] }
              : undefined,
          ),
        });
      }
    }
  },
);
