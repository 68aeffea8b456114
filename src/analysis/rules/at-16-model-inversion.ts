import { describe } from "../explain.js";
import { componentSubject, defineRule, type RuleMeta } from "../rule.js";
import {
  lineagePoints,
  partyAdjustment,
  propFact,
  queryAccess,
  queryChain,
  queryPoints,
  trained,
  trainedChain,
  trainedExposures,
  trustName,
} from "./lib/inference.js";
import { guardOf } from "./lib/training.js";

/** Reconstructing training records from the scores of a predictive model. */
const meta: RuleMeta = {
  id: "AT-16",
  title: "Model inversion: reconstructing training data from scores",
  description:
    "A predictive model trained on personal or sensitive records returns confidence scores to parties who are not entitled to those records. By searching for the inputs that maximise the score of a class or an identity, they can rebuild a representative record (a face behind a name, the typical attributes of a patient group) from the model alone.",
  category: "threat",
  stride: ["information_disclosure"],
  atlas: ["AML.T0024.001", "AML.T0040"],
  owasp: ["ML03:2023", "LLM02:2025"],
  nist: ["NISTAML.032"],
  cosai: ["riskSensitiveDataDisclosure"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates model inversion as feasible; raw scores give the gradient-free search what it needs",
  impact: "high",
  impactBasis: "reconstructed records expose individuals' sensitive attributes",
  mitigations: ["output_obfuscation", "differential_privacy", "rate_limit", "quota", "audit_log"],
  detection:
    "An endpoint with `returns_scores true` that answers with a predictive model trained (through its lineage) on data classified personal or above, reached by a party less trusted than the model.",
  falsePositives:
    "The classes do not correspond to individuals or small groups (e.g. a model that scores transactions, not people), so there is nothing person-shaped to reconstruct.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0024.001",
    "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML03_2023-Model_Inversion_Attack",
  ],
  appliesTo: ["endpoint"],
};

export default defineRule(meta, ({ graph, facts, report }) => {
  const tr = trained(graph, facts);
  const guard = guardOf(graph, meta);
  const qa = queryAccess(graph, facts);
  for (const { front, model, partyRank } of trainedExposures(graph, facts, "personal")) {
    if (front.kind !== "endpoint" || front.props.returns_scores !== true) continue;
    if (model.kind !== "model" || model.props.family !== "predictive") continue;
    report({
      subject: componentSubject(front),
      message: `\`${front.name}\` returns scores from \`${model.name}\` to \`${trustName(partyRank)}\` callers, who can search them to rebuild the personal records it was trained on`,
      facts: [
        ...queryChain(graph, qa, front.index),
        ...trainedChain(graph, facts, tr, front.index),
        propFact(model, "family", `${describe(graph, model)} is a predictive model`),
        propFact(
          front,
          "returns_scores",
          `\`${front.name}\` returns confidence scores (\`returns_scores true\`)`,
        ),
      ],
      controlPoints: [
        ...queryPoints(graph, qa, front.index),
        ...lineagePoints(graph, facts, tr, front.index, guard),
      ],
      ...partyAdjustment(partyRank, "medium"),
    });
  }
});
