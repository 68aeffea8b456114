import type { CompileAnalysis } from "../../compiler.js";
import type { OutputFile } from "../emitter.js";
import { CYPHER_LIMIT, cypherElementCount, writeCypher } from "./cypher.js";
import { exportSource } from "./export-graph.js";
import { writeGraphml } from "./graphml.js";
import { pickDelimiter, writeNeo4j } from "./neo4j.js";
import { DEFAULT_PG_SCHEMA, writePostgres } from "./postgres.js";
import { memorySink, type ExportSink } from "./sink.js";

/** The formats `aithreat export --to` writes. */
export const EXPORT_FORMATS = ["neo4j", "postgres", "graphml", "cypher"] as const;
/** One export format. */
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/** Options of an export. */
export interface ExportOptions {
  /** PostgreSQL schema the tables go into (default `aithreat`). */
  readonly pgSchema?: string;
  /** Write the Cypher script even above CYPHER_LIMIT elements. */
  readonly force?: boolean;
}

/** Why an export was refused, and what to do instead. */
export interface ExportRefusal {
  readonly refused: string;
  readonly hint: string;
}

/** An export ready to write, or why it was refused (decided before anything is written). */
export type ExportPlan = ExportRefusal | { readonly write: (sink: ExportSink) => void };

/** The files of one export, or why it was refused. */
export type ExportResult = { readonly files: OutputFile[] } | ExportRefusal;

/** Prepares an export of an analysed model in one format; writing it streams into a sink. */
export function planExport(
  analysis: CompileAnalysis,
  format: ExportFormat,
  options: ExportOptions = {},
): ExportPlan {
  const source = exportSource(analysis);
  switch (format) {
    case "neo4j": {
      const delimiter = pickDelimiter(source);
      // neo4j-admin has no escape for its array delimiter inside a value, and strings may hold any
      // character: a model whose lists hold every candidate cannot be imported faithfully.
      if ("taken" in delimiter)
        return {
          refused: `list values hold every array delimiter neo4j-admin can be given here (\`;\`, \`|\` and U+001F, the last in ${delimiter.taken}), and it has no escape for them`,
          hint: "drop one of these characters from the model's lists (tags, regulated ...), or use `--to postgres` or `--to graphml`",
        };
      return { write: (sink) => writeNeo4j(source, sink, delimiter) };
    }
    case "postgres":
      return { write: (sink) => writePostgres(source, sink, options.pgSchema ?? DEFAULT_PG_SCHEMA) };
    case "graphml":
      return { write: (sink) => writeGraphml(source, sink) };
    case "cypher": {
      const count = cypherElementCount(source);
      if (count > CYPHER_LIMIT && !options.force)
        return {
          refused: `the model has ${count} nodes and relationships; the Cypher script is meant for at most ${CYPHER_LIMIT}`,
          hint: "use `--to neo4j` (bulk-import CSV, fast at any size), or `--force` to write the script anyway",
        };
      return { write: (sink) => writeCypher(source, sink) };
    }
  }
}

/** Exports an analysed model in one format into memory. Pure: returns files, writes nothing. */
export function exportFiles(
  analysis: CompileAnalysis,
  format: ExportFormat,
  options: ExportOptions = {},
): ExportResult {
  const plan = planExport(analysis, format, options);
  if ("refused" in plan) return plan;
  const sink = memorySink();
  plan.write(sink);
  return { files: sink.files() };
}
