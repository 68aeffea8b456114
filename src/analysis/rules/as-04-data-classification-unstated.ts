import { defineRule } from "../rule.js";

/** A data asset that does not say how sensitive it is. */
export default defineRule(
  {
    id: "AS-04",
    title: "Data classification not stated",
    description:
      "The data asset has no classification. The analysis cannot tell whether it is public or personal, so it counts it as nothing sensitive: disclosure, theft and consent findings about the stores, datasets, models and agents it reaches may be missing. State `classification` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["information_disclosure"],
    atlas: ["AML.T0057"],
    owasp: ["LLM02:2025"],
    nist: [],
    cosai: ["riskSensitiveDataDisclosure"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "sensitivity-based findings that depend on it may be missing",
    mitigations: ["pii_redaction"],
    detection: "A `data` declaration without a `classification` property.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    // The subject is the `data` declaration itself; RuleMeta has no "data" kind, so this lists where
    // unclassified data is declared to rest or move.
    appliesTo: ["dataset", "store", "vectorstore", "flow"],
  },
  ({ model, report }) => {
    for (const d of model.data) {
      if (d.classification !== undefined) continue;
      report({
        subject: { type: "data", index: d.index },
        message: `\`${d.name}\` does not say how sensitive it is; assumed not sensitive`,
        facts: [{ text: `\`${d.name}\` has no \`classification\` property`, loc: d.nameLoc }],
      });
    }
  },
);
