import type { ResolvedModel } from "../../semantic/model.js";
import { ENTRY_BIT, ENTRY_CLASSES, type Facts } from "../facts.js";
import type { CutReport, PathAnalysis } from "../paths/model.js";
import {
  byString,
  maxOf,
  round4,
  type CutMetrics,
  type ExposureMetrics,
  type TargetExposure,
} from "./model.js";

/**
 * Exposure of the crown jewels, read off the path analysis (which answers it from one index): per
 * target, the entry classes that reach it with the best likelihood, the length of that path and the
 * fewest steps any path takes; per
 * entry class, how many crown jewels it reaches. Linear in targets x entry classes.
 */
export function exposureMetrics(model: ResolvedModel, facts: Facts, paths: PathAnalysis): ExposureMetrics {
  const targets: TargetExposure[] = paths.targets.map((t) => {
    const cells = t.exposure.filter((c) => c.reachable);
    return {
      crown: t.crown,
      crownType: t.crownType,
      property: t.property,
      mode: t.mode,
      exposed: cells.length > 0,
      byEntryClass: cells.map((c) => ({
        entryClass: c.entryClass,
        entries: c.entries,
        bestLikelihood: round4(c.bestLikelihood),
        steps: c.shortestSteps,
        fewestSteps: c.fewestSteps,
      })),
      bestLikelihood: round4(maxOf(cells.map((c) => c.bestLikelihood))),
      steps: cells.length === 0 ? 0 : Math.min(...cells.map((c) => c.shortestSteps)),
      fewestSteps: cells.length === 0 ? 0 : Math.min(...cells.map((c) => c.fewestSteps)),
    };
  });
  const exposed = [...new Set(targets.filter((t) => t.exposed).map((t) => t.crown))].sort(byString);
  const entryCount = new Map(ENTRY_CLASSES.map((c) => [c, 0]));
  for (let v = 0; v < facts.entry.length; v++)
    for (const c of ENTRY_CLASSES)
      if (facts.entry[v]! & ENTRY_BIT[c]) entryCount.set(c, entryCount.get(c)! + 1);
  const byEntryClass = ENTRY_CLASSES.map((cls) => {
    const reached = targets.filter((t) => t.byEntryClass.some((c) => c.entryClass === cls));
    return {
      entryClass: cls,
      entries: entryCount.get(cls)!,
      crownJewels: new Set(reached.map((t) => t.crown)).size,
      targets: reached.length,
    };
  });
  return {
    crownJewels: new Set(model.crownJewels.map((c) => c.name)).size,
    exposedCrownJewels: exposed.length,
    exposed,
    byEntryClass,
    targets,
    maxLikelihood: maxOf(targets.map((t) => t.bestLikelihood)),
  };
}

/** Size and cost of the cheapest cut over every exposed crown jewel. */
export function cutMetrics(model: ResolvedModel, cut: CutReport): CutMetrics {
  const on = (x: { type: "component" | "flow"; index: number }) =>
    x.type === "component" ? model.components[x.index]!.name : model.flows[x.index]!.id;
  return {
    size: cut.controls.length,
    cost: cut.total,
    feasible: cut.feasible,
    quality: cut.quality,
    // The solver orders them by place (declaration order), which is deterministic and reads well.
    controls: cut.controls.map((c) => ({ control: c.control, on: on(c.on), cost: c.cost })),
    uncuttable: cut.uncuttable.length,
  };
}
