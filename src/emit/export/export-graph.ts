import { MultiDirectedGraph } from "graphology";
import { ENTRY_BIT, ENTRY_CLASSES, type EntryClass } from "../../analysis/facts.js";
import { SEVERITIES, severityRank, type Severity } from "../../analysis/findings.js";
import { buildAttackGraph, type AttackGraph } from "../../analysis/paths/attack-graph.js";
import type { CompileAnalysis } from "../../compiler.js";
import {
  KIND_PROP_TYPES,
  crownKey,
  modelEdges,
  modelNodes,
  nodeKey,
  type AttrType,
  type AttrValue,
  type ModelEdge,
  type ModelNode,
} from "../../graph/model-graph.js";
import { classificationOf } from "../../analysis/facts.js";

/**
 * What every export writes: the typed model graph (src/graph/model-graph.ts) plus the analysis on it.
 * Nodes and edges keep the model graph's keys and attributes and gain analysis attributes (entry
 * classes, observable sinks, worst open finding, exposure of each crown-jewel property), and these
 * edge types join them: `step` / `cut_step` (the attack graph: one per information-flow step, with its
 * likelihood and -ln weight; `cut_step` when a declared control cuts it), `exfil` (a step data can
 * travel on toward an observable sink, the second leg of a disclosure, weighted for that leg) and
 * `target` (a component where an attack on a crown-jewel property succeeds). Every attribute has a type in NODE_COLUMNS / EDGE_COLUMNS, so typed formats (Neo4j
 * headers, GraphML keys, SQL columns) are fixed by aithreat's version, not by the model.
 */

/** A node or edge attribute record of the export. */
export type ExportAttributes = Readonly<Record<string, AttrValue>>;

/** One export node. */
export interface ExportNode {
  readonly key: string;
  readonly attributes: ExportAttributes;
}

/** One export edge. */
export interface ExportEdge {
  readonly key: string;
  readonly source: string;
  readonly target: string;
  readonly attributes: ExportAttributes;
}

const exposureColumns = (): [string, AttrType][] =>
  ENTRY_CLASSES.flatMap((c): [string, AttrType][] => [
    [`reachable_${c}`, "boolean"],
    [`entries_${c}`, "int"],
    [`likelihood_${c}`, "double"],
    [`steps_${c}`, "int"],
  ]);

/** Every node attribute with its type, in column order. */
export const NODE_COLUMNS: ReadonlyMap<string, AttrType> = new Map<string, AttrType>([
  ["type", "string"],
  ["index", "int"],
  ["name", "string"],
  ["kind", "string"],
  ["title", "string"],
  ["zone", "string"],
  ["trust", "string"],
  ["owner", "string"],
  ["description", "string"],
  ["system", "string"],
  ["classification", "string"],
  ["crown", "string[]"],
  ["tags", "string[]"],
  ["controls", "string[]"],
  ["regulated", "string[]"],
  ["builtin", "boolean"],
  ["cost", "double"],
  ["atlas", "string[]"],
  ["mitigates", "string[]"],
  ["subject", "string"],
  ["subject_type", "string"],
  ["property", "string"],
  ["entry", "boolean"],
  ["entry_classes", "string[]"],
  ["sink", "boolean"],
  ["can_exfiltrate", "boolean"],
  ["third_party", "boolean"],
  ["sensitivity", "string"],
  ["findings", "int"],
  ["open_findings", "int"],
  ["worst_severity", "string"],
  ["mode", "string"],
  ["entries", "int"],
  ["best_likelihood", "double"],
  ...exposureColumns(),
  ...KIND_PROP_TYPES,
  ["file", "string"],
  ["line", "int"],
]);

/** Every edge attribute with its type, in column order. */
export const EDGE_COLUMNS: ReadonlyMap<string, AttrType> = new Map<string, AttrType>([
  ["type", "string"],
  ["index", "int"],
  ["id", "string"],
  ["name", "string"],
  ["kind", "string"],
  ["title", "string"],
  ["description", "string"],
  ["auth", "string"],
  ["encrypted", "boolean"],
  ["carries", "string[]"],
  ["controls", "string[]"],
  ["flow", "string"],
  ["to", "string"],
  ["on", "string"],
  ["implied_by", "string"],
  ["returned", "boolean"],
  ["rule", "string"],
  ["technique", "string"],
  ["turns", "boolean"],
  ["turned", "boolean"],
  ["likelihood", "double"],
  ["weight", "double"],
  ["exfil_weight", "double"],
  ["findings", "int"],
  ["open_findings", "int"],
  ["worst_severity", "string"],
  ["file", "string"],
  ["line", "int"],
]);

/** Throws when an attribute has no declared type: a new attribute must get a column first. */
export function checkColumns(
  a: ExportAttributes,
  columns: ReadonlyMap<string, AttrType>,
  what: string,
): void {
  for (const k of Object.keys(a))
    if (!columns.has(k)) throw new Error(`export: ${what} attribute \`${k}\` has no column type`);
}

/** Per-subject finding counts and the worst severity among open findings. */
interface FindingSummary {
  findings: number;
  open: number;
  worst: number;
}

function summarize(analysis: CompileAnalysis): Map<string, FindingSummary> {
  const out = new Map<string, FindingSummary>();
  const src = analysis.findings;
  for (let i = 0; i < src.length; i++) {
    const key = `${src.subjectType(i)}:${src.subjectIndex(i)}`;
    let s = out.get(key);
    if (!s) out.set(key, (s = { findings: 0, open: 0, worst: -1 }));
    s.findings++;
    if (src.status(i) === "open") {
      s.open++;
      s.worst = Math.max(s.worst, severityRank(src.severity(i)));
    }
  }
  return out;
}

function findingAttributes(s: FindingSummary | undefined): Record<string, AttrValue> {
  if (!s) return { findings: 0, open_findings: 0 };
  return {
    findings: s.findings,
    open_findings: s.open,
    ...(s.worst >= 0 ? { worst_severity: SEVERITIES[s.worst] as Severity } : {}),
  };
}

/** A model node's or edge's attributes as an export record (every model attribute is an AttrValue). */
function attributesOf(a: ModelNode | ModelEdge): ExportAttributes {
  return a as unknown as ExportAttributes;
}

/** The analysis overlay, computed once in O(components + flows + findings). */
export interface ExportSource {
  readonly analysis: CompileAnalysis;
  readonly attack: AttackGraph;
  /** Export nodes in a fixed order: the model graph's order. */
  nodes(): Generator<ExportNode>;
  /** Export edges: the model graph's, then attack steps (attack-graph order), then targets. */
  edges(): Generator<ExportEdge>;
}

/** The step key of an attack-graph edge: its flow's id, `:return` for a returned result. */
export function stepKey(flowId: string, returning: boolean): string {
  return `step:${flowId}${returning ? ":return" : ""}`;
}

/** Prepares an analysed model for export. */
export function exportSource(analysis: CompileAnalysis): ExportSource {
  const { model, facts } = analysis;
  const attack = buildAttackGraph(analysis.graph, facts, analysis.rules);
  const findings = summarize(analysis);
  const exfilClosed = attack.exfilClosed;
  const exposure = new Map(analysis.paths.targets.map((t) => [`${t.crown}:${t.property}`, t]));

  function componentOverlay(i: number): Record<string, AttrValue> {
    const classes = ENTRY_CLASSES.filter((c) => facts.entry[i]! & ENTRY_BIT[c]);
    const sensitivity = classificationOf(facts.sensitivity[i]!);
    return {
      entry: classes.length > 0,
      entry_classes: classes,
      sink: attack.sink[i] === 1 && exfilClosed[i] === 0,
      can_exfiltrate: attack.canExfiltrate[i] === 1,
      third_party: facts.thirdParty[i] === 1,
      ...(sensitivity ? { sensitivity } : {}),
      ...findingAttributes(findings.get(`component:${i}`)),
    };
  }

  function crownOverlay(subject: string, property: string): Record<string, AttrValue> {
    const t = exposure.get(`${subject}:${property}`);
    if (!t) return {};
    const out: Record<string, AttrValue> = { mode: t.mode };
    let best = 0;
    for (const cell of t.exposure) {
      const c: EntryClass = cell.entryClass;
      out[`reachable_${c}`] = cell.reachable;
      out[`entries_${c}`] = cell.entries;
      out[`likelihood_${c}`] = cell.bestLikelihood;
      out[`steps_${c}`] = cell.shortestSteps;
      best = Math.max(best, cell.bestLikelihood);
    }
    // Entries of any class, each counted once: the paths listed are one per entry, and `morePaths`
    // counts the other entries that reach the target.
    out["entries"] = t.paths.length + t.morePaths;
    out["best_likelihood"] = best;
    return out;
  }

  return {
    analysis,
    attack,
    *nodes() {
      for (const n of modelNodes(model)) {
        const a = n.attributes;
        let extra: Record<string, AttrValue> = {};
        if (a.type === "component") extra = componentOverlay(a.index);
        else if (a.type === "data") extra = findingAttributes(findings.get(`data:${a.index}`));
        else if (a.type === "crown") extra = crownOverlay(a.subject, a.property);
        // The model graph's attribute objects are fresh per call: extended in place, not copied.
        yield { key: n.key, attributes: Object.assign(attributesOf(a), extra) };
      }
    },
    *edges() {
      for (const e of modelEdges(model)) {
        const a = e.attributes;
        const extra = a.type === "flows" ? findingAttributes(findings.get(`flow:${a.index}`)) : {};
        yield {
          key: e.key,
          source: e.source,
          target: e.target,
          attributes: Object.assign(attributesOf(a), extra),
        };
      }
      const g = attack.g;
      for (let s = 0; s < g.edgeCount; s++) {
        const flow = model.flows[attack.flowIndex[s]!]!;
        const returning = attack.returning[s] === 1;
        const tech = attack.techniqueOf(s);
        const cut = attack.weight[s] === Infinity;
        yield {
          key: stepKey(flow.id, returning),
          source: nodeKey("component", model.components[g.edgeFrom[s]!]!.name),
          target: nodeKey("component", model.components[g.edgeTo[s]!]!.name),
          attributes: {
            type: cut ? "cut_step" : "step",
            index: s,
            flow: flow.id,
            kind: flow.kind,
            returned: returning,
            ...(tech ? { rule: tech.rule, technique: tech.technique } : {}),
            turns: tech?.turns ?? false,
            likelihood: attack.likelihood[s]!,
            ...(cut ? {} : { weight: attack.weight[s]! }),
            ...(attack.exfilWeight[s] === Infinity ? {} : { exfil_weight: attack.exfilWeight[s]! }),
            controls: [...new Set(attack.controlsOnStep[s]!.map((u) => u.name))],
          },
        };
      }
      // The way out of a disclosure as its own relationship, so graph queries follow one type with one
      // weight: every step data can travel on toward an observable sink (cut or not for influence).
      for (let s = 0; s < g.edgeCount; s++) {
        if (attack.exfilWeight[s] === Infinity) continue;
        const flow = model.flows[attack.flowIndex[s]!]!;
        const returning = attack.returning[s] === 1;
        yield {
          key: `exfil:${flow.id}${returning ? ":return" : ""}`,
          source: nodeKey("component", model.components[g.edgeFrom[s]!]!.name),
          target: nodeKey("component", model.components[g.edgeTo[s]!]!.name),
          attributes: {
            type: "exfil",
            index: s,
            flow: flow.id,
            returned: returning,
            weight: attack.exfilWeight[s]!,
          },
        };
      }
      // A reader that only a step turns is a target through its turned node: `turned` says the
      // attack reaches it only by a step that turns it (`turns` on the step), not by any step.
      const components = g.nodeCount;
      for (const t of attack.targets) {
        const crown = crownKey(t.crown.name, t.property);
        for (const v of t.nodes) {
          const turned = v >= components;
          const name = model.components[turned ? attack.turned[v - components]! : v]!.name;
          yield {
            key: `target:${name}:${t.crown.name}:${t.property}`,
            source: nodeKey("component", name),
            target: crown,
            attributes: { type: "target", turned },
          };
        }
      }
    },
  };
}

/** Graph-level attributes of the export graph. */
export interface ExportGraphAttributes {
  readonly systems: readonly string[];
}

/** The export as a graphology graph. */
export type ExportGraph = MultiDirectedGraph<ExportAttributes, ExportAttributes, ExportGraphAttributes>;

/**
 * The export as a graphology graph, for callers that want a graph API on it (and for tests, which
 * compare every format with it). The writers stream from the source instead: graphology holds about
 * 320 bytes per node and edge, too much for an organisation model.
 */
export function buildExportGraph(source: ExportSource): ExportGraph {
  const g: ExportGraph = new MultiDirectedGraph<ExportAttributes, ExportAttributes, ExportGraphAttributes>();
  g.replaceAttributes({ systems: source.analysis.model.systems.map((s) => s.title) });
  for (const n of source.nodes()) g.addNode(n.key, n.attributes);
  for (const e of source.edges()) g.addDirectedEdgeWithKey(e.key, e.source, e.target, e.attributes);
  return g;
}
