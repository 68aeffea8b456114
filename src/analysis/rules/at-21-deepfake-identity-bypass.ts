import { ENTRY } from "../facts.js";
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

const CLAIMANT = ENTRY.USER_INPUT | ENTRY.EXTERNAL_DATA;

/** Synthetic faces, voices or documents presented to an automated identity check. */
export default defineRule(
  {
    id: "AT-21",
    title: "Deepfakes bypassing AI identity verification",
    description:
      "A model checks identity or liveness (face match, voice authentication, document check) on media the claimant supplies. Generated faces, cloned voices, replayed or injected video streams and forged documents are cheap to produce and aimed precisely at such checks; a model that was never tested against them lets an impostor open accounts or take over existing ones.",
    category: "threat",
    stride: ["spoofing"],
    atlas: ["AML.T0088", "AML.T0015"],
    owasp: ["ML01:2023"],
    nist: ["NISTAML.022"],
    cosai: ["riskModelEvasion"],
    likelihood: "high",
    likelihoodBasis: "ATLAS rates deepfake generation as realized, with case studies against identity checks",
    impact: "high",
    impactBasis: "an impostor passes as someone else: account takeover, fraud, unlawful access",
    mitigations: ["deepfake_detection", "sensor_fusion", "human_approval"],
    detection:
      "A model with `task identity_verification` answers at a component (itself, or an endpoint, agent or app it is served or deployed to) that user input or outsider-supplied content reaches at run time.",
    falsePositives:
      "The media is captured by a trusted device the claimant cannot feed (a kiosk camera under supervision), which the model does not show.",
    references: ["https://atlas.mitre.org/techniques/AML.T0088"],
    appliesTo: ["model", "endpoint", "agent", "app"],
  },
  ({ graph, facts, report }) => {
    const served = servedBy(graph, facts, "identity", (m) => m.props.task === "identity_verification");
    const rt = runtimeTaint(graph, facts);
    for (const front of fronts(
      graph,
      (v) => isServed(served, v),
      (v) => servedUpstream(graph, served, v),
      (v) => (rt.bits[v]! & CLAIMANT) !== 0,
    )) {
      const cls = runtimeClass(rt, front.index, CLAIMANT)!;
      const { model, flows } = servingPath(graph, served, front.index);
      const entry = runtimeEntryFlow(graph, facts, rt, front.index, cls);
      const points: Subject[] = [componentSubject(front), ...flowPoints(flows)];
      if (entry) points.push(flowSubject(entry));
      const crown =
        crownFact(graph, facts, model, "integrity") ?? crownFact(graph, facts, front, "integrity");
      report({
        subject: componentSubject(front),
        message: `\`${model.name}\` verifies identity on media the claimant supplies${front === model ? "" : ` through \`${front.name}\``}; synthetic faces, voices or documents can pass it`,
        facts: [
          ...runtimeTaintChain(graph, facts, rt, front.index, cls),
          ...servingChain(graph, served, front.index),
          propFact(
            model,
            "task",
            `${describe(graph, model)} verifies identity (\`task identity_verification\`)`,
          ),
          ...(crown ? [crown] : []),
        ],
        controlPoints: points,
        ...(crown ? { impact: "very_high" as const, adjustment: crown.text } : {}),
      });
    }
  },
);
