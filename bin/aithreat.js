#!/usr/bin/env node
// Entry point of the `aithreat` command: runs the compiled CLI from dist/ (built by `npm install`'s
// prepare step, or `npm run build`).
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const entry = new URL("../dist/src/cli/main.js", import.meta.url);
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    "aithreat is not built: run `npm install` (or `npm run build`) in the aithreat folder first\n",
  );
  process.exit(3);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
