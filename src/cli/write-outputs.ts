import fs from "node:fs";
import path from "node:path";
import type { OutputFile } from "../emit/emitter.js";

/**
 * Writes every output file into a fresh temporary folder beside `outDir`, then swaps it into place:
 * the previous folder is moved aside, the new one renamed over it, the old one removed. A run that
 * fails before the swap leaves the previous output untouched; nothing half-written is ever visible.
 */
export function writeOutputsAtomically(outDir: string, files: readonly OutputFile[]): void {
  const target = path.resolve(outDir);
  const parent = path.dirname(target);
  fs.mkdirSync(parent, { recursive: true });
  const stamp = `${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const temp = path.join(parent, `.${path.basename(target)}.aithreat-tmp-${stamp}`);
  fs.mkdirSync(temp);
  try {
    for (const f of files) {
      if (f.path.includes("..") || path.isAbsolute(f.path))
        throw new Error(`emitter produced an unsafe path: ${f.path}`);
      const file = path.join(temp, f.path);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, f.contents);
    }
    const old = path.join(parent, `.${path.basename(target)}.aithreat-old-${stamp}`);
    const hadOld = fs.existsSync(target);
    if (hadOld) fs.renameSync(target, old);
    try {
      fs.renameSync(temp, target);
    } catch (e) {
      if (hadOld) fs.renameSync(old, target);
      throw e;
    }
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}
