import { describe } from "../explain.js";
import { classificationOf } from "../facts.js";
import { componentSubject, defineRule, type RuleMeta } from "../rule.js";
import {
  lineagePoints,
  PARTNER_RANK,
  partyAdjustment,
  queryAccess,
  queryChain,
  queryPoints,
  trained,
  trainedChain,
  trainedExposures,
  trustName,
} from "./lib/inference.js";
import { guardOf } from "./lib/training.js";

/** Learning aggregate facts about confidential training data from a model's answers. */
const meta: RuleMeta = {
  id: "AT-17",
  title: "Property inference on confidential training data",
  description:
    "A model trained on confidential data answers partners or outsiders. Without recovering any single record, they can learn properties of the training set as a whole from how the model behaves: the share of fraud in a partner's transactions, the mix of customers in a region, which conditions a clinic treats. Those aggregates are often exactly what the data owner meant to keep to itself.",
  category: "threat",
  stride: ["information_disclosure"],
  atlas: ["AML.T0024", "AML.T0040"],
  owasp: ["ML04:2023", "LLM02:2025"],
  nist: ["NISTAML.034"],
  cosai: ["riskSensitiveDataDisclosure"],
  likelihood: "low",
  likelihoodBasis: "demonstrated in research; needs many queries and a guess of what to look for",
  impact: "medium",
  impactBasis: "leaks business or population statistics rather than individual records",
  mitigations: ["differential_privacy", "output_obfuscation", "rate_limit", "quota", "access_control"],
  detection:
    "A component that answers with a model whose training lineage brings in data classified confidential or above, reached over prompt, invoke or delegate flows by a partner or an untrusted party less trusted than the model.",
  falsePositives:
    "The aggregate properties of the training data are public anyway (published statistics), or the model is trained on the caller's own data only.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0024",
    "https://csrc.nist.gov/pubs/ai/100/2/e2025/final",
  ],
  appliesTo: ["endpoint", "agent", "app", "model"],
};

export default defineRule(meta, ({ graph, facts, report }) => {
  const tr = trained(graph, facts);
  const guard = guardOf(graph, meta);
  const qa = queryAccess(graph, facts);
  for (const { front, model, partyRank } of trainedExposures(graph, facts, "confidential", PARTNER_RANK)) {
    report({
      subject: componentSubject(front),
      message: `\`${trustName(partyRank)}\` callers of \`${front.name}\` can infer aggregate properties of the ${classificationOf(tr.rank[front.index]!)} data \`${model.name}\` was trained on`,
      facts: [
        ...queryChain(graph, qa, front.index),
        ...trainedChain(graph, facts, tr, front.index),
        { text: `${describe(graph, model)} answers at \`${front.name}\``, loc: model.nameLoc },
      ],
      controlPoints: [
        ...queryPoints(graph, qa, front.index),
        ...lineagePoints(graph, facts, tr, front.index, guard),
      ],
      ...partyAdjustment(partyRank, "low"),
    });
  }
});
