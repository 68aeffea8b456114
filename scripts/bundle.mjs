#!/usr/bin/env node
// Bundles the CLI into one ES module (dist/aithreat.mjs). Loading hundreds of small modules
// (chevrotain's lodash-es, yargs' helpers) costs about 0.7 s of CPU at every start; one bundled file
// starts in about a third of that. Puppeteer and mermaid-cli stay external: they are large, load
// lazily, and only when diagrams are rendered. `tsc` still emits dist/src for the tests.
import { build } from "esbuild";

await build({
  entryPoints: ["src/cli/main.ts"],
  outfile: "dist/aithreat.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  external: ["puppeteer", "@mermaid-js/mermaid-cli"],
  // Some bundled CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __aithreatRequire } from 'node:module'; const require = __aithreatRequire(import.meta.url);",
  },
  logLevel: "warning",
});
