import fs from "node:fs";
import path from "node:path";
import type { Argv } from "yargs";
import { analyzeModel } from "../../compiler.js";
import { diag } from "../../diagnostics/diagnostic.js";
import { EXPORT_FORMATS, planExport, type ExportFormat } from "../../emit/export/index.js";
import { DEFAULT_PG_SCHEMA, isPgIdentifier } from "../../emit/export/postgres.js";
import type { ExportSink } from "../../emit/export/sink.js";
import type { CommandModule } from "../command.js";
import { loadModels, reportDiagnostics, withModelOptions, type ModelOptions } from "../common.js";
import { EXIT, type Io } from "../io.js";
import { cannotWriteOut, outputFolderRefusal, safeJoin, writeFolderAtomically } from "../write-outputs.js";
import { plural } from "../../words.js";

/** Characters buffered per file before they are appended to it. */
const CHUNK = 1 << 20;

/**
 * Streams an export into a folder swapped into place by `writeFolderAtomically`, so a failed run leaves
 * the previous folder untouched. Rows are batched per file and appended in chunks of about CHUNK
 * characters, so memory stays flat however large the export grows. Returns the paths written, in
 * order of first write.
 */
export function writeExportAtomically(outDir: string, write: (sink: ExportSink) => void): string[] {
  return writeFolderAtomically(outDir, (temp) => {
    const open = new Map<string, { fd: number; parts: string[]; size: number }>();
    const flush = (f: { fd: number; parts: string[]; size: number }) => {
      if (f.size === 0) return;
      fs.writeSync(f.fd, f.parts.join(""));
      f.parts = [];
      f.size = 0;
    };
    try {
      write({
        write(rel, text) {
          let f = open.get(rel);
          if (!f) {
            const file = safeJoin(temp, rel, "export");
            fs.mkdirSync(path.dirname(file), { recursive: true });
            open.set(rel, (f = { fd: fs.openSync(file, "wx"), parts: [], size: 0 }));
          }
          f.parts.push(text);
          f.size += text.length;
          if (f.size >= CHUNK) flush(f);
        },
      });
      for (const f of open.values()) flush(f);
    } finally {
      for (const f of open.values()) fs.closeSync(f.fd);
    }
    return [...open.keys()];
  });
}

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
        diag(
          "AT9002",
          undefined,
          `\`--pg-schema ${argv["pg-schema"]}\` is not a schema aithreat may drop and recreate`,
          {
            hint: "use a plain lowercase name (letters, digits, `_`) of your own: not a reserved SQL word, not `public`, `information_schema` or `pg_*`",
          },
        ),
      ],
      "text",
    );
    return EXIT.INVALID;
  }
  const refused = outputFolderRefusal(argv.out);
  if (refused) {
    reportDiagnostics(io, [cannotWriteOut(argv.out, refused)], "text");
    return EXIT.INVALID;
  }
  const loaded = loadModels(io, argv);
  if (!("model" in loaded) || !loaded.ok) {
    reportDiagnostics(io, loaded.diagnostics, "text");
    return EXIT.INVALID;
  }
  // Exports read the findings and the paths, no view or metric.
  const analysis = analyzeModel(loaded.model, { onDemand: true });
  reportDiagnostics(io, [...loaded.diagnostics, ...analysis.diagnostics], "text");
  if (analysis.diagnostics.some((d) => d.severity === "error")) return EXIT.INTERNAL;
  const plan = planExport(analysis, argv.to, { pgSchema: argv["pg-schema"], force: argv.force });
  if ("refused" in plan) {
    reportDiagnostics(io, [diag("AT9002", undefined, plan.refused, { hint: plan.hint })], "text");
    return EXIT.INVALID;
  }
  let written: string[];
  try {
    written = writeExportAtomically(argv.out, plan.write);
  } catch (e) {
    // A file in the way, no permission, a full disk: the command line or the machine is at fault,
    // not aithreat (an error without a system code is a bug and stays an internal error).
    if (typeof (e as NodeJS.ErrnoException).code !== "string") throw e;
    reportDiagnostics(io, [cannotWriteOut(argv.out, (e as Error).message)], "text");
    return EXIT.INVALID;
  }
  if (!argv.quiet)
    io.err(
      `wrote ${plural(written.length, "file")} to ${argv.out}: ${argv.to} export of ${analysis.model.components.length} components, ${analysis.model.flows.length} flows\n`,
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
