import type { TargetView } from "../paths-view.js";
import type { DiagramIndex } from "./model-index.js";

/**
 * Which views a compile draws (docs/adr/0008-diagram-selection.md). A view costs nothing to read when
 * nobody opens it, but thousands of files bury the few that matter and `--render` spends about half a
 * second of Chromium on each. Past these limits the riskiest subjects get views; `diagrams/index.md`
 * lists every view and everything left out, and findings.json, paths.json and checklist.csv stay
 * complete. Models under the limits (every sample) are drawn whole.
 */
export interface DiagramLimits {
  /** Zone views (a zone with its neighbours; the summary of a zone drawn in parts). */
  readonly zones: number;
  /** Part views, over all zones and the components outside any zone together. */
  readonly parts: number;
  /** Agent views. */
  readonly agents: number;
  /** Crown-jewel targets whose top paths get a view each; the reports draw as many. */
  readonly pathTargets: number;
}

/** The limits `compile` uses: at most 1 + 60 + 60 + 40 + 20k views (k paths per target, `-k`). */
export const DIAGRAM_LIMITS: DiagramLimits = { zones: 60, parts: 60, agents: 40, pathTargets: 20 };

/** What a compile did not draw, for `diagrams/index.md`. */
export interface LeftOut {
  /** Zones with no view of their own, riskiest first. */
  readonly zones: readonly number[];
  /** Zones (or the components outside any zone: `zone` undefined) drawn in fewer parts than they need. */
  readonly parts: readonly { zone: number | undefined; drawn: number; of: number }[];
  /** Agents with no view of their own, riskiest first. */
  readonly agents: readonly number[];
  /** Targets with paths whose paths are not drawn, in exposure order. */
  readonly pathTargets: readonly TargetView[];
}

/**
 * Zones riskiest first: the worst open finding in the zone's subtree, then crown jewels in it, then its
 * open findings, then declaration order.
 */
export function rankZones(dx: DiagramIndex): number[] {
  return dx.model.zones
    .map((z) => z.index)
    .sort(
      (a, b) =>
        dx.zoneWorst[b]! - dx.zoneWorst[a]! ||
        dx.zoneCrown[b]! - dx.zoneCrown[a]! ||
        dx.zoneOpen[b]! - dx.zoneOpen[a]! ||
        a - b,
    );
}

/** Agents riskiest first: worst open finding, then open findings, then declaration order. */
export function rankAgents(dx: DiagramIndex): number[] {
  return dx.model.components
    .filter((c) => c.kind === "agent")
    .map((c) => c.index)
    .sort((a, b) => dx.worst[b]! - dx.worst[a]! || dx.openCount[b]! - dx.openCount[a]! || a - b);
}

const reachable = (t: TargetView) => t.exposure.some((e) => e.reachable);
const best = (t: TargetView) => {
  let b = 0;
  for (const e of t.exposure) if (e.reachable && e.bestLikelihood > b) b = e.bestLikelihood;
  return b;
};
const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** Crown-jewel targets most exposed first: reachable, then most likely path, then name and property. */
export function byExposure(a: TargetView, b: TargetView): number {
  return (
    Number(reachable(b)) - Number(reachable(a)) ||
    best(b) - best(a) ||
    cmp(a.crown, b.crown) ||
    cmp(a.property, b.property)
  );
}

/** The first `limit` of `ranked` as a set, and the rest in rank order. */
export function pick<T>(ranked: readonly T[], limit: number): { chosen: Set<T>; rest: T[] } {
  return { chosen: new Set(ranked.slice(0, limit)), rest: ranked.slice(limit) };
}
