import {
  COMPONENT_KIND_CODE,
  componentsOf,
  FLOW_KIND_CODE,
  type ThreatGraph,
} from "../../graph/threat-graph.js";
import type { Flow, Subject } from "../../semantic/model.js";
import { PARTNER_RANK } from "./lib/inference.js";
import type { Fact } from "../facts.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { feedFlows, flowFact, trainingFeed } from "./lib/training.js";

// Who labels a dataset from outside the organisation's control, by the dataset's own `labeled_by`.
const OUTSIDE_LABELERS: Readonly<Record<string, string>> = {
  vendor: "a labeling vendor",
  crowd: "crowd workers",
  users: "end users",
};

const PROVIDER = COMPONENT_KIND_CODE.get("provider")!;
const LABEL = FLOW_KIND_CODE.get("label")!;

/** Whether the sender `v` of a `label` flow is outside the organisation: a provider, or an actor of partner trust or below. */
function outsideLabeler(g: ThreatGraph, v: number): boolean {
  return g.compKind[v] === PROVIDER || g.trust[v]! <= PARTNER_RANK;
}

/** Labels produced by a vendor, the crowd or end users, which they can skew. */
export default defineRule(
  {
    id: "AT-03",
    title: "Label manipulation by an external labeling service or crowd",
    description:
      "When a vendor, crowd workers or end users produce a dataset's labels, any one of them can mislabel chosen examples on purpose: marking fraud as legitimate, abuse as acceptable, or a trigger pattern as a harmless class. The records look normal, so the poisoning survives checks that only look at the inputs. Cross-checking labels between labelers and sampling them for review makes a lone manipulator visible.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0010.002", "AML.T0020"],
    owasp: ["ML02:2023", "LLM04:2025"],
    nist: ["NISTAML.013"],
    cosai: ["riskDataPoisoning"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates supply-chain data compromise as realized; labeling is routinely outsourced to parties the organisation does not vet one by one",
    impact: "medium",
    impactBasis: "targeted mislabels skew the classes the attacker cares about",
    mitigations: ["labeler_qa", "data_sanitization", "dataset_provenance"],
    detection:
      "A dataset declares `labeled_by vendor`, `crowd` or `users`, or receives `label` flows from a provider or from an actor of partner trust or below. Impact rises when the dataset's records reach a `train` flow over copy, ingest and similar data flows. Controls count on the dataset, on the label flows and on the labelers.",
    falsePositives:
      "Labels that are only used for reporting, or a vendor whose labelers are vetted employees under contract; declare the QA actually in place.",
    references: ["https://atlas.mitre.org/techniques/AML.T0010.002"],
    appliesTo: ["dataset"],
  },
  ({ graph, report }) => {
    let feed: Int32Array | undefined;
    for (const ds of componentsOf(graph, "dataset")) {
      const byProp = ds.props.labeled_by !== undefined ? OUTSIDE_LABELERS[ds.props.labeled_by] : undefined;
      const labelFlows: Flow[] = [];
      // Typed kinds, ends and trust: only the label flows found are read as objects.
      for (let i = graph.csr.inStart[ds.index]!; i < graph.csr.inStart[ds.index + 1]!; i++) {
        const fi = graph.csr.inEdges[i]!;
        if (graph.flowKind[fi] === LABEL && outsideLabeler(graph, graph.csr.edgeFrom[fi]!))
          labelFlows.push(graph.model.flows[fi]!);
      }
      if (!byProp && labelFlows.length === 0) continue;

      feed ??= trainingFeed(graph);
      const toTraining = feedFlows(graph, feed, ds.index);
      const train = toTraining[toTraining.length - 1];
      const facts: Fact[] = [];
      if (byProp)
        facts.push({
          text: `\`${ds.name}\` is labeled by ${byProp} (\`labeled_by ${ds.props.labeled_by ?? ""}\`)`,
          loc: ds.propLocs["labeled_by"] ?? ds.nameLoc,
        });
      for (const f of labelFlows) {
        const who = graph.model.components[f.from]!;
        facts.push({ text: `${describe(graph, who)} labels \`${ds.name}\``, loc: f.loc });
      }
      for (const f of toTraining)
        facts.push(
          flowFact(
            graph,
            f,
            f.kind === "train"
              ? "trains on the labeled records"
              : "moves the labeled records toward training",
          ),
        );

      const labelers = labelFlows.map((f) => graph.model.components[f.from]!.name);
      const who = labelers.length > 0 ? labelers.map((n) => `\`${n}\``).join(", ") : (byProp ?? "");
      const points: Subject[] = [componentSubject(ds)];
      for (const f of labelFlows) points.push(flowSubject(f), { type: "component", index: f.from });
      report({
        subject: componentSubject(ds),
        message: train
          ? `labels of \`${ds.name}\` come from ${who}, outside the organisation's control, and feed the training run \`${graph.model.components[train.to]!.name}\``
          : `labels of \`${ds.name}\` come from ${who}, outside the organisation's control`,
        facts,
        controlPoints: points,
        ...(train ? { impact: "high" as const, adjustment: "the labeled records reach a training run" } : {}),
      });
    }
  },
);
