import { COMPONENT_KIND_CODE, componentKindMask, componentsOf, outFlows } from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { describe } from "../explain.js";
import type { Fact } from "../facts.js";
import { attackerTrust } from "../predicates.js";
import { componentSubject, defineRule, type RuleMeta } from "../rule.js";
import { trustRank } from "../../semantic/vocabulary.js";
import {
  ARTIFACT_REACH,
  EXECUTABLE_FORMATS,
  UNREACHED,
  bestPath,
  guardOf,
  hasLessTrustedWriter,
  isThirdPartyModelSource,
  lessTrustedWriters,
  nameList,
  pathFacts,
  pathSubjects,
  reachBoth,
  thirdPartyModelFact,
} from "./lib/training.js";

const meta: RuleMeta = {
  id: "AT-09",
  title: "Code execution when loading a model in an executable format",
  description:
    "Pickle-based formats (raw pickle, PyTorch `.pt`/`.bin`, joblib) and Keras files with Lambda layers can carry code that runs the moment the file is loaded. When such a file comes from a public hub, a vendor, or a store that less trusted parties can write to, whoever prepared it runs code inside the training job or serving process, with its credentials, data and network access. Safe formats such as safetensors or ONNX, or scanning before load, remove the path.",
  category: "threat",
  stride: ["elevation_of_privilege", "tampering"],
  atlas: ["AML.T0011.000", "AML.T0018.002", "AML.T0010.003"],
  owasp: ["LLM03:2025", "ML06:2023"],
  nist: ["NISTAML.05"],
  cosai: ["riskMaliciousLoaderDeserialization"],
  likelihood: "high",
  likelihoodBasis:
    "ATLAS rates unsafe AI artifacts as realized; malicious pickles have been found on public hubs",
  impact: "very_high",
  impactBasis: "arbitrary code runs where the model is loaded, with that process's credentials and data",
  mitigations: ["safe_serialization", "artifact_scanning", "artifact_signing", "sandbox"],
  detection:
    "A model declares `format pickle`, `pytorch`, `joblib` or `keras`, and its artifact descends (over train, produce, publish, deploy, serve, copy and load flows) from a third-party model or public model registry, or from a store or registry that a less trusted component writes to or that sits in an untrusted zone. Controls count on the model, on the components it is served, deployed or loaded into (where its code would run), and along the lineage.",
  falsePositives:
    "Loaders configured to refuse code (e.g. `torch.load(weights_only=True)`); declare `safe_serialization` on the loading component.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0011.000",
    "https://cwe.mitre.org/data/definitions/502.html",
  ],
  appliesTo: ["model"],
};

const PUBLIC = trustRank("public");

/** Why an artifact holder is a place attackers can write, or undefined. */
function writableFact(g: Parameters<typeof outFlows>[0], c: Component): Fact | undefined {
  if (c.kind !== "store" && c.kind !== "registry") return undefined;
  if (attackerTrust(c)) return { text: `${describe(g, c)} is open to untrusted parties`, loc: c.nameLoc };
  const w = lessTrustedWriters(g, c)[0];
  if (!w) return undefined;
  const who = g.model.components[w.from]!;
  return { text: `${describe(g, who)} writes into the more trusted \`${c.name}\``, loc: w.loc };
}

/** A model in a code-executing format whose file comes from outside or from a writable store. */
export default defineRule(meta, ({ graph, facts, report }) => {
  const unsafe = componentsOf(graph, "model").filter(
    (m) => m.props.format !== undefined && EXECUTABLE_FORMATS.has(m.props.format),
  );
  if (unsafe.length === 0) return;
  // Seeds in index order; only models, stores and registries can be one, and whether a store is
  // writable is asked of typed arrays (building the fact for every store cost more than the reach).
  const seeds: number[] = [];
  const candidate = componentKindMask(["model", "store", "registry"]);
  const store = COMPONENT_KIND_CODE.get("store")!;
  const registry = COMPONENT_KIND_CODE.get("registry")!;
  for (let i = 0; i < graph.model.components.length; i++) {
    const kind = graph.compKind[i]!;
    if (!candidate[kind]) continue;
    const holder = kind === store || kind === registry;
    if (
      isThirdPartyModelSource(graph.model.components[i]!) ||
      (holder && (graph.trust[i]! <= PUBLIC || hasLessTrustedWriter(graph, i)))
    )
      seeds.push(i);
  }
  const r = reachBoth(graph, facts, seeds, ARTIFACT_REACH, guardOf(graph, meta));

  for (const m of unsafe) {
    if (r.all[m.index] === UNREACHED) continue;
    const { path } = bestPath(facts, r, m.index);
    const origin = graph.model.components[path.start]!;
    const vendor = origin.kind === "model" && origin.props.origin === "vendor";
    // Anyone can plant the file on a public hub or in a store open to untrusted writers.
    const external = isThirdPartyModelSource(origin)
      ? !vendor
      : attackerTrust(origin) ||
        lessTrustedWriters(graph, origin).some((f) => attackerTrust(graph.model.components[f.from]!));
    const loaders = outFlows(graph, m.index).filter(
      (f) => f.kind === "serve" || f.kind === "deploy" || f.kind === "load",
    );
    const first = isThirdPartyModelSource(origin)
      ? thirdPartyModelFact(graph, origin)
      : writableFact(graph, origin)!;
    report({
      subject: componentSubject(m),
      message: `\`${m.name}\` is stored as \`${m.props.format ?? ""}\`, which runs code on load, and its file comes from ${path.edges.length === 0 ? (origin.kind === "model" && origin.props.origin === "vendor" ? "a vendor" : "a public hub") : `\`${origin.name}\``}${
        loaders.length > 0
          ? `: loading it in ${nameList(loaders.map((f) => graph.model.components[f.to]!.name))} runs whatever it carries`
          : ""
      }`,
      facts: [
        ...pathFacts(graph, facts, path, first, "the model file"),
        {
          text: `\`${m.name}\` declares \`format ${m.props.format ?? ""}\`, a format that can execute code when loaded`,
          loc: m.propLocs["format"] ?? m.nameLoc,
        },
        ...loaders.map((f) => ({
          text: `\`${graph.model.components[f.to]!.name}\` loads \`${m.name}\` (${f.kind})`,
          loc: f.loc,
        })),
      ],
      controlPoints: [
        componentSubject(m),
        ...loaders.map((f) => ({ type: "component" as const, index: f.to })),
        ...pathSubjects(graph, facts, path),
      ],
      ...(external
        ? {}
        : {
            likelihood: "medium" as const,
            adjustment: vendor
              ? "the file comes from a contracted vendor, not from anyone on a public hub"
              : `only the less trusted writers of \`${origin.name}\` can plant the file, not anyone on a public hub`,
          }),
    });
  }
});
