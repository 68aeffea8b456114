import type { Fact } from "../facts.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule, type FindingDraft, type RuleMeta } from "../rule.js";
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

/** Telling whether a person's record was in the training set of a model outsiders can query. */
const meta: RuleMeta = {
  id: "AT-15",
  title: "Membership inference on a model trained on personal data",
  description:
    "A model that learnt from personal or otherwise sensitive records answers parties who are not entitled to that data. By comparing how confidently the model responds to a record it may or may not have seen, they can tell whether a given person is in the training set, which by itself can reveal a diagnosis, a debt or a membership. Raw confidence scores make the test much sharper.",
  category: "threat",
  stride: ["information_disclosure"],
  atlas: ["AML.T0024.000", "AML.T0040"],
  owasp: ["ML04:2023", "LLM02:2025"],
  nist: ["NISTAML.033"],
  cosai: ["riskSensitiveDataDisclosure"],
  likelihood: "medium",
  likelihoodBasis: "ATLAS rates membership inference as feasible; it needs many well-chosen queries",
  impact: "high",
  impactBasis: "reveals that a specific person's sensitive record exists, a privacy breach in its own right",
  mitigations: ["differential_privacy", "output_obfuscation", "rate_limit", "quota", "audit_log"],
  detection:
    "A component that answers with a model whose training lineage (train flows, training pipelines, produce, publish, deploy and serve) brings in data classified personal or above (a credential a training job reads over `read` is not training data), and that a party less trusted than the model reaches over prompt, invoke or delegate flows.",
  falsePositives:
    "The training data is about the organisation's own operations rather than individuals, or the model was trained with a differential-privacy guarantee the model does not state.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0024.000",
    "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML04_2023-Membership_Inference_Attack",
  ],
  appliesTo: ["endpoint", "agent", "app", "model"],
};

export default defineRule(meta, ({ graph, facts, report }) => {
  const tr = trained(graph, facts);
  const guard = guardOf(graph, meta);
  const qa = queryAccess(graph, facts);
  for (const { front, model, partyRank } of trainedExposures(graph, facts, "personal")) {
    const scores = front.kind === "endpoint" && front.props.returns_scores === true;
    const extra: Fact[] = [
      { text: `${describe(graph, model)} answers at \`${front.name}\``, loc: model.nameLoc },
    ];
    if (scores)
      extra.push(
        propFact(
          front,
          "returns_scores",
          `\`${front.name}\` returns confidence scores (\`returns_scores true\`)`,
        ),
      );
    const party = partyAdjustment(partyRank, scores ? "high" : "medium");
    const draft: FindingDraft = {
      subject: componentSubject(front),
      message: `\`${trustName(partyRank)}\` callers of \`${front.name}\` can test whether a person's record was used to train \`${model.name}\`${scores ? ", helped by raw confidence scores" : ""}`,
      facts: [
        ...queryChain(graph, qa, front.index),
        ...trainedChain(graph, facts, tr, front.index),
        ...extra,
      ],
      controlPoints: [
        ...queryPoints(graph, qa, front.index),
        ...lineagePoints(graph, facts, tr, front.index, guard),
      ],
      ...(scores
        ? {
            likelihood: "high" as const,
            adjustment: "confidence scores make membership tests far more accurate",
          }
        : {}),
      ...(party.likelihood
        ? {
            likelihood: party.likelihood,
            adjustment: scores ? `confidence scores are returned, but ${party.adjustment}` : party.adjustment,
          }
        : {}),
    };
    report(draft);
  }
});
