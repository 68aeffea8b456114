import type { CompileAnalysis } from "../../compiler.js";
import { escapeMarkdown, markdownCode } from "../escape.js";
import type { DiagramSet } from "./index.js";
import { severityName } from "./model-index.js";
import { plural } from "../../words.js";

/**
 * `diagrams/index.md`: every view drawn, and what the limits left out (DIAGRAM_LIMITS), so a reader
 * of a large model's diagrams knows what exists and where the rest is. Model text is escaped.
 */
export function diagramsIndexMd(analysis: CompileAnalysis, set: DiagramSet): string {
  const m = analysis.model;
  const { views, leftOut, limits, index: dx } = set;
  const cell = (s: string) => escapeMarkdown(s);
  const out: string[] = [
    "# Diagrams",
    "",
    `${plural(views.length, "view")}, each at most 60 nodes. A large model gets views for its riskiest` +
      ` zones (at most ${limits.zones}), agents (at most ${limits.agents}) and crown jewels (the top` +
      ` paths of at most ${limits.pathTargets}), and at most ${limits.parts} part views over all` +
      " zones too large for one view; the riskiest have the worst open finding, then the most. What" +
      " is left out is listed below; findings.json, paths.json and checklist.csv have everything.",
    "",
    "| file | kind | title | nodes |",
    "| --- | --- | --- | --- |",
  ];
  for (const v of views)
    out.push(`| [${v.id}.mmd](${v.id}.mmd) | ${v.kind} | ${cell(v.title)} | ${v.nodes ?? ""} |`);

  const { zones, parts, agents, pathTargets } = leftOut;
  if (zones.length + parts.length + agents.length + pathTargets.length === 0) return `${out.join("\n")}\n`;

  out.push("", "## Left out");
  if (zones.length > 0) {
    out.push(
      "",
      `### ${plural(zones.length, "zone")} without a view`,
      "",
      "| zone | title | components | open findings | worst |",
      "| --- | --- | --- | --- | --- |",
    );
    for (const z of zones) {
      const zone = m.zones[z]!;
      const worst = dx.zoneWorst[z]!;
      out.push(
        `| ${markdownCode(zone.name)} | ${cell(zone.title ?? "")} | ${dx.subtreeSize[z]} | ${dx.zoneOpen[z]} | ${worst < 0 ? "" : severityName(worst)} |`,
      );
    }
  }
  if (parts.length > 0) {
    out.push("", "### Parts not drawn", "");
    for (const p of parts) {
      const name = p.zone === undefined ? "components outside any zone" : markdownCode(m.zones[p.zone]!.name);
      out.push(
        p.drawn === 0
          ? `- ${name}: none of its ${p.of} parts`
          : `- ${name}: parts ${p.drawn + 1} to ${p.of} of ${p.of}`,
      );
    }
  }
  if (agents.length > 0) {
    out.push(
      "",
      `### ${plural(agents.length, "agent")} without a view`,
      "",
      "| agent | title | open findings | worst |",
      "| --- | --- | --- | --- |",
    );
    for (const a of agents) {
      const c = m.components[a]!;
      const worst = dx.worst[a]!;
      out.push(
        `| ${markdownCode(c.name)} | ${cell(c.title ?? "")} | ${dx.openCount[a]} | ${worst < 0 ? "" : severityName(worst)} |`,
      );
    }
  }
  if (pathTargets.length > 0) {
    out.push(
      "",
      `### ${plural(pathTargets.length, "crown-jewel target")} whose paths are not drawn`,
      "",
      "Their paths are in paths.json and `aithreat paths` prints them.",
      "",
    );
    for (const t of pathTargets)
      out.push(`- ${markdownCode(t.crown)} (${cell(t.property)}): ${plural(t.paths.length, "path")}`);
  }
  return `${out.join("\n")}\n`;
}
