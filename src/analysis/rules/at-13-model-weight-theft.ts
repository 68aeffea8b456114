import {
  componentKindMask,
  componentsOf,
  flowKindMask,
  inFlows,
  outFlows,
} from "../../graph/threat-graph.js";
import type { Component, Subject } from "../../semantic/model.js";
import { trustRank } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject, type Level, levelReasons } from "../rule.js";
import { crownFact, crownFor, crownIndex, flowFact, localPath, localReach } from "./lib/training.js";

// Flows that move the weight files themselves (serving answers does not: that is extraction, AT-14).
// Masks over the graph's kind codes.
const WEIGHT_MOVES = flowKindMask(["publish", "deploy", "copy", "read", "retrieve", "train", "load"]);
const HOLDERS = componentKindMask(["registry", "store"]);

/** Valuable weights that travel to a less trusted place. */
export default defineRule(
  {
    id: "AT-13",
    title: "Theft of model weights",
    description:
      "Weights the organisation trained or fine-tuned, or declared a crown jewel, are copied, published or deployed to a place less trusted than where the model lives: a partner's environment, a shared bucket, an app on customers' devices. Whoever can read them there walks away with the model's full value, and with white-box access to craft attacks against it.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0048.004", "AML.T0035", "AML.T0025"],
    owasp: ["ML05:2023", "LLM02:2025"],
    nist: [],
    cosai: ["riskModelExfiltration"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates AI artifact collection and IP theft as realized; the weights must first be reachable",
    impact: "high",
    impactBasis: "the model's value is lost at once, and a copy enables white-box attacks",
    mitigations: ["access_control", "encryption_at_rest"],
    detection:
      "A model that is a crown jewel for confidentiality, or has `origin in_house` or `fine_tuned`, whose weights travel (publish, deploy, copy, load, read, retrieve or train flows, through registries and stores, starting from the model or from where its training job writes it) to a component less trusted than the model. Access control or encryption on the model, a holder or a flow on the way counts.",
    falsePositives:
      "Weights encrypted for a device's secure enclave, or models of no value outside the system; accept the finding with that reason.",
    references: ["https://atlas.mitre.org/techniques/AML.T0048.004"],
    appliesTo: ["model"],
  },
  ({ graph, model, report }) => {
    const crowns = crownIndex(model);
    for (const m of componentsOf(graph, "model")) {
      const crown = crownFor(crowns, m, "confidentiality");
      const own = m.props.origin === "in_house" || m.props.origin === "fine_tuned";
      if (!crown && !own) continue;
      // The weights start at the model and at every store its training job writes them to.
      const seeds = [m.index];
      for (const p of inFlows(graph, m.index))
        if (p.kind === "produce")
          for (const f of outFlows(graph, p.from))
            if (f.kind === "produce" && HOLDERS[graph.compKind[f.to]!]) seeds.push(f.to);
      const parent = localReach(
        graph,
        seeds,
        WEIGHT_MOVES,
        (v) => v === m.index || HOLDERS[graph.compKind[v]!] === 1,
      );
      // The least trusted place reached (the first met of them), by typed trust ranks.
      const { trust } = graph;
      let lowest = -1;
      for (const v of parent.keys())
        if (trust[v]! < trust[m.index]! && (lowest < 0 || trust[v]! < trust[lowest]!)) lowest = v;
      if (lowest < 0) continue;
      const worst: Component = graph.model.components[lowest]!;

      const path = localPath(graph, parent, worst.index);
      const start = path.length > 0 ? path[0]!.from : worst.index;
      const out: Fact[] = [
        crown
          ? crownFact(crown, "confidentiality")
          : {
              text: `\`${m.name}\` has weights of the organisation's own (\`origin ${m.props.origin ?? ""}\`)`,
              loc: m.propLocs["origin"] ?? m.nameLoc,
            },
      ];
      if (start !== m.index)
        out.push({
          text: `the job that produces \`${m.name}\` also writes its weights to \`${graph.model.components[start]!.name}\``,
          loc: graph.model.components[start]!.nameLoc,
        });
      out.push(...path.map((f) => flowFact(graph, f, "moves the weights on")));
      out.push({
        text: `${describe(graph, worst)} is less trusted than \`${m.name}\` (\`${m.trust}\`)`,
        loc: worst.nameLoc,
      });
      const outsider = trustRank(worst.trust) <= trustRank("public");
      const likelihood: Level | undefined = outsider ? "high" : undefined;
      const adjustments = [
        outsider ? `untrusted parties can read \`${worst.name}\`` : "",
        crown ? "the model is a crown jewel for confidentiality" : "",
      ];
      const points: Subject[] = [componentSubject(m), componentSubject(worst)];
      for (const f of path) points.push(flowSubject(f), { type: "component", index: f.from });
      report({
        subject: componentSubject(m),
        message: `the weights of \`${m.name}\` reach \`${worst.name}\`, which is less trusted (\`${worst.trust}\`) than the model`,
        facts: out,
        controlPoints: points,
        ...(likelihood ? { likelihood } : {}),
        ...(crown ? { impact: "very_high" as const } : {}),
        ...levelReasons(adjustments[0], adjustments[1]),
      });
    }
  },
);
