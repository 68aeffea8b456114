import path from "node:path";
import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * `parseArgs` for the benchmark scripts: `--help` prints the options with their defaults, and an
 * unknown or malformed option is a one-line usage error (exit 2) instead of a stack trace.
 */
export function benchArgs<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>> {
  const args = config.args ?? process.argv.slice(2);
  const script = path.basename(process.argv[1] ?? "bench");
  const usage = () => {
    const lines = Object.entries(config.options ?? {}).map(([name, o]) => {
      const value = o.type === "string" ? ` <${name}>` : "";
      const given = o.default === undefined ? "" : ` (default: ${JSON.stringify(o.default)})`;
      return `  --${name}${value}${given}`;
    });
    return `usage: node ${script} [options]${config.allowPositionals ? " [args...]" : ""}\n${lines.join("\n")}\n`;
  };
  if (args.includes("--help") || args.includes("-h")) {
    process.stdout.write(usage());
    process.exit(0);
  }
  try {
    // The same config with its arguments spelt out: the result has the caller's option types.
    return parseArgs<T>({ ...config, args });
  } catch (e) {
    process.stderr.write(`${script}: ${(e as Error).message}\n${usage()}`);
    process.exit(2);
  }
}

/**
 * A model size from the command line: `250`, `10_000`, `10k`, `1.5M` (k and m in either case). Anything else
 * is a usage error (exit 2): `1m` once read as one component and failed deep in the generator.
 */
export function parseSize(text: string): number {
  const m = /^(\d+(?:\.\d+)?)([kKmM]?)$/.exec(text.trim().replace(/_/g, ""));
  const n = m ? Math.round(Number(m[1]) * ({ "": 1, k: 1e3, K: 1e3, m: 1e6, M: 1e6 }[m[2]!] ?? 1)) : 0;
  if (n < 1) {
    process.stderr.write(
      `${path.basename(process.argv[1] ?? "bench")}: not a size: \`${text}\` (e.g. 10k, 1M)\n`,
    );
    process.exit(2);
  }
  return n;
}

/** A comma-separated list of sizes (`--sizes 1k,10k,100k`); empty items are skipped. */
export const parseSizes = (text: string): number[] =>
  text
    .split(",")
    .filter((s) => s.trim() !== "")
    .map(parseSize);
