import { scratchU8 } from "../../graph/arena.js";
import { componentsOf, inFlows, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component, Subject } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  ACTIONS,
  adjust,
  toolCaps,
  codeList,
  propFact,
  toolsOf,
  toolsWith,
  uniqueSubjects,
  type Agent,
  type ToolReach,
} from "./lib/agents.js";

/** Whether the component is a tool or MCP server written outside the organisation, and from where. */
function thirdPartyOrigin(c: Component): string | undefined {
  if (c.kind === "mcp_server" && (c.props.origin === "third_party" || c.props.origin === "public_registry"))
    return c.props.origin;
  if (c.kind === "tool" && c.props.origin === "third_party") return c.props.origin;
  return undefined;
}

/**
 * The data classified `confidential` or above that the tool itself holds or that flows hand it
 * (`carries`), each once, with the fact that says so: a malicious release reads it first-hand.
 */
function sensitiveSeen(graph: ThreatGraph, tool: Component): { names: string[]; facts: Fact[] } {
  const names: string[] = [];
  const facts: Fact[] = [];
  const sensitive = (d: number) => {
    const asset = graph.model.data[d]!;
    const cls = asset.classification;
    if (cls === undefined || classificationRank(cls) < CONFIDENTIAL || names.includes(asset.name))
      return undefined;
    names.push(asset.name);
    return `\`${asset.name}\` (${cls})`;
  };
  for (const d of tool.holds) {
    const what = sensitive(d);
    if (what) facts.push(propFact(tool, "holds", `\`${tool.name}\` holds ${what}`));
  }
  for (const f of inFlows(graph, tool.index))
    for (const d of f.carries) {
      const what = sensitive(d);
      if (what)
        facts.push({
          text: `\`${graph.model.components[f.from]!.name} -> ${tool.name}\` (${f.kind}) hands it ${what}`,
          loc: f.loc,
        });
    }
  return { names, facts };
}

const CONFIDENTIAL = classificationRank("confidential");

/**
 * Which agents load each third-party tool, and how. A function of its own rather than the rule's
 * first loop: V8 compiled the rule on the stack inside that loop and threw the code out where the
 * second loop began, then compiled it again.
 */
function loadersOf(graph: ThreatGraph): Map<number, { agent: Agent; reach: ToolReach }[]> {
  const loaders = new Map<number, { agent: Agent; reach: ToolReach }[]>();
  // Whether each callee is third-party, asked once per callee rather than once per agent reaching it
  // (0 unknown, 1 yes, 2 no).
  const thirdParty = scratchU8(graph.model.components.length);
  for (const agent of componentsOf(graph, "agent"))
    for (const reach of toolsOf(graph, agent)) {
      const t = reach.tool.index;
      if (thirdParty[t] === 0) thirdParty[t] = thirdPartyOrigin(reach.tool) ? 1 : 2;
      if (thirdParty[t] === 2) continue;
      const list = loaders.get(reach.tool.index) ?? [];
      list.push({ agent, reach });
      loaders.set(reach.tool.index, list);
    }
  return loaders;
}

/** A third-party tool or MCP server an agent loads without pinning or verifying it. */
export default defineRule(
  {
    id: "AT-42",
    title: "Poisoned, malicious or rug-pulled tool or MCP server",
    description:
      "An agent loads a tool or MCP server written outside the organisation, from a vendor or a public registry, without pinning and verifying what it runs. Its tool descriptions go straight into the model's context and its code runs with the agent's access: a malicious package, a compromised maintainer or a silent update (rug pull) can inject instructions, steer the agent's other tools or take the data that passes through.",
    category: "threat",
    stride: ["tampering", "spoofing"],
    atlas: ["AML.T0010.005", "AML.T0110", "AML.T0109", "AML.T0104", "AML.T0011.002"],
    owasp: ["ASI04:2026", "LLM03:2025"],
    nist: ["NISTAML.05"],
    cosai: ["riskToolSourceProvenance", "riskToolRegistryTampering"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates poisoned agent tools and rug pulls as realized; a vendor's package is less exposed than a public registry's",
    impact: "high",
    impactBasis: "the tool's text and code run inside the agent, with its context and access",
    mitigations: ["artifact_signing", "server_allowlist", "segmentation"],
    detection:
      "A tool with `origin third_party` or an MCP server with `origin third_party` or `public_registry` that at least one agent calls (directly or through other tools). `verified true` (implying artifact signing) or a declared `server_allowlist` on the server, the agent or the call mitigates. The impact is very high when the tool holds or is handed data classified `confidential` or above (a malicious release reads it first-hand), can act itself, or its descriptions can steer the agent's other acting tools.",
    falsePositives:
      "The server is vendored into the organisation's own repository and reviewed like in-house code, but the model still calls it third-party.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0110",
      "https://atlas.mitre.org/techniques/AML.T0109",
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    ],
    appliesTo: ["tool", "mcp_server"],
  },
  ({ graph, report }) => {
    for (const [index, users] of [...loadersOf(graph)].sort((a, b) => a[0] - b[0])) {
      const tool = graph.model.components[index]!;
      const origin = thirdPartyOrigin(tool)!;
      const verified = tool.kind === "mcp_server" ? tool.props.verified : undefined;
      const fromPublic = inFlows(graph, index).find((f) => {
        const src = graph.model.components[f.from]!;
        return src.kind === "registry" && src.props.origin === "public";
      });
      const facts: Fact[] = [
        propFact(
          tool,
          "origin",
          origin === "public_registry"
            ? `\`${tool.name}\` comes from a public registry where anyone can publish`
            : `\`${tool.name}\` is written and updated by a third party`,
        ),
        verified === false
          ? propFact(tool, "verified", `\`${tool.name}\` is not pinned or verified (\`verified false\`)`)
          : verified === true
            ? propFact(tool, "verified", `\`${tool.name}\` is pinned and its signature or hash is checked`)
            : tool.kind === "mcp_server"
              ? {
                  text: `\`${tool.name}\` does not say whether it is pinned and verified (\`verified\`); assumed not`,
                  loc: tool.nameLoc,
                }
              : {
                  text: `nothing says \`${tool.name}\` is pinned or signature-checked before the agent loads it`,
                  loc: tool.nameLoc,
                },
      ];
      if (fromPublic)
        facts.push({
          text: `\`${graph.model.components[fromPublic.from]!.name} -> ${tool.name}\` (${fromPublic.kind}) installs it from a public registry`,
          loc: fromPublic.loc,
        });
      for (const { agent, reach } of users.slice(0, 4)) {
        const last = reach.path[reach.path.length - 1]!;
        facts.push({
          text: `\`${agent.name}\` loads it (\`${graph.model.components[last.from]!.name} -> ${tool.name}\`): its tool descriptions and results enter the agent's context`,
          loc: last.loc,
        });
      }
      // What it sees itself: a malicious release takes it without steering anything.
      const seen = sensitiveSeen(graph, tool);
      facts.push(...seen.facts);
      // A poisoned tool description can make the agent misuse its other tools.
      const own = toolCaps(tool, ACTIONS);
      // A few examples are enough for the message: stop after four.
      const steered = new Set<string>();
      for (const { agent } of users) {
        for (const r of toolsWith(graph, agent, ACTIONS))
          if (!r.gated && r.tool !== tool && steered.size < 4) steered.add(r.tool.name);
        if (steered.size >= 4) break;
      }
      const worse = [
        ...(seen.names.length > 0 ? [`it sees ${codeList(seen.names)} itself`] : []),
        ...(own.length > 0 ? [`it can ${codeList(own)} itself`] : []),
        ...(steered.size > 0 ? [`its descriptions can steer ${codeList([...steered])}`] : []),
      ];
      const points: Subject[] = [componentSubject(tool)];
      for (const { agent, reach } of users)
        points.push(componentSubject(agent), flowSubject(reach.path[reach.path.length - 1]!));
      report({
        subject: componentSubject(tool),
        message: `\`${tool.name}\` is ${origin === "public_registry" ? "installed from a public registry" : "third-party code"}${verified === true ? "" : " and not verified"}: a poisoned or silently replaced version would run inside ${codeList([...new Set(users.map((u) => u.agent.name))])}${seen.names.length > 0 ? ` and see ${codeList(seen.names)}` : ""}`,
        facts,
        controlPoints: uniqueSubjects(points),
        ...adjust(
          origin === "public_registry" || fromPublic
            ? { level: "high", why: ["anyone can publish to the registry it comes from"] }
            : undefined,
          worse.length > 0 ? { level: "very_high", why: worse } : undefined,
        ),
      });
    }
  },
);
