import type { Argv } from "yargs";
import { analyzeModel } from "../../compiler.js";
import { diag } from "../../diagnostics/diagnostic.js";
import { EXPORT_FORMATS, exportFiles, type ExportFormat } from "../../emit/export/index.js";
import { DEFAULT_PG_SCHEMA, isPgIdentifier } from "../../emit/export/postgres.js";
import type { CommandModule } from "../command.js";
import { loadModels, reportDiagnostics, withModelOptions, type ModelOptions } from "../common.js";
import { EXIT, type Io } from "../io.js";
import { writeOutputsAtomically } from "../write-outputs.js";

/** Options of `export`. */
export interface ExportArgs extends ModelOptions {
  to: ExportFormat;
  out: string;
  "pg-schema": string;
  force: boolean;
}

/** Runs `export`: check, analyse, write one format into `--out` atomically. */
export function runExport(io: Io, argv: ExportArgs): number {
  if (!isPgIdentifier(argv["pg-schema"])) {
    reportDiagnostics(
      io,
      [
        diag("AT9002", undefined, `\`--pg-schema ${argv["pg-schema"]}\` is not a plain lowercase SQL name`, {
          hint: "use lowercase letters, digits and `_`, starting with a letter or `_`",
        }),
      ],
      "text",
    );
    return EXIT.INVALID;
  }
  const loaded = loadModels(io, argv);
  if (!("model" in loaded) || !loaded.ok) {
    reportDiagnostics(io, loaded.diagnostics, "text");
    return EXIT.INVALID;
  }
  const analysis = analyzeModel(loaded.model);
  reportDiagnostics(io, [...loaded.diagnostics, ...analysis.diagnostics], "text");
  if (analysis.diagnostics.some((d) => d.severity === "error")) return EXIT.INTERNAL;
  const result = exportFiles(analysis, argv.to, { pgSchema: argv["pg-schema"], force: argv.force });
  if ("refused" in result) {
    reportDiagnostics(io, [diag("AT9002", undefined, result.refused, { hint: result.hint })], "text");
    return EXIT.INVALID;
  }
  writeOutputsAtomically(argv.out, result.files);
  if (!argv.quiet)
    io.err(
      `wrote ${result.files.length} files to ${argv.out}: ${argv.to} export of ${analysis.model.components.length} components, ${analysis.model.flows.length} flows\n`,
    );
  return EXIT.OK;
}

/** `aithreat export`: the analysed model for graph databases and graph tools. */
export const exportCommand: CommandModule = {
  command: "export <models...>",
  describe: "Export the analysed model for Neo4j, PostgreSQL, GraphML tools or a Cypher script",
  builder: (y: Argv) =>
    withModelOptions(y)
      .option("to", {
        describe: "format: Neo4j bulk-import CSV, PostgreSQL tables + queries, GraphML, Cypher script",
        choices: EXPORT_FORMATS,
        demandOption: true,
      })
      .option("out", {
        alias: "o",
        describe: "output folder (replaced atomically)",
        type: "string",
        demandOption: true,
      })
      .option("pg-schema", {
        describe: "PostgreSQL schema the tables go into (postgres only)",
        type: "string",
        default: DEFAULT_PG_SCHEMA,
      })
      .option("force", {
        describe: "write the Cypher script even for a model above its size limit",
        type: "boolean",
        default: false,
      })
      .example("$0 export org/ --to neo4j --out export/neo4j", "nodes.csv + edges.csv for neo4j-admin import")
      .example("$0 export org/ --to postgres --out export/pg", "tables, COPY-ready CSV and recursive queries")
      .example(
        "$0 export model.aithreat --to graphml --out export/gml",
        "a GraphML file for Gephi, yEd, NetworkX",
      ),
  run: (io, argv) => runExport(io, argv as unknown as ExportArgs),
};
