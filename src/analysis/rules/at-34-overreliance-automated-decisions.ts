import type { Component, Subject } from "../../semantic/model.js";
import type { Fact } from "../facts.js";
import { describe } from "../explain.js";
import { stateChangingCall } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import { flowFact, propFact, servedBy, servingRoot } from "./lib/inference.js";

/** Generated answers acted on automatically, with nobody checking whether they are true. */
export default defineRule(
  {
    id: "AT-34",
    title: "Misinformation and over-reliance in automated decisions",
    description:
      "The output of a generative model drives decisions automatically: approving a claim, answering a legal or medical question as final, choosing an action for an agent. Generative models state wrong things fluently and confidently (made-up facts, citations, policy terms), and attackers can nudge them toward chosen errors. Without a person or an independent check in the loop, those errors become decisions.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0048", "AML.T0048.002", "AML.T0062"],
    owasp: ["LLM09:2025", "ASI09:2026"],
    nist: [],
    cosai: ["riskInsecureModelOutput"],
    likelihood: "medium",
    likelihoodBasis:
      "generative models produce confident errors at a steady rate; grounding lowers it but does not remove it",
    impact: "high",
    impactBasis: "wrong decisions are taken and acted on before anyone notices",
    mitigations: ["human_approval", "model_validation", "output_filter"],
    detection:
      "A generative model with `decisions automated`. The components it is served or deployed to count as control points (an agent with `approval human` puts a person back in the loop); impact rises when one of them calls tools that change state.",
    falsePositives:
      "The decisions are low-stakes and easy to reverse, or an independent check validates every answer.",
    references: [
      "https://genai.owasp.org/llmrisk/llm092025-misinformation/",
      "https://atlas.mitre.org/techniques/AML.T0048",
    ],
    appliesTo: ["model"],
  },
  ({ graph, facts, report }) => {
    const served = servedBy(
      graph,
      facts,
      "automated-generative",
      (m) => m.props.family === "generative" && m.props.decisions === "automated",
    );
    // Group every served component under the model at the root of its serving chain.
    const consumers = new Map<number, Component[]>();
    // Indexed over the typed parents: only served components are looked at.
    for (let v = 0; v < served.parent.length; v++) {
      if (served.parent[v]! < 0) continue;
      const root = servingRoot(graph, served, v);
      const list = consumers.get(root) ?? [];
      list.push(graph.model.components[v]!);
      consumers.set(root, list);
    }
    for (const i of graph.byKind.get("model") ?? []) {
      if (served.parent[i] !== -1) continue;
      const m = graph.model.components[i]!;
      const users = consumers.get(i) ?? [];
      let acting: Fact | undefined;
      for (const u of users) {
        const flow = stateChangingCall(graph, u);
        if (flow) {
          acting = flowFact(
            graph,
            flow,
            `lets \`${u.name}\` act on the model's answers through \`${graph.model.components[flow.to]!.name}\``,
          );
          break;
        }
      }
      const points: Subject[] = [componentSubject(m), ...users.slice(0, 64).map(componentSubject)];
      report({
        subject: componentSubject(m),
        message: `decisions are taken automatically on what \`${m.name}\` generates, with no one checking that it is true`,
        facts: [
          propFact(
            m,
            "decisions",
            `${describe(graph, m)} is generative and its output drives decisions automatically`,
          ),
          ...users
            .slice(0, 3)
            .map((u) => ({ text: `\`${u.name}\` answers with \`${m.name}\``, loc: u.nameLoc })),
          ...(acting ? [acting] : []),
        ],
        controlPoints: points,
        ...(acting
          ? { impact: "very_high" as const, adjustment: "the answers are turned into state-changing actions" }
          : {}),
      });
    }
  },
);
