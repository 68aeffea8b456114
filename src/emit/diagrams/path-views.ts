import type { PathView, StepView, TargetView } from "../paths-view.js";
import {
  CONTENT_MAX,
  DiagramGraph,
  componentId,
  dataId,
  groupId,
  type DiagramNode,
  type EdgeStyle,
} from "./graph.js";
import { crossesTrust, fileStem, type DiagramIndex } from "./model-index.js";
import { plural } from "../../words.js";
import { KIND_SHAPE, type NodeClass } from "./styles.js";
import { view } from "./system-views.js";
import type { DiagramView } from "./view.js";

/** What the attacker does to the crown jewel at the end of a path, by the property at stake. */
const VERB: Readonly<Record<string, string>> = {
  confidentiality: "reads",
  integrity: "tampers with",
  availability: "disrupts",
};

/** Id of a path view: crown jewel, property and rank (`path-customer_pii-confidentiality-1`). */
export function pathViewId(crown: string, property: string, rank: number): string {
  return `path-${fileStem(crown)}-${property}-${rank}`;
}

/** Component indices by name, for the names path views mention (paths name their components). */
type Named = ReadonlyMap<string, number>;

/** One view per listed attack path, in the order `paths` lists targets and their paths. */
export function pathViews(dx: DiagramIndex, targets: readonly TargetView[]): DiagramView[] {
  const named = componentsNamed(dx, targets);
  const out: DiagramView[] = [];
  for (const t of targets) t.paths.forEach((p, i) => out.push(pathView(dx, named, t, p, i + 1)));
  return out;
}

/**
 * The indices of the components the listed paths mention, found in one pass over the components:
 * a map of every name would be a million entries on an organisation's model, for a few hundred.
 */
function componentsNamed(dx: DiagramIndex, targets: readonly TargetView[]): Named {
  const wanted = new Set<string>();
  for (const t of targets) {
    if (t.paths.length > 0 && t.crownType === "component") wanted.add(t.crown);
    for (const p of t.paths) {
      wanted.add(p.entry);
      for (const s of [...p.steps, ...p.exfil]) {
        wanted.add(s.from);
        wanted.add(s.to);
      }
    }
  }
  const named = new Map<string, number>();
  if (wanted.size === 0) return named;
  for (const c of dx.model.components) if (wanted.has(c.name)) named.set(c.name, c.index);
  return named;
}

function pathView(dx: DiagramIndex, named: Named, t: TargetView, p: PathView, rank: number): DiagramView {
  const m = dx.model;
  const steps: { s: StepView; way: boolean }[] = [
    ...p.steps.map((s) => ({ s, way: false })),
    ...p.exfil.map((s) => ({ s, way: true })),
  ];
  const reader = p.steps.length ? p.steps[p.steps.length - 1]!.to : p.entry;
  const crownComponent = t.crownType === "component" ? t.crown : undefined;

  // Components in order of appearance; a path that is too long keeps its two ends.
  const order: string[] = [];
  const seen = new Set<string>();
  for (const name of [p.entry, ...steps.map((x) => x.s.to)])
    if (!seen.has(name)) {
      seen.add(name);
      order.push(name);
    }
  const room = CONTENT_MAX - 2;
  const elided = new Set<string>();
  if (order.length > room) {
    const keep = new Set([...order.slice(0, room >> 1), ...order.slice(order.length - (room - (room >> 1)))]);
    for (const name of order) if (!keep.has(name)) elided.add(name);
  }
  const elisionId = groupId("elided", "");

  const g = new DiagramGraph(m);
  for (const name of order) {
    if (elided.has(name)) continue;
    const role: NodeClass =
      name === crownComponent
        ? "target"
        : name === p.entry
          ? "entry"
          : name === reader && t.mode === "disclosure"
            ? "reader"
            : "step";
    g.addNode(pathNode(dx, named, name, role, p, t));
  }
  if (elided.size)
    g.addNode({
      id: elisionId,
      lines: [`${plural(elided.size, "more component")} on the path`],
      shape: "subroutine",
      cls: "step",
      extra: ["group"],
      zone: undefined,
    });
  const idOf = (name: string) => (elided.has(name) ? elisionId : componentId(name));

  steps.forEach(({ s, way }, i) => {
    const a = m.components[named.get(s.from)!]!;
    const b = m.components[named.get(s.to)!]!;
    const style: EdgeStyle = way ? "dotted" : crossesTrust(a, b) ? "thick" : "solid";
    const from = idOf(s.from);
    const to = idOf(s.to);
    if (from !== to) g.addEdge(from, to, style, stepLabel(s, way), i);
  });

  // The crown jewel itself, when the path ends next to it rather than on it.
  if (crownComponent === undefined || !seen.has(crownComponent)) {
    const id = crownComponent === undefined ? dataId(t.crown) : componentId(crownComponent);
    g.addNode(crownNode(dx, named, t, id));
    g.addEdge(idOf(reader), id, "dotted", [VERB[t.property] ?? t.property], steps.length);
  }

  const legendNotes = p.exfil.length ? ["dotted arrows lead out to where the attacker reads"] : [];
  const notes = [
    `Likelihood ${p.likelihood} over ${plural(p.steps.length, "step")}${p.exfil.length ? ` and ${plural(p.exfil.length, "step")} out` : ""}; entry classes: ${p.entryClasses.join(", ") || "none"}.`,
    ...(p.firstBoundaryCrossing
      ? [`First crosses a trust boundary at flow ${p.firstBoundaryCrossing}.`]
      : []),
    ...(elided.size
      ? [`The middle of the path (${plural(elided.size, "component")}) is drawn as one node.`]
      : []),
  ];
  return view(
    {
      id: pathViewId(t.crown, t.property, rank),
      title: `Attack path ${rank} to ${t.crown} (${t.property}) from ${p.entry}`,
      kind: "path",
      subject: t.crown,
      path: { crown: t.crown, property: t.property, rank },
    },
    g.render({ legendNotes }),
    notes,
  );
}

/** A component on a path: title, name and kind, and its role (entry, reader, crown jewel). */
function pathNode(
  dx: DiagramIndex,
  named: Named,
  name: string,
  role: NodeClass,
  p: PathView,
  t: TargetView,
): DiagramNode {
  const c = dx.model.components[named.get(name)!]!;
  const roles = [
    ...(name === p.entry ? [`entry: ${p.entryClasses.join(", ") || "attacker"}`] : []),
    ...(role === "reader" ? [`reads ${t.crown}`] : []),
    ...(role === "target" ? [`crown jewel: ${t.property}`] : []),
  ];
  return {
    id: componentId(name),
    lines: [c.title ?? c.name, [...(c.title ? [c.name] : []), c.kind].join(" · "), ...roles],
    shape: KIND_SHAPE[c.kind],
    cls: role,
    extra: [],
    zone: c.zone,
  };
}

/** The attacked crown jewel drawn apart from the path (a data asset, or a component next to it). */
function crownNode(dx: DiagramIndex, named: Named, t: TargetView, id: string): DiagramNode {
  const m = dx.model;
  if (t.crownType === "component") {
    const c = m.components[named.get(t.crown)!]!;
    return {
      id,
      lines: [
        c.title ?? c.name,
        [...(c.title ? [c.name] : []), c.kind].join(" · "),
        `crown jewel: ${t.property}`,
      ],
      shape: KIND_SHAPE[c.kind],
      cls: "target",
      extra: [],
      zone: c.zone,
    };
  }
  const d = m.data.find((x) => x.name === t.crown);
  return {
    id,
    lines: [d?.title ?? t.crown, `${d?.title ? `${t.crown} · ` : ""}data · crown jewel: ${t.property}`],
    shape: "cylinder",
    cls: "target",
    extra: [],
    zone: undefined,
  };
}

/** A step's label: the rule and ATLAS technique that realise it (or the flow kind), and controls on it. */
function stepLabel(s: StepView, way: boolean): string[] {
  const what = s.rule ? `${s.rule} · ${s.technique ?? s.kind}` : `${way ? "out: " : ""}${s.kind}`;
  return [what, ...(s.controls.length ? [`lowered by ${s.controls.join(", ")}`] : [])];
}
