import { UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import { exfilChainAlong, firstTaintClass, sensitivityChain, taintChain } from "../explain.js";
import { componentsOf, FLOW_KIND_CODE, type ThreatGraph } from "../../graph/threat-graph.js";
import { seesAtLeast } from "../predicates.js";
import { componentSubject, defineRule, flowSubject, type ControlPoint } from "../rule.js";
import type { Component } from "../../semantic/model.js";
import {
  agentPoint,
  approvalReplacedTest,
  type ApprovalReplaced,
  reachPoints,
  replacedPoint,
  replacingReaches,
  runnerFacts,
  unsandboxedRunners,
  wayOutClosing,
  wayOutOf,
} from "./lib/agents.js";
import { controlCounts, controlsAt } from "../engine.js";
import { scratchI32 } from "../../graph/arena.js";

const MITIGATIONS = [
  "taint_tracking",
  "egress_allowlist",
  "human_approval",
  "output_filter",
  "least_privilege",
  "segmentation",
];

/** Untrusted input, private data and an outbound channel meeting in one agent. */
export default defineRule(
  {
    id: "AT-37",
    title: "Lethal trifecta: untrusted input, private data and an outbound channel in one agent",
    description:
      "One agent sees content an attacker controls, can read private data, and can send data somewhere the attacker can see (e-mail, web requests, rendered links, the attacker's own chat, a comment on the issue or ticket the attacker filed). Injected instructions can then make the agent collect the data and send it out. Keeping at most two of the three in one agent session (the rule of two) removes the path.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0086", "AML.T0051.001", "AML.T0057"],
    owasp: ["LLM01:2025", "LLM02:2025", "LLM06:2025", "ASI02:2026"],
    nist: ["NISTAML.015", "NISTAML.038"],
    cosai: ["riskSensitiveDataDisclosure", "riskRogueActions"],
    likelihood: "high",
    likelihoodBasis:
      "exfiltration through agent tools is realized in ATLAS case studies; each leg is present in the model",
    impact: "very_high",
    impactBasis: "confidential data leaves the organisation under the attacker's control",
    mitigations: MITIGATIONS,
    detection:
      "For each agent: attacker content of any run-time class reaches it, data classified confidential or above reaches it, and an information path leads from it to an observable sink (a send_external or browse tool, a markdown/HTML renderer, an untrusted party, or a component an untrusted actor `write`s to, since the actor reads back what lands there). Without such a path, a tool the agent reaches that runs code with no `sandbox` declared is the way out, since the code can open its own connections. Controls count on the agent and on every hop of the one way out explained: the first found, unless a control closes it and another way out (a path to a sink, else such a code runner) has none, which is then explained. On the way out, but an agent's approval (declared or implied) only where the way out leaves it by a tool call it decides: not by its answer, a write, a delegation or a result it returns, nor by a call to a tool that states its own `approval` and can carry data out, which replaces the agent's. Its other controls still count.",
    falsePositives:
      "The private data and the outbound channel are used in different sessions that the model does not separate.",
    references: [
      "https://simonwillison.net/2025/Jun/16/the-lethal-trifecta/",
      "https://atlas.mitre.org/techniques/AML.T0086",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    const counts = controlCounts(graph.model, "AT-37", MITIGATIONS);
    // Whether a tool replaces an agent's approval on a step out of it (`approvalReplacedOn`), each
    // agent's reaches read once.
    const replaced = approvalReplacedTest(graph, facts);
    for (const agent of componentsOf(graph, "agent")) {
      const cls = firstTaintClass(facts, agent.index, UNTRUSTED_CONTENT);
      if (!cls || !seesAtLeast(facts, agent, "confidential")) continue;
      const out = wayOutOf(graph, facts, agent);
      if (!out) continue;
      const message = `\`${agent.name}\` combines untrusted input, private data and a way out: injected instructions can make it leak the data`;
      const legs = [
        ...taintChain(graph, facts, agent.index, cls),
        ...sensitivityChain(graph, facts, agent.index),
      ];
      // Controls count on the agent and on every hop of the one way out explained (`wayOutPoints`).
      // When that way out is closed, another that is not is explained instead, when there is one:
      // the information path to an observable sink that nothing counted closes (`openWayOut`), else
      // an unsandboxed code runner nothing closes.
      const points = out.runner ? undefined : wayOutPoints(graph, facts, agent, facts.exfilNext, replaced);
      if (points && !closes(graph, counts, points)) {
        report({
          subject: componentSubject(agent),
          message,
          facts: [...legs, ...out.facts],
          controlPoints: points,
        });
        continue;
      }
      const open = points ? openWayOut(graph, facts, counts, replaced) : undefined;
      if (open && open[agent.index] !== -2) {
        report({
          subject: componentSubject(agent),
          message,
          facts: [...legs, ...exfilChainAlong(graph, facts, open, agent.index)],
          controlPoints: wayOutPoints(graph, facts, agent, open, replaced),
        });
        continue;
      }
      const runners = unsandboxedRunners(graph, agent);
      const runner =
        runners.find((r) => !closes(graph, counts, reachPoints(agent, r))) ??
        (points ? undefined : out.runner);
      if (runner) {
        // Code the agent runs outside a sandbox can open its own connections.
        report({
          subject: componentSubject(agent),
          message: `\`${agent.name}\` combines untrusted input, private data and code it can run outside a sandbox: injected instructions can make that code send the data out`,
          facts: [...legs, ...(runner === out.runner ? out.facts : runnerFacts(graph, runner))],
          controlPoints: reachPoints(agent, runner),
        });
        continue;
      }
      // Every way out is closed: the first one explains by what.
      report({
        subject: componentSubject(agent),
        message,
        facts: [...legs, ...out.facts],
        controlPoints: points,
      });
    }
  },
);

/**
 * The control points of the way out of `agent` along `next` (`Facts.exfilNext`, or `openWayOut`):
 * every component and flow on it. An agent's approval is the default for its own tool calls: where
 * the way out leaves an agent by a call to a tool that states its own approval, that approval
 * replaces the agent's, whose other controls still count (as in AT-36 and AT-39, and as the attack
 * paths close the step: approvalReplacedOn); where it leaves the agent by no call of its own (an
 * answer, a write, a delegation, a result it returns), its approval confirms nothing either (as
 * AT-38 reads a delegation).
 */
function wayOutPoints(
  graph: ThreatGraph,
  facts: Facts,
  agent: Component,
  next: Int32Array,
  replaced: ApprovalReplaced,
): ControlPoint[] {
  const points: ControlPoint[] = [];
  for (let v = agent.index; ;) {
    const e = next[v]!;
    const c = graph.model.components[v]!;
    points.push(
      e >= 0 && c.kind === "agent" ? leavingAgent(graph, facts, c, e, replaced) : componentSubject(c),
    );
    if (e < 0 || points.length > 64) break;
    points.push(flowSubject(graph.model.flows[facts.infoFlow[e]!]!));
    v = facts.info.edgeTo[e]!;
  }
  return points;
}

/** Whether a control the rule counts is declared at one of the points (but where it is excepted). */
function closes(
  graph: ThreatGraph,
  counts: (name: string) => boolean,
  points: readonly ControlPoint[],
): boolean {
  return points.some((p) => controlsAt(graph, p).some((u) => counts(u.name) && !p.except?.includes(u.name)));
}

const openCache = new WeakMap<Facts, Int32Array>();
const INVOKE = FLOW_KIND_CODE.get("invoke")!;

/**
 * Per component, the step towards an observable sink along a way out that no control AT-37 counts
 * closes (-1 at such a sink, -2 where there is none), read as \`wayOutPoints\` counts: a component or
 * flow with a counted control closes every step through it, but an agent whose only counted control
 * is its approval closes only the tool calls it decides (\`approvalReplacedOn\`). One backward search
 * over the information graph per analysis, asked only when a way out explained first is closed.
 */
function openWayOut(
  graph: ThreatGraph,
  facts: Facts,
  counts: (name: string) => boolean,
  replaced: ApprovalReplaced,
): Int32Array {
  let next = openCache.get(facts);
  if (next) return next;
  const n = graph.model.components.length;
  // Marked from the users of each counted control: reading every component's and flow's controls
  // (half the components and a fifth of the flows declare some) cost more than the search.
  const { comp: state, flow: flowClosed } = wayOutClosing(graph, counts);
  const g = facts.info;
  next = scratchI32(n).fill(-2);
  const queue = scratchI32(n);
  let tail = 0;
  for (let v = 0; v < n; v++)
    if (facts.observable[v] && state[v] === 0) {
      next[v] = -1;
      queue[tail++] = v;
    }
  for (let head = 0; head < tail; head++) {
    const b = queue[head]!;
    if (state[b] === 2) continue;
    for (let i = g.inStart[b]!; i < g.inStart[b + 1]!; i++) {
      const e = g.inEdges[i]!;
      const a = g.edgeFrom[e]!;
      if (next[a] !== -2 || state[a] === 2 || flowClosed[facts.infoFlow[e]!]) continue;
      if (state[a] === 1 && decidedCall(graph, facts, e, replaced)) continue;
      next[a] = e;
      queue[tail++] = a;
    }
  }
  openCache.set(facts, next);
  return next;
}

/**
 * Whether step \`e\` is a tool call its agent's approval decides (an \`invoke\` out of it, not replaced:
 * \`replaced\` is \`approvalReplacedTest\`'s answer).
 */
function decidedCall(graph: ThreatGraph, facts: Facts, e: number, replaced: ApprovalReplaced): boolean {
  return facts.infoReturn[e] !== 1 && graph.flowKind[facts.infoFlow[e]!] === INVOKE && !replaced.has(e);
}

/** An agent as a control point of the way out that leaves it by information-graph step `e`. */
function leavingAgent(
  graph: ThreatGraph,
  facts: Facts,
  agent: Component,
  e: number,
  replaced: ApprovalReplaced,
): ControlPoint {
  const kind = graph.model.flows[facts.infoFlow[e]!]!.kind;
  if (facts.infoReturn[e] === 1 || kind !== "invoke")
    return agentPoint(agent, kind === "delegate" && facts.infoReturn[e] !== 1 ? "delegated" : "uncalled");
  // The reaches themselves only where some replace the approval (`replaced`, as in `decidedCall`).
  return replaced.has(e) ? replacedPoint(agent, replacingReaches(graph, facts, e)) : componentSubject(agent);
}
