/**
 * What the CLI bundle (dist/aithreat.cjs) does before any command runs: every start pays for it. The
 * `string-width` modules behind yargs' help layout create an Intl.Segmenter and compile
 * Unicode-property regular expressions at their top level (about 25 ms); the bundle defers them to
 * the first width asked (scripts/bundle.mjs, `lazyStringWidth`). Needs the build's bundle.
 */
import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const here = path.dirname(fileURLToPath(import.meta.url));
const bundle = path.resolve(here, "../../aithreat.cjs");
const loaderUrl = pathToFileURL(path.resolve(here, "../../../bin/bundle-loader.js")).href;

/** Runs the bundle's CLI with `args` in a child Node that counts Intl.Segmenter constructions. */
function run(args: readonly string[]): { segmenters: number; stdout: string; status: number | null } {
  const probe = `
    import { loadBundle } from ${JSON.stringify(loaderUrl)};
    let segmenters = 0;
    const Real = Intl.Segmenter;
    Intl.Segmenter = class extends Real { constructor(...a) { super(...a); segmenters++; } };
    const { exports } = loadBundle(process.argv[1], "");
    let out = "";
    const io = { out: (t) => (out += t), err: () => undefined, tty: false, cwd: process.cwd(), env: {} };
    const code = await exports.main(JSON.parse(process.argv[2]), io);
    process.stdout.write(JSON.stringify({ segmenters, out, code }));`;
  const r = spawnSync(process.execPath, ["--input-type=module", "-e", probe, bundle, JSON.stringify(args)], {
    encoding: "utf8",
    env: { ...process.env, NODE_OPTIONS: "" },
  });
  assert.is(r.status, 0, r.stderr);
  const { segmenters, out, code } = JSON.parse(r.stdout) as { segmenters: number; out: string; code: number };
  return { segmenters, stdout: out, status: code };
}

test("a command that prints no help creates no Intl.Segmenter", () => {
  const r = run(["--version"]);
  assert.is(r.status, 0);
  assert.is(r.segmenters, 0);
});

test("help text still measures its columns (the deferred string-width runs)", () => {
  const r = run(["compile", "--help"]);
  assert.is(r.status, 0);
  assert.ok(r.segmenters > 0, "help was laid out without string-width");
  // Options, descriptions and types in aligned columns: the descriptions start at one column and
  // the right-aligned types end at another, which only measured widths give.
  const lines = r.stdout.split("\n").filter((l) => /^\s+(-q, |-o, )?--(out|quiet|root)\b/.test(l));
  assert.is(lines.length, 3, r.stdout);
  const descriptionAt = lines.map((l) => /^\s+(?:-\w, )?--\S+\s+/.exec(l)![0].length);
  assert.is(new Set(descriptionAt).size, 1, lines.join("\n"));
  assert.is(new Set(lines.map((l) => l.trimEnd().length)).size, 1, lines.join("\n"));
});

test.run();
