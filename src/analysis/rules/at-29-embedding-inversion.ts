import { componentsOf, outFlows } from "../../graph/threat-graph.js";
import type { Subject } from "../../semantic/model.js";
import { classificationRank, trustRank } from "../../semantic/vocabulary.js";
import { classificationOf, type Fact } from "../facts.js";
import { describe, sensitivityChain } from "../explain.js";
import { componentSubject, defineRule, flowSubject, levelReasons } from "../rule.js";
import { flowFact, isAttackerLevel, PARTNER_RANK } from "./lib/inference.js";

// Flows that hand over stored vectors as they are (retrieval returns the documents instead).
const RAW_EXPORT = new Set(["copy", "read", "log"]);

/** Rebuilding sensitive text from the vectors that represent it. */
export default defineRule(
  {
    id: "AT-29",
    title: "Embedding inversion of stored vectors",
    description:
      "Embeddings of confidential text are kept in, or exported to, a place outside the organisation's control (a hosted vector database, a partner, an analytics copy). Embeddings are not a one-way hash: with the embedding model or a similar one, an attacker who obtains the vectors can recover much of the original text, including names and numbers.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0025", "AML.T0024.001"],
    owasp: ["LLM08:2025"],
    nist: ["NISTAML.032"],
    cosai: ["riskSensitiveDataDisclosure"],
    likelihood: "low",
    likelihoodBasis: "demonstrated in research against common embedding models; needs the vectors first",
    impact: "high",
    impactBasis: "the confidential text behind the vectors is recovered",
    mitigations: ["access_control", "encryption_at_rest", "vendor_agreement"],
    detection:
      "A vector store that holds or receives data classified confidential or above and either sits at `partner` trust or lower, or hands its vectors (copy, read or log flows) to a component at that trust.",
    falsePositives:
      "The provider stores only encrypted vectors with keys the organisation keeps, which the model does not show.",
    references: ["https://genai.owasp.org/llmrisk/llm082025-vector-and-embedding-weaknesses/"],
    appliesTo: ["vectorstore"],
  },
  ({ graph, facts, report }) => {
    for (const v of componentsOf(graph, "vectorstore")) {
      if (facts.sensitivity[v.index]! < classificationRank("confidential")) continue;
      const cls = classificationOf(facts.sensitivity[v.index]!)!;
      const own = trustRank(v.trust);
      let where: Fact | undefined;
      const points: Subject[] = [componentSubject(v)];
      let holderRank = own;
      if (own <= PARTNER_RANK) {
        where = { text: `${describe(graph, v)} is outside the organisation's control`, loc: v.nameLoc };
      } else {
        const out = outFlows(graph, v.index).find(
          (f) => RAW_EXPORT.has(f.kind) && trustRank(graph.model.components[f.to]!.trust) <= PARTNER_RANK,
        );
        if (out) {
          const to = graph.model.components[out.to]!;
          holderRank = trustRank(to.trust);
          where = flowFact(graph, out, `hands the vectors to ${describe(graph, to)}`);
          points.push(flowSubject(out), componentSubject(to));
        }
      }
      if (!where) continue;
      const exposed = isAttackerLevel(holderRank);
      const severe = facts.sensitivity[v.index]! >= classificationRank("sensitive");
      const reasons = [
        exposed ? "the vectors end up at attacker-level trust" : undefined,
        severe ? `the text is ${cls}` : undefined,
      ];
      report({
        subject: componentSubject(v),
        message: `vectors of ${cls} text in \`${v.name}\` are within reach of a less trusted party, who can invert them back into text`,
        facts: [...sensitivityChain(graph, facts, v.index), where],
        controlPoints: points,
        ...(exposed ? { likelihood: "medium" as const } : {}),
        ...(severe ? { impact: "very_high" as const } : {}),
        ...levelReasons(reasons[0], reasons[1]),
      });
    }
  },
);
