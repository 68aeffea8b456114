import { flowsOf } from "../../graph/threat-graph.js";
import { describe, taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { crossesBoundary } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { adjust, untrustedClass } from "./lib/agents.js";

/** Agent-to-agent and agent-to-MCP channels without authentication, and agents obeying agents. */
export default defineRule(
  {
    id: "AT-47",
    title: "Insecure inter-agent communication and transitive trust",
    description:
      "Agents hand tasks to other agents and call MCP servers over channels that cross a trust boundary without authenticating the sender or protecting the messages, so anyone on the way can read, alter or forge them. And an agent that takes another agent's task as its instructions inherits whatever the first one was told: content an attacker planted upstream arrives downstream as an order from a colleague.",
    category: "threat",
    stride: ["spoofing", "tampering"],
    atlas: ["AML.T0051.001", "AML.T0073"],
    owasp: ["ASI07:2026"],
    nist: [],
    cosai: ["riskMCPTransportHijacking"],
    likelihood: "medium",
    likelihoodBasis:
      "forging or altering an unauthenticated message needs network position or a planted instruction upstream",
    impact: "high",
    impactBasis: "the receiving agent acts on a task it believes a trusted agent sent",
    mitigations: ["encryption_in_transit", "access_control", "input_filter", "spotlighting", "segmentation"],
    detection:
      "Key `channel`: a `delegate` flow, or an `invoke` flow from an agent to an MCP server, that crosses a trust boundary (different zone or trust level) and either has no `auth` (or `auth none`) or is not `encrypted true`; encryption or access control on the flow mitigates. Key `instructions`: a `delegate` flow whose delegating agent attacker content reaches; an input guardrail, spotlighting or segmentation on the receiving agent mitigates.",
    falsePositives:
      "The agent framework signs every message end to end, or the receiving agent treats delegated tasks strictly as data, and the model does not say so.",
    references: [
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
      "https://atlas.mitre.org/techniques/AML.T0051",
    ],
    appliesTo: ["flow"],
  },
  ({ graph, facts, report }) => {
    const comps = graph.model.components;
    const channels = [
      ...flowsOf(graph, "delegate"),
      ...flowsOf(graph, "invoke").filter(
        (f) => comps[f.from]!.kind === "agent" && comps[f.to]!.kind === "mcp_server",
      ),
    ].sort((a, b) => a.index - b.index);
    for (const f of channels) {
      const a = comps[f.from]!;
      const b = comps[f.to]!;
      const unauth = f.auth === undefined || f.auth === "none";
      const plain = f.encrypted !== true;
      if (crossesBoundary(graph, f) && (unauth || plain)) {
        const gaps = [...(unauth ? ["no authentication"] : []), ...(plain ? ["no encryption"] : [])];
        const facts: Fact[] = [
          { text: `${describe(graph, a)} talks to \`${b.name}\` across a trust boundary`, loc: a.nameLoc },
          { text: `${describe(graph, b)} receives it`, loc: b.nameLoc },
        ];
        if (unauth)
          facts.push({
            text:
              f.auth === "none"
                ? `\`${f.id}\` states \`auth none\``
                : `\`${f.id}\` does not say how \`${b.name}\` authenticates the sender`,
            loc: f.propLocs["auth"] ?? f.loc,
          });
        if (plain)
          facts.push({
            text:
              f.encrypted === false
                ? `\`${f.id}\` states \`encrypted false\``
                : `\`${f.id}\` is not declared encrypted`,
            loc: f.propLocs["encrypted"] ?? f.loc,
          });
        report({
          subject: flowSubject(f),
          key: "channel",
          message: `\`${a.name}\` ${f.kind === "delegate" ? "delegates to" : "calls"} \`${b.name}\` across a trust boundary with ${gaps.join(" and ")}: messages can be forged, altered or read on the way`,
          facts,
          // Only controls on the channel itself protect it.
          controlPoints: [flowSubject(f)],
        });
      }
      if (f.kind !== "delegate") continue;
      const cls = untrustedClass(facts, a.index);
      if (!cls) continue;
      report({
        subject: flowSubject(f),
        key: "instructions",
        message: `\`${b.name}\` takes tasks from \`${a.name}\`, which untrusted content reaches: injected instructions arrive as orders from a trusted agent`,
        facts: [
          ...taintChain(graph, facts, a.index, cls),
          {
            text: `\`${a.name} -> ${b.name}\` (delegate) hands \`${b.name}\` a task written by \`${a.name}\``,
            loc: f.loc,
          },
        ],
        // Only the receiving agent's handling of the task cuts this.
        controlPoints: [componentSubject(b)],
        ...adjust(
          { level: "high", why: ["attacker content demonstrably reaches the delegating agent"] },
          undefined,
        ),
      });
    }
  },
);
