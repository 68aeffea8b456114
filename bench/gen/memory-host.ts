/**
 * An in-memory `CompilerHost` for generated models. Files are held as UTF-8 bytes, as the real host
 * returns them, so decoding stays inside what a benchmark measures. Lookups are map hits: the
 * test helper's host scans every path on a miss, which is quadratic over thousands of files.
 */
import path from "node:path";
import type { CompilerHost } from "../../src/host.js";
import type { GeneratedFile } from "./generate.js";

/** A host over generated files placed under `root`, and the absolute paths of those files. */
export function generatedHost(
  files: readonly GeneratedFile[],
  root = "/model",
): { host: CompilerHost; inputs: string[]; root: string } {
  const bytes = new Map<string, Uint8Array>();
  const dirs = new Set<string>([root]);
  for (const f of files) {
    const abs = path.posix.join(root, f.path);
    bytes.set(abs, Buffer.from(f.text, "utf8"));
    for (let d = path.posix.dirname(abs); d.length > root.length; d = path.posix.dirname(d)) dirs.add(d);
  }
  const host: CompilerHost = {
    stat(p) {
      const b = bytes.get(p);
      if (b) return { size: b.length };
      return dirs.has(p) ? { error: "is a directory" } : { error: "no such file" };
    },
    readFile(p) {
      return bytes.get(p) ?? { error: "no such file" };
    },
    realpath(p) {
      const n = path.posix.normalize(p);
      return bytes.has(n) || dirs.has(n) ? n : undefined;
    },
  };
  return { host, inputs: [...bytes.keys()].sort(), root };
}
