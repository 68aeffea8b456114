import { componentsOf, type ThreatGraph } from "../../graph/threat-graph.js";
import { UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import { condense } from "../paths/scc.js";
import { hasControl } from "../predicates.js";
import { ACTIONS, BROWSE, toolsOf, toolsWith, type Agent } from "../rules/lib/agents.js";
import { maxOf, type AgenticEntry, type AgenticFactor, type AgenticMetrics } from "./model.js";

/**
 * The ten agentic amplification factors of OWASP AIVSS, in its order, with the id metrics.json uses.
 * AIVSS scores each 0, 0.5 or 1 and adds them into a 0..10 agentic amplification score; how aithreat
 * reads each factor off the model is its own mapping, documented in docs/metrics.md.
 */
export const AGENTIC_FACTORS = [
  { id: "autonomy_of_action", name: "Autonomy of Action" },
  { id: "tool_use", name: "Tool Use" },
  { id: "memory_use", name: "Memory Use" },
  { id: "dynamic_identity", name: "Dynamic Identity" },
  { id: "multi_agent_interactions", name: "Multi-Agent Interactions" },
  { id: "non_determinism", name: "Non-Determinism" },
  { id: "self_modification", name: "Self-Modification" },
  { id: "goal_driven_planning", name: "Goal-Driven Planning" },
  { id: "contextual_awareness", name: "Contextual Awareness" },
  { id: "opacity_and_reflexivity", name: "Opacity and Reflexivity" },
] as const;

type FactorId = (typeof AGENTIC_FACTORS)[number]["id"];

// Flows by which a component changes what something else keeps or is told.
const WRITE_FLOWS = new Set(["write", "ingest", "feedback", "log", "copy", "publish", "label"]);
const READ_FLOWS = new Set(["retrieve", "read"]);

/**
 * The agentic amplification score of every agent. Each factor comes from what the agent declares
 * (autonomy, memory, identity, approval, controls) and from the graph around it (its tools, its
 * delegations, whether what it writes comes back into its own context). A property the agent leaves
 * unstated scores as the worst case and is listed in `unstated`, so omitting it never lowers the score.
 */
export function agenticMetrics(g: ThreatGraph, facts: Facts): AgenticMetrics {
  const { model } = g;
  // Whether what an agent writes flows back into its own context: the write's target lies in the
  // agent's strongly connected component of the information-flow graph (one condensation for all).
  const scc = condense(facts.info);
  // The strongly connected components each writer's write flows land in, found once per writer
  // (a tool many agents share is read once).
  const writes = new Map<number, ReadonlySet<number>>();
  const writesInto = (w: number): ReadonlySet<number> => {
    let hit = writes.get(w);
    if (!hit) {
      const into = new Set<number>();
      for (let i = g.csr.outStart[w]!; i < g.csr.outStart[w + 1]!; i++) {
        const f = model.flows[g.csr.outEdges[i]!]!;
        if (WRITE_FLOWS.has(f.kind)) into.add(scc.comp[f.to]!);
      }
      writes.set(w, (hit = into));
    }
    return hit;
  };
  const acting = new Map<number, { any: boolean; ungated: boolean }>();
  const actsOf = (a: Agent): { any: boolean; ungated: boolean } => {
    let hit = acting.get(a.index);
    if (!hit) {
      const rs = toolsWith(g, a, ACTIONS);
      acting.set(a.index, (hit = { any: rs.length > 0, ungated: rs.some((r) => !r.gated) }));
    }
    return hit;
  };

  const agents: AgenticEntry[] = componentsOf(g, "agent").map((agent) => {
    const p = agent.props;
    const unstated: string[] = [];
    const factors = new Map<FactorId, AgenticFactor>();
    const set = (factor: FactorId, value: number, reason: string) =>
      factors.set(factor, { factor, value, reason });

    const own = toolsOf(g, agent);
    const ownActions = toolsWith(g, agent, ACTIONS);
    const delegated = delegationPartners(g, agent);
    // Two bits per direct delegate, not its tool list: an agent many delegate to is read once.
    const acts = ownActions.length > 0 || delegated.out.some((d) => actsOf(d).any);
    const ungated = ownActions.some((r) => !r.gated) || delegated.out.some((d) => actsOf(d).ungated);

    if (!acts) set("autonomy_of_action", 0, "it can take no state-changing or outbound action");
    else if (ungated)
      set("autonomy_of_action", 1, "it can act through a high-impact tool no person approves");
    else set("autonomy_of_action", 0.5, "a person approves each of its high-impact tool calls");

    if (own.length === 0) set("tool_use", 0, "it calls no tool");
    else if (ownActions.length > 0)
      set("tool_use", 1, "its tools change state, spend money, run code or send data out");
    else set("tool_use", 0.5, "its tools only read");

    if (p.memory === undefined) unstated.push("memory");
    const memory = p.memory ?? "unstated";
    if (memory === "none") set("memory_use", 0, "it keeps nothing between turns");
    else if (memory === "session") set("memory_use", 0.5, "it remembers within a session");
    else set("memory_use", 1, `its memory is ${memory === "unstated" ? "unstated" : `\`${memory}\``}`);

    if (p.identity === undefined) unstated.push("identity");
    if (p.identity === "none") set("dynamic_identity", 0, "it acts under no identity of its own");
    else if (p.identity === "service_account")
      set("dynamic_identity", 0.5, "it acts under one standing service account");
    else
      set(
        "dynamic_identity",
        1,
        p.identity === "user_delegated"
          ? "it acts under whichever user's identity drives it"
          : "its identity is unstated",
      );

    const partners = delegated.partners;
    set(
      "multi_agent_interactions",
      partners === 0 ? 0 : partners === 1 ? 0.5 : 1,
      partners === 0
        ? "it delegates to no agent and no agent delegates to it"
        : `it is linked to ${partners} other agent${partners === 1 ? "" : "s"} by delegation`,
    );

    set("non_determinism", 1, "an LLM plans its steps, so the same input can lead to different actions");

    const home = scc.comp[agent.index]!;
    const loops = writesInto(agent.index).has(home) || own.some((r) => writesInto(r.tool.index).has(home));
    if (loops) set("self_modification", 1, "what it writes flows back into its own context or instructions");
    else if (memory === "persistent" || memory === "shared" || memory === "unstated")
      set("self_modification", 0.5, "it shapes the memory its later runs start from");
    else set("self_modification", 0, "nothing it writes comes back to it");

    if (p.autonomy === undefined) unstated.push("autonomy");
    const autonomy = p.autonomy ?? "unstated";
    if (autonomy === "assist") set("goal_driven_planning", 0, "it only suggests; a person acts");
    else if (autonomy === "step") set("goal_driven_planning", 0.5, "it takes one step per request");
    else
      set(
        "goal_driven_planning",
        1,
        autonomy === "unstated"
          ? "its autonomy is unstated"
          : `it plans and acts in a loop (\`${autonomy}\`)`,
      );

    const reads =
      facts.sensitivity[agent.index]! >= 0 ||
      toolsWith(g, agent, BROWSE).length > 0 ||
      own.length > 0 ||
      hasInFlow(g, agent, READ_FLOWS);
    if (facts.taint[agent.index]! & UNTRUSTED_CONTENT)
      set("contextual_awareness", 1, "content from outside the organisation reaches its context");
    else if (reads) set("contextual_awareness", 0.5, "it reads data and tool results beyond the request");
    else set("contextual_awareness", 0, "its context is the request alone");

    const logged = hasControl(agent, "audit_log");
    const partly = own.some(
      (r) => hasControl(r.tool, "audit_log") || r.path.some((f) => hasControl(f, "audit_log")),
    );
    if (logged) set("opacity_and_reflexivity", 0, "its actions are audit-logged");
    else if (partly) set("opacity_and_reflexivity", 0.5, "only some of its tool calls are audit-logged");
    else set("opacity_and_reflexivity", 1, "nothing records what it did and why");

    const ordered = AGENTIC_FACTORS.map((f) => factors.get(f.id)!);
    return {
      agent: agent.name,
      score: ordered.reduce((s, f) => s + f.value, 0),
      factors: ordered,
      unstated: unstated.sort(),
    };
  });
  return { maxScore: maxOf(agents.map((a) => a.score)), agents };
}

/** Agents it delegates to (directly), and how many distinct agents share a `delegate` flow with it. */
function delegationPartners(g: ThreatGraph, agent: Agent): { out: Agent[]; partners: number } {
  const out: Agent[] = [];
  const partners = new Set<number>();
  for (let i = g.csr.outStart[agent.index]!; i < g.csr.outStart[agent.index + 1]!; i++) {
    const f = g.model.flows[g.csr.outEdges[i]!]!;
    const w = g.model.components[f.to]!;
    if (f.kind !== "delegate" || w.kind !== "agent" || w.index === agent.index) continue;
    if (!partners.has(w.index)) out.push(w);
    partners.add(w.index);
  }
  for (let i = g.csr.inStart[agent.index]!; i < g.csr.inStart[agent.index + 1]!; i++) {
    const f = g.model.flows[g.csr.inEdges[i]!]!;
    if (f.kind === "delegate" && f.from !== agent.index) partners.add(f.from);
  }
  return { out, partners: partners.size };
}

function hasInFlow(g: ThreatGraph, agent: Agent, kinds: ReadonlySet<string>): boolean {
  for (let i = g.csr.inStart[agent.index]!; i < g.csr.inStart[agent.index + 1]!; i++)
    if (kinds.has(g.model.flows[g.csr.inEdges[i]!]!.kind)) return true;
  return false;
}
