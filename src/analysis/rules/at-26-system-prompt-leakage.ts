import { componentsOf, outFlows } from "../../graph/threat-graph.js";
import type { Component, Flow, Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { ENTRY, UNTRUSTED_CONTENT, type Fact } from "../facts.js";
import { isLlmConsumer } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { flowFact, propFact, runtimeClass, runtimeTaint, runtimeTaintChain } from "./lib/inference.js";

const MAX_HOPS = 4;

/** LLMs a template's text reaches over prompt flows (through guardrails and other relays). */
function promptedLlms(
  g: Parameters<typeof isLlmConsumer>[0],
  t: Component,
): { llm: Component; flows: Flow[] }[] {
  const out: { llm: Component; flows: Flow[] }[] = [];
  const seen = new Set<number>([t.index]);
  let frontier: { v: number; flows: Flow[] }[] = [{ v: t.index, flows: [] }];
  for (let hop = 0; hop < MAX_HOPS && frontier.length > 0; hop++) {
    const next: { v: number; flows: Flow[] }[] = [];
    for (const { v, flows } of frontier) {
      for (const f of outFlows(g, v)) {
        if (f.kind !== "prompt" || seen.has(f.to)) continue;
        seen.add(f.to);
        const c = g.model.components[f.to]!;
        if (isLlmConsumer(g, c)) out.push({ llm: c, flows: [...flows, f] });
        else next.push({ v: f.to, flows: [...flows, f] });
      }
    }
    frontier = next;
  }
  return out;
}

/** Secrets in a system prompt that anyone talking to the model can ask for. */
export default defineRule(
  {
    id: "AT-26",
    title: "System prompt leakage and reliance on prompt secrecy",
    description:
      "A prompt template or system prompt embeds secrets (credentials, internal URLs, names of systems, the rules that decide who may do what) and frames an LLM that untrusted content reaches. System prompts are not a secure place: users and injected instructions get models to repeat, translate or summarise them. Anything in them should be assumed public, and no access decision should depend on them staying hidden.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0056", "AML.T0069.002", "AML.T0083"],
    owasp: ["LLM07:2025"],
    nist: ["NISTAML.035"],
    cosai: ["riskSensitiveDataDisclosure"],
    likelihood: "medium",
    likelihoodBasis: "ATLAS rates system prompt extraction as feasible and discovery of it as demonstrated",
    impact: "high",
    impactBasis: "leaked credentials and internal details open the way to further attacks",
    mitigations: ["secrets_vault", "output_filter", "input_filter"],
    detection:
      "A template with `contains_secrets true`, or one that holds or receives data classified secret, sends prompt flows (directly or through guardrails) to an LLM that run-time attacker content reaches.",
    falsePositives:
      "The secret is a placeholder substituted outside the model's view, which the template does not say.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0056",
      "https://genai.owasp.org/llmrisk/llm072025-system-prompt-leakage/",
    ],
    appliesTo: ["template"],
  },
  ({ graph, facts, report }) => {
    const rt = runtimeTaint(graph, facts);
    for (const t of componentsOf(graph, "template")) {
      const declared = t.props.contains_secrets === true;
      const secretData = facts.sensitivity[t.index]! >= classificationRank("secret");
      if (!declared && !secretData) continue;
      const hit = promptedLlms(graph, t).find(({ llm }) => (rt.bits[llm.index]! & UNTRUSTED_CONTENT) !== 0);
      if (!hit) continue;
      const { llm, flows } = hit;
      const cls = runtimeClass(rt, llm.index, UNTRUSTED_CONTENT)!;
      const why: Fact = declared
        ? propFact(t, "contains_secrets", `\`${t.name}\` embeds secrets (\`contains_secrets true\`)`)
        : {
            text: `\`${t.name}\` holds or receives data classified secret`,
            loc: t.propLocs["holds"] ?? t.nameLoc,
          };
      const points: Subject[] = [componentSubject(t), componentSubject(llm), ...flows.map(flowSubject)];
      const direct = (rt.bits[llm.index]! & ENTRY.USER_INPUT) !== 0;
      report({
        subject: componentSubject(t),
        message: `\`${t.name}\` puts secrets into the prompt of \`${llm.name}\`, which untrusted ${direct ? "users" : "content"} can make repeat them`,
        facts: [
          why,
          ...flows.map((f) =>
            flowFact(
              graph,
              f,
              `puts the template into the prompt of \`${graph.model.components[f.to]!.name}\``,
            ),
          ),
          ...runtimeTaintChain(graph, facts, rt, llm.index, cls),
        ],
        controlPoints: points,
        ...(direct
          ? {
              likelihood: "high" as const,
              adjustment: "untrusted users can simply ask for the system prompt",
            }
          : {}),
      });
    }
  },
);
