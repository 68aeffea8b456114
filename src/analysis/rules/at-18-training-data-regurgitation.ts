import { describe } from "../explain.js";
import { componentSubject, defineRule, levelReasons, type RuleMeta } from "../rule.js";
import type { Subject } from "../../semantic/model.js";
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
import { outFlows } from "../../graph/threat-graph.js";
import { classificationRank } from "../../semantic/vocabulary.js";

/** A generative model repeating what it memorised from non-public training data. */
const meta: RuleMeta = {
  id: "AT-18",
  title: "Memorised training data disclosed by a generative model",
  description:
    "A generative model trained or fine-tuned on data above `internal` talks to users who are not entitled to that data. Language and image models memorise rare and repeated training examples and can be coaxed, by ordinary prompting or by crafted prefixes, into reproducing them verbatim: names, addresses, contract clauses, source code, keys.",
  category: "threat",
  stride: ["information_disclosure"],
  atlas: ["AML.T0057", "AML.T0024"],
  owasp: ["LLM02:2025"],
  nist: ["NISTAML.037", "NISTAML.038"],
  cosai: ["riskSensitiveDataDisclosure"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates LLM data leakage as demonstrated; extraction of fine-tuning data is well documented",
  impact: "high",
  impactBasis: "confidential or personal records leave the organisation verbatim",
  mitigations: [
    "pii_redaction",
    "data_sanitization",
    "differential_privacy",
    "output_filter",
    "model_validation",
  ],
  detection:
    "A component that answers with a generative model whose training lineage brings in data classified confidential or above, reached over prompt, invoke or delegate flows by a party less trusted than the model. A credential a training job reads over `read` is not training data. Output guardrails right after the front count as controls, and so does redaction or sanitization on the way to the training input when every chain that brings the data there crosses it.",
  falsePositives:
    "The sensitive data only labels or filters the training set and is not itself in the training text, or it was removed before training by a step the model does not show.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0057",
    "https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/",
  ],
  appliesTo: ["endpoint", "agent", "app", "model"],
};

export default defineRule(meta, ({ graph, facts, report }) => {
  const tr = trained(graph, facts);
  const guard = guardOf(graph, meta);
  const qa = queryAccess(graph, facts);
  for (const { front, model, partyRank } of trainedExposures(graph, facts, "confidential")) {
    if (model.kind !== "model" || model.props.family !== "generative") continue;
    // An output guardrail the front's answers pass through can catch regurgitated records.
    const guards: Subject[] = outFlows(graph, front.index)
      .filter((f) => graph.model.components[f.to]!.kind === "guardrail")
      .flatMap((f) => [
        { type: "flow" as const, index: f.index },
        { type: "component" as const, index: f.to },
      ]);
    const severe = tr.rank[front.index]! >= classificationRank("sensitive");
    const party = partyAdjustment(partyRank, "medium");
    report({
      subject: componentSubject(front),
      message: `\`${trustName(partyRank)}\` users of \`${front.name}\` can prompt \`${model.name}\` into repeating data it memorised in training`,
      facts: [
        ...queryChain(graph, qa, front.index),
        ...trainedChain(graph, facts, tr, front.index),
        propFact(model, "family", `${describe(graph, model)} is a generative model`),
      ],
      controlPoints: [
        ...queryPoints(graph, qa, front.index),
        ...lineagePoints(graph, facts, tr, front.index, guard),
        ...guards,
      ],
      ...(severe ? { impact: "very_high" as const } : {}),
      ...party,
      ...levelReasons(
        party.adjustment,
        severe ? "the training data includes sensitive or secret records" : undefined,
      ),
    });
  }
});
