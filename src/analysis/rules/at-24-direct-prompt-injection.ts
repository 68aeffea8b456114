import { scratchU8 } from "../../graph/arena.js";
import { COMPONENT_KIND_CODE, FLOW_KIND_CODE } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import type { Fact } from "../facts.js";
import { describe } from "../explain.js";
import { capabilities, STATE_CHANGING } from "../predicates.js";
import { componentSubject, defineRule } from "../rule.js";
import type { Level } from "../rule.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf } from "../facts.js";
import {
  contextChain,
  contextSensitivity,
  flowFact,
  isAttackerLevel,
  llmMask,
  queryAccess,
  queryChain,
  queryPoints,
} from "./lib/inference.js";
import { andJoined } from "../../words.js";

/** What a call to a tool puts at stake: it changes state, or it only sends data out. */
const CHANGES = 2;
const SENDS = 1;

/** A user typing instructions that override the system's own. */
export default defineRule(
  {
    id: "AT-24",
    title: "Direct prompt injection and jailbreak by a user",
    description:
      "Untrusted users write the prompt of an LLM that has more at stake than their own conversation: tools that change things or send data out, data other people are entitled to, or a system prompt whose rules are meant to hold. Crafted instructions, role-play and obfuscated requests make the model ignore those rules and use what it has on the user's behalf.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0051.000", "AML.T0054", "AML.T0068"],
    owasp: ["LLM01:2025"],
    nist: ["NISTAML.018", "NISTAML.04"],
    cosai: ["riskPromptInjection"],
    likelihood: "high",
    likelihoodBasis: "ATLAS rates direct prompt injection as realized; it takes nothing but typing",
    impact: "high",
    impactBasis: "the model acts against its rules with the tools and data it has",
    mitigations: ["input_filter", "output_filter", "least_privilege", "human_approval", "audit_log"],
    // A filter on the way screens the prompt; the rest limit or record what this LLM itself does.
    subjectControls: ["least_privilege", "human_approval", "audit_log"],
    detection:
      "An agent, generative model, LLM endpoint or LLM API reached over prompt, invoke or delegate flows by an untrusted or public party, that also has something beyond the user's session at stake: a tool that changes state or sends data out, data classified confidential or above in its run-time context, or a template framing its prompt. An LLM prompted by another LLM is covered by the finding on the first. An input or output filter counts anywhere on the way in; least privilege, human approval and an audit log count on the LLM itself.",
    falsePositives:
      "The tools act only on the user's own account with the user's own rights, and the context holds only the user's own data.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0051.000",
      "https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
    ],
    appliesTo: ["agent", "model", "endpoint", "provider"],
  },
  ({ graph, facts, report }) => {
    const qa = queryAccess(graph, facts);
    const cs = contextSensitivity(graph, facts);
    const prompt = FLOW_KIND_CODE.get("prompt")!;
    const template = COMPONENT_KIND_CODE.get("template")!;
    const invoke = FLOW_KIND_CODE.get("invoke")!;
    const { inStart, inEdges, edgeFrom, outStart, outEdges, edgeTo } = graph.csr;
    const { components, flows } = graph.model;
    // Per callee, what a call to it puts at stake (CHANGES, SENDS or nothing), read from each tool's
    // capabilities once: filtering every LLM's calls read the same tools' lists again and again.
    const stake = scratchU8(components.length);
    for (const kind of ["tool", "mcp_server"] as const)
      for (const t of graph.byKind.get(kind) ?? []) {
        const caps = capabilities(components[t]!);
        if (caps.some((c) => STATE_CHANGING.includes(c))) stake[t] = CHANGES;
        else if (caps.includes("send_external")) stake[t] = SENDS;
      }
    const llm = llmMask(graph, facts);
    // Indexed over the typed ranks and the LLM mask: only LLMs attackers query are looked at.
    for (let v = 0; v < components.length; v++) {
      if (!isAttackerLevel(qa.rank[v]!) || !llm[v]) continue;
      const x = components[v]!;
      // The LLM behind an agent is prompted by the agent: the agent's finding covers it.
      const via = qa.parent[v]!;
      if (via >= 0 && graph.flowKind[via] === prompt && llm[edgeFrom[via]!]) continue;
      const stakes: Fact[] = [];
      let impact: Level = "medium";
      const reasons: string[] = [];
      const tools: { callee: Component; flow: Flow }[] = [];
      let changes = false;
      for (let i = outStart[v]!; i < outStart[v + 1]!; i++) {
        const fi = outEdges[i]!;
        const t = edgeTo[fi]!;
        if (graph.flowKind[fi] !== invoke || !stake[t]) continue;
        if (stake[t] === CHANGES) changes = true;
        tools.push({ callee: components[t]!, flow: flows[fi]! });
      }
      for (const { callee, flow } of tools.slice(0, 3))
        stakes.push(
          flowFact(
            graph,
            flow,
            `lets \`${x.name}\` use ${capabilities(callee)
              .map((c) => `\`${c}\``)
              .join(", ")} on \`${callee.name}\``,
          ),
        );
      if (tools.length > 0) {
        impact = changes ? "very_high" : "high";
        reasons.push(
          changes ? "it can call tools that change state" : "it can call tools that send data out",
        );
      }
      if (cs.rank[x.index]! >= classificationRank("confidential")) {
        stakes.push(...contextChain(graph, facts, cs, x.index));
        if (impact === "medium") impact = "high";
        reasons.push(`its context holds ${classificationOf(cs.rank[x.index]!)} data`);
      }
      const templates: Flow[] = [];
      for (let i = inStart[v]!; i < inStart[v + 1]!; i++) {
        const fi = inEdges[i]!;
        if (graph.flowKind[fi] === prompt && graph.compKind[edgeFrom[fi]!] === template)
          templates.push(flows[fi]!);
      }
      for (const f of templates.slice(0, 1))
        stakes.push(flowFact(graph, f, `frames every prompt with rules the user is not meant to change`));
      if (stakes.length === 0) continue;
      const what = [
        tools.length > 0 ? "tools" : undefined,
        cs.rank[x.index]! >= classificationRank("confidential") ? "data" : undefined,
        templates.length > 0 ? "system prompt" : undefined,
      ].filter((w): w is string => w !== undefined);
      report({
        subject: componentSubject(x),
        message: `untrusted users prompt \`${x.name}\` directly and can talk it out of its rules, putting its ${andJoined(what)} at stake`,
        facts: [
          ...queryChain(graph, qa, x.index),
          { text: `${describe(graph, x)} is driven by an LLM`, loc: x.nameLoc },
          ...stakes,
        ],
        controlPoints: queryPoints(graph, qa, x.index),
        ...(impact !== "high"
          ? {
              impact,
              adjustment:
                reasons.length > 0 ? reasons.join("; ") : "only the system prompt's rules are at stake",
            }
          : {}),
      });
    }
  },
);
