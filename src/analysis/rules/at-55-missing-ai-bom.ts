import { FLOW_KIND_CODE } from "../../graph/threat-graph.js";
import type { Component, Subject } from "../../semantic/model.js";
import { ENTRY } from "../facts.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule } from "../rule.js";

/** What kind of third-party artifact a supply-chain entry is, in words. */
function artifactWord(c: Component): string {
  switch (c.kind) {
    case "model":
      return "third-party model";
    case "registry":
      return c.props.type === undefined ? "public registry" : `public registry of ${c.props.type}`;
    case "mcp_server":
      return "third-party MCP server";
    case "tool":
      return "third-party tool";
    default:
      return "third-party artifact";
  }
}

/** Third-party models, registries, tools and MCP servers that no AI bill of materials lists. */
export default defineRule(
  {
    id: "AT-55",
    title: "Third-party AI artifact without an AI bill of materials",
    description:
      "The system uses models, datasets, packages, tools or MCP servers made by others, and nothing inventories them with version, source and hash. When one of them turns out to be compromised or withdrawn (a poisoned model version, a hijacked package, an MCP server whose owner changed its tools), nobody can tell quickly whether and where it is in use, and a silent change goes unnoticed.",
    category: "threat",
    stride: ["tampering", "repudiation"],
    atlas: ["AML.T0010"],
    owasp: ["LLM03:2025", "ML06:2023", "ASI04:2026"],
    nist: ["NISTAML.05"],
    cosai: ["riskModelSourceTampering", "riskToolSourceProvenance"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates AI supply-chain compromise as realized; an inventory does not stop it but decides how long it goes unseen",
    impact: "medium",
    impactBasis:
      "slower detection of and response to a compromised component, and no evidence of what ran when",
    mitigations: ["aibom"],
    detection:
      "Every supply-chain entry (a public-hub or vendor model, a public registry, a third-party tool, a third-party or public-registry MCP server) is a subject. The `aibom` control counts on the artifact itself and on what uses it directly (the targets of its flows and the components that invoke it), since a consumer's bill of materials lists what it pulls.",
    falsePositives: "An inventory kept outside the model; declare `aibom` where it applies.",
    references: [
      "https://atlas.mitre.org/mitigations/AML.M0023",
      "https://genai.owasp.org/llmrisk/llm032025-supply-chain/",
    ],
    appliesTo: ["model", "registry", "tool", "mcp_server"],
  },
  ({ graph, facts, report }) => {
    const invoke = FLOW_KIND_CODE.get("invoke")!;
    const { outStart, outEdges, edgeTo, inStart, inEdges, edgeFrom } = graph.csr;
    // Indexed over the typed entry classes, with users read from the typed edges.
    for (let v = 0; v < graph.model.components.length; v++) {
      if (!(facts.entry[v]! & ENTRY.SUPPLY_CHAIN)) continue;
      const c = graph.model.components[v]!;
      const users: Subject[] = [];
      for (let i = outStart[v]!; i < outStart[v + 1]!; i++)
        users.push({ type: "component", index: edgeTo[outEdges[i]!]! });
      for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
        const fi = inEdges[i]!;
        if (graph.flowKind[fi] === invoke) users.push({ type: "component", index: edgeFrom[fi]! });
      }
      const prop = c.propLocs["origin"] ?? c.nameLoc;
      report({
        subject: componentSubject(c),
        message: `\`${c.name}\` is a ${artifactWord(c)}; without an AI bill of materials a compromised ${c.kind === "registry" ? "artifact pulled from it" : "version of it"} goes unnoticed and untraced`,
        facts: [
          {
            text: `${describe(graph, c)} is a ${artifactWord(c)}${"origin" in c.props && c.props.origin !== undefined ? ` (\`origin ${c.props.origin}\`)` : ""}`,
            loc: prop,
          },
        ],
        controlPoints: [componentSubject(c), ...users],
      });
    }
  },
);
