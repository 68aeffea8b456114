/**
 * The CI contract of `compile`: `--fail-on`, `--baseline` and both together, with the exit codes
 * 0 (ok), 1 (gate failed), 2 (invalid model or usage) and 3 (internal error) for every case, a
 * baseline round trip, `--format` on stdout, and `--quiet`. Runs `main()` in-process on models in a
 * temporary folder.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { evaluateGates, parseBaseline, parseBaselineBytes } from "../../src/cli/gates.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { Emitter } from "../../src/emit/emitter.js";
import type { FindingsDocument } from "../../src/emit/findings-json.js";
import { FINDINGS_SCHEMA_VERSION } from "../../src/emit/tool-info.js";
import type { FindingView } from "../../src/emit/findings-view.js";
import { EMITTERS } from "../../src/emit/index.js";
import { TEST_TODAY } from "../helpers/compile.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-gates-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// A public endpoint without authentication: AT-52 (high) and AS-01 (low, rate limit unstated).
const SMALL = [
  `zone internet "Internet" { trust untrusted }`,
  `zone vpc "VPC" { trust internal }`,
  `actor user "User" in internet`,
  `endpoint api "API" in vpc { exposure public  auth none }`,
  `flow user -> api "call" { kind prompt }`,
].join("\n");
const MITIGATED = SMALL.replace("auth none }", "auth none  controls [access_control] }");
const ACCEPTED = `${SMALL}\naccept AT-52 on api { reason "behind the VPN"  owner "sre"  expires 2027-01-31 }`;
const EXPIRED = `${SMALL}\naccept AT-52 on api { reason "behind the VPN"  owner "sre"  expires 2026-01-31 }`;
// The same plus a second unauthenticated endpoint: AT-52 and AS-01 on `api2` are new.
const GROWN = `${SMALL}\nendpoint api2 "API 2" in vpc { exposure public  auth none }\nflow user -> api2 "call 2" { kind prompt }`;

/** Writes a model file and returns its path. */
function model(name: string, text: string): string {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, text);
  return file;
}

let runs = 0;
/** Runs `compile` on a model into a fresh output folder; returns the exit code, streams and the folder. */
async function compile(file: string, ...args: string[]) {
  const out = path.join(tmp, `out-${++runs}`);
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(["compile", file, "--root", tmp, "--out", out, ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr, out };
}

const findingsOf = (out: string) =>
  JSON.parse(fs.readFileSync(path.join(out, "findings.json"), "utf8")) as FindingsDocument;

/** The finding ids a failing gate lists (`[AT-52:api]` at the end of each line). */
const failingIds = (stderr: string) =>
  [...stderr.matchAll(/^ {2}\S+:\d+:\d+ - \w+ [A-Z]{2}-\d+: .* \[(.+)\]$/gm)].map((m) => m[1]!);

// ---- exit 0 and 1: --fail-on -------------------------------------------------------------------

test("no gate: exit 0 whatever the findings", async () => {
  const r = await compile(model("small.aithreat", SMALL));
  assert.is(r.code, 0, r.stderr);
  assert.ok(findingsOf(r.out).summary.byStatus.open === 2);
  assert.not.match(r.stderr, /gate (passed|failed)/);
});

test("--fail-on: exit 1 at or above the threshold, listing the findings; 0 below it", async () => {
  const file = model("small.aithreat", SMALL);
  const high = await compile(file, "--fail-on", "high");
  assert.is(high.code, 1);
  assert.match(high.stderr, /gate failed: 1 open finding at or above `high`/);
  assert.equal(failingIds(high.stderr), ["AT-52:api"]);
  assert.match(high.stderr, /small\.aithreat:4:\d+ - high AT-52: /);
  assert.ok(
    fs.existsSync(path.join(high.out, "findings.sarif")),
    "outputs are written even when the gate fails",
  );
  const low = await compile(file, "--fail-on", "low");
  assert.is(low.code, 1);
  assert.equal(failingIds(low.stderr), ["AT-52:api", "AS-01:api"], "most severe first");
  const critical = await compile(file, "--fail-on", "critical");
  assert.is(critical.code, 0, critical.stderr);
  assert.match(critical.stderr, /gate passed: no open finding at or above `critical`/);
});

test("--fail-on counts open findings only: mitigated and accepted ones pass, an expired acceptance does not", async () => {
  const mitigated = await compile(model("mitigated.aithreat", MITIGATED), "--fail-on", "high");
  assert.is(mitigated.code, 0, mitigated.stderr);
  const accepted = await compile(model("accepted.aithreat", ACCEPTED), "--fail-on", "high");
  assert.is(accepted.code, 0, accepted.stderr);
  const expired = await compile(model("expired.aithreat", EXPIRED), "--fail-on", "high");
  assert.is(expired.code, 1, expired.stderr);
  assert.equal(failingIds(expired.stderr), ["AT-52:api"]);
});

// ---- baselines -------------------------------------------------------------------------------------

test("baseline round trip: the run that wrote the baseline passes against it", async () => {
  const file = model("small.aithreat", SMALL);
  const first = await compile(file);
  const baseline = path.join(first.out, "findings.json");
  const again = await compile(file, "--baseline", baseline);
  assert.is(again.code, 0, again.stderr);
  assert.match(again.stderr, /gate passed: no open finding of any severity new since the baseline/);
  assert.match(again.stderr, /\(2 findings of any severity already open in the baseline\)/);
  const withBar = await compile(file, "--baseline", baseline, "--fail-on", "low");
  assert.is(withBar.code, 0, withBar.stderr);
  // The same findings.json bytes come out again: the baseline is stable.
  assert.is(
    fs.readFileSync(path.join(again.out, "findings.json"), "utf8"),
    fs.readFileSync(baseline, "utf8"),
  );
});

test("baseline: only findings new since it fail, exactly those, and --fail-on filters them", async () => {
  const base = await compile(model("small.aithreat", SMALL));
  const baseline = path.join(base.out, "findings.json");
  const grown = model("grown.aithreat", GROWN);
  const any = await compile(grown, "--baseline", baseline);
  assert.is(any.code, 1);
  assert.equal(failingIds(any.stderr), ["AT-52:api2", "AS-01:api2"]);
  const before = new Set(findingsOf(base.out).findings.map((f) => f.fingerprint));
  const failing = findingsOf(any.out).findings.filter((f) => !before.has(f.fingerprint));
  assert.equal(failing.map((f) => f.id).sort(), ["AS-01:api2", "AT-52:api2"]);
  const high = await compile(grown, "--baseline", baseline, "--fail-on", "high");
  assert.is(high.code, 1);
  assert.equal(failingIds(high.stderr), ["AT-52:api2"]);
  assert.match(high.stderr, /gate failed: 1 open finding at or above `high` new since the baseline/);
  const critical = await compile(grown, "--baseline", baseline, "--fail-on", "critical");
  assert.is(critical.code, 0, critical.stderr);
});

test("baseline: a finding whose control was removed is newly over the bar and fails", async () => {
  const base = await compile(model("mitigated.aithreat", MITIGATED));
  const regressed = await compile(
    model("small.aithreat", SMALL),
    "--baseline",
    path.join(base.out, "findings.json"),
    "--fail-on",
    "high",
  );
  assert.is(regressed.code, 1);
  assert.equal(failingIds(regressed.stderr), ["AT-52:api"]);
});

test("evaluateGates: severity rising past the threshold counts as newly over the bar", () => {
  const f = (severity: string): FindingView =>
    ({ id: "AT-52:api", fingerprint: "00000000000000aa", status: "open", severity }) as FindingView;
  const baseline = parseBaseline(
    JSON.stringify({
      schemaVersion: "1.0",
      findings: [{ fingerprint: "00000000000000aa", status: "open", severity: "medium" }],
    }),
    "b.json",
  );
  assert.ok(!("error" in baseline));
  if ("error" in baseline) return;
  assert.is(evaluateGates(() => [f("high")], { failOn: "high", baseline }).failed, true);
  assert.is(evaluateGates(() => [f("medium")], { failOn: "medium", baseline }).failed, false);
  assert.is(evaluateGates(() => [f("critical")], {}).active, false);
  // Without a gate the findings are never read (`--only paths` then builds no findings view).
  const unread = () => {
    throw new Error("the findings were read");
  };
  assert.is(evaluateGates(unread, {}).failed, false);
});

test("a baseline too large for one string is read line by line, to the same findings", async () => {
  const r = await compile(model("grown-lines.aithreat", GROWN));
  const file = path.join(r.out, "findings.json");
  const bytes = fs.readFileSync(file);
  const whole = parseBaseline(bytes.toString("utf8"), file);
  // A limit below the file's size takes the line-by-line reader.
  const lines = parseBaselineBytes(bytes, file, 100);
  assert.ok(!("error" in whole) && !("error" in lines));
  if ("error" in whole || "error" in lines) return;
  assert.ok(whole.findings.size > 2, "findings to compare");
  assert.equal([...lines.findings.entries()], [...whole.findings.entries()]);
  // A byte-order mark in front (some Windows tools write one) reads the same, both ways.
  const marked = Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), bytes]);
  for (const limit of [undefined, 100]) {
    const withMark = parseBaselineBytes(marked, file, limit);
    assert.ok(!("error" in withMark), `a baseline with a byte-order mark (limit ${limit})`);
    if (!("error" in withMark)) assert.equal([...withMark.findings.entries()], [...whole.findings.entries()]);
  }
  // JSON in another layout (compact, on one line) cannot be read that way, and says so.
  const compact = Buffer.from(JSON.stringify(JSON.parse(bytes.toString("utf8"))));
  const refused = parseBaselineBytes(compact, file, 100);
  assert.ok("error" in refused && /not laid out one finding per line/.test(refused.error));
  // The version check applies the same way.
  const future = Buffer.from(
    bytes.toString("utf8").replace(`"schemaVersion": "${FINDINGS_SCHEMA_VERSION}"`, '"schemaVersion": "3.0"'),
  );
  const old = parseBaselineBytes(future, file, 100);
  assert.ok("error" in old && /format `3\.0`/.test(old.error));
});

// ---- exit 2 ------------------------------------------------------------------------------------------

test("exit 2: an invalid model, whatever the gates", async () => {
  const r = await compile(
    model("broken.aithreat", `zone vpc "VPC" { trust internal }\nstore db "DB" in nowhere`),
    "--fail-on",
    "info",
  );
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, /error AT2001/);
  assert.not.ok(fs.existsSync(r.out));
});

test("exit 2: an unknown --fail-on value is a usage error", async () => {
  const r = await compile(model("small.aithreat", SMALL), "--fail-on", "severe");
  assert.is(r.code, 2);
  assert.match(r.stderr, /error AT9002: invalid values:/);
});

test("exit 2: a baseline that is missing, not JSON, not findings.json or another major format", async () => {
  const file = model("small.aithreat", SMALL);
  const cases: [string, string | undefined, RegExp][] = [
    ["missing.json", undefined, /cannot read `--baseline .*missing\.json`: no such file/],
    ["garbage.json", "{ not json", /is not valid JSON/],
    ["other.json", `{"runs": []}`, /is not a findings\.json/],
    [
      "future.json",
      `{"schemaVersion": "3.0", "findings": []}`,
      /is findings\.json format `3\.0`; this version of aithreat reads formats 1\.x and 2\.x/,
    ],
    [
      "partial.json",
      `{"schemaVersion": "1.0", "findings": [{"id": "x"}]}`,
      /has a finding without `fingerprint`.*\(findings\[0\]\)/,
    ],
    // Values findings.json never holds (a hand-edited baseline) matched no bar: every finding
    // counted as new and the gate failed (exit 1) without a word about the baseline.
    [
      "severity.json",
      `{"schemaVersion": "2.0", "findings": [{"fingerprint": "0123456789abcdef", "status": "open", "severity": "High"}]}`,
      /has a finding with `severity` `High` \(findings\[0\]\); findings\.json writes info, low, medium, high, critical/,
    ],
    [
      "status.json",
      `{"schemaVersion": "2.0", "findings": [{"fingerprint": "0123456789abcdef", "status": "OPEN", "severity": "high"}]}`,
      /has a finding with `status` `OPEN` \(findings\[0\]\); findings\.json writes open, mitigated, accepted/,
    ],
  ];
  for (const [name, text, message] of cases) {
    const baseline = path.join(tmp, name);
    if (text !== undefined) fs.writeFileSync(baseline, text);
    const r = await compile(file, "--baseline", baseline);
    assert.is(r.code, 2, `${name}: ${r.stderr}`);
    assert.match(r.stderr, /error AT9002: /, name);
    assert.match(r.stderr, message, name);
    assert.not.ok(fs.existsSync(r.out), `${name}: nothing is written`);
  }
});

test("exit 2 with --format json: the diagnostics as one JSON document on stdout", async () => {
  const r = await compile(
    model("small.aithreat", SMALL),
    "--baseline",
    path.join(tmp, "missing.json"),
    "--format",
    "json",
  );
  assert.is(r.code, 2);
  const doc = JSON.parse(r.stdout) as { diagnostics: { code: string }[] };
  assert.is(doc.diagnostics[0]!.code, "AT9002");
});

test("exit 2: an output folder that cannot be written (a file in the way)", async () => {
  const blocker = path.join(tmp, "a-file");
  fs.writeFileSync(blocker, "not a folder\n");
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(
    ["compile", model("small.aithreat", SMALL), "--root", tmp, "--out", path.join(blocker, "out")],
    io,
  );
  assert.is(code, 2, io.stderr);
  assert.match(io.stderr, /error AT9002: cannot write `--out .*a-file\/out`: /);
  assert.not.match(io.stderr, /AT9999/);
  // With --format json, stdout is one JSON document either way: here the diagnostic.
  const json = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const args = ["compile", model("small.aithreat", SMALL), "--root", tmp, "--out", path.join(blocker, "out")];
  assert.is(await main([...args, "--format", "json"], json), 2, json.stderr);
  const doc = JSON.parse(json.stdout) as { diagnostics: { code: string; message: string }[] };
  assert.match(doc.diagnostics[0]!.message, /cannot write `--out .*a-file\/out`: /);
});

// ---- exit 3 ------------------------------------------------------------------------------------------

test("exit 3: an exception in an emitter is an internal error, and the previous output stays", async () => {
  const file = model("small.aithreat", SMALL);
  const first = await compile(file);
  const before = fs.readFileSync(path.join(first.out, "findings.json"), "utf8");
  const broken: Emitter = {
    name: "broken",
    emit: () => {
      throw new Error("emitter bug");
    },
  };
  (EMITTERS as Emitter[]).push(broken);
  try {
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
    const code = await main(["compile", file, "--root", tmp, "--out", first.out, "--fail-on", "info"], io);
    assert.is(code, 3);
    assert.match(io.stderr, /error AT9999: internal error: emitter bug/);
  } finally {
    (EMITTERS as Emitter[]).pop();
  }
  assert.is(fs.readFileSync(path.join(first.out, "findings.json"), "utf8"), before);
});

// ---- output on stdout, --quiet ----------------------------------------------------------------------

test("--format json|sarif|junit prints that output on stdout, byte for byte", async () => {
  const file = model("small.aithreat", SMALL);
  for (const [format, name] of [
    ["json", "findings.json"],
    ["sarif", "findings.sarif"],
    ["junit", "findings.junit.xml"],
  ] as const) {
    const r = await compile(file, "--format", format);
    assert.is(r.code, 0, r.stderr);
    assert.is(r.stdout, fs.readFileSync(path.join(r.out, name), "utf8"), format);
  }
  const text = await compile(file);
  assert.is(text.stdout, "");
});

test("--quiet: a failing gate still lists its findings; a passing one says nothing", async () => {
  const file = model("small.aithreat", SMALL);
  const failed = await compile(file, "--fail-on", "high", "--quiet");
  assert.is(failed.code, 1);
  assert.equal(failingIds(failed.stderr), ["AT-52:api"]);
  assert.not.match(failed.stderr, /wrote \d+ files/);
  const passed = await compile(file, "--fail-on", "critical", "--quiet");
  assert.is(passed.code, 0);
  assert.is(passed.stderr, "");
});

test.run();
