/**
 * Policy gates through the CLI: `check` and `compile` exit 1 when a threshold fails (each failure a
 * located AT5010 with notes at the offenders), 2 when a policy itself is wrong, 0 when every threshold
 * holds; `--policy <file>` adds a file of policies; the policy gate and `--fail-on` combine.
 * Runs `main()` in-process on files in a temporary folder.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import type { MetricsJson } from "../../src/emit/metrics-json.js";
import { TEST_TODAY } from "../helpers/compile.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-policy-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

let cases = 0;
/** A fresh folder under the temporary one with these files; returns its path. */
function project(files: Record<string, string>): string {
  const dir = path.join(tmp, `case${++cases}`);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    fs.writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

async function run(
  cwd: string,
  ...args: string[]
): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, cwd);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** `file:line:col CODE` of every located diagnostic line in text output. */
const located = (stderr: string): string[] =>
  [...stderr.matchAll(/^(\S+):(\d+):(\d+) - (?:error|warning) (AT\d{4}):/gm)].map(
    (m) => `${m[1]}:${m[2]}:${m[3]} ${m[4]}`,
  );
/** The notes of the diagnostics, `message (file:line:col)`. */
const notes = (stderr: string): string[] => [...stderr.matchAll(/^ {2}= note: (.*)$/gm)].map((m) => m[1]!);

// One public endpoint without a rate limit, one agent with the lethal trifecta, crown jewels in reach.
const MODEL = `zone internet "Internet" { trust untrusted }
zone corp "Corp" { trust internal }
actor customer "Customer" in internet
source web "Web pages" in internet { type web }
endpoint api "Chat API" in corp { exposure public  auth session }
vectorstore kb "KB" in corp
store crm "CRM" in corp { holds [pii] }
agent bot "Bot" in corp { autonomy step  memory session  identity service_account }
tool mailer "Mailer" in corp { capabilities [send_external] }
data pii "Customer PII" { classification personal  crown confidentiality }
flow customer -> api { kind prompt }
flow api -> bot { kind prompt }
flow web -> kb { kind ingest }
flow kb -> bot { kind retrieve }
flow crm -> bot { kind read }
flow bot -> mailer { kind invoke }
`;
// Line numbers in MODEL, for the expected locations below.
const LINE = { api: 5, bot: 8, pii: 10 };

const FAILING_POLICY = `policy release "Release gate" {
  trifecta_violations 0
  public_endpoints_without_rate_limit 0
  max_agentic_amplification 10
}
`;

test("check: a failing policy exits 1, each failed threshold located at its line, offenders in notes", async () => {
  const dir = project({ "model.aithreat": MODEL + FAILING_POLICY });
  const r = await run(dir, "check", dir, "--root", dir);
  assert.is(r.code, 1, r.stderr);
  const policyLine = MODEL.split("\n").length; // the `policy` line follows the model's last line
  assert.equal(located(r.stderr), [
    `model.aithreat:${policyLine + 1}:3 AT5010`,
    `model.aithreat:${policyLine + 2}:3 AT5010`,
  ]);
  assert.match(r.stderr, "`trifecta_violations` is 1, above the maximum of 0 that policy `release` sets");
  assert.match(
    r.stderr,
    "`public_endpoints_without_rate_limit` is 1, above the maximum of 0 that policy `release` sets",
  );
  // Notes point at the names: `agent bot` puts `bot` at column 7, `endpoint api` puts `api` at 10.
  assert.equal(notes(r.stderr), [
    `\`bot\` combines untrusted input, private data and an outbound channel (model.aithreat:${LINE.bot}:7)`,
    `\`api\` is public and states no rate limit (model.aithreat:${LINE.api}:10)`,
  ]);
  assert.match(r.stderr, "policy: 1 of 3 thresholds met in 1 policy, 2 failed");
});

test("check: a passing policy exits 0 and says how many thresholds held", async () => {
  const dir = project({
    "model.aithreat": `${MODEL}policy lenient { trifecta_violations 1  exposed_crown_jewels 5 }\n`,
  });
  const r = await run(dir, "check", dir, "--root", dir);
  assert.is(r.code, 0, r.stderr);
  assert.equal(located(r.stderr), []);
  assert.match(r.stderr, "policy: 2 of 2 thresholds met in 1 policy");
});

test("check: without a policy, no policy line and exit 0", async () => {
  const dir = project({ "model.aithreat": MODEL });
  const r = await run(dir, "check", dir, "--root", dir);
  assert.is(r.code, 0, r.stderr);
  assert.not.match(r.stderr, "policy:");
});

test("check: a mistake in a policy is an invalid model (exit 2), and nothing is judged", async () => {
  const dir = project({
    "model.aithreat": `${MODEL}policy ci {\n  trifecta_violation 0\n  mitigation_coverage 120\n}\n`,
  });
  const r = await run(dir, "check", dir, "--root", dir);
  assert.is(r.code, 2, r.stderr);
  const at = MODEL.split("\n").length;
  assert.equal(located(r.stderr), [
    `model.aithreat:${at + 1}:3 AT5001`,
    `model.aithreat:${at + 2}:23 AT5002`,
  ]);
  assert.match(r.stderr, "= hint: did you mean `trifecta_violations`?");
  assert.not.match(r.stderr, "AT5010");
});

test("check: a model with errors exits 2 and its policies are not evaluated", async () => {
  const dir = project({
    "model.aithreat": `${MODEL}flow bot -> nowhere { kind invoke }\npolicy ci { trifecta_violations 0 }\n`,
  });
  const r = await run(dir, "check", dir, "--root", dir);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, "AT2001");
  assert.not.match(r.stderr, "AT5010");
});

test("check --format json: violations are located diagnostics in the JSON, exit 1", async () => {
  const dir = project({ "model.aithreat": MODEL + FAILING_POLICY });
  const r = await run(dir, "check", dir, "--root", dir, "--format", "json");
  assert.is(r.code, 1);
  const doc = JSON.parse(r.stdout) as {
    diagnostics: { code: string; line: number; column: number; notes: { line: number }[] }[];
  };
  const v = doc.diagnostics.filter((d) => d.code === "AT5010");
  const at = MODEL.split("\n").length;
  assert.equal(
    v.map((d) => [d.line, d.column, d.notes.map((n) => n.line)]),
    [
      [at + 1, 3, [LINE.bot]],
      [at + 2, 3, [LINE.api]],
    ],
  );
});

test("--policy: a file of policies outside the model folder, located in that file", async () => {
  const dir = project({
    "models/model.aithreat": MODEL,
    "policies/org.aithreat": `// Organisation-wide gate\npolicy org { exposed_crown_jewels 0 }\n`,
  });
  // A relative --policy is resolved against the working directory.
  const r = await run(
    dir,
    "check",
    path.join(dir, "models"),
    "--root",
    dir,
    "--policy",
    "policies/org.aithreat",
  );
  assert.is(r.code, 1, r.stderr);
  assert.equal(located(r.stderr), ["policies/org.aithreat:2:14 AT5010"]);
  // The crown jewel `pii` is marked by its `crown` property: `data pii "Customer PII" { ` is 26
  // characters, `classification personal  ` 25 more, so `crown` starts at column 52 of line 10.
  assert.equal(notes(r.stderr), [
    `\`pii\` (confidentiality) is reachable from \`user_input\`, \`external_data\` (models/model.aithreat:${LINE.pii}:52)`,
  ]);
});

test("--policy: model and file policies are both checked", async () => {
  const dir = project({
    "model.aithreat": `${MODEL}policy own { trifecta_violations 5 }\n`,
    "gate.policy.aithreat.txt": "", // not an .aithreat file: never picked up as a model file
  });
  const file = path.join(tmp, `org${cases}.aithreat`);
  fs.writeFileSync(file, "policy org { trifecta_violations 0 }\n");
  const r = await run(dir, "check", dir, "--root", dir, "--policy", file);
  assert.is(r.code, 1, r.stderr);
  assert.equal(
    located(r.stderr).map((l) => l.replace(/^.*\//, "")),
    [`org${cases}.aithreat:1:14 AT5010`],
  );
  assert.match(r.stderr, "policy: 1 of 2 thresholds met in 2 policies, 1 failed");
  // Two files were read and checked: the model and the policy file (it said "1 file checked").
  assert.match(r.stderr, "2 files checked: 1 error");
  const json = await run(dir, "check", dir, "--root", dir, "--policy", file, "--format", "json");
  assert.is((JSON.parse(json.stdout) as { files: number }).files, 2);
});

test("--policy: the file may hold only policies (AT5004, exit 2), imports included", async () => {
  const dir = project({
    "model.aithreat": MODEL,
    "p.aithreat": `import "./model.aithreat"\nzone evil "Evil" { trust internal }\npolicy ok { trifecta_violations 0 }\n`,
  });
  const r = await run(
    dir,
    "check",
    path.join(dir, "model.aithreat"),
    "--root",
    dir,
    "--policy",
    path.join(dir, "p.aithreat"),
  );
  assert.is(r.code, 2, r.stderr);
  assert.equal(located(r.stderr), ["p.aithreat:1:1 AT5004", "p.aithreat:2:1 AT5004"]);
  assert.match(r.stderr, "a policy file holds only `policy` declarations, not `zone`");
});

test("--policy: a missing file is AT1001, exit 2", async () => {
  const dir = project({ "model.aithreat": MODEL });
  const r = await run(dir, "check", dir, "--root", dir, "--policy", path.join(dir, "nope.aithreat"));
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, "AT1001");
  assert.match(r.stderr, "cannot read `nope.aithreat`");
  assert.match(r.stderr, "1 file checked:", "a file that could not be read is not counted");
});

test("--policy: a file that is also a model file is read once", async () => {
  const dir = project({ "model.aithreat": MODEL + FAILING_POLICY });
  const r = await run(dir, "check", dir, "--root", dir, "--policy", path.join(dir, "model.aithreat"));
  assert.is(r.code, 1);
  assert.is(located(r.stderr).length, 2, "each failed threshold once");
  assert.match(r.stderr, "1 file checked:", "and counted once");
});

test("compile: a failing policy writes every output, then exits 1; metrics.json records the verdict", async () => {
  const dir = project({ "model.aithreat": MODEL + FAILING_POLICY });
  const out = path.join(dir, "out");
  const r = await run(dir, "compile", dir, "--root", dir, "--out", out, "--quiet");
  assert.is(r.code, 1, r.stderr);
  assert.is(located(r.stderr).filter((l) => l.endsWith("AT5010")).length, 2);
  const doc = JSON.parse(fs.readFileSync(path.join(out, "metrics.json"), "utf8")) as MetricsJson;
  assert.is(doc.policy.passed, false);
  assert.equal(
    doc.policy.policies[0]!.thresholds.map((t) => [t.metric, t.passed]),
    [
      ["trifecta_violations", false],
      ["public_endpoints_without_rate_limit", false],
      ["max_agentic_amplification", true],
    ],
  );
  assert.is(doc.scorecard.find((e) => e.id === "trifecta_violations")?.status, "fail");
});

test("compile --only sarif: the paths and metrics no chosen output reads still decide the policy gate", async () => {
  const dir = project({ "model.aithreat": MODEL + FAILING_POLICY });
  const out = path.join(dir, "out");
  const r = await run(dir, "compile", dir, "--root", dir, "--out", out, "--quiet", "--only", "sarif");
  assert.is(r.code, 1, r.stderr);
  assert.is(located(r.stderr).filter((l) => l.endsWith("AT5010")).length, 2);
  assert.equal(fs.readdirSync(out).sort(), [".aithreat-output", "findings.sarif"]);
});

test("compile: an invalid policy exits 2 and writes nothing", async () => {
  const dir = project({ "model.aithreat": `${MODEL}policy ci { mitigation_coverag 80 }\n` });
  const out = path.join(dir, "out");
  const r = await run(dir, "compile", dir, "--root", dir, "--out", out);
  assert.is(r.code, 2, r.stderr);
  assert.match(r.stderr, "AT5001");
  assert.not.ok(fs.existsSync(out));
});

test("compile: the policy gate and --fail-on combine; either failing exits 1", async () => {
  const passing = `${MODEL}policy ok { trifecta_violations 1 }\n`;
  const failing = `${MODEL}policy strict { trifecta_violations 0 }\n`;
  const code = async (text: string, ...extra: string[]) => {
    const dir = project({ "model.aithreat": text });
    return (
      await run(dir, "compile", dir, "--root", dir, "--out", path.join(dir, "out"), "--quiet", ...extra)
    ).code;
  };
  // The trifecta finding (AT-37) is critical and open, so `--fail-on critical` fails on this model.
  assert.is(await code(passing), 0, "policy passes, no finding gate");
  assert.is(await code(passing, "--fail-on", "critical"), 1, "finding gate fails, policy passes");
  assert.is(await code(failing), 1, "policy fails, no finding gate");
  assert.is(await code(failing, "--fail-on", "critical"), 1, "both fail");
});

test("--policy outside the project: named relative to the root, so metrics.json is the same from any folder", async () => {
  const dir = project({ "repo/.git/HEAD": "", "repo/models/model.aithreat": MODEL });
  fs.mkdirSync(path.join(dir, "org"));
  fs.writeFileSync(path.join(dir, "org", "gate.aithreat"), "policy org { trifecta_violations 0 }\n");
  const repo = path.join(dir, "repo");
  const from = async (cwd: string, policy: string, out: string) => {
    const r = await run(cwd, "compile", path.join(repo, "models"), "--policy", policy, "--out", out, "-q");
    assert.is(r.code, 1, r.stderr);
    return { stderr: r.stderr, metrics: fs.readFileSync(path.join(out, "metrics.json"), "utf8") };
  };
  // The same model and policy file, from the repository's root and from its models folder. The
  // file was named relative to the working directory there, `../../org/gate.aithreat` from `models`.
  const top = await from(repo, "../org/gate.aithreat", path.join(dir, "out1"));
  const deep = await from(path.join(repo, "models"), "../../org/gate.aithreat", path.join(dir, "out2"));
  assert.equal(located(top.stderr), ["../org/gate.aithreat:1:14 AT5010"]);
  assert.equal(located(deep.stderr), located(top.stderr));
  assert.match(top.metrics, '"file": "../org/gate.aithreat"');
  assert.is(deep.metrics, top.metrics);
});

test("check and compile print the same JSON document for an invalid model, `files` included", async () => {
  // An error in an imported file; a --policy file outside the model: three files read.
  const dir = project({
    "models/model.aithreat": `import "parts.aithreat"\n${MODEL}`,
    "models/parts.aithreat": `zone extra "Extra" {\n  trust internal\n  stor db "DB" { }\n}\n`,
    "policies/org.aithreat": `policy org { exposed_crown_jewels 0 }\n`,
  });
  const args = [
    path.join(dir, "models"),
    "--root",
    dir,
    "--policy",
    "policies/org.aithreat",
    "--format",
    "json",
  ];
  const check = await run(dir, "check", ...args);
  const compile = await run(dir, "compile", ...args, "--out", path.join(dir, "out"));
  assert.is(check.code, 2, check.stderr);
  assert.is(compile.code, 2, compile.stderr);
  const doc = JSON.parse(check.stdout) as { files: number; diagnostics: { code: string; file: string }[] };
  assert.is(doc.files, 3);
  assert.equal(
    doc.diagnostics.map((d) => `${d.file} ${d.code}`),
    ["models/parts.aithreat AT1020"],
  );
  assert.is(compile.stdout, check.stdout);
  // A command line refused before any model is read: no file read.
  const refused = await run(dir, "compile", ...args, "--out", path.join(dir, "out"), "-k", "0");
  assert.is(refused.code, 2, refused.stderr);
  assert.equal(Object.keys(JSON.parse(refused.stdout) as object), ["files", "diagnostics"]);
  assert.is((JSON.parse(refused.stdout) as { files: number }).files, 0);
});

test.run();
