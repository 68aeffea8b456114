import { classificationRank } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject, type Level, levelReasons } from "../rule.js";
import { componentAuth } from "../../semantic/model.js";
import { actorAuth, unauthenticatedService } from "./lib/inference.js";
import { crownIndex } from "./lib/training.js";

// MCP servers have their own rule (AT-58), with transport-aware conditions.
const KINDS = ["endpoint", "pipeline", "registry"] as const;
const SENSITIVE = classificationRank("sensitive");

/** Endpoints, pipelines and registries that untrusted parties reach without authenticating. */
export default defineRule(
  {
    id: "AT-52",
    title: "Unauthenticated or publicly exposed AI infrastructure",
    description:
      "An inference endpoint, a training or data pipeline (a job cluster, a notebook server) or a model or package registry of the organisation can be reached from an untrusted zone and asks for no credentials. Such services are found by routine internet scans; without authentication anyone can run jobs, read or replace models, or use the compute. MCP servers are covered by AT-58.",
    category: "threat",
    stride: ["elevation_of_privilege", "spoofing"],
    atlas: ["AML.T0049", "AML.T0040"],
    owasp: ["LLM10:2025"],
    nist: [],
    cosai: ["riskInsecureIntegratedComponent"],
    likelihood: "high",
    likelihoodBasis:
      "ATLAS rates exploitation of public-facing applications as realized; exposed AI clusters have been taken over at scale",
    impact: "high",
    impactBasis:
      "the attacker uses the service as if they were the organisation: its compute, data, models and tools",
    mitigations: ["access_control"],
    detection:
      "An endpoint, pipeline or private registry whose own trust is above `public`, and that either declares `exposure public` or receives a flow (not an answer) opened by a component of public or untrusted trust (people, apps, agents, services: not a source, store or registry, which the receiver pulls from); and not every such entering flow is authenticated (with none modelled, the service's own `auth` is `none` or unset). A flow is authenticated by the most specific statement: its own `auth`, else the service's `auth`, else, when it comes from an actor, the actor's `authenticated` (`false` counts as `auth none`); a flow's `auth` wins over the service's either way, as AT-22 reads each hop. Declared `none` keeps the likelihood high; unstated authentication lowers it one step.",
    falsePositives:
      "Authentication enforced by a gateway the model does not show; add it as a component, or declare `auth` on the entering flow.",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0049",
      "https://atlas.mitre.org/studies/AML.CS0023",
    ],
    appliesTo: [...KINDS],
  },
  ({ graph, facts, model, report }) => {
    const crowns = crownIndex(model);
    for (const kind of KINDS) {
      for (const i of graph.byKind.get(kind) ?? []) {
        // Whom it reaches and how each caller gets in (hopAuth), as the exposure metric reads it too.
        const open = unauthenticatedService(graph, i);
        if (!open) continue;
        const c = graph.model.components[i]!;
        const { entering, hops, publicExposure, declaredNone } = open;
        const auth = componentAuth(c);
        const out: Fact[] = [];
        if (publicExposure)
          out.push({
            text: `\`${c.name}\` declares \`exposure public\``,
            loc: c.propLocs["exposure"] ?? c.nameLoc,
          });
        entering.forEach((f, k) => {
          const reaches = `${describe(graph, graph.model.components[f.from]!)} reaches \`${c.name}\` (${f.kind})`;
          const hop = hops[k];
          if (hop?.by === "actor") {
            const actor = actorAuth(graph, f)!;
            out.push({
              text: `${reaches}, ${actor.authenticated ? "authenticated" : "not authenticated"} (\`authenticated ${actor.authenticated}\` on the actor)`,
              loc: actor.fact.loc,
            });
          } else
            out.push({
              text: `${reaches}${f.auth === "none" ? " with `auth none`" : f.auth === undefined ? " with no `auth` stated" : ""}`,
              loc: f.propLocs["auth"] ?? f.loc,
            });
        });
        out.push(
          auth === "none"
            ? { text: `\`${c.name}\` declares \`auth none\``, loc: c.propLocs["auth"] ?? c.nameLoc }
            : auth !== undefined
              ? {
                  // A flow's own `auth none` says how its caller gets in, whatever the service states.
                  text: `\`${c.name}\` declares \`auth ${auth}\`, but a flow into it states \`auth none\` for its caller`,
                  loc: c.propLocs["auth"] ?? c.nameLoc,
                }
              : hops.some((h) => h?.by === "actor" && h.auth === "none")
                ? {
                    // An actor's `authenticated false` says so: nothing is assumed.
                    text: `\`${c.name}\` states no \`auth\`: it accepts callers that are not authenticated`,
                    loc: c.nameLoc,
                  }
                : {
                    text:
                      c.kind === "endpoint"
                        ? `\`${c.name}\` states no \`auth\`; assumed to accept anyone`
                        : `nothing on the way into \`${c.name}\` authenticates the caller; assumed to accept anyone`,
                    loc: c.nameLoc,
                  },
        );
        const critical = facts.sensitivity[c.index]! >= SENSITIVE || crowns.component.has(c.index);
        const likelihood: Level | undefined = declaredNone ? undefined : "medium";
        const adjustments = [
          declaredNone ? "" : "authentication is not stated, so it is assumed absent",
          critical ? "it handles sensitive data or is a crown jewel" : "",
        ];
        report({
          subject: componentSubject(c),
          message: `\`${c.name}\` (${c.kind}) can be reached from untrusted zones ${declaredNone ? "without authentication" : "and states no authentication"}`,
          facts: out,
          controlPoints: [componentSubject(c), ...entering.map(flowSubject)],
          ...(likelihood ? { likelihood } : {}),
          ...(critical ? { impact: "very_high" as const } : {}),
          ...levelReasons(adjustments[0], adjustments[1]),
        });
      }
    }
  },
);
