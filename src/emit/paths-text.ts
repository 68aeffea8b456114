import { listedUpTo, percent, plural } from "../words.js";
import {
  noStepsRelation,
  type CutView,
  type PathView,
  type PathsView,
  type StepView,
  type TargetView,
} from "./paths-view.js";

/**
 * Controls (or uncuttable steps) a cut's line names before it counts the rest: a 10k-component
 * model's cut names 1,600 controls, a line of 67,000 characters; `--format json` lists every one.
 */
export const CUT_ITEMS_SHOWN = 12;

const listed = (items: readonly string[]): string =>
  listedUpTo(items, CUT_ITEMS_SHOWN, "--format json lists every one");

function stepText(s: StepView): string {
  const label = s.rule ? `${s.rule} ${s.technique}` : s.kind;
  return `-[${label}${s.controls.length ? `; ${s.controls.join(", ")}` : ""}]-> ${s.to}`;
}

/** A path without steps: what its entry is to the crown jewel. */
function noStepsText(t: TargetView, p: PathView): string {
  const relation = noStepsRelation(t, p);
  if (relation === undefined) return "";
  return relation === "itself" ? ", the crown jewel itself" : `, which ${relation} ${t.crown}`;
}

function pathText(t: TargetView, p: PathView, i: number): string {
  const entry = `${p.entry} (${p.entryClasses.join(", ")})${noStepsText(t, p)}`;
  const legs = [entry, ...p.steps.map(stepText)];
  const out = p.exfil.length ? ` then out: ${p.exfil.map((s) => `~> ${s.to}`).join(" ")}` : "";
  return `  ${i + 1}. ${percent(p.likelihood).padStart(4)}  ${legs.join(" ")}${out}`;
}

function cutText(c: CutView): string {
  const parts: string[] = [];
  if (c.controls.length > 0) {
    const list = listed(c.controls.map((x) => `${x.control} on \`${x.on}\` (${x.cost})`));
    parts.push(`${list}: total ${c.total}${c.quality === "exact" ? "" : ` (${c.quality})`}`);
  }
  if (c.uncuttable.length > 0) {
    parts.push(
      `no built-in control cuts ${listed(c.uncuttable.map((u) => `\`${u}\``))}: lower the likelihood there or change the design`,
    );
  }
  return parts.length === 0 ? "nothing to cut" : parts.join("; ");
}

function targetText(t: TargetView): string[] {
  const lines = [
    `${t.crown} - ${t.property} (${t.mode === "disclosure" ? "disclosure: influence plus a way out" : "influence"})`,
  ];
  const reach = t.exposure.filter((e) => e.reachable);
  if (reach.length === 0) {
    lines.push("  not reachable from any entry");
    return lines;
  }
  lines.push(
    `  exposure: ${reach.map((e) => `${e.entryClass} ${plural(e.entries, "entry")}, best ${percent(e.bestLikelihood)} in ${plural(e.shortestSteps, "step")}`).join("; ")}`,
  );
  lines.push(...t.paths.map((p, i) => pathText(t, p, i)));
  if (t.morePathsAtLeast > 0) lines.push(`  ... and at least ${plural(t.morePathsAtLeast, "more path")}`);
  const choke = t.chokepoints.filter((c) => c.components.length > 0);
  if (choke.length)
    lines.push(
      `  every path crosses: ${choke.map((c) => `${c.entryClass}: ${c.components.join(" > ")}`).join("; ")}`,
    );
  if (t.exfilChokepoints.length) lines.push(`  every way out crosses: ${t.exfilChokepoints.join(" > ")}`);
  if (t.softChokepoints?.length)
    lines.push(`  busiest: ${t.softChokepoints.map((s) => `${s.component} ${percent(s.share)}`).join(", ")}`);
  if (t.cut) lines.push(`  cheapest cut: ${cutText(t.cut)}`);
  return lines;
}

/** The human-readable report of `aithreat paths`. */
export function pathsText(v: PathsView): string {
  const lines = [
    `${plural(v.targets.length, "crown jewel property")}, ${plural(v.entries.length, "entry")}`,
    "",
  ];
  for (const t of v.targets) lines.push(...targetText(t), "");
  lines.push(`cheapest cut for every crown jewel: ${cutText(v.cut)}`);
  if (v.softChokepoints.length)
    lines.push(
      `busiest components overall: ${v.softChokepoints.map((s) => `${s.component} ${percent(s.share)}`).join(", ")}`,
    );
  for (const n of v.notes) lines.push(`note: ${n}`);
  return `${lines.join("\n")}\n`;
}
