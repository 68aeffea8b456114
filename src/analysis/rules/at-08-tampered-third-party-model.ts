import {
  componentKindMask,
  componentsOf,
  flowKindMask,
  inFlows,
  type ThreatGraph,
} from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { componentSubject, defineRule, type Level, type RuleMeta, levelReasons } from "../rule.js";
import {
  ARTIFACT_REACH,
  UNREACHED,
  bestPath,
  crownFact,
  crownFor,
  crownIndex,
  guardOf,
  localReach,
  pathFacts,
  pathSubjects,
  reachBoth,
  thirdPartyModelFact,
  thirdPartyModelSeeds,
} from "./lib/training.js";

// Flows that take weights toward where they run, and the places they can rest on the way (masks
// over the graph's kind codes).
const TOWARD_USE = flowKindMask(["publish", "copy", "deploy", "load", "serve"]);
const HOLDERS = componentKindMask(["registry", "store"]);
// What a model reaching them does not make it "in use": jobs build from it, holders keep it.
const NOT_USERS = componentKindMask(["pipeline", "registry", "store", "model", "dataset"]);

/**
 * Whether a model is in use: it is called or prompted, or its weights reach (directly, or through
 * registries and stores) something that runs them other than a training or conversion job.
 */
function inUse(g: ThreatGraph, m: Component): boolean {
  if (inFlows(g, m.index).some((f) => f.kind === "invoke" || f.kind === "prompt")) return true;
  const reached = localReach(g, [m.index], TOWARD_USE, (v) => v === m.index || HOLDERS[g.compKind[v]!] === 1);
  for (const v of reached.keys()) if (NOT_USERS[g.compKind[v]!] !== 1) return true;
  return false;
}

const meta: RuleMeta = {
  id: "AT-08",
  title: "Backdoored or tampered third-party model",
  description:
    "A model in use comes from a public hub or a vendor, or is fine-tuned or converted from such a model. Anyone who can publish to the hub, take over a publisher's account, or sit between the download and the system can hand over weights with a hidden behaviour: a backdoor trigger, a planted falsehood, or a degraded safety layer. Fine-tuning on top usually keeps such a backdoor. Checking the artifact's signature or hash, and validating the model's behaviour before use, cut the path.",
  category: "threat",
  stride: ["tampering", "elevation_of_privilege"],
  atlas: ["AML.T0010.003", "AML.T0058", "AML.T0018.000"],
  owasp: ["LLM03:2025", "LLM04:2025", "ML06:2023", "ML07:2023", "ML10:2023"],
  nist: ["NISTAML.051"],
  cosai: ["riskModelSourceTampering"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates publishing poisoned models as realized; the attacker still has to get the right model chosen",
  impact: "high",
  impactBasis: "the model's behaviour is the attacker's for the inputs they chose",
  mitigations: ["artifact_signing", "model_validation"],
  detection:
    "Third-party lineage restricted to model artifacts: from public-hub and vendor models and public model registries, over train, produce, publish, deploy, serve, copy and load flows, to a model in use: called or prompted, or whose weights reach (directly or through registries and stores) something other than a training or conversion job. Signature checks (`verified true`) and model validation anywhere on the lineage cut it.",
  falsePositives:
    "Models verified by a process the model does not declare; vendor models covered by a contract with integrity guarantees.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0010.003",
    "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML07_2023-Transfer_Learning_Attack",
  ],
  appliesTo: ["model"],
};

/** A model in use whose weights descend from a third-party artifact nobody verifies. */
export default defineRule(meta, ({ graph, facts, model, report }) => {
  const seeds = thirdPartyModelSeeds(graph);
  if (seeds.length === 0) return;
  const r = reachBoth(graph, facts, seeds, ARTIFACT_REACH, guardOf(graph, meta));
  const crowns = crownIndex(model);
  for (const m of componentsOf(graph, "model")) {
    if (r.all[m.index] === UNREACHED || !inUse(graph, m)) continue;
    const { path } = bestPath(facts, r, m.index);
    const origin = graph.model.components[path.start]!;
    const tuned = path.edges.some((e) => graph.model.components[facts.info.edgeTo[e]!]!.kind === "pipeline");
    const crown = crownFor(crowns, m, "integrity");
    const critical = m.props.decisions === "automated" || crown !== undefined;
    const vendor = origin.kind === "model" && origin.props.origin === "vendor";
    const likelihood: Level | undefined = vendor ? "low" : undefined;
    const adjustments = [
      vendor ? "a contracted vendor is harder to impersonate than a public hub" : "",
      critical
        ? crown
          ? `\`${m.name}\` is a crown jewel for integrity`
          : `\`${m.name}\` makes automated decisions`
        : "",
    ];
    report({
      subject: componentSubject(m),
      message:
        path.edges.length === 0
          ? `\`${m.name}\` runs third-party weights from ${vendor ? "a vendor" : "a public hub"} that may hide a backdoor`
          : `\`${m.name}\` is ${tuned ? "built on" : "a copy of"} third-party weights from \`${origin.name}\` that may hide a backdoor`,
      facts: [
        ...pathFacts(graph, facts, path, thirdPartyModelFact(graph, origin), "the third-party weights"),
        ...(crown ? [crownFact(crown, "integrity")] : []),
        ...(m.props.decisions === "automated"
          ? [
              {
                text: `\`${m.name}\` declares \`decisions automated\``,
                loc: m.propLocs["decisions"] ?? m.nameLoc,
              },
            ]
          : []),
      ],
      controlPoints: [componentSubject(m), ...pathSubjects(graph, facts, path)],
      ...(likelihood ? { likelihood } : {}),
      ...(critical ? { impact: "very_high" as const } : {}),
      ...levelReasons(adjustments[0], adjustments[1]),
    });
  }
});
