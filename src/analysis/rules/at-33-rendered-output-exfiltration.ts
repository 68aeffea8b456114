import { componentsOf } from "../../graph/threat-graph.js";
import type { Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { classificationOf, ENTRY, type Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  contextChain,
  contextSensitivity,
  llmOutputSources,
  outputChain,
  propFact,
  runtimeClass,
  runtimeTaint,
  runtimeTaintChain,
  storedUserChain,
  storedUserContent,
  storedUserReaches,
} from "./lib/inference.js";

const INJECTED = ENTRY.EXTERNAL_DATA | ENTRY.TOOL_OUTPUT;

/** Injected instructions making the model emit an image or link whose URL carries private data. */
export default defineRule(
  {
    id: "AT-33",
    title: "Data exfiltration through rendered model output",
    description:
      "An app renders an LLM's answers as markdown or HTML, the LLM's context holds confidential data, and content from outsiders reaches that context. Injected instructions make the model write an image or link whose URL contains the data; the user's browser fetches it automatically (or on one click), delivering the data to the attacker's server without any tool call.",
    category: "threat",
    stride: ["information_disclosure"],
    atlas: ["AML.T0077", "AML.T0051.001", "AML.T0057"],
    owasp: ["LLM05:2025", "LLM02:2025", "LLM01:2025"],
    nist: ["NISTAML.039", "NISTAML.036"],
    cosai: ["riskInsecureModelOutput", "riskSensitiveDataDisclosure"],
    likelihood: "high",
    likelihoodBasis:
      "ATLAS rates response-rendering exfiltration as demonstrated, with case studies against major assistants",
    impact: "high",
    impactBasis: "confidential data from the model's context reaches the attacker",
    mitigations: ["output_encoding", "egress_allowlist", "output_filter"],
    detection:
      "An app with `renders markdown` or `html` receives (through responses, relays, call results, and stores and jobs that keep or pass it on) the output of an LLM whose run-time context holds data classified confidential or above and is reached by outsider-written content, tool output, or what untrusted users stored for it to read (a ticket, an issue, an uploaded file: ADR 3). A user's own prompt does not count: the user would only exfiltrate to themselves.",
    falsePositives:
      "The renderer blocks remote images and unknown link targets (a content security policy), which the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0077",
      "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
    ],
    appliesTo: ["app"],
  },
  ({ graph, facts, report }) => {
    const rt = runtimeTaint(graph, facts);
    const cs = contextSensitivity(graph, facts);
    const stored = storedUserContent(graph, facts);
    const floor = classificationRank("confidential");
    const injected = (v: number) => (rt.bits[v]! & INJECTED) !== 0 || storedUserReaches(stored, v);
    for (const app of componentsOf(graph, "app")) {
      if (app.props.renders !== "markdown" && app.props.renders !== "html") continue;
      const sources = llmOutputSources(graph, app).filter(({ llm }) => cs.rank[llm.index]! >= floor);
      // Outsider-written content or tool output first; else what untrusted users stored (ADR 3).
      const src =
        sources.find(({ llm }) => (rt.bits[llm.index]! & INJECTED) !== 0) ??
        sources.find(({ llm }) => injected(llm.index));
      if (!src) continue;
      const cls = runtimeClass(rt, src.llm.index, INJECTED);
      const points: Subject[] = [componentSubject(app), componentSubject(src.llm)];
      for (const f of src.flows)
        points.push(flowSubject(f), componentSubject(graph.model.components[f.from]!));
      let taintFacts: readonly Fact[];
      if (cls) taintFacts = runtimeTaintChain(graph, facts, rt, src.llm.index, cls);
      else {
        const chain = storedUserChain(graph, facts, stored, src.llm.index);
        taintFacts = chain.facts;
        points.push(flowSubject(chain.storedBy));
      }
      const data = classificationOf(cs.rank[src.llm.index]!)!;
      const severe = cs.rank[src.llm.index]! >= classificationRank("sensitive");
      report({
        subject: componentSubject(app),
        message: `injected instructions can make \`${src.llm.name}\` hide ${data} data in image or link URLs that \`${app.name}\` renders and the browser fetches`,
        facts: [
          ...taintFacts,
          ...contextChain(graph, facts, cs, src.llm.index),
          ...outputChain(graph, src),
          propFact(
            app,
            "renders",
            `\`${app.name}\` renders \`${app.props.renders}\`, loading remote images and links`,
          ),
        ],
        controlPoints: points,
        ...(severe ? { impact: "very_high" as const, adjustment: `the context holds ${data} data` } : {}),
      });
    }
  },
);
