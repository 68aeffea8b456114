/**
 * The CommonJS bundle that `bin/aithreat.js` runs (dist/aithreat.cjs) comes with a V8 code cache
 * that this Node accepts (a stale or missing cache still runs, only slower: this catches that), and
 * the bundle loaded through the cache runs the CLI. Needs the build's bundle (`npm run build`).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Io } from "../../src/cli/io.js";

const here = path.dirname(fileURLToPath(import.meta.url));
// This file runs from dist/test/cli/; the bundle is dist/aithreat.cjs, the loader bin/bundle-loader.js.
const bundle = path.resolve(here, "../../aithreat.cjs");
const loaderUrl = pathToFileURL(path.resolve(here, "../../../bin/bundle-loader.js")).href;

interface Loaded {
  readonly exports: { main(args: readonly string[], io: Io): Promise<number> };
  readonly script: { readonly cachedDataRejected?: boolean };
}

test("the bundle's code cache is accepted, and the cached bundle runs the CLI", async () => {
  assert.ok(fs.existsSync(bundle), `${bundle} is missing: run \`npm run build\``);
  assert.ok(fs.existsSync(`${bundle}.cache`), "the bundle has no code cache");
  const loader = (await import(loaderUrl)) as { loadBundle: (file: string, cache: string) => Loaded };
  const { exports, script } = loader.loadBundle(bundle, `${bundle}.cache`);
  assert.is(script.cachedDataRejected, false);
  let out = "";
  const io: Io = { out: (t) => (out += t), err: () => undefined, tty: false, cwd: process.cwd(), env: {} };
  assert.is(await exports.main(["--version"], io), 0);
  const pkg = JSON.parse(fs.readFileSync("package.json", "utf8")) as { version: string };
  assert.is(out.trim(), pkg.version);
});

// bin/launch-flags.js is plain JavaScript; its types, as used here.
interface LaunchFlags {
  readonly YOUNG_MB: { readonly medium: number; readonly large: number };
  readonly heapFlags: (youngMb: number, given?: readonly string[]) => string[];
  readonly codeCacheFile: (cjs: string, flags: readonly string[]) => string;
}
const flagsUrl = pathToFileURL(path.resolve(here, "../../../bin/launch-flags.js")).href;

test("the children that run medium and large models find a code cache made under their flags", async () => {
  const { YOUNG_MB, heapFlags, codeCacheFile } = (await import(flagsUrl)) as LaunchFlags;
  const files = new Set<string>();
  for (const size of ["medium", "large"] as const) {
    const flags = heapFlags(YOUNG_MB[size]);
    assert.ok(flags.length > 0, size);
    const cache = codeCacheFile(bundle, flags);
    files.add(cache);
    assert.ok(fs.existsSync(cache), `no code cache for the ${size} launch (${flags.join(" ")})`);
    // Loaded as bin/aithreat.js's child loads it: under those flags, no NODE_OPTIONS.
    const probe = `import { loadBundle } from ${JSON.stringify(loaderUrl)};
      const { script } = loadBundle(process.argv[1], process.argv[2]);
      process.stdout.write(String(script.cachedDataRejected));`;
    const run = spawnSync(process.execPath, [...flags, "--input-type=module", "-e", probe, bundle, cache], {
      encoding: "utf8",
      env: { ...process.env, NODE_OPTIONS: "" },
    });
    assert.is(run.status, 0, run.stderr);
    assert.is(run.stdout, "false", `V8 rejected the ${size} launch's code cache`);
  }
  // Three sets of flags, three caches: the plain one is not among the children's.
  assert.not.ok(files.has(`${bundle}.cache`));
  assert.is(files.size, 2);
});

test.run();
