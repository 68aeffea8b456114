import { componentsOf, type ThreatGraph } from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import { UNTRUSTED_CONTENT, type Facts } from "../facts.js";
import type { Finding } from "../findings.js";
import { seesAtLeast } from "../predicates.js";
import { ACTIONS, capsIn, toolsOf, toolsWith, type Agent } from "../rules/lib/agents.js";
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
 * a run-time class reaches it, it sees data classified confidential or above, and an information path
 * leads from it to somewhere the attacker observes). A violation is structural (the rule of two: at
 * most two legs in one agent); `open` counts those whose AT-37 finding no control or acceptance covers.
 */
export function trifectaMetrics(g: ThreatGraph, facts: Facts, findings: readonly Finding[]): TrifectaMetrics {
  const status = new Map<number, string>();
  for (const f of findings)
    if (f.rule === "AT-37" && f.subject.type === "component") status.set(f.subject.index, f.status);
  const agents: TrifectaEntry[] = componentsOf(g, "agent").map((a) => {
    const untrustedInput = (facts.taint[a.index]! & UNTRUSTED_CONTENT) !== 0;
    const privateData = seesAtLeast(facts, a, "confidential");
    const outboundChannel = facts.canExfiltrate[a.index] === 1;
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

/** Agents reached from `agent` over `delegate` flows, transitively (the agent itself excluded), nearest first. */
function delegates(g: ThreatGraph, agent: Agent): Agent[] {
  const out: Agent[] = [];
  const seen = new Set([agent.index]);
  const queue = [agent.index];
  for (let head = 0; head < queue.length; head++) {
    const v = queue[head]!;
    for (let i = g.csr.outStart[v]!; i < g.csr.outStart[v + 1]!; i++) {
      const f = g.model.flows[g.csr.outEdges[i]!]!;
      const w = g.model.components[f.to]!;
      if (f.kind !== "delegate" || w.kind !== "agent" || seen.has(w.index)) continue;
      seen.add(w.index);
      queue.push(w.index);
      out.push(w);
    }
  }
  return out;
}

/**
 * Blast radius per agent: the sensitive data assets (classified confidential or above, or crown
 * jewels) that the agent, its tools and the agents it delegates to hold, move along their flows, or
 * reach in a data holder they read or write; the state-changing and outbound actions their tools offer
 * (as rule AT-36 counts them); and the agent's own high-impact tools that no person approves. Tool
 * reach comes from the agent rules' cached BFS, so this adds work linear in what it reports.
 */
export function blastRadiusMetrics(g: ThreatGraph): BlastRadiusMetrics {
  const { model } = g;
  const sensitive = (d: number): boolean => {
    const data = model.data[d];
    if (!data) return false;
    const cls = data.classification;
    return (
      data.crown.length > 0 ||
      (cls !== undefined && classificationRank(cls) >= classificationRank("confidential"))
    );
  };
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
  const assetsNear = (c: Component, into: Set<number>): void => {
    for (const d of nearOf(c)) into.add(d);
  };

  const ungatedEverywhere = new Set<string>();
  const agents: BlastRadiusEntry[] = componentsOf(g, "agent").map((agent) => {
    const assets = new Set<number>();
    const actions: AgentAction[] = [];
    const seenTools = new Set<number>();
    for (const holder of [agent, ...delegates(g, agent)]) {
      const via = holder === agent ? {} : { via: holder.name };
      assetsNear(holder, assets);
      for (const r of toolsOf(g, holder)) assetsNear(r.tool, assets);
      for (const r of toolsWith(g, holder, ACTIONS)) {
        if (seenTools.has(r.tool.index)) continue;
        seenTools.add(r.tool.index);
        actions.push({ tool: r.tool.name, capabilities: capsIn(r.tool, ACTIONS), gated: r.gated, ...via });
      }
    }
    const ungated = actions.filter((a) => !a.gated && a.via === undefined).map((a) => a.tool);
    for (const t of ungated) ungatedEverywhere.add(t);
    actions.sort((a, b) => byString(a.tool, b.tool));
    return {
      agent: agent.name,
      sensitiveAssets: [...assets].map((d) => model.data[d]!.name).sort(byString),
      actions,
      actionCount: actions.reduce((s, a) => s + a.capabilities.length, 0),
      ungatedHighImpactTools: ungated.sort(byString),
    };
  });
  return {
    ungatedHighImpactTools: ungatedEverywhere.size,
    maxSensitiveAssets: maxOf(agents.map((a) => a.sensitiveAssets.length)),
    maxActions: maxOf(agents.map((a) => a.actionCount)),
    agents,
  };
}
