import { MultiDirectedGraph } from "graphology";
import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST } from "../catalog/controls.js";
import type { Location } from "../diagnostics/diagnostic.js";
import type { Component, ControlUse, ResolvedModel } from "../semantic/model.js";
import { COMPONENT_KINDS, type Cia, type PropSpec } from "../semantic/vocabulary.js";
import { valueText } from "../semantic/properties.js";
import { lineCol } from "../source.js";

/**
 * The resolved model as a typed property graph (graphology): components, zones, data assets, controls
 * and crown-jewel properties as nodes; flows, zone membership, zone nesting, holdings, carried data,
 * control uses and crown markings as edges. It exists for outputs that want a graph API (GraphML, the
 * Cypher script, interop with graphology's ecosystem); the analysis never builds it and traverses the
 * CSR of `compact.ts` instead, which is an order of magnitude smaller and faster (docs/architecture.md).
 *
 * Node keys are `<type>:<name>` (crown nodes `crown:<subject>:<property>`); edge keys are
 * `<type>:...` built from names, so keys are stable when unrelated parts of the model change.
 */

/** A scalar or list attribute value; every attribute is one of these, so every format can type it. */
export type AttrValue = string | number | boolean | readonly string[];

/** How an attribute is typed in formats with typed columns (GraphML keys, Neo4j headers, SQL). */
export type AttrType = "string" | "int" | "double" | "boolean" | "string[]";

/** Where an element is declared: project-relative file and 1-based line. */
interface Located {
  readonly file: string;
  readonly line: number;
}

/** A component node. Kind-specific properties are flattened as `prop_<name>`. */
export interface ComponentNode extends Located {
  readonly type: "component";
  readonly index: number;
  readonly name: string;
  readonly kind: string;
  readonly title?: string;
  readonly zone?: string;
  readonly trust: string;
  readonly owner?: string;
  readonly description?: string;
  readonly system?: string;
  readonly crown: readonly string[];
  readonly tags: readonly string[];
  readonly controls: readonly string[];
  readonly [prop: `prop_${string}`]: AttrValue | undefined;
}

/** A trust zone node. */
export interface ZoneNode extends Located {
  readonly type: "zone";
  readonly index: number;
  readonly name: string;
  readonly title?: string;
  readonly trust: string;
  readonly owner?: string;
  readonly description?: string;
}

/** A data asset node. */
export interface DataNode extends Located {
  readonly type: "data";
  readonly index: number;
  readonly name: string;
  readonly title?: string;
  readonly classification?: string;
  readonly crown: readonly string[];
  readonly regulated: readonly string[];
  readonly owner?: string;
  readonly description?: string;
}

/** A control node: a built-in control the model uses, or a user `control` declaration. */
export interface ControlNode {
  readonly type: "control";
  readonly name: string;
  readonly title?: string;
  readonly builtin: boolean;
  readonly cost: number;
  readonly atlas: readonly string[];
  readonly mitigates: readonly string[];
  readonly owner?: string;
  readonly file?: string;
  readonly line?: number;
}

/** A crown-jewel property: the attack target "`subject`'s `property`". */
export interface CrownNode {
  readonly type: "crown";
  readonly name: string;
  readonly subject: string;
  readonly subject_type: "component" | "data";
  readonly property: Cia;
  readonly file: string;
  readonly line: number;
}

/** Any node of the model graph. */
export type ModelNode = ComponentNode | ZoneNode | DataNode | ControlNode | CrownNode;

/** A flow between two components. */
export interface FlowEdge extends Located {
  readonly type: "flows";
  readonly index: number;
  readonly id: string;
  readonly name?: string;
  readonly kind: string;
  readonly title?: string;
  readonly description?: string;
  readonly auth?: string;
  readonly encrypted?: boolean;
  readonly carries: readonly string[];
  readonly controls: readonly string[];
}

/** Component -> its zone. */
export interface InZoneEdge {
  readonly type: "in_zone";
}
/** Zone -> its parent zone. */
export interface NestedInEdge {
  readonly type: "nested_in";
}
/** Component -> a data asset it holds. */
export interface HoldsEdge {
  readonly type: "holds";
}
/** Sender of a flow -> a data asset the flow carries; `flow` and `to` name the flow and its receiver. */
export interface CarriesEdge {
  readonly type: "carries";
  readonly flow: string;
  readonly to: string;
}
/**
 * Component -> a control in place on it; for a control declared on a flow, the flow's sender -> the
 * control, with the flow's id in `flow`. `implied_by` names a property that implies the control.
 */
export interface UsesControlEdge {
  readonly type: "uses_control";
  readonly on: "component" | "flow";
  readonly flow?: string;
  readonly implied_by?: string;
}
/** Crown-jewel property -> the component or data asset it protects. */
export interface CrownEdge {
  readonly type: "crown";
}

/** Any edge of the model graph. */
export type ModelEdge =
  FlowEdge | InZoneEdge | NestedInEdge | HoldsEdge | CarriesEdge | UsesControlEdge | CrownEdge;

/** Graph-level attributes: which systems the model describes. */
export interface ModelGraphAttributes {
  readonly systems: readonly string[];
}

/** The typed model graph. Multi: two flows may join the same pair of components. */
export type ModelGraph = MultiDirectedGraph<ModelNode, ModelEdge, ModelGraphAttributes>;

/** Node key of a component, zone, data asset or control. */
export const nodeKey = (type: "component" | "zone" | "data" | "control", name: string): string =>
  `${type}:${name}`;

/** Node key of a crown-jewel property. */
export const crownKey = (subject: string, property: string): string => `crown:${subject}:${property}`;

function located(loc: Location): Located {
  return { file: loc.file.path, line: lineCol(loc.file, loc.start).line };
}

/** Sets `key` only when the value is present, so absent properties stay absent in every format. */
function opt<T>(key: string, value: T | undefined): Record<string, T> {
  return value === undefined ? {} : { [key]: value };
}

/** Types of the flattened kind-specific properties, from the vocabulary; a name typed two ways is a string. */
export const KIND_PROP_TYPES: ReadonlyMap<string, AttrType> = (() => {
  const out = new Map<string, AttrType>();
  for (const spec of Object.values(COMPONENT_KINDS)) {
    for (const [name, p] of Object.entries(spec.props as Readonly<Record<string, PropSpec>>)) {
      const t: AttrType =
        p.type === "number"
          ? "double"
          : p.type === "boolean"
            ? "boolean"
            : p.type === "enum-list" || p.type === "string-list" || p.type === "ref-list"
              ? "string[]"
              : "string";
      const key = `prop_${name}`;
      const had = out.get(key);
      out.set(key, had === undefined || had === t ? t : "string");
    }
  }
  return new Map([...out].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
})();

function kindProps(c: Component): Record<string, AttrValue> {
  const out: Record<string, AttrValue> = {};
  const props = c.props as Readonly<Record<string, unknown>>;
  for (const name of Object.keys(props).sort()) {
    const v = props[name];
    const key = `prop_${name}`;
    const t = KIND_PROP_TYPES.get(key);
    if (v === undefined || t === undefined) continue;
    if (t === "string[]" && Array.isArray(v)) out[key] = v.map(valueText);
    else if (t === "string") out[key] = Array.isArray(v) ? v.map(valueText).join(", ") : valueText(v);
    else if (typeof v === "number" || typeof v === "boolean") out[key] = v;
  }
  return out;
}

const controlNames = (uses: readonly ControlUse[]): string[] => [...new Set(uses.map((u) => u.name))];

/** One node of the model graph with its key, in a fixed order (see `modelNodes`). */
export interface KeyedNode {
  readonly key: string;
  readonly attributes: ModelNode;
}

/** One edge of the model graph with its key and endpoints. */
export interface KeyedEdge {
  readonly key: string;
  readonly source: string;
  readonly target: string;
  readonly attributes: ModelEdge;
}

/**
 * The nodes of the model graph in a fixed order: zones, components, data, controls (built-in ones the
 * model uses, then declared ones), crown-jewel properties; each group in declaration order (controls by
 * name). Writers that stream (CSV, SQL) iterate this directly; `buildModelGraph` loads it into graphology.
 */
export function* modelNodes(model: ResolvedModel): Generator<KeyedNode> {
  const systemTitle = (i: number | undefined) => (i === undefined ? undefined : model.systems[i]?.title);
  for (const z of model.zones) {
    yield {
      key: nodeKey("zone", z.name),
      attributes: {
        type: "zone",
        index: z.index,
        name: z.name,
        ...opt("title", z.title),
        trust: z.trust,
        ...opt("owner", z.owner),
        ...opt("description", z.description),
        ...located(z.loc),
      },
    };
  }
  for (const c of model.components) {
    yield {
      key: nodeKey("component", c.name),
      attributes: {
        type: "component",
        index: c.index,
        name: c.name,
        kind: c.kind,
        ...opt("title", c.title),
        ...opt("zone", c.zone === undefined ? undefined : model.zones[c.zone]!.name),
        trust: c.trust,
        ...opt("owner", c.owner),
        ...opt("description", c.description),
        ...opt("system", systemTitle(c.system)),
        crown: [...c.crown],
        tags: [...c.tags],
        controls: controlNames(c.controls),
        ...kindProps(c),
        ...located(c.loc),
      },
    };
  }
  for (const d of model.data) {
    yield {
      key: nodeKey("data", d.name),
      attributes: {
        type: "data",
        index: d.index,
        name: d.name,
        ...opt("title", d.title),
        ...opt("classification", d.classification),
        crown: [...d.crown],
        regulated: [...d.regulated],
        ...opt("owner", d.owner),
        ...opt("description", d.description),
        ...located(d.loc),
      },
    };
  }
  const declared = new Map(model.controls.map((c) => [c.name, c]));
  const used = new Set<string>();
  for (const c of model.components) for (const u of c.controls) used.add(u.name);
  for (const f of model.flows) for (const u of f.controls) used.add(u.name);
  const builtins = [...used].filter((n) => !declared.has(n) && BUILTIN_CONTROL_BY_ID.has(n)).sort();
  for (const name of builtins) {
    const b = BUILTIN_CONTROL_BY_ID.get(name)!;
    yield {
      key: nodeKey("control", name),
      attributes: {
        type: "control",
        name,
        title: b.title,
        builtin: true,
        cost: b.cost,
        atlas: [...b.atlas],
        mitigates: [],
      },
    };
  }
  for (const c of [...model.controls].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0))) {
    yield {
      key: nodeKey("control", c.name),
      attributes: {
        type: "control",
        name: c.name,
        ...opt("title", c.title),
        builtin: false,
        cost: c.cost ?? DEFAULT_CONTROL_COST,
        atlas: [...c.atlas],
        mitigates: [...c.mitigates],
        ...opt("owner", c.owner),
        ...located(c.loc),
      },
    };
  }
  for (const j of model.crownJewels) {
    for (const property of j.properties) {
      yield {
        key: crownKey(j.name, property),
        attributes: {
          type: "crown",
          name: `${j.name}:${property}`,
          subject: j.name,
          subject_type: j.subject.type,
          property,
          ...located(j.loc),
        },
      };
    }
  }
}

/**
 * The edges of the model graph in a fixed order: flows (declaration order), then per component its
 * zone, holdings and controls, then zone nesting, carried data and flow controls, then crown markings.
 * Controls the catalog does not know (an error the front end reports) have no node and no edge.
 */
export function* modelEdges(model: ResolvedModel): Generator<KeyedEdge> {
  const comp = (i: number) => nodeKey("component", model.components[i]!.name);
  const controlKnown = (n: string) =>
    BUILTIN_CONTROL_BY_ID.has(n) || model.controls.some((c) => c.name === n);
  const known = new Map<string, boolean>();
  const isKnown = (n: string) => {
    let k = known.get(n);
    if (k === undefined) known.set(n, (k = controlKnown(n)));
    return k;
  };
  for (const f of model.flows) {
    yield {
      key: `flows:${f.id}`,
      source: comp(f.from),
      target: comp(f.to),
      attributes: {
        type: "flows",
        index: f.index,
        id: f.id,
        ...opt("name", f.name),
        kind: f.kind,
        ...opt("title", f.title),
        ...opt("description", f.description),
        ...opt("auth", f.auth),
        ...opt("encrypted", f.encrypted),
        carries: [...new Set(f.carries.map((d) => model.data[d]!.name))],
        controls: controlNames(f.controls),
        ...located(f.loc),
      },
    };
  }
  for (const c of model.components) {
    const key = comp(c.index);
    if (c.zone !== undefined)
      yield {
        key: `in_zone:${c.name}`,
        source: key,
        target: nodeKey("zone", model.zones[c.zone]!.name),
        attributes: { type: "in_zone" },
      };
    for (const d of new Set(c.holds)) {
      const data = model.data[d]!.name;
      yield {
        key: `holds:${c.name}:${data}`,
        source: key,
        target: nodeKey("data", data),
        attributes: { type: "holds" },
      };
    }
    const seen = new Set<string>();
    for (const u of c.controls) {
      if (seen.has(u.name) || !isKnown(u.name)) continue;
      seen.add(u.name);
      yield {
        key: `uses_control:${c.name}:${u.name}`,
        source: key,
        target: nodeKey("control", u.name),
        attributes: { type: "uses_control", on: "component", ...opt("implied_by", u.impliedBy) },
      };
    }
  }
  for (const z of model.zones) {
    if (z.parent === undefined) continue;
    yield {
      key: `nested_in:${z.name}`,
      source: nodeKey("zone", z.name),
      target: nodeKey("zone", model.zones[z.parent]!.name),
      attributes: { type: "nested_in" },
    };
  }
  for (const f of model.flows) {
    const sender = comp(f.from);
    for (const d of new Set(f.carries)) {
      const data = model.data[d]!.name;
      yield {
        key: `carries:${f.id}:${data}`,
        source: sender,
        target: nodeKey("data", data),
        attributes: { type: "carries", flow: f.id, to: model.components[f.to]!.name },
      };
    }
    const seen = new Set<string>();
    for (const u of f.controls) {
      if (seen.has(u.name) || !isKnown(u.name)) continue;
      seen.add(u.name);
      yield {
        key: `uses_control:${f.id}:${u.name}`,
        source: sender,
        target: nodeKey("control", u.name),
        attributes: { type: "uses_control", on: "flow", flow: f.id, ...opt("implied_by", u.impliedBy) },
      };
    }
  }
  for (const j of model.crownJewels) {
    const subject = j.subject.type === "component" ? nodeKey("component", j.name) : nodeKey("data", j.name);
    for (const property of j.properties) {
      yield {
        key: `crown:${j.name}:${property}`,
        source: crownKey(j.name, property),
        target: subject,
        attributes: { type: "crown" },
      };
    }
  }
}

/** Builds the typed model graph in O(components + zones + data + flows + their lists). */
export function buildModelGraph(model: ResolvedModel): ModelGraph {
  const g: ModelGraph = new MultiDirectedGraph<ModelNode, ModelEdge, ModelGraphAttributes>();
  g.replaceAttributes({ systems: model.systems.map((s) => s.title) });
  for (const n of modelNodes(model)) g.addNode(n.key, n.attributes);
  for (const e of modelEdges(model)) g.addDirectedEdgeWithKey(e.key, e.source, e.target, e.attributes);
  return g;
}
