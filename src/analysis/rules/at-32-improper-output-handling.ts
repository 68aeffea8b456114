import { componentsOf, inFlows, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component, Flow, Subject } from "../../semantic/model.js";
import { UNTRUSTED_CONTENT, type Fact, type Facts } from "../facts.js";
import { describe } from "../explain.js";
import { capabilities, isLlmConsumer } from "../predicates.js";
import {
  componentSubject,
  defineRule,
  flowSubject,
  levelReasons,
  type Level,
  type RuleContext,
} from "../rule.js";
import {
  flowFact,
  llmOutputSources,
  outputChain,
  propFact,
  runtimeClass,
  runtimeTaint,
  runtimeTaintChain,
  type RuntimeTaint,
} from "./lib/inference.js";

// Stores whose interface is a query language the model's output would be spliced into.
const QUERYABLE = new Set(["database", "data_lake", "feature_store"]);

/** What a tool does with its arguments that makes them dangerous, and how bad that is. */
interface Sink {
  readonly what: string;
  readonly fact: Fact;
  readonly impact?: Level;
  readonly likelihood?: Level;
  readonly why?: string;
}

/** The dangerous use a tool makes of its arguments, if any. */
function toolSink(g: ThreatGraph, t: Component): Sink | undefined {
  const caps = capabilities(t);
  const cap = (c: string, text: string) => propFact(t, "capabilities", `\`${t.name}\` ${text} (\`${c}\`)`);
  if (caps.includes("execute_code"))
    return {
      what: "runs them as code",
      fact: cap("execute_code", "executes code"),
      impact: "very_high",
      why: "generated code runs with the tool's rights",
    };
  if (caps.includes("file_system"))
    return { what: "uses them as file paths", fact: cap("file_system", "works on the file system") };
  if (caps.includes("browse"))
    return { what: "fetches the URLs in them", fact: cap("browse", "fetches URLs") };
  // A read-only tool over a database is a query tool; tools that write usually take typed arguments.
  if (caps.length === 0 || caps.some((c) => c !== "read")) return undefined;
  const db = inFlows(g, t.index)
    .filter((f) => f.kind === "read" || f.kind === "retrieve")
    .map((f) => g.model.components[f.from]!)
    .find((c) => c.kind === "store" && c.props.type !== undefined && QUERYABLE.has(c.props.type));
  if (!db || db.kind !== "store") return undefined;
  return {
    what: "builds database queries from them",
    fact: propFact(db, "type", `\`${t.name}\` queries ${describe(g, db)}, a \`${db.props.type}\``),
    likelihood: "medium",
    why: "query tools often bind model output as parameters rather than query text",
  };
}

/** How attacker content shapes the LLM's output, or a lower likelihood when nothing untrusted does. */
function shaped(g: ThreatGraph, facts: Facts, rt: RuntimeTaint, llm: Component) {
  const cls = runtimeClass(rt, llm.index, UNTRUSTED_CONTENT);
  return cls
    ? { chain: runtimeTaintChain(g, facts, rt, llm.index, cls), trusted: false }
    : { chain: [] as Fact[], trusted: true };
}

/** Levels and their reasons from the sink and from who shapes the output. */
function levels(sink: Pick<Sink, "impact" | "likelihood" | "why">, trusted: boolean, llm: Component) {
  return {
    ...(trusted ? { likelihood: "low" as const } : sink.likelihood ? { likelihood: sink.likelihood } : {}),
    ...(sink.impact ? { impact: sink.impact } : {}),
    ...levelReasons(
      trusted
        ? `no untrusted content reaches \`${llm.name}\`, so mistakes rather than attackers shape its output`
        : sink.likelihood
          ? sink.why
          : undefined,
      sink.impact ? sink.why : undefined,
    ),
  };
}

/** Model output used as code, queries, markup or URLs without being made safe first. */
export default defineRule(
  {
    id: "AT-32",
    title: "Improper handling of LLM output",
    description:
      "Text an LLM produced is executed, spliced into a database query or a file path, fetched as a URL, or rendered as markdown or HTML without being validated or encoded for that place. Whoever can steer the model (a user, or content injected into its context) then gets code execution, query injection, path traversal, server-side requests or script in the user's browser, with the rights of the component that handles the output.",
    category: "threat",
    stride: ["tampering", "elevation_of_privilege"],
    atlas: ["AML.T0050", "AML.T0102", "AML.T0077"],
    owasp: ["LLM05:2025"],
    nist: ["NISTAML.039"],
    cosai: ["riskInsecureModelOutput"],
    likelihood: "high",
    likelihoodBasis:
      "prompt injection makes the output attacker-controlled, and these sinks are exploited as classic injections",
    impact: "high",
    impactBasis: "the attacker acts with the rights of the component that consumes the output",
    mitigations: ["output_encoding", "sandbox", "egress_allowlist", "human_approval", "output_filter"],
    detection:
      "An LLM (agent, generative model, LLM endpoint or API) invokes a tool that executes code, works on the file system, fetches URLs or only reads a database; or its output reaches (through responses, relays, call results, and stores and jobs that keep or pass it on) an app that renders markdown or html. Reported once per sink; likelihood drops when no run-time untrusted content reaches the LLM.",
    falsePositives:
      "The sink validates its input strictly (an allow-list of commands, parameterised queries) in a way the model does not show.",
    references: [
      "https://genai.owasp.org/llmrisk/llm052025-improper-output-handling/",
      "https://atlas.mitre.org/techniques/AML.T0102",
    ],
    appliesTo: ["tool", "mcp_server", "app"],
  },
  (ctx) => {
    // Two functions, one per kind of sink, each with its own loop: inline, V8 compiled the rule
    // on the stack inside the first loop and threw the code out where the second began.
    const rt = runtimeTaint(ctx.graph, ctx.facts);
    toolSinks(ctx, rt);
    renderers(ctx, rt);
  },
);

/** Whether untrusted content reaches a component at run time. */
const isTainted = (rt: RuntimeTaint, c: Component): boolean => (rt.bits[c.index]! & UNTRUSTED_CONTENT) !== 0;

/** Tools and MCP servers whose arguments an LLM writes and that do something with them. */
function toolSinks({ graph, facts, report }: RuleContext, rt: RuntimeTaint): void {
  for (const kind of ["tool", "mcp_server"] as const) {
    for (const t of componentsOf(graph, kind)) {
      const sink = toolSink(graph, t);
      if (!sink) continue;
      // The LLM calling it; one that untrusted content reaches is the one that matters.
      let call: Flow | undefined;
      for (const f of inFlows(graph, t.index)) {
        const from = graph.model.components[f.from]!;
        if (f.kind !== "invoke" || !isLlmConsumer(graph, from)) continue;
        if (!call || (isTainted(rt, from) && !isTainted(rt, graph.model.components[call.from]!))) call = f;
      }
      if (!call) continue;
      const llm = graph.model.components[call.from]!;
      const s = shaped(graph, facts, rt, llm);
      report({
        subject: componentSubject(t),
        message: `\`${t.name}\` takes arguments written by \`${llm.name}\` and ${sink.what}, so whoever steers the model steers it`,
        facts: [
          ...s.chain,
          flowFact(graph, call, `passes \`${llm.name}\`'s output to \`${t.name}\``),
          sink.fact,
        ],
        controlPoints: [componentSubject(t), flowSubject(call), componentSubject(llm)],
        ...levels(sink, s.trusted, llm),
      });
    }
  }
}

/** Apps that render an LLM's output as markdown or HTML. */
function renderers({ graph, facts, report }: RuleContext, rt: RuntimeTaint): void {
  for (const app of componentsOf(graph, "app")) {
    if (app.props.renders !== "markdown" && app.props.renders !== "html") continue;
    const sources = llmOutputSources(graph, app);
    if (sources.length === 0) continue;
    const src = sources.find((x) => isTainted(rt, x.llm)) ?? sources[0]!;
    const s = shaped(graph, facts, rt, src.llm);
    const points: Subject[] = [componentSubject(app), componentSubject(src.llm)];
    for (const f of src.flows) points.push(flowSubject(f), componentSubject(graph.model.components[f.from]!));
    report({
      subject: componentSubject(app),
      message: `\`${app.name}\` renders \`${src.llm.name}\`'s output as ${app.props.renders}, so steered output can inject ${app.props.renders === "html" ? "script and markup" : "links, images and markup"}`,
      facts: [
        ...s.chain,
        ...outputChain(graph, src),
        propFact(app, "renders", `\`${app.name}\` renders model output as \`${app.props.renders}\``),
      ],
      controlPoints: points,
      ...levels({}, s.trusted, src.llm),
    });
  }
}
