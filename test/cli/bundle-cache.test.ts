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
  readonly launchFlags: (
    size: string,
    given?: readonly string[],
    options?: { cores?: number; pathsWorker?: boolean },
  ) => string[];
  readonly childCacheFlagSets: () => string[][];
  readonly poolFlags: (given?: readonly string[], cores?: number) => string[];
  readonly codeCacheFile: (cjs: string, flags: readonly string[]) => string;
}
const flagsUrl = pathToFileURL(path.resolve(here, "../../../bin/launch-flags.js")).href;

test("the children that run larger models find a code cache made under their flags", async () => {
  const { childCacheFlagSets, launchFlags, codeCacheFile } = (await import(flagsUrl)) as LaunchFlags;
  const sets = childCacheFlagSets();
  const files = new Set<string>();
  for (const flags of sets) {
    const cache = codeCacheFile(bundle, flags);
    files.add(cache);
    assert.ok(fs.existsSync(cache), `no code cache for a child under ${flags.join(" ")}`);
  }
  // A cache of its own for each set of heap flags: the plain one is not among them.
  assert.not.ok(files.has(`${bundle}.cache`));
  assert.is(files.size, sets.length);
  // Every child, on any number of cores, loads a cache V8 takes: the pool's size is not in its name.
  const probe = `import { loadBundle } from ${JSON.stringify(loaderUrl)};
    const { script } = loadBundle(process.argv[1], process.argv[2]);
    process.stdout.write(String(script.cachedDataRejected));`;
  for (const size of ["pooled", "medium", "large"])
    for (const cores of [1, 2, 4, 8])
      for (const pathsWorker of [false, true]) {
        const flags = launchFlags(size, [], { cores, pathsWorker });
        const cache = codeCacheFile(bundle, flags);
        assert.ok(fs.existsSync(cache), `${size} on ${cores} cores: no ${cache}`);
        if (cores !== 2) continue;
        // Loaded as bin/aithreat.js's child loads it: under those flags, no NODE_OPTIONS.
        const run = spawnSync(
          process.execPath,
          [...flags, "--input-type=module", "-e", probe, bundle, cache],
          {
            encoding: "utf8",
            env: { ...process.env, NODE_OPTIONS: "" },
          },
        );
        assert.is(run.status, 0, run.stderr);
        assert.is(run.stdout, "false", `V8 rejected the code cache of a child under ${flags.join(" ")}`);
      }
});

test("a child's worker pool leaves the main thread a core, and a pool the user sized is kept", async () => {
  const { launchFlags, poolFlags } = (await import(flagsUrl)) as LaunchFlags;
  assert.equal(poolFlags([], 1), ["--v8-pool-size=1"]);
  assert.equal(poolFlags([], 2), ["--v8-pool-size=1"]);
  assert.equal(poolFlags([], 4), ["--v8-pool-size=3"]);
  // Node's own four from five cores up: no flag.
  assert.equal(poolFlags([], 5), []);
  assert.equal(poolFlags([], 64), []);
  assert.equal(poolFlags(["--v8-pool-size=6"], 2), []);
  assert.equal(poolFlags(["--v8_pool_size=6"], 2), []);
  assert.equal(poolFlags(["--v8-pool_size=6"], 2), []);
  assert.equal(poolFlags(["--v8-pool-size-x=6"], 2), ["--v8-pool-size=1"]);
  // In this process, no flags; a pooled child has only the pool; the heap sizes add theirs.
  const two = { cores: 2 };
  assert.equal(launchFlags("small", [], two), []);
  assert.equal(launchFlags("pooled", [], two), ["--v8-pool-size=1"]);
  assert.equal(launchFlags("pooled", [], { cores: 8 }), []);
  const medium = launchFlags("medium", [], two);
  assert.ok(
    medium.includes("--max-semi-space-size=64") && medium.includes("--v8-pool-size=1"),
    medium.join(" "),
  );
  assert.ok(launchFlags("large", [], two).includes("--max-semi-space-size=256"));
  // A compile that may run the attack paths on a thread of its own keeps Node's pool.
  const withWorker = launchFlags("medium", [], { cores: 2, pathsWorker: true });
  assert.ok(withWorker.includes("--max-semi-space-size=64"), withWorker.join(" "));
  assert.not.ok(
    withWorker.some((f) => f.startsWith("--v8-pool-size")),
    withWorker.join(" "),
  );
});

test.run();
