#!/usr/bin/env node
// Bundles the CLI into one ES module (dist/aithreat.mjs). Loading hundreds of small modules
// (chevrotain's lodash-es, yargs' helpers) costs about 0.7 s of CPU at every start; one bundled file
// starts in about a third of that. Puppeteer and mermaid-cli stay external: they are large, load
// lazily, and only when diagrams are rendered. `tsc` still emits dist/src for the tests.
//
// The same bundle as CommonJS (dist/aithreat.cjs) is what bin/aithreat.js runs when it is there:
// Node 20 has no code cache for ES modules, but a CommonJS file can be compiled with V8's code
// cache, which is written here (dist/aithreat.cjs.cache, and one per set of Node flags the CLI runs
// under) from a warm-up run on two samples, so the functions a run needs come compiled
// (bin/bundle-loader.js).
import { spawn } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { build } from "esbuild";
import { childCacheFlagSets, codeCacheFile } from "../bin/launch-flags.js";

// yargs and the modules that lay out its help (cliui, wrap-ansi) import `string-width`, whose
// top level creates an Intl.Segmenter and compiles Unicode-property regular expressions (RGI_Emoji
// with the `v` flag): about 25 ms at every start of the CLI, for help text most runs never print.
// Each `string-width` import gets a stand-in that requires the real module (the version its importer
// resolves) on the first call; esbuild bundles a required module so that its top level runs then.
const lazyStringWidth = {
  name: "lazy-string-width",
  setup(b) {
    b.onResolve({ filter: /^string-width$/ }, async (args) => {
      if (args.pluginData === "real") return undefined;
      const real = await b.resolve(args.path, {
        kind: args.kind,
        importer: args.importer,
        resolveDir: args.resolveDir,
        pluginData: "real",
      });
      if (real.errors.length > 0) return { errors: real.errors };
      return { path: real.path, namespace: "lazy-string-width" };
    });
    b.onLoad({ filter: /.*/, namespace: "lazy-string-width" }, (args) => ({
      contents: `let real;
export default function stringWidth(text, options) {
  real ??= require(${JSON.stringify(args.path)});
  return (real.default ?? real)(text, options);
}`,
      resolveDir: path.dirname(args.path),
      loader: "js",
    }));
  },
};

const common = {
  entryPoints: ["src/cli/main.ts"],
  bundle: true,
  platform: "node",
  target: "node20",
  sourcemap: true,
  external: ["puppeteer", "@mermaid-js/mermaid-cli"],
  logLevel: "warning",
  plugins: [lazyStringWidth],
};

await build({
  ...common,
  outfile: "dist/aithreat.mjs",
  format: "esm",
  // Some bundled CommonJS dependencies call require(); give the ES module one.
  banner: {
    js: "import { createRequire as __aithreatRequire } from 'node:module'; const require = __aithreatRequire(import.meta.url);",
  },
});

await build({
  ...common,
  outfile: "dist/aithreat.cjs",
  format: "cjs",
  // The modules that find their files (templates, the worker threads' script) ask import.meta.url.
  define: { "import.meta.url": "__aithreatUrl" },
  banner: { js: "const __aithreatUrl = require('node:url').pathToFileURL(__filename).href;" },
});

// The warm-up: `check` and `compile` of two samples in a child Node, then the cache of everything
// compiled by then. V8 rejects a cache made under other flags, heap sizes included, so there is one
// warm-up per set of flags bin/aithreat.js runs the CLI under: none (small models, in its own
// process), and each child's (bin/launch-flags.js `childCacheFlagSets`). Without the samples (or if a
// run fails) that set has no cache, and the CLI compiles as it starts.
const bundle = path.resolve("dist/aithreat.cjs");
for (const f of fs.readdirSync("dist"))
  if (/^aithreat\.cjs(\.[0-9a-f]+)?\.cache$/.test(f)) fs.rmSync(`dist/${f}`);
const warm = `
  import fs from "node:fs";
  import { loadBundle } from "./bin/bundle-loader.js";
  const { exports, script } = loadBundle(process.argv[1], "");
  const quiet = { stdout: "", stderr: "", tty: false, cwd: process.cwd(), env: {}, out() {}, err() {} };
  const runs = [
    ["check", "samples/rag-support", "-q"],
    ["compile", "samples/agent-mcp", "--out", process.argv[3] + "/out", "-q"],
  ];
  for (const args of runs) if ((await exports.main(args, quiet)) !== 0) process.exit(1);
  fs.writeFileSync(process.argv[2], script.createCachedData());
`;
const flagSets = [[], ...childCacheFlagSets()];
// Two at a time: a warm-up is one core's work for about half a second.
const warmUp = (flags) =>
  new Promise((resolve) => {
    const cache = codeCacheFile(bundle, flags);
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-warm-"));
    const child = spawn(process.execPath, [...flags, "--input-type=module", "-e", warm, bundle, cache, out], {
      stdio: "inherit",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    child.on("exit", (code) => {
      fs.rmSync(out, { recursive: true, force: true });
      if (code !== 0) {
        fs.rmSync(cache, { force: true });
        console.warn(
          `bundle: the warm-up run under [${flags.join(" ")}] failed; that launch runs without a code cache`,
        );
      }
      resolve();
    });
  });
for (let i = 0; i < flagSets.length; i += 2) await Promise.all(flagSets.slice(i, i + 2).map(warmUp));
