import { componentsOf, inFlows, outFlows } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import { PARTNER_RANK } from "./lib/inference.js";
import { describe } from "../explain.js";
import { UNTRUSTED_CONTENT, type Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject, type RuleMeta } from "../rule.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import type { Facts } from "../facts.js";
import {
  UNREACHED,
  bestPath,
  crossing,
  flowFact,
  guardOf,
  pathFacts,
  pathSubjects,
  reachBoth,
  seedEntryFact,
  type ReachPath,
} from "./lib/training.js";

const meta: RuleMeta = {
  id: "AT-56",
  title: "Evaluation or benchmark manipulation",
  description:
    "The data a release gate evaluates models on can be shaped by outsiders or a partner. Whoever controls it can make a poisoned or degraded model pass (drop the cases its backdoor fails, add easy ones), or make a good one fail; a leaked or contaminated benchmark equally hides regressions. The gate then certifies whatever the attacker wants certified.",
  category: "threat",
  stride: ["tampering", "repudiation"],
  atlas: ["AML.T0059", "AML.T0010.002"],
  owasp: ["LLM04:2025"],
  nist: [],
  cosai: ["riskEvaluationBenchmarkManipulation"],
  likelihood: "medium",
  likelihoodBasis:
    "ATLAS rates dataset-integrity attacks as demonstrated; the attacker must know what the gate measures",
  impact: "high",
  impactBasis: "the validation gate that stands in for other controls certifies a compromised model",
  mitigations: ["dataset_provenance", "access_control", "data_sanitization"],
  detection:
    "An evaluation pipeline (`type evaluation`) takes data (not the model under test) from a component that attacker content or a partner-trust component reaches over any chain of flows; or an evaluation dataset (`purpose evaluation`) that feeds no evaluation pipeline is so reached. Provenance, access control or sanitization on the chain cut it.",
  falsePositives:
    "A public benchmark used only for comparison, with the release decision taken on a private held-out set the model does not show.",
  references: ["https://atlas.mitre.org/techniques/AML.T0059"],
  appliesTo: ["pipeline", "dataset"],
};

/** Why a reach seed is outside the organisation's control. */
function seedFact(g: ThreatGraph, facts: Facts, v: number): Fact {
  const c = g.model.components[v]!;
  if (facts.entry[v]! & UNTRUSTED_CONTENT) return seedEntryFact(g, facts, v, UNTRUSTED_CONTENT);
  return {
    text: `${describe(g, c)} belongs to a partner, outside the organisation's control`,
    loc: c.nameLoc,
  };
}

/** Whether an in-flow brings evaluation data rather than the model under test. */
function dataInput(g: ThreatGraph, f: Flow): boolean {
  const src: Component = g.model.components[f.from]!;
  if (f.kind === "serve" || f.kind === "deploy" || src.kind === "model") return false;
  return !(src.kind === "registry" && src.props.type === "models");
}

/** Evaluation data that outsiders or partners can shape, so a compromised model passes its gate. */
export default defineRule(meta, ({ graph, facts, report }) => {
  const gates = componentsOf(graph, "pipeline").filter((p) => p.props.type === "evaluation");
  const evalSets = componentsOf(graph, "dataset").filter((d) => d.props.purpose === "evaluation");
  if (gates.length === 0 && evalSets.length === 0) return;
  // Entry classes and trust are typed: no component object is read to pick the seeds.
  const seeds: number[] = [];
  for (let v = 0; v < graph.model.components.length; v++)
    if (facts.entry[v]! & UNTRUSTED_CONTENT || graph.trust[v] === PARTNER_RANK) seeds.push(v);
  const r = reachBoth(graph, facts, seeds, {}, guardOf(graph, meta));

  for (const gate of gates) {
    let pick: { flow: Flow; open: boolean } | undefined;
    for (const f of inFlows(graph, gate.index)) {
      if (!dataInput(graph, f)) continue;
      const state = crossing(graph, r, f);
      if (state === "none") continue;
      if (!pick || (!pick.open && state === "open")) pick = { flow: f, open: state === "open" };
    }
    if (!pick) continue;
    const { path } = bestPath(facts, r, pick.flow.from);
    const origin = graph.model.components[path.start]!;
    report({
      subject: componentSubject(gate),
      message: `the evaluation in \`${gate.name}\` uses data that \`${origin.name}\` can shape, so a compromised model can be made to pass`,
      facts: [
        ...chain(graph, facts, path, "content"),
        flowFact(graph, pick.flow, `feeds it to the evaluation in \`${gate.name}\``),
      ],
      controlPoints: [componentSubject(gate), flowSubject(pick.flow), ...pathSubjects(graph, facts, path)],
    });
  }

  for (const ds of evalSets) {
    if (r.all[ds.index] === UNREACHED) continue;
    // A set that feeds an evaluation job is reported on the job (the gate).
    const feedsGate = outFlows(graph, ds.index).some((f) => {
      const t = graph.model.components[f.to]!;
      return t.kind === "pipeline" && t.props.type === "evaluation";
    });
    if (feedsGate) continue;
    const { path } = bestPath(facts, r, ds.index);
    const origin = graph.model.components[path.start]!;
    report({
      subject: componentSubject(ds),
      message:
        path.start === ds.index
          ? `the evaluation set \`${ds.name}\` is ${ds.trust === "partner" ? "held by a partner" : "open to untrusted parties"}, who can tune it so a compromised model passes`
          : `the evaluation set \`${ds.name}\` can be shaped by \`${origin.name}\`, so a compromised model can be made to pass`,
      facts: chain(graph, facts, path, "content"),
      controlPoints: [componentSubject(ds), ...pathSubjects(graph, facts, path)],
    });
  }
});

/**
 * The facts along `p`, from its seed: a module function (not a closure made per compile), so V8 keeps
 * its optimized code from one compile to the next.
 */
function chain(graph: ThreatGraph, facts: Facts, p: ReachPath, what: string): Fact[] {
  return pathFacts(graph, facts, p, seedFact(graph, facts, p.start), what);
}
