import { componentKindMask, componentsOf, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component, Flow, Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import { classificationOf, type Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject, type Level, type RuleMeta } from "../rule.js";
import {
  DATA_MOVES,
  UNREACHED,
  classChain,
  classReach,
  type ClassReach,
  flowFact,
  guardOf,
  guardedClassReach,
  pathFacts,
  pathSubjects,
  pathTo,
  reach,
  regulatedReach,
} from "./lib/training.js";
import { PARTNER_RANK } from "./lib/inference.js";

const PERSONAL = classificationRank("personal");
const CONFIDENTIAL = classificationRank("confidential");
const SCRAPED_TYPES = new Set(["web", "forum", "social"]);

/** Highest classification rank a `train` flow moves: its `carries` if declared, else what its source sees. */
function movedRank(g: ThreatGraph, sensitivity: Int8Array, fi: number): number {
  return g.declaresCarries[fi] ? g.carriedRank[fi]! : sensitivity[g.csr.edgeFrom[fi]!]!;
}

const OUTSIDE_KINDS = componentKindMask(["source", "actor"]);

/** The run, each of its training flows and their inputs, then the chains behind them, as control points. */
function points(run: Component, flows: readonly Flow[], upstream: readonly Subject[]): Subject[] {
  const out: Subject[] = [componentSubject(run)];
  for (const f of flows) out.push(flowSubject(f), { type: "component", index: f.from });
  for (const p of upstream) out.push(p);
  return out;
}

/** Personal, regulated or scraped data used for training without a recorded basis. */
const meta: RuleMeta = {
  id: "AT-07",
  title: "Training on data without authorisation, consent or licence",
  description:
    "A model is trained on personal data, on data under a regulation such as GDPR or HIPAA, on content scraped from the web, or on customers' or partners' confidential data. Each needs a basis the model does not show: consent or another legal ground for the people in it, a licence, contract or terms that allow training on the content. Without one, the organisation may have to delete the data and every model trained on it, and the model can repeat what it learned to anyone.",
  category: "threat",
  stride: ["information_disclosure"],
  atlas: ["AML.T0010.002"],
  owasp: ["LLM03:2025", "LLM02:2025"],
  nist: [],
  cosai: ["riskUnauthorizedTrainingData"],
  likelihood: "medium",
  likelihoodBasis:
    "consent and licence terms rarely cover model training unless someone checked; the model records no such check",
  impact: "high",
  impactBasis: "forced deletion of data and models, fines, and memorised records that the model can disclose",
  mitigations: ["dataset_provenance", "pii_redaction"],
  detection:
    "A `train` flow moves data classified `personal` or above (by its `carries`, or by what its source sees), data assets that declare `regulated`, content that started at a web, forum or social source, or confidential data (or above) held by a source or actor outside the organisation (trust `partner` or lower: a customer's repositories, a partner's records). Reported once per training run; provenance (where the basis is recorded) or redaction on the run, the training flow or its input counts, and so does one further up when every chain that brings the data to the input crosses it.",
  falsePositives:
    "Consent, contracts or licences handled outside the model: declare `dataset_provenance` on the dataset where the basis is recorded.",
  references: ["https://gdpr-info.eu/art-6-gdpr/", "https://genai.owasp.org/llmrisk/llm032025-supply-chain/"],
  appliesTo: ["pipeline", "model"],
};

export default defineRule(meta, ({ graph, facts, model, report }) => {
  const trains = graph.flowsByKind.get("train") ?? [];
  if (trains.length === 0) return;
  const regulated = regulatedReach(graph, facts);
  let personal: ClassReach | undefined;
  const scrapeSeeds: number[] = [];
  const isScraped = (c: Component) =>
    c.kind === "source" && c.props.type !== undefined && SCRAPED_TYPES.has(c.props.type);
  for (const c of componentsOf(graph, "source")) if (isScraped(c)) scrapeSeeds.push(c.index);
  const scrapeOpts = { kinds: [...DATA_MOVES].filter((k) => k !== "train"), returns: false };
  const scraped = reach(graph, facts, scrapeSeeds, scrapeOpts);
  // Other parties' data: a source or actor outside the organisation (partner trust or lower) that
  // holds confidential data or above, a customer's repositories, a partner's records. Using it for
  // training needs their agreement as much as personal data needs consent.
  const outsideSeeds: number[] = [];
  const outsideData = new Map<number, number>();
  const outsideHeld = new Set<number>();
  // Kind and trust are typed: only the sources and actors outside are read as objects.
  for (let v = 0; v < graph.model.components.length; v++) {
    if (!OUTSIDE_KINDS[graph.compKind[v]!] || graph.trust[v]! > PARTNER_RANK) continue;
    const c = graph.model.components[v]!;
    if (isScraped(c)) continue;
    const d = c.holds.find((i) => {
      const cls = model.data[i]!.classification;
      return cls !== undefined && classificationRank(cls) >= CONFIDENTIAL;
    });
    if (d === undefined) continue;
    outsideSeeds.push(c.index);
    outsideData.set(c.index, d);
    for (const i of c.holds) outsideHeld.add(i);
  }
  const outside = outsideSeeds.length > 0 ? reach(graph, facts, outsideSeeds, scrapeOpts) : undefined;

  // A control on the way counts when every chain that brings the data to the training input
  // crosses one (docs/adr/0016-training-inputs-and-controls-on-the-way.md): the same reaches
  // again, cut by the rule's controls, asked only when some element declares one.
  const guard = guardOf(graph, meta);
  const guarded = guard.key !== "";
  let scrapedOpen: Int32Array | undefined;
  let outsideOpen: Int32Array | undefined;
  const ownCut = (f: Flow): boolean => guarded && (guard.flow[f.index] === 1 || guard.comp[f.from] === 1);
  const upstreamCut = (f: Flow, open: () => Int32Array): boolean =>
    ownCut(f) || (guarded && open()[f.from] === UNREACHED);

  // One finding per training run: the first train flow (in declaration order) with each reason.
  const runs = new Map<
    number,
    {
      flows: Flow[];
      facts: Fact[];
      regulated: boolean;
      reasons: string[];
      /** Whether every chain of every reason crosses a counting control, and those chains. */
      cut: boolean;
      upstream: Subject[];
    }
  >();
  for (const fi of trains) {
    // What a flow without `carries` moves is read from typed arrays at its source: the flow object
    // (one of many shapes) is read only for `carries` and for the flows that have a reason.
    const from = graph.csr.edgeFrom[fi]!;
    const carries = graph.declaresCarries[fi] === 1;
    const rank = movedRank(graph, facts.sensitivity, fi);
    const carried = carries ? graph.model.flows[fi]!.carries : [];
    const regIdx = carries
      ? (carried.find((d) => model.data[d]!.regulated.length > 0) ?? -1)
      : regulated.witness[from]!;
    const scrapedHere = !carries && scraped[from] !== UNREACHED;
    const outsideHere =
      outside !== undefined &&
      (carries ? carried.some((d) => outsideHeld.has(d)) : outside[from] !== UNREACHED);
    if (rank < PERSONAL && regIdx < 0 && !scrapedHere && !outsideHere) continue;

    const f = graph.model.flows[fi]!;
    const run = runs.get(f.to) ?? {
      flows: [],
      facts: [],
      regulated: false,
      reasons: [],
      cut: true,
      upstream: [],
    };
    runs.set(f.to, run);
    run.flows.push(f);
    // Data named in `carries` has no chain behind the flow to cut: only the flow and its ends count.
    if (f.carries.length > 0) run.cut &&= ownCut(f);
    else if (run.cut) {
      if (rank >= PERSONAL) {
        personal ??= classReach(graph, facts, PERSONAL);
        const p = personal;
        run.cut = upstreamCut(f, () => guardedClassReach(graph, facts, PERSONAL, guard).parent);
        if (run.cut) run.upstream.push(...pathSubjects(graph, facts, pathTo(facts, p.parent, f.from)));
      }
      if (run.cut && regIdx >= 0) {
        run.cut = upstreamCut(f, () => regulatedReach(graph, facts, guard).parent);
        if (run.cut)
          run.upstream.push(...pathSubjects(graph, facts, pathTo(facts, regulated.parent, f.from)));
      }
      if (run.cut && outsideHere) {
        run.cut = upstreamCut(
          f,
          () => (outsideOpen ??= reach(graph, facts, outsideSeeds, { ...scrapeOpts, guard })),
        );
        if (run.cut) run.upstream.push(...pathSubjects(graph, facts, pathTo(facts, outside, f.from)));
      }
      if (run.cut && scrapedHere) {
        run.cut = upstreamCut(
          f,
          () => (scrapedOpen ??= reach(graph, facts, scrapeSeeds, { ...scrapeOpts, guard })),
        );
        if (run.cut) run.upstream.push(...pathSubjects(graph, facts, pathTo(facts, scraped, f.from)));
      }
    }
    if (rank >= PERSONAL && !run.reasons.includes("personal")) {
      run.reasons.push("personal");
      if (f.carries.length > 0) {
        const d = f.carries
          .map((i) => model.data[i]!)
          .find((x) => x.classification !== undefined && classificationRank(x.classification) >= PERSONAL)!;
        run.facts.push(flowFact(graph, f, `trains on \`${d.name}\` (${d.classification ?? ""})`));
      } else {
        personal ??= classReach(graph, facts, PERSONAL);
        run.facts.push(
          ...classChain(graph, facts, personal, f.from),
          flowFact(graph, f, `trains on ${classificationOf(rank) ?? "personal"} data`),
        );
      }
    }
    if (regIdx >= 0 && !run.reasons.includes("regulated")) {
      run.reasons.push("regulated");
      run.regulated = true;
      const d = model.data[regIdx]!;
      run.facts.push({
        text: `\`${d.name}\` is regulated (${d.regulated.join(", ")})`,
        loc: d.propLocs["regulated"] ?? d.nameLoc,
      });
      if (f.carries.length === 0) {
        const p = pathTo(facts, regulated.parent, f.from);
        const holder = graph.model.components[p.start]!;
        run.facts.push(
          ...pathFacts(
            graph,
            facts,
            p,
            {
              text: `\`${holder.name}\` ${holder.holds.includes(regIdx) ? "holds" : "sends"} \`${d.name}\``,
              loc: holder.holds.includes(regIdx)
                ? (holder.propLocs["holds"] ?? holder.nameLoc)
                : holder.nameLoc,
            },
            `\`${d.name}\``,
          ),
        );
      }
      run.facts.push(flowFact(graph, f, `trains on \`${d.name}\``));
    }
    if (outsideHere && !run.reasons.includes("outside")) {
      run.reasons.push("outside");
      if (f.carries.length > 0) {
        const d = model.data[f.carries.find((i) => outsideHeld.has(i))!]!;
        run.facts.push(flowFact(graph, f, `trains on \`${d.name}\`, which another party holds`));
      } else {
        const p = pathTo(facts, outside, f.from);
        const origin: Component = graph.model.components[p.start]!;
        const d = model.data[outsideData.get(origin.index)!]!;
        run.facts.push(
          ...pathFacts(
            graph,
            facts,
            p,
            {
              text: `${describe(graph, origin)} holds \`${d.name}\` (${d.classification ?? ""}), another party's data`,
              loc: origin.propLocs["holds"] ?? origin.nameLoc,
            },
            `\`${d.name}\``,
          ),
          flowFact(graph, f, `trains on \`${d.name}\``),
        );
      }
    }
    if (scrapedHere && !run.reasons.includes("scraped")) {
      run.reasons.push("scraped");
      const p = pathTo(facts, scraped, f.from);
      const origin: Component = graph.model.components[p.start]!;
      run.facts.push(
        ...pathFacts(
          graph,
          facts,
          p,
          {
            text: `${describe(graph, origin)} is scraped content whose terms may not allow training`,
            loc: origin.nameLoc,
          },
          "scraped content",
        ),
        flowFact(graph, f, "trains on the scraped content"),
      );
    }
  }

  const WORDS: Record<string, string> = {
    personal: "personal data",
    regulated: "regulated data",
    outside: "customers' or partners' confidential data",
    scraped: "scraped web content",
  };
  for (const [target, run] of [...runs].sort((a, b) => a[0] - b[0])) {
    const c = graph.model.components[target]!;
    const what = run.reasons.map((r) => WORDS[r]!);
    const list =
      what.length <= 1 ? what.join("") : `${what.slice(0, -1).join(", ")} and ${what[what.length - 1]!}`;
    const impact: Level | undefined = run.regulated ? "very_high" : undefined;
    report({
      subject: componentSubject(c),
      message: `\`${c.name}\` trains on ${list}, which needs consent, a legal basis or a licence that covers training`,
      facts: run.facts,
      controlPoints: points(c, run.flows, run.cut ? run.upstream : []),
      ...(impact ? { impact, adjustment: "the data falls under a named regulation" } : {}),
    });
  }
});
