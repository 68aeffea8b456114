/**
 * docs/ci.md's two pipelines, run as written. The shell of the GitHub Actions steps and of the GitLab
 * job is taken from the page and run with bash in a real git repository in a temporary folder, with
 * a pull request that adds a finding over the bar: the target branch's findings become the baseline,
 * the gate fails on what the pull request adds (exit 1), the outputs exist for the upload, and the
 * diff comment is posted. `gh` and `curl` are stand-ins that record what they were asked to do;
 * `aithreat` is this checkout's CLI. What the page's YAML leaves to the CI system (`uses:` steps,
 * `${{ }}` expressions) is checked or filled in here; an expression the test does not know fails it,
 * so a new one is looked at.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TEST_TODAY } from "./helpers/compile.js";
import { REPO } from "./helpers/outputs.js";

const page = fs.readFileSync(path.join(REPO, "docs", "ci.md"), "utf8");
const [github, gitlab] = [...page.matchAll(/^```yaml\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-docs-ci-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// ---- the YAML, read as far as the shell needs -----------------------------------------------------

const indentOf = (line: string) => line.length - line.trimStart().length;

/** The lines of a block scalar (`key: |`) starting after `lines[at]`, without their common indent. */
function blockAfter(lines: readonly string[], at: number): string {
  const body: string[] = [];
  for (let i = at + 1; i < lines.length; i++) {
    const line = lines[i]!;
    if (line.trim() !== "" && indentOf(line) <= indentOf(lines[at]!)) break;
    body.push(line);
  }
  const indent = Math.min(...body.filter((l) => l.trim() !== "").map(indentOf));
  return `${body.map((l) => l.slice(indent)).join("\n")}\n`;
}

interface Step {
  name: string;
  if?: string;
  uses?: string;
  run?: string;
}

/** The steps of the GitHub workflow's job. */
function githubSteps(yaml: string): Step[] {
  const lines = yaml.split("\n");
  const steps: Step[] = [];
  for (const [i, line] of lines.entries()) {
    const item = /^ {6}- (\w[\w-]*): ?(.*)$/.exec(line);
    if (item) steps.push({ name: item[1] === "name" ? item[2]! : `(${item[2]})` });
    const key = /^ {8}(if|uses|run): ?(.*)$/.exec(line) ?? (item && /^ {6}- (uses|run): ?(.*)$/.exec(line));
    if (!key || steps.length === 0) continue;
    const step = steps[steps.length - 1]!;
    const value = key[2] === "|" ? blockAfter(lines, i) : key[2]!;
    step[key[1] as "if" | "uses" | "run"] = value;
  }
  return steps;
}

/** The GitLab job's `script:` items, one shell text. */
function gitlabScript(yaml: string): string {
  const lines = yaml.split("\n");
  const start = lines.findIndex((l) => /^ {2}script:$/.test(l));
  assert.ok(start > 0, "the GitLab job has a script");
  let text = "";
  for (let i = start + 1; i < lines.length && (lines[i]!.trim() === "" || indentOf(lines[i]!) > 2); i++) {
    const item = /^ {4}- (.*)$/.exec(lines[i]!);
    if (item) text += item[1] === "|" ? blockAfter(lines, i) : `${item[1]}\n`;
  }
  return text;
}

/** A step's shell with the `${{ }}` expressions it uses filled in. */
function filled(shell: string, values: Record<string, string>): string {
  const text = shell.replace(/\$\{\{\s*([^}]*?)\s*\}\}/g, (all, expr: string) => {
    const value = values[expr];
    assert.ok(value !== undefined, `docs/ci.md uses ${all}, which this test does not fill in`);
    return value;
  });
  return text;
}

// ---- a repository with a pull request, and stand-ins for the CI tools ------------------------------

function git(cwd: string, ...args: string[]): string {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
    cwd,
    encoding: "utf8",
  });
  assert.is(r.status, 0, `git ${args.join(" ")}: ${r.stderr}`);
  return r.stdout.trim();
}

const origin = path.join(tmp, "origin.git");
{
  const seed = path.join(tmp, "seed");
  fs.mkdirSync(path.join(seed, "models"), { recursive: true });
  const model = fs.readFileSync(
    path.join(REPO, "samples", "rag-support", "support-assistant.aithreat"),
    "utf8",
  );
  fs.writeFileSync(path.join(seed, "models", "support-assistant.aithreat"), model);
  git(seed, "init", "-q", "-b", "main");
  git(seed, "add", ".");
  git(seed, "commit", "-q", "-m", "the model");
  git(tmp, "clone", "-q", "--bare", seed, origin);
  // The pull request adds a tool that sends outside without approval: two new high findings.
  git(seed, "checkout", "-q", "-b", "feature");
  fs.writeFileSync(
    path.join(seed, "models", "support-assistant.aithreat"),
    `${model}\ntool fax "Fax gateway" in assistant { capabilities [send_external] }\nflow support_bot -> fax "send fax" { kind invoke }\n`,
  );
  git(seed, "commit", "-q", "-am", "a fax tool");
  git(seed, "push", "-q", origin, "feature");
}

/** A checkout of the pull request in `<tmp>/<name>/repo`, with `origin/main` beside it. */
function checkout(name: string): string {
  const repo = path.join(tmp, name, "repo");
  fs.mkdirSync(path.dirname(repo), { recursive: true });
  git(path.dirname(repo), "clone", "-q", "-b", "feature", origin, "repo");
  return repo;
}

const bin = path.join(tmp, "bin");
const calls = path.join(tmp, "calls.log");
fs.mkdirSync(bin);
const tool = (name: string, body: string) =>
  fs.writeFileSync(path.join(bin, name), `#!/bin/sh\n${body}`, { mode: 0o755 });
tool(
  "aithreat",
  `exec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(REPO, "bin", "aithreat.js"))} "$@"\n`,
);
// `gh api ... --paginate` lists no earlier comment; every call is recorded.
tool("gh", `echo "gh $*" >> ${JSON.stringify(calls)}\n`);
tool("curl", `echo "curl $*" >> ${JSON.stringify(calls)}\n`);

/** Runs a shell text as CI would (bash, stopping at the first failing command). */
function sh(
  cwd: string,
  script: string,
  env: Record<string, string>,
  pipefail = false,
): { status: number; stderr: string } {
  const r = spawnSync("bash", pipefail ? ["-eo", "pipefail", "-c", script] : ["-e", "-c", script], {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      PATH: `${bin}${path.delimiter}${process.env["PATH"] ?? ""}`,
      AITHREAT_TODAY: TEST_TODAY,
      ...env,
    },
  });
  if (r.status !== 0 && r.status !== 1) assert.unreachable(`exit ${r.status}:\n${script}\n${r.stderr}`);
  return { status: r.status ?? -1, stderr: r.stderr };
}

// ---- the pipelines --------------------------------------------------------------------------------

/** One run of the GitHub job on the pull request: the gate's exit code and what the steps said. */
function githubRun(repo: string): { code: number; stderr: string; env: string } {
  const steps = githubSteps(github!);
  const envFile = path.join(tmp, "github-env");
  const outputFile = path.join(tmp, "github-output");
  fs.writeFileSync(envFile, "");
  fs.writeFileSync(outputFile, "");
  fs.rmSync(calls, { force: true });
  const event = {
    "github.base_ref": "main",
    "github.token": "token",
    "github.event.pull_request.number": "7",
  };
  let code: number | undefined;
  let stderr = "";
  for (const step of steps) {
    if (step.uses?.startsWith("github/codeql-action/upload-sarif")) {
      assert.ok(fs.existsSync(path.join(repo, "aithreat-out", "findings.sarif")), "findings.sarif to upload");
      continue;
    }
    if (step.run === undefined) continue;
    // The install: this checkout's CLI stands in for the published package (and nothing is fetched).
    if (/^npm install --global aithreat@/.test(step.run)) continue;
    // The step's own env (GH_TOKEN, PR) and what earlier steps wrote to $GITHUB_ENV.
    const written = Object.fromEntries(
      fs
        .readFileSync(envFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [l.slice(0, l.indexOf("=")), l.slice(l.indexOf("=") + 1)]),
    );
    const outputs = Object.fromEntries(
      fs
        .readFileSync(outputFile, "utf8")
        .split("\n")
        .filter((l) => l.includes("="))
        .map((l) => [`steps.compile.outputs.${l.slice(0, l.indexOf("="))}`, l.slice(l.indexOf("=") + 1)]),
    );
    const status = sh(repo, filled(step.run, { ...event, ...outputs }), {
      ...written,
      GITHUB_ENV: envFile,
      GITHUB_OUTPUT: outputFile,
      GITHUB_REPOSITORY: "example/models",
      GH_TOKEN: "token",
      PR: "7",
    });
    stderr += status.stderr;
    if (step.name === "Gate") code = status.status;
    else assert.is(status.status, 0, `step ${step.name} failed: ${status.stderr}`);
  }
  assert.ok(code !== undefined, "the workflow has a Gate step");
  return { code, stderr, env: fs.readFileSync(envFile, "utf8") };
}

test("GitHub Actions: the workflow's shell gates the pull request on what it adds and comments the diff", () => {
  const repo = checkout("github");
  for (const run of ["first", "again in the same workspace"]) {
    const r = githubRun(repo);
    assert.is(r.code, 1, `${run}: the two new high findings fail the gate`);
    assert.match(r.env, /^BASELINE=--baseline \.\.\/base-out\/findings\.json$/m);
    assert.match(r.stderr, "gate failed: 2 open findings at or above `high` new since the baseline");
    const diff = fs.readFileSync(path.join(repo, "diff.md"), "utf8");
    assert.ok(diff.startsWith("<!-- aithreat-diff -->\n"), run);
    assert.match(diff, "**Findings:** 2 new");
    assert.match(fs.readFileSync(calls, "utf8"), /^gh pr comment 7 --body-file diff\.md$/m);
  }
});

test("GitHub Actions: the steps that need a writable token are skipped where it is read-only", () => {
  const steps = githubSteps(github!);
  const writes = steps.filter(
    (s) => s.uses?.startsWith("github/codeql-action/upload-sarif") || /\bgh (?:api|pr)\b/.test(s.run ?? ""),
  );
  assert.is(writes.length, 2);
  for (const s of writes) assert.match(s.if ?? "", "env.CAN_WRITE == 'true'", s.name);
  assert.match(github!, /^ {2}actions: read\b/m);
});

test("GitLab CI: the job's script gates the merge request on what it adds and posts the diff", () => {
  const repo = checkout("gitlab");
  const note = path.join(repo, "note.json");
  const r = sh(
    repo,
    gitlabScript(gitlab!),
    {
      CI_MERGE_REQUEST_TARGET_BRANCH_NAME: "main",
      CI_MERGE_REQUEST_IID: "7",
      CI_PROJECT_ID: "42",
      CI_API_V4_URL: "https://gitlab.example/api/v4",
      AITHREAT_BOT_TOKEN: "token",
    },
    true,
  );
  assert.is(r.status, 1, "the two new high findings fail the job");
  assert.match(r.stderr, "gate failed: 2 open findings at or above `high` new since the baseline");
  assert.ok(fs.existsSync(path.join(repo, "aithreat-out", "findings.junit.xml")), "the JUnit report");
  const body = (JSON.parse(fs.readFileSync(note, "utf8")) as { body: string }).body;
  assert.ok(body.startsWith("<!-- aithreat-diff -->\n"));
  assert.match(fs.readFileSync(calls, "utf8"), "/projects/42/merge_requests/7/notes");
});

test.run();
