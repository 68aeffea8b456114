import { componentsOf, inFlows } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";
import { QUERY_FLOWS } from "./lib/inference.js";

/** An endpoint that does not say how its callers authenticate. */
export default defineRule(
  {
    id: "AS-05",
    title: "Endpoint authentication not stated",
    description:
      "The model does not say how callers of this endpoint authenticate, neither on the endpoint nor on every flow that calls it. The analysis then cannot tell an open endpoint from a locked one, and treats whoever can reach it as able to call it; state `auth` on the endpoint (or on its incoming flows) to replace the assumption with a fact.",
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
      "An endpoint without an `auth` property, unless every prompt, invoke or delegate flow into it states `auth`.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["endpoint"],
  },
  ({ graph, report }) => {
    for (const ep of componentsOf(graph, "endpoint")) {
      if (ep.props.auth !== undefined) continue;
      const calls = inFlows(graph, ep.index).filter((f) => QUERY_FLOWS.has(f.kind));
      if (calls.length > 0 && calls.every((f) => f.auth !== undefined)) continue;
      const open = calls.find((f) => f.auth === undefined);
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
  },
);
