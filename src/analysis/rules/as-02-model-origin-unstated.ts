import { componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";

/** A model that does not say where its weights come from. */
export default defineRule(
  {
    id: "AS-02",
    title: "Model origin not stated",
    description:
      "The model does not say whether its weights were trained in house, fine-tuned, bought from a vendor or downloaded from a public hub. The analysis assumes they are the organisation's own, which hides supply-chain findings (a tampered third-party model, unsafe loading, missing inventory); state `origin` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["tampering"],
    atlas: ["AML.T0010.003"],
    owasp: ["LLM03:2025"],
    nist: [],
    cosai: ["riskModelSourceTampering"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "supply-chain findings that depend on it may be missing",
    mitigations: ["aibom"],
    detection: "A model without an `origin` property.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["model"],
  },
  ({ graph, report }) => {
    for (const m of componentsOf(graph, "model")) {
      if (m.props.origin !== undefined) continue;
      report({
        subject: componentSubject(m),
        message: `\`${m.name}\` does not say where its weights come from; assumed trained in house`,
        facts: [{ text: `\`${m.name}\` has no \`origin\` property`, loc: m.nameLoc }],
      });
    }
  },
);
