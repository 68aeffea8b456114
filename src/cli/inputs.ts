import fs from "node:fs";
import path from "node:path";

/** File extension of model files. */
export const MODEL_EXTENSION = ".aithreat";

/**
 * Expands the paths given on the command line: files as they are, folders into every `.aithreat`
 * file below them (sorted; `node_modules` and dot-folders skipped). Missing paths are returned
 * separately so the command can report them.
 */
export function expandInputs(paths: readonly string[]): { files: string[]; missing: string[] } {
  const files = new Set<string>();
  const missing: string[] = [];
  for (const p of paths) {
    const abs = path.resolve(p);
    let st: fs.Stats;
    try {
      st = fs.statSync(abs);
    } catch {
      missing.push(p);
      continue;
    }
    if (!st.isDirectory()) {
      files.add(abs);
      continue;
    }
    const stack = [abs];
    while (stack.length > 0) {
      const dir = stack.pop()!;
      let entries: fs.Dirent[];
      try {
        entries = fs.readdirSync(dir, { withFileTypes: true });
      } catch {
        missing.push(path.relative(process.cwd(), dir) || dir);
        continue;
      }
      for (const e of entries) {
        if (e.name.startsWith(".") || e.name === "node_modules") continue;
        const full = path.join(dir, e.name);
        if (e.isDirectory()) stack.push(full);
        else if (e.name.endsWith(MODEL_EXTENSION)) files.add(full);
      }
    }
  }
  return { files: [...files].sort(), missing };
}

/**
 * The project root: `--root` if given; else the nearest folder above the inputs holding
 * `aithreat.json` or `.git`; else the inputs' common folder. Imports may not leave it, and
 * diagnostics print paths relative to it.
 */
export function findRoot(files: readonly string[], explicit?: string): string {
  if (explicit) return path.resolve(explicit);
  const dirs = files.map((f) => path.dirname(f));
  let common = dirs[0] ?? process.cwd();
  for (const d of dirs) {
    while (!(d === common || d.startsWith(common.endsWith(path.sep) ? common : common + path.sep))) {
      const up = path.dirname(common);
      if (up === common) break;
      common = up;
    }
  }
  for (let dir = common; ; dir = path.dirname(dir)) {
    if (fs.existsSync(path.join(dir, "aithreat.json")) || fs.existsSync(path.join(dir, ".git"))) return dir;
    if (path.dirname(dir) === dir) break;
  }
  return common;
}
