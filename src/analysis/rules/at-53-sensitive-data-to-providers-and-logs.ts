import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf, type Fact } from "../facts.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { dataChain, flowFact, flowSensitivity, propFact } from "./lib/inference.js";

/** Personal or sensitive data handed to a provider that keeps or learns from it, or to logs. */
export default defineRule(
  {
    id: "AT-53",
    title: "Sensitive inputs sent to third-party model providers or long-retention logs",
    description:
      "Prompts, documents or transcripts containing personal or more sensitive data flow to an external provider that keeps inputs under its standard retention or may train on them, or into logs that keep every turn. The data then lives outside the controls that protect it at the source: a provider breach, a subpoena, a model that learnt from it, or anyone with log access can expose it.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0036", "AML.T0057"],
    owasp: ["LLM02:2025"],
    nist: ["NISTAML.036"],
    cosai: ["riskExcessiveDataHandlingDuringInference"],
    likelihood: "medium",
    likelihoodBasis:
      "retained copies outlive their purpose; logs and vendor stores are common breach targets",
    impact: "high",
    impactBasis: "personal data is exposed outside the systems and agreements that govern it",
    mitigations: ["pii_redaction", "vendor_agreement", "encryption_at_rest"],
    detection:
      "A flow whose data (what it carries, or else everything its source has) is classified personal or above goes to a provider with `trains_on_inputs true` or `retention standard`, to a store of `type logs`, or is a `log` flow. Reported per flow; redaction at the sender or on the flow, and a data agreement at the provider, count.",
    falsePositives: "The data is pseudonymised before it leaves, in a step the model does not show.",
    references: [
      "https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/",
      "https://atlas.mitre.org/techniques/AML.T0036",
    ],
    appliesTo: ["flow"],
  },
  ({ graph, facts, report }) => {
    const floor = classificationRank("personal");
    for (const f of graph.model.flows) {
      const to = graph.model.components[f.to]!;
      let why: Fact | undefined;
      let trains = false;
      if (to.kind === "provider" && to.props.trains_on_inputs === true) {
        why = propFact(
          to,
          "trains_on_inputs",
          `${describe(graph, to)} may train on what it receives (\`trains_on_inputs true\`)`,
        );
        trains = true;
      } else if (to.kind === "provider" && to.props.retention === "standard") {
        why = propFact(to, "retention", `${describe(graph, to)} keeps inputs under its standard retention`);
      } else if (to.kind === "store" && to.props.type === "logs") {
        why = propFact(to, "type", `${describe(graph, to)} is a log store that keeps what it is sent`);
      } else if (f.kind === "log") {
        why = { text: `${describe(graph, to)} receives logs`, loc: to.nameLoc };
      }
      if (!why) continue;
      const s = flowSensitivity(graph, facts, f);
      if (s.rank < floor || s.data < 0) continue;
      const data = graph.model.data[s.data]!;
      const cls = classificationOf(s.rank)!;
      const origin: Fact[] =
        f.carries.length > 0
          ? [
              {
                text: `\`${data.name}\` is classified ${cls}`,
                loc: data.propLocs["classification"] ?? data.nameLoc,
              },
            ]
          : dataChain(graph, facts, f.from);
      const severe = s.rank >= classificationRank("sensitive");
      const reasons = [
        trains ? "the provider may train on the data, so it can resurface in its models" : undefined,
        severe ? `the data is ${cls}` : undefined,
      ].filter(Boolean);
      report({
        subject: flowSubject(f),
        message: `\`${graph.model.components[f.from]!.name}\` sends ${cls} data (\`${data.name}\`) to \`${to.name}\`, which keeps it${trains ? " and may train on it" : ""}`,
        facts: [...origin, flowFact(graph, f, `moves \`${data.name}\` to \`${to.name}\``), why],
        controlPoints: [
          flowSubject(f),
          componentSubject(graph.model.components[f.from]!),
          componentSubject(to),
        ],
        ...(trains ? { likelihood: "high" as const } : {}),
        ...(severe ? { impact: "very_high" as const } : {}),
        ...(reasons.length > 0 ? { adjustment: reasons.join("; ") } : {}),
      });
    }
  },
);
