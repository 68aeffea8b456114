import type { Component, Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf, type Fact } from "../facts.js";
import { describe } from "../explain.js";
import { isLlmConsumer } from "../predicates.js";
import { componentSubject, defineRule, levelReasons } from "../rule.js";
import {
  flowPoints,
  handoffFact,
  isAttackerLevel,
  propFact,
  queryAccess,
  queryChain,
  retrievers,
} from "./lib/inference.js";
import { inFlows } from "../../graph/threat-graph.js";

/** One tenant's content answering another tenant's question. */
export default defineRule(
  {
    id: "AT-28",
    title: "Cross-tenant leakage in shared vector stores and caches",
    description:
      "Several tenants' content shares one vector index or one prompt/response cache, and lookups are not partitioned by tenant. A semantically close question from one customer then retrieves another customer's passages, or gets another customer's cached answer, and an attacker can probe for it on purpose. A poisoned cache entry can likewise be served to every tenant.",
    category: "threat",
    stride: ["information_disclosure", "tampering"],
    atlas: ["AML.T0085.000", "AML.T0057"],
    owasp: ["LLM08:2025", "LLM02:2025"],
    nist: ["NISTAML.038"],
    cosai: ["riskSensitiveDataDisclosure", "riskPromptResponseCachePoisoning"],
    likelihood: "medium",
    likelihoodBasis: "similarity search has no notion of ownership, so mismatches happen without an attacker",
    impact: "high",
    impactBasis: "one customer's data is disclosed to another, a contractual and often regulatory breach",
    mitigations: ["retrieval_acl", "access_control"],
    detection:
      "A vector store with `multi_tenant true` and access control other than `per_tenant`, or a store with `multi_tenant true` that an LLM reads or writes (directly or through a tool), and whose content is read by someone. `access_control per_user` or `document` implies `retrieval_acl`.",
    falsePositives:
      "Tenant filtering happens in the application before the lookup, which the model does not show.",
    references: ["https://genai.owasp.org/llmrisk/llm082025-vector-and-embedding-weaknesses/"],
    appliesTo: ["vectorstore", "store"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    const candidates: Component[] = [];
    for (const i of graph.byKind.get("vectorstore") ?? []) {
      const v = graph.model.components[i]!;
      if (
        v.kind === "vectorstore" &&
        v.props.multi_tenant === true &&
        v.props.access_control !== "per_tenant"
      )
        candidates.push(v);
    }
    for (const i of graph.byKind.get("store") ?? []) {
      const s = graph.model.components[i]!;
      if (s.kind !== "store" || s.props.multi_tenant !== true) continue;
      // A store matters here when an LLM's inputs or outputs go through it (a cache, a memory).
      const touchesLlm =
        retrievers(graph, s).some((r) => isLlmConsumer(graph, r.consumer)) ||
        inFlows(graph, i).some((f) => isLlmConsumer(graph, graph.model.components[f.from]!));
      if (touchesLlm) candidates.push(s);
    }
    for (const s of candidates) {
      const readers = retrievers(graph, s);
      if (readers.length === 0) continue;
      const best = readers.reduce((a, b) => {
        const ra = qa.rank[a.consumer.index]!;
        const rb = qa.rank[b.consumer.index]!;
        return rb >= 0 && (ra < 0 || rb < ra) ? b : a;
      });
      const rank = qa.rank[best.consumer.index]!;
      const exposed = isAttackerLevel(rank);
      const severe = facts.sensitivity[s.index]! >= classificationRank("personal");
      const reasons = [
        exposed ? "untrusted parties can query the reader and probe for other tenants' content" : undefined,
        severe ? `the store holds ${classificationOf(facts.sensitivity[s.index]!)} data` : undefined,
      ];
      const setup: Fact[] = [
        propFact(
          s,
          "multi_tenant",
          `${describe(graph, s)} shares one index among tenants (\`multi_tenant true\`)`,
        ),
      ];
      if (s.kind === "vectorstore")
        setup.push(
          s.props.access_control === undefined
            ? { text: `\`${s.name}\` does not say how retrieval is partitioned`, loc: s.nameLoc }
            : propFact(
                s,
                "access_control",
                `\`${s.name}\` filters retrieval \`${s.props.access_control}\`, not by tenant`,
              ),
        );
      const points: Subject[] = [componentSubject(s), ...flowPoints(best.flows)];
      report({
        subject: componentSubject(s),
        message: `\`${s.name}\` mixes tenants without partitioning lookups by tenant, so one tenant's content can answer another's queries`,
        facts: [
          ...setup,
          ...best.flows.map((f) => handoffFact(graph, f, "shared content")),
          ...(rank >= 0 ? queryChain(graph, qa, best.consumer.index) : []),
        ],
        controlPoints: points,
        ...(exposed ? { likelihood: "high" as const } : {}),
        ...(severe ? { impact: "very_high" as const } : {}),
        ...levelReasons(reasons[0], reasons[1]),
      });
    }
  },
);
