/**
 * The `aithreat` command itself, as users run it: `bin/aithreat.js`, which runs the CommonJS bundle
 * through V8's code cache (bin/bundle-loader.js). The other tests call `main()` from the compiled
 * modules, so a difference of the bundle (a dynamic `import()` that the cached code lacks once left
 * `--render` drawing nothing) passes them all; here every command runs through the bundle once, and
 * `compile` must write the same bytes as `main()` does in this process. Needs the build's bundle.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { folderContents } from "../helpers/folders.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const BIN = path.join(REPO, "bin", "aithreat.js");
const SAMPLE = path.join(REPO, "samples", "rag-support");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-command-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

/** Runs the command in a child Node, acceptances judged against the test date. */
function aithreat(args: readonly string[], env: Record<string, string> = {}) {
  const run = spawnSync(process.execPath, [BIN, ...args], {
    cwd: REPO,
    encoding: "utf8",
    env: { ...process.env, AITHREAT_TODAY: TEST_TODAY, ...env },
    timeout: 120_000,
  });
  return { code: run.status, stdout: run.stdout, stderr: run.stderr };
}

test("the bundle is built and runs through its code cache", () => {
  assert.ok(fs.existsSync(path.join(REPO, "dist", "aithreat.cjs")), "run `npm run build` first");
  const pkg = JSON.parse(fs.readFileSync(path.join(REPO, "package.json"), "utf8")) as { version: string };
  const run = aithreat(["--version"]);
  assert.is(run.code, 0, run.stderr);
  assert.is(run.stdout.trim(), pkg.version);
});

test("compile through the command writes the same bytes as main() in this process, threads or not", async () => {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, REPO);
  const here = path.join(tmp, "here");
  assert.is(await main(["compile", SAMPLE, "--out", here, "-q"], io), 0, io.stderr);
  const want = folderContents(here);
  for (const threads of ["never", "always"]) {
    const out = path.join(tmp, `command-${threads}`);
    const run = aithreat(["compile", SAMPLE, "--out", out], { AITHREAT_THREADS: threads });
    assert.is(run.code, 0, run.stderr);
    assert.match(run.stderr, /wrote \d+ files to .*: \d+ findings \(\d+ open\)/);
    assert.equal(folderContents(out), want, `AITHREAT_THREADS=${threads}`);
  }
});

test("check, paths, explain, coverage and rules answer through the command", () => {
  const check = aithreat(["check", SAMPLE]);
  assert.is(check.code, 0, check.stderr);
  assert.match(check.stderr, /1 file checked: 0 errors, 0 warnings/);

  const paths = aithreat(["paths", SAMPLE, "--format", "json"]);
  assert.is(paths.code, 0, paths.stderr);
  const answer = JSON.parse(paths.stdout) as { targets: unknown[] };
  assert.ok(answer.targets.length > 0);

  const explain = aithreat(["explain", "AT-25"]);
  assert.is(explain.code, 0, explain.stderr);
  assert.match(explain.stdout, /Indirect prompt injection/);

  const coverage = aithreat(["coverage", SAMPLE]);
  assert.is(coverage.code, 0, coverage.stderr);
  assert.match(coverage.stdout, /AML\.T\d{4}/);

  const rules = aithreat(["rules", "--format", "json"]);
  assert.is(rules.code, 0, rules.stderr);
  assert.ok((JSON.parse(rules.stdout) as { rules: unknown[] }).rules.length >= 50);
});

test("init, fmt, diff and export work through the command", () => {
  const model = path.join(tmp, "starter", "model.aithreat");
  const init = aithreat(["init", model]);
  assert.is(init.code, 0, init.stderr);
  assert.is(aithreat(["check", model]).code, 0);
  const fmt = aithreat(["fmt", "--check", model]);
  assert.is(fmt.code, 0, fmt.stderr);

  // A changed copy: one more component is a difference the diff names.
  const changed = path.join(tmp, "starter", "changed.aithreat");
  fs.writeFileSync(changed, `${fs.readFileSync(model, "utf8")}\nactor auditor "Auditor"\n`);
  const diff = aithreat(["diff", model, changed, "--format", "json"]);
  assert.is(diff.code, 0, diff.stderr);
  assert.match(diff.stdout, /auditor/);

  const out = path.join(tmp, "graphml");
  const exported = aithreat(["export", SAMPLE, "--to", "graphml", "--out", out]);
  assert.is(exported.code, 0, exported.stderr);
  assert.match(exported.stderr, /wrote 1 file to /);
  assert.ok(fs.readdirSync(out).some((f) => f.endsWith(".graphml")));
});

test("bad input through the command: located diagnostics, exit 2, no stack trace", () => {
  const bad = path.join(tmp, "bad.aithreat");
  fs.writeFileSync(bad, 'zone z "Z" { trust internal\n  agent a "A" { autonomy sometimes }\n}\n');
  const run = aithreat(["compile", bad, "--out", path.join(tmp, "bad-out")]);
  assert.is(run.code, 2);
  assert.match(run.stderr, /bad\.aithreat:2:\d+ - error AT\d{4}/);
  assert.not.match(run.stderr, /^\s+at .+:\d+:\d+\)?$/m);
  assert.not.ok(fs.existsSync(path.join(tmp, "bad-out")));
});

test.run();
