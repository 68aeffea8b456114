import { scratchI32 } from "../graph/arena.js";
import type { ThreatGraph } from "../graph/threat-graph.js";
import type { Component, Flow } from "../semantic/model.js";
import { classificationRank, trustRank, type Capability } from "../semantic/vocabulary.js";
import type { Facts } from "./facts.js";

/**
 * Small questions rules ask of components, in one place so that "is this an LLM", "is this
 * private data" and "what can this agent call" mean the same thing in every rule.
 */

/** Capabilities of a tool or MCP server (empty for other kinds). */
export function capabilities(c: Component): readonly Capability[] {
  return c.kind === "tool" || c.kind === "mcp_server" ? (c.props.capabilities ?? []) : [];
}

/** Capabilities that change state or spend money. */
export const STATE_CHANGING: readonly Capability[] = [
  "write",
  "delete",
  "pay",
  "execute_code",
  "admin",
  "file_system",
];

/** The component kinds `isLlmConsumer` can hold for: passes over the others need not read them. */
export const LLM_CONSUMER_KINDS = ["agent", "model", "provider", "endpoint"] as const;

/** Whether a component holds a generative model's context: agents, generative models, LLM APIs. */
export function isLlmConsumer(g: ThreatGraph, c: Component): boolean {
  if (c.kind === "agent") return true;
  if (c.kind === "model") return c.props.family === "generative";
  if (c.kind === "provider") return c.props.type === "llm_api";
  if (c.kind === "endpoint") {
    // Asked of every endpoint by many rules: a scan of its in-flows that allocates nothing.
    const { inStart, inEdges } = g.csr;
    for (let i = inStart[c.index]!; i < inStart[c.index + 1]!; i++) {
      const m = servedFrom(g, inEdges[i]!);
      if (m && m.kind === "model" && m.props.family === "generative") return true;
    }
  }
  return false;
}

const NO_COMPONENTS: readonly Component[] = Object.freeze([]);

/** The model or provider a flow serves from, when it is a `serve` / `deploy` flow from one. */
function servedFrom(g: ThreatGraph, flow: number): Component | undefined {
  const f = g.model.flows[flow]!;
  if (f.kind !== "serve" && f.kind !== "deploy") return undefined;
  const m = g.model.components[f.from]!;
  return m.kind === "model" || m.kind === "provider" ? m : undefined;
}

/** Models (or providers) serving a component through `serve` / `deploy` flows into it. */
export function servedModels(g: ThreatGraph, c: Component): readonly Component[] {
  const { inStart, inEdges } = g.csr;
  let out: Component[] | undefined;
  for (let i = inStart[c.index]!; i < inStart[c.index + 1]!; i++) {
    const m = servedFrom(g, inEdges[i]!);
    if (m) (out ??= []).push(m);
  }
  // Most components are served by nothing: they share one empty list.
  return out ?? NO_COMPONENTS;
}

/** Tools, MCP servers, providers and endpoints an agent or app calls with `invoke`. */
export function invokedBy(g: ThreatGraph, c: Component): { callee: Component; flow: Flow }[] {
  // Asked per finding by several rules: one pass over the out-edges, no intermediate lists.
  const { outStart, outEdges } = g.csr;
  const out: { callee: Component; flow: Flow }[] = [];
  for (let i = outStart[c.index]!; i < outStart[c.index + 1]!; i++) {
    const flow = g.model.flows[outEdges[i]!]!;
    if (flow.kind === "invoke") out.push({ callee: g.model.components[flow.to]!, flow });
  }
  return out;
}

const stateCalls = new WeakMap<ThreatGraph, Int32Array>();
const UNKNOWN = -2;

/**
 * The first `invoke` flow from `c` to a callee with a state-changing capability, or undefined: what
 * `invokedBy(g, c).find(({ callee }) => capabilities(callee).some((x) => STATE_CHANGING.includes(x)))`
 * finds. Several rules ask it per finding of the same components, so it is kept per graph (one
 * number per component, filled as asked).
 */
export function stateChangingCall(g: ThreatGraph, c: Component): Flow | undefined {
  let memo = stateCalls.get(g);
  if (!memo) stateCalls.set(g, (memo = scratchI32(g.model.components.length).fill(UNKNOWN)));
  let fi = memo[c.index]!;
  if (fi === UNKNOWN) {
    fi = -1;
    const { outStart, outEdges } = g.csr;
    for (let i = outStart[c.index]!; i < outStart[c.index + 1]!; i++) {
      const flow = g.model.flows[outEdges[i]!]!;
      if (flow.kind !== "invoke") continue;
      if (capabilities(g.model.components[flow.to]!).some((x) => STATE_CHANGING.includes(x))) {
        fi = flow.index;
        break;
      }
    }
    memo[c.index] = fi;
  }
  return fi >= 0 ? g.model.flows[fi] : undefined;
}

/** Whether attacker-controlled content of any of `mask`'s classes reaches the component. */
export function reachedBy(facts: Facts, c: Component, mask: number): boolean {
  return (facts.taint[c.index]! & mask) !== 0;
}

/** Whether the component sees data of at least this classification. */
export function seesAtLeast(
  facts: Facts,
  c: Component,
  classification: Parameters<typeof classificationRank>[0],
): boolean {
  return facts.sensitivity[c.index]! >= classificationRank(classification);
}

/** Whether the component's own trust is attacker-level (untrusted or public). */
export function attackerTrust(c: Component): boolean {
  return trustRank(c.trust) <= trustRank("public");
}

/** Whether a flow crosses from a less trusted component into a more trusted one. */
export function crossesInward(g: ThreatGraph, f: Flow): boolean {
  return trustRank(g.model.components[f.from]!.trust) < trustRank(g.model.components[f.to]!.trust);
}

/** Whether a flow crosses a trust boundary in either direction (different zones or trust levels). */
export function crossesBoundary(g: ThreatGraph, f: Flow): boolean {
  const a = g.model.components[f.from]!;
  const b = g.model.components[f.to]!;
  return a.trust !== b.trust || a.zone !== b.zone;
}

/** The declared control names of a component or flow. */
export function hasControl(x: { controls: readonly { name: string }[] }, name: string): boolean {
  // A plain loop: this is asked for every step of every reach, and most lists are empty.
  const uses = x.controls;
  for (let i = 0; i < uses.length; i++) if (uses[i]!.name === name) return true;
  return false;
}
