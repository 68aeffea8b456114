import { scratchI32, scratchU8 } from "../../graph/arena.js";
import { componentsOf, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import { sourceOf, type FindingList } from "../finding-records.js";
import { seesAtLeast } from "../predicates.js";
import { ACTIONS, capsIn, hasWayOut, toolsOf, toolsWith } from "../rules/lib/agents.js";
import {
  byString,
  maxOf,
  type AgentAction,
  type BlastRadiusEntry,
  type BlastRadiusMetrics,
  type TrifectaEntry,
  type TrifectaMetrics,
} from "./model.js";

/**
 * The lethal trifecta per agent, with the same three predicates as rule AT-37 (untrusted content of
 * a run-time class reaches it, it sees data classified confidential or above, and it has a way out:
 * an information path to somewhere the attacker observes, or a tool it runs code on outside a
 * sandbox, `hasWayOut`). A violation is structural (the rule of two: at
 * most two legs in one agent); `open` counts those whose AT-37 finding no control or acceptance covers.
 */
export function trifectaMetrics(g: ThreatGraph, facts: Facts, findings: FindingList): TrifectaMetrics {
  const status = new Map<number, string>();
  const src = sourceOf(findings);
  for (let i = 0; i < src.length; i++)
    if (src.rule(i) === "AT-37" && src.subjectType(i) === "component")
      status.set(src.subjectIndex(i), src.status(i));
  const agents: TrifectaEntry[] = componentsOf(g, "agent").map((a) => {
    const untrustedInput = (facts.taint[a.index]! & UNTRUSTED_CONTENT) !== 0;
    const privateData = seesAtLeast(facts, a, "confidential");
    const outboundChannel = hasWayOut(g, facts, a);
    const legs = Number(untrustedInput) + Number(privateData) + Number(outboundChannel);
    const findingStatus = status.get(a.index);
    return {
      agent: a.name,
      untrustedInput,
      privateData,
      outboundChannel,
      legs,
      violation: legs === 3,
      ...(findingStatus ? { findingStatus } : {}),
    };
  });
  const violating = agents.filter((a) => a.violation);
  return {
    violations: violating.length,
    open: violating.filter((a) => a.findingStatus === "open").length,
    agents,
  };
}

// Flow kinds by which a component reads or changes what a data holder next to it keeps.
const DATA_FLOWS = new Set(["read", "write", "retrieve", "ingest", "copy", "log", "send", "feedback"]);
const HOLDERS = new Set(["store", "dataset", "vectorstore", "source", "registry"]);

/**
 * How many sensitive assets and how many actions are listed per agent before the list stops (it is
 * then flagged as a lower bound). Exact transitive unions over delegation chains have no linear-time
 * algorithm (a chain of k agents already lists k^2 items); a capped list is exact below the cap and
 * costs O(cap x delegate flows).
 */
export const BLAST_RADIUS_CAP = 64;

/**
 * Blast radius per agent: the sensitive data assets (classified confidential or above, or crown
 * jewels) that the agent, its tools and the agents it delegates to (transitively) hold, move along
 * their flows, or reach in a data holder they read or write; the state-changing and outbound actions
 * their tools offer (as rule AT-36 counts them); and the agent's own high-impact tools that no person
 * approves. Each agent starts from what it and its own tools reach (tool reach comes from the agent
 * rules' cached BFS), then what its delegates reach is pushed up the `delegate` flows once per item,
 * each list stopping at BLAST_RADIUS_CAP: linear in the graph for a fixed cap.
 */
export function blastRadiusMetrics(g: ThreatGraph): BlastRadiusMetrics {
  const { model } = g;
  const CAP = BLAST_RADIUS_CAP;
  // Which data assets are sensitive, decided once per asset rather than once per flow that carries it.
  const isSensitive = scratchU8(model.data.length);
  const confidential = classificationRank("confidential");
  for (const data of model.data) {
    const cls = data.classification;
    if (data.crown.length > 0 || (cls !== undefined && classificationRank(cls) >= confidential))
      isSensitive[data.index] = 1;
  }
  const sensitive = (d: number): boolean => isSensitive[d] === 1;
  // Each component's nearby sensitive assets are found once, however many agents reach it.
  const near = new Map<number, readonly number[]>();
  const nearOf = (c: Component): readonly number[] => {
    let hit = near.get(c.index);
    if (hit) return hit;
    const found = new Set<number>();
    for (const d of c.holds) if (sensitive(d)) found.add(d);
    const visit = (start: Int32Array, edges: Int32Array, outgoing: boolean): void => {
      for (let i = start[c.index]!; i < start[c.index + 1]!; i++) {
        const f = model.flows[edges[i]!]!;
        for (const d of f.carries) if (sensitive(d)) found.add(d);
        const other = model.components[outgoing ? f.to : f.from]!;
        if (DATA_FLOWS.has(f.kind) && HOLDERS.has(other.kind))
          for (const d of other.holds) if (sensitive(d)) found.add(d);
      }
    };
    visit(g.csr.outStart, g.csr.outEdges, true);
    visit(g.csr.inStart, g.csr.inEdges, false);
    near.set(c.index, (hit = [...found]));
    return hit;
  };

  const agents = componentsOf(g, "agent");
  const slot = scratchI32(model.components.length).fill(-1);
  agents.forEach((a, i) => (slot[a.index] = i));
  // Who delegates to each agent (another agent with a `delegate` flow into it), found once.
  const delegators: number[][] = agents.map(() => []);
  for (const f of model.flows) {
    if (f.kind !== "delegate" || f.from === f.to) continue;
    const from = slot[f.from]!;
    const to = slot[f.to]!;
    if (from >= 0 && to >= 0) delegators[to]!.push(from);
  }

  // Actions live in one pool; an agent's list holds pool ids by tool. An own action pushed up the
  // delegations becomes one pooled copy naming its holder, shared by every agent above.
  const pool: (AgentAction & { index: number })[] = [];
  const delegatedCopy = new Map<number, number>();
  const assets = agents.map(() => new Set<number>());
  const actions = agents.map(() => new Map<number, number>());
  // What arrived at an agent that someone delegates to, still to be pushed up: an asset index, or
  // -(pool id + 1) for an action.
  const queueAt: number[] = [];
  const queueItem: number[] = [];
  const addAsset = (i: number, d: number): void => {
    const set = assets[i]!;
    if (set.size >= CAP || set.has(d)) return;
    set.add(d);
    if (delegators[i]!.length === 0) return;
    queueAt.push(i);
    queueItem.push(d);
  };
  const addAction = (i: number, id: number): void => {
    const map = actions[i]!;
    const tool = pool[id]!.index;
    if (map.size >= CAP || map.has(tool)) return;
    map.set(tool, id);
    if (delegators[i]!.length === 0) return;
    queueAt.push(i);
    queueItem.push(-(id + 1));
  };

  const ungatedEverywhere = new Set<string>();
  const ungatedOwn: string[][] = [];
  agents.forEach((agent, i) => {
    for (const d of nearOf(agent)) addAsset(i, d);
    for (const r of toolsOf(g, agent)) for (const d of nearOf(r.tool)) addAsset(i, d);
    const own = toolsWith(g, agent, ACTIONS);
    for (const r of own) {
      pool.push({
        index: r.tool.index,
        tool: r.tool.name,
        capabilities: capsIn(r.tool, ACTIONS),
        gated: r.gated,
      });
      addAction(i, pool.length - 1);
    }
    const ungated = own.filter((r) => !r.gated).map((r) => r.tool.name);
    for (const t of ungated) ungatedEverywhere.add(t);
    ungatedOwn.push(ungated.sort(byString));
  });

  for (let head = 0; head < queueAt.length; head++) {
    const at = queueAt[head]!;
    const item = queueItem[head]!;
    let action = -1;
    if (item < 0) {
      // The action keeps the agent that holds the tool: the delegate it was first found at.
      action = -item - 1;
      if (pool[action]!.via === undefined) {
        let copy = delegatedCopy.get(action);
        if (copy === undefined) {
          pool.push({ ...pool[action]!, via: agents[at]!.name });
          delegatedCopy.set(action, (copy = pool.length - 1));
        }
        action = copy;
      }
    }
    for (const up of delegators[at]!) {
      if (item >= 0) addAsset(up, item);
      else addAction(up, action);
    }
  }

  const out: BlastRadiusEntry[] = agents.map((agent, i) => {
    const list = [...actions[i]!.values()]
      .map((id) => {
        const { tool, capabilities, gated, via } = pool[id]!;
        return { tool, capabilities, gated, ...(via ? { via } : {}) };
      })
      .sort((a, b) => byString(a.tool, b.tool));
    return {
      agent: agent.name,
      sensitiveAssets: [...assets[i]!].map((d) => model.data[d]!.name).sort(byString),
      sensitiveAssetsAtLeast: assets[i]!.size >= CAP,
      actions: list,
      actionCount: list.reduce((s, a) => s + a.capabilities.length, 0),
      actionsAtLeast: actions[i]!.size >= CAP,
      ungatedHighImpactTools: ungatedOwn[i]!,
    };
  });
  return {
    ungatedHighImpactTools: ungatedEverywhere.size,
    maxSensitiveAssets: maxOf(out.map((a) => a.sensitiveAssets.length)),
    maxActions: maxOf(out.map((a) => a.actionCount)),
    agents: out,
  };
}
