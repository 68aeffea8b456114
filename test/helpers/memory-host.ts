import path from "node:path";
import type { CompilerHost } from "../../src/host.js";

/** An in-memory file system for tests: absolute paths -> contents (strings are UTF-8 encoded). */
export function memoryHost(
  files: Record<string, string | Uint8Array>,
  links: Record<string, string> = {},
): CompilerHost {
  const enc = new TextEncoder();
  const norm = (p: string): string => {
    let cur = path.resolve(p);
    for (let i = 0; i < 40 && links[cur] !== undefined; i++)
      cur = path.resolve(path.dirname(cur), links[cur]!);
    return cur;
  };
  const get = (p: string) => files[norm(p)];
  return {
    stat(p) {
      const f = get(p);
      if (f === undefined) return { error: "no such file" };
      return { size: typeof f === "string" ? enc.encode(f).length : f.length };
    },
    readFile(p) {
      const f = get(p);
      if (f === undefined) return { error: "no such file" };
      return typeof f === "string" ? enc.encode(f) : f;
    },
    realpath(p) {
      const n = norm(p);
      return files[n] !== undefined || Object.keys(files).some((k) => k.startsWith(n + "/")) ? n : undefined;
    },
  };
}
