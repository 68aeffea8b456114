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
