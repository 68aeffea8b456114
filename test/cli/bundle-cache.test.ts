/**
 * The CommonJS bundle that `bin/aithreat.js` runs (dist/aithreat.cjs) comes with a V8 code cache
 * that this Node accepts (a stale or missing cache still runs, only slower: this catches that), and
 * the bundle loaded through the cache runs the CLI. Needs the build's bundle (`npm run build`).
 */
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

test.run();
