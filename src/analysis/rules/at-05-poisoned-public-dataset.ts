import type { Component, Subject } from "../../semantic/model.js";
import type { ComponentKind } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import type { Fact } from "../facts.js";
import { lower } from "../findings.js";
import { componentSubject, defineRule, flowSubject, type RuleMeta } from "../rule.js";
import {
  DATA_MOVES,
  UNREACHED,
  bestPath,
  crossingOf,
  flowFact,
  guardOf,
  pathFacts,
  pathSubjects,
  reachBoth,
  type ReachPath,
} from "./lib/training.js";
import { propFact } from "./lib/inference.js";

const WEB_TYPES = new Set(["web", "forum", "social"]);
const PUBLISHED_TYPES = new Set(["repository", "documents", "api_feed"]);

/** Why a component is public, mutable content at web scale, or undefined when it is not. */
function publicOrigin(c: Component): string | undefined {
  if (c.kind === "source") {
    if (c.props.type !== undefined && WEB_TYPES.has(c.props.type))
      return `a ${c.props.type} source: anyone can change what it serves between curation and download`;
    if (c.trust === "public" && (c.props.type === undefined || PUBLISHED_TYPES.has(c.props.type)))
      return "published content with trust `public`: anyone can change it";
  }
  if (
    c.kind === "registry" &&
    c.props.origin === "public" &&
    (c.props.type === "datasets" || c.props.type === undefined)
  )
    return "a public registry: anyone can publish or replace datasets on it";
  return undefined;
}

/** Datasets end the search (each is reported); RAG datasets are another rule's concern and pass content on. */
const isTerminal = (c: Component): boolean => c.kind === "dataset" && c.props.purpose !== "rag";
const PASS_KINDS: readonly ComponentKind[] = [
  "source",
  "store",
  "registry",
  "vectorstore",
  "pipeline",
  "dataset",
];
// Train flows end the search too: training runs are checked on their own, not passed through.
const MOVES_NOT_TRAIN = [...DATA_MOVES].filter((k) => k !== "train");

const meta: RuleMeta = {
  id: "AT-05",
  title: "Poisoned public dataset or mutable web-scale crawl",
  description:
    "A dataset is filled from the open web, a forum, or a public dataset registry, and nothing records which exact records (by hash) were reviewed. Whoever controls a crawled page, an expired domain in a URL list, or an account on the registry can change the content after it was vetted and before it is downloaded again, poisoning it for a few dollars. Pinning hashes and recording provenance makes such a swap detectable.",
  category: "threat",
  stride: ["tampering"],
  atlas: ["AML.T0019", "AML.T0010.002", "AML.T0020"],
  owasp: ["LLM04:2025", "LLM03:2025", "ML02:2023", "ML06:2023"],
  nist: ["NISTAML.05", "NISTAML.013"],
  cosai: ["riskDataPoisoning"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates publishing poisoned datasets as demonstrated; buying an expired domain from a URL list costs little",
  impact: "high",
  impactBasis: "every model trained on the dataset inherits the poison",
  mitigations: ["dataset_provenance", "artifact_signing", "data_sanitization"],
  detection:
    "Starting at web, forum or social sources, sources of trust `public`, and public registries of datasets, content is followed over copy, ingest, read, write, produce and retrieve flows through stores, registries and jobs until it lands in a dataset (other than a RAG one), or feeds a training run directly by a `train` flow. Provenance on a dataset, signature checks on a registry mirror and sanitization on a job cut the chain. A dataset that declares `versioned true` (immutable once published) lowers the likelihood one step: content swapped at the source after a version is taken no longer reaches what trains on that version, though poison present when it was taken still does.",
  falsePositives:
    "Crawls pinned by content hash outside the model; a dataset the team snapshots once and never re-downloads (declare it `versioned true`, which lowers the likelihood but keeps the finding: what the snapshot took in was never checked record by record).",
  references: ["https://atlas.mitre.org/techniques/AML.T0019", "https://arxiv.org/abs/2302.10149"],
  appliesTo: ["dataset", "pipeline", "model"],
};

/** Datasets filled from the open web or a public registry without provenance. */
export default defineRule(meta, ({ graph, facts, report }) => {
  const seeds: number[] = [];
  for (const kind of ["source", "registry"] as const)
    for (const i of graph.byKind.get(kind) ?? []) if (publicOrigin(graph.model.components[i]!)) seeds.push(i);
  if (seeds.length === 0) return;
  // Datasets (other than RAG ones) end the search: each is reported, not passed through.
  const terminals = new Uint8Array(graph.model.components.length);
  for (const i of graph.byKind.get("dataset") ?? [])
    if (isTerminal(graph.model.components[i]!)) terminals[i] = 1;
  const r = reachBoth(
    graph,
    facts,
    seeds,
    { kinds: MOVES_NOT_TRAIN, returns: false, through: PASS_KINDS, deadEnds: terminals },
    guardOf(graph, meta),
  );

  const describePath = (p: ReachPath): Fact[] => {
    const origin = graph.model.components[p.start]!;
    return pathFacts(
      graph,
      facts,
      p,
      { text: `${describe(graph, origin)} is ${publicOrigin(origin) ?? "public"}`, loc: origin.nameLoc },
      "downloaded content",
    );
  };

  for (const i of graph.byKind.get("dataset") ?? []) {
    if (!terminals[i] || r.all[i] === UNREACHED) continue;
    const ds = graph.model.components[i]!;
    const { path } = bestPath(facts, r, i);
    const origin = graph.model.components[path.start]!;
    // A version, once published, does not change: a later swap at the source is not in it.
    const versioned = ds.kind === "dataset" && ds.props.versioned === true;
    report({
      subject: componentSubject(ds),
      message: versioned
        ? `\`${ds.name}\` is filled from \`${origin.name}\`, which anyone can change before a version is taken`
        : `\`${ds.name}\` is filled from \`${origin.name}\`, which anyone can change between review and download`,
      facts: [
        ...describePath(path),
        ...(versioned
          ? [
              propFact(
                ds,
                "versioned",
                `\`${ds.name}\` is versioned and immutable once published (\`versioned true\`)`,
              ),
            ]
          : []),
      ],
      controlPoints: [componentSubject(ds), ...pathSubjects(graph, facts, path)],
      ...(versioned
        ? {
            likelihood: lower(meta.likelihood, 1),
            likelihoodReason: `\`${ds.name}\` is versioned and immutable once published: content swapped at the source after a version is taken is not in that version, but poison already there when it was taken is`,
          }
        : {}),
    });
  }

  // Training runs fed straight from public content, with no dataset in between to hold provenance.
  const reported = new Set<number>();
  for (const fi of graph.flowsByKind.get("train") ?? []) {
    // Typed ends and `terminals`: the flow object is read only for a run that is reported.
    const to = graph.csr.edgeTo[fi]!;
    if (terminals[graph.csr.edgeFrom[fi]!] || reported.has(to) || crossingOf(graph, r, fi) === "none")
      continue;
    reported.add(to);
    const f = graph.model.flows[fi]!;
    const run = graph.model.components[f.to]!;
    const { path } = bestPath(facts, r, f.from);
    const points: Subject[] = [componentSubject(run), flowSubject(f), ...pathSubjects(graph, facts, path)];
    report({
      subject: componentSubject(run),
      message: `\`${run.name}\` trains on content from \`${graph.model.components[path.start]!.name}\`, which anyone can change, with no versioned dataset in between`,
      facts: [...describePath(path), flowFact(graph, f, `feeds it to \`${run.name}\` for training`)],
      controlPoints: points,
    });
  }
});
