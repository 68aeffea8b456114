/**
 * Bad input through the command line: every case must end with located diagnostics and exit code 2,
 * never a stack trace or an internal error. Runs `main()` in-process on files in a temporary folder
 * (the 50 MB case runs the real binary in a child process, so a hang is killed at the time bound).
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

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const BIN = path.join(REPO, "bin", "aithreat.js");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-bad-input-"));
// Root cannot be denied a read, so the permission case needs another user.
const isRoot = process.getuid?.() === 0;

test.after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

/** Writes a file below the temporary folder (creating folders) and returns its absolute path. */
function write(rel: string, contents: string | Uint8Array): string {
  const abs = path.join(tmp, rel);
  fs.mkdirSync(path.dirname(abs), { recursive: true });
  fs.writeFileSync(abs, contents);
  return abs;
}

/** Runs the CLI in-process with acceptances judged against the test date. */
async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

/** `check` with the temporary folder as the project root, so paths print relative to it. */
const check = (...args: string[]) => run("check", ...args, "--root", tmp);

/** One `path:line:col - severity CODE: message` line of text output. */
interface Located {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly severity: string;
  readonly code: string;
  readonly message: string;
}

/** Every located diagnostic in text output, as `file:line:col CODE` for compact assertions too. */
function located(stderr: string): Located[] {
  return [...stderr.matchAll(/^(\S+):(\d+):(\d+) - (error|warning|info) (AT\d{4}): (.*)$/gm)].map((m) => ({
    file: m[1]!,
    line: Number(m[2]),
    column: Number(m[3]),
    severity: m[4]!,
    code: m[5]!,
    message: m[6]!,
  }));
}
const where = (stderr: string) => located(stderr).map((d) => `${d.file}:${d.line}:${d.column} ${d.code}`);

/** The common contract: exit code 2, no internal error, no stack trace. */
function assertCleanFailure(r: { code: number; stdout: string; stderr: string }): void {
  const all = `${r.stderr}\n${r.stdout}`;
  assert.not.match(all, /AT9999/, `internal error:\n${all}`);
  assert.not.match(all, /^\s+at .+:\d+:\d+\)?$/m, `stack trace in the output:\n${all}`);
  assert.is(r.code, 2, `exit code ${r.code}, expected 2:\n${all}`);
}

// ---- files that cannot be read as text ---------------------------------------------------------------

test("an unreadable file (permission denied) gives AT1001 at the file", async () => {
  if (isRoot) {
    // Running as root, chmod 000 does not stop a read; the directory and dangling-link cases below
    // cover the same loader path (a file that exists by name but cannot be read).
    console.log("  (skipped: running as root, which can read a chmod 000 file)");
    return;
  }
  const file = write("locked/model.aithreat", 'zone vpc "VPC" { trust internal }\n');
  fs.chmodSync(file, 0o000);
  try {
    const r = await check(file);
    assertCleanFailure(r);
    assert.equal(where(r.stderr), ["locked/model.aithreat:1:1 AT1001"]);
    assert.match(r.stderr, /permission denied/);
  } finally {
    fs.chmodSync(file, 0o644);
  }
});

test("a folder imported as if it were a file: AT2013 at the path, naming its model files, whatever its name", async () => {
  write("dir-import/shared/zones.aithreat", 'zone dmz "DMZ" { trust public }\n');
  const file = write("dir-import/model.aithreat", 'zone vpc "VPC" { trust internal }\nimport "./shared"\n');
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["dir-import/model.aithreat:2:8 AT2013"]);
  assert.match(r.stderr, "`./shared` is a folder");
  assert.match(r.stderr, "import its model files by name: `./shared/zones.aithreat`");
  // A folder whose name ends in `.aithreat` too, at the import's path.
  write("dir-import/odd.aithreat/zones.aithreat", 'zone dmz "DMZ" { trust public }\n');
  const odd = write(
    "dir-import/odd-model.aithreat",
    'zone vpc "VPC" { trust internal }\nimport "./odd.aithreat"\n',
  );
  const r2 = await check(odd);
  assertCleanFailure(r2);
  assert.equal(where(r2.stderr), ["dir-import/odd-model.aithreat:2:8 AT2013"]);
  assert.match(r2.stderr, "import its model files by name: `./odd.aithreat/zones.aithreat`");
});

test("an import of a file that is no model file is AT2013, and the file is not read", async () => {
  write("not-model/.env", "API_KEY=sk-live-0123456789\n");
  const file = write("not-model/model.aithreat", 'import "./.env"\nzone vpc "VPC" { trust internal }\n');
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["not-model/model.aithreat:1:8 AT2013"]);
  assert.match(r.stderr, "`./.env` is not a model file");
  assert.not.match(r.stderr, "sk-live", "the file's text is never quoted");
});

test("an import of a link named like a model file that leads to another file is AT2013, and it is not read", async () => {
  write("linked-secret/.env", "API_KEY=sk-live-0123456789\n");
  fs.symlinkSync(".env", path.join(tmp, "linked-secret", "zones.aithreat"));
  const file = write(
    "linked-secret/model.aithreat",
    'import "./zones.aithreat"\nzone vpc "VPC" { trust internal }\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["linked-secret/model.aithreat:1:8 AT2013"]);
  assert.match(r.stderr, "`./zones.aithreat` is not a model file: it is a symbolic link to `.env`");
  assert.not.match(r.stderr, "sk-live", "the file's text is never quoted");
});

test("a dangling symbolic link in a model folder gives AT1001 located at the link, with a relative path", async () => {
  write("dangling/ok.aithreat", 'zone vpc "VPC" { trust internal }\n');
  fs.symlinkSync("gone.aithreat", path.join(tmp, "dangling", "broken.aithreat"));
  const r = await check(path.join(tmp, "dangling"));
  assertCleanFailure(r);
  // Like any other input that cannot be read: at its own first line, the path relative to the root.
  assert.not.ok(r.stderr.includes(tmp), `an absolute path leaks into the output:\n${r.stderr}`);
  assert.equal(where(r.stderr), ["dangling/broken.aithreat:1:1 AT1001"]);
});

test("a binary file gives AT1003 at its first NUL byte", async () => {
  // The start of an ELF executable: valid ASCII up to the first NUL.
  const elf = new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x01, 0x00, 0x00, 0x00]);
  const file = write("binary/program.aithreat", elf);
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["binary/program.aithreat:1:8 AT1003"]);
});

test("a PNG image is reported as binary, not as text to re-save as UTF-8", async () => {
  // A PNG starts with 0x89 (not UTF-8) and holds NUL bytes a few bytes later: it is binary, and the
  // advice to re-save it as UTF-8 would mislead.
  const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d]);
  const file = write("binary/logo.aithreat", png);
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(
    located(r.stderr).map((d) => d.code),
    ["AT1003"],
    r.stderr,
  );
});

test("invalid UTF-8 gives AT1002 at the first bad byte", async () => {
  const latin1 = Buffer.concat([
    Buffer.from('zone vpc "VPC" { trust internal }\n'),
    Buffer.from('data pii "Donn'),
    Buffer.from([0xe9]),
    Buffer.from('es" { classification personal }\n'),
  ]);
  const file = write("latin1/model.aithreat", latin1);
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["latin1/model.aithreat:2:15 AT1002"]);
  assert.match(r.stderr, /byte 0xe9 at byte offset 48/);
});

// ---- hostile shapes ----------------------------------------------------------------------------------

test("10,000 nested braces give AT1021 at the first brace past the limit", async () => {
  const file = write("nesting/model.aithreat", "zone z {\n".repeat(10_000));
  const r = await check(file);
  assertCleanFailure(r);
  // Limit 64: the 65th `{` is on line 65, column 8.
  assert.equal(where(r.stderr), ["nesting/model.aithreat:65:8 AT1021"]);
});

// A 50 MB file ends with a located diagnostic, never a hang or a crash. Speed is the benchmarks' job
// (bench/front-end.ts, bench/org.ts): this bound only kills a hang, so a loaded CI machine cannot fail
// it. The file holds about 630k components, so checking it takes seconds.
const HANG_GUARD_MS = 180_000;

/** Runs the real binary on a file, killed at the hang guard. */
function checkBig(file: string): { code: number; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [BIN, "check", file, "--root", tmp, "--today", TEST_TODAY], {
    encoding: "utf8",
    timeout: HANG_GUARD_MS,
    killSignal: "SIGKILL",
    maxBuffer: 16 * 1024 * 1024,
  });
  assert.ok(r.signal === null, `checking ${file} did not finish within ${HANG_GUARD_MS} ms`);
  return { code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr };
}

test("a 50 MB model with one error at its end gives that located error", () => {
  const lines = ['zone vpc "VPC" { trust internal }', 'data pii "PII" { classification personal }'];
  let size = 0;
  for (let i = 0; size < 50 * 1024 * 1024; i++) {
    const line = `store s${i} "Store ${i}" in vpc { type database  encrypted true  holds [pii] }`;
    lines.push(line);
    size += line.length + 1;
  }
  lines.push("flow s0 -> s1 { kind copy  carries [pi] }");
  const file = write("big/model.aithreat", `${lines.join("\n")}\n`);
  const r = checkBig(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), [`big/model.aithreat:${lines.length}:37 AT2001`]);
});

test("a 50 MB unterminated comment gives AT1012 at its start", () => {
  const body = "x ".repeat(25 * 1024 * 1024);
  const file = write("big/comment.aithreat", `zone vpc "VPC" { trust internal }\n/* ${body}`);
  const r = checkBig(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["big/comment.aithreat:2:1 AT1012"]);
});

// ---- lexical errors ----------------------------------------------------------------------------------

test("a number too large to represent gives AT3017 at the number, and `export` no internal error", async () => {
  const file = write(
    "huge-number/model.aithreat",
    `control review "Human review" { cost ${"9".repeat(400)} }\nagent bot "Bot" { controls [review] }\n`,
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["huge-number/model.aithreat:1:38 AT3017"]);
  assert.match(r.stderr, /`cost` is too large a number/);
  const negative = write(
    "huge-number/negative.aithreat",
    `control review "R" { cost -${"9".repeat(400)} }\n`,
  );
  assert.match((await check(negative)).stderr, /`cost` is too small a number/);
  const e = await run(
    "export",
    file,
    "--to",
    "graphml",
    "--out",
    path.join(tmp, "huge-number-out"),
    "--root",
    tmp,
  );
  assertCleanFailure(e);
  assert.equal(where(e.stderr), ["huge-number/model.aithreat:1:38 AT3017"]);
});

test("zones nested past the limit through `in` give one AT3018, not a stack overflow in the diagrams", async () => {
  const depth = 5000;
  const lines = ['zone z0 "Zone" { trust internal }'];
  for (let i = 1; i <= depth; i++) lines.push(`zone z${i} "Zone" in z${i - 1}`);
  lines.push(`agent bot "Bot" in z${depth}`);
  const file = write("deep-zones/model.aithreat", `${lines.join("\n")}\n`);
  const r = await run("compile", file, "--out", path.join(tmp, "deep-zones-out"), "--root", tmp);
  assertCleanFailure(r);
  // z64 is the 65th zone from the top: its `in` is where the chain goes too deep, once.
  assert.equal(where(r.stderr), ["deep-zones/model.aithreat:65:20 AT3018"]);
});

test("an unterminated string gives AT1011 at its opening quote", async () => {
  const file = write(
    "strings/model.aithreat",
    'zone vpc "VPC" { trust internal }\nagent copilot "Support agent in vpc\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.ok(where(r.stderr).includes("strings/model.aithreat:2:15 AT1011"), r.stderr);
});

test("an unterminated string causes no follow-up diagnostics about the text it swallowed", async () => {
  // The string runs to the end of the line and takes `in vpc` with it; saying `copilot` is in no
  // zone sends the reader after a problem they do not have.
  const file = write(
    "strings2/model.aithreat",
    'zone vpc "VPC" { trust internal }\nagent copilot "Support agent in vpc\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["strings2/model.aithreat:2:15 AT1011"]);
});

test("an unterminated block comment gives AT1012 at its opening", async () => {
  const file = write(
    "comments/model.aithreat",
    'zone vpc "VPC" { trust internal }\n  /* the mailer\nagent copilot "Support agent" in vpc\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["comments/model.aithreat:2:3 AT1012"]);
});

// ---- imports -----------------------------------------------------------------------------------------

const ZONES = 'zone vpc "VPC" { trust internal }\n';
const USES_VPC = 'agent copilot "Support agent" in vpc\n';

test("an import of a file outside the root gives AT2011 at the import path", async () => {
  write("escape/platform/zones.aithreat", ZONES);
  const file = write("escape/project/model.aithreat", `import "../platform/zones.aithreat"\n${USES_VPC}`);
  const r = await run("check", file, "--root", path.join(tmp, "escape", "project"));
  assertCleanFailure(r);
  assert.ok(where(r.stderr).includes("model.aithreat:1:8 AT2011"), r.stderr);
});

test("an import that leaves the root through a symbolic link gives AT2011 at the import path", async () => {
  write("symlink/platform/zones.aithreat", ZONES);
  fs.mkdirSync(path.join(tmp, "symlink", "project"), { recursive: true });
  fs.symlinkSync("../platform", path.join(tmp, "symlink", "project", "shared"));
  const file = write("symlink/project/model.aithreat", `import "./shared/zones.aithreat"\n${USES_VPC}`);
  const r = await run("check", file, "--root", path.join(tmp, "symlink", "project"));
  assertCleanFailure(r);
  assert.ok(where(r.stderr).includes("model.aithreat:1:8 AT2011"), r.stderr);
  assert.match(r.stderr, /symbolic link/);
});

test("a file that imports itself gives AT2012 at the import", async () => {
  const file = write("self/model.aithreat", `${ZONES}import "./model.aithreat"\n`);
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["self/model.aithreat:2:1 AT2012"]);
});

test("an import cycle across three files gives one AT2012 naming all three", async () => {
  write("cycle/a.aithreat", `import "./b.aithreat"\n${ZONES}`);
  write("cycle/b.aithreat", `import "./c.aithreat"\n${USES_VPC}`);
  write("cycle/c.aithreat", 'import "./a.aithreat"\ntool mailer "Mailer" in vpc\n');
  const r = await check(path.join(tmp, "cycle"));
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["cycle/c.aithreat:1:1 AT2012"]);
  for (const f of ["a", "b", "c"]) assert.ok(r.stderr.includes(`cycle/${f}.aithreat`), r.stderr);
});

test("a missing import gives AT2010 at the import path", async () => {
  const file = write("missing/model.aithreat", `import "./zones.aithreat"\n${USES_VPC}`);
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["missing/model.aithreat:1:8 AT2010", "missing/model.aithreat:2:34 AT2001"]);
});

test("an acceptance of a flow declared in a file not imported: AT2005 says which import to add", async () => {
  write(
    "flow-accept/flows.aithreat",
    'zone z "Z" { trust internal\n  agent a "A"\n  tool t "T"\n}\nflow send: a -> t { kind invoke }\n',
  );
  const file = write(
    "flow-accept/accepts/risk.aithreat",
    'accept AT-36 on send { reason "r"  owner "o"  expires 2030-01-01 }\n',
  );
  const r = await check(file, path.join(tmp, "flow-accept/flows.aithreat"));
  assertCleanFailure(r);
  assert.equal(where(r.stderr), ["flow-accept/accepts/risk.aithreat:1:17 AT2005"]);
  assert.match(r.stderr, /= hint: add `import "\.\.\/flows\.aithreat"`/);
});

test("an import naming no file says which file beside it it likely means", async () => {
  // Each of these read "does not exist" with the file right there: a name typed in another case
  // (written on a case-insensitive disk), without its extension, with a space at its end, or with
  // its accent written as a separate combining mark (NFD) where the file's name has it composed.
  write("near/Zones.aithreat", ZONES);
  write("near/caf\u00e9.aithreat", 'zone cafe "Cafe" { trust internal }\n');
  write("near/providers.aithreat", 'zone saas "SaaS" { trust partner }\n');
  const file = write(
    "near/model.aithreat",
    'import "./zones.aithreat"\nimport "./Zones"\nimport "./Zones.aithreat "\n' +
      'import "./cafe\u0301.aithreat"\nimport "./other.aithreat"\nimport "./provider.aithreat"\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(
    where(r.stderr),
    [1, 2, 3, 4, 5, 6].map((line) => `near/model.aithreat:${line}:8 AT2010`),
  );
  // A typo in the name: the closest model file beside it.
  assert.match(r.stderr, "= hint: did you mean `./providers.aithreat`?\n");
  assert.match(r.stderr, "= hint: did you mean `./Zones.aithreat`? file names are case-sensitive");
  assert.match(
    r.stderr,
    "= hint: did you mean `./Zones.aithreat`? an import names the file with its extension",
  );
  assert.match(r.stderr, "= hint: did you mean `./Zones.aithreat`? the path has spaces at an end");
  assert.match(r.stderr, "= hint: did you mean `./caf\u00e9.aithreat`? the import writes its accents");
  // Nothing near: the plain hint.
  const plain = r.stderr.split("\n\n").find((block) => block.includes("`./other.aithreat`"))!;
  assert.match(plain, "= hint: paths are relative to the importing file");
});

test("an import through a folder that does not exist says which folder beside it it likely means", async () => {
  // A typo in a folder, a folder typed in another case, and a file spelt like the folder (passed
  // over: only a folder can be on the path). A path whose folders are all far gets the plain hint.
  write("near-folder/shared/zones.aithreat", ZONES);
  write("near-folder/Policies/gates.aithreat", 'zone gates "Gates" { trust internal }\n');
  write("near-folder/shard.md", "not a folder\n");
  const file = write(
    "near-folder/systems/model.aithreat",
    'import "../shraed/zone.aithreat"\nimport "../policies/gates.aithreat"\nimport "../nowhere/x.aithreat"\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(
    where(r.stderr),
    [1, 2, 3].map((line) => `near-folder/systems/model.aithreat:${line}:8 AT2010`),
  );
  // Both the folder and the file name corrected.
  assert.match(r.stderr, "= hint: did you mean `../shared/zones.aithreat`? there is no folder `../shraed`\n");
  assert.match(
    r.stderr,
    "= hint: did you mean `../Policies/gates.aithreat`? there is no folder `../policies` (folder names are case-sensitive)\n",
  );
  const plain = r.stderr.split("\n\n").find((block) => block.includes("`../nowhere/x.aithreat`"))!;
  assert.match(plain, "= hint: paths are relative to the importing file");
});

test("a model file outside an explicit --root is a usage error, not an AT2011 at each of its imports", async () => {
  // Its import of the file beside it was refused as leaving the project root, at an import that
  // never left the model's folder; its paths printed with `..`, in SARIF too.
  write("outside/other/zones.aithreat", ZONES);
  const file = write("outside/other/model.aithreat", `import "./zones.aithreat"\n${USES_VPC}`);
  fs.mkdirSync(path.join(tmp, "outside", "project"), { recursive: true });
  const r = await run("check", file, "--root", path.join(tmp, "outside", "project"));
  assertCleanFailure(r);
  assert.not.match(r.stderr, /AT2011/);
  assert.match(
    r.stderr,
    /error AT9002: `[^`]*outside\/other\/model\.aithreat` lies outside the project root `--root [^`]*project`/,
  );
  // The same file with a root that holds it checks clean.
  const ok = await run("check", file, "--root", path.join(tmp, "outside"));
  assert.is(ok.code, 0, ok.stderr);
});

test("an import cycle through 200 files names its first files and the one closing it, and counts the rest", async () => {
  const n = 200;
  for (let i = 0; i < n; i++)
    write(
      `long-cycle/f${i}.aithreat`,
      `import "./f${(i + 1) % n}.aithreat"\nzone z${i} "Z" { trust internal }\n`,
    );
  const r = await check(path.join(tmp, "long-cycle", "f0.aithreat"));
  assertCleanFailure(r);
  const line = r.stderr.split("\n").find((l) => l.includes("AT2012"))!;
  assert.match(line, "import cycle of 200 files: `long-cycle/f0.aithreat` -> `long-cycle/f1.aithreat` ->");
  assert.match(line, /-> \(150 more\) -> `long-cycle\/f199\.aithreat` -> `long-cycle\/f0\.aithreat`$/);
  assert.ok(line.length < 3000, `${line.length} characters`);
});

test("a name unknown for a look-alike letter says which letter differs, by code point", async () => {
  // "did you mean `сache`?" for `cache` read as the name itself: the declared one has a Cyrillic `с`.
  const file = write(
    "lookalike/model.aithreat",
    `${ZONES}store \u0441ache "Cache" in vpc\nagent copilot "Agent" in vpc\nflow cache -> copilot { kind read }\n`,
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.match(
    r.stderr,
    "= hint: did you mean `\u0441ache`? (`\u0441` is U+0441 where this name has `c`, U+0063)",
  );
});

test("an acceptance expiring in the years 0000 to 0099 is a day (long past), not an invalid date", async () => {
  // Date.UTC reads the years 0 to 99 as 1900 to 1999: `0001-01-01` was "not a valid date".
  const accept = (day: string) =>
    `${ZONES}${USES_VPC}accept AT-25 on copilot { reason "r" owner "o" expires ${day} }\n`;
  const old = await check(write("early-dates/old.aithreat", accept("0001-01-01")));
  assert.not.match(old.stderr, /AT3013/, old.stderr);
  const leap = await check(write("early-dates/leap.aithreat", accept("0000-02-29")));
  assert.not.match(leap.stderr, /AT3013/, leap.stderr);
  const notLeap = await check(write("early-dates/not-leap.aithreat", accept("0100-02-29")));
  assert.match(notLeap.stderr, /AT3013: `0100-02-29` is not a valid date/);
  const today = await run("check", write("early-dates/plain.aithreat", ZONES), "--today", "0050-06-30");
  assert.is(today.code, 0, today.stderr);
});

test("a second acceptance of one rule on one subject is AT2002 at it, not 'raises no finding'", async () => {
  // The first one counted and the second read as stale (AT4001, "raises no finding"), also when
  // the first had expired and the second renewed it: the finding stayed open.
  const file = write(
    "accept-twice/m.aithreat",
    `${ZONES}${USES_VPC}` +
      'accept AS-07 on copilot { reason "r" owner "o" expires 2020-01-01 }\n' +
      'accept AS-07 on copilot { reason "renewed" owner "o" expires 2030-01-01 }\n',
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), [
    "accept-twice/m.aithreat:3:48 AT3009",
    "accept-twice/m.aithreat:4:17 AT2002",
  ]);
  assert.match(r.stderr, /AT2002: `AS-07` on `copilot` is accepted twice/);
  assert.match(r.stderr, /= note: first accepted here \(accept-twice\/m\.aithreat:3:1\)/);
  assert.not.match(r.stderr, /AT4001/);
});

test("an acceptance with an empty reason or owner is incomplete (AT3010 at the value)", async () => {
  const file = write(
    "accept-blank/m.aithreat",
    `${ZONES}${USES_VPC}accept AS-07 on copilot { reason ""  owner "  "  expires 2030-01-01 }\n`,
  );
  const r = await check(file);
  assertCleanFailure(r);
  assert.equal(where(r.stderr), [
    "accept-blank/m.aithreat:3:34 AT3010",
    "accept-blank/m.aithreat:3:44 AT3010",
  ]);
  assert.match(r.stderr, /AT3010: the acceptance of `AS-07` on `copilot` has an empty `reason`/);
});

// ---- what a valid model and the output formats promise ---------------------------------------------

test("`check` on a valid model exits 0, with warnings allowed", async () => {
  const file = write(
    "valid/model.aithreat",
    `${ZONES}${USES_VPC}data unused "Unused" { classification internal }\n`,
  );
  const r = await check(file);
  assert.is(r.code, 0, r.stderr);
  assert.equal(where(r.stderr), ["valid/model.aithreat:3:6 AT3007"]);
  assert.ok(located(r.stderr).every((d) => d.severity === "warning"));
});

test("`--format json` output parses and carries file, line and column", async () => {
  const file = write("json/model.aithreat", `${ZONES}agent copilot "Support agent" in vcp\n`);
  const r = await check(file, "--format", "json");
  assertCleanFailure(r);
  const parsed = JSON.parse(r.stdout) as {
    files: number;
    diagnostics: {
      code: string;
      file: string;
      line: number;
      column: number;
      endLine: number;
      endColumn: number;
    }[];
  };
  assert.equal(
    parsed.diagnostics.map((d) => [d.code, d.file, d.line, d.column, d.endLine, d.endColumn]),
    [["AT2001", "json/model.aithreat", 2, 34, 2, 37]],
  );
  assert.is(r.stderr, "", "JSON mode writes nothing to stderr");
});

test("`--format json` keeps the end of a span consistent with its start", async () => {
  // A reserved word where a flow names its target: the parser recovers, and every span it reports
  // must still have real numbers, ending at or after where it starts.
  const file = write(
    "json-recovery/model.aithreat",
    `${ZONES}app web "Web" in vpc\nflow web -> model { kind prompt }\n`,
  );
  const r = await check(file, "--format", "json");
  assertCleanFailure(r);
  const parsed = JSON.parse(r.stdout) as {
    diagnostics: { code: string; line: number; column: number; endLine: unknown; endColumn: unknown }[];
  };
  for (const d of parsed.diagnostics) {
    assert.ok(
      typeof d.endLine === "number" &&
        typeof d.endColumn === "number" &&
        (d.endLine > d.line || (d.endLine === d.line && d.endColumn >= d.column)),
      `${d.code} spans ${d.line}:${d.column} to ${String(d.endLine)}:${String(d.endColumn)}`,
    );
  }
});

// ---- the command line itself -------------------------------------------------------------------------

test("an unknown command exits 2 with a usage error", async () => {
  const r = await run("frobnicate", path.join(tmp, "valid", "model.aithreat"));
  assertCleanFailure(r);
  assert.match(r.stderr, /AT9002/);
});

test("an unknown option exits 2 with a usage error", async () => {
  const r = await check(path.join(tmp, "valid", "model.aithreat"), "--fromat", "json");
  assertCleanFailure(r);
  assert.match(r.stderr, /AT9002/);
});

test("an invalid option value exits 2 with a usage error", async () => {
  const r = await check(path.join(tmp, "valid", "model.aithreat"), "--format", "sarif");
  assertCleanFailure(r);
  assert.match(r.stderr, /AT9002/);
});

for (const value of ["abc", "-5", "0x400", "1e6", "99999999999999999999999"]) {
  test(`\`--max-file-size ${value}\` is a usage error, not a changed limit`, async () => {
    // The size limit guards against hostile input: a value that is not a size must not lift it
    // (`abc` reads as NaN, which no size exceeds) nor be echoed back as a limit.
    const r = await check(path.join(tmp, "valid", "model.aithreat"), "--max-file-size", value);
    assertCleanFailure(r);
    assert.match(r.stderr, /error AT9002: .*max-file-size/);
    assert.ok(r.stderr.includes(`, not \`${value}\`\n`), r.stderr);
  });
}

for (const command of ["fmt", "diff"]) {
  for (const value of ["abc", "0", "-5", "1.5", "0x400", "1e6"]) {
    test(`\`${command} --max-file-size ${value}\` is a usage error, as for the other commands`, async () => {
      // fmt took `abc` (NaN) as no limit at all and `-5` as a limit every file is over (AT1004 per
      // file); diff echoed `abc` as `NaN`.
      const model = path.join(tmp, "valid", "model.aithreat");
      const args = command === "fmt" ? ["--check", model] : [model, model];
      const r = await run(command, ...args, "--max-file-size", value);
      assertCleanFailure(r);
      assert.match(r.stderr, /error AT9002: `--max-file-size` must be a positive whole number of bytes/);
      assert.not.match(r.stderr, /NaN|AT1004/);
      assert.is(r.stdout, "");
    });
  }
}

for (const args of [
  ["rules", "--max-file-size", "abc"],
  ["rules", "--today", "someday"],
  ["explain", "AT-01", "--max-file-size", "0"],
  ["explain", "AT-01", "--today", "someday"],
]) {
  test(`\`${args.join(" ")}\` is a usage error without a model too`, async () => {
    // Without a model to read, rules and explain took any value without a word (exit 0).
    const r = await run(...args);
    assertCleanFailure(r);
    assert.match(r.stderr, /error AT9002: `(--max-file-size|--today)` must be/);
    assert.is(r.stdout, "");
  });
}

for (const [command, value] of [
  ["paths", "0"],
  ["paths", "-1"],
  ["paths", "abc"],
  ["compile", "2.5"],
  ["compile", "101"],
  // yargs read these as the numbers 16 and 100: not whole numbers as docs/cli.md spells them.
  ["paths", "0x10"],
  ["paths", "1e2"],
  ["compile", "0x10"],
  ["compile", "1e2"],
  ["paths", " 5"],
  // Too many digits for a number to hold: quoted as given, not as the number they round to (1e+21).
  ["paths", "1000000000000000000000"],
  ["compile", "9007199254740993"],
]) {
  test(`\`${command} -k ${value}\` is a usage error before the model is read`, async () => {
    const out = command === "compile" ? ["--out", path.join(tmp, "k-out")] : [];
    const r = await run(command!, path.join(tmp, "no-such-model.aithreat"), "-k", value!, ...out);
    assertCleanFailure(r);
    // paths names -k's alias too (`-n 0` gets the same message).
    assert.match(r.stderr, /error AT9002: `-k`( or `-n`)? must be a whole number from 1 to 100/);
    assert.is(/ or `-n`/.test(r.stderr), command === "paths");
    assert.ok(r.stderr.includes(`, not \`${value}\`\n`), r.stderr);
    assert.not.match(r.stderr, /AT1001/);
  });
}

test("an unknown `$AITHREAT_THREADS` is a usage error before the model is read, as `$AITHREAT_TODAY`", async () => {
  // `AITHREAT_THREADS=off` was taken for the default (threads by size) without a word.
  const model = path.join(tmp, "valid", "model.aithreat");
  const compile = async (threads: string) => {
    const out = path.join(tmp, `threads-out-${threads.length}`);
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY, AITHREAT_THREADS: threads });
    const code = await main(["compile", model, "--out", out, "-q"], io);
    return { code, stdout: io.stdout, stderr: io.stderr, written: fs.existsSync(out) };
  };
  const bad = await compile("off\u001b[2J");
  assertCleanFailure(bad);
  assert.match(bad.stderr, "error AT9002: `$AITHREAT_THREADS` must be `never` or `always`, not `off?[2J`");
  assert.not.ok(bad.written);
  const blank = await compile(" ");
  assertCleanFailure(blank);
  assert.match(blank.stderr, "error AT9002: `$AITHREAT_THREADS` must be `never` or `always`, not empty\n");
  for (const ok of ["never", "always", ""]) {
    const r = await compile(ok);
    assert.is(r.code, 0, `${JSON.stringify(ok)}: ${r.stderr}`);
    assert.ok(r.written);
  }
});

test("`paths --from` a component that is no attacker entry is a usage error naming the entries", async () => {
  // It answered "0 entries" and "not reachable from any entry" for every crown jewel, exit 0.
  const model = write(
    "from-inside/m.aithreat",
    `${ZONES}zone internet "Internet" { trust untrusted }\nactor user "User" in internet\n` +
      `${USES_VPC}store notes "Notes" in vpc { crown integrity }\n` +
      "flow user -> copilot { kind prompt }\nflow copilot -> notes { kind write }\n",
  );
  const r = await run("paths", model, "--from", "copilot");
  assertCleanFailure(r);
  assert.match(r.stderr, "error AT9002: `--from copilot` is a component, but not an attacker entry");
  assert.match(r.stderr, "= hint: the entries are `user`; or name an entry class: user_input,");
  assert.is(r.stdout, "");
  const ok = await run("paths", model, "--from", "user");
  assert.is(ok.code, 0, ok.stderr);
  assert.match(ok.stdout, "1 entry");
});

test("an empty value (an unset variable) is a usage error, not the option left out or the current folder", async () => {
  const model = write(
    "empty-to/m.aithreat",
    'actor u "U"\nagent a "A" { crown integrity }\nflow u -> a { kind prompt }\n',
  );
  for (const [args, named] of [
    [["paths", model, "--to", ""], "`--to`"],
    [["paths", model, "--from", ""], "`--from`"],
    [["compile", model, "--out", ""], "`--out`"],
    [["check", model, "--policy", ""], "`--policy`"],
    [["check", ""], "`<models>`"],
    [["check", model, ""], "`<models>`"],
    [["explain", "", model], "`<target>`"],
  ] as const) {
    const r = await run(...args);
    assertCleanFailure(r);
    assert.match(
      r.stderr,
      `error AT9002: ${named} is given an empty value; is a variable it comes from unset?`,
    );
    assert.is(r.stdout, "");
  }
});

test("a bad date names where it came from: --today, or $AITHREAT_TODAY", async () => {
  const model = write("today/m.aithreat", 'zone z "Z" { trust internal\n  store db "DB"\n}\n');
  const fromOption = await run("check", model, "--today", "2026-13-01");
  assert.is(fromOption.code, 2);
  assert.match(fromOption.stderr, /AT9002: `--today` must be a date written YYYY-MM-DD, not `2026-13-01`/);
  const io = bufferIo({ AITHREAT_TODAY: "soon" });
  assert.is(await main(["check", model], io), 2);
  assert.match(io.stderr, /AT9002: `\$AITHREAT_TODAY` must be a date written YYYY-MM-DD, not `soon`/);
  // An empty one says so, as an empty number does, rather than quoting nothing (not ``).
  const empty = bufferIo({ AITHREAT_TODAY: "" });
  assert.is(await main(["check", model], empty), 2);
  assert.match(empty.stderr, /AT9002: `\$AITHREAT_TODAY` must be a date written YYYY-MM-DD, not empty\n/);
});

test("a --policy file that does not exist: located at its path, no empty code frame", async () => {
  const model = write("policy-missing/m.aithreat", 'zone z "Z" { trust internal\n  store db "DB"\n}\n');
  const r = await run("check", model, "--policy", path.join(tmp, "policy-missing", "none.aithreat"));
  assert.is(r.code, 2);
  assert.match(
    r.stderr,
    /none\.aithreat:1:1 - error AT1001: cannot read `[^`]*none\.aithreat`: no such file/,
  );
  assert.not.match(r.stderr, /^\s*1 \|/m);
  // Outside the project, the path is relative to the working directory, not a bare file name.
  const outside = path.join(tmp, "elsewhere", "none.aithreat");
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, path.join(tmp, "policy-missing"));
  assert.is(await main(["check", model, "--policy", outside], io), 2);
  assert.match(io.stderr, /^\.\.\/elsewhere\/none\.aithreat:1:1 - error AT1001/m);
});

test("a model path that does not exist: one AT1001, and AT9001 only for a folder holding no models", async () => {
  const missing = await run("check", path.join(tmp, "nowhere.aithreat"));
  assert.is(missing.code, 2);
  assert.match(missing.stderr, /AT1001: cannot read `[^`]*nowhere\.aithreat`: no such file or directory/);
  assert.not.match(missing.stderr, /AT9001/);
  fs.mkdirSync(path.join(tmp, "no-models"), { recursive: true });
  const empty = await run("check", path.join(tmp, "no-models"));
  assert.is(empty.code, 2);
  assert.match(empty.stderr, /AT9001: no `\.aithreat` files found in/);
  // Both at once: each path is named once, by the diagnostic that fits it.
  const both = await run("check", path.join(tmp, "nowhere.aithreat"), path.join(tmp, "no-models"));
  assert.match(both.stderr, /AT9001: no `\.aithreat` files found in `[^`]*no-models`$/m);
});

test("model text quoted in a diagnostic cannot drive the terminal: hidden characters print as `?`", async () => {
  const file = write(
    "hidden/m.aithreat",
    'zone z "Z" { trust internal\n  store db "DB"\n}\ndata d "D" { classification "a\u001b[2Jb\u202ec" }\n\u202e\u009b\n',
  );
  const r = await run("check", file);
  assert.is(r.code, 2);
  assert.match(r.stderr, /AT\d{4}: `a\?\[2Jb\?c`/);
  assert.match(r.stderr, /AT1010/);
  assert.not.match(r.stderr, /[\u001b\u202e\u009b]/);
});

test("a line feed in model text quoted in a diagnostic cannot start a line that reads as another diagnostic", async () => {
  const fake = "x\\nelsewhere.aithreat:1:1 - error AT2001: forged";
  const file = write("newline/m.aithreat", `import "${fake}.aithreat"\nzone z "Z" { trust "${fake}" }\n`);
  const r = await run("check", file, "--root", tmp);
  assert.is(r.code, 2);
  assert.equal(where(r.stderr), ["newline/m.aithreat:1:8 AT2010", "newline/m.aithreat:2:20 AT3004"]);
  assert.match(
    r.stderr,
    /AT2010: imported file `x\?elsewhere\.aithreat:1:1 - error AT2001: forged\.aithreat`/,
  );
  // A file named with a line feed prints on its line too.
  const named = write("newline/a\nb.aithreat", 'zone z "Z" { trust nowhere }\n');
  const n = await run("check", named, "--root", tmp);
  assert.equal(where(n.stderr), ["newline/a?b.aithreat:1:20 AT3004"]);
});

test("a usage error stops before the command runs", async () => {
  // The model has an error, so a command that ran anyway would print it; a later `compile` would
  // write its outputs for a command line it rejected.
  const file = write("usage/model.aithreat", 'zone vpc "VPC" { trust intrnal }\n');
  const r = await check(file, "--fromat", "json");
  assertCleanFailure(r);
  assert.equal(where(r.stderr), [], `the command ran despite the usage error:\n${r.stderr}`);
  assert.not.match(r.stderr, /checked:/, `the command ran despite the usage error:\n${r.stderr}`);
});

test("an internal error prints no stack trace without --debug, and one with it", async () => {
  const file = write("internal/model.aithreat", ZONES);
  const failingStdout = (debug: boolean) => {
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
    return {
      io,
      run: main(["check", file, "--root", tmp, "--format", "json", ...(debug ? ["--debug"] : [])], {
        ...io,
        out: () => {
          throw new Error("simulated failure: stdout is closed");
        },
        err: (t) => io.err(t),
      }),
    };
  };
  const quiet = failingStdout(false);
  assert.is(await quiet.run, 3);
  assert.match(quiet.io.stderr, /^error AT9999: internal error: simulated failure: stdout is closed$/m);
  assert.not.match(quiet.io.stderr, /^\s+at .+:\d+:\d+\)?$/m);
  const debug = failingStdout(true);
  assert.is(await debug.run, 3);
  assert.match(debug.io.stderr, /^\s+at .+:\d+:\d+\)?$/m);
});

test.run();
