import { FLOW_KIND_CODE, inFlows } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import { describe } from "../explain.js";
import { capabilities, invokedBy } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { flowFact, flowName, propFact } from "./lib/inference.js";

/** A package registry flowing into one of the given components. */
function registryFeeding(
  g: Parameters<typeof inFlows>[0],
  targets: readonly Component[],
): { registry: Component; flow: Flow } | undefined {
  let found: { registry: Component; flow: Flow } | undefined;
  for (const t of targets) {
    for (const f of inFlows(g, t.index)) {
      const r = g.model.components[f.from]!;
      if (r.kind !== "registry" || r.props.type !== "packages") continue;
      // Prefer a public registry: anyone can publish the name the model made up.
      if (!found || (r.kind === "registry" && r.props.origin === "public")) found = { registry: r, flow: f };
    }
  }
  return found;
}

/** Installing a package whose name the model invented, which an attacker has since registered. */
export default defineRule(
  {
    id: "AT-35",
    title: "Hallucinated package names installed from LLM suggestions",
    description:
      "A coding agent can run code or write project files and installs packages from a registry. Models regularly suggest package names that do not exist, and repeat the same invented names across users; attackers register those names with malicious code (slopsquatting). The agent then installs and runs the attacker's package on the model's word.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0060", "AML.T0062", "AML.T0011.001"],
    owasp: ["LLM09:2025", "LLM03:2025"],
    nist: [],
    cosai: ["riskInsecureModelOutput"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates publishing hallucinated entities as demonstrated; invented names recur predictably",
    impact: "high",
    impactBasis: "attacker code runs wherever the agent installs it, often with developer or CI credentials",
    mitigations: ["human_approval", "artifact_scanning", "aibom", "sandbox"],
    detection:
      "An agent invokes a tool or MCP server with `execute_code` or `file_system`, and a registry of `type packages` flows into that tool or into the agent.",
    falsePositives:
      "The registry is a private mirror that only serves reviewed packages, so an invented name cannot resolve to anything.",
    references: ["https://atlas.mitre.org/techniques/AML.T0060"],
    appliesTo: ["agent"],
  },
  ({ graph, facts: _facts, report }) => {
    // What package registries flow into: an agent qualifies only when it or a tool it invokes is
    // among them, so agents are looked at only then (the registries are few, the agents many).
    const fed = new Set<number>();
    for (const i of graph.byKind.get("registry") ?? []) {
      const r = graph.model.components[i]!;
      if (r.kind !== "registry" || r.props.type !== "packages") continue;
      const { outStart, edgeTo } = graph.csr;
      for (let e = outStart[i]!; e < outStart[i + 1]!; e++) fed.add(edgeTo[graph.csr.outEdges[e]!]!);
    }
    if (fed.size === 0) return;
    const invoke = FLOW_KIND_CODE.get("invoke")!;
    const maybeFed = (a: number): boolean => {
      if (fed.has(a)) return true;
      const { outStart, outEdges, edgeTo } = graph.csr;
      for (let e = outStart[a]!; e < outStart[a + 1]!; e++)
        if (graph.flowKind[outEdges[e]!] === invoke && fed.has(edgeTo[outEdges[e]!]!)) return true;
      return false;
    };
    for (const i of graph.byKind.get("agent") ?? []) {
      if (!maybeFed(i)) continue;
      const agent = graph.model.components[i] as Extract<Component, { kind: "agent" }>;
      const coders = invokedBy(graph, agent).filter(({ callee }) =>
        capabilities(callee).some((c) => c === "execute_code" || c === "file_system"),
      );
      if (coders.length === 0) continue;
      const feed = registryFeeding(graph, [agent, ...coders.map((c) => c.callee)]);
      if (!feed) continue;
      const { registry, flow } = feed;
      const tool = coders.find((c) => c.callee.index === flow.to) ?? coders[0]!;
      const isPublic = registry.kind === "registry" && registry.props.origin === "public";
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` can install packages from \`${registry.name}\` through \`${tool.callee.name}\`, including names the model made up and someone has since registered`,
        facts: [
          flowFact(
            graph,
            tool.flow,
            `lets \`${agent.name}\` use ${capabilities(tool.callee)
              .filter((c) => c === "execute_code" || c === "file_system")
              .map((c) => `\`${c}\``)
              .join(", ")} on \`${tool.callee.name}\``,
          ),
          {
            text: `\`${flowName(graph, flow)}\` (${flow.kind}) brings packages from ${describe(graph, registry)}`,
            loc: flow.loc,
          },
          ...(isPublic
            ? [
                propFact(
                  registry,
                  "origin",
                  `\`${registry.name}\` is public: anyone can publish a package name`,
                ),
              ]
            : []),
        ],
        controlPoints: [
          componentSubject(agent),
          componentSubject(tool.callee),
          flowSubject(tool.flow),
          componentSubject(registry),
          flowSubject(flow),
        ],
        ...(isPublic
          ? {
              likelihood: "high" as const,
              adjustment: "anyone can register the invented name on a public registry",
            }
          : {}),
      });
    }
  },
);
