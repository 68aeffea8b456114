import path from "node:path";
import type { CompilerHost } from "../../src/host.js";

// Enough hops for any honest chain of links; a loop of links ends here, as ELOOP ends it on disk.
const MAX_LINK_HOPS = 40;

/**
 * An in-memory file system for tests: absolute paths -> contents (strings are UTF-8 encoded).
 * `links` maps a link's absolute path to its target (relative to the link's folder, or absolute);
 * like the real file system, a link may stand for any component of a path, so a linked folder works.
 * A folder exists when some file lies below it; `stat` of a folder says "is a directory", as the
 * Node host does.
 */
export function memoryHost(
  files: Record<string, string | Uint8Array>,
  links: Record<string, string> = {},
): CompilerHost {
  const enc = new TextEncoder();
  // Resolves links component by component, as realpath(3) does; undefined for a loop of links.
  const norm = (p: string): string | undefined => {
    const pending = path.resolve(p).split("/").filter(Boolean);
    let cur = "/";
    let hops = 0;
    while (pending.length > 0) {
      const next = path.join(cur, pending.shift()!);
      const target = links[next];
      if (target === undefined) {
        cur = next;
        continue;
      }
      if (++hops > MAX_LINK_HOPS) return undefined;
      const resolved = path.resolve(cur, target);
      // Re-walk the target so links inside it resolve too.
      pending.unshift(...resolved.split("/").filter(Boolean));
      cur = "/";
    }
    return cur;
  };
  const isDir = (n: string) => Object.keys(files).some((k) => k.startsWith(n === "/" ? "/" : `${n}/`));
  const get = (p: string) => {
    const n = norm(p);
    return n === undefined ? undefined : files[n];
  };
  return {
    stat(p) {
      const f = get(p);
      if (f === undefined) {
        const n = norm(p);
        return { error: n !== undefined && isDir(n) ? "is a directory" : "no such file" };
      }
      return { size: typeof f === "string" ? enc.encode(f).length : f.length };
    },
    readFile(p) {
      const f = get(p);
      if (f === undefined) return { error: "no such file" };
      return typeof f === "string" ? enc.encode(f) : f;
    },
    realpath(p) {
      const n = norm(p);
      if (n === undefined) return undefined;
      return files[n] !== undefined || isDir(n) ? n : undefined;
    },
    // The names right below a folder (files, folders and links), as readdir gives them.
    listFolder(p) {
      const n = norm(p);
      if (n === undefined || !isDir(n)) return undefined;
      const prefix = n === "/" ? "/" : `${n}/`;
      const names = new Set<string>();
      for (const k of [...Object.keys(files), ...Object.keys(links)])
        if (k.startsWith(prefix)) names.add(k.slice(prefix.length).split("/")[0]!);
      return [...names];
    },
  };
}
