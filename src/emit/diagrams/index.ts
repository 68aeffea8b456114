import type { CompileAnalysis } from "../../compiler.js";
import { mermaidId, mermaidLabel } from "../escape.js";

/** One Mermaid diagram: a view of the system small enough to read in a review meeting. */
export interface DiagramView {
  /** Stable file-name stem (`overview`, `zone-vpc`, `agent-copilot`, `path-customer_pii-1`). */
  readonly id: string;
  readonly title: string;
  readonly kind: "overview" | "zone" | "agent" | "path";
  /** Mermaid source. */
  readonly mermaid: string;
}

/**
 * Every diagram of a compile. This first version draws only the overview (zones as subgraphs, flows
 * labelled with their kind); the diagram work replaces it with split views per zone, agent and path.
 */
export function diagramViews(analysis: CompileAnalysis): DiagramView[] {
  const m = analysis.model;
  const lines = ["flowchart LR"];
  const byZone = new Map<number | undefined, string[]>();
  for (const c of m.components) {
    const list = byZone.get(c.zone) ?? [];
    list.push(`  ${mermaidId(c.name)}["${mermaidLabel(c.title ?? c.name)}"]`);
    byZone.set(c.zone, list);
  }
  for (const [zone, nodes] of byZone) {
    if (zone === undefined) lines.push(...nodes);
    else
      lines.push(
        `  subgraph ${mermaidId(`zone_${m.zones[zone]!.name}`)}["${mermaidLabel(m.zones[zone]!.title ?? m.zones[zone]!.name)}"]`,
        ...nodes.map((n) => `  ${n}`),
        "  end",
      );
  }
  for (const f of m.flows)
    lines.push(
      `  ${mermaidId(m.components[f.from]!.name)} -->|"${mermaidLabel(f.kind)}"| ${mermaidId(m.components[f.to]!.name)}`,
    );
  return [{ id: "overview", title: "System overview", kind: "overview", mermaid: `${lines.join("\n")}\n` }];
}
