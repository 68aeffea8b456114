import { spawnSync } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

// The compile benchmark runs the real `aithreat compile` in fresh processes: on a tiny tree it must
// report every run, their median and a peak RSS it really read (a Node process is tens of MB).

const script = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../bench/compile-cli.js");

test("times the aithreat command on a generated tree: each run, the median and the peak RSS", () => {
  const r = spawnSync(process.execPath, [script, "--sizes", "300", "--runs", "2"], { encoding: "utf8" });
  assert.is(r.status, 0, r.stderr);
  const m = /^300 components: median (\d+\.\d\d) s \((\d+\.\d\d), (\d+\.\d\d)\); peak RSS (\d+) MB$/m.exec(
    r.stdout,
  );
  assert.ok(m, r.stdout);
  const [median, a, b] = [m[1], m[2], m[3]].map(Number) as [number, number, number];
  assert.ok(Math.abs(median - (a + b) / 2) <= 0.01, r.stdout);
  if (process.platform === "linux") assert.ok(Number(m[4]) >= 20, `peak RSS read: ${m[4]} MB`);
});

test("a run count that is not a whole number above 0 is a usage error", () => {
  const r = spawnSync(process.execPath, [script, "--runs", "0"], { encoding: "utf8" });
  assert.is(r.status, 2);
  assert.match(r.stderr, /--runs must be a whole number above 0/);
});

test.run();
