import { componentsOf } from "../../graph/threat-graph.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule } from "../rule.js";
import { trustRank } from "../../semantic/vocabulary.js";
import {
  flowName,
  isAttackerLevel,
  propFact,
  queryAccess,
  queryChain,
  queryPoints,
} from "./lib/inference.js";

// Provider types billed per call or per token.
const METERED = new Set(["llm_api", "embedding_api", "search"]);

/** Running up the bill of a metered AI provider through a feature anyone can use. */
export default defineRule(
  {
    id: "AT-23",
    title: "Denial of wallet and cost harvesting",
    description:
      "Requests from untrusted users end up as calls to a metered provider (a hosted LLM, an embedding or search API) paid for by the organisation. Without a per-user budget, anyone can run up the bill, or use the feature as a free proxy to the provider for their own purposes. When the provider is called straight from a client the users control, its key is in their hands and can be used outside the product entirely.",
    category: "threat",
    stride: ["denial_of_service", "spoofing"],
    atlas: ["AML.T0034", "AML.T0034.000", "AML.T0055"],
    owasp: ["LLM10:2025"],
    nist: ["NISTAML.01"],
    cosai: ["riskEconomicDenialOfWallet"],
    likelihood: "medium",
    likelihoodBasis: "ATLAS rates cost harvesting as feasible, and stolen LLM keys are abused in the wild",
    impact: "medium",
    impactBasis: "unbounded spend, and the provider may throttle or suspend the account",
    mitigations: ["quota", "rate_limit"],
    detection:
      "A provider of type `llm_api`, `embedding_api` or `search` reached over prompt, invoke or delegate flows by an untrusted or public party. A quota or rate limit anywhere on the way counts. Called directly by a component at attacker-level trust, its credentials are taken to be exposed.",
    falsePositives:
      "The provider contract caps spend, or billing alerts cut access, which the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0034",
      "https://genai.owasp.org/llmrisk/llm102025-unbounded-consumption/",
    ],
    appliesTo: ["provider"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    for (const p of componentsOf(graph, "provider")) {
      if (!p.props.type || !METERED.has(p.props.type) || !isAttackerLevel(qa.rank[p.index]!)) continue;
      // The last step of the query path: the flow the provider's requests arrive by.
      const into = qa.parent[p.index]!;
      const last = into >= 0 ? graph.model.flows[into] : undefined;
      const caller = last ? graph.model.components[last.from]! : undefined;
      const keyExposed = caller !== undefined && isAttackerLevel(trustRank(caller.trust));
      report({
        subject: componentSubject(p),
        message: keyExposed
          ? `\`${caller.name}\` calls metered provider \`${p.name}\` from where users control it, so its key and budget are theirs to use`
          : `untrusted users can make \`${p.name}\` bill the organisation for as many calls as they like`,
        facts: [
          ...queryChain(graph, qa, p.index),
          propFact(p, "type", `${describe(graph, p)} is metered (\`type ${p.props.type}\`)`),
          ...(keyExposed && last
            ? [
                {
                  text: `\`${flowName(graph, last)}\` starts at ${describe(graph, caller)}, so the provider credentials live where users can read them`,
                  loc: last.loc,
                },
              ]
            : []),
        ],
        controlPoints: queryPoints(graph, qa, p.index),
        ...(keyExposed
          ? {
              likelihood: "high" as const,
              impact: "high" as const,
              adjustment: "the provider is called from a component users control, exposing its key",
            }
          : {}),
      });
    }
  },
);
