/**
 * `compile --sarif-max-results`: findings.sarif keeps the most severe results up to the cap (GitHub
 * code scanning rejects more than 25,000 in a run), the run says so in a warning (AT9102), and a value
 * that is not a whole number is a usage error before any model is read.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { REPO } from "../helpers/outputs.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-sarif-cap-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const SAMPLE = path.join(REPO, "samples", "agent-mcp");

async function compile(...extra: string[]) {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, REPO);
  const out = path.join(tmp, `out-${extra.join("_").replace(/[^a-z0-9_-]/gi, "")}`);
  const code = await main(["compile", SAMPLE, "--out", out, "-q", ...extra], io);
  return { code, stderr: io.stderr, out };
}

const resultsOf = (out: string) =>
  (
    JSON.parse(fs.readFileSync(path.join(out, "findings.sarif"), "utf8")) as {
      runs: { results: unknown[] }[];
    }
  ).runs[0]!.results.length;

test("under the cap: no warning, every result", async () => {
  const r = await compile();
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, /AT9102/);
  const all = resultsOf(r.out);
  assert.ok(all > 3);

  const capped = await compile("--sarif-max-results", "3");
  assert.is(capped.code, 0, capped.stderr);
  assert.match(
    capped.stderr,
    new RegExp(`warning AT9102: findings.sarif holds the 3 most severe of ${all} results`),
  );
  assert.is(resultsOf(capped.out), 3);
  // Only SARIF is capped: findings.json keeps every finding.
  const json = (dir: string) =>
    (JSON.parse(fs.readFileSync(path.join(dir, "findings.json"), "utf8")) as { findings: unknown[] }).findings
      .length;
  assert.is(json(capped.out), json(r.out));
});

test("a cap that is not a whole number is a usage error before the model is read", async () => {
  // "" and " " (`--sarif-max-results "$MAX"`, the variable unset) are not 0, which lifts the cap.
  for (const bad of ["-1", "2.5", "many", "", " ", "1e2", "0x10"]) {
    const r = await compile("--sarif-max-results", bad);
    assert.is(r.code, 2, `${bad}: ${r.stderr}`);
    // An empty value may also be refused as such, before the command runs (main.ts).
    assert.match(
      r.stderr,
      /error AT9002: `--sarif-max-results` (must be a whole number, 0 for no limit|is given an empty value)/,
    );
    assert.not.ok(fs.existsSync(r.out));
  }
});

test("findings.junit.xml under --junit-max-kb: a warning says how many it holds; 0 is no limit", async () => {
  const casesOf = (out: string) =>
    fs.readFileSync(path.join(out, "findings.junit.xml"), "utf8").split("<testcase ").length - 1;
  const whole = await compile("--junit-max-kb", "0");
  assert.is(whole.code, 0, whole.stderr);
  assert.not.match(whole.stderr, /AT9103/);
  const all = casesOf(whole.out);
  const capped = await compile("--junit-max-kb", "6");
  assert.is(capped.code, 0, capped.stderr);
  const kept = casesOf(capped.out);
  assert.ok(kept > 0 && kept < all, `${kept} of ${all}`);
  assert.match(
    capped.stderr,
    new RegExp(`warning AT9103: findings.junit.xml holds ${kept} of ${all} findings .*under 6 kB`),
  );
  assert.ok(fs.statSync(path.join(capped.out, "findings.junit.xml")).size <= 6000);
  const bad = await compile("--junit-max-kb", "");
  assert.is(bad.code, 2, bad.stderr);
  assert.match(bad.stderr, /error AT9002: `--junit-max-kb`/);
});

test.run();
