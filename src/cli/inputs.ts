import fs from "node:fs";
import path from "node:path";

/** File extension of model files. */
export const MODEL_EXTENSION = ".aithreat";

/**
 * Expands the paths given on the command line: files as they are, folders into every `.aithreat`
 * file below them (sorted; `node_modules` and dot-folders skipped). Missing paths are returned
 * separately so the command can report them, and the files a folder holds as symbolic links
 * (`linked`, also in `files`), which the caller checks against the project root: a link in a
 * pull request could otherwise have any file of the machine read and quoted.
 */
export function expandInputs(paths: readonly string[]): {
  files: string[];
  missing: string[];
  linked: string[];
} {
  const files = new Set<string>();
  const missing: string[] = [];
  const linked: string[] = [];
  for (const p of paths) {
    const found = modelFilesOf(path.resolve(p), (dir, entries) => {
      if (entries === undefined) missing.push(path.relative(process.cwd(), dir) || dir);
      return true;
    });
    if (!found) missing.push(p);
    else {
      for (const f of found.files) files.add(f);
      linked.push(...found.linked);
    }
  }
  return { files: [...files].sort(), missing, linked: [...new Set(linked)].sort() };
}

/**
 * The model files of one path: the path itself when it is a file, else every `.aithreat` file below
 * the folder (`node_modules` and dot entries skipped), unsorted. `onFolder(dir, entries)` hears each
 * folder as it is read (`entries` undefined: unreadable, skipped) and stops the walk by returning
 * false (`stopped`). Undefined when the path does not exist.
 */
function modelFilesOf(
  abs: string,
  onFolder: (dir: string, entries: number | undefined) => boolean,
): { files: string[]; stopped: boolean; linked: string[] } | undefined {
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch {
    return undefined;
  }
  if (!st.isDirectory()) return { files: [abs], stopped: false, linked: [] };
  const files: string[] = [];
  const linked: string[] = [];
  const stack = [abs];
  while (stack.length > 0) {
    const dir = stack.pop()!;
    let list: fs.Dirent[];
    try {
      list = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      if (!onFolder(dir, undefined)) return { files, stopped: true, linked };
      continue;
    }
    if (!onFolder(dir, list.length)) return { files, stopped: true, linked };
    for (const e of list) {
      if (e.name.startsWith(".") || e.name === "node_modules") continue;
      const full = path.join(dir, e.name);
      if (e.isDirectory()) stack.push(full);
      else if (e.name.endsWith(MODEL_EXTENSION)) {
        files.push(full);
        if (e.isSymbolicLink()) linked.push(full);
      }
    }
  }
  return { files, stopped: false, linked };
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

/** Most folder entries `modelBytesUpTo` looks at before it answers "more". */
const MAX_ENTRIES = 20_000;
// `import` and the string after it: triple-quoted, plain (escapes allowed), or a quote whose string
// does not end within IMPORT_WINDOW bytes (no group: not followed, so the answer is "more").
const IMPORT = /^import\s*(?:"""([\s\S]*?)"""|"((?:[^"\\\r\n]|\\.)*)"|")/;
const IMPORT_WINDOW = 4096;
const NAME_BYTE = /[\w.-]/;

/**
 * The bytes of the model files that `args` name (files, and the `.aithreat` files in folders, found
 * as `expandInputs` finds them) and the files they import, or undefined when they are more than
 * `limit` or cannot be told. `bin/aithreat.js` asks (src/cli/launch-size.ts) before starting the CLI,
 * so that small models run in its own process instead of a second Node with the flags for large
 * ones, and `compile` asks whether a paths worker pays. It errs towards "more": every argument naming
 * an existing path counts (an option's value too), `import` followed by a string is followed wherever
 * it stands (in a comment or a description too), and an import path it cannot read plainly (an
 * escape, a non-ASCII character, empty or unterminated) or a folder tree of more than MAX_ENTRIES
 * entries answers undefined. Paths that cannot be read count as nothing: the command reports them,
 * and loads nothing from them.
 */
export function modelBytesUpTo(
  args: readonly string[],
  limit: number,
  cwd = process.cwd(),
): number | undefined {
  const pending: string[] = [];
  let entries = 0;
  for (const arg of args) {
    if (arg.startsWith("-")) continue;
    const found = modelFilesOf(path.resolve(cwd, arg), (_, count) => {
      entries += count ?? 0;
      return entries <= MAX_ENTRIES;
    });
    if (!found) continue;
    if (found.stopped) return undefined;
    pending.push(...found.files);
  }
  // Sizes first (no reading), so a large tree is told quickly. Only regular files count and are
  // read: reading a FIFO would block the walk for good, or take from a pipe what the command is
  // to read (`--baseline <(git show ...)`); the command reports any it refuses.
  const seen = new Set<string>();
  let total = 0;
  const count = (file: string): boolean => {
    if (seen.has(file)) return false;
    seen.add(file);
    try {
      const st = fs.statSync(file);
      if (!st.isFile()) return false;
      total += st.size;
      return true;
    } catch {
      // Missing, a link loop, no permission: the command reports it.
      return false;
    }
  };
  const toRead = pending.filter(count);
  if (total > limit) return undefined;
  while (toRead.length > 0) {
    const file = toRead.pop()!;
    let bytes: Buffer;
    try {
      bytes = fs.readFileSync(file);
    } catch {
      continue;
    }
    for (let at = bytes.indexOf("import"); at >= 0; at = bytes.indexOf("import", at + 6)) {
      if (at > 0 && NAME_BYTE.test(String.fromCharCode(bytes[at - 1]!))) continue;
      // What follows, read as Latin-1 (no decoding): a path with other characters is not followed.
      const m = IMPORT.exec(bytes.toString("latin1", at, Math.min(bytes.length, at + IMPORT_WINDOW)));
      if (!m) continue;
      const spec = m[1] ?? m[2];
      if (!spec || /[\\\x80-\xff]/.test(spec)) return undefined;
      const target = path.resolve(path.dirname(file), spec);
      if (count(target)) toRead.push(target);
    }
    if (total > limit) return undefined;
  }
  return total;
}
