import { componentsOf, inFlows } from "../../graph/threat-graph.js";
import { trustRank } from "../../semantic/vocabulary.js";
import { describe, taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { ACTIONS, adjust, codeList, toolsWith, untrustedClass } from "./lib/agents.js";

// Flows by which someone changes what a repository or template holds.
const CHANGE_FLOWS = new Set(["write", "ingest", "copy", "publish", "label", "feedback"]);

/** An agent whose standing instructions load from somewhere less trusted people can change. */
export default defineRule(
  {
    id: "AT-43",
    title: "Tampering with agent instructions or configuration files",
    description:
      "An agent's standing instructions (system prompt, rules file, agent configuration) load from a template or repository that principals less trusted than the agent can change: contributors to a repository, a partner, a shared workspace, the public. Whoever edits that file rewrites the agent's behaviour for every session, quietly, without any injection at run time.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0081"],
    owasp: ["ASI04:2026", "ASI01:2026"],
    nist: [],
    cosai: [],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates modifying agent configuration as demonstrated (backdoored rules files); it needs write access to the file",
    impact: "high",
    impactBasis: "a changed instruction file steers the agent in every session until someone notices",
    mitigations: ["artifact_signing", "access_control"],
    detection:
      "For each agent, each template or `repository` source with a `prompt` flow into it, when attacker content reaches that template or source, its own trust is below the agent's, or a component less trusted than the agent writes into it.",
    falsePositives:
      "Changes to the file go through review by the agent's owners before the agent loads them (branch protection, required reviews), and the model does not say so.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0081",
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, facts, report }) => {
    for (const agent of componentsOf(graph, "agent")) {
      for (const load of inFlows(graph, agent.index)) {
        if (load.kind !== "prompt") continue;
        const file = graph.model.components[load.from]!;
        if (!(file.kind === "template" || (file.kind === "source" && file.props.type === "repository")))
          continue;
        const cls = untrustedClass(facts, file.index);
        const lowerTrust = trustRank(file.trust) < trustRank(agent.trust);
        const writers = inFlows(graph, file.index).filter(
          (f) =>
            CHANGE_FLOWS.has(f.kind) &&
            trustRank(graph.model.components[f.from]!.trust) < trustRank(agent.trust),
        );
        if (!cls && !lowerTrust && writers.length === 0) continue;
        const why: Fact[] = [];
        if (cls) why.push(...taintChain(graph, facts, file.index, cls));
        else if (lowerTrust)
          why.push({
            text: `${describe(graph, file)} is less trusted than \`${agent.name}\` (trust \`${agent.trust}\`): less trusted principals can change it`,
            loc: file.propLocs["trust"] ?? file.nameLoc,
          });
        // Writers the taint chain already shows are not repeated.
        const shown = new Set(why.map((f) => f.loc.start));
        for (const w of writers.filter((f) => !shown.has(f.loc.start)).slice(0, 3)) {
          const who = graph.model.components[w.from]!;
          why.push({
            text: `\`${who.name} -> ${file.name}\` (${w.kind}) lets \`${who.name}\` (trust \`${who.trust}\`) change it`,
            loc: w.loc,
          });
        }
        const actions = toolsWith(graph, agent, ACTIONS).filter((r) => !r.gated);
        report({
          subject: componentSubject(agent),
          key: file.name,
          message: `\`${agent.name}\` takes its instructions from \`${file.name}\`, which principals less trusted than the agent can change`,
          facts: [
            {
              text: `\`${file.name} -> ${agent.name}\` (prompt) loads \`${file.name}\` into the agent's instructions`,
              loc: load.loc,
            },
            ...why,
          ],
          controlPoints: [componentSubject(file), flowSubject(load)],
          ...adjust(
            cls ? { level: "high", why: ["attackers can write it"] } : undefined,
            actions.length > 0
              ? {
                  level: "very_high",
                  why: [
                    `the rewritten agent can act unconfirmed through ${codeList(actions.slice(0, 3).map((r) => r.tool.name))}`,
                  ],
                }
              : undefined,
          ),
        });
      }
    }
  },
);
