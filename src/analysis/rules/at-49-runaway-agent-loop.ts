import { componentsOf, inFlows, outFlows } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import type { Fact } from "../facts.js";
import { hasControl } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  adjust,
  autonomyFact,
  codeList,
  isAutonomous,
  toolsOf,
  uniqueSubjects,
  untrustedClass,
} from "./lib/agents.js";

const METERED = new Set(["provider", "endpoint"]);
const LIMITS = ["rate_limit", "quota"];

interface Metered {
  readonly target: Component;
  readonly flows: readonly Flow[];
}

const limited = (x: Component | Flow): boolean => LIMITS.some((c) => hasControl(x, c));

/** An agent that loops on its own over paid or capacity-bound services with no limit. */
export default defineRule(
  {
    id: "AT-49",
    title: "Runaway agent loops and agentic resource consumption",
    description:
      "An agent plans and calls tools in a loop on its own, and the models and services it calls on every step (a hosted LLM, a search API, an inference endpoint, a payment service) have no rate limit or quota. A goal it cannot reach, two agents answering each other, or content crafted to keep it busy makes it spin, burning budget and capacity until someone notices the bill or the outage.",
    category: "threat",
    stride: ["denial_of_service"],
    atlas: ["AML.T0034.002", "AML.T0029"],
    owasp: ["LLM10:2025"],
    nist: ["NISTAML.017"],
    cosai: ["riskRunawayAgentToolLoops", "riskEconomicDenialOfWallet"],
    likelihood: "medium",
    likelihoodBasis:
      "loops run away through bugs and unreachable goals as well as attacks; ATLAS rates the adversarial case as feasible",
    impact: "medium",
    impactBasis: "cost and capacity are consumed until someone steps in",
    mitigations: ["quota", "rate_limit"],
    detection:
      "An agent with `autonomy loop` or `autonomous` that is served by, prompts or calls (directly or through its tools) a provider or endpoint, where neither that service, the flows to it, nor the agent declares `rate_limit` or `quota`.",
    falsePositives:
      "The agent framework caps iterations, tokens or wall time per task, which the model does not declare.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0034.002",
      "https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    const comps = graph.model.components;
    for (const agent of componentsOf(graph, "agent")) {
      if (!isAutonomous(agent)) continue;
      const found = new Map<number, Metered>();
      const add = (target: Component, flows: readonly Flow[]) => {
        if (METERED.has(target.kind) && !found.has(target.index)) found.set(target.index, { target, flows });
      };
      for (const f of inFlows(graph, agent.index)) if (f.kind === "serve") add(comps[f.from]!, [f]);
      for (const f of outFlows(graph, agent.index))
        if (f.kind === "prompt" || f.kind === "invoke") add(comps[f.to]!, [f]);
      // The reach's own path (never written to), read only for a metered callee: a reach makes its
      // path when first asked.
      for (const r of toolsOf(graph, agent)) if (METERED.has(r.tool.kind)) add(r.tool, r.path);
      if (found.size === 0) continue;
      const all = [...found.values()];
      const open = limited(agent) ? [] : all.filter((m) => !limited(m.target) && !m.flows.some(limited));
      const shown = open.length > 0 ? open : all;
      const describeUse = (m: Metered): Fact => {
        const f = m.flows[m.flows.length - 1]!;
        const what =
          m.target.kind === "provider" ? `provider \`${m.target.props.type ?? "unspecified"}\`` : "endpoint";
        return {
          text: `\`${comps[f.from]!.name} -> ${comps[f.to]!.name}\` (${f.kind}): every step can use \`${m.target.name}\` (${what})${open.includes(m) ? ", which declares no rate limit or quota" : ""}`,
          loc: f.loc,
        };
      };
      const cls = untrustedClass(facts, agent.index);
      const more = [
        ...(agent.props.autonomy === "autonomous"
          ? ["it runs unattended, so nobody stops a spinning loop"]
          : []),
        ...(cls ? ["attacker content can give it endless work"] : []),
      ];
      const pays = shown.some((m) => m.target.kind === "provider" && m.target.props.type === "payment");
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` loops on its own over ${codeList(shown.map((m) => m.target.name))}${open.length > 0 ? " with no rate limit or quota: a runaway loop consumes budget and capacity unchecked" : ": a runaway loop consumes budget and capacity up to the declared limits"}`,
        facts: [autonomyFact(agent), ...shown.slice(0, 5).map(describeUse)],
        controlPoints: uniqueSubjects([
          componentSubject(agent),
          ...shown.flatMap((m) => [componentSubject(m.target), ...m.flows.map(flowSubject)]),
        ]),
        ...adjust(
          more.length > 0 ? { level: "high", why: more } : undefined,
          pays ? { level: "high", why: ["each iteration can move money"] } : undefined,
        ),
      });
    }
  },
);
