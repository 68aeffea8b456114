import { componentsOf } from "../../graph/threat-graph.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf, type Fact } from "../facts.js";
import { componentSubject, defineRule } from "../rule.js";
import { flowFact, flowSensitivity, servedOnlyFlows, unstatedHandling } from "./lib/inference.js";

/** An LLM or embedding API that receives personal data without saying what it keeps or learns. */
export default defineRule(
  {
    id: "AS-09",
    title: "Model provider data handling not stated",
    description:
      "A hosted LLM or embedding API receives personal or more sensitive data, but the model does not say how long the provider keeps inputs (`retention`) or whether it may train on them (`trains_on_inputs`). The analysis assumes it keeps them under its standard retention and does not train on them, which raises a data-handling finding (AT-53) and may miss a training one; state both properties, from the contract, to replace the assumption with a fact.",
    category: "assumption",
    stride: ["information_disclosure"],
    atlas: ["AML.T0057"],
    owasp: ["LLM02:2025"],
    nist: [],
    cosai: ["riskExcessiveDataHandlingDuringInference"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "findings about data left with the provider may be wrong either way",
    mitigations: ["vendor_agreement"],
    detection:
      "A provider of `type llm_api` or `embedding_api` without `retention` or without `trains_on_inputs`, to which a flow brings data classified personal or above (what the flow carries, or else what its source has), or which `serve`s a component that sends it nothing over a flow of its own and sees such data (its context goes to the provider with each call).",
    falsePositives: "None: stating the properties removes it.",
    references: [],
    appliesTo: ["provider"],
  },
  ({ graph, facts, report }) => {
    const floor = classificationRank("personal");
    const { inStart, inEdges } = graph.csr;
    const servedOnly = servedOnlyFlows(graph, facts);
    for (const p of componentsOf(graph, "provider")) {
      const missing = unstatedHandling(p);
      if (missing.length === 0) continue;
      // The most sensitive data any flow brings, the first such flow on a tie.
      let best: { rank: number; data: number; flow: number } | undefined;
      for (let i = inStart[p.index]!; i < inStart[p.index + 1]!; i++) {
        const f = graph.model.flows[inEdges[i]!]!;
        const s = flowSensitivity(graph, facts, f);
        if (s.rank >= floor && s.data >= 0 && (!best || s.rank > best.rank))
          best = { rank: s.rank, data: s.data, flow: f.index };
      }
      // A component it only `serve`s sends it its context all the same.
      let served = false;
      for (const f of servedOnly.get(p.index) ?? []) {
        const rank = facts.sensitivity[f.to]!;
        const witness = facts.sensitivityWitness[f.to]!;
        if (rank >= floor && witness >= 0 && (!best || rank > best.rank)) {
          best = { rank, data: witness, flow: f.index };
          served = true;
        }
      }
      if (!best) continue;
      const data = graph.model.data[best.data]!;
      const flow = graph.model.flows[best.flow]!;
      const cls = classificationOf(best.rank)!;
      const both = missing.length === 2;
      const unsaid = both
        ? "how long it keeps inputs or whether it trains on them; assumed its standard retention and no training on them"
        : missing[0] === "retention"
          ? "how long it keeps inputs; assumed its standard retention"
          : "whether it trains on its inputs; assumed it does not";
      const stated: Fact[] = missing.map((m) => ({
        text: `\`${p.name}\` has no \`${m}\` property`,
        loc: p.nameLoc,
      }));
      report({
        subject: componentSubject(p),
        message: `\`${p.name}\` receives ${cls} data (\`${data.name}\`) but does not say ${unsaid}`,
        facts: [
          served
            ? flowFact(
                graph,
                flow,
                `answers \`${graph.model.components[flow.to]!.name}\`, whose context with \`${data.name}\` (${cls}) goes to \`${p.name}\` with each call`,
              )
            : flowFact(graph, flow, `brings \`${data.name}\` (${cls}) to \`${p.name}\``),
          ...stated,
        ],
      });
    }
  },
);
