import { describe, edgeFact } from "../explain.js";
import { componentSubject, defineRule, flowSubject, levelReasons } from "../rule.js";
import type { Subject } from "../../semantic/model.js";
import {
  flowPoints,
  fronts,
  isAttackerLevel,
  isServed,
  lazyChain,
  NONE,
  propFact,
  reachPath,
  runtimeReach,
  servedBy,
  servedUpstream,
  servingChain,
  servingPath,
} from "./lib/inference.js";
import { trustRank } from "../../semantic/vocabulary.js";

/** Physical objects or signals crafted to fool a model that reads sensors. */
export default defineRule(
  {
    id: "AT-20",
    title: "Physical-domain adversarial inputs and sensor spoofing",
    description:
      "A model takes its input from sensors (cameras, microphones, lidar, radar, telemetry) that observe a world the attacker can walk into. A printed patch, a sticker on a sign, an ultrasonic command or a spoofed signal changes what the sensor reports, and with it what the model decides, without touching any system the organisation runs.",
    category: "threat",
    stride: ["tampering", "spoofing"],
    atlas: ["AML.T0041", "AML.T0008.003", "AML.T0015"],
    owasp: ["ML01:2023"],
    nist: ["NISTAML.022"],
    cosai: ["riskModelEvasion"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates physical environment access as demonstrated; it needs presence near the sensor",
    impact: "medium",
    impactBasis: "the model misreads the physical world; how bad depends on what acts on its output",
    mitigations: ["sensor_fusion", "adversarial_detection", "adversarial_training"],
    detection:
      "Content from a source of type `sensor` reaches, over run-time flows, a model or a component a model is served or deployed to.",
    falsePositives:
      "The sensor observes a space the attacker cannot enter or influence (a sealed process line), which the zone does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0041",
      "https://atlas.mitre.org/techniques/AML.T0008.003",
    ],
    appliesTo: ["model", "endpoint", "agent", "app"],
  },
  ({ graph, facts, report }) => {
    const served = servedBy(graph, facts, "any", () => true, true);
    const reach = runtimeReach(
      graph,
      facts,
      "sensors",
      (c) => c.kind === "source" && c.props.type === "sensor",
    );
    for (const front of fronts(
      graph,
      (v) => isServed(served, v),
      (v) => servedUpstream(graph, served, v),
      (v) => reach.parent[v]! !== NONE,
    )) {
      const { start, edges } = reachPath(facts, reach, front.index);
      const sensor = graph.model.components[start]!;
      const { model, flows } = servingPath(graph, served, front.index);
      const automated = model.kind === "model" && model.props.decisions === "automated";
      const exposed = isAttackerLevel(trustRank(sensor.trust));
      const points: Subject[] = [componentSubject(front), componentSubject(sensor), ...flowPoints(flows)];
      for (const e of edges.slice(0, 64)) points.push(flowSubject(graph.model.flows[facts.infoFlow[e]!]!));
      const facts_ = [
        ...lazyChain(
          [propFact(sensor, "type", `${describe(graph, sensor)} is a sensor observing the physical world`)],
          edges,
          (e) => edgeFact(graph, facts, e, "sensor readings"),
        ),
        ...servingChain(graph, served, front.index),
        ...(automated
          ? [
              propFact(
                model,
                "decisions",
                `\`${model.name}\` decides automatically (\`decisions automated\`)`,
              ),
            ]
          : []),
      ];
      const reasons = [
        exposed ? `\`${sensor.name}\` sits in a zone attackers can reach` : undefined,
        automated ? "the model's decisions are automated" : undefined,
      ];
      report({
        subject: componentSubject(front),
        message: `readings from sensor \`${sensor.name}\` reach \`${model.name}\`${front === model ? "" : ` through \`${front.name}\``}; crafted physical inputs can fool it`,
        facts: facts_,
        controlPoints: points,
        ...(exposed ? { likelihood: "high" as const } : {}),
        ...(automated ? { impact: "high" as const } : {}),
        ...levelReasons(reasons[0], reasons[1]),
      });
    }
  },
);
