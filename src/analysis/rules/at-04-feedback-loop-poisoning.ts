import { scratchI32 } from "../../graph/arena.js";
import { flowKindMask, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Subject } from "../../semantic/model.js";
import { UNTRUSTED_CONTENT } from "../facts.js";
import { firstTaintClass, taintChain } from "../explain.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { feedFlows, flowFact, modelsFrom, nameList, trainingFeed } from "./lib/training.js";

// Flows along which a trained model's answers reach the people and apps that then give feedback.
const SERVING = flowKindMask(["serve", "deploy", "response"]);

/**
 * What the models serve, themselves included: every component reached from them over serving flows.
 * `seen` is the rule's scratch, marked with a stamp of each run's own: a Set per run cost more than
 * the search (most runs serve a dozen components), and a short list answers `includes` faster.
 */
function servedFrom(g: ThreatGraph, models: readonly number[], seen: Int32Array, stamp: number): number[] {
  const served: number[] = [];
  for (const m of models) {
    if (seen[m] === stamp) continue;
    seen[m] = stamp;
    served.push(m);
  }
  const { outStart, outEdges, edgeTo } = g.csr;
  for (let head = 0; head < served.length; head++) {
    const v = served[head]!;
    for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
      const fi = outEdges[i]!;
      const to = edgeTo[fi]!;
      if (!SERVING[g.flowKind[fi]!] || seen[to] === stamp) continue;
      seen[to] = stamp;
      served.push(to);
    }
  }
  return served;
}

/** User feedback or logged conversations flowing back into a model's training data. */
export default defineRule(
  {
    id: "AT-04",
    title: "Feedback-loop poisoning skews a model over time",
    description:
      "Ratings, corrections, conversation logs or other production data flow back into the data a model is retrained on. Whoever can use the system can then steer the next model: coordinated users (or bots) vote an answer up, repeat a phrase until it is learned, or mark good results as bad. When the retrained model serves the same users, the skew compounds with each cycle.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0020", "AML.T0031"],
    owasp: ["ML08:2023", "LLM04:2025"],
    nist: ["NISTAML.013", "NISTAML.024"],
    cosai: ["riskDataPoisoning"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS case studies show feedback poisoning realized against live systems; it needs volume the attacker can usually produce",
    impact: "high",
    impactBasis: "the retrained model drifts toward what the attacker wants, for every user",
    mitigations: ["feedback_validation", "data_sanitization", "model_validation"],
    detection:
      "A `feedback` or `log` flow whose sender is reached by attacker content (users, outside data or tool output), and whose records reach a `train` flow over copy, ingest and similar data flows. Likelihood rises when a model trained on them serves the sender again, closing the loop. Controls count on the sender, the feedback flow, every step to training and the training run.",
    falsePositives:
      "Logs kept for audit only, with a `train` path the model draws but the team never runs; feedback that only selects among fixed answers.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0020",
      "https://owasp.org/www-project-machine-learning-security-top-10/docs/ML08_2023-Model_Skewing",
    ],
    appliesTo: ["flow"],
  },
  ({ graph, facts, report }) => {
    const loops = [
      ...(graph.flowsByKind.get("feedback") ?? []),
      ...(graph.flowsByKind.get("log") ?? []),
    ].sort((a, b) => a - b);
    if (loops.length === 0 || (graph.flowsByKind.get("train") ?? []).length === 0) return;
    const feed = trainingFeed(graph);
    // Whether the loop closes depends on the training run alone, and many feedback flows feed the
    // same run: what its models serve is worked out once per run (a search per flow was most of
    // the rule's time).
    const servedByRun = new Map<number, number[]>();
    const seen = scratchI32(graph.model.components.length);
    for (const fi of loops) {
      // Typed ends first: the flow object is read only for a loop that is reported.
      if (feed[graph.csr.edgeTo[fi]!]! < 0) continue;
      const cls = firstTaintClass(facts, graph.csr.edgeFrom[fi]!, UNTRUSTED_CONTENT);
      if (!cls) continue;
      const fb = graph.model.flows[fi]!;
      const toTraining = feedFlows(graph, feed, fb.to);
      const train = toTraining[toTraining.length - 1]!;
      const run = graph.model.components[train.to]!;
      const models = modelsFrom(graph, run.index).map((x) => x.model);
      let served = servedByRun.get(run.index);
      if (!served && models.length > 0)
        servedByRun.set(
          run.index,
          (served = servedFrom(
            graph,
            models.map((m) => m.index),
            seen,
            run.index + 1,
          )),
        );
      const closed = models.length > 0 && served!.includes(fb.from);
      const sender = graph.model.components[fb.from]!;

      const points: Subject[] = [
        flowSubject(fb),
        componentSubject(sender),
        { type: "component", index: fb.to },
      ];
      for (const f of toTraining) points.push(flowSubject(f), { type: "component", index: f.to });
      report({
        subject: flowSubject(fb),
        message: closed
          ? `what \`${sender.name}\` ${fb.kind === "log" ? "logs" : "sends as feedback"} retrains ${nameList(models.map((m) => m.name))}, which serves it again: users can skew the model cycle by cycle`
          : `what \`${sender.name}\` ${fb.kind === "log" ? "logs" : "sends as feedback"} flows into the training of \`${run.name}\`, so users can skew the model`,
        facts: [
          ...taintChain(graph, facts, fb.from, cls),
          flowFact(graph, fb, `returns production data to \`${graph.model.components[fb.to]!.name}\``),
          ...toTraining.map((f) =>
            flowFact(graph, f, f.kind === "train" ? "retrains on it" : "moves it toward training"),
          ),
          ...(closed
            ? models.map((m) => ({
                text: `\`${m.name}\`, trained by \`${run.name}\`, serves \`${sender.name}\` again`,
                loc: m.nameLoc,
              }))
            : []),
        ],
        controlPoints: points,
        ...(closed
          ? {
              likelihood: "high" as const,
              adjustment: "the retrained model serves the same users: a closed loop",
            }
          : {}),
      });
    }
  },
);
