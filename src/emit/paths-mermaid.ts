import { mermaidId, mermaidLabel } from "./escape.js";
import type { PathView, PathsView, TargetView } from "./paths-view.js";

/** One flowchart of a target's top paths: entries on the left, the crown jewel on the right. */
export function targetMermaid(t: TargetView, paths: readonly PathView[] = t.paths): string {
  const lines = ["flowchart LR"];
  const nodes = new Map<string, string>();
  const edges = new Set<string>();
  const node = (name: string, cls?: string) => {
    if (!nodes.has(name))
      nodes.set(name, `  ${mermaidId(name)}["${mermaidLabel(name)}"]${cls ? `:::${cls}` : ""}`);
  };
  const crownId = `crown_${mermaidId(t.crown)}`;
  for (const p of paths) {
    node(p.entry, "entry");
    for (const s of [...p.steps, ...p.exfil]) {
      node(s.from);
      node(s.to);
      const label = mermaidLabel(s.rule ? `${s.rule} ${s.technique ?? ""}` : s.kind);
      edges.add(`  ${mermaidId(s.from)} -->|"${label}"| ${mermaidId(s.to)}`);
    }
  }
  lines.push(...nodes.values());
  lines.push(`  ${crownId}(["${mermaidLabel(`${t.crown}: ${t.property}`)}"]):::crown`);
  for (const p of paths) {
    const last = p.exfil.length
      ? p.exfil[p.exfil.length - 1]!.to
      : p.steps.length
        ? p.steps[p.steps.length - 1]!.to
        : p.entry;
    edges.add(`  ${mermaidId(last)} -.-> ${crownId}`);
  }
  lines.push(...edges);
  lines.push(
    "  classDef entry fill:#fde2e2,stroke:#c0392b",
    "  classDef crown fill:#fff3cd,stroke:#b7950b,stroke-width:2px",
  );
  return `${lines.join("\n")}\n`;
}

/** `paths --format mermaid`: one diagram per reachable target, separated by comments. */
export function pathsMermaid(v: PathsView): string {
  return v.targets
    .filter((t) => t.paths.length > 0)
    .map((t) => `%% ${mermaidLabel(t.crown)} ${t.property}\n${targetMermaid(t)}`)
    .join("\n");
}
