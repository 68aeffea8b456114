import { flowsOf } from "../../graph/threat-graph.js";
import type { Flow } from "../../semantic/model.js";
import type { Fact } from "../facts.js";
import { hasControl } from "../predicates.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import {
  IRREVERSIBLE,
  adjust,
  autonomyFact,
  codeList,
  isAutonomous,
  toolsWith,
  type Agent,
} from "./lib/agents.js";

const MAX_FLOW_FACTS = 4;

/** A delegation structure where one agent's failure or takeover spreads to the others. */
export default defineRule(
  {
    id: "AT-48",
    title: "Cascading failures and rogue agents in a multi-agent system",
    description:
      "Agents hand work to each other in chains, in cycles, or under an agent that runs on its own, and nothing records or checks what passes between them. A hallucinated fact, a wrong plan or a compromised agent spreads from one agent to the next, each acting on the last one's output, and nobody can see where it started or stop it in time.",
    category: "threat",
    stride: ["denial_of_service", "tampering", "repudiation"],
    atlas: ["AML.T0053", "AML.T0108"],
    owasp: ["ASI08:2026", "ASI10:2026"],
    nist: [],
    cosai: ["riskAgentDelegationChainOpacity", "riskRogueActions"],
    likelihood: "medium",
    likelihoodBasis:
      "errors compound across agents without any attacker; a compromised agent is the adversarial case",
    impact: "high",
    impactBasis: "a fault in one agent turns into actions by several, with no trail to find the cause",
    mitigations: ["audit_log", "human_approval", "segmentation"],
    detection:
      "Agents connected by `delegate` flows (two or more) where delegation runs in a cycle, over two or more hops, or from an agent with `autonomy loop` or `autonomous`. Reported once per connected group, on its root (the first agent that delegates and receives no delegation); an audit log, human approval or segmentation on the root or its delegation flows mitigates.",
    falsePositives:
      "Delegated results are validated against a schema and delegation depth is capped by the framework, which the model does not show.",
    references: [
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
      "https://atlas.mitre.org/techniques/AML.T0108",
    ],
    appliesTo: ["agent"],
  },
  ({ graph, report }) => {
    const delegations = flowsOf(graph, "delegate");
    if (delegations.length === 0) return;
    const comps = graph.model.components;
    // Connected groups of agents (union-find over delegate flows, direction ignored).
    const parent = new Map<number, number>();
    const find = (v: number): number => {
      let r = v;
      while (parent.get(r)! !== r) r = parent.get(r)!;
      while (parent.get(v)! !== r) {
        const next = parent.get(v)!;
        parent.set(v, r);
        v = next;
      }
      return r;
    };
    const out = new Map<number, Flow[]>();
    const indeg = new Map<number, number>();
    for (const f of delegations) {
      for (const v of [f.from, f.to]) if (!parent.has(v)) parent.set(v, v);
      const a = find(f.from);
      const b = find(f.to);
      if (a !== b) parent.set(Math.max(a, b), Math.min(a, b));
      const list = out.get(f.from);
      if (list) list.push(f);
      else out.set(f.from, [f]);
      indeg.set(f.to, (indeg.get(f.to) ?? 0) + 1);
    }
    // Kahn's algorithm forward and backward: agents left over by both reach a cycle and are reached
    // from one, so each has a successor that is left over too and a walk along them must close a cycle.
    const inn = new Map<number, Flow[]>();
    for (const f of delegations) {
      const list = inn.get(f.to);
      if (list) list.push(f);
      else inn.set(f.to, [f]);
    }
    const forward = leftover(parent, out, flowTo);
    const backward = leftover(parent, inn, flowFrom);
    const cyclic = new Set([...forward].filter((v) => backward.has(v)));

    const groups = new Map<number, number[]>();
    for (const v of [...parent.keys()].sort((a, b) => a - b)) {
      const r = find(v);
      const list = groups.get(r);
      if (list) list.push(v);
      else groups.set(r, [v]);
    }
    for (const members of groups.values()) {
      if (members.length < 2) continue;
      const agents = members.map((v) => comps[v] as Agent);
      const root =
        agents.find((a) => (out.get(a.index)?.length ?? 0) > 0 && !indeg.get(a.index)) ?? agents[0]!;
      const reasons: string[] = [];
      const facts: Fact[] = [];
      // A cycle: walk from any agent on one until an agent repeats.
      const onCycle = members.find((v) => cyclic.has(v) && (out.get(v) ?? []).some((f) => cyclic.has(f.to)));
      if (onCycle !== undefined) {
        const seen = new Map<number, number>();
        const walk: Flow[] = [];
        for (let v = onCycle; !seen.has(v);) {
          seen.set(v, walk.length);
          const f = (out.get(v) ?? []).find((x) => cyclic.has(x.to))!;
          walk.push(f);
          v = f.to;
        }
        const start = seen.get(walk[walk.length - 1]!.to)!;
        reasons.push("tasks can circle back to an agent that already handled them");
        for (const f of walk.slice(start).slice(0, MAX_FLOW_FACTS))
          facts.push({
            text: `\`${comps[f.from]!.name} -> ${comps[f.to]!.name}\` (delegate) is part of a delegation cycle`,
            loc: f.loc,
          });
      }
      const hop = members
        .flatMap((v) => out.get(v) ?? [])
        .find((f) => (out.get(f.to) ?? []).some((g) => g.to !== f.from));
      if (hop && onCycle === undefined) {
        const next = out.get(hop.to)!.find((g) => g.to !== hop.from)!;
        reasons.push("tasks pass through several agents in a row");
        facts.push(
          {
            text: `\`${comps[hop.from]!.name} -> ${comps[hop.to]!.name}\` (delegate) hands a task on`,
            loc: hop.loc,
          },
          {
            text: `\`${comps[next.from]!.name} -> ${comps[next.to]!.name}\` (delegate) hands it on again`,
            loc: next.loc,
          },
        );
      }
      const autonomous = agents.filter((a) => isAutonomous(a) && (out.get(a.index)?.length ?? 0) > 0);
      if (autonomous.length > 0) {
        reasons.push(
          `${codeList(autonomous.map((a) => a.name))} delegate${autonomous.length === 1 ? "s" : ""} without a person between steps`,
        );
        facts.push(autonomyFact(autonomous[0]!));
      }
      if (reasons.length === 0) continue;
      const rootFlows = out.get(root.index) ?? [];
      if (!facts.some((x) => rootFlows.some((f) => f.loc === x.loc)))
        facts.unshift(
          ...rootFlows.slice(0, MAX_FLOW_FACTS).map((f) => ({
            text: `\`${root.name} -> ${comps[f.to]!.name}\` (delegate) hands work to \`${comps[f.to]!.name}\``,
            loc: f.loc,
          })),
        );
      const guarded =
        hasControl(root, "audit_log") ||
        hasControl(root, "human_approval") ||
        rootFlows.some((f) => hasControl(f, "audit_log") || hasControl(f, "human_approval"));
      if (!guarded)
        facts.push({
          text: `neither \`${root.name}\` nor its delegation flows declare an audit log or a human checkpoint`,
          loc: root.nameLoc,
        });
      const dangerous = agents.filter((a) => toolsWith(graph, a, IRREVERSIBLE).some((r) => !r.gated));
      report({
        subject: componentSubject(root),
        message: `\`${root.name}\` and ${agents.length - 1} other agent${agents.length === 2 ? "" : "s"} pass work to each other (${reasons.join("; ")}): one agent's fault or takeover cascades through the rest`,
        facts,
        controlPoints: [componentSubject(root), ...rootFlows.map(flowSubject)],
        ...adjust(
          undefined,
          dangerous.length > 0
            ? {
                level: "very_high",
                why: [
                  `${codeList(dangerous.slice(0, 3).map((a) => a.name))} can pay, delete or administer unconfirmed`,
                ],
              }
            : undefined,
        ),
      });
    }
  },
);

const flowTo = (f: Flow): number => f.to;
const flowFrom = (f: Flow): number => f.from;

/**
 * Kahn's algorithm along `edges` over the agents `parent` holds: the agents it cannot peel. A module
 * function (not a closure made per compile), so V8 keeps its optimized code from one compile to the next.
 */
function leftover(
  parent: ReadonlyMap<number, number>,
  edges: ReadonlyMap<number, readonly Flow[]>,
  next: (f: Flow) => number,
): Set<number> {
  const degree = new Map<number, number>();
  for (const list of edges.values())
    for (const f of list) degree.set(next(f), (degree.get(next(f)) ?? 0) + 1);
  const queue = [...parent.keys()].filter((v) => !degree.get(v));
  for (let h = 0; h < queue.length; h++)
    for (const f of edges.get(queue[h]!) ?? []) {
      const d = degree.get(next(f))! - 1;
      degree.set(next(f), d);
      if (d === 0) queue.push(next(f));
    }
  return new Set([...degree].filter(([, d]) => d > 0).map(([v]) => v));
}
