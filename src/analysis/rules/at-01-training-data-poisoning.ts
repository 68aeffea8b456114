import { UNTRUSTED_CONTENT } from "../facts.js";
import {
  componentSubject,
  defineRule,
  flowSubject,
  type Level,
  type RuleMeta,
  levelReasons,
} from "../rule.js";
import {
  bestPath,
  crossingOf,
  crownFact,
  crownFor,
  crownIndex,
  entrySeeds,
  flowFact,
  guardOf,
  modelsFrom,
  NOT_FEEDBACK,
  nameList,
  pathFacts,
  pathSubjects,
  reachBoth,
  seedEntryFact,
} from "./lib/training.js";

const meta: RuleMeta = {
  id: "AT-01",
  title: "Training data poisoning from an untrusted source",
  description:
    "Records that outsiders can write (web pages, forum posts, uploads, customer messages, fetched tool results) end up, directly or through stores and copies, in the data a training or fine-tuning run learns from. A few crafted records are enough to shift what the resulting model predicts or says, for every later user of it. The finding is reported on the training run, because that is where records turn into weights and where screening the inputs belongs.",
  category: "threat",
  stride: ["tampering"],
  atlas: ["AML.T0020", "AML.T0010.002", "AML.T0059"],
  owasp: ["LLM04:2025", "ML02:2023"],
  nist: ["NISTAML.013", "NISTAML.024"],
  cosai: ["riskDataPoisoning"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates training-data poisoning as realized, but the attacker's records must survive curation and be numerous enough to matter",
  impact: "high",
  impactBasis: "the trained model misbehaves for everyone who uses it, until it is retrained on clean data",
  mitigations: ["data_sanitization", "dataset_provenance", "access_control"],
  detection:
    "For every `train` flow: attacker content of a run-time class (user input, external data, tool output) reaches the flow's source over any chain of flows other than feedback and logs (those are AT-04). Controls that cut the chain (sanitization on an ETL step, provenance on a dataset, access control on a store) count wherever they sit on it; the finding stays open while any uncut chain remains.",
  falsePositives:
    "Curation the model does not show (manual review of every record, deduplication against a trusted corpus) may already remove attacker records; declare it as a control on the step where it happens.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0020",
    "https://genai.owasp.org/llmrisk/llm042025-data-and-model-poisoning/",
  ],
  appliesTo: ["pipeline", "model"],
};

/** Untrusted content reaching the data a training or fine-tuning run learns from. */
export default defineRule(meta, ({ graph, facts, model, report }) => {
  const trains = graph.flowsByKind.get("train") ?? [];
  if (trains.length === 0) return;
  const r = reachBoth(
    graph,
    facts,
    entrySeeds(graph, facts, UNTRUSTED_CONTENT),
    { kinds: NOT_FEEDBACK },
    guardOf(graph, meta),
  );

  // The training run each `train` flow feeds, with its best-placed poisoned input (open before cut).
  // Flow indices and ends are typed: only the flows picked are read as objects.
  const byTarget = new Map<number, { flow: number; open: boolean }>();
  for (const fi of trains) {
    const state = crossingOf(graph, r, fi);
    if (state === "none") continue;
    const to = graph.csr.edgeTo[fi]!;
    const prev = byTarget.get(to);
    if (!prev || (!prev.open && state === "open")) byTarget.set(to, { flow: fi, open: state === "open" });
  }

  const crowns = crownIndex(model);
  for (const [target, picked] of [...byTarget].sort((a, b) => a[0] - b[0])) {
    const flow = graph.model.flows[picked.flow]!;
    const run = graph.model.components[target]!;
    const input = graph.model.components[flow.from]!;
    const { path } = bestPath(facts, r, flow.from);
    const entry = graph.model.components[path.start]!;
    const produced = modelsFrom(graph, target).map((x) => x.model);
    const crown = produced.map((m) => crownFor(crowns, m, "integrity")).find((cj) => cj !== undefined);
    const close = path.edges.length <= 1;

    const outcome =
      produced.length > 0 ? `, shaping the weights of ${nameList(produced.map((m) => m.name))}` : "";
    const likelihood: Level | undefined = close ? "high" : undefined;
    const impact: Level | undefined = crown ? "very_high" : undefined;
    // The training input may itself be where outsiders write (a public hub, a crawled source).
    const source =
      entry === input ? "which outsiders write" : `which content from \`${entry.name}\` can reach`;
    report({
      subject: componentSubject(run),
      message: `\`${run.name}\` trains on \`${input.name}\`, ${source}${outcome}`,
      facts: [
        ...pathFacts(
          graph,
          facts,
          path,
          seedEntryFact(graph, facts, path.start, UNTRUSTED_CONTENT),
          "attacker-written records",
        ),
        flowFact(graph, flow, `feeds those records to \`${run.name}\` for training`),
        ...(crown ? [crownFact(crown, "integrity")] : []),
      ],
      controlPoints: [componentSubject(run), flowSubject(flow), ...pathSubjects(graph, facts, path)],
      ...(likelihood ? { likelihood } : {}),
      ...(impact ? { impact } : {}),
      ...levelReasons(
        close ? "outsiders write straight into the training input" : undefined,
        crown ? `the trained model \`${crown.name}\` is a crown jewel for integrity` : undefined,
      ),
    });
  }
});
