import { sensitivityChain } from "../explain.js";
import type { Component, Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf } from "../facts.js";
import { isLlmConsumer } from "../predicates.js";
import { componentSubject, defineRule, levelReasons } from "../rule.js";
import {
  flowPoints,
  handoffFact,
  PARTNER_RANK,
  propFact,
  queryAccess,
  queryChain,
  retrievers,
  trustName,
} from "./lib/inference.js";

/** Retrieval that returns whatever matches, not what the asking user may read. */
export default defineRule(
  {
    id: "AT-27",
    title: "Over-sharing: retrieval not filtered by the caller's identity",
    description:
      "A vector store or a store an LLM reads holds confidential data, and it answers for many users through an assistant without checking which documents the asking user may see. Retrieval then hands any user the most relevant passages from everyone's documents: salaries, other customers' tickets, board papers. No attack is needed beyond asking the right question.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0057", "AML.T0085.000"],
    owasp: ["LLM08:2025", "LLM02:2025"],
    nist: ["NISTAML.038", "NISTAML.036"],
    cosai: ["riskSensitiveDataDisclosure"],
    likelihood: "medium",
    likelihoodBasis:
      "over-sharing through assistants is routinely found in practice; it needs only ordinary questions",
    impact: "high",
    impactBasis: "users read data they are not entitled to",
    mitigations: ["retrieval_acl", "least_privilege", "output_filter"],
    detection:
      "A vector store, or a store read or retrieved by an LLM directly or through a tool, that holds or receives data classified confidential or above, and whose reader is queried (over prompt, invoke or delegate flows) by people. `access_control per_user` or `document` implies `retrieval_acl`; an agent with `identity user_delegated` reading a plain store reads with the user's rights and is not reported. `access_control per_tenant` still reports (users of one tenant read each other's documents), without the raised likelihood of outside callers.",
    falsePositives: "Every user of the assistant is entitled to everything in the store.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0085.000",
      "https://genai.owasp.org/llmrisk/llm082025-vector-and-embedding-weaknesses/",
    ],
    appliesTo: ["vectorstore", "store"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    const floor = classificationRank("confidential");
    for (const kind of ["vectorstore", "store"] as const) {
      for (const i of graph.byKind.get(kind) ?? []) {
        const s = graph.model.components[i]!;
        if (facts.sensitivity[i]! < floor) continue;
        // A secrets store hands credentials to the component itself; it is not a retrieval source.
        if (s.kind === "store" && s.props.type === "secrets") continue;
        let best: { consumer: Component; flows: ReturnType<typeof retrievers>[number]["flows"] } | undefined;
        for (const r of retrievers(graph, s)) {
          const rank = qa.rank[r.consumer.index]!;
          if (rank < 0) continue;
          if (kind === "store") {
            if (!isLlmConsumer(graph, r.consumer)) continue;
            if (r.consumer.kind === "agent" && r.consumer.props.identity === "user_delegated") continue;
          }
          if (!best || rank < qa.rank[best.consumer.index]!) best = r;
        }
        if (!best) continue;
        const { consumer, flows } = best;
        const rank = qa.rank[consumer.index]!;
        const cls = classificationOf(facts.sensitivity[i]!)!;
        const points: Subject[] = [componentSubject(s), ...flowPoints(flows)];
        // Filtered by tenant only: the callers who over-read are the tenant's own users, whoever
        // the least trusted party is, so an outside caller does not make it likelier.
        const perTenant = s.kind === "vectorstore" && s.props.access_control === "per_tenant";
        const outside = rank <= PARTNER_RANK && !perTenant;
        const severe = facts.sensitivity[i]! >= classificationRank("sensitive");
        const reasons = [
          outside
            ? `the least trusted callers are \`${trustName(rank)}\` parties outside the organisation`
            : undefined,
          severe ? `the store holds ${cls} data` : undefined,
        ];
        report({
          subject: componentSubject(s),
          message: perTenant
            ? `\`${s.name}\` filters retrieval by tenant but not by user: it returns ${cls} data to anyone in the tenant who queries \`${consumer.name}\``
            : `\`${s.name}\` returns ${cls} data to anyone who queries \`${consumer.name}\`, without filtering by who is asking`,
          facts: [
            ...sensitivityChain(graph, facts, i),
            ...flows.map((f) => handoffFact(graph, f, `records from \`${s.name}\``)),
            ...queryChain(graph, qa, consumer.index),
            ...(perTenant
              ? [
                  propFact(
                    s,
                    "access_control",
                    `\`${s.name}\` has \`access_control per_tenant\`: one tenant's users see each other's documents`,
                  ),
                ]
              : []),
          ],
          controlPoints: points,
          ...(outside ? { likelihood: "high" as const } : {}),
          ...(severe ? { impact: "very_high" as const } : {}),
          ...levelReasons(reasons[0], reasons[1]),
        });
      }
    }
  },
);
