import { COMPONENT_KIND_CODE, componentsOf, flowKindMask, inFlows } from "../../graph/threat-graph.js";
import type { Component, Flow } from "../../semantic/model.js";
import { taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  adjust,
  capabilityFact,
  heldAtLeast,
  reachFacts,
  reachHas,
  reachPoints,
  secretSource,
  toolsOf,
  toolsWith,
  uniqueSubjects,
  untrustedClass,
  wayOutOf,
  type ToolReach,
  EXECUTE,
} from "./lib/agents.js";
import type { Capability, FlowKind } from "../../semantic/vocabulary.js";

// Capabilities that can pick credentials up: reading stores, browsing files, running code.
const HARVEST: readonly Capability[] = ["read", "file_system", "execute_code"];
// Capabilities that reach what the agent's own process holds (environment, mounted files).
const LOCAL: readonly Capability[] = ["execute_code", "file_system"];
const INTO: ReadonlySet<FlowKind> = new Set(["read", "retrieve", "copy", "prompt"]);

interface Witness {
  readonly secret: Component;
  readonly flow?: Flow;
  readonly tool: ToolReach;
  readonly inAgent: boolean;
}

/** An agent attackers can steer whose tools can reach credentials. */
export default defineRule(
  {
    id: "AT-44",
    title: "Credential theft through an agent's tools",
    description:
      "Attacker content reaches an agent whose tools can get at credentials: a tool that reads a secrets store, or code and file tools running where the agent keeps its tokens. Injected instructions can make the agent collect API keys, tokens or passwords and hand them back, which opens every system those credentials reach.",
    category: "threat",
    stride: ["information_disclosure", "elevation_of_privilege"],
    atlas: ["AML.T0098", "AML.T0083", "AML.T0055"],
    owasp: ["ASI03:2026", "LLM02:2025"],
    nist: ["NISTAML.039"],
    cosai: ["riskSensitiveDataDisclosure"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates credential harvesting through agent tools and configuration as demonstrated; the agent must be steered to look for them",
    impact: "very_high",
    impactBasis: "stolen credentials give access beyond the agent, to every system they unlock",
    mitigations: ["secrets_vault", "least_privilege", "segmentation", "sandbox", "taint_tracking"],
    detection:
      "An agent that attacker content reaches, and either a tool it calls with `read`, `file_system` or `execute_code` that reads from a secrets store or a holder of `secret` data, or secrets flowing into the agent itself while it can run code or open files through a tool. Likelihood rises when the agent also has a way out, as AT-37 reads it: an information path to an observable sink, or a tool it runs code on with no `sandbox` declared.",
    falsePositives:
      "The tool's access to the store is limited to non-credential entries, or credentials are short-lived and scoped to one call, which the model does not show.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0098",
      "https://atlas.mitre.org/techniques/AML.T0083",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    // `secretSource` and `carriesSecret` as typed lookups: asked of every in-flow of every agent.
    const into = flowKindMask(INTO);
    const store = COMPONENT_KIND_CODE.get("store")!;
    const feedsSecretAt = (fi: number): boolean => {
      if (!into[graph.flowKind[fi]!]) return false;
      const from = graph.csr.edgeFrom[fi]!;
      if (graph.heldSecret[from]! >= 0 || graph.carriedSecret[fi]! >= 0) return true;
      return graph.compKind[from] === store && secretSource(graph, graph.model.components[from]!);
    };
    const feedsSecret = (f: Flow) => feedsSecretAt(f.index);
    // Per tool: whether it holds secrets itself, and the flows that bring it secrets. Many agents
    // share a tool, and its in-flows were scanned again for each of them.
    const secretsAt = new Map<number, { readonly holds: boolean; readonly feeds: readonly Flow[] }>();
    const secretsOf = (tool: Component) => {
      let s = secretsAt.get(tool.index);
      if (!s) {
        const feeds = inFlows(graph, tool.index).filter(feedsSecret);
        secretsAt.set(tool.index, (s = { holds: secretSource(graph, tool), feeds }));
      }
      return s;
    };
    // The likelihood's rise, each built once (its text keys the rationale).
    const bySink = adjust(
      { level: "high", why: ["the agent also has a way to send what it finds outside"] },
      undefined,
    );
    const byRunner = adjust(
      { level: "high", why: ["code the agent runs outside a sandbox can send what it finds outside"] },
      undefined,
    );
    const unraised = adjust(undefined, undefined);
    for (const agent of componentsOf(graph, "agent")) {
      const cls = untrustedClass(facts, agent.index);
      if (!cls) continue;
      const found = new Map<number, Witness>();
      // Tools that read credentials where they are kept.
      for (const r of toolsOf(graph, agent)) {
        if (!reachHas(r, HARVEST)) continue;
        const { holds, feeds } = secretsOf(r.tool);
        if (holds && !found.has(r.tool.index))
          found.set(r.tool.index, { secret: r.tool, tool: r, inAgent: false });
        for (const f of feeds) {
          const s = graph.model.components[f.from]!;
          if (!found.has(s.index)) found.set(s.index, { secret: s, flow: f, tool: r, inAgent: false });
        }
      }
      // Credentials in the agent's own context or environment, reachable by code or file tools.
      // Code runners first: they reach the environment even when a file tool runs elsewhere.
      const local = toolsWith(graph, agent, EXECUTE)[0] ?? toolsWith(graph, agent, LOCAL)[0];
      if (local)
        for (let i = graph.csr.inStart[agent.index]!; i < graph.csr.inStart[agent.index + 1]!; i++) {
          const fi = graph.csr.inEdges[i]!;
          if (!feedsSecretAt(fi) || found.has(graph.csr.edgeFrom[fi]!)) continue;
          const f = graph.model.flows[fi]!;
          found.set(f.from, { secret: graph.model.components[f.from]!, flow: f, tool: local, inAgent: true });
        }
      if (found.size === 0) continue;
      // The way out AT-37 reads: an information path to an observable sink, or code the agent runs
      // outside a sandbox, which can open its own connections.
      const out = wayOutOf(graph, facts, agent);
      const raised = out && (out.runner ? byRunner : bySink);
      for (const w of [...found.values()].sort((a, b) => a.secret.index - b.secret.index)) {
        const held = heldAtLeast(graph, w.secret, "secret");
        const what = held ? `\`${held.name}\`` : "credentials";
        const secretFacts: Fact[] = w.flow
          ? [
              {
                text: w.inAgent
                  ? `\`${w.secret.name} -> ${agent.name}\` (${w.flow.kind}) puts ${what} into the agent's own context or environment`
                  : `\`${w.secret.name} -> ${w.tool.tool.name}\` (${w.flow.kind}) lets \`${w.tool.tool.name}\` read ${what}`,
                loc: w.flow.loc,
              },
            ]
          : [
              {
                text: `\`${w.secret.name}\` holds ${what}`,
                loc: w.secret.propLocs["holds"] ?? w.secret.nameLoc,
              },
            ];
        if (w.secret.kind === "store" && w.secret.props.type === "secrets")
          secretFacts.unshift({
            text: `\`${w.secret.name}\` is a secrets store`,
            loc: w.secret.propLocs["type"] ?? w.secret.nameLoc,
          });
        report({
          subject: componentSubject(agent),
          key: w.secret.name,
          message: w.inAgent
            ? `\`${agent.name}\` holds ${what} from \`${w.secret.name}\` where \`${w.tool.tool.name}\` can read them, and untrusted content can tell it to`
            : `\`${agent.name}\` can read ${what} from \`${w.secret.name}\` through \`${w.tool.tool.name}\`, and untrusted content can tell it to`,
          facts: [
            ...taintChain(graph, facts, agent.index, cls),
            ...reachFacts(graph, w.tool),
            capabilityFact(w.tool, w.inAgent ? LOCAL : HARVEST),
            ...secretFacts,
            ...(out ? out.facts : []),
          ],
          controlPoints: uniqueSubjects([
            componentSubject(agent),
            ...(w.flow ? [flowSubject(w.flow)] : []),
            ...reachPoints(agent, w.tool, false),
          ]),
          ...(raised ?? unraised),
        });
      }
    }
  },
);
