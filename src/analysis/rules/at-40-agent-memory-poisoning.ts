import { COMPONENT_KIND_CODE, componentKindMask, componentsOf, outFlows } from "../../graph/threat-graph.js";
import type { ComponentKind } from "../../semantic/vocabulary.js";
import type { Flow } from "../../semantic/model.js";
import { taintChain } from "../explain.js";
import type { Fact } from "../facts.js";
import { componentSubject, defineRule, flowSubject } from "../rule.js";
import { adjust, codeList, propFact, uniqueSubjects, untrustedClass, type Agent } from "./lib/agents.js";

const MEMORY_KINDS: ReadonlySet<ComponentKind> = new Set(["store", "vectorstore", "dataset"]);
const RECALL_FLOWS = new Set(["read", "retrieve"]);
const MAX_READER_FACTS = 4;

/** Attacker content that an agent stores in memory and recalls later, or shares with other agents. */
export default defineRule(
  {
    id: "AT-40",
    title: "Poisoning of persistent or shared agent memory",
    description:
      "An agent that remembers across sessions, or shares its memory with other agents, processes content an attacker wrote. Injected instructions or false facts can be saved as memories and come back in later sessions, for other users or in other agents, long after the original content is gone, so one injection keeps steering the system.",
    category: "threat",
    stride: ["tampering"],
    atlas: ["AML.T0080", "AML.T0080.000"],
    owasp: ["ASI06:2026", "LLM01:2025"],
    nist: ["NISTAML.015"],
    cosai: ["riskPromptInjection"],
    likelihood: "medium",
    likelihoodBasis:
      "ATLAS rates memory poisoning of agents as demonstrated; it needs the injected content to be saved",
    impact: "high",
    impactBasis: "the poisoned memory keeps steering the agent in later sessions",
    mitigations: ["memory_hardening", "retrieval_acl", "input_filter", "spotlighting"],
    detection:
      "A store, index or dataset that agents write to (`write`/`ingest`) and read back (`read`/`retrieve`), where one writing agent also reads it or several agents write it, and attacker content reaches at least one writer. An agent declaring `memory persistent` or `shared` that untrusted content reaches, when no such store is modelled for it.",
    falsePositives:
      "Only curated facts, not model-written text, are saved (e.g. user preferences chosen from a fixed list).",
    references: [
      "https://atlas.mitre.org/techniques/AML.T0080.000",
      "https://genai.owasp.org/resource/owasp-top-10-for-agentic-applications-for-2026/",
    ],
    appliesTo: ["store", "vectorstore", "dataset", "agent"],
  },
  ({ graph, facts, report }) => {
    const agentAt = (i: number): Agent | undefined => {
      const c = graph.model.components[i]!;
      return c.kind === "agent" ? c : undefined;
    };
    // Memory stores: holders agents write to, with their writing and recalling flows.
    const writes = new Map<number, Flow[]>();
    // Typed kind codes pick the agent-to-memory flows before any flow object is read.
    const agentCode = COMPONENT_KIND_CODE.get("agent")!;
    const memory = componentKindMask(MEMORY_KINDS);
    for (const kind of ["write", "ingest"] as const)
      for (const fi of graph.flowsByKind.get(kind) ?? []) {
        const from = graph.csr.edgeFrom[fi]!;
        if (graph.compKind[from] !== agentCode || !memory[graph.compKind[graph.csr.edgeTo[fi]!]!]) continue;
        const f = graph.model.flows[fi]!;
        const list = writes.get(f.to) ?? [];
        list.push(f);
        writes.set(f.to, list);
      }
    const covered = new Set<number>();
    for (const [h, wflows] of [...writes].sort((a, b) => a[0] - b[0])) {
      const store = graph.model.components[h]!;
      const recalls = outFlows(graph, h).filter((f) => RECALL_FLOWS.has(f.kind) && agentAt(f.to));
      if (recalls.length === 0) continue;
      const writers = [...new Set(wflows.map((f) => f.from))];
      const readers = [...new Set(recalls.map((f) => f.to))];
      const loop = writers.some((w) => readers.includes(w));
      if (!loop && writers.length < 2) continue;
      for (const a of [...writers, ...readers]) covered.add(a);
      const tainted = wflows.filter((f) => untrustedClass(facts, f.from) !== undefined);
      if (tainted.length === 0) continue;
      const first = tainted[0]!;
      const writer = graph.model.components[first.from]!;
      const cls = untrustedClass(facts, writer.index)!;
      const shared = new Set([...writers, ...readers]).size >= 2;
      const names = (xs: number[]) => xs.map((i) => graph.model.components[i]!.name);
      const recallFacts: Fact[] = recalls.slice(0, MAX_READER_FACTS).map((f) => ({
        text: `\`${store.name} -> ${graph.model.components[f.to]!.name}\` (${f.kind}) brings what was saved back into \`${graph.model.components[f.to]!.name}\`'s context`,
        loc: f.loc,
      }));
      report({
        subject: componentSubject(store),
        message: shared
          ? `\`${store.name}\` is memory shared by ${codeList(names([...new Set([...writers, ...readers])]))}, and \`${writer.name}\` writes to it with untrusted content in its context: one injection reaches every agent that recalls it`
          : `\`${writer.name}\` saves memories in \`${store.name}\` while untrusted content is in its context and recalls them later: an injection can persist across sessions`,
        facts: [
          ...taintChain(graph, facts, writer.index, cls),
          {
            text: `\`${writer.name} -> ${store.name}\` (${first.kind}) saves what \`${writer.name}\` produces`,
            loc: first.loc,
          },
          ...recallFacts,
        ],
        controlPoints: uniqueSubjects([
          componentSubject(store),
          ...tainted.flatMap((f) => [componentSubject(graph.model.components[f.from]!), flowSubject(f)]),
          ...readers.map((r) => componentSubject(graph.model.components[r]!)),
        ]),
        ...adjust(
          undefined,
          shared ? { level: "very_high", why: ["other agents recall the same memory"] } : undefined,
        ),
      });
    }
    // Agents that declare memory but have no memory store in the model: report on the agent.
    for (const agent of componentsOf(graph, "agent")) {
      const mem = agent.props.memory;
      if ((mem !== "persistent" && mem !== "shared") || covered.has(agent.index)) continue;
      const cls = untrustedClass(facts, agent.index);
      if (!cls) continue;
      report({
        subject: componentSubject(agent),
        message: `\`${agent.name}\` keeps ${mem} memory and untrusted content reaches it: injected instructions can be saved and recalled ${mem === "shared" ? "by other agents" : "in later sessions"}`,
        facts: [
          propFact(agent, "memory", `\`${agent.name}\` has \`memory ${mem}\``),
          ...taintChain(graph, facts, agent.index, cls),
        ],
        controlPoints: [componentSubject(agent)],
        ...adjust(
          undefined,
          mem === "shared" ? { level: "very_high", why: ["other agents share the memory"] } : undefined,
        ),
      });
    }
  },
);
