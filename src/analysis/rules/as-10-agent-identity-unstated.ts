import { componentKindMask, componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";
import { toolsOf } from "./lib/agents.js";

/** Stores an agent reads with someone's privileges. */
const HOLDERS = componentKindMask(["store", "vectorstore"]);

/** An agent with tools or stores that does not say whose privileges it acts with. */
export default defineRule(
  {
    id: "AS-10",
    title: "Agent identity not stated",
    description:
      "The model does not say whose privileges this agent's tool calls and reads carry: the user's own (`identity user_delegated`) or the agent's service account. Over-sharing and confused-deputy findings turn on it, and the analysis assumes the agent's own privileges, the case that can reach more than the person asking may see; state `identity` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0053"],
    owasp: ["ASI03:2026", "LLM06:2025"],
    nist: [],
    cosai: [],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "over-sharing and confused-deputy findings that depend on it may be wrong either way",
    mitigations: [],
    detection:
      "An agent without an `identity` property that calls a tool or MCP server, or reads or retrieves from a store or vector store directly.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["agent"],
  },
  ({ graph, report }) => {
    const { inStart, inEdges } = graph.csr;
    for (const agent of componentsOf(graph, "agent")) {
      if (agent.props.identity !== undefined) continue;
      let reads = false;
      for (let i = inStart[agent.index]!; i < inStart[agent.index + 1]! && !reads; i++) {
        const f = graph.model.flows[inEdges[i]!]!;
        reads = (f.kind === "read" || f.kind === "retrieve") && HOLDERS[graph.compKind[f.from]!] === 1;
      }
      if (!reads && toolsOf(graph, agent).length === 0) continue;
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` does not say whose privileges its calls carry; assumed its own, not the requesting user's`,
        facts: [{ text: `\`${agent.name}\` has no \`identity\` property`, loc: agent.nameLoc }],
      });
    }
  },
);
