import { componentsOf } from "../../graph/threat-graph.js";
import { componentSubject, defineRule } from "../rule.js";
import { llmOutputSources, outputChain } from "./lib/inference.js";

/** An app that shows model output without saying how it renders it. */
export default defineRule(
  {
    id: "AS-06",
    title: "App rendering mode not stated",
    description:
      "An app displays an LLM's output but the model does not say whether it shows plain text or renders markdown or HTML. Rendering decides whether output can load remote images, follow links or run script, so the output-handling and exfiltration rules assume plain text and may miss a real channel; state `renders` to replace the assumption with a fact.",
    category: "assumption",
    stride: ["information_disclosure"],
    atlas: ["AML.T0077"],
    owasp: ["LLM05:2025"],
    nist: [],
    cosai: ["riskInsecureModelOutput"],
    likelihood: "low",
    likelihoodBasis: "an assumption, not an observed gap",
    impact: "medium",
    impactBasis: "rendered-output findings are missing if the app does render markup",
    mitigations: ["output_encoding"],
    detection:
      "An app without a `renders` property that receives an LLM's output (through responses, relays, call results, or stores and jobs that keep or pass it on).",
    falsePositives: "None: stating the property removes it.",
    references: [],
    appliesTo: ["app"],
  },
  ({ graph, report }) => {
    for (const app of componentsOf(graph, "app")) {
      if (app.props.renders !== undefined) continue;
      const src = llmOutputSources(graph, app)[0];
      if (!src) continue;
      report({
        subject: componentSubject(app),
        message: `\`${app.name}\` shows \`${src.llm.name}\`'s output but does not say how it renders it; assumed plain text`,
        facts: [
          ...outputChain(graph, src),
          { text: `\`${app.name}\` has no \`renders\` property`, loc: app.nameLoc },
        ],
      });
    }
  },
);
