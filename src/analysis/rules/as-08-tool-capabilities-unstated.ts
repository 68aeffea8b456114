import { componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";

/** A tool or MCP server that does not say what it can do. */
export default defineRule(
  {
    id: "AS-08",
    title: "Tool capabilities not stated",
    description:
      "The model does not say what this tool or MCP server can do: read, write, delete, pay, run code, browse, send data outside. Every agent rule that asks what an agent can do through its tools treats it as able to do nothing, so excessive-agency, exfiltration and code-execution findings can be missing; state `capabilities` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0053"],
    owasp: ["LLM06:2025", "ASI02:2026"],
    nist: [],
    cosai: [],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "findings about what agents can do through this tool may be missing",
    mitigations: [],
    detection: "A tool or MCP server without a `capabilities` property.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["tool", "mcp_server"],
  },
  ({ graph, report }) => {
    for (const tool of [...componentsOf(graph, "tool"), ...componentsOf(graph, "mcp_server")].sort(
      (a, b) => a.index - b.index,
    )) {
      if (tool.props.capabilities !== undefined) continue;
      report({
        subject: componentSubject(tool),
        message: `\`${tool.name}\` does not say what it can do; treated as having no capabilities`,
        facts: [
          { text: `\`${tool.name}\` (${tool.kind}) has no \`capabilities\` property`, loc: tool.nameLoc },
        ],
      });
    }
  },
);
