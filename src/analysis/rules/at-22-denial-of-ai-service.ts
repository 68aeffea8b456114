import type { Fact } from "../facts.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule, levelReasons } from "../rule.js";
import type { Component } from "../../semantic/model.js";
import { servedModels } from "../predicates.js";
import {
  crownFact,
  isAttackerLevel,
  isServed,
  queryAccess,
  queryChain,
  queryPoints,
  servedBy,
  unauthenticatedOnPath,
} from "./lib/inference.js";

/** Flooding or exhausting a component that runs inference for anyone who asks. */
export default defineRule(
  {
    id: "AT-22",
    title: "Denial of AI service",
    description:
      "Untrusted users can send requests to a component that runs a model (an agent, an inference endpoint, an app with a model behind it). Inference is expensive per request, and long or adversarially crafted inputs (sponge examples, prompts that make an agent loop) cost far more than they take to send, so a few callers can exhaust capacity for everyone unless requests per caller are limited.",
    category: "threat",
    stride: ["denial_of_service"],
    atlas: ["AML.T0029", "AML.T0034.001"],
    owasp: ["LLM10:2025"],
    nist: ["NISTAML.014", "NISTAML.01"],
    cosai: ["riskDenialOfMLService"],
    likelihood: "medium",
    likelihoodBasis: "ATLAS rates denial of AI service as demonstrated; sending requests needs no skill",
    impact: "medium",
    impactBasis: "the AI feature becomes slow or unavailable for legitimate users",
    mitigations: ["rate_limit", "quota"],
    detection:
      "An agent, a model, or an endpoint or app a model is served to, reached over prompt, request, invoke or delegate flows by an untrusted or public party. A rate limit or quota anywhere on the way counts. Callers that need no credentials raise the likelihood to high: a hop that states `auth none`, read from where the request path starts up to the first hop where the caller authenticates (hops behind a front where the caller signed in do not count: abusers can be blocked there), each read as AT-52 reads a flow (the flow's `auth`, else the `auth` of the endpoint or app it reaches, else a sending actor's `authenticated false`; a flow's `auth` wins over its receiver's either way). Where the path starts at a public app or endpoint, the flows into it from untrusted or public parties that open connections (people, apps, agents, services: the callers AT-52 counts) are read the same way, and with none modelled its own `auth none` counts.",
    falsePositives: "Capacity limits exist in a gateway or platform layer the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0029",
      "https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/",
    ],
    appliesTo: ["agent", "endpoint", "app", "model"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    const served = servedBy(graph, facts, "any", () => true, true);
    const runsInference = (c: Component): boolean =>
      c.kind === "agent" ||
      c.kind === "model" ||
      ((c.kind === "endpoint" || c.kind === "app") &&
        (isServed(served, c.index) || servedModels(graph, c).length > 0));
    // Indexed over the typed ranks: only components attackers query are looked at.
    for (let v = 0; v < graph.model.components.length; v++) {
      if (!isAttackerLevel(qa.rank[v]!)) continue;
      const c = graph.model.components[v]!;
      if (!runsInference(c)) continue;
      const points = queryPoints(graph, qa, v);
      const open = unauthenticatedOnPath(graph, qa, v);
      let crown: Fact | undefined;
      for (let i = 0; i < points.length && !crown; i++) {
        const p = points[i]!;
        if (p.type === "component")
          crown = crownFact(graph, facts, graph.model.components[p.index]!, "availability");
      }
      const reasons = [
        open ? "callers need no credentials, so blocking abusers is hard" : undefined,
        crown ? crown.text : undefined,
      ];
      report({
        subject: componentSubject(c),
        message: `untrusted callers can send \`${c.name}\` as many inference requests as they like, exhausting it for everyone`,
        facts: [
          ...queryChain(graph, qa, c.index),
          { text: `${describe(graph, c)} runs model inference for each request`, loc: c.nameLoc },
          ...(open ? [open] : []),
          ...(crown ? [crown] : []),
        ],
        controlPoints: points,
        ...(open ? { likelihood: "high" as const } : {}),
        ...(crown ? { impact: "high" as const } : {}),
        ...levelReasons(reasons[0], reasons[1]),
      });
    }
  },
);
