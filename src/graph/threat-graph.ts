import type { Component, Flow, ResolvedModel } from "../semantic/model.js";
import {
  CLASSIFICATIONS,
  COMPONENT_KIND_NAMES,
  FLOW_KIND_NAMES,
  TRUST_LEVELS,
  type ComponentKind,
  type FlowKind,
} from "../semantic/vocabulary.js";
import { scratchI32, scratchI8, scratchU8 } from "./arena.js";
import { buildCompactGraph, type CompactGraph } from "./compact.js";

/** Kind code of each component kind: its index in COMPONENT_KIND_NAMES. */
export const COMPONENT_KIND_CODE: ReadonlyMap<ComponentKind, number> = new Map(
  COMPONENT_KIND_NAMES.map((k, i) => [k, i]),
);
/** Kind code of each flow kind: its index in FLOW_KIND_NAMES. */
export const FLOW_KIND_CODE: ReadonlyMap<FlowKind, number> = new Map(FLOW_KIND_NAMES.map((k, i) => [k, i]));
/** Trust code of each trust level (`ThreatGraph.trust`): its index in TRUST_LEVELS. */
export const TRUST_CODE: ReadonlyMap<string, number> = new Map(TRUST_LEVELS.map((t, i) => [t, i]));

/** A lookup table over component kind codes: 1 for the kinds given. */
export function componentKindMask(kinds: Iterable<ComponentKind>): Uint8Array {
  const m = new Uint8Array(COMPONENT_KIND_NAMES.length);
  for (const k of kinds) m[COMPONENT_KIND_CODE.get(k)!] = 1;
  return m;
}

/** A lookup table over flow kind codes: 1 for the kinds given. */
export function flowKindMask(kinds: Iterable<FlowKind>): Uint8Array {
  const m = new Uint8Array(FLOW_KIND_NAMES.length);
  for (const k of kinds) m[FLOW_KIND_CODE.get(k)!] = 1;
  return m;
}

/** The flows and the components that declare (or imply) one control. */
export interface ControlUsers {
  readonly flows: Int32Array;
  readonly comps: Int32Array;
}

/**
 * The resolved model as a graph: the CSR adjacency of flows, plus indexes by component kind and
 * flow kind so rules look only at the elements they are about (never every rule x every element).
 *
 * The typed arrays below copy what traversals ask per element out of the model's objects once:
 * components have a dozen shapes (one per kind, optional fields), so reading `c.kind` or `f.carries`
 * edge by edge costs more than the traversal itself on a large heap, while a typed array read is a
 * load. Everything is built in one pass over components and flows.
 */
export interface ThreatGraph {
  readonly model: ResolvedModel;
  readonly csr: CompactGraph;
  /** Component indices per kind, in declaration order. */
  readonly byKind: ReadonlyMap<ComponentKind, readonly number[]>;
  /** Flow indices per flow kind, in declaration order. */
  readonly flowsByKind: ReadonlyMap<FlowKind, readonly number[]>;
  /** Kind code (COMPONENT_KIND_CODE) per component. */
  readonly compKind: Uint8Array;
  /** Kind code (FLOW_KIND_CODE) per flow. */
  readonly flowKind: Uint8Array;
  /** Trust rank (index in TRUST_LEVELS) per component. */
  readonly trust: Uint8Array;
  /** Zone index per component (-1: none). */
  readonly zone: Int32Array;
  /** 1 when the component says `stateless true`. */
  readonly stateless: Uint8Array;
  /** Number of controls declared (or implied) on each component and each flow. */
  readonly compControls: Uint8Array;
  readonly flowControls: Uint8Array;
  /** Users of each control name. */
  readonly controlUsers: ReadonlyMap<string, ControlUsers>;
  /** Highest classification rank among the data a component holds (-1 none) and the first asset that has it. */
  readonly heldRank: Int8Array;
  readonly heldData: Int32Array;
  /** Highest classification rank among the data a flow declares in `carries` (-1 none) and the first asset that has it. */
  readonly carriedRank: Int8Array;
  readonly carriedData: Int32Array;
  /** 1 when the flow declares `carries` at all (then it moves only those assets). */
  readonly declaresCarries: Uint8Array;
  /**
   * The same questions with `secret` data set apart, since secrets move only along flows that name
   * them in `carries`: the highest rank below `secret` held or carried (-1 none) with its first asset,
   * and the first `secret` asset held or carried (-1 none).
   */
  readonly heldBelowRank: Int8Array;
  readonly heldBelowData: Int32Array;
  readonly heldSecret: Int32Array;
  readonly carriedBelowRank: Int8Array;
  readonly carriedBelowData: Int32Array;
  readonly carriedSecret: Int32Array;
  /**
   * Per component, what the path analysis's step labels ask of its props (`COMP_PROP`): read here,
   * where each object is read anyway, so that its receiver codes read no object.
   */
  readonly compProps: Uint8Array;
}

/** Bits of `ThreatGraph.compProps`. */
export const COMP_PROP = {
  /** A model of `family generative`. */
  GENERATIVE: 1,
  /** A provider of `type llm_api`. */
  LLM_API: 2,
  /** A dataset of `purpose rag`. */
  RAG: 4,
  /** A pipeline of `type indexing`. */
  INDEXING: 8,
  /** A pipeline of `type training`, `fine_tuning` or `labeling`. */
  TRAINING: 16,
} as const;

/** The pipeline types whose input becomes training data (`COMP_PROP.TRAINING`). */
export const TRAINING_PIPELINE_TYPES: ReadonlySet<unknown> = new Set(["training", "fine_tuning", "labeling"]);

/** `ThreatGraph.compProps` of one component. */
function compPropsOf(c: Component): number {
  switch (c.kind) {
    case "model":
      return c.props.family === "generative" ? COMP_PROP.GENERATIVE : 0;
    case "provider":
      return c.props.type === "llm_api" ? COMP_PROP.LLM_API : 0;
    case "dataset":
      return c.props.purpose === "rag" ? COMP_PROP.RAG : 0;
    case "pipeline":
      return c.props.type === "indexing"
        ? COMP_PROP.INDEXING
        : TRAINING_PIPELINE_TYPES.has(c.props.type)
          ? COMP_PROP.TRAINING
          : 0;
    default:
      return 0;
  }
}

/** Rank of `secret`, the top classification, which travels only where a flow declares it. */
export const SECRET_RANK: number = CLASSIFICATIONS.indexOf("secret");

const count = (n: number): number => (n > 255 ? 255 : n);

/** Builds the graph and its indexes in O(components + flows). */
export function buildThreatGraph(model: ResolvedModel): ThreatGraph {
  const n = model.components.length;
  const m = model.flows.length;
  const byKind = new Map<ComponentKind, number[]>(COMPONENT_KIND_NAMES.map((k) => [k, []]));
  const compKind = scratchU8(n);
  const trust = scratchU8(n);
  const zone = scratchI32(n);
  const stateless = scratchU8(n);
  const compProps = scratchU8(n);
  const compControls = scratchU8(n);
  const heldRank = scratchI8(n).fill(-1);
  const heldData = scratchI32(n).fill(-1);
  const heldBelowRank = scratchI8(n).fill(-1);
  const heldBelowData = scratchI32(n).fill(-1);
  const heldSecret = scratchI32(n).fill(-1);
  const users = new Map<string, { flows: number[]; comps: number[] }>();
  const usersOf = (name: string) => {
    let u = users.get(name);
    if (!u) users.set(name, (u = { flows: [], comps: [] }));
    return u;
  };
  const classCode = new Map<string, number>(CLASSIFICATIONS.map((c, i) => [c, i]));
  const dataRank = new Int8Array(model.data.length).fill(-1);
  for (const d of model.data)
    if (d.classification !== undefined) dataRank[d.index] = classCode.get(d.classification)!;

  for (const c of model.components) {
    const i = c.index;
    byKind.get(c.kind)!.push(i);
    compKind[i] = COMPONENT_KIND_CODE.get(c.kind)!;
    trust[i] = TRUST_CODE.get(c.trust)!;
    zone[i] = c.zone ?? -1;
    if (c.stateless === true) stateless[i] = 1;
    compControls[i] = count(c.controls.length);
    for (const u of c.controls) usersOf(u.name).comps.push(i);
    compProps[i] = compPropsOf(c);
    for (const d of c.holds) {
      const r = dataRank[d]!;
      if (r > heldRank[i]!) {
        heldRank[i] = r;
        heldData[i] = d;
      }
      if (r === SECRET_RANK) {
        if (heldSecret[i]! < 0) heldSecret[i] = d;
      } else if (r > heldBelowRank[i]!) {
        heldBelowRank[i] = r;
        heldBelowData[i] = d;
      }
    }
  }
  const flowsByKind = new Map<FlowKind, number[]>(FLOW_KIND_NAMES.map((k) => [k, []]));
  const from = scratchI32(m);
  const to = scratchI32(m);
  const flowKind = scratchU8(m);
  const flowControls = scratchU8(m);
  const carriedRank = scratchI8(m).fill(-1);
  const carriedData = scratchI32(m).fill(-1);
  const declaresCarries = scratchU8(m);
  const carriedBelowRank = scratchI8(m).fill(-1);
  const carriedBelowData = scratchI32(m).fill(-1);
  const carriedSecret = scratchI32(m).fill(-1);
  for (const f of model.flows) {
    const i = f.index;
    flowsByKind.get(f.kind)!.push(i);
    from[i] = f.from;
    to[i] = f.to;
    flowKind[i] = FLOW_KIND_CODE.get(f.kind)!;
    flowControls[i] = count(f.controls.length);
    for (const u of f.controls) usersOf(u.name).flows.push(i);
    if (f.carries.length > 0) {
      declaresCarries[i] = 1;
      for (const d of f.carries) {
        const r = dataRank[d]!;
        if (r > carriedRank[i]!) {
          carriedRank[i] = r;
          carriedData[i] = d;
        }
        if (r === SECRET_RANK) {
          if (carriedSecret[i]! < 0) carriedSecret[i] = d;
        } else if (r > carriedBelowRank[i]!) {
          carriedBelowRank[i] = r;
          carriedBelowData[i] = d;
        }
      }
    }
  }
  const controlUsers = new Map<string, ControlUsers>();
  for (const [name, u] of users)
    controlUsers.set(name, { flows: Int32Array.from(u.flows), comps: Int32Array.from(u.comps) });
  return {
    model,
    csr: buildCompactGraph(n, from, to),
    byKind,
    flowsByKind,
    compKind,
    flowKind,
    trust,
    zone,
    stateless,
    compControls,
    flowControls,
    controlUsers,
    heldRank,
    heldData,
    carriedRank,
    carriedData,
    declaresCarries,
    heldBelowRank,
    heldBelowData,
    heldSecret,
    carriedBelowRank,
    carriedBelowData,
    carriedSecret,
    compProps,
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
