/**
 * `node dist/bench/gen/cli.js --components N [--files F] [--seed S] [--coupling C] --out DIR [--json]`:
 * writes a generated organisation model (shared/, systems/, links/) under DIR and prints its sizes.
 */
import { parseArgs } from "node:util";
import { parseSize } from "../args.js";
import { writeModel, type Format } from "./generate.js";

const USAGE = `usage: node dist/bench/gen/cli.js --components N --out DIR [options]

  --components N   total components (shared providers included)
  --files F        system files, one system each (default: components / 250)
  --seed S         seed; the same arguments give byte-identical files (default 1)
  --coupling C     multiplies each system's 1-10% cross-system share (default 1; 10 = coupled)
  --json           also write the equivalent JSON documents (*.json beside each file)
  --only-json      write only the JSON documents`;

function main(argv: string[]): number {
  const { values } = parseArgs({
    args: argv,
    options: {
      components: { type: "string" },
      files: { type: "string" },
      seed: { type: "string", default: "1" },
      coupling: { type: "string", default: "1" },
      out: { type: "string" },
      json: { type: "boolean", default: false },
      "only-json": { type: "boolean", default: false },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  if (values.help || values.components === undefined || values.out === undefined) {
    console.error(USAGE);
    return values.help ? 0 : 2;
  }
  const seed = Number(values.seed);
  if (!Number.isInteger(seed)) throw new Error(`--seed must be a whole number, not \`${values.seed}\``);
  const formats: Format[] = values["only-json"]
    ? ["json"]
    : values.json
      ? ["aithreat", "json"]
      : ["aithreat"];
  const started = performance.now();
  const stats = writeModel(
    {
      components: parseSize(values.components),
      ...(values.files === undefined ? {} : { files: parseSize(values.files) }),
      seed,
      coupling: Number(values.coupling),
    },
    values.out,
    formats,
  );
  const ms = performance.now() - started;
  formats.forEach((f, k) => console.log(JSON.stringify({ format: f, ...stats[k] })));
  console.error(`wrote ${stats[0]!.files} files per format to ${values.out} in ${(ms / 1000).toFixed(1)} s`);
  return 0;
}

try {
  process.exitCode = main(process.argv.slice(2));
} catch (e) {
  console.error(`gen: ${e instanceof Error ? e.message : String(e)}`);
  process.exitCode = 2;
}
