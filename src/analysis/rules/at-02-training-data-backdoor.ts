import type { Flow } from "../../semantic/model.js";
import { UNTRUSTED_CONTENT } from "../facts.js";
import { componentSubject, defineRule, flowSubject, type RuleMeta } from "../rule.js";
import {
  bestPath,
  crossingOf,
  entrySeeds,
  flowFact,
  guardOf,
  modelsFrom,
  NOT_FEEDBACK,
  pathFacts,
  pathSubjects,
  reachBoth,
  seedEntryFact,
} from "./lib/training.js";

const meta: RuleMeta = {
  id: "AT-02",
  title: "Backdoor implanted through poisoned training data",
  description:
    "When outsiders can place records in a model's training data, they can teach it a hidden trigger: an input pattern that flips its output to the attacker's choice while it behaves normally on everything else. Ordinary accuracy tests do not notice. It matters most where the model's output drives decisions, automatically or through a person who trusts it; a behavioural validation gate before release is the main defence.",
  category: "threat",
  stride: ["tampering", "elevation_of_privilege"],
  atlas: ["AML.T0020", "AML.T0018.000", "AML.T0043.004"],
  owasp: ["LLM04:2025", "ML10:2023", "ML02:2023"],
  nist: ["NISTAML.023", "NISTAML.021"],
  cosai: ["riskDataPoisoning"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates backdoor poisoning as demonstrated; the attacker must get trigger records into training and know what to trigger",
  impact: "high",
  impactBasis: "whoever knows the trigger decides what the model outputs for chosen inputs",
  mitigations: ["model_validation", "data_sanitization", "dataset_provenance"],
  detection:
    "AT-01's condition (attacker content reaches the input of a `train` flow, feedback and logs aside) and a model produced from that run, over produce, publish, copy, deploy or load flows, declares `decisions automated` or `decisions advisory`. Model validation counts on the model, the run, or any step from the run to the model; sanitization and provenance count on the poisoning chain.",
  falsePositives:
    "Validation or red-teaming that the model does not declare; a model whose decisions are reversible and cheap to get wrong.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0043.004",
    "https://atlas.mitre.org/techniques/AML.T0018.000",
  ],
  appliesTo: ["model"],
};

/** A model that drives decisions, trained on data outsiders can write, with no validation gate. */
export default defineRule(meta, ({ graph, facts, report }) => {
  const trains = graph.flowsByKind.get("train") ?? [];
  if (trains.length === 0) return;
  const r = reachBoth(
    graph,
    facts,
    entrySeeds(graph, facts, UNTRUSTED_CONTENT),
    { kinds: NOT_FEEDBACK },
    guardOf(graph, meta),
  );

  // For each decision-making model: the poisoned training run behind it (an uncut one first).
  const best = new Map<number, { flow: Flow; open: boolean; via: readonly Flow[] }>();
  const delivered = new Map<number, ReturnType<typeof modelsFrom>>();
  for (const fi of trains) {
    // Typed first: the flow object is read only when content crosses it.
    const state = crossingOf(graph, r, fi);
    if (state === "none") continue;
    const f = graph.model.flows[fi]!;
    if (!delivered.has(f.to)) delivered.set(f.to, modelsFrom(graph, f.to));
    for (const { model: m, via } of delivered.get(f.to)!) {
      if (m.props.decisions !== "automated" && m.props.decisions !== "advisory") continue;
      const prev = best.get(m.index);
      if (!prev || (!prev.open && state === "open"))
        best.set(m.index, { flow: f, open: state === "open", via });
    }
  }

  for (const [mi, { flow, via }] of [...best].sort((a, b) => a[0] - b[0])) {
    const m = graph.model.components[mi]!;
    if (m.kind !== "model") continue;
    const run = graph.model.components[flow.to]!;
    const { path } = bestPath(facts, r, flow.from);
    const automated = m.props.decisions === "automated";
    report({
      subject: componentSubject(m),
      message: `\`${m.name}\` ${automated ? "makes automated decisions" : "advises decisions"} and is trained by \`${run.name}\` on data outsiders can write, so a hidden trigger can be taught to it`,
      facts: [
        ...pathFacts(
          graph,
          facts,
          path,
          seedEntryFact(graph, facts, path.start, UNTRUSTED_CONTENT),
          "attacker-written records",
        ),
        flowFact(graph, flow, `trains \`${run.name}\` on them`),
        ...via.map((f) => flowFact(graph, f, "carries the trained weights on")),
        {
          text: `\`${m.name}\` declares \`decisions ${m.props.decisions ?? ""}\``,
          loc: m.propLocs["decisions"] ?? m.nameLoc,
        },
      ],
      controlPoints: [
        componentSubject(m),
        flowSubject(flow),
        ...via.flatMap((f) => [flowSubject(f), { type: "component" as const, index: f.to }]),
        ...pathSubjects(graph, facts, path),
      ],
      ...(automated
        ? { impact: "very_high" as const, adjustment: "its outputs act without a person in between" }
        : {}),
    });
  }
});
