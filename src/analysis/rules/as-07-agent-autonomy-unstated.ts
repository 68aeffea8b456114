import { componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";

/** An agent that does not say how far it acts on its own. */
export default defineRule(
  {
    id: "AS-07",
    title: "Agent autonomy not stated",
    description:
      "The model does not say how far this agent acts on its own: whether it only suggests, takes one step per request, plans in a loop, or runs unattended. Goal-hijack, runaway-loop and approval-fatigue findings depend on it, and the analysis treats the agent as acting one step at a time; state `autonomy` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0053"],
    owasp: ["LLM06:2025"],
    nist: [],
    cosai: [],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "agent findings that depend on autonomy may be missing or overstated",
    mitigations: [],
    detection: "An agent without an `autonomy` property.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["agent"],
  },
  ({ graph, report }) => {
    for (const agent of componentsOf(graph, "agent")) {
      if (agent.props.autonomy !== undefined) continue;
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` does not say how autonomous it is; treated as acting one step per request`,
        facts: [{ text: `\`${agent.name}\` has no \`autonomy\` property`, loc: agent.nameLoc }],
      });
    }
  },
);
