import { componentsOf, outFlows } from "../../graph/threat-graph.js";
import { taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { hasControl } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import {
  adjust,
  capabilityFact,
  reachFacts,
  untrustedClass,
  toolsWith,
  type Agent,
  type ToolReach,
  EXECUTE,
} from "./lib/agents.js";

// Flows by which code running in the tool reaches beyond it.
const EGRESS_FLOWS = new Set(["send", "write", "request", "invoke"]);

/** A tool that runs model-written code outside a sandbox. */
export default defineRule(
  {
    id: "AT-45",
    title: "Agent-generated code runs without a sandbox",
    description:
      "An agent can run code or shell commands that the model writes, and the tool that runs them is not declared sandboxed. Whatever the model is led to write (by a mistake, a poisoned document or injected instructions) runs with the tool's network, file system and credentials, and can escape to the host it runs on.",
    category: "threat",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0050", "AML.T0105"],
    owasp: ["ASI05:2026", "LLM05:2025"],
    nist: ["NISTAML.039"],
    cosai: ["riskInsecureModelOutput", "riskRogueActions"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates command execution through AI agents and escape to host as demonstrated; the model must first be led to write harmful code",
    impact: "very_high",
    impactBasis: "arbitrary code runs with the tool's access, a foothold on the host and its network",
    mitigations: ["sandbox", "segmentation", "least_privilege"],
    detection:
      "A tool or MCP server with the `execute_code` capability that an agent calls (directly or through other tools). A `sandbox` control on the tool or on the calling agent's runtime mitigates.",
    falsePositives:
      "The tool runs code in an isolated service (e.g. a managed code interpreter) whose isolation the model does not declare.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0050",
      "https://atlas.mitre.org/techniques/AML.T0105",
    ],
    appliesTo: ["tool", "mcp_server"],
  },
  ({ graph, facts, report }) => {
    // Per code-running tool, the agent that matters most: one attacker content reaches, else the first.
    const runners = new Map<number, { agent: Agent; reach: ToolReach; tainted: boolean }>();
    for (const agent of componentsOf(graph, "agent")) {
      const tainted = untrustedClass(facts, agent.index) !== undefined;
      for (const reach of toolsWith(graph, agent, EXECUTE)) {
        const seen = runners.get(reach.tool.index);
        if (!seen || (tainted && !seen.tainted)) runners.set(reach.tool.index, { agent, reach, tainted });
      }
    }
    for (const [index, { agent, reach }] of [...runners].sort((a, b) => a[0] - b[0])) {
      const tool = graph.model.components[index]!;
      const cls = untrustedClass(facts, agent.index);
      const sandboxed = hasControl(tool, "sandbox") || hasControl(agent, "sandbox");
      const egress = outFlows(graph, index).filter((f) => EGRESS_FLOWS.has(f.kind));
      const egressFacts: Fact[] = egress.slice(0, 3).map((f) => ({
        text: `\`${tool.name} -> ${graph.model.components[f.to]!.name}\` (${f.kind}) lets code running there reach \`${graph.model.components[f.to]!.name}\``,
        loc: f.loc,
      }));
      report({
        subject: componentSubject(tool),
        message: `\`${tool.name}\` runs code that \`${agent.name}\` writes${sandboxed ? "" : ", with no sandbox declared"}${cls ? ", and untrusted content reaches the agent" : ""}`,
        facts: [
          capabilityFact(reach, EXECUTE),
          ...reachFacts(graph, reach),
          ...(sandboxed
            ? []
            : [
                {
                  text: `neither \`${tool.name}\` nor \`${agent.name}\` declares \`sandbox\``,
                  loc: tool.nameLoc,
                },
              ]),
          ...egressFacts,
          ...(cls ? taintChain(graph, facts, agent.index, cls) : []),
        ],
        controlPoints: [componentSubject(tool), componentSubject(agent)],
        ...adjust(
          cls
            ? { level: "high", why: ["attacker content reaches the agent that writes the code"] }
            : undefined,
          undefined,
        ),
      });
    }
  },
);
