import { componentKindMask, flowKindMask, inFlows } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import { componentSubject, defineRule, flowSubject, type RuleMeta } from "../rule.js";
import {
  ARTIFACT_FLOWS,
  ARTIFACT_REACH,
  bestPath,
  buildsModels,
  crossing,
  flowFact,
  guardOf,
  nameList,
  pathFacts,
  pathSubjects,
  reachBoth,
  UNREACHED,
  thirdPartyModelFact,
  thirdPartyModelSeeds,
} from "./lib/training.js";

const meta: RuleMeta = {
  id: "AT-11",
  title: "Malicious adapter, model merge or conversion step",
  description:
    "A job converts, merges or fine-tunes weights that came from outside: a format conversion of a hub model, a LoRA adapter or merge recipe from a public hub, a base model for fine-tuning. The job runs the third party's files and configuration with the organisation's credentials, and what it writes out carries whatever the input hid: a conversion step can be subverted to alter weights, and an adapter can add a backdoor to an otherwise clean base. Verifying inputs, isolating the job and validating the output limit the damage.",
  category: "threat",
  stride: ["tampering"],
  atlas: ["AML.T0010.003", "AML.T0018.000", "AML.T0018.001"],
  owasp: ["LLM03:2025", "ML07:2023"],
  nist: ["NISTAML.051"],
  cosai: ["riskAdapterPEFTInjection", "riskModelSourceTampering"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates model supply-chain compromise as realized; compromise of a hosted conversion service has been demonstrated",
  impact: "high",
  impactBasis: "the job's output model, trusted as the organisation's own, carries the third party's changes",
  mitigations: ["artifact_signing", "model_validation", "sandbox"],
  detection:
    "A pipeline of type `conversion`, `fine_tuning` or `training`, or one that produces a model, receives over an artifact flow (train, serve, deploy, copy ...) a model or registry whose lineage goes back to a public-hub or vendor model or a public model registry. Signature checks along the lineage, an isolated job (`isolated true`) and validation of what it produces count.",
  falsePositives:
    "Conversions run by a trusted, pinned tool on verified inputs in a way the model does not declare.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0010.003",
    "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML07_2023-Transfer_Learning_Attack",
  ],
  appliesTo: ["pipeline"],
};

const BUILD_TYPES = new Set(["conversion", "fine_tuning", "training"]);

/** A conversion, merge or fine-tuning job fed with third-party weights. */
export default defineRule(meta, ({ graph, facts, report }) => {
  const seeds = thirdPartyModelSeeds(graph);
  if (seeds.length === 0) return;
  const r = reachBoth(graph, facts, seeds, ARTIFACT_REACH, guardOf(graph, meta));
  // Typed first: a pipeline matters only when an artifact flow from a model or registry the reach
  // got to enters it, and most pipelines have none.
  const artifact = flowKindMask(ARTIFACT_FLOWS);
  const holder = componentKindMask(["model", "registry"]);
  const { inStart, inEdges, edgeFrom } = graph.csr;
  const fed = (v: number): boolean => {
    for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
      const src = edgeFrom[inEdges[i]!]!;
      if (artifact[graph.flowKind[inEdges[i]!]!] && holder[graph.compKind[src]!] && r.all[src] !== UNREACHED)
        return true;
    }
    return false;
  };
  for (const i of graph.byKind.get("pipeline") ?? []) {
    if (!fed(i)) continue;
    const p = graph.model.components[i] as Extract<Component, { kind: "pipeline" }>;
    if (!(p.props.type !== undefined ? BUILD_TYPES.has(p.props.type) : buildsModels(graph, p))) continue;
    const inputs: { flow: Flow; open: boolean }[] = [];
    for (const f of inFlows(graph, p.index)) {
      const src = graph.model.components[f.from]!;
      if (!ARTIFACT_FLOWS.has(f.kind) || (src.kind !== "model" && src.kind !== "registry")) continue;
      const state = crossing(graph, r, f);
      if (state !== "none") inputs.push({ flow: f, open: state === "open" });
    }
    if (inputs.length === 0) continue;
    // Explain the input an attacker can use openly, if there is one.
    const main = inputs.find((i) => i.open) ?? inputs[0]!;
    const { path } = bestPath(facts, r, main.flow.from);
    const origin = graph.model.components[path.start]!;
    const names = inputs.map((i) => graph.model.components[i.flow.from]!.name);
    const message =
      p.props.type === "conversion"
        ? `\`${p.name}\` converts third-party weights from ${nameList(names)}; the files it runs and the model it writes can be subverted`
        : p.props.type === undefined && inputs.length > 1
          ? `\`${p.name}\` merges third-party weights from ${nameList(names)}; any of them can carry a hidden change into its output`
          : `\`${p.name}\` builds on third-party weights from ${nameList(names)}; a malicious base or adapter carries its behaviour into the result`;
    report({
      subject: componentSubject(p),
      message,
      facts: [
        ...pathFacts(graph, facts, path, thirdPartyModelFact(graph, origin), "the third-party weights"),
        // The other inputs: where their weights come from, then the flow that feeds them in.
        ...inputs.flatMap((i) => {
          const step = flowFact(graph, i.flow, `feeds third-party weights into \`${p.name}\``);
          if (i === main) return [step];
          const from = graph.model.components[bestPath(facts, r, i.flow.from).path.start]!;
          return from.index === origin.index ? [step] : [thirdPartyModelFact(graph, from), step];
        }),
      ],
      controlPoints: [
        componentSubject(p),
        ...inputs.map((i) => flowSubject(i.flow)),
        ...pathSubjects(graph, facts, path),
      ],
    });
  }
});
