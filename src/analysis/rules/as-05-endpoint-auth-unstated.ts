import { componentsOf, inFlows } from "../../graph/threat-graph.js";
import { crossesBoundary } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import { actorAuth, QUERY_FLOWS } from "./lib/inference.js";

/** An endpoint, or an MCP server reached over the network, that does not say how its callers authenticate. */
export default defineRule(
  {
    id: "AS-05",
    title: "Endpoint or MCP server authentication not stated",
    description:
      "The model does not say how callers of this endpoint, or of this MCP server reached over the network, authenticate, neither on the component nor on every flow that calls it. The analysis then cannot tell an open endpoint from a locked one, and treats whoever can reach it as able to call it; state `auth` on the endpoint or server (or on its incoming flows) to replace the assumption with a fact.",
    category: "assumption",
    stride: ["spoofing"],
    atlas: ["AML.T0040"],
    owasp: ["LLM10:2025"],
    nist: [],
    cosai: ["riskDenialOfMLService"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "access, denial-of-service and cost findings that depend on it may be wrong either way",
    mitigations: ["access_control"],
    detection:
      "An endpoint without an `auth` property, unless every prompt, request, invoke or delegate flow into it states `auth` (or comes from an actor that states `authenticated`); an MCP server without `auth` that listens over HTTP (`transport http`), or with no `transport` is called across a trust boundary, unless every invoke flow into it states `auth`. A `stdio` server runs as a local process and is not asked.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["endpoint", "mcp_server"],
  },
  ({ graph, report }) => {
    for (const ep of componentsOf(graph, "endpoint")) {
      if (ep.props.auth !== undefined) continue;
      const calls = inFlows(graph, ep.index).filter((f) => QUERY_FLOWS.has(f.kind));
      // A call from an actor that says whether it is authenticated states it too (ADR 17).
      const stated = (f: (typeof calls)[number]) => f.auth !== undefined || actorAuth(graph, f) !== undefined;
      if (calls.length > 0 && calls.every(stated)) continue;
      const open = calls.find((f) => !stated(f));
      report({
        subject: componentSubject(ep),
        message: `\`${ep.name}\` does not say how callers authenticate; assumed anyone who reaches it can call it`,
        facts: [
          { text: `\`${ep.name}\` has no \`auth\` property`, loc: ep.nameLoc },
          ...(open
            ? [
                {
                  text: `\`${graph.model.components[open.from]!.name} -> ${ep.name}\` (${open.kind}) does not state \`auth\` either`,
                  loc: open.loc,
                },
              ]
            : []),
        ],
      });
    }
    // MCP servers reached over the network: AT-58 assumes the worst for them, said here.
    for (const server of componentsOf(graph, "mcp_server")) {
      if (server.props.auth !== undefined) continue;
      const transport = server.props.transport;
      if (transport === "stdio") continue;
      const calls = inFlows(graph, server.index).filter((f) => f.kind === "invoke");
      const crossing = calls.find((f) => crossesBoundary(graph, f));
      if (transport === undefined && !crossing) continue;
      if (calls.length > 0 && calls.every((f) => f.auth !== undefined)) continue;
      report({
        subject: componentSubject(server),
        message: `\`${server.name}\` does not say how agents calling it over the network authenticate; assumed anyone who reaches it can call its tools`,
        facts: [
          transport === "http"
            ? {
                text: `\`${server.name}\` listens over HTTP (\`transport http\`)`,
                loc: server.propLocs["transport"] ?? server.nameLoc,
              }
            : {
                text: `\`${graph.model.components[crossing!.from]!.name} -> ${server.name}\` (invoke) reaches it across a trust boundary`,
                loc: crossing!.loc,
              },
          { text: `\`${server.name}\` has no \`auth\` property`, loc: server.nameLoc },
        ],
      });
    }
  },
);
