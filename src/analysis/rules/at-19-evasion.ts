import { UNTRUSTED_CONTENT } from "../facts.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import type { Subject } from "../../semantic/model.js";
import {
  crownFact,
  flowPoints,
  fronts,
  isServed,
  propFact,
  runtimeClass,
  runtimeEntryFlow,
  runtimeTaint,
  runtimeTaintChain,
  servedBy,
  servedUpstream,
  servingChain,
  servingPath,
} from "./lib/inference.js";

/** Inputs crafted to flip the decision of a predictive model that acts on its own. */
export default defineRule(
  {
    id: "AT-19",
    title: "Evasion with adversarial examples",
    description:
      "A predictive model decides on its own (fraud, spam, malware, moderation, access) from inputs an attacker can shape. Small, deliberate changes to those inputs, often invisible to a person, make the model return the answer the attacker wants, and nothing downstream checks it.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0015", "AML.T0043"],
    owasp: ["ML01:2023"],
    nist: ["NISTAML.022", "NISTAML.025"],
    cosai: ["riskModelEvasion"],
    likelihood: "high",
    likelihoodBasis: "ATLAS rates evasion as realized; the attacker writes the inputs",
    impact: "high",
    impactBasis: "the automated decision (block, approve, flag) is the attacker's to choose",
    mitigations: ["adversarial_training", "adversarial_detection", "rate_limit"],
    detection:
      "A predictive model with `decisions automated` answers at a component (itself, or an endpoint, agent or app it is served or deployed to) that run-time attacker content reaches: user input, outsider-written sources or tool output, over flows other than training and serving.",
    falsePositives:
      "The attacker gains nothing from a wrong decision (e.g. a recommender whose only user is the attacker), or a person reviews every decision the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0015",
      "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML01_2023-Input_Manipulation_Attack",
    ],
    appliesTo: ["model", "endpoint", "agent", "app"],
  },
  ({ graph, facts, report }) => {
    const served = servedBy(
      graph,
      facts,
      "automated-predictive",
      (m) => m.props.family === "predictive" && m.props.decisions === "automated",
    );
    const rt = runtimeTaint(graph, facts);
    const hit = (v: number) => (rt.bits[v]! & UNTRUSTED_CONTENT) !== 0;
    for (const front of fronts(
      graph,
      (v) => isServed(served, v),
      (v) => servedUpstream(graph, served, v),
      hit,
    )) {
      const cls = runtimeClass(rt, front.index, UNTRUSTED_CONTENT)!;
      const { model, flows } = servingPath(graph, served, front.index);
      const entry = runtimeEntryFlow(graph, facts, rt, front.index, cls);
      const points: Subject[] = [componentSubject(front), ...flowPoints(flows)];
      if (entry) points.push(flowSubject(entry));
      const crown = crownFact(graph, facts, model, "integrity");
      report({
        subject: componentSubject(front),
        message:
          front === model
            ? `attacker-shaped inputs reach \`${model.name}\`, which decides on its own and can be steered with adversarial examples`
            : `attacker-shaped inputs reach \`${model.name}\` through \`${front.name}\`; it decides on its own and can be steered with adversarial examples`,
        facts: [
          ...runtimeTaintChain(graph, facts, rt, front.index, cls),
          ...servingChain(graph, served, front.index),
          propFact(
            model,
            "decisions",
            `${describe(graph, model)} is predictive and its decisions are automated`,
          ),
          ...(crown ? [crown] : []),
        ],
        controlPoints: points,
        ...(crown ? { impact: "very_high" as const, adjustment: crown.text } : {}),
      });
    }
  },
);
