import { existsSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";

/**
 * The repository root: the nearest folder above this module that holds package.json. Generators and
 * tests run from dist/, so a fixed `../..` would break the day the build layout changes.
 */
export function repoRoot(): string {
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(path.join(dir, "package.json"))) return dir;
    const up = path.dirname(dir);
    if (up === dir) throw new Error("aithreat: cannot find the repository root (no package.json above)");
    dir = up;
  }
}

/** An absolute path from a repository-relative one written with `/`. */
export function fromRoot(relative: string): string {
  return path.join(repoRoot(), ...relative.split("/"));
}
