import { componentsOf } from "../../graph/threat-graph.js";
import { taintChain } from "../explain.js";
import { hasControl } from "../predicates.js";
import { componentSubject, defineRule, type Level } from "../rule.js";
import {
  ACTIONS,
  adjust,
  IRREVERSIBLE,
  approvalFact,
  autonomyFact,
  capabilityFact,
  reachCaps,
  codeList,
  isAutonomous,
  reachFacts,
  reachPoints,
  toolsWith,
  untrustedClass,
} from "./lib/agents.js";

/** An agent that can change state, spend money or send data out through a tool nobody confirms. */
export default defineRule(
  {
    id: "AT-36",
    title: "Excessive agency: an agent can take high-impact actions without a person confirming them",
    description:
      "An agent can call a tool that writes, deletes, pays, administers, runs code or sends data outside, and no person confirms the call. Whatever steers the agent (a misread request, a hallucinated plan, injected instructions) turns directly into that action. The risk grows with autonomy: an agent that plans in a loop chains several such calls before anyone looks.",
    category: "threat",
    stride: ["elevation_of_privilege", "tampering"],
    atlas: ["AML.T0053", "AML.T0101"],
    owasp: ["LLM06:2025", "ASI02:2026"],
    nist: ["NISTAML.039"],
    cosai: ["riskRogueActions"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates agent tool invocation as demonstrated and destruction through agent tools as realized; the agent must first be misled or err",
    impact: "high",
    impactBasis: "the action happens with the agent's privileges and nobody reviews it first",
    mitigations: ["human_approval", "least_privilege", "taint_tracking"],
    detection:
      "For each agent, every tool, MCP server or payment/e-mail provider it can reach over `invoke` flows (directly or through other tools) whose capabilities include `write`, `delete`, `pay`, `admin`, `execute_code`, `file_system` or `send_external`. Human approval on the tool, on the way to it, or as the agent's default (unless the tool overrides it) mitigates. The agent's other controls (least privilege, restricted tools on untrusted data) count whatever the tool states: a tool's `approval` replaces only the agent's approval, declared or implied.",
    falsePositives:
      "The tool's backend limits what a call can do (small refunds only, a sandboxed scratch area) in a way the model does not state.",
    references: [
      "https://genai.owasp.org/llmrisk/llm062025-excessive-agency/",
      "https://atlas.mitre.org/techniques/AML.T0053",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    // An agent's findings differ in levels only by the impact case, and its likelihood only by whether
    // attacker content reaches it and how it loops: each set of adjustments is built once per rule run
    // (its text keys the rationale), not once per agent.
    const byCase = new Map<string, ReturnType<typeof adjust>[]>();
    const levelsFor = (tainted: boolean, loop: string | undefined): ReturnType<typeof adjust>[] => {
      const key = `${tainted}:${loop}`;
      let levels = byCase.get(key);
      if (!levels) {
        // Likelihood rises one step for attacker content in context and one for acting without pause.
        const more = [
          ...(tainted ? ["untrusted content reaches the agent"] : []),
          ...(loop !== undefined ? [`it acts in a loop (\`autonomy ${loop}\`)`] : []),
        ];
        const likelihood: Level = more.length === 2 ? "very_high" : "high";
        const raised = more.length > 0 ? { level: likelihood, why: more } : undefined;
        levels = [
          adjust(raised, undefined),
          adjust(raised, { level: "very_high", why: ["the action cannot easily be undone"] }),
          adjust(raised, { level: "medium", why: ["the code runs in a declared sandbox"] }),
        ];
        byCase.set(key, levels);
      }
      return levels;
    };
    for (const agent of componentsOf(graph, "agent")) {
      const tools = toolsWith(graph, agent, ACTIONS);
      if (tools.length === 0) continue;
      // What holds for the agent is computed once and shared by its per-tool findings.
      const cls = untrustedClass(facts, agent.index);
      const autonomous = isAutonomous(agent);
      const agentFacts = [
        ...(autonomous ? [autonomyFact(agent)] : []),
        ...(cls ? taintChain(graph, facts, agent.index, cls) : []),
      ];
      const levels = levelsFor(cls !== undefined, autonomous ? agent.props.autonomy : undefined);
      const agentSandboxed = hasControl(agent, "sandbox");
      for (const r of tools) {
        const caps = reachCaps(r, ACTIONS);
        const irreversible = caps.some((c) => IRREVERSIBLE.includes(c));
        // Code and file access confined to a declared sandbox is agency with a smaller blast radius.
        const contained =
          caps.every((c) => c === "execute_code" || c === "file_system") &&
          (agentSandboxed || hasControl(r.tool, "sandbox"));
        report({
          subject: componentSubject(agent),
          key: r.tool.name,
          message: `\`${agent.name}\` can ${codeList(caps)} through \`${r.tool.name}\`${r.gated ? "" : " without a person confirming the call"}`,
          facts: [...reachFacts(graph, r), capabilityFact(r, ACTIONS), approvalFact(agent, r), ...agentFacts],
          controlPoints: reachPoints(agent, r),
          ...levels[irreversible ? 1 : contained ? 2 : 0]!,
        });
      }
    }
  },
);
