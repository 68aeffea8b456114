import { sensitivityChain } from "../explain.js";
import { componentsOf } from "../../graph/threat-graph.js";
import type { Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { sensitivityParents } from "../facts.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  flowPoints,
  handoffFact,
  PARTNER_RANK,
  queryAccess,
  queryChain,
  retrievers,
  type Retriever,
  trustName,
} from "./lib/inference.js";

/** Asking a retrieval assistant for the keys and passwords that were indexed with the documents. */
export default defineRule(
  {
    id: "AT-31",
    title: "Credential harvesting from a RAG corpus",
    description:
      "Secrets (API keys, passwords, connection strings, tokens) ended up in a retrieval index, usually because they sat inside wiki pages, tickets, chat logs or code that was indexed wholesale. Anyone who can query an assistant over that index can ask for them in plain language, and the model will find and quote them.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0082", "AML.T0085.000"],
    owasp: ["LLM02:2025", "LLM08:2025"],
    nist: ["NISTAML.038"],
    cosai: ["riskSensitiveDataDisclosure"],
    likelihood: "medium",
    likelihoodBasis: "ATLAS rates RAG credential harvesting as demonstrated; it takes a few questions",
    impact: "very_high",
    impactBasis: "working credentials open systems far beyond the assistant",
    mitigations: ["data_sanitization", "retrieval_acl", "output_filter"],
    detection:
      "A vector store that holds or receives data classified secret, whose results reach a component (directly or through a tool) that people can query over prompt, invoke or delegate flows. Controls count on the store, on every step that brings the secret into it, and on the way out to the reader.",
    falsePositives:
      "The secrets are revoked placeholders, or only the secret's owners can query the assistant.",
    references: ["https://atlas.mitre.org/techniques/AML.T0082"],
    appliesTo: ["vectorstore"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    for (const v of componentsOf(graph, "vectorstore")) {
      if (facts.sensitivity[v.index]! < classificationRank("secret")) continue;
      let best: Retriever | undefined;
      for (const r of retrievers(graph, v)) {
        const rank = qa.rank[r.consumer.index]!;
        if (rank >= 0 && (!best || rank < qa.rank[best.consumer.index]!)) best = r;
      }
      if (!best) continue;
      const rank = qa.rank[best.consumer.index]!;
      const points: Subject[] = [componentSubject(v), ...flowPoints(best.flows)];
      // Scrubbing secrets anywhere on their way into the index counts too.
      const parent = sensitivityParents(facts, v.index);
      for (let cur = v.index, guard = 0; parent[cur]! >= 0 && guard < 64; guard++) {
        const e = parent[cur]!;
        points.push(flowSubject(graph.model.flows[facts.infoFlow[e]!]!));
        cur = facts.info.edgeFrom[e]!;
        points.push(componentSubject(graph.model.components[cur]!));
      }
      const outside = rank <= PARTNER_RANK;
      report({
        subject: componentSubject(v),
        message: `\`${v.name}\` indexes secrets that \`${trustName(rank)}\` users of \`${best.consumer.name}\` can ask for`,
        facts: [
          ...sensitivityChain(graph, facts, v.index),
          ...best.flows.map((f) => handoffFact(graph, f, `passages from \`${v.name}\``)),
          ...queryChain(graph, qa, best.consumer.index),
        ],
        controlPoints: points,
        ...(outside
          ? {
              likelihood: "high" as const,
              adjustment: "parties outside the organisation can query the index",
            }
          : {}),
      });
    }
  },
);
