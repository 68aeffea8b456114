import { componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";

/** A model that does not say how its weights are serialized. */
export default defineRule(
  {
    id: "AS-03",
    title: "Model serialization format not stated",
    description:
      "The model does not say how its weights are stored. Some formats (pickle, PyTorch, joblib, Keras) run code when loaded, others (safetensors, ONNX, GGUF) do not. The analysis assumes a safe format, which hides code-execution findings on load; state `format` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0011.000"],
    owasp: ["LLM03:2025"],
    nist: [],
    cosai: ["riskMaliciousLoaderDeserialization"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "a code-execution finding that depends on it may be missing",
    mitigations: ["safe_serialization"],
    detection: "A model without a `format` property.",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["model"],
  },
  ({ graph, report }) => {
    for (const m of componentsOf(graph, "model")) {
      if (m.props.format !== undefined) continue;
      report({
        subject: componentSubject(m),
        message: `\`${m.name}\` does not say how its weights are serialized; assumed a format that cannot run code`,
        facts: [{ text: `\`${m.name}\` has no \`format\` property`, loc: m.nameLoc }],
      });
    }
  },
);
