import fs from "node:fs";
import path from "node:path";

/** Every file under `dir` with its bytes (base64), sorted by path: equal folders give equal lists. */
export function folderContents(dir: string): [string, string][] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort()
    .map((f) => [f, fs.readFileSync(path.join(dir, f)).toString("base64")]);
}
