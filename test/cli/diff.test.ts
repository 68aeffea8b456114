/**
 * `aithreat diff`: pairs of variants of the rag-support sample (a flow added, a control added, a
 * component renamed) with exactly which fingerprints move and which exposures open; the rename
 * shows as removed + added and leaves every unrelated fingerprint in place; `--base` against a real
 * git repository in a temporary folder (no network); Markdown that escapes model text; JSON; exit
 * codes 0 and 2; metric deltas with their direction and the names that came and went.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { diffModels, type ModelDiff } from "../../src/analysis/diff.js";
import { METRIC_DEFS, metricDeltas } from "../../src/analysis/metrics/index.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { DIFF_MARKER, MAX_MARKDOWN_CHARS, diffMarkdown } from "../../src/emit/diff-markdown.js";
import { percent } from "../../src/words.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { REPO, memoryContext } from "../helpers/outputs.js";

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-diff-test-")));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const BASE = fs.readFileSync(path.join(REPO, "samples/rag-support/support-assistant.aithreat"), "utf8");
const ESCALATE = `flow support_bot -> escalate_email "escalate by e-mail" { kind invoke }`;
const VARIANTS = {
  base: BASE,
  // The agent gets write access to the orders database: its integrity opens to attackers.
  flowAdded: `${BASE}\nflow support_bot -> order_db "fix orders" { kind write }\n`,
  // ...and to the secrets manager: a new memory-poisoning finding on it.
  secretsFlow: `${BASE}\nflow support_bot -> secret_manager "rotate key" { kind write }\n`,
  // A person approves every e-mail escalation.
  controlAdded: BASE.replace(
    ESCALATE,
    ESCALATE.replace("kind invoke", "kind invoke  controls [human_approval]"),
  ),
  renamed: BASE.replace(/\bkb_index\b/g, "knowledge_index"),
  // A title holding a tab and a zero-width no-break space (U+FEFF), written as the language's escapes.
  invisible: `${BASE}\nzone lab "Lab\\tone\\u{feff}two" { trust internal  store notes "Notes\\u{feff}\\tx" }\n`,
  hostile: `${BASE}\nzone lab "Lab | <img src=x onerror=alert(1)>" { trust internal  store notes "**bold** | [x](javascript:alert(1)) <script> <img src=x>" }\n`,
  // The agent gets 300 tools that act without approval: hundreds of new findings in one change.
  manyTools: `${BASE}\n${Array.from(
    { length: 300 },
    (_, i) =>
      `tool bulk${i} "Bulk tool ${i}" { capabilities [write, send_external]  approval none }\nflow support_bot -> bulk${i} { kind invoke }`,
  ).join("\n")}\n`,
  // The same 300 tools, each retitled at length: 300 model-change lines, too long for one comment.
  manyToolsRetitled: `${BASE}\n${Array.from(
    { length: 300 },
    (_, i) =>
      `tool bulk${i} "Bulk tool ${i}, ${"retitled at length ".repeat(12)}" { capabilities [write, send_external]  approval none }\nflow support_bot -> bulk${i} { kind invoke }`,
  ).join("\n")}\n`,
};

/** Writes a variant into the temporary folder and returns its path. */
function write(name: keyof typeof VARIANTS, dir = tmp): string {
  const file = path.join(dir, `${name}.aithreat`);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(file, VARIANTS[name]);
  return file;
}

async function run(args: readonly string[], cwd = tmp) {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, cwd);
  const code = await main(["diff", ...args], io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** `diff --format json` of two variants. */
async function diffJson(before: keyof typeof VARIANTS, after: keyof typeof VARIANTS): Promise<ModelDiff> {
  const r = await run([write(before), write(after), "--format", "json", "--root", tmp]);
  assert.is(r.code, 0, r.stderr);
  return JSON.parse(r.stdout) as ModelDiff;
}

const ids = (xs: readonly { id: string }[]) => xs.map((x) => x.id).sort();
const cells = (xs: ModelDiff["attackPaths"]["opened"]) =>
  xs.map((x) => `${x.crown}/${x.property}/${x.entryClass}`).sort();

/** Every finding that is neither new nor resolved keeps its fingerprint. */
function assertNoOtherMoves(d: ModelDiff) {
  const moved = d.findings.resolved.length;
  assert.is(d.findings.unchanged + d.findings.rescored.length, d.findings.before.findings - moved);
  assert.is(
    d.findings.unchanged + d.findings.rescored.length,
    d.findings.after.findings - d.findings.new.length,
  );
}

test("identical models: nothing moves", async () => {
  const d = await diffJson("base", "base");
  assert.equal([d.findings.new, d.findings.resolved, d.findings.rescored], [[], [], []]);
  assert.is(d.findings.unchanged, d.findings.before.findings);
  assert.equal([d.attackPaths.opened, d.attackPaths.closed, d.attackPaths.changed], [[], [], []]);
  assert.equal([d.components.added, d.components.removed, d.components.changed], [[], [], []]);
  const md = await run([write("base"), write("base"), "--root", tmp]);
  assert.match(md.stdout, /No change to the model, its findings or its attack paths\./);
});

test("a flow added: the flow and the exposures it opens, nothing else", async () => {
  const d = await diffJson("base", "flowAdded");
  assert.equal(
    d.flows.added.map((f) => f.name),
    ["support_bot->order_db"],
  );
  assert.equal([d.flows.removed, d.components.added, d.components.removed], [[], [], []]);
  assert.equal(cells(d.attackPaths.opened), [
    "order_db/integrity/external_data",
    "order_db/integrity/user_input",
  ]);
  assert.equal(d.attackPaths.closed, []);
  assert.equal(ids(d.findings.new), []);
  assert.equal(ids(d.findings.resolved), []);
  // The flow writes into order_db and carries nothing, so what order_db returns to its readers (the
  // over-sharing of AT-27) and every other finding stay as they were.
  assert.equal(ids(d.findings.rescored), []);
  assertNoOtherMoves(d);
});

test("a flow added that raises a new finding: exactly that fingerprint is new", async () => {
  const d = await diffJson("base", "secretsFlow");
  assert.equal(ids(d.findings.new), ["AT-40:secret_manager"]);
  assert.equal(ids(d.findings.resolved), []);
  assertNoOtherMoves(d);
});

test("a control added: the flow changed, three findings mitigated, no fingerprint moves", async () => {
  const d = await diffJson("base", "controlAdded");
  assert.equal(d.flows.changed.length, 1);
  assert.is(d.flows.changed[0]!.name, "support_bot->escalate_email");
  assert.equal(d.flows.changed[0]!.changes, [{ field: "controls", added: ["human_approval"], removed: [] }]);
  assert.equal([ids(d.findings.new), ids(d.findings.resolved)], [[], []]);
  assert.equal(ids(d.findings.rescored), [
    "AT-36:support_bot:escalate_email",
    "AT-37:support_bot",
    "AT-57:support_bot:escalate_email",
  ]);
  for (const f of d.findings.rescored) {
    assert.equal([f.before.status, f.after.status], ["open", "mitigated"], f.id);
    assert.is(f.before.severity, f.after.severity, "inherent severity stays");
  }
  assert.is(d.findings.after.open, d.findings.before.open - 3);
  assertNoOtherMoves(d);
});

test("a component renamed: its findings are resolved + new, every other fingerprint stays", async () => {
  const d = await diffJson("base", "renamed");
  assert.equal(
    d.components.removed.map((c) => c.name),
    ["kb_index"],
  );
  assert.equal(
    d.components.added.map((c) => c.name),
    ["knowledge_index"],
  );
  assert.equal(ids(d.findings.resolved), ["AT-27:kb_index", "AT-30:kb_index"]);
  assert.equal(ids(d.findings.new), ["AT-27:knowledge_index", "AT-30:knowledge_index"]);
  // Derived independently: exactly the findings whose id names the component move.
  const before = memoryContext({ "m.aithreat": VARIANTS.base }).analysis.findingsView;
  assert.equal(
    before
      .filter((f) => f.id.split(/[:>-]/).includes("kb_index"))
      .map((f) => f.fingerprint)
      .sort(),
    d.findings.resolved.map((f) => f.fingerprint).sort(),
  );
  assert.equal(d.findings.rescored, [], "renaming changes no other finding's score");
  assertNoOtherMoves(d);
  // Its flows are renamed too (unnamed flows are `from->to`), and its crown property moves.
  assert.equal(d.flows.removed.map((f) => f.name).sort(), ["kb_index->support_bot", "kb_indexer->kb_index"]);
  assert.equal(
    d.attackPaths.targetsRemoved.map((t) => `${t.crown}/${t.property}`),
    ["kb_index/integrity"],
  );
  assert.equal(
    d.attackPaths.targetsAdded.map((t) => `${t.crown}/${t.property}`),
    ["knowledge_index/integrity"],
  );
});

test("Markdown for a pull request: marker, summary, tables, and model text escaped", async () => {
  const r = await run([write("base"), write("hostile"), "--root", tmp]);
  assert.is(r.code, 0, r.stderr);
  const md = r.stdout;
  assert.ok(md.startsWith(`${DIFF_MARKER}\n`));
  assert.match(md, /\*\*Findings:\*\* \d+ new/);
  assert.not.match(md, /<img|<script|\]\(javascript:/i);
  assert.ok(md.includes("&lt;script&gt;") && md.includes("\\*\\*bold\\*\\*"), "the title shows as text");
  // Every table row has as many cells as its header: a pipe in model text cannot add a column.
  const lines = md.split("\n");
  for (let i = 0; i < lines.length; i++) {
    if (!lines[i]!.startsWith("| ") || !lines[i + 1]?.startsWith("| ---")) continue;
    const width = lines[i]!.split(/(?<!\\)\|/).length;
    for (let j = i + 2; j < lines.length && lines[j]!.startsWith("| "); j++)
      assert.is(lines[j]!.split(/(?<!\\)\|/).length, width, lines[j]);
  }
  const flow = await run([write("base"), write("controlAdded"), "--root", tmp]);
  assert.match(flow.stdout, /#### Re-scored findings \(3\)/);
  assert.match(flow.stdout, /\| open → mitigated \|/);
  assert.match(flow.stdout, /flow `support_bot->escalate_email` changed: controls \+`human_approval`/);
});

test("Markdown prints a likelihood as the reports and `paths` do (words.ts `percent`)", async () => {
  // A real change: each exposure it opens, in the words of the report's exposure table.
  const d = await diffJson("base", "flowAdded");
  const r = await run([write("base"), write("flowAdded"), "--root", tmp]);
  assert.is(r.code, 0, r.stderr);
  assert.ok(d.attackPaths.opened.length > 0);
  for (const x of d.attackPaths.opened) {
    const e = x.after.entries;
    const after = `${e} ${e === 1 ? "entry" : "entries"}, best ${percent(x.after.bestLikelihood)}`;
    assert.ok(r.stdout.includes(`| not reachable | ${after} |`), `${x.crown} ${x.entryClass}: ${after}`);
  }
  // Where the diff's own rounding differed: 54.32% (the reports: 54%), a chance just short of
  // certainty (never 100%) and one too small for a tenth of a percent (never 0%).
  const side = (bestLikelihood: number) => ({ reachable: true, entries: 1, bestLikelihood });
  const changed = [
    [0.5432, 0.99999],
    [0.0004, 0.036],
  ].map(([before, after]) => ({
    crown: "order_db",
    property: "integrity",
    entryClass: "user_input",
    before: side(before!),
    after: side(after!),
  }));
  const md = diffMarkdown({ ...d, attackPaths: { ...d.attackPaths, changed } }, { before: "a", after: "b" });
  assert.ok(md.includes("| 1 entry, best 54% | 1 entry, best 99% |"), md);
  assert.ok(md.includes("| 1 entry, best 0.040% | 1 entry, best 3.6% |"), md);
});

test("Markdown shows a title's tab and U+FEFF as spaces, as the other Markdown text and the terminal", async () => {
  // Both reached the pull-request comment raw: U+FEFF is invisible, and a tab has a layout of its own.
  const r = await run([write("base"), write("invisible"), "--root", tmp]);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.stdout, "`notes` (store, Notes  x)");
  assert.not.ok(/[\t\ufeff]/.test(r.stdout), "no tab or U+FEFF in the Markdown");
  // The JSON keeps the title as written (data, ADR 14).
  const d = await diffJson("base", "invisible");
  assert.ok(d.components.added.some((c) => c.title === "Notes\ufeff\tx"));
});

test("Markdown of a large change fits a pull-request comment; the counts stay whole", async () => {
  const d = await diffJson("base", "manyTools");
  const r = await run([write("base"), write("manyTools"), "--root", tmp]);
  assert.is(r.code, 0, r.stderr);
  const md = r.stdout;
  assert.ok(d.findings.new.length > 300, String(d.findings.new.length));
  assert.ok(md.length <= MAX_MARKDOWN_CHARS, String(md.length));
  assert.ok(md.includes(`**Findings:** ${d.findings.new.length} new`), "the headline counts every finding");
  assert.ok(md.includes(`New findings (${d.findings.new.length})`));
  const more = /…and (\d+) more \(`aithreat diff --format json` lists every one\)/.exec(md);
  assert.ok(more, "the table says how many rows it left out");
  const shown = md.split("\n").filter((l) => /^\| (critical|high|medium|low|info) \|/.test(l)).length;
  assert.is(shown + Number(more[1]), d.findings.new.length);
  assert.match(md, /component added \(300\): `bulk0`/);
  // The section counts changes, as the JSON lists them, not its lines (one lists every added tool).
  const changes = [d.components, d.flows].reduce(
    (n, e) => n + e.added.length + e.removed.length + e.changed.length,
    0,
  );
  assert.is(changes, 600);
  assert.ok(md.includes(`Model changes (${changes})`), "the title counts the changes");
  // A metric's names are capped at ten, the rest counted once, in the words the tables use.
  const named = md.split("\n").find((l) => l.startsWith("| ") && /\+`bulk\d+`/.test(l));
  assert.ok(named, "a metric row names the tools it added");
  assert.is(named.match(/\+`bulk\d+`/g)!.length, 10, named);
  assert.match(named, / …and \d+ more \|$/);
});

test("Markdown of many model changes: the lines are capped, the section title counts them all", async () => {
  const r = await run([write("manyTools"), write("manyToolsRetitled"), "--root", tmp]);
  assert.is(r.code, 0, r.stderr);
  const md = r.stdout;
  assert.ok(md.length <= MAX_MARKDOWN_CHARS, String(md.length));
  const more = /- …and (\d+) more \(`aithreat diff --format json` lists every one\)/.exec(md);
  assert.ok(more, "the list says how many lines it left out");
  const shown = md.split("\n").filter((l) => /^- component `bulk\d+` changed: /.test(l)).length;
  assert.is(shown + Number(more[1]), 300);
  assert.match(md, /Model changes \(300\)/);
});

// ---- --base: a real git repository in a temporary folder --------------------------------------------

function git(cwd: string, ...args: string[]) {
  const r = spawnSync("git", ["-c", "user.name=test", "-c", "user.email=test@example.invalid", ...args], {
    cwd,
    encoding: "utf8",
  });
  assert.is(r.status, 0, r.stderr);
  return r.stdout.trim();
}

test("--base: the working tree against a revision, read with git, gives the two-file diff", async () => {
  const repo = path.join(tmp, "repo");
  fs.mkdirSync(path.join(repo, "models"), { recursive: true });
  git(repo, "init", "-q");
  fs.writeFileSync(path.join(repo, "models", "support.aithreat"), VARIANTS.base);
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "base");
  fs.writeFileSync(path.join(repo, "models", "support.aithreat"), VARIANTS.secretsFlow);
  // The revision is extracted under os.tmpdir(): a folder of this test's own, so what other runs
  // on the machine leave in the shared one cannot fail the check below.
  const ownTmp = path.join(tmp, "own-tmpdir");
  fs.mkdirSync(ownTmp, { recursive: true });
  const savedTmpdir = process.env["TMPDIR"];
  process.env["TMPDIR"] = ownTmp;
  let r: Awaited<ReturnType<typeof run>>;
  try {
    r = await run(["--base", "HEAD", "models", "--format", "json"], repo);
  } finally {
    if (savedTmpdir === undefined) delete process.env["TMPDIR"];
    else process.env["TMPDIR"] = savedTmpdir;
  }
  assert.is(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout) as ModelDiff & { before: string; after: string };
  assert.match(d.before, /^HEAD \([0-9a-f]{12}\)$/);
  assert.is(d.after, "working tree");
  const direct = await diffJson("base", "secretsFlow");
  assert.equal(ids(d.findings.new), ids(direct.findings.new));
  assert.equal(ids(d.findings.resolved), ids(direct.findings.resolved));
  assert.equal(ids(d.findings.rescored), ids(direct.findings.rescored));
  assert.is(
    d.findings.new[0]!.where.split(":")[0],
    "models/support.aithreat",
    "paths relative to the repository",
  );
  // The extracted revision is gone afterwards.
  assert.equal(fs.readdirSync(ownTmp), []);
});

test("--base: a revision without the models compares against an empty model", async () => {
  const repo = path.join(tmp, "fresh");
  fs.mkdirSync(repo, { recursive: true });
  git(repo, "init", "-q");
  fs.writeFileSync(path.join(repo, "README.md"), "no models yet\n");
  git(repo, "add", ".");
  git(repo, "commit", "-q", "-m", "start");
  write("base", path.join(repo, "models"));
  const r = await run(["--base", "HEAD", "models", "--format", "json"], repo);
  assert.is(r.code, 0, r.stderr);
  const d = JSON.parse(r.stdout) as ModelDiff;
  assert.is(d.findings.before.findings, 0);
  assert.is(d.findings.new.length, d.findings.after.findings);
  assert.ok(d.components.added.length > 20);
});

test("exit 2: a bad revision, or --base outside a git repository", async () => {
  const repo = path.join(tmp, "repo");
  const bad = await run(["--base", "no-such-branch", "models"], repo);
  assert.is(bad.code, 2);
  assert.match(bad.stderr, /error AT9002: `--base no-such-branch` is not a revision of this repository/);
  const outside = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-nogit-"));
  try {
    const r = await run(["--base", "HEAD"], outside);
    assert.is(r.code, 2);
    assert.match(r.stderr, /error AT9002: `--base HEAD` needs a git repository/);
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test("--base: a path in neither the working tree nor the revision is exit 2, not an empty diff", async () => {
  const repo = path.join(tmp, "repo");
  const r = await run(["--base", "HEAD", "modles"], repo);
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /error AT1001: cannot read `modles`: not in the working tree, and `HEAD` has no model files there/,
  );
  assert.is(r.stdout, "");
  // A --root that is no folder is named as given, not as its place in the extracted revision.
  const root = await run(["--base", "HEAD", "models", "--root", "nope"], repo);
  assert.is(root.code, 2);
  assert.match(root.stderr, /^error AT9002: `--root nope` is not a folder/);
  // A path only one side has is a real change: the models were added, or deleted.
  fs.renameSync(path.join(repo, "models"), path.join(repo, "moved"));
  try {
    const gone = await run(["--base", "HEAD", "models", "--format", "json"], repo);
    assert.is(gone.code, 0, gone.stderr);
    const d = JSON.parse(gone.stdout) as ModelDiff;
    assert.is(d.findings.after.findings, 0);
    assert.ok(d.findings.resolved.length > 0);
    // Both places named: a moved folder keeps every fingerprint (only the working tree's edit moves).
    const both = await run(["--base", "HEAD", "models", "moved", "--format", "json"], repo);
    assert.is(both.code, 0, both.stderr);
    const m = JSON.parse(both.stdout) as ModelDiff;
    const direct = await diffJson("base", "secretsFlow");
    assert.equal(ids(m.findings.new), ids(direct.findings.new));
    assert.equal(m.findings.resolved, []);
  } finally {
    fs.renameSync(path.join(repo, "moved"), path.join(repo, "models"));
  }
});

test("--base: the repository is the one holding the paths, wherever the command runs", async () => {
  const repo = path.join(tmp, "repo");
  const outside = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-nogit-")));
  try {
    const r = await run(["--base", "HEAD", path.join(repo, "models"), "--format", "json"], outside);
    assert.is(r.code, 0, r.stderr);
    const d = JSON.parse(r.stdout) as ModelDiff;
    assert.ok(d.findings.before.findings > 0);
    assert.is(d.findings.new[0]!.where.split(":")[0], "models/support.aithreat");
  } finally {
    fs.rmSync(outside, { recursive: true, force: true });
  }
});

test("--base: git missing, or refusing the repository, is said as such (exit 2)", async () => {
  const repo = path.join(tmp, "repo");
  const saved = process.env["PATH"];
  process.env["PATH"] = path.join(tmp, "no-such-bin");
  let missing;
  try {
    missing = await run(["--base", "HEAD", "models"], repo);
  } finally {
    process.env["PATH"] = saved;
  }
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /error AT9002: `--base` needs git, which is not on the PATH/);
  // A repository git will not read (in CI, often "detected dubious ownership"): git's reason, not
  // "not in a git repository".
  const odd = path.join(tmp, "odd");
  fs.mkdirSync(odd, { recursive: true });
  git(odd, "init", "-q");
  git(odd, "config", "core.repositoryformatversion", "99");
  const refused = await run(["--base", "HEAD"], odd);
  assert.is(refused.code, 2);
  assert.match(refused.stderr, /error AT9002: `--base HEAD`: git cannot read the repository at `[^`]*odd`/);
  assert.match(refused.stderr, /Expected git repo version/);
});

test("--base in a shallow clone: a revision outside its history says to fetch it", async () => {
  const origin = path.join(tmp, "two-commits");
  fs.mkdirSync(origin, { recursive: true });
  git(origin, "init", "-q");
  fs.mkdirSync(path.join(origin, "models"));
  fs.writeFileSync(path.join(origin, "models", "support.aithreat"), VARIANTS.base);
  git(origin, "add", ".");
  git(origin, "commit", "-q", "-m", "one");
  fs.writeFileSync(path.join(origin, "models", "support.aithreat"), VARIANTS.flowAdded);
  git(origin, "commit", "-q", "-a", "-m", "two");
  const clone = path.join(tmp, "shallow");
  git(tmp, "clone", "-q", "--depth", "1", `file://${origin}`, clone);
  const head = await run(["--base", "HEAD", "models"], clone);
  assert.is(head.code, 0, head.stderr);
  const r = await run(["--base", "HEAD~1", "models"], clone);
  assert.is(r.code, 2);
  assert.match(r.stderr, /`--base HEAD~1` is not a revision of this repository/);
  assert.match(r.stderr, /shallow clone/);
});

test("exit 2: one path, a missing file, or an invalid model on either side", async () => {
  const one = await run([write("base")]);
  assert.is(one.code, 2);
  assert.match(one.stderr, /error AT9002: `diff` compares two models/);
  const missing = await run([write("base"), path.join(tmp, "nope.aithreat")]);
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /error AT1001: cannot read/);
  // A path named relative to the command's folder is said as it was given, as every command says it.
  const relative = await run([write("base"), "nope.aithreat"], process.cwd());
  assert.is(relative.code, 2);
  assert.match(relative.stderr, /error AT1001: cannot read `nope\.aithreat`: no such file or directory/);
  const broken = path.join(tmp, "broken.aithreat");
  fs.writeFileSync(broken, `zone vpc "VPC" { trust internal }\nstore db "DB" in nowhere\n`);
  const invalid = await run([write("base"), broken, "--root", tmp]);
  assert.is(invalid.code, 2);
  assert.match(invalid.stderr, /the model in .*broken\.aithreat has errors/);
  assert.match(invalid.stderr, /error AT2001/);
  assert.is(invalid.stdout, "");
});

// ---- metrics ------------------------------------------------------------------------------------------

// A small model and its next version; each expected delta below is derived from the two texts.
const METRICS_BEFORE = `zone internet "Internet" { trust untrusted }
zone corp "Corp" { trust internal }
actor alice "Alice" in internet
agent bot "Bot" in corp { autonomy step  memory none  identity none }
tool mailer "Mailer" in corp { capabilities [send_external] }
store db "DB" in corp { crown integrity }
endpoint api "API" in corp { exposure public  auth api_key  rate_limit true  quota true }
flow alice -> bot { kind prompt }
flow bot -> mailer { kind invoke }
policy gate { exposed_crown_jewels 0 }
`;
// The agent may now write the crown jewel, a person approves the mailer, the API lost its rate limit.
const METRICS_AFTER = METRICS_BEFORE.replace(
  "{ capabilities [send_external] }",
  "{ capabilities [send_external]  approval human }",
)
  .replace("rate_limit true  ", "")
  .concat("flow bot -> db { kind write }\n");

async function metricDiff(): Promise<{ json: ModelDiff; markdown: string }> {
  const dir = path.join(tmp, "metrics");
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, "before.aithreat"), METRICS_BEFORE);
  fs.writeFileSync(path.join(dir, "after.aithreat"), METRICS_AFTER);
  const args = ["before.aithreat", "after.aithreat", "--root", dir];
  const json = await run([...args, "--format", "json"], dir);
  const markdown = await run(args, dir);
  assert.is(json.code, 0, json.stderr);
  assert.is(markdown.code, 0, markdown.stderr);
  return { json: JSON.parse(json.stdout) as ModelDiff, markdown: markdown.stdout };
}

test("metric deltas: value before and after, change by direction, the names that came and went", async () => {
  const { json } = await metricDiff();
  const row = (id: string) => json.metrics.changes.find((m) => m.id === id);
  // `db` had no flow into it; `bot -> db` (write) lets alice's prompt reach it: 0 -> 1, worse.
  assert.equal(row("exposed_crown_jewels"), {
    id: "exposed_crown_jewels",
    title: "Exposed crown jewels",
    unit: "count",
    direction: "lower",
    before: 0,
    after: 1,
    delta: 1,
    change: "worse",
    added: ["db"],
  });
  // The mailer (send_external) was bot's one ungated acting tool; `approval human` gates it: 1 -> 0.
  const ungated = row("ungated_high_impact_tools")!;
  assert.equal(
    [ungated.before, ungated.after, ungated.delta, ungated.change, ungated.removed, ungated.added],
    [1, 0, -1, "better", ["mailer"], undefined],
  );
  // `api` is public and lost `rate_limit true`: 0 -> 1, worse.
  const rate = row("public_endpoints_without_rate_limit")!;
  assert.equal([rate.before, rate.after, rate.change, rate.added], [0, 1, "worse", ["api"]]);
  // Unchanged metrics are left out: no agent has all three trifecta legs in either version, and the
  // API kept its auth and quota.
  for (const id of ["trifecta_violations", "public_endpoints_without_auth", "public_endpoints_without_quota"])
    assert.is(row(id), undefined, id);
  // Every listed metric moved or changed its names, and they come in registry order.
  for (const m of json.metrics.changes) assert.ok(m.delta !== 0 || m.added || m.removed, m.id);
  const order = METRIC_DEFS.map((d) => d.id);
  const listed = json.metrics.changes.map((m) => order.indexOf(m.id));
  assert.equal(
    listed,
    [...listed].sort((a, b) => a - b),
  );
  // `gate` holds exposed_crown_jewels at 0: it passed before and fails after.
  assert.equal(json.metrics.policy, { before: true, after: false });
});

test("metric deltas in Markdown: a row per metric with its unit, the change and the names", async () => {
  const { markdown } = await metricDiff();
  assert.match(markdown, "| Exposed crown jewels (`exposed_crown_jewels`) | 0 | 1 | +1 | worse | +`db` |");
  assert.match(
    markdown,
    "| High\\-impact tools without approval (`ungated_high_impact_tools`) | 1 | 0 | -1 | better | −`mailer` |",
  );
  assert.match(markdown, "**Policy:** passed → failed");
});

test("metric deltas: the same model twice lists no metric and no policy change", async () => {
  const d = await diffJson("base", "base");
  assert.equal(d.metrics, { changes: [], policy: { before: true, after: true } });
});

test("diffModels reads the metrics of both analyses (the scorecard's deltas, filtered)", () => {
  const a = memoryContext({ "m.aithreat": METRICS_BEFORE }).analysis;
  const b = memoryContext({ "m.aithreat": METRICS_AFTER }).analysis;
  const d = diffModels(a, b);
  const all = metricDeltas(a.metrics, b.metrics);
  assert.equal(
    d.metrics.changes.map((m) => m.id),
    all.filter((m) => m.change !== "same" || m.added || m.removed).map((m) => m.id),
  );
  assert.ok(all.length > d.metrics.changes.length, "some metrics did not move");
});

test.run();
