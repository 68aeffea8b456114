import { componentsOf, outFlows } from "../../graph/threat-graph.js";
import type { Component, Flow, Subject } from "../../semantic/model.js";
import { UNTRUSTED_CONTENT, type Fact } from "../facts.js";
import { capabilities, invokedBy, isLlmConsumer, servedModels, STATE_CHANGING } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import {
  crownFact,
  flowFact,
  handoffFact,
  propFact,
  reachPath,
  QUERY_FLOWS,
  retrievers,
  runtimeClass,
  runtimeTaint,
  runtimeTaintChain,
} from "./lib/inference.js";

/** An LLM that uses a store's results, the hand-off from the store, and the relay's request if any. */
interface Reader {
  readonly llm: Component;
  readonly handoff: readonly Flow[];
  readonly relay?: Flow;
}

/** LLMs that use a store's results, directly or one relay (endpoint, app, pipeline) away. */
function llmReaders(g: ThreatGraph, store: Component): Reader[] {
  const out: Reader[] = [];
  const seen = new Set<number>();
  for (const { consumer, flows } of retrievers(g, store)) {
    if (isLlmConsumer(g, consumer)) {
      if (!seen.has(consumer.index)) out.push({ llm: consumer, handoff: flows });
      seen.add(consumer.index);
      continue;
    }
    for (const f of outFlows(g, consumer.index)) {
      const next = g.model.components[f.to]!;
      if (QUERY_FLOWS.has(f.kind) && isLlmConsumer(g, next) && !seen.has(next.index)) {
        seen.add(next.index);
        out.push({ llm: next, handoff: flows, relay: f });
      }
    }
  }
  return out;
}

/** What an LLM does with its answers: tools that act, or decisions nobody reviews. */
function actsOrDecides(
  g: ThreatGraph,
  x: Component,
): { facts: Fact[]; changes: boolean; verb: string } | undefined {
  const tools = invokedBy(g, x).filter(({ callee }) =>
    capabilities(callee).some((c) => STATE_CHANGING.includes(c) || c === "send_external"),
  );
  if (tools.length > 0) {
    const { callee, flow } = tools[0]!;
    return {
      facts: [
        flowFact(
          g,
          flow,
          `lets \`${x.name}\` act through \`${callee.name}\` (${capabilities(callee).join(", ")})`,
        ),
      ],
      changes: tools.some(({ callee: t }) => capabilities(t).some((c) => STATE_CHANGING.includes(c))),
      verb: "acts",
    };
  }
  const deciders = [x, ...servedModels(g, x)].filter(
    (m): m is Extract<Component, { kind: "model" }> =>
      m.kind === "model" && m.props.decisions === "automated",
  );
  if (deciders.length > 0) {
    const m = deciders[0]!;
    return {
      facts: [
        propFact(m, "decisions", `\`${m.name}\` drives decisions automatically (\`decisions automated\`)`),
      ],
      changes: false,
      verb: "decides",
    };
  }
  return undefined;
}

/** Planting content in a retrieval index that an acting LLM trusts. */
export default defineRule(
  {
    id: "AT-30",
    title: "Knowledge-base and RAG corpus poisoning",
    description:
      "A vector store indexes content that outsiders can write (web pages, forum posts, e-mails, uploads, shared documents), and its results feed an LLM that acts or decides. An attacker plants passages crafted to rank highly for chosen questions and to carry false facts or instructions; the store keeps serving them to every user until someone notices. Unlike a one-off injection, the poison persists and scales.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0070", "AML.T0071", "AML.T0066", "AML.T0064"],
    owasp: ["LLM08:2025", "LLM04:2025"],
    nist: ["NISTAML.015", "NISTAML.013"],
    cosai: ["riskRetrievalVectorStorePoisoning"],
    likelihood: "high",
    likelihoodBasis:
      "ATLAS rates RAG poisoning as demonstrated; writing to the sources takes no access at all",
    impact: "high",
    impactBasis: "every user's answers and the LLM's actions follow the planted content",
    mitigations: ["data_sanitization", "dataset_provenance", "access_control"],
    detection:
      "Run-time attacker content (outsider-written sources, user input, tool output) reaches a vector store over ingest, copy or produce flows, and the store's results reach an LLM (directly or through one relay) that calls tools that change state or send data out, or whose model has `decisions automated`. Controls on the store and on every step between the entry and the store count.",
    falsePositives:
      "Every indexed document is reviewed before it is searchable, in a step the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0070",
      "https://genai.owasp.org/llmrisk/llm082025-vector-and-embedding-weaknesses/",
    ],
    appliesTo: ["vectorstore"],
  },
  ({ graph, facts, report }) => {
    const rt = runtimeTaint(graph, facts);
    // One LLM reads many stores: what it does with answers is worked out (and worded) once.
    const actsOf = new Map<number, ReturnType<typeof actsOrDecides>>();
    const acting = (llm: Component) => {
      if (actsOf.has(llm.index)) return actsOf.get(llm.index);
      const acts = actsOrDecides(graph, llm);
      actsOf.set(llm.index, acts);
      return acts;
    };
    for (const v of componentsOf(graph, "vectorstore")) {
      const cls = runtimeClass(rt, v.index, UNTRUSTED_CONTENT);
      if (!cls) continue;
      let hit: (Reader & { acts: { facts: Fact[]; changes: boolean; verb: string } }) | undefined;
      for (const r of llmReaders(graph, v)) {
        const acts = acting(r.llm);
        if (acts && (!hit || (acts.changes && !hit.acts.changes))) hit = { ...r, acts };
      }
      if (!hit) continue;
      // Controls count on the store and on every step content takes into it (crawlers, indexers).
      const points: Subject[] = [componentSubject(v)];
      const { edges } = reachPath(facts, { parent: rt.parent[cls]! }, v.index);
      for (const e of edges) {
        const f = graph.model.flows[facts.infoFlow[e]!]!;
        points.push(flowSubject(f), componentSubject(graph.model.components[facts.info.edgeTo[e]!]!));
      }
      const crown = crownFact(graph, facts, v, "integrity");
      const reasons = [
        hit.acts.changes ? `\`${hit.llm.name}\` can change state with what it retrieves` : undefined,
        crown?.text,
      ].filter(Boolean);
      report({
        subject: componentSubject(v),
        message: `outsiders can plant content in \`${v.name}\`, and \`${hit.llm.name}\` ${hit.acts.verb} on what comes back from it`,
        facts: [
          ...runtimeTaintChain(graph, facts, rt, v.index, cls),
          ...hit.handoff.map((f) => handoffFact(graph, f, "retrieved passages")),
          ...(hit.relay ? [flowFact(graph, hit.relay, `passes them on to \`${hit.llm.name}\``)] : []),
          ...hit.acts.facts,
          ...(crown ? [crown] : []),
        ],
        controlPoints: points,
        ...(reasons.length > 0 ? { impact: "very_high" as const, adjustment: reasons.join("; ") } : {}),
      });
    }
  },
);
