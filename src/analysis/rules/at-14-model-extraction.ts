import { componentsOf } from "../../graph/threat-graph.js";
import { ENTRY } from "../facts.js";
import { firstTaintClass, taintChain, describe } from "../explain.js";
import { servedModels } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import { PARTNER_RANK, partyAdjustment, queryAccess, queryChain } from "./lib/inference.js";

/** Replicating a model's function through unrestricted queries to its endpoint. */
export default defineRule(
  {
    id: "AT-14",
    title: "Model extraction through the inference API",
    description:
      "Anyone who can query an endpoint without limits can train a copy of the model on its answers, stealing its value and getting a local replica on which to craft attacks. Confidence scores make the copy cheaper and closer.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0024.002", "AML.T0040"],
    owasp: ["ML05:2023", "LLM10:2025"],
    nist: ["NISTAML.031"],
    cosai: ["riskModelReverseEngineering"],
    likelihood: "medium",
    likelihoodBasis: "ATLAS rates model extraction as demonstrated; it needs many queries",
    impact: "high",
    impactBasis: "loss of the model's intellectual property and a replica for crafting evasion attacks",
    mitigations: ["rate_limit", "quota", "output_obfuscation", "audit_log", "access_control"],
    detection:
      "An endpoint that serves a model (other than open weights as downloaded, `origin public_hub`, which anyone can fetch) is reached by user input from an untrusted or public party, or is queried by partners (`exposure partner`, or a partner party's requests reach it), and is not both rate limited and free of raw scores. Partner callers lower the likelihood one step: they are known, but a customer copying the model it pays for is the common case.",
    falsePositives:
      "The model is a commodity model of no value (e.g. a vendor's general model behind a thin wrapper).",
    references: ["https://atlas.mitre.org/techniques/AML.T0024.002"],
    appliesTo: ["endpoint"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    for (const ep of componentsOf(graph, "endpoint")) {
      const models = servedModels(graph, ep);
      // Open weights served as downloaded: anyone can fetch the model itself, nothing to extract.
      if (models.length === 0 || models.every((m) => m.kind === "model" && m.props.origin === "public_hub"))
        continue;
      const cls = firstTaintClass(facts, ep.index, ENTRY.USER_INPUT);
      // Without untrusted callers, partners who query the endpoint can still copy the model.
      const partner = !cls && qa.rank[ep.index] === PARTNER_RANK;
      if (!cls && !partner) continue;
      const scores = ep.props.returns_scores === true;
      const base = scores ? "high" : "medium";
      const party = partner ? partyAdjustment(PARTNER_RANK, base) : {};
      report({
        subject: componentSubject(ep),
        message: `\`${ep.name}\` answers ${partner ? "partner" : "untrusted"} callers${scores ? " with confidence scores" : ""}, so the model behind it can be copied from its answers`,
        facts: [
          ...(cls ? taintChain(graph, facts, ep.index, cls) : queryChain(graph, qa, ep.index)),
          ...models.map((m) => ({
            text: `${describe(graph, m)} is served through \`${ep.name}\``,
            loc: m.nameLoc,
          })),
          ...(scores
            ? [
                {
                  text: `\`${ep.name}\` returns scores (\`returns_scores true\`)`,
                  loc: ep.propLocs["returns_scores"] ?? ep.nameLoc,
                },
              ]
            : []),
        ],
        ...(scores
          ? { likelihood: "high" as const, adjustment: "raw scores make extraction far cheaper" }
          : {}),
        ...(party.likelihood
          ? {
              likelihood: party.likelihood,
              adjustment: scores
                ? `raw scores make extraction far cheaper, but ${party.adjustment}`
                : party.adjustment,
            }
          : {}),
      });
    }
  },
);
