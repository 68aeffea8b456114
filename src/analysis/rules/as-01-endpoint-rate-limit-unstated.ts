import { componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";

/** An endpoint that does not say whether it is rate limited. */
export default defineRule(
  {
    id: "AS-01",
    title: "Endpoint rate limiting not stated",
    description:
      "The model does not say whether this endpoint limits requests per caller. The analysis assumes it does not, which can raise extraction, denial-of-service and cost findings; state `rate_limit true` or `false` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["denial_of_service"],
    atlas: ["AML.T0029", "AML.T0034"],
    owasp: ["LLM10:2025"],
    nist: [],
    cosai: ["riskDenialOfMLService"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "findings that depend on it may be wrong either way",
    mitigations: ["rate_limit"],
    detection: "An endpoint without a `rate_limit` property.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["endpoint"],
  },
  ({ graph, report }) => {
    for (const ep of componentsOf(graph, "endpoint")) {
      if (ep.props.rate_limit !== undefined) continue;
      report({
        subject: componentSubject(ep),
        message: `\`${ep.name}\` does not say whether it is rate limited; assumed not`,
        facts: [{ text: `\`${ep.name}\` has no \`rate_limit\` property`, loc: ep.nameLoc }],
      });
    }
  },
);
