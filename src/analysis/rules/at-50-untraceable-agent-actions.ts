import { componentsOf, flowsOf } from "../../graph/threat-graph.js";
import { hasControl } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import {
  ACTIONS,
  IRREVERSIBLE,
  adjust,
  capabilityFact,
  capsUnion,
  codeList,
  reachPoints,
  toolsWith,
  uniqueSubjects,
} from "./lib/agents.js";

const MAX_TOOL_FACTS = 4;

/** An agent whose actions leave no record of who asked for what. */
export default defineRule(
  {
    id: "AT-50",
    title: "Untraceable agent actions",
    description:
      "An agent changes state, spends money or sends data out through its tools, and neither the agent nor those tools keeps an audit trail of the prompts, tool arguments and identities behind each call. When something goes wrong, or an attacker steers the agent, nobody can reconstruct what happened, on whose behalf, or prove it later.",
    category: "threat",
    stride: ["repudiation"],
    atlas: ["AML.T0053", "AML.T0092"],
    owasp: ["ASI10:2026"],
    nist: [],
    cosai: ["riskAgentDelegationChainOpacity"],
    likelihood: "medium",
    likelihoodBasis:
      "every agent that acts eventually needs an investigation; covering tracks in agent history is demonstrated in ATLAS",
    impact: "medium",
    impactBasis: "misuse goes undetected and cannot be attributed or reversed with confidence",
    mitigations: ["audit_log"],
    detection:
      "An agent that can reach a tool with a state-changing or outbound capability, with no `log` flow out of the agent or any of those tools. An `audit_log` control on the agent or anywhere on the way to those tools mitigates.",
    falsePositives: "The agent platform logs every tool call centrally, which the model does not show.",
    references: [
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
      "https://atlas.mitre.org/techniques/AML.T0053",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, report }) => {
    // Components with a modelled `log` flow out: their calls are recorded somewhere.
    const logs = new Uint8Array(graph.model.components.length);
    for (const f of flowsOf(graph, "log")) logs[f.from] = 1;
    for (const agent of componentsOf(graph, "agent")) {
      const actions = toolsWith(graph, agent, ACTIONS);
      if (actions.length === 0 || logs[agent.index]) continue;
      if (actions.some((r) => logs[r.tool.index] || r.via.some((c) => logs[c.index]))) continue;
      const audited =
        hasControl(agent, "audit_log") ||
        actions.some(
          (r) =>
            hasControl(r.tool, "audit_log") ||
            r.via.some((c) => hasControl(c, "audit_log")) ||
            r.path.some((f) => hasControl(f, "audit_log")),
        );
      const caps = capsUnion(actions, ACTIONS);
      const irreversible = caps.some((c) => IRREVERSIBLE.includes(c));
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` can ${codeList(caps)} through ${codeList(actions.map((r) => r.tool.name))}${audited ? ": only the declared audit log keeps those actions traceable" : " and nothing records those calls: its actions cannot be traced or attributed"}`,
        facts: [
          ...actions.slice(0, MAX_TOOL_FACTS).map((r) => capabilityFact(r, ACTIONS)),
          ...(audited
            ? []
            : [
                {
                  text: `no \`log\` flow leaves \`${agent.name}\` or its tools, and none of them declares \`audit_log\``,
                  loc: agent.nameLoc,
                },
              ]),
        ],
        controlPoints: uniqueSubjects([
          componentSubject(agent),
          ...actions.flatMap((r) => reachPoints(agent, r, true)),
        ]),
        ...adjust(
          undefined,
          irreversible
            ? { level: "high", why: ["untraced actions include ones that cannot easily be undone"] }
            : undefined,
        ),
      });
    }
  },
);
