import { componentsOf, inFlows, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component, DataAsset } from "../../semantic/model.js";
import { classificationRank, type Capability } from "../../semantic/vocabulary.js";
import { taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule } from "../rule.js";
import {
  ACTIONS,
  IRREVERSIBLE,
  adjust,
  capabilityFact,
  reachCaps,
  reachHas,
  codeList,
  heldAtLeast,
  propFact,
  toolsOf,
  untrustedClass,
  userChain,
  userDriven,
} from "./lib/agents.js";

const READ_FLOWS = new Set(["read", "retrieve"]);
const READERS: readonly Capability[] = ["read", "file_system"];
const CONFIDENTIAL = classificationRank("confidential");
const atLeastConfidential = (d: DataAsset): boolean =>
  d.classification !== undefined && classificationRank(d.classification) >= CONFIDENTIAL;
const MAX_TOOL_FACTS = 4;

/** An agent that acts with its own service account on behalf of whoever asks it. */
export default defineRule(
  {
    id: "AT-46",
    title: "Confused deputy: an agent acts with more privilege than the person asking",
    description:
      "An agent calls its tools with its own service account, not with the rights of the person it is working for, and people (or content they control) decide what it does. Anyone who can ask the agent can have it read or change things they could not reach themselves, and injected instructions borrow the same privileges.",
    category: "threat",
    stride: ["elevation_of_privilege", "spoofing"],
    atlas: ["AML.T0053"],
    owasp: ["ASI03:2026", "LLM06:2025"],
    nist: ["NISTAML.039"],
    cosai: ["riskAgenticDelegationConfusedDeputy"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates abuse of agent tool invocation as demonstrated; any requester can try, no exploit needed",
    impact: "high",
    impactBasis: "requests run with the service account's rights, not the requester's",
    mitigations: ["least_privilege", "access_control"],
    detection:
      "An agent with `identity service_account`, or with no `identity` (assumed its own privileges: AS-10), that requests from a person reach (over prompt, invoke and delegate flows) or attacker content reaches, and that can call a tool with a state-changing or outbound capability, or a reading tool fed from a holder of data classified `confidential` or above.",
    falsePositives:
      "The agent checks the requester's permissions before every tool call (an authorization layer in front of the tools) that the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0053",
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    const driven = userDriven(graph);
    // Per reading tool, the first flow feeding it data classified confidential or above (tools are
    // shared by many agents, so the answer is kept).
    const readCache = new Map<number, { data: DataAsset; fact: Fact } | null>();
    for (const agent of componentsOf(graph, "agent")) {
      // Unstated, the agent is assumed to act with its own privileges (AS-10).
      const identity = agent.props.identity;
      if (identity !== undefined && identity !== "service_account") continue;
      const cls = untrustedClass(facts, agent.index);
      if (!cls && driven[agent.index] === -2) continue;
      const toolFacts: Fact[] = [];
      const powers: string[] = [];
      const caps = new Set<Capability>();
      for (const r of toolsOf(graph, agent)) {
        const acts = reachCaps(r, ACTIONS);
        const read = reachHas(r, READERS) ? sensitiveRead(graph, readCache, r.tool) : undefined;
        const sensitive = read?.data;
        if (read) toolFacts.push(read.fact);
        if (acts.length === 0 && !sensitive) continue;
        if (acts.length > 0) toolFacts.push(capabilityFact(r, ACTIONS));
        for (const c of acts) caps.add(c);
        powers.push(r.tool.name);
      }
      if (powers.length === 0) continue;
      const irreversible = [...caps].some((c) => IRREVERSIBLE.includes(c));
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` calls ${codeList(powers.slice(0, 4))} under ${identity ? "its own service account" : "its own privileges (assumed: AS-10)"} for whoever asks it: requests run with more rights than the requester has`,
        facts: [
          identity
            ? propFact(
                agent,
                "identity",
                `\`${agent.name}\` has \`identity service_account\`: its tool calls carry the agent's privileges`,
              )
            : {
                text: `\`${agent.name}\` does not say whose privileges its calls carry (\`identity\`); assumed its own (AS-10)`,
                loc: agent.nameLoc,
              },
          ...(cls ? taintChain(graph, facts, agent.index, cls) : userChain(graph, agent.index)),
          ...toolFacts.slice(0, MAX_TOOL_FACTS * 2),
        ],
        controlPoints: [componentSubject(agent)],
        ...adjust(
          cls ? { level: "high", why: ["attacker content can make the request"] } : undefined,
          irreversible
            ? {
                level: "very_high",
                why: ["the borrowed rights include actions that cannot easily be undone"],
              }
            : undefined,
        ),
      });
    }
  },
);

/**
 * The first flow feeding `tool` data classified confidential or above, kept per tool in `readCache`:
 * a module function (not a closure made per compile), so V8 keeps its optimized code from one
 * compile to the next.
 */
function sensitiveRead(
  graph: ThreatGraph,
  readCache: Map<number, { data: DataAsset; fact: Fact } | null>,
  tool: Component,
): { data: DataAsset; fact: Fact } | undefined {
  const known = readCache.get(tool.index);
  if (known !== undefined) return known ?? undefined;
  let found: { data: DataAsset; fact: Fact } | null = null;
  for (const f of inFlows(graph, tool.index)) {
    if (!READ_FLOWS.has(f.kind)) continue;
    const from = graph.model.components[f.from]!;
    const data =
      f.carries.map((d) => graph.model.data[d]!).find((d) => atLeastConfidential(d)) ??
      heldAtLeast(graph, from, "confidential");
    if (data) {
      found = {
        data,
        fact: {
          text: `\`${from.name} -> ${tool.name}\` (${f.kind}) lets \`${tool.name}\` read \`${data.name}\` (${data.classification})`,
          loc: f.loc,
        },
      };
      break;
    }
  }
  readCache.set(tool.index, found);
  return found ?? undefined;
}
