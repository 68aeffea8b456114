import { flowsOf } from "../../graph/threat-graph.js";
import type { Capability } from "../../semantic/vocabulary.js";
import { taintChain } from "../explain.js";
import { defineRule, flowSubject } from "../rule.js";
import {
  IRREVERSIBLE,
  adjust,
  approvalFact,
  capabilityFact,
  reachCaps,
  codeList,
  effectiveCapabilities,
  reachPoints,
  sharedPoints,
  toolsOf,
  uniqueSubjects,
  untrustedClass,
  type Agent,
} from "./lib/agents.js";

const MAX_TOOL_FACTS = 4;

/** A steerable agent that can get a more powerful agent to act for it. */
export default defineRule(
  {
    id: "AT-59",
    title: "Privilege escalation through delegation to a more capable agent",
    description:
      "An agent that attacker content reaches can delegate tasks to another agent whose tools can do things the first agent's own tools cannot. Whoever steers the first agent gains the second one's capabilities by asking it: the narrow permissions given to the exposed agent do not hold once it can hand work to a more powerful one.",
    category: "threat",
    stride: ["elevation_of_privilege"],
    atlas: ["AML.T0053", "AML.T0051.001"],
    owasp: ["ASI03:2026", "LLM06:2025"],
    nist: ["NISTAML.039"],
    cosai: ["riskAgenticDelegationConfusedDeputy"],
    likelihood: "medium",
    likelihoodBasis:
      "the exposed agent must be steered and phrase the task so the other agent complies; agents are built to comply",
    impact: "high",
    impactBasis: "the attacker obtains capabilities the exposed agent was deliberately not given",
    mitigations: ["human_approval", "least_privilege", "segmentation", "taint_tracking"],
    detection:
      "A `delegate` flow from an agent that attacker content reaches to an agent that can reach (over `invoke` flows) tools with capabilities none of the delegating agent's own tools have. Human approval or least privilege on the receiving agent, its extra tools or the delegation mitigates, but while any extra tool runs without a person confirming the call only a control in the way of every such tool counts: on the delegation, on the receiving agent, or on a tool or flow on the way to each of them; approvals of the other extra tools do not. An extra tool's `approval` replaces only the receiving agent's approval (declared or implied) for calls to it: the agent's other controls still count.",
    falsePositives:
      "The receiving agent accepts only a fixed set of task types from this delegator, none of which use the extra tools, and the model does not show it.",
    references: [
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
      "https://atlas.mitre.org/techniques/AML.T0053",
    ],
    appliesTo: ["flow"],
  },
  ({ graph, facts, report }) => {
    const comps = graph.model.components;
    // What a delegating agent's own tools can do, once per agent (agents delegate along several flows).
    const owned = new Map<number, Set<Capability>>();
    const ownOf = (a: Agent): Set<Capability> => {
      const own = new Set<Capability>(toolsOf(graph, a).flatMap((r) => effectiveCapabilities(r.tool)));
      owned.set(a.index, own);
      return own;
    };
    for (const f of flowsOf(graph, "delegate")) {
      const a = comps[f.from] as Agent;
      const b = comps[f.to] as Agent;
      const cls = untrustedClass(facts, a.index);
      if (!cls || a === b) continue;
      const own = owned.get(a.index) ?? ownOf(a);
      const extraTools = toolsOf(graph, b).filter((r) =>
        effectiveCapabilities(r.tool).some((c) => !own.has(c)),
      );
      if (extraTools.length === 0) continue;
      const extra = [
        ...new Set(extraTools.flatMap((r) => effectiveCapabilities(r.tool).filter((c) => !own.has(c)))),
      ];
      const severe = extra.some((c) => IRREVERSIBLE.includes(c) || c === "execute_code");
      // The escalation is there while any extra tool runs without a person confirming the call: its
      // approvals then do not count, nor does a control on one unconfirmed tool for another. Only a
      // control in the way of every unconfirmed one does (on the delegation, on the receiving agent
      // but for its approval where a tool states its own, on a tool or flow they all pass). When
      // every extra tool is confirmed, the approvals are the control (as AT-38 reads an agent's
      // actions). Unconfirmed tools are listed first.
      const ungated = extraTools.filter((r) => !r.gated);
      const listed = ungated.length > 0 ? [...ungated, ...extraTools.filter((r) => r.gated)] : extraTools;
      report({
        subject: flowSubject(f),
        message: `\`${a.name}\`, which untrusted content reaches, can delegate to \`${b.name}\` and so gain ${codeList(extra)} that its own tools lack`,
        facts: [
          ...taintChain(graph, facts, a.index, cls),
          {
            text: `\`${a.name} -> ${b.name}\` (delegate) lets \`${a.name}\` hand \`${b.name}\` a task`,
            loc: f.loc,
          },
          {
            text:
              own.size > 0
                ? `\`${a.name}\`'s own tools can only ${codeList([...own])}`
                : `\`${a.name}\` has no tools of its own`,
            loc: a.nameLoc,
          },
          ...listed
            .slice(0, MAX_TOOL_FACTS)
            .flatMap((r) => [capabilityFact(r, reachCaps(r, extra)), approvalFact(b, r)]),
        ],
        // The receiving agent counts with all of its controls, but for its approval where an extra
        // tool states its own (uniqueSubjects and sharedPoints keep the agent point with the exception).
        controlPoints: uniqueSubjects([
          flowSubject(f),
          ...(ungated.length > 0
            ? sharedPoints(ungated.map((r) => reachPoints(b, r)))
            : extraTools.flatMap((r) => reachPoints(b, r))),
        ]),
        ...adjust(
          undefined,
          severe
            ? {
                level: "very_high",
                why: [
                  `the gained capabilities include ${codeList(extra.filter((c) => IRREVERSIBLE.includes(c) || c === "execute_code"))}`,
                ],
              }
            : undefined,
        ),
      });
    }
  },
);
