import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fromRoot } from "./paths.js";

/** The committed text of a repository file, or undefined when it does not exist. */
export function readCommitted(relative: string): string | undefined {
  try {
    return readFileSync(fromRoot(relative), "utf8");
  } catch {
    return undefined;
  }
}

/**
 * Writes generated files, or with `--check` only reports which are stale (exit code 1), so CI can run
 * a generator without touching the tree. Returns the process exit code.
 */
export function writeOrCheck(
  files: readonly { path: string; contents: string }[],
  argv: readonly string[],
): number {
  const check = argv.includes("--check");
  let stale = 0;
  for (const f of files) {
    const same = readCommitted(f.path) === f.contents;
    if (check) {
      if (!same) {
        stale++;
        console.error(`${f.path} is stale`);
      }
      continue;
    }
    if (same) {
      console.log(`${f.path} is up to date`);
      continue;
    }
    const abs = fromRoot(f.path);
    mkdirSync(path.dirname(abs), { recursive: true });
    writeFileSync(abs, f.contents);
    console.log(`wrote ${f.path}`);
  }
  if (stale > 0) console.error("regenerate with the matching `npm run gen:*` script and commit the result");
  return stale > 0 ? 1 : 0;
}
