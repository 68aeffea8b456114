import { ENTRY_CLASSES } from "../../analysis/facts.js";
import { KIND_PROP_TYPES, type AttrValue } from "../../graph/model-graph.js";
import { locationView } from "../location-view.js";
import { csvField, csvRow, numberText, pgArray, pgText, sqlString } from "./escape.js";
import type { ExportAttributes, ExportSource } from "./export-graph.js";
import { PG_QUERIES } from "./postgres-queries.js";
import type { ExportSink } from "./sink.js";

/**
 * PostgreSQL: `schema.sql` (tables and indexes, in their own schema), one COPY-ready CSV per table,
 * `queries.sql` (the recursive queries of postgres-queries.ts as views, materialised views and a
 * function) and `load.sql`, a psql script that runs the three in order. Components, zones, data
 * assets, flows and attack steps keep aithreat's integer indices (declaration order) as ids, so the
 * queries join on integers.
 */

/** The default schema the tables go into. */
export const DEFAULT_PG_SCHEMA = "aithreat";

// PostgreSQL's reserved key words (SQL Key Words appendix, "reserved" and "reserved (can be function or
// type)"): unquoted, they are syntax errors as a schema name.
const PG_RESERVED = new Set(
  (
    "all analyse analyze and any array as asc asymmetric authorization binary both case cast check " +
    "collate collation column concurrently constraint create cross current_catalog current_date " +
    "current_role current_schema current_time current_timestamp current_user default deferrable desc " +
    "distinct do else end except false fetch for foreign freeze from full grant group having ilike in " +
    "initially inner intersect into is isnull join lateral leading left like limit localtime " +
    "localtimestamp natural not notnull null offset on only or order outer overlaps placing primary " +
    "references returning right select session_user similar some symmetric system_user table " +
    "tablesample then to trailing true union unique user using variadic verbose when where window with"
  ).split(" "),
);

/**
 * Whether a schema name can be written into SQL unquoted and is safe to drop and recreate: the load
 * script begins with `DROP SCHEMA ... CASCADE`, so the database's own schemas (`public`, `pg_*`,
 * `information_schema`) are refused, as are reserved words.
 */
export function isPgIdentifier(name: string): boolean {
  return (
    /^[a-z_][a-z0-9_]{0,62}$/.test(name) &&
    !PG_RESERVED.has(name) &&
    name !== "public" &&
    name !== "information_schema" &&
    !name.startsWith("pg_")
  );
}

type Value = AttrValue | undefined | { readonly json: Readonly<Record<string, AttrValue>> };

interface Column {
  readonly name: string;
  readonly type: string;
}

interface Table {
  readonly name: string;
  readonly doc: string;
  readonly columns: readonly Column[];
  /** Extra lines of the CREATE TABLE body (keys), and the indexes after it. */
  readonly constraints: readonly string[];
  readonly indexes: readonly string[];
}

const col = (name: string, type: string): Column => ({ name, type });

/** The tables, in creation and load order (references point backwards). */
export const PG_TABLES: readonly Table[] = [
  {
    name: "zone",
    doc: "Trust zones; `parent` is the enclosing zone.",
    columns: [
      col("id", "integer NOT NULL"),
      col("name", "text NOT NULL"),
      col("title", "text"),
      col("parent", "integer"),
      col("trust", "text NOT NULL"),
      col("owner", "text"),
      col("description", "text"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: ["PRIMARY KEY (id)", "UNIQUE (name)"],
    indexes: [],
  },
  {
    name: "component",
    doc: "Components with the analysis on them: entry classes, observable sink, findings.",
    columns: [
      col("id", "integer NOT NULL"),
      col("name", "text NOT NULL"),
      col("kind", "text NOT NULL"),
      col("title", "text"),
      col("zone", "integer"),
      col("trust", "text NOT NULL"),
      col("owner", "text"),
      col("description", "text"),
      col("system", "text"),
      col("crown", "text[] NOT NULL"),
      col("tags", "text[] NOT NULL"),
      col("controls", "text[] NOT NULL"),
      col("props", "jsonb NOT NULL"),
      col("entry", "boolean NOT NULL"),
      col("entry_classes", "text[] NOT NULL"),
      col("sink", "boolean NOT NULL"),
      col("can_exfiltrate", "boolean NOT NULL"),
      col("third_party", "boolean NOT NULL"),
      col("sensitivity", "text"),
      col("findings", "integer NOT NULL"),
      col("open_findings", "integer NOT NULL"),
      col("worst_severity", "text"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: ["PRIMARY KEY (id)", "UNIQUE (name)"],
    indexes: ["CREATE INDEX component_sink ON component (id) WHERE sink;"],
  },
  {
    name: "data_asset",
    doc: "Data assets.",
    columns: [
      col("id", "integer NOT NULL"),
      col("name", "text NOT NULL"),
      col("title", "text"),
      col("classification", "text"),
      col("crown", "text[] NOT NULL"),
      col("regulated", "text[] NOT NULL"),
      col("owner", "text"),
      col("description", "text"),
      col("findings", "integer NOT NULL"),
      col("open_findings", "integer NOT NULL"),
      col("worst_severity", "text"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: ["PRIMARY KEY (id)", "UNIQUE (name)"],
    indexes: [],
  },
  {
    name: "control",
    doc: "Controls the model uses (built-in) or declares.",
    columns: [
      col("name", "text NOT NULL"),
      col("title", "text"),
      col("builtin", "boolean NOT NULL"),
      col("cost", "double precision NOT NULL"),
      col("atlas", "text[] NOT NULL"),
      col("mitigates", "text[] NOT NULL"),
      col("owner", "text"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: ["PRIMARY KEY (name)"],
    indexes: [],
  },
  {
    name: "flow",
    doc: "Flows; `name` is the flow's id (its name, or `from->to`).",
    columns: [
      col("id", "integer NOT NULL"),
      col("name", "text NOT NULL"),
      col("src", "integer NOT NULL"),
      col("dst", "integer NOT NULL"),
      col("kind", "text NOT NULL"),
      col("title", "text"),
      col("description", "text"),
      col("auth", "text"),
      col("encrypted", "boolean"),
      col("carries", "text[] NOT NULL"),
      col("controls", "text[] NOT NULL"),
      col("findings", "integer NOT NULL"),
      col("open_findings", "integer NOT NULL"),
      col("worst_severity", "text"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: [
      "PRIMARY KEY (id)",
      "UNIQUE (name)",
      "FOREIGN KEY (src) REFERENCES component (id)",
      "FOREIGN KEY (dst) REFERENCES component (id)",
    ],
    indexes: ["CREATE INDEX flow_src ON flow (src);", "CREATE INDEX flow_dst ON flow (dst);"],
  },
  {
    name: "holds",
    doc: "Component holds data asset.",
    columns: [col("component", "integer NOT NULL"), col("data_asset", "integer NOT NULL")],
    constraints: [
      "PRIMARY KEY (component, data_asset)",
      "FOREIGN KEY (component) REFERENCES component (id)",
      "FOREIGN KEY (data_asset) REFERENCES data_asset (id)",
    ],
    indexes: [],
  },
  {
    name: "carries",
    doc: "Flow carries data asset.",
    columns: [col("flow", "integer NOT NULL"), col("data_asset", "integer NOT NULL")],
    constraints: [
      "PRIMARY KEY (flow, data_asset)",
      "FOREIGN KEY (flow) REFERENCES flow (id)",
      "FOREIGN KEY (data_asset) REFERENCES data_asset (id)",
    ],
    indexes: [],
  },
  {
    name: "uses_control",
    doc: "A control in place on a component, or on a flow (then `component` is the flow's sender).",
    columns: [
      col("control", "text NOT NULL"),
      col("component", "integer NOT NULL"),
      col("flow", "integer"),
      col("implied_by", "text"),
    ],
    constraints: [
      "FOREIGN KEY (control) REFERENCES control (name)",
      "FOREIGN KEY (component) REFERENCES component (id)",
      "FOREIGN KEY (flow) REFERENCES flow (id)",
    ],
    indexes: [],
  },
  {
    name: "entry",
    doc: "Attacker entries: one row per entry component and entry class.",
    columns: [col("component", "integer NOT NULL"), col("entry_class", "text NOT NULL")],
    constraints: [
      "PRIMARY KEY (entry_class, component)",
      "FOREIGN KEY (component) REFERENCES component (id)",
    ],
    indexes: [],
  },
  {
    name: "step",
    doc: "The attack graph: every flow forward, plus the result of an invoke or delegate flowing back (`returned`). `turns`: the step gives the attacker its receiver's actions (injected instructions, a tampered artifact a loader runs, an agent's tool call, a delegated task). `weight` is -ln(likelihood), NULL when a declared control cuts the step; `exfil_weight` is the weight on a disclosure's way out, NULL when a way-out control closes it.",
    columns: [
      col("id", "integer NOT NULL"),
      col("src", "integer NOT NULL"),
      col("dst", "integer NOT NULL"),
      col("flow", "integer NOT NULL"),
      col("returned", "boolean NOT NULL"),
      col("kind", "text NOT NULL"),
      col("rule", "text"),
      col("technique", "text"),
      col("turns", "boolean NOT NULL"),
      col("likelihood", "double precision NOT NULL"),
      col("weight", "double precision"),
      col("exfil_weight", "double precision"),
      col("controls", "text[] NOT NULL"),
    ],
    constraints: [
      "PRIMARY KEY (id)",
      "FOREIGN KEY (src) REFERENCES component (id)",
      "FOREIGN KEY (dst) REFERENCES component (id)",
      "FOREIGN KEY (flow) REFERENCES flow (id)",
    ],
    indexes: [
      "CREATE INDEX step_src ON step (src) INCLUDE (dst, weight);",
      "CREATE INDEX step_dst ON step (dst) INCLUDE (src, weight, exfil_weight);",
    ],
  },
  {
    name: "crown",
    doc: "Crown-jewel properties (attack targets), with aithreat's own exposure summary.",
    columns: [
      col("id", "integer NOT NULL"),
      col("name", "text NOT NULL"),
      col("subject", "text NOT NULL"),
      col("subject_type", "text NOT NULL"),
      col("property", "text NOT NULL"),
      col("mode", "text"),
      col("entries", "integer"),
      col("best_likelihood", "double precision"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: ["PRIMARY KEY (id)", "UNIQUE (name)"],
    indexes: [],
  },
  {
    name: "target",
    doc: "Components where an attack on a crown-jewel property succeeds (for a disclosure: readers of the asset, before the way-out check). `turned`: a reader that only a step turns (neither an LLM consumer nor an entry), reached only when the way in ends with a step that `turns` it.",
    columns: [
      col("crown", "integer NOT NULL"),
      col("component", "integer NOT NULL"),
      col("turned", "boolean NOT NULL"),
    ],
    constraints: [
      "PRIMARY KEY (crown, component)",
      "FOREIGN KEY (crown) REFERENCES crown (id)",
      "FOREIGN KEY (component) REFERENCES component (id)",
    ],
    indexes: ["CREATE INDEX target_component ON target (component);"],
  },
  {
    name: "exposure",
    doc: "aithreat's own exposure matrix, to compare with the `exposure_matrix` view.",
    columns: [
      col("crown", "integer NOT NULL"),
      col("entry_class", "text NOT NULL"),
      col("reachable", "boolean NOT NULL"),
      col("entries", "integer NOT NULL"),
      col("likelihood", "double precision NOT NULL"),
      col("steps", "integer NOT NULL"),
    ],
    constraints: ["PRIMARY KEY (crown, entry_class)", "FOREIGN KEY (crown) REFERENCES crown (id)"],
    indexes: [],
  },
  {
    name: "finding",
    doc: "Findings with their subject (one of `component`, `flow`, `data_asset` is set).",
    columns: [
      col("id", "text NOT NULL"),
      col("fingerprint", "text NOT NULL"),
      col("rule", "text NOT NULL"),
      col("title", "text NOT NULL"),
      col("severity", "text NOT NULL"),
      col("status", "text NOT NULL"),
      col("likelihood", "text NOT NULL"),
      col("impact", "text NOT NULL"),
      col("residual_severity", "text NOT NULL"),
      col("subject_type", "text NOT NULL"),
      col("subject", "text NOT NULL"),
      col("component", "integer"),
      col("flow", "integer"),
      col("data_asset", "integer"),
      col("file", "text"),
      col("line", "integer"),
    ],
    constraints: [
      "PRIMARY KEY (id)",
      "FOREIGN KEY (component) REFERENCES component (id)",
      "FOREIGN KEY (flow) REFERENCES flow (id)",
      "FOREIGN KEY (data_asset) REFERENCES data_asset (id)",
    ],
    indexes: ["CREATE INDEX finding_component ON finding (component);"],
  },
];

const TABLE = new Map(PG_TABLES.map((t) => [t.name, t]));

function pgJson(value: Readonly<Record<string, AttrValue>>): string {
  // NUL has no place in jsonb text either (`\u0000` is rejected), so strings are cleaned first.
  const clean = (v: AttrValue): AttrValue =>
    typeof v === "string" ? pgText(v) : Array.isArray(v) ? (v as readonly string[]).map(pgText) : v;
  return JSON.stringify(Object.fromEntries(Object.entries(value).map(([k, v]) => [pgText(k), clean(v)])));
}

function cell(value: Value): string {
  if (value === undefined) return "";
  if (typeof value === "string") return csvField(pgText(value));
  if (typeof value === "number") return numberText(value);
  if (typeof value === "boolean") return value ? "t" : "f";
  if (Array.isArray(value)) return csvField(pgArray(value as readonly string[]));
  return csvField(pgJson((value as { json: Readonly<Record<string, AttrValue>> }).json));
}

/** Writes every table's CSV, header first, rows from one pass over the export's nodes and edges. */
function writeTables(source: ExportSource, sink: ExportSink): void {
  const { model, findings } = source.analysis;
  for (const t of PG_TABLES) sink.write(`${t.name}.csv`, csvRow(t.columns.map((c) => c.name)));
  const NONE: ExportAttributes = {};
  // Columns are read from `extra` first, then from the node's or edge's attributes of the same name.
  const push = (table: string, a: ExportAttributes, extra: Readonly<Record<string, Value>>) => {
    const t = TABLE.get(table)!;
    sink.write(
      `${table}.csv`,
      csvRow(t.columns.map((c) => cell(c.name in extra ? extra[c.name] : a[c.name]))),
    );
  };
  const componentId = new Map(model.components.map((c) => [`component:${c.name}`, c.index]));
  const zoneId = new Map(model.zones.map((z) => [z.name, z.index]));
  const dataId = new Map(model.data.map((d) => [`data:${d.name}`, d.index]));
  const flowId = new Map(model.flows.map((f) => [f.id, f.index]));
  const crownId = new Map<string, number>();

  for (const n of source.nodes()) {
    const a = n.attributes;
    switch (a["type"] as string) {
      case "zone":
        push("zone", a, { id: a["index"], parent: model.zones[a["index"] as number]!.parent });
        break;
      case "component": {
        const props: Record<string, AttrValue> = {};
        for (const k of KIND_PROP_TYPES.keys()) if (a[k] !== undefined) props[k.slice(5)] = a[k];
        push("component", a, {
          id: a["index"],
          zone: a["zone"] === undefined ? undefined : zoneId.get(a["zone"] as string),
          props: { json: props },
        });
        for (const cls of a["entry_classes"] as readonly string[])
          push("entry", NONE, { component: a["index"], entry_class: cls });
        break;
      }
      case "data":
        push("data_asset", a, { id: a["index"] });
        break;
      case "control":
        push("control", a, {});
        break;
      case "crown": {
        const id = crownId.size;
        crownId.set(n.key, id);
        push("crown", a, { id });
        for (const cls of ENTRY_CLASSES) {
          if (a[`reachable_${cls}`] === undefined) continue;
          push("exposure", NONE, {
            crown: id,
            entry_class: cls,
            reachable: a[`reachable_${cls}`],
            entries: a[`entries_${cls}`],
            likelihood: a[`likelihood_${cls}`],
            steps: a[`steps_${cls}`],
          });
        }
        break;
      }
    }
  }
  for (const e of source.edges()) {
    const a = e.attributes;
    switch (a["type"] as string) {
      case "flows":
        push("flow", a, {
          id: a["index"],
          name: a["id"],
          src: componentId.get(e.source),
          dst: componentId.get(e.target),
        });
        break;
      case "holds":
        push("holds", NONE, { component: componentId.get(e.source), data_asset: dataId.get(e.target) });
        break;
      case "carries":
        push("carries", NONE, { flow: flowId.get(a["flow"] as string), data_asset: dataId.get(e.target) });
        break;
      case "uses_control":
        push("uses_control", a, {
          control: e.target.slice("control:".length),
          component: componentId.get(e.source),
          flow: a["flow"] === undefined ? undefined : flowId.get(a["flow"] as string),
        });
        break;
      case "step":
      case "cut_step":
        push("step", a, {
          id: a["index"],
          src: componentId.get(e.source),
          dst: componentId.get(e.target),
          flow: flowId.get(a["flow"] as string),
        });
        break;
      case "target":
        push("target", NONE, {
          crown: crownId.get(e.target),
          component: componentId.get(e.source),
          turned: a["turned"],
        });
        break;
    }
  }
  for (const f of findings) {
    const loc = locationView(f.location);
    push("finding", NONE, {
      id: f.id,
      fingerprint: f.fingerprint,
      rule: f.rule,
      title: f.title,
      severity: f.severity,
      status: f.status,
      likelihood: f.likelihood,
      impact: f.impact,
      residual_severity: f.residualSeverity,
      subject_type: f.subject.type,
      subject: f.subjectName,
      component: f.subject.type === "component" ? f.subject.index : undefined,
      flow: f.subject.type === "flow" ? f.subject.index : undefined,
      data_asset: f.subject.type === "data" ? f.subject.index : undefined,
      file: loc.file,
      line: loc.line,
    });
  }
}

/** `schema.sql`: the schema, its tables and indexes. */
export function pgSchema(schema: string): string {
  const out = [
    "-- Generated by `aithreat export --to postgres`: tables for one analysed model (docs/scale.md).",
    "-- Re-running it drops and recreates the schema.",
    `DROP SCHEMA IF EXISTS ${schema} CASCADE;`,
    `CREATE SCHEMA ${schema};`,
    `SET search_path TO ${schema};`,
    "",
  ];
  for (const t of PG_TABLES) {
    out.push(`-- ${t.doc}`);
    out.push(`CREATE TABLE ${t.name} (`);
    const body = [...t.columns.map((c) => `${c.name} ${c.type}`), ...t.constraints];
    out.push(body.map((l, i) => `  ${l}${i < body.length - 1 ? "," : ""}`).join("\n"));
    out.push(");");
    out.push(...t.indexes);
    out.push("");
  }
  return out.join("\n");
}

/** `queries.sql`: the documented recursive queries. */
export function pgQueries(schema: string): string {
  const out = [
    "-- Generated by `aithreat export --to postgres`: reachability, exposure and attack paths in SQL",
    "-- (docs/scale.md explains each query and where it differs from aithreat's own analysis).",
    `SET search_path TO ${schema};`,
    "",
  ];
  for (const q of PG_QUERIES) out.push(`-- ${q.name}: ${q.doc}`, q.sql, "");
  return out.join("\n");
}

/** `load.sql`: a psql script run from the export folder (`psql -f load.sql`). */
export function pgLoad(schema: string): string {
  const out = [
    "-- Generated by `aithreat export --to postgres`. Run from this folder: psql -v ON_ERROR_STOP=1 -f load.sql",
    "\\set ON_ERROR_STOP on",
    "\\i schema.sql",
    "BEGIN;",
    `SET search_path TO ${schema};`,
  ];
  for (const t of PG_TABLES)
    out.push(`\\copy ${t.name} FROM '${t.name}.csv' WITH (FORMAT csv, HEADER true, ENCODING 'UTF8')`);
  out.push("COMMIT;", "ANALYZE;", "\\i queries.sql", "");
  return out.join("\n");
}

/** Writes every PostgreSQL file of the export. */
export function writePostgres(source: ExportSource, sink: ExportSink, schema = DEFAULT_PG_SCHEMA): void {
  if (!isPgIdentifier(schema)) throw new Error(`invalid PostgreSQL schema name ${sqlString(schema)}`);
  sink.write("schema.sql", pgSchema(schema));
  sink.write("queries.sql", pgQueries(schema));
  sink.write("load.sql", pgLoad(schema));
  writeTables(source, sink);
}
