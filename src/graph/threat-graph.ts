import type { Component, Flow, ResolvedModel } from "../semantic/model.js";
import {
  COMPONENT_KIND_NAMES,
  FLOW_KIND_NAMES,
  type ComponentKind,
  type FlowKind,
} from "../semantic/vocabulary.js";
import { buildCompactGraph, type CompactGraph } from "./compact.js";

/**
 * The resolved model as a graph: the CSR adjacency of flows, plus indexes by component kind and
 * flow kind so rules look only at the elements they are about (never every rule x every element).
 */
export interface ThreatGraph {
  readonly model: ResolvedModel;
  readonly csr: CompactGraph;
  /** Component indices per kind, in declaration order. */
  readonly byKind: ReadonlyMap<ComponentKind, readonly number[]>;
  /** Flow indices per flow kind, in declaration order. */
  readonly flowsByKind: ReadonlyMap<FlowKind, readonly number[]>;
  /** Component index by name. */
  readonly componentByName: ReadonlyMap<string, number>;
}

/** Builds the graph and its indexes in O(components + flows). */
export function buildThreatGraph(model: ResolvedModel): ThreatGraph {
  const byKind = new Map<ComponentKind, number[]>(COMPONENT_KIND_NAMES.map((k) => [k, []]));
  const componentByName = new Map<string, number>();
  for (const c of model.components) {
    byKind.get(c.kind)!.push(c.index);
    componentByName.set(c.name, c.index);
  }
  const flowsByKind = new Map<FlowKind, number[]>(FLOW_KIND_NAMES.map((k) => [k, []]));
  const from = new Int32Array(model.flows.length);
  const to = new Int32Array(model.flows.length);
  for (const f of model.flows) {
    flowsByKind.get(f.kind)!.push(f.index);
    from[f.index] = f.from;
    to[f.index] = f.to;
  }
  return {
    model,
    csr: buildCompactGraph(model.components.length, from, to),
    byKind,
    flowsByKind,
    componentByName,
  };
}

/** Out-flows of a component. */
export function outFlows(g: ThreatGraph, c: number): Flow[] {
  const out: Flow[] = [];
  for (let i = g.csr.outStart[c]!; i < g.csr.outStart[c + 1]!; i++)
    out.push(g.model.flows[g.csr.outEdges[i]!]!);
  return out;
}

/** In-flows of a component. */
export function inFlows(g: ThreatGraph, c: number): Flow[] {
  const out: Flow[] = [];
  for (let i = g.csr.inStart[c]!; i < g.csr.inStart[c + 1]!; i++) out.push(g.model.flows[g.csr.inEdges[i]!]!);
  return out;
}

/** Components of one kind. */
export function componentsOf<K extends ComponentKind>(
  g: ThreatGraph,
  kind: K,
): Extract<Component, { kind: K }>[] {
  return (g.byKind.get(kind) ?? []).map((i) => g.model.components[i] as Extract<Component, { kind: K }>);
}

/** Flows of one kind. */
export function flowsOf(g: ThreatGraph, kind: FlowKind): Flow[] {
  return (g.flowsByKind.get(kind) ?? []).map((i) => g.model.flows[i]!);
}
