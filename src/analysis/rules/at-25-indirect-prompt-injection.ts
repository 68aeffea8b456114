import type { Component } from "../../semantic/model.js";
import { ENTRY } from "../facts.js";
import { firstTaintClass, taintChain } from "../explain.js";
import { stateChangingCall } from "../predicates.js";
import { inFlows } from "../../graph/threat-graph.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { llmMask, storedUserChain, storedUserContent, storedUserReaches } from "./lib/inference.js";

/** Untrusted content (documents, web pages, tool output) reaching an LLM's context. */
export default defineRule(
  {
    id: "AT-25",
    title: "Indirect prompt injection through untrusted content",
    description:
      "Content that outsiders can write (web pages, forum posts, e-mails, uploaded files, tool and search results) reaches the context of an LLM, directly or through stores and indexes. Instructions hidden in that content can take over what the model says and does, without the user noticing.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0051.001", "AML.T0070"],
    owasp: ["LLM01:2025", "ASI01:2026"],
    nist: ["NISTAML.015"],
    cosai: ["riskPromptInjection"],
    likelihood: "high",
    likelihoodBasis: "ATLAS rates indirect prompt injection as realized; the content is writable by anyone",
    impact: "high",
    impactBasis: "the model acts on the injected instructions with whatever context and tools it has",
    mitigations: ["spotlighting", "input_filter", "taint_tracking", "output_filter", "audit_log"],
    detection:
      "An agent, generative model or LLM API is reached, over any chain of flows (ingest, retrieve, invoke results ...), by content from an external-data or tool-output entry: a source written by outsiders, a browsing tool, a search provider. Or, failing that, by what an untrusted user stored: content from a user-input entry that a write, ingest, copy, feedback, label, log or produce flow left in a component before the LLM read it (a ticket, a pull request, a review submitted through an app). Or, failing both, by a prompt template with `untrusted_slots true` prompting it directly. An LLM API that only agents or other LLMs prompt is covered by their findings (the prompt is built there). A user prompting the LLM directly is AT-24's; content an LLM writes into a store itself is AT-40's and AT-41's.",
    falsePositives:
      "The content passes through a curation step the model does not show (e.g. human review of every indexed document).",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0051",
      "https://genai.owasp.org/llmrisk/llm01-prompt-injection/",
    ],
    appliesTo: ["agent", "model", "provider", "endpoint"],
  },
  ({ graph, facts, report }) => {
    const stored = storedUserContent(graph, facts);
    const { inStart, inEdges, edgeFrom } = graph.csr;
    // A hosted LLM API that only agents (or other LLMs) prompt sees what they put in its context:
    // the finding on each of them covers it, and spotlighting or a filter goes where the prompt is
    // built, not on the vendor's API. One that an app or job prompts directly keeps its own.
    const llm = llmMask(graph, facts);
    const onlyLlmsPrompt = (c: Component): boolean => {
      for (let i = inStart[c.index]!; i < inStart[c.index + 1]!; i++)
        if (!llm[edgeFrom[inEdges[i]!]!]) return false;
      return inStart[c.index + 1]! > inStart[c.index]!;
    };
    // Indexed over the mask: only LLMs' objects are read.
    for (let v = 0; v < llm.length; v++) {
      if (!llm[v]) continue;
      const c = graph.model.components[v]!;
      if (c.kind === "provider" && onlyLlmsPrompt(c)) continue;
      const levels = () =>
        stateChangingCall(graph, c) !== undefined
          ? { impact: "very_high" as const, adjustment: "it can call tools that change state or spend money" }
          : {};
      const cls = firstTaintClass(facts, c.index, ENTRY.EXTERNAL_DATA | ENTRY.TOOL_OUTPUT);
      if (cls && facts.taintParent[cls][c.index] !== -1) {
        const lastEdge = facts.taintParent[cls][c.index]!;
        const entryFlow = graph.model.flows[facts.infoFlow[lastEdge]!]!;
        report({
          subject: componentSubject(c),
          message: `untrusted content reaches the context of \`${c.name}\`, which may follow instructions hidden in it`,
          facts: taintChain(graph, facts, c.index, cls),
          controlPoints: [componentSubject(c), flowSubject(entryFlow)],
          ...levels(),
        });
      } else if (!cls && storedUserReaches(stored, c.index)) {
        const { facts: chain, store, storedBy, last } = storedUserChain(graph, facts, stored, c.index);
        const points = [componentSubject(c), flowSubject(last)];
        if (storedBy !== last) points.push(flowSubject(storedBy));
        report({
          subject: componentSubject(c),
          message: `what untrusted users store in \`${store.name}\` reaches the context of \`${c.name}\`, which may follow instructions hidden in it`,
          facts: chain,
          controlPoints: points,
          ...levels(),
        });
      } else if (!cls) {
        // A prompt template the model says untrusted text is substituted into.
        const slot = inFlows(graph, c.index).find((f) => {
          const t = graph.model.components[f.from]!;
          return f.kind === "prompt" && t.kind === "template" && t.props.untrusted_slots === true;
        });
        if (!slot) continue;
        const tmpl = graph.model.components[slot.from]!;
        report({
          subject: componentSubject(c),
          message: `untrusted text substituted into \`${tmpl.name}\` reaches the context of \`${c.name}\`, which may follow instructions hidden in it`,
          facts: [
            {
              text: `\`${tmpl.name}\` has \`untrusted_slots true\`: untrusted text is substituted into it`,
              loc: tmpl.propLocs["untrusted_slots"] ?? tmpl.nameLoc,
            },
            {
              text: `\`${tmpl.name} -> ${c.name}\` (prompt) puts the filled-in template into \`${c.name}\`'s context`,
              loc: slot.loc,
            },
          ],
          controlPoints: [componentSubject(c), flowSubject(slot), componentSubject(tmpl)],
          ...levels(),
        });
      }
    }
  },
);
