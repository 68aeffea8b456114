import type { Component, Flow, Subject } from "../../semantic/model.js";
import { classificationRank, trustRank } from "../../semantic/vocabulary.js";
import { classificationOf, type Fact, type Facts } from "../facts.js";
import { describe } from "../explain.js";
import { attackerTrust } from "../predicates.js";
import {
  componentSubject,
  defineRule,
  flowSubject,
  type Level,
  type RuleMeta,
  levelReasons,
} from "../rule.js";
import { classChain, classReach, crownIndex, guardOf, type ClassReach } from "./lib/training.js";
import {
  COMPONENT_KIND_CODE,
  componentKindMask,
  FLOW_KIND_CODE,
  type ThreatGraph,
} from "../../graph/threat-graph.js";

const PERSONAL = classificationRank("personal");
const SENSITIVE = classificationRank("sensitive");

const meta: RuleMeta = {
  id: "AT-06",
  title: "Training data theft from datasets and stores",
  description:
    "Training sets gather large volumes of personal or otherwise sensitive records in one place, often copied out of the systems that normally guard them. A dataset or store that a less trusted zone can read from, or that has neither access control nor encryption declared, is an attractive target: one stolen snapshot exposes everyone in it.",
  category: "threat",
  stride: ["information_disclosure"],
  atlas: ["AML.T0036", "AML.T0035", "AML.T0025"],
  owasp: ["LLM02:2025"],
  nist: [],
  cosai: ["riskSensitiveDataDisclosure"],
  likelihood: "medium",
  likelihoodBasis:
    "theft from data repositories is realized in ATLAS case studies; it needs access to the store",
  impact: "high",
  impactBasis: "a breach of personal data at training-set scale, with notification and regulatory duties",
  mitigations: ["access_control", "encryption_at_rest"],
  detection:
    "A dataset (other than a RAG one), or a store or registry that is the source of a `train` flow, sees data classified `personal` or above (held, or received over its flows), and either sends that data to a component of lower trust, sits in a zone of public or untrusted trust, or declares neither access control nor encryption at rest.",
  falsePositives:
    "Pseudonymised or synthetic records still classified as personal; readers of lower trust that only receive aggregates (declare `carries` on the flow to say what it moves).",
  references: ["https://atlas.mitre.org/techniques/AML.T0036"],
  appliesTo: ["dataset", "store", "registry"],
};

/** Whether flow `fi` moves data at personal classification or above (its own `carries` narrows it). */
function movesPersonal(g: ThreatGraph, fi: number): boolean {
  return g.declaresCarries[fi] === 0 || g.carriedRank[fi]! >= PERSONAL;
}

/**
 * Datasets, and stores and registries that feed training, that see personal data or above (RAG
 * datasets aside). A function of its own rather than the rule's first loop: V8 compiled the rule
 * on the stack inside that loop and threw the code out where the loop over candidates began.
 */
function candidatesOf(graph: ThreatGraph, facts: Facts): Component[] {
  const candidates: Component[] = [];
  // Indexed over typed codes: only components that see personal data and are of a kind that holds
  // training data are looked at.
  const holder = componentKindMask(["dataset", "store", "registry"]);
  const dataset = COMPONENT_KIND_CODE.get("dataset")!;
  const train = FLOW_KIND_CODE.get("train")!;
  const { outStart, outEdges } = graph.csr;
  const trainsFrom = (v: number): boolean => {
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++)
      if (graph.flowKind[outEdges[i]!] === train) return true;
    return false;
  };
  for (let v = 0; v < graph.model.components.length; v++) {
    if (facts.sensitivity[v]! < PERSONAL || !holder[graph.compKind[v]!]) continue;
    const c = graph.model.components[v]!;
    if (c.kind === "dataset" && c.props.purpose === "rag") continue;
    // Stores count when they are a training input themselves; the systems of record upstream are
    // ordinary data stores, not training data.
    if (graph.compKind[v] !== dataset && !trainsFrom(v)) continue;
    candidates.push(c);
  }
  return candidates;
}

/** Personal or more sensitive training data readable across a trust boundary, or unprotected at rest. */
export default defineRule(meta, ({ graph, facts, model, report }) => {
  const guard = guardOf(graph, meta);
  const crowns = crownIndex(model);
  const candidates = candidatesOf(graph, facts);
  if (candidates.length === 0) return;
  // Shortest chains for the explanation, per threshold (the sensitivity facts keep long ones).
  const personal = classReach(graph, facts, PERSONAL);
  let sensitive: ClassReach | undefined;
  for (const c of candidates) {
    // Trust and what a flow carries are typed: only the readers' flows are read as objects.
    const readers: Flow[] = [];
    const { outStart, outEdges, edgeTo } = graph.csr;
    for (let i = outStart[c.index]!; i < outStart[c.index + 1]!; i++) {
      const fi = outEdges[i]!;
      if (graph.trust[edgeTo[fi]!]! < graph.trust[c.index]! && movesPersonal(graph, fi))
        readers.push(graph.model.flows[fi]!);
    }
    const exposedZone = attackerTrust(c);
    const exposed = exposedZone || readers.length > 0;
    if (!exposed && guard.on(c)) continue;

    const lowest = readers
      .map((f) => graph.model.components[f.to]!)
      .reduce<Component | undefined>(
        (lo, t) => (!lo || trustRank(t.trust) < trustRank(lo.trust) ? t : lo),
        undefined,
      );
    const outsider = exposedZone || (lowest !== undefined && trustRank(lowest.trust) <= trustRank("partner"));
    let likelihood: Level | undefined;
    let why = "";
    if (outsider) {
      likelihood = "high";
      why = exposedZone
        ? "it sits where untrusted parties can reach it"
        : `\`${lowest!.name}\` (trust \`${lowest!.trust}\`) reads it`;
    } else if (!exposed) {
      likelihood = "low";
      why = "nothing less trusted reads it: theft needs a foothold in its zone";
    }

    const rank = facts.sensitivity[c.index]!;
    const reach = rank >= SENSITIVE ? (sensitive ??= classReach(graph, facts, SENSITIVE)) : personal;
    const witness = reach.witness[c.index]!;
    const crown = witness >= 0 ? crowns.data.get(witness) : undefined;
    const critical = rank >= SENSITIVE || crown?.properties.includes("confidentiality") === true;

    const out: Fact[] = [...classChain(graph, facts, reach, c.index)];
    if (exposedZone) out.push({ text: `${describe(graph, c)} is open to untrusted parties`, loc: c.nameLoc });
    for (const f of readers) {
      const to = graph.model.components[f.to]!;
      out.push({
        text: `\`${c.name} -> ${to.name}\` (${f.kind}) hands its records to ${describe(graph, to)}, less trusted than \`${c.name}\` (\`${c.trust}\`)`,
        loc: f.loc,
      });
    }
    if (!exposed)
      out.push({
        text: `\`${c.name}\` declares neither access control nor encryption at rest`,
        loc: c.nameLoc,
      });
    if (crown?.properties.includes("confidentiality"))
      out.push({ text: `\`${crown.name}\` is a crown jewel for confidentiality`, loc: crown.loc });

    const cls = classificationOf(rank) ?? "personal";
    const points: Subject[] = [componentSubject(c), ...readers.map(flowSubject)];
    const adjustments = [why, critical ? `it holds ${crown ? "crown-jewel" : cls} data` : ""];
    report({
      subject: componentSubject(c),
      message: exposed
        ? `\`${c.name}\` holds ${cls} training data that ${exposedZone ? "untrusted parties can reach" : `less trusted \`${lowest!.name}\` can read`}`
        : `\`${c.name}\` holds ${cls} training data with neither access control nor encryption at rest declared`,
      facts: out,
      controlPoints: points,
      ...(likelihood ? { likelihood } : {}),
      ...(critical ? { impact: "very_high" as const } : {}),
      ...levelReasons(adjustments[0], adjustments[1]),
    });
  }
});
