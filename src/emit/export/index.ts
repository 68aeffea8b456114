import type { CompileAnalysis } from "../../compiler.js";
import type { OutputFile } from "../emitter.js";
import { CYPHER_LIMIT, cypherElementCount, cypherFiles } from "./cypher.js";
import { buildExportGraph, exportSource } from "./export-graph.js";
import { graphmlFiles } from "./graphml.js";
import { neo4jFiles } from "./neo4j.js";
import { DEFAULT_PG_SCHEMA, postgresFiles } from "./postgres.js";

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

/** The files of one export, or why it was refused. */
export type ExportResult =
  { readonly files: OutputFile[] } | { readonly refused: string; readonly hint: string };

/** Exports an analysed model in one format. Pure: returns files, writes nothing. */
export function exportFiles(
  analysis: CompileAnalysis,
  format: ExportFormat,
  options: ExportOptions = {},
): ExportResult {
  const source = exportSource(analysis);
  switch (format) {
    case "neo4j":
      return { files: neo4jFiles(source) };
    case "postgres":
      return { files: postgresFiles(source, options.pgSchema ?? DEFAULT_PG_SCHEMA) };
    case "graphml":
      return { files: graphmlFiles(source) };
    case "cypher": {
      const g = buildExportGraph(source);
      const count = cypherElementCount(g);
      if (count > CYPHER_LIMIT && !options.force)
        return {
          refused: `the model has ${count} nodes and relationships; the Cypher script is meant for at most ${CYPHER_LIMIT}`,
          hint: "use `--to neo4j` (bulk-import CSV, fast at any size), or `--force` to write the script anyway",
        };
      return { files: cypherFiles(g) };
    }
  }
}
