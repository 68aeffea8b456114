import type { ThreatGraph } from "../../graph/threat-graph.js";
import { outFlows } from "../../graph/threat-graph.js";
import type { Component, Flow, Subject } from "../../semantic/model.js";
import { trustRank } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import type { Fact } from "../facts.js";
import { attackerTrust, crossesInward } from "../predicates.js";
import { componentSubject, defineRule, flowSubject, type Level, levelReasons } from "../rule.js";
import {
  crownFact,
  crownIndex,
  crownFor,
  hasLessTrustedWriter,
  holdsModels,
  lessTrustedWriters,
  type CrownIndex,
} from "./lib/training.js";

const PUBLIC = trustRank("public");

/** Whether a deployed artifact lands on something whose integrity is critical. */
function criticalTarget(
  g: ThreatGraph,
  crowns: CrownIndex,
  deploys: readonly Flow[],
): { target: Component; fact: Fact } | undefined {
  for (const f of deploys) {
    const t = g.model.components[f.to]!;
    const cj = crownFor(crowns, t, "integrity");
    if (cj) return { target: t, fact: crownFact(cj, "integrity") };
    if (t.kind === "model" && t.props.decisions === "automated")
      return {
        target: t,
        fact: {
          text: `\`${t.name}\` declares \`decisions automated\``,
          loc: t.propLocs["decisions"] ?? t.nameLoc,
        },
      };
  }
  return undefined;
}

/** Weights that less trusted parties can overwrite before they are served. */
export default defineRule(
  {
    id: "AT-12",
    title: "Tampering with model weights in a registry, store or deployment step",
    description:
      "Between training and serving, weights rest in a registry or bucket and are copied into serving. If a less trusted party can write to that place, or the deployment pulls from a less trusted zone without checking a signature, they can swap or edit the weights: add a backdoor, remove a safety layer, or replace the model outright, and serving will load it as the real one.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0018", "AML.T0018.001", "AML.T0010.004"],
    owasp: ["LLM03:2025", "ML10:2023"],
    nist: ["NISTAML.026"],
    cosai: ["riskModelDeploymentTampering"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates model manipulation as realized; it needs write access that the model shows a less trusted party has",
    impact: "high",
    impactBasis: "serving runs weights the attacker chose, under the real model's name",
    mitigations: ["artifact_signing", "access_control"],
    detection:
      "A private registry or store that holds model weights (type `models`, deploys to serving, or receives what a training job or model publishes) is written to by a less trusted component or sits in an untrusted zone; or a `deploy` flow (or a `load` of weights from a model or a weight store) crosses inward, from a less trusted component into a more trusted one. Signature checks on the holder, the deployment or its target, and access control on the holder or the writing flow count.",
    falsePositives:
      "Writers that can only add new versions while serving pins a signed digest; declare `artifact_signing` where the digest is checked.",
    references: ["https://atlas.mitre.org/techniques/AML.T0018"],
    appliesTo: ["registry", "store", "flow"],
  },
  ({ graph, report, model }) => {
    const crowns = crownIndex(model);
    const reported = new Set<number>();
    for (const kind of ["registry", "store"] as const) {
      for (const i of graph.byKind.get(kind) ?? []) {
        // Most holders are neither open nor written by the less trusted: typed lookups tell.
        if (graph.trust[i]! > PUBLIC && !hasLessTrustedWriter(graph, i)) continue;
        const h = graph.model.components[i]!;
        const open = attackerTrust(h);
        const writers = lessTrustedWriters(graph, h);
        if ((!open && writers.length === 0) || !holdsModels(graph, h)) continue;
        reported.add(h.index);
        const deploys = outFlows(graph, h.index).filter((f) => f.kind === "deploy" || f.kind === "load");
        const critical = criticalTarget(graph, crowns, deploys);
        const outsider =
          open ||
          writers.some((f) => trustRank(graph.model.components[f.from]!.trust) <= trustRank("public"));
        const out: Fact[] = [
          { text: `\`${h.name}\` holds model weights`, loc: h.nameLoc },
          ...(open ? [{ text: `${describe(graph, h)} is open to untrusted parties`, loc: h.nameLoc }] : []),
          ...writers.map((f) => ({
            text: `${describe(graph, graph.model.components[f.from]!)} writes into \`${h.name}\` (${f.kind}), which is more trusted (\`${h.trust}\`)`,
            loc: f.loc,
          })),
          ...deploys.map((f) => ({
            text: `\`${h.name} -> ${graph.model.components[f.to]!.name}\` (${f.kind}) ships what it holds to serving`,
            loc: f.loc,
          })),
          ...(critical ? [critical.fact] : []),
        ];
        const points: Subject[] = [componentSubject(h), ...writers.map(flowSubject)];
        for (const f of deploys) points.push(flowSubject(f), { type: "component", index: f.to });
        const who = writers.map((f) => `\`${graph.model.components[f.from]!.name}\``);
        const adjustments = [
          outsider ? "untrusted parties can write the weights" : "",
          critical ? `it deploys to \`${critical.target.name}\`, whose integrity is critical` : "",
        ];
        const likelihood: Level | undefined = outsider ? "high" : undefined;
        report({
          subject: componentSubject(h),
          message: open
            ? `\`${h.name}\` holds model weights where untrusted parties can reach them, so they can be swapped before serving`
            : `less trusted ${who.join(", ")} can write the model weights in \`${h.name}\`, so they can be swapped before serving`,
          facts: out,
          controlPoints: points,
          ...(likelihood ? { likelihood } : {}),
          ...(critical ? { impact: "very_high" as const } : {}),
          ...levelReasons(adjustments[0], adjustments[1]),
        });
      }
    }

    // Deployments (and loads of weights) that pull from a less trusted zone into serving.
    const steps = [...(graph.flowsByKind.get("deploy") ?? []), ...(graph.flowsByKind.get("load") ?? [])].sort(
      (x, y) => x - y,
    );
    for (const fi of steps) {
      if (graph.trust[graph.csr.edgeFrom[fi]!]! >= graph.trust[graph.csr.edgeTo[fi]!]!) continue;
      const f = graph.model.flows[fi]!;
      if (reported.has(f.from) || !crossesInward(graph, f)) continue;
      const a = graph.model.components[f.from]!;
      // A load moves weights only when it comes from a model or from where weights are kept.
      if (f.kind === "load" && a.kind !== "model" && !holdsModels(graph, a)) continue;
      const b = graph.model.components[f.to]!;
      const critical = criticalTarget(graph, crowns, [f]);
      report({
        subject: flowSubject(f),
        message: `\`${b.name}\` takes weights from less trusted \`${a.name}\`; anyone with write access on that side can change what it runs`,
        facts: [
          {
            text: `\`${a.name} -> ${b.name}\` (${f.kind}) moves weights from ${describe(graph, a)} into ${describe(graph, b)}`,
            loc: f.loc,
          },
          ...(critical ? [critical.fact] : []),
        ],
        controlPoints: [flowSubject(f), componentSubject(a), componentSubject(b)],
        ...(critical
          ? {
              impact: "very_high" as const,
              adjustment: `\`${critical.target.name}\`'s integrity is critical`,
            }
          : {}),
      });
    }
  },
);
