import { componentsOf, outFlows } from "../../graph/threat-graph.js";
import type { Flow } from "../../semantic/model.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule } from "../rule.js";
import {
  ACTIONS,
  IRREVERSIBLE,
  adjust,
  approvalFact,
  autonomyFact,
  capabilityFact,
  reachCaps,
  codeList,
  isAutonomous,
  reachFacts,
  reachPoints,
  toolsWith,
  uniqueSubjects,
  BROWSE,
  EXECUTE,
} from "./lib/agents.js";

// Flows by which a browsing tool acts on what it visits: submitting forms, uploading, posting.
const ACTING_FLOWS = new Set(["send", "write", "request"]);

/** An agent that browses the open web and can act on what a page tells it to do. */
export default defineRule(
  {
    id: "AT-39",
    title: "Browser or computer-use agent lured by deceptive web content",
    description:
      "An agent browses pages anyone can write, and its browsing tool can act on them (click, fill and submit forms, upload) or the agent can run commands. A page built for agents (fake buttons, hidden instructions, a 'verify you are human' step that asks to paste a command) can lure it into submitting data, downloading and running code, or taking actions the user never asked for.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0100", "AML.T0051.001"],
    owasp: ["ASI01:2026", "LLM01:2025", "LLM06:2025"],
    nist: ["NISTAML.015"],
    cosai: ["riskRogueActions", "riskPromptInjection"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates agent clickbait as demonstrated; the attacker only needs the agent to visit a page",
    impact: "high",
    impactBasis: "the agent acts in the user's name on sites and systems the attacker chose",
    mitigations: ["human_approval", "egress_allowlist", "sandbox", "taint_tracking"],
    detection:
      "For each agent and each tool it reaches with the `browse` capability: the browsing tool itself can act (it has a state-changing or `send_external` capability, or `send`, `write` or `request` flows out of it), or the agent can also reach a tool that executes code.",
    falsePositives:
      "The browser only visits an allow-listed set of sites, or runs read-only without cookies or sessions, and the model does not say so.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0100",
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, report }) => {
    // A browser tool's own send, write and request flows: many agents share the tool.
    const actingFlows = new Map<number, Flow[]>();
    const actingOf = (tool: number): Flow[] => {
      let list = actingFlows.get(tool);
      if (!list)
        actingFlows.set(tool, (list = outFlows(graph, tool).filter((f) => ACTING_FLOWS.has(f.kind))));
      return list;
    };
    for (const agent of componentsOf(graph, "agent")) {
      const executors = toolsWith(graph, agent, EXECUTE);
      for (const b of toolsWith(graph, agent, BROWSE)) {
        const ownCaps = reachCaps(b, ACTIONS);
        const acting = actingOf(b.tool.index);
        const actsItself = ownCaps.length > 0 || acting.length > 0;
        const exec = executors[0];
        if (!actsItself && !exec) continue;
        const how: string[] = [];
        const facts: Fact[] = [
          ...reachFacts(graph, b),
          {
            text: `\`${b.tool.name}\` has the \`browse\` capability: it loads pages anyone can write`,
            loc: b.tool.propLocs["capabilities"] ?? b.tool.nameLoc,
          },
        ];
        if (ownCaps.length > 0) {
          how.push(`it can ${codeList(ownCaps)} on what it visits`);
          facts.push(capabilityFact(b, ACTIONS));
        }
        for (const f of acting.slice(0, 3)) {
          const to = graph.model.components[f.to]!.name;
          how.push(`it sends to \`${to}\``);
          facts.push({
            text: `\`${b.tool.name} -> ${to}\` (${f.kind}) lets the browser submit data`,
            loc: f.loc,
          });
        }
        facts.push(approvalFact(agent, b));
        if (exec && (!actsItself || exec.tool !== b.tool)) {
          how.push(`\`${agent.name}\` can also run code through \`${exec.tool.name}\``);
          facts.push(...(exec.tool === b.tool ? [] : reachFacts(graph, exec)), capabilityFact(exec, EXECUTE));
          facts.push(approvalFact(agent, exec));
        }
        if (isAutonomous(agent)) facts.push(autonomyFact(agent));
        // When the browser cannot act by itself, gating the code runner also breaks the lure.
        const viaExec = !actsItself && exec !== undefined;
        const irreversible = ownCaps.some((c) => IRREVERSIBLE.includes(c));
        report({
          subject: componentSubject(agent),
          key: b.tool.name,
          message: `\`${agent.name}\` browses through \`${b.tool.name}\` and can act on what a page says: ${how.join("; ")}`,
          facts,
          // The agent's approval counts only when neither reach overrides it (uniqueSubjects keeps
          // the agent point with the exception).
          controlPoints: uniqueSubjects([
            ...reachPoints(agent, b),
            ...(viaExec ? reachPoints(agent, exec) : []),
          ]),
          ...adjust(
            isAutonomous(agent)
              ? {
                  level: "high",
                  why: [`it browses and acts in a loop (\`autonomy ${agent.props.autonomy}\`)`],
                }
              : undefined,
            exec || irreversible
              ? {
                  level: "very_high",
                  why: [exec ? "a lured agent can run code" : "the actions cannot easily be undone"],
                }
              : undefined,
          ),
        });
      }
    }
  },
);
