import type { ComponentKind } from "../../semantic/vocabulary.js";
import { plural } from "../../words.js";
import { componentId, groupId, type DiagramNode } from "./graph.js";
import { severityName, type DiagramIndex } from "./model-index.js";
import { KIND_SHAPE, severityClass, type NodeClass } from "./styles.js";

/** Findings line of a node: how many open findings count against it, and the worst. */
function findingsLine(open: number, worst: number): string[] {
  return open > 0 ? [`${open} open, worst ${severityName(worst)}`] : [];
}

/**
 * A component as a node: its title, then its name and kind (and which crown-jewel properties it
 * carries), then its open findings; the fill says the worst open finding, the border a crown jewel.
 */
export function componentNode(dx: DiagramIndex, c: number): DiagramNode {
  const comp = dx.model.components[c]!;
  const crown = dx.crown[c]!;
  const tags = [
    ...(crown.length ? [`crown jewel: ${crown.join(", ")}`] : []),
    ...(dx.holdsCrown[c] ? ["holds crown data"] : []),
  ];
  const second = [...(comp.title ? [comp.name] : []), comp.kind, ...tags].join(" · ");
  const extra: NodeClass[] = crown.length ? ["crown"] : dx.holdsCrown[c] ? ["crown_data"] : [];
  return {
    id: componentId(comp.name),
    lines: [comp.title ?? comp.name, second, ...findingsLine(dx.openCount[c]!, dx.worst[c]!)],
    shape: KIND_SHAPE[comp.kind],
    cls: severityClass(dx.worst[c]!),
    extra,
    zone: comp.zone,
  };
}

/** A zone drawn as one node (its box would not fit), with its totals; placed in its parent's box. */
export function collapsedZoneNode(dx: DiagramIndex, z: number): DiagramNode {
  const zone = dx.model.zones[z]!;
  const size = dx.subtreeSize[z]!;
  const nested = dx.zoneChildren[z]!.length;
  const crown = dx.zoneCrown[z]!;
  const counts = [
    plural(size, "component"),
    ...(nested ? [plural(nested, "nested zone")] : []),
    ...(crown ? [`${crown} with crown jewels`] : []),
  ].join(", ");
  return {
    id: dx.zoneIds[z]!,
    lines: [
      zone.title ?? zone.name,
      `zone ${zone.name} · ${zone.trust}`,
      counts,
      ...findingsLine(dx.zoneOpen[z]!, dx.zoneWorst[z]!),
    ],
    shape: "subroutine",
    cls: severityClass(dx.zoneWorst[z]!),
    extra: crown ? ["crown", "group"] : ["group"],
    zone: zone.parent,
  };
}

/**
 * Several components drawn as one node (neighbours grouped by zone, a large zone's components
 * grouped by kind, the rest of a long list): a count and their worst open finding.
 */
export function groupNode(
  dx: DiagramIndex,
  id: { tag: string; name: string },
  members: readonly number[],
  what: string,
  zone: number | undefined,
): DiagramNode {
  let worst = -1;
  let open = 0;
  let crown = 0;
  for (const c of members) {
    worst = Math.max(worst, dx.worst[c]!);
    open += dx.openCount[c]!;
    if (dx.crown[c]!.length || dx.holdsCrown[c]) crown++;
  }
  return {
    id: groupId(id.tag, id.name),
    lines: [what, ...(crown ? [`${crown} with crown jewels`] : []), ...findingsLine(open, worst)],
    shape: "subroutine",
    cls: severityClass(worst),
    extra: crown ? ["crown", "group"] : ["group"],
    zone,
  };
}

/** How a kind reads in a count (`mcp_server` -> `MCP servers`). */
export function kindNoun(kind: ComponentKind): string {
  return kind === "mcp_server" ? "MCP server" : kind;
}
