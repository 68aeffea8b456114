import { componentsOf } from "../../graph/threat-graph.js";
import type { Capability } from "../../semantic/vocabulary.js";
import { edgeFact, entryFact, firstTaintClass, taintChain } from "../explain.js";
import { UNTRUSTED_CONTENT, type Fact } from "../facts.js";
import { componentSubject, defineRule } from "../rule.js";
import {
  IRREVERSIBLE,
  adjust,
  approvalFact,
  capabilityFact,
  reachCaps,
  codeList,
  reachFacts,
  reachPoints,
  toolsWith,
  untrustedFeed,
  type ToolReach,
} from "./lib/agents.js";

// Tools whose results enter the agent's context, and tools that act on what the agent decides.
const READERS: readonly Capability[] = ["read", "browse"];
const WRITERS: readonly Capability[] = ["write", "delete", "pay", "send_external", "admin"];
// The two level adjustments a finding can have, built once rather than per finding.
const STANDARD = adjust(undefined, undefined);
const UNDOABLE = adjust(undefined, { level: "very_high", why: ["the action cannot easily be undone"] });

/** One agent holding a tool that reads attacker content and a tool that acts. */
export default defineRule(
  {
    id: "AT-57",
    title: "Tool chain that turns a read into a write",
    description:
      "The same agent has a tool whose results can carry attacker-written content (a browser, a mailbox or document reader, a search tool) and a tool that writes, deletes, pays or sends data out. Reading is enough: instructions in what the first tool returns can make the agent call the second one, so a page or an e-mail drives a change in the organisation's systems without anyone typing a request.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0051.001", "AML.T0053", "AML.T0101"],
    owasp: ["ASI02:2026", "LLM06:2025", "LLM01:2025"],
    nist: ["NISTAML.015", "NISTAML.039"],
    cosai: ["riskRogueActions", "riskPromptInjection"],
    likelihood: "high",
    likelihoodBasis:
      "indirect prompt injection through tool results is realized in ATLAS case studies; both tools sit in one agent",
    impact: "high",
    impactBasis: "content the attacker wrote turns into a state change with the agent's privileges",
    mitigations: ["taint_tracking", "human_approval", "segmentation", "least_privilege"],
    detection:
      "For each agent: a tool it reaches with `read` or `browse` whose results can carry attacker content from somewhere other than the agent itself (a browsing tool, a store outsiders write, a search provider), and a tool it reaches with `write`, `delete`, `pay`, `send_external` or `admin` (possibly the same tool). One finding per acting tool; human approval on it, or restricting tools once untrusted content is in context, mitigates.",
    falsePositives:
      "The read tool only returns structured fields the model cannot mistake for instructions, which the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0051",
      "https://genai.owasp.org/llmrisk/llm062025-excessive-agency/",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    for (const agent of componentsOf(graph, "agent")) {
      // The first reading tool whose output carries attacker content the agent did not put there.
      let reader: { reach: ToolReach; edge: number } | undefined;
      for (const r of toolsWith(graph, agent, READERS)) {
        const edge = untrustedFeed(facts, r.tool.index, agent.index);
        if (edge !== undefined) {
          reader = { reach: r, edge };
          break;
        }
      }
      if (!reader) continue;
      const writers = toolsWith(graph, agent, WRITERS);
      if (writers.length === 0) continue;
      const read = reader.reach;
      const src = reader.edge >= 0 ? facts.info.edgeFrom[reader.edge]! : read.tool.index;
      const cls = firstTaintClass(facts, src, UNTRUSTED_CONTENT)!;
      const readFacts: Fact[] =
        reader.edge < 0
          ? [entryFact(graph, read.tool, cls)]
          : [
              ...taintChain(graph, facts, src, cls),
              edgeFact(graph, facts, reader.edge, "attacker-controlled content"),
            ];
      for (const w of writers) {
        const caps = reachCaps(w, WRITERS);
        const same = w.tool === read.tool;
        report({
          subject: componentSubject(agent),
          key: w.tool.name,
          message: same
            ? `\`${agent.name}\` reads untrusted content through \`${read.tool.name}\`, which can also ${codeList(caps)}: what it reads can drive what it does`
            : `\`${agent.name}\` reads untrusted content through \`${read.tool.name}\` and can ${codeList(caps)} through \`${w.tool.name}\`: what it reads can drive what it does`,
          facts: [
            ...readFacts,
            ...reachFacts(graph, read),
            ...(same ? [] : reachFacts(graph, w)),
            capabilityFact(w, WRITERS),
            approvalFact(agent, w),
          ],
          controlPoints: reachPoints(agent, w),
          ...(caps.some((c) => IRREVERSIBLE.includes(c)) ? UNDOABLE : STANDARD),
        });
      }
    }
  },
);
