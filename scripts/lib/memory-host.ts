import path from "node:path";
import type { CompilerHost } from "../../src/host.js";

/** A file of an in-memory project: text, raw bytes, or a read error to simulate. */
export type MemoryFile = string | Uint8Array | { readonly error: string };

/**
 * An in-memory file system for the generators' examples (absolute paths -> contents), so the
 * documentation shows what the compiler really says without touching the disk.
 */
export function memoryHost(files: Readonly<Record<string, MemoryFile>>): CompilerHost {
  const enc = new TextEncoder();
  const bytes = (f: MemoryFile): Uint8Array | { error: string } =>
    typeof f === "string" ? enc.encode(f) : f instanceof Uint8Array ? f : { error: f.error };
  return {
    stat(p) {
      const f = files[path.resolve(p)];
      if (f === undefined) return { error: "no such file" };
      const b = bytes(f);
      // A simulated read error still has a size: the failure comes when reading, as on a real disk.
      return { size: "error" in b ? 0 : b.length };
    },
    readFile(p) {
      const f = files[path.resolve(p)];
      return f === undefined ? { error: "no such file" } : bytes(f);
    },
    realpath(p) {
      const abs = path.resolve(p);
      return files[abs] !== undefined || Object.keys(files).some((k) => k.startsWith(abs + "/"))
        ? abs
        : undefined;
    },
  };
}
