import { BUILTIN_CONTROL_BY_ID } from "../../catalog/controls.js";
import { ATLAS, ATLAS_TECHNIQUES, ATLAS_VERSION } from "../../catalog/frameworks.js";
import type { ResolvedModel } from "../../semantic/model.js";
import { sourceOf, type FindingList } from "../finding-records.js";
import type { Rule } from "../rule.js";
import { byString, percent, type AtlasMetrics, type TechniqueCoverage } from "./model.js";

/** ATLAS mitigations of a technique; a sub-technique that lists none inherits its parent's. */
export function atlasMitigationsOf(id: string): readonly string[] {
  const t = ATLAS_TECHNIQUES.get(id);
  if (!t) return [];
  if (t.mitigations.length > 0 || !t.parent) return t.mitigations;
  return ATLAS_TECHNIQUES.get(t.parent)?.mitigations ?? [];
}

/**
 * MITRE ATLAS technique coverage by tactic. Examined: techniques the rules that ran cite (what the
 * analysis looks for). Applicable: those cited by a rule that raised a threat finding. Addressed: an
 * applicable technique for which some control declared anywhere in the model implements one of the
 * ATLAS mitigations that data/atlas.json lists for it, or a declared control mitigated a finding of a
 * rule that cites it. Coverage is addressed / applicable: a technique ATLAS lists no mitigation for
 * stays in the denominator (counting it out made a model look fully covered while such threats stood
 * open); `withoutMitigation` says how many of those there are.
 */
export function atlasMetrics(
  model: ResolvedModel,
  rules: readonly Rule[],
  findings: FindingList,
): AtlasMetrics {
  /** Adds `control` to the set kept under `key`. */
  const add = (map: Map<string, Set<string>>, key: string, control: string): void => {
    const set = map.get(key);
    if (set) set.add(control);
    else map.set(key, new Set([control]));
  };
  // Which declared controls implement each ATLAS mitigation.
  const userControls = new Map(model.controls.map((c) => [c.name, c]));
  const byMitigation = new Map<string, Set<string>>();
  const declare = (name: string): void => {
    const ids = BUILTIN_CONTROL_BY_ID.get(name)?.atlas ?? userControls.get(name)?.atlas ?? [];
    for (const m of ids) add(byMitigation, m, name);
  };
  const declared = new Set<string>();
  for (const c of model.components) for (const u of c.controls) declared.add(u.name);
  for (const f of model.flows) for (const u of f.controls) declared.add(u.name);
  for (const name of declared) declare(name);

  const fired = new Set<string>();
  // Controls that mitigated a finding, by the rule it came from.
  const mitigatedBy = new Map<string, Set<string>>();
  const src = sourceOf(findings);
  for (let i = 0; i < src.length; i++) {
    if (src.category(i) !== "threat") continue;
    const rule = src.rule(i);
    fired.add(rule);
    if (src.status(i) === "mitigated") for (const u of src.mitigatedBy(i)) add(mitigatedBy, rule, u.name);
  }
  const byTechnique = new Map<string, Set<string>>();
  const examined = new Set<string>();
  const applicable = new Set<string>();
  for (const r of rules)
    for (const id of r.meta.atlas) {
      if (!ATLAS_TECHNIQUES.has(id)) continue;
      examined.add(id);
      if (fired.has(r.meta.id)) applicable.add(id);
      for (const c of mitigatedBy.get(r.meta.id) ?? []) add(byTechnique, id, c);
    }

  const techniques: TechniqueCoverage[] = [...examined].sort(byString).map((id) => {
    const t = ATLAS_TECHNIQUES.get(id)!;
    const mitigations = [...atlasMitigationsOf(id)];
    const by = new Set<string>(byTechnique.get(id));
    for (const m of mitigations) for (const c of byMitigation.get(m) ?? []) by.add(c);
    return {
      id,
      name: t.name,
      tactics: [...t.tactics],
      applicable: applicable.has(id),
      addressedBy: [...by].sort(byString),
      mitigations,
    };
  });
  const counts = (list: readonly TechniqueCoverage[]) => {
    const app = list.filter((t) => t.applicable);
    const without = app.filter((t) => t.mitigations.length === 0).length;
    const addressed = app.filter((t) => t.addressedBy.length > 0).length;
    return {
      examined: list.length,
      applicable: app.length,
      addressed,
      withoutMitigation: without,
      coverage: percent(addressed, app.length),
    };
  };
  const byTactic = ATLAS.tactics.map((tac) => ({
    tactic: tac.id,
    name: tac.name,
    ...counts(techniques.filter((t) => t.tactics.includes(tac.id))),
  }));
  return { version: ATLAS_VERSION, ...counts(techniques), byTactic, techniques };
}
