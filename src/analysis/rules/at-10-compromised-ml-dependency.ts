import { componentKindMask, componentsOf } from "../../graph/threat-graph.js";
import { FLOW_KIND_NAMES, classificationRank, type ComponentKind } from "../../semantic/vocabulary.js";
import { describe } from "../explain.js";
import { componentSubject, defineRule, type RuleMeta } from "../rule.js";
import { UNREACHED, bestPath, guardOf, pathFacts, pathSubjects, reachBoth } from "./lib/training.js";

// Components where pulled code or images run (a mask over kind codes).
const RUNS_CODE = componentKindMask(["pipeline", "endpoint", "agent", "app", "tool", "mcp_server", "model"]);
// Mirrors and caches pass artifacts on unchanged.
const MIRRORS: readonly ComponentKind[] = ["registry", "store"];
// Every flow but `publish`, which pushes into a registry rather than pulling from it.
const NOT_PUBLISH = FLOW_KIND_NAMES.filter((k) => k !== "publish");
const SENSITIVE = classificationRank("sensitive");

const meta: RuleMeta = {
  id: "AT-10",
  title: "Compromised ML dependency, package or container image",
  description:
    "Training jobs and serving stacks pull libraries and images from public package indexes and container registries. A typosquatted name, a hijacked maintainer account, a dependency-confusion package or a retagged image runs the attacker's code inside the job, where it can read training data and credentials, tamper with the model it builds, or open a way in. Pinning by hash, verifying signatures and scanning what is pulled shrink the window.",
  category: "threat",
  stride: ["tampering", "elevation_of_privilege"],
  atlas: ["AML.T0010.001", "AML.T0011.001", "AML.T0010.004"],
  owasp: ["LLM03:2025", "ML06:2023"],
  nist: ["NISTAML.05"],
  cosai: ["riskModelSourceTampering"],
  likelihood: "high",
  likelihoodBasis:
    "ATLAS rates malicious packages and compromised AI software as realized (e.g. the PyTorch nightly dependency chain)",
  impact: "high",
  impactBasis: "attacker code runs with the job's data, credentials and write access to its outputs",
  mitigations: ["artifact_signing", "artifact_scanning"],
  detection:
    "A registry of type `packages` or `containers` with `origin public`, whose artifacts reach a pipeline, endpoint, agent, app, tool, MCP server or model over any flow, directly or through private mirrors (registries and stores). One finding per consumer and public registry; signature checks (`verified true` on a registry or mirror) and scanning on the consumer, the mirror or the flow count.",
  falsePositives:
    "Dependencies pinned by hash and vendored at build time in a way the model does not show; declare the control on the consumer.",
  references: [
    "https://atlas.mitre.org/techniques/AML.T0010.001",
    "https://pytorch.org/blog/compromised-nightly-dependency/",
  ],
  appliesTo: ["pipeline", "endpoint", "agent", "app", "tool", "mcp_server", "model"],
};

/** Public package indexes and container registries whose artifacts run inside the system. */
export default defineRule(meta, ({ graph, facts, report }) => {
  const publicRegs = componentsOf(graph, "registry").filter(
    (r) => r.props.origin === "public" && (r.props.type === "packages" || r.props.type === "containers"),
  );
  if (publicRegs.length === 0) return;
  const guard = guardOf(graph, meta);
  for (const reg of publicRegs) {
    // One reach per public registry, so each finding names the registry it comes from.
    const r = reachBoth(
      graph,
      facts,
      [reg.index],
      { kinds: NOT_PUBLISH, returns: false, through: MIRRORS },
      guard,
    );
    // Typed reads pass over the components the registry's artifacts never reach.
    for (let v = 0; v < graph.model.components.length; v++) {
      if (r.all[v] === UNREACHED || v === reg.index || !RUNS_CODE[graph.compKind[v]!]) continue;
      const c = graph.model.components[v]!;
      const { path } = bestPath(facts, r, c.index);
      const what = reg.props.type === "containers" ? "images" : "packages";
      const critical = facts.sensitivity[c.index]! >= SENSITIVE;
      report({
        subject: componentSubject(c),
        key: reg.name,
        message: `\`${c.name}\` runs ${what} pulled from the public \`${reg.name}\`; a hijacked or look-alike one runs the attacker's code inside it`,
        facts: [
          ...pathFacts(
            graph,
            facts,
            path,
            {
              text: `${describe(graph, reg)} is a public registry of ${what} anyone can publish to (\`origin public\`)`,
              loc: reg.propLocs["origin"] ?? reg.nameLoc,
            },
            `pulled ${what}`,
          ),
          ...(critical
            ? [{ text: `\`${c.name}\` sees data classified sensitive or above`, loc: c.nameLoc }]
            : []),
        ],
        controlPoints: [componentSubject(c), ...pathSubjects(graph, facts, path)],
        ...(critical
          ? { impact: "very_high" as const, adjustment: "the code runs next to sensitive data" }
          : {}),
      });
    }
  }
});
