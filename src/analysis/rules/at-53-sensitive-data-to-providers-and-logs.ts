import { componentKindMask, FLOW_KIND_CODE, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf, type Fact } from "../facts.js";
import { describe, sensitivityChain } from "../explain.js";
import { componentSubject, defineRule, flowSubject, levelReasons } from "../rule.js";
import { flowFact, flowSensitivity, propFact, servedOnlyFlows, unstatedHandling } from "./lib/inference.js";

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
      "A flow whose data (what it carries, or else everything its source has) is classified personal or above goes to a provider with `trains_on_inputs true` or `retention standard` (an LLM or embedding API that does not state its `retention` is assumed to keep inputs: AS-09), to a store of `type logs`, or is a `log` flow. A hosted LLM or embedding API that only `serve`s a component, with no flow from it, receives that component's context all the same: the `serve` flow is reported for it. Reported per flow; redaction at the sender or on the flow, and a data agreement at the provider, count.",
    falsePositives: "The data is pseudonymised before it leaves, in a step the model does not show.",
    references: [
      "https://genai.owasp.org/llmrisk/llm022025-sensitive-information-disclosure/",
      "https://atlas.mitre.org/techniques/AML.T0036",
    ],
    appliesTo: ["flow"],
  },
  ({ graph, facts, report }) => {
    const floor = classificationRank("personal");
    const keeper = componentKindMask(["provider", "store"]);
    const log = FLOW_KIND_CODE.get("log")!;
    const { edgeFrom, edgeTo } = graph.csr;
    // Why a receiver keeps what it gets depends on the receiver (and, for the last case, on the
    // flow being a log): worded once per receiver, not once per flow into it.
    const keeps = new Map<number, { why: Fact | undefined; trains: boolean }>();
    const keepsOf = (to: Component, isLog: boolean) => {
      const key = to.index * 2 + (isLog ? 1 : 0);
      let k = keeps.get(key);
      if (!k) keeps.set(key, (k = keeping(graph, to, isLog)));
      return k;
    };
    // Indexed over typed codes: a flow is looked at only when it moves personal data or above (what
    // flowSensitivity answers) into a provider or store, or is a log.
    for (let fi = 0; fi < graph.model.flows.length; fi++) {
      const isLog = graph.flowKind[fi] === log;
      if (!isLog && !keeper[graph.compKind[edgeTo[fi]!]!]) continue;
      const declared = graph.declaresCarries[fi] !== 0;
      const rank = declared ? graph.carriedRank[fi]! : facts.sensitivity[edgeFrom[fi]!]!;
      const witness = declared ? graph.carriedData[fi]! : facts.sensitivityWitness[edgeFrom[fi]!]!;
      if (rank < floor || witness < 0) continue;
      const f = graph.model.flows[fi]!;
      const to = graph.model.components[f.to]!;
      const { why, trains } = keepsOf(to, isLog);
      if (!why) continue;
      const s = flowSensitivity(graph, facts, f);
      if (s.rank < floor || s.data < 0) continue;
      const data = graph.model.data[s.data]!;
      const cls = classificationOf(s.rank)!;
      const origin: readonly Fact[] =
        f.carries.length > 0
          ? [
              {
                text: `\`${data.name}\` is classified ${cls}`,
                loc: data.propLocs["classification"] ?? data.nameLoc,
              },
            ]
          : sensitivityChain(graph, facts, f.from);
      const severe = s.rank >= classificationRank("sensitive");
      const reasons = [
        trains ? "the provider may train on the data, so it can resurface in its models" : undefined,
        severe ? `the data is ${cls}` : undefined,
      ];
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
        ...levelReasons(reasons[0], reasons[1]),
      });
    }
    // A hosted model that only `serve`s a component still receives that component's context with
    // every call: the serve flow stands for the upload.
    for (const [p, flows] of servedOnlyFlows(graph, facts)) {
      const to = graph.model.components[p]!;
      const { why, trains } = keepsOf(to, false);
      if (!why) continue;
      for (const f of flows) {
        const rank = facts.sensitivity[f.to]!;
        const witness = facts.sensitivityWitness[f.to]!;
        if (rank < floor || witness < 0) continue;
        const sender = graph.model.components[f.to]!;
        const data = graph.model.data[witness]!;
        const cls = classificationOf(rank)!;
        const severe = rank >= classificationRank("sensitive");
        const reasons = [
          trains ? "the provider may train on the data, so it can resurface in its models" : undefined,
          severe ? `the data is ${cls}` : undefined,
        ];
        report({
          subject: flowSubject(f),
          message: `\`${sender.name}\` sends its context, with ${cls} data (\`${data.name}\`), to \`${to.name}\` with each call, and \`${to.name}\` keeps it${trains ? " and may train on it" : ""}`,
          facts: [
            ...sensitivityChain(graph, facts, f.to),
            flowFact(
              graph,
              f,
              `answers \`${sender.name}\`, so its context, \`${data.name}\` with it, goes to \`${to.name}\` with each call`,
            ),
            why,
          ],
          controlPoints: [flowSubject(f), componentSubject(sender), componentSubject(to)],
          ...(trains ? { likelihood: "high" as const } : {}),
          ...(severe ? { impact: "very_high" as const } : {}),
          ...levelReasons(reasons[0], reasons[1]),
        });
      }
    }
  },
);

/**
 * Why `to` keeps what it is sent (and whether it trains on it): a module function (not a closure made
 * per compile), so V8 keeps its optimized code from one compile to the next.
 */
function keeping(
  graph: ThreatGraph,
  to: Component,
  isLog: boolean,
): { why: Fact | undefined; trains: boolean } {
  if (to.kind === "provider" && to.props.trains_on_inputs === true)
    return {
      why: propFact(
        to,
        "trains_on_inputs",
        `${describe(graph, to)} may train on what it receives (\`trains_on_inputs true\`)`,
      ),
      trains: true,
    };
  if (to.kind === "provider" && to.props.retention === "standard")
    return {
      why: propFact(to, "retention", `${describe(graph, to)} keeps inputs under its standard retention`),
      trains: false,
    };
  // Unstated, a model provider's retention is assumed to be its standard one (AS-09 says so).
  if (unstatedHandling(to).includes("retention"))
    return {
      why: {
        text: `${describe(graph, to)} does not state its \`retention\`; assumed its standard retention (AS-09)`,
        loc: to.nameLoc,
      },
      trains: false,
    };
  if (to.kind === "store" && to.props.type === "logs")
    return {
      why: propFact(to, "type", `${describe(graph, to)} is a log store that keeps what it is sent`),
      trains: false,
    };
  if (isLog) return { why: { text: `${describe(graph, to)} receives logs`, loc: to.nameLoc }, trains: false };
  return { why: undefined, trains: false };
}
