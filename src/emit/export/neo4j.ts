import type { AttrType, AttrValue } from "../../graph/model-graph.js";
import { csvField, csvRow, neo4jText, numberText } from "./escape.js";
import {
  EDGE_COLUMNS,
  NODE_COLUMNS,
  checkColumns,
  type ExportAttributes,
  type ExportSource,
} from "./export-graph.js";
import type { ExportSink } from "./sink.js";

/**
 * Neo4j bulk-import CSV: `nodes.csv` and `edges.csv` with `neo4j-admin database import` headers
 * (`key:ID`, `:LABEL`, `:START_ID`, `:END_ID`, `:TYPE`, typed property columns), plus the exact import
 * command in `neo4j-import.sh`. Every node carries the label `Aithreat` and its type's label
 * (`Component`, `Zone`, `Data`, `Control`, `Crown`); components also their kind (`Agent`, `McpServer`)
 * and `Entry` / `Sink` when the analysis says so. Relationship types are the edge types upper-cased.
 */

/** Label of each node type. */
export const NODE_LABELS: Readonly<Record<string, string>> = {
  component: "Component",
  zone: "Zone",
  data: "Data",
  control: "Control",
  crown: "Crown",
};

/** A component kind as a label: `mcp_server` -> `McpServer`. */
export function kindLabel(kind: string): string {
  return kind
    .split("_")
    .map((w) => w.charAt(0).toUpperCase() + w.slice(1))
    .join("");
}

/** The labels of a node, `Aithreat` first. */
export function nodeLabels(a: ExportAttributes): string[] {
  const labels = ["Aithreat", NODE_LABELS[a["type"] as string]!];
  if (a["type"] === "component") {
    labels.push(kindLabel(a["kind"] as string));
    if (a["entry"] === true) labels.push("Entry");
    if (a["sink"] === true) labels.push("Sink");
  }
  return labels;
}

/** Relationship type of an edge type: `uses_control` -> `USES_CONTROL`. */
export const relationshipType = (type: string): string => type.toUpperCase();

// Array delimiters tried in order; the first that no exported list element contains is used, and the
// import command says which (neo4j-admin has no escape for it inside a value).
const ARRAY_DELIMITERS: readonly { char: string; option: string }[] = [
  { char: ";", option: ";" },
  { char: "|", option: "|" },
  { char: "\u001F", option: "U+001F" },
];

const NEO4J_TYPE: Readonly<Record<AttrType, string>> = {
  string: "string",
  int: "int",
  double: "double",
  boolean: "boolean",
  "string[]": "string[]",
};

function cell(value: AttrValue | undefined, delimiter: string): string {
  if (value === undefined) return "";
  if (typeof value === "string") return csvField(neo4jText(value));
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "true" : "false";
  // An empty list has no neo4j-admin spelling (an empty field means "no property"): it stays absent.
  if (value.length === 0) return "";
  // pickDelimiter reads the nodes' lists only (edges list names, which never hold one): should that
  // ever change, this stops the export rather than split a value in two.
  for (const s of value)
    if (s.includes(delimiter))
      throw new Error(`a list value holds the array delimiter \`${delimiter}\`: ${s}`);
  return csvField(neo4jText(value.join(delimiter)));
}

/** One of ARRAY_DELIMITERS. */
export type ArrayDelimiter = (typeof ARRAY_DELIMITERS)[number];

/**
 * Picks the array delimiter: the first candidate no list element of the export contains (a first
 * pass over the nodes: the edges' lists, `carries` and `controls`, hold names, which are made of
 * letters, digits, `_`, `.` and `-`; a second pass over every edge was a tenth of a 100k export).
 * When list elements hold every candidate (strings may hold any character), it names one element
 * holding the last, so the refusal can say where to look.
 */
export function pickDelimiter(source: ExportSource): ArrayDelimiter | { readonly taken: string } {
  const used = new Map<string, string>();
  const scan = (key: string, a: ExportAttributes) => {
    for (const k in a) {
      const v = a[k];
      if (Array.isArray(v))
        for (const s of v as readonly string[])
          for (const d of ARRAY_DELIMITERS)
            if (!used.has(d.char) && s.includes(d.char))
              used.set(d.char, `\`${k}\` of \`${String(a["name"] ?? key)}\``);
    }
  };
  for (const n of source.nodes()) scan(n.key, n.attributes);
  return (
    ARRAY_DELIMITERS.find((d) => !used.has(d.char)) ?? { taken: used.get(ARRAY_DELIMITERS.at(-1)!.char)! }
  );
}

/** Writes the Neo4j bulk-import files, row by row. */
export function writeNeo4j(source: ExportSource, sink: ExportSink, delimiter: ArrayDelimiter): void {
  const nodeColumns = [...NODE_COLUMNS];
  const edgeColumns = [...EDGE_COLUMNS];

  sink.write(
    "nodes.csv",
    csvRow(["key:ID", ":LABEL", ...nodeColumns.map(([k, t]) => `${k}:${NEO4J_TYPE[t]}`)]),
  );
  for (const n of source.nodes()) {
    checkColumns(n.attributes, NODE_COLUMNS, "node");
    sink.write(
      "nodes.csv",
      csvRow([
        csvField(n.key),
        // neo4j-admin splits `:LABEL` on the array delimiter too.
        csvField(nodeLabels(n.attributes).join(delimiter.char)),
        ...nodeColumns.map(([k]) => cell(n.attributes[k], delimiter.char)),
      ]),
    );
  }
  sink.write(
    "edges.csv",
    csvRow([
      ":START_ID",
      ":END_ID",
      ":TYPE",
      "key:string",
      ...edgeColumns.map(([k, t]) => `${k}:${NEO4J_TYPE[t]}`),
    ]),
  );
  for (const e of source.edges()) {
    checkColumns(e.attributes, EDGE_COLUMNS, "edge");
    sink.write(
      "edges.csv",
      csvRow([
        csvField(e.source),
        csvField(e.target),
        relationshipType(e.attributes["type"] as string),
        csvField(e.key),
        ...edgeColumns.map(([k]) => cell(e.attributes[k], delimiter.char)),
      ]),
    );
  }
  sink.write(
    "neo4j-import.sh",
    [
      "#!/bin/sh",
      "# Generated by `aithreat export --to neo4j`. Loads nodes.csv and edges.csv into a new, empty",
      "# Neo4j 5 database (default name: neo4j) with neo4j-admin; stop the database first. See docs/scale.md.",
      "set -eu",
      'cd "$(dirname "$0")"',
      `neo4j-admin database import full "\${1:-neo4j}" --nodes=nodes.csv --relationships=edges.csv --array-delimiter="${delimiter.option}" --multiline-fields=true`,
      "",
    ].join("\n"),
  );
}
