import { FLOW_KIND_CODE, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import { trustRank } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import { crossesBoundary, isLlmConsumer, servedModels, stateChangingCall } from "../predicates.js";
import { componentSubject, defineRule, flowSubject, levelReasons } from "../rule.js";
import { flowFact, isAttackerLevel, isServed, servedBy } from "./lib/inference.js";

/** A flow that carries model output, with the component whose output it is and the one receiving it. */
interface OutputFlow {
  readonly flow: Flow;
  readonly producer: Component;
  readonly consumer: Component;
}

/**
 * Flows that carry model output over the wire: answers (`response`), a hosted provider serving a
 * component (`serve` from a provider), and calls whose results come back (`invoke` to something that
 * answers with a model). A `serve` from a `model` means its weights run there, so nothing travels.
 */
function outputFlows(
  g: ThreatGraph,
  isProducer: (c: Component) => boolean,
  keep: (flow: number) => boolean,
): OutputFlow[] {
  const out: OutputFlow[] = [];
  const at = (i: number) => g.model.components[i]!;
  const response = FLOW_KIND_CODE.get("response")!;
  const { outStart, outEdges, edgeTo } = g.csr;
  // Typed: whether `callee` answers `caller` with its own `response` flow.
  const answers = (callee: number, caller: number): boolean => {
    for (let k = outStart[callee]!; k < outStart[callee + 1]!; k++) {
      const r = outEdges[k]!;
      if (g.flowKind[r] === response && edgeTo[r] === caller) return true;
    }
    return false;
  };
  for (const kind of ["response", "serve", "invoke"] as const) {
    for (const i of g.flowsByKind.get(kind) ?? []) {
      if (!keep(i)) continue;
      const f = g.model.flows[i]!;
      if (kind === "invoke") {
        // When the answer is drawn as its own `response` flow, that flow is the one reported.
        const answered = answers(f.to, f.from);
        if (!answered && isProducer(at(f.to)))
          out.push({ flow: f, producer: at(f.to), consumer: at(f.from) });
      } else if (kind === "serve") {
        if (at(f.from).kind === "provider" && isProducer(at(f.from)))
          out.push({ flow: f, producer: at(f.from), consumer: at(f.to) });
      } else if (isProducer(at(f.from))) out.push({ flow: f, producer: at(f.from), consumer: at(f.to) });
    }
  }
  return out;
}

/** Changing a model's answer on the wire between where it is computed and where it is used. */
export default defineRule(
  {
    id: "AT-54",
    title: "Model output tampered with in transit",
    description:
      "A model's output (a score, a label, a completion, an embedding) crosses a trust boundary on its way to where it is used, over a connection that is not stated to be encrypted and authenticated. Whoever sits on that path can change the answer (approve what the model rejected, rewrite an instruction to an agent) without touching the model, and the consumer cannot tell.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0048"],
    owasp: ["ML09:2023"],
    nist: [],
    cosai: [],
    likelihood: "low",
    likelihoodBasis:
      "needs a position on the network path; ATLAS has no technique for it, so this cites the harm (External Harms)",
    impact: "medium",
    impactBasis: "the consumer acts on an answer the model never gave",
    mitigations: ["encryption_in_transit"],
    detection:
      "A flow that carries model output across zones or trust levels: a `response` from a model, an LLM, or an endpoint or provider answering with one; a `serve` from a hosted provider; an `invoke` whose callee answers with a model (the result travels back). `encrypted true` implies `encryption_in_transit`.",
    falsePositives:
      "Both ends run on one host or in one service mesh with mutual TLS the model does not show.",
    references: [
      "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML09_2023-Output_Integrity_Attack",
    ],
    appliesTo: ["flow"],
  },
  ({ graph, facts, report }) => {
    const served = servedBy(graph, facts, "any", () => true, true);
    const producer = (c: Component): boolean => {
      if (c.kind === "model" || isLlmConsumer(graph, c)) return true;
      if (c.kind === "endpoint") return isServed(served, c.index) || servedModels(graph, c).length > 0;
      if (c.kind === "provider") return c.props.type === "llm_api" || c.props.type === "embedding_api";
      return false;
    };
    // Typed `crossesBoundary` first: most output flows stay inside one zone and trust level.
    const crosses = (fi: number): boolean => {
      const a = graph.csr.edgeFrom[fi]!;
      const b = graph.csr.edgeTo[fi]!;
      return graph.trust[a] !== graph.trust[b] || graph.zone[a] !== graph.zone[b];
    };
    for (const { flow: f, producer: from, consumer: to } of outputFlows(graph, producer, crosses)) {
      if (!crossesBoundary(graph, f)) continue;
      const exposed = isAttackerLevel(trustRank(from.trust)) || isAttackerLevel(trustRank(to.trust));
      const automated =
        (from.kind === "model" && from.props.decisions === "automated") ||
        stateChangingCall(graph, to) !== undefined;
      const reasons = [
        exposed ? "one end sits in a zone attackers can reach" : undefined,
        automated ? "the output is acted on automatically" : undefined,
      ];
      const state =
        f.encrypted === false ? " unencrypted" : f.encrypted === true ? "" : " without stated encryption";
      report({
        subject: flowSubject(f),
        message: `model output from \`${from.name}\` crosses a trust boundary to \`${to.name}\`${state}; whoever sits on the path can alter it`,
        facts: [
          { text: `${describe(graph, from)} produces model output`, loc: from.nameLoc },
          flowFact(graph, f, `carries it to ${describe(graph, to)}, across a trust boundary`),
          ...(f.encrypted === false
            ? [{ text: `the flow declares \`encrypted false\``, loc: f.propLocs["encrypted"] ?? f.loc }]
            : []),
          ...(f.auth === "none"
            ? [{ text: `the flow declares \`auth none\``, loc: f.propLocs["auth"] ?? f.loc }]
            : []),
        ],
        controlPoints: [flowSubject(f), componentSubject(from), componentSubject(to)],
        ...(exposed ? { likelihood: "medium" as const } : {}),
        ...(automated ? { impact: "high" as const } : {}),
        ...levelReasons(reasons[0], reasons[1]),
      });
    }
  },
);
