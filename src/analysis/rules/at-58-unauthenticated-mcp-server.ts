import { componentsOf, inFlows } from "../../graph/threat-graph.js";
import { describe } from "../explain.js";
import type { Fact } from "../facts.js";
import { attackerTrust, crossesBoundary } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { ACTIONS, adjust, toolCaps, codeList, propFact } from "./lib/agents.js";

/** An MCP server listening on the network without checking who calls it. */
export default defineRule(
  {
    id: "AT-58",
    title: "MCP server reachable over the network without authentication",
    description:
      "An MCP server accepts connections over HTTP (or from another trust zone) and does not authenticate its callers. Anyone who can reach it on the network can list and call its tools directly, with the server's own access, bypassing the agent and everything that guards the agent, or can pose as the server to the agents that use it.",
    category: "threat",
    stride: ["spoofing", "elevation_of_privilege"],
    atlas: ["AML.T0049", "AML.T0053"],
    owasp: ["ASI07:2026", "ASI02:2026"],
    nist: [],
    cosai: ["riskMCPTransportHijacking", "riskInsecureIntegratedComponent"],
    likelihood: "medium",
    likelihoodBasis:
      "exposed, unauthenticated AI services are found and exploited routinely (ATLAS rates public-facing exploitation as realized); it needs network reach",
    impact: "high",
    impactBasis: "the server's tools run for whoever connects, with the server's access",
    mitigations: ["access_control", "segmentation"],
    detection:
      "An MCP server with `transport http`, or with no transport stated and an `invoke` flow into it that crosses a trust boundary, whose `auth` is `none` or unstated, unless every `invoke` flow into it states an authentication method.",
    falsePositives:
      "The server only listens on a loopback interface or a private network segment enforced elsewhere, which the model does not show.",
    references: [
      "https://modelcontextprotocol.io/specification/draft/basic/authorization",
      "https://atlas.mitre.org/techniques/AML.T0049",
    ],
    appliesTo: ["mcp_server"],
  },
  ({ graph, report }) => {
    const comps = graph.model.components;
    for (const server of componentsOf(graph, "mcp_server")) {
      const auth = server.props.auth;
      if (auth !== undefined && auth !== "none") continue;
      const callers = inFlows(graph, server.index).filter((f) => f.kind === "invoke");
      const crossing = callers.find((f) => crossesBoundary(graph, f));
      const transport = server.props.transport;
      if (transport === "stdio" || (transport === undefined && !crossing)) continue;
      if (callers.length > 0 && callers.every((f) => f.auth !== undefined && f.auth !== "none")) continue;
      const facts: Fact[] = [
        transport === "http"
          ? propFact(server, "transport", `\`${server.name}\` listens over HTTP (\`transport http\`)`)
          : {
              text: `\`${comps[crossing!.from]!.name} -> ${server.name}\` (invoke) reaches \`${server.name}\` across a trust boundary`,
              loc: crossing!.loc,
            },
        auth === "none"
          ? propFact(server, "auth", `\`${server.name}\` states \`auth none\``)
          : {
              text: `\`${server.name}\` does not say how callers authenticate (\`auth\`); assumed not at all`,
              loc: server.nameLoc,
            },
      ];
      // Reachable by outsiders: the server sits at attacker trust, or an attacker-level party calls it.
      const outsider = attackerTrust(server)
        ? server
        : callers.map((f) => comps[f.from]!).find((c) => attackerTrust(c));
      if (outsider) facts.push({ text: `${describe(graph, outsider)} can reach it`, loc: outsider.nameLoc });
      const caps = toolCaps(server, ACTIONS);
      if (caps.length > 0) facts.push(propFact(server, "capabilities", `its tools can ${codeList(caps)}`));
      report({
        subject: componentSubject(server),
        message: `\`${server.name}\` ${auth === "none" ? "accepts" : "is assumed to accept (AS-05)"} ${transport === "http" ? "HTTP" : "cross-zone"} connections without authenticating callers: anyone who reaches it can call its tools${caps.length > 0 ? ` and ${codeList(caps)}` : ""}`,
        facts,
        controlPoints: [componentSubject(server), ...callers.map(flowSubject)],
        ...adjust(
          outsider ? { level: "high", why: ["an untrusted party can reach it"] } : undefined,
          caps.length > 0 ? { level: "very_high", why: [`its tools can ${codeList(caps)}`] } : undefined,
        ),
      });
    }
  },
);
