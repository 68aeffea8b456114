#!/usr/bin/env node
// Entry point of the `aithreat` command. Runs the bundled CLI (dist/aithreat.mjs, one file, fast to
// start) or, in a checkout built with tsc only, the compiled modules. Both come from `npm install`'s
// prepare step or `npm run build`.
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";

const bundled = new URL("../dist/aithreat.mjs", import.meta.url);
const modules = new URL("../dist/src/cli/main.js", import.meta.url);
const entry = existsSync(fileURLToPath(bundled)) ? bundled : modules;
if (!existsSync(fileURLToPath(entry))) {
  process.stderr.write(
    "aithreat is not built: run `npm install` (or `npm run build`) in the aithreat folder first\n",
  );
  process.exit(3);
}
const { main } = await import(entry.href);
process.exitCode = await main(process.argv.slice(2));
