/**
 * Bad input in an organisation tree (a generated model of many files that import shared
 * definitions): files that cannot be read, declarations duplicated across files and an import cycle
 * through forty files, all planted at once. One run must report every problem as a located
 * diagnostic, exit 2 without a stack trace, and (for `export`) leave the previous output untouched.
 *
 * A permission-denied file needs a reader who is not root, so under root the CLI runs in a child
 * process as the `nobody` user: this build's one-file bundle (dist/aithreat.mjs), copied into the
 * temporary folder beside the tree, since `nobody` may not be able to enter the checkout at all
 * (CI clones into a `mktemp -d` folder, mode 700).
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { OUTPUT_MARKER } from "../../src/cli/write-outputs.js";
import { TEST_TODAY } from "../helpers/compile.js";

const CYCLE = 40;
const isRoot = process.getuid?.() === 0;
const BUNDLE = path.resolve(fileURLToPath(import.meta.url), "../../../aithreat.mjs");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-org-bad-"));
fs.chmodSync(tmp, 0o755);
const org = path.join(tmp, "org");
const cli = path.join(tmp, "aithreat.mjs");
if (isRoot) fs.copyFileSync(BUNDLE, cli);

test.after(() => {
  fs.rmSync(tmp, { recursive: true, force: true });
});

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs the CLI as a user who cannot read a chmod 000 file. */
async function run(...args: string[]): Promise<Run> {
  if (!isRoot) {
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
    const code = await main(args, io);
    return { code, stdout: io.stdout, stderr: io.stderr };
  }
  // The same in-memory Io as bufferIo, written out: the bundle exports only `main`.
  const script = `
    const { main } = await import(${JSON.stringify(pathToFileURL(cli).href)});
    const io = { stdout: "", stderr: "", tty: false, cwd: process.cwd(),
      env: { AITHREAT_TODAY: ${JSON.stringify(TEST_TODAY)} },
      out(t) { io.stdout += t; }, err(t) { io.stderr += t; } };
    const code = await main(${JSON.stringify(args)}, io);
    process.stdout.write(JSON.stringify({ code, stdout: io.stdout, stderr: io.stderr }));`;
  const child = spawnSync(
    "runuser",
    ["-u", "nobody", "--", process.execPath, "--input-type=module", "-e", script],
    { encoding: "utf8", cwd: tmp, maxBuffer: 1 << 26 },
  );
  assert.is(child.status, 0, `the CLI as \`nobody\` did not run:\n${child.stderr}`);
  return JSON.parse(child.stdout) as Run;
}

/** `file:line:col CODE` of every located error, in output order. */
const errors = (stderr: string): string[] =>
  [...stderr.matchAll(/^(\S+):(\d+):(\d+) - error (AT\d{4}): /gm)].map(
    (m) => `${m[1]}:${m[2]}:${m[3]} ${m[4]}`,
  );

function assertCleanFailure(r: Run): void {
  const all = `${r.stderr}\n${r.stdout}`;
  assert.not.match(all, /AT9999/, `internal error:\n${all}`);
  assert.not.match(all, /^\s+at .+:\d+:\d+\)?$/m, `stack trace in the output:\n${all}`);
  assert.not.ok(all.includes(tmp), "paths print relative to the root");
  assert.is(r.code, 2, `exit code ${r.code}, expected 2:\n${all}`);
}

/** Appends lines to a file of the tree and returns the 1-based line number of the first. */
function append(rel: string, lines: string): number {
  const file = path.join(org, rel);
  const text = fs.readFileSync(file, "utf8");
  const first = text.split("\n").length - (text.endsWith("\n") ? 0 : -1);
  fs.writeFileSync(file, `${text}${text.endsWith("\n") ? "" : "\n"}${lines}`);
  return first;
}

// The tree: a generated organisation (shared/, systems/, links/) that checks clean, then the problems.
const generated = generateModel({ components: 2_000, files: 8, seed: 3 });
for (const f of generated.files) {
  fs.mkdirSync(path.dirname(path.join(org, f.path)), { recursive: true });
  fs.writeFileSync(path.join(org, f.path), f.text);
}
const systems = generated.files.map((f) => f.path).filter((p) => p.startsWith("systems/"));

test("the generated organisation tree checks clean before anything is planted", async () => {
  assert.ok(systems.length >= 8, `${systems.length} system files`);
  const r = await run("check", org, "--root", org);
  assert.is(r.code, 0, r.stderr);
  assert.equal(errors(r.stderr), []);
});

test("unreadable files, duplicates across files and a 40-file import cycle: all located, in one run", async () => {
  // Files that cannot be read: no permission, a dangling link, binary content.
  fs.writeFileSync(path.join(org, "systems/locked.aithreat"), 'zone locked "Locked" { trust internal }\n');
  fs.chmodSync(path.join(org, "systems/locked.aithreat"), 0o000);
  fs.symlinkSync("moved-away.aithreat", path.join(org, "systems/dangling.aithreat"));
  fs.writeFileSync(path.join(org, "systems/binary.aithreat"), new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0]));
  // The same names declared in two system files, and a shared zone declared again in a system.
  const dups = [
    { name: "org_dup_tool", files: [systems[1]!, systems[5]!] },
    { name: "org_dup_store", files: [systems[2]!, systems[7]!] },
  ];
  const planted = dups.map((d) => ({
    ...d,
    lines: d.files.map((f) => append(f, `tool ${d.name} "Duplicate" { trust internal }\n`)),
  }));
  const zoneLine = append(systems[3]!, 'zone dmz "DMZ again" { trust public }\n');
  // An import cycle through forty files: f00 -> f01 -> ... -> f39 -> f00.
  const name = (i: number) => `cycle/f${String(i).padStart(2, "0")}.aithreat`;
  fs.mkdirSync(path.join(org, "cycle"));
  for (let i = 0; i < CYCLE; i++)
    fs.writeFileSync(
      path.join(org, name(i)),
      `import "./${path.basename(name((i + 1) % CYCLE))}"\ntool c${i} "Cycle ${i}" { trust internal }\n`,
    );

  const r = await run("check", org, "--root", org);
  assertCleanFailure(r);
  const got = errors(r.stderr);
  const want = [
    // The cycle is reported once, at the import that closes it (the DFS enters at f00).
    `${name(CYCLE - 1)}:1:1 AT2012`,
    "systems/binary.aithreat:1:5 AT1003",
    "systems/dangling.aithreat:1:1 AT1001",
    "systems/locked.aithreat:1:1 AT1001",
    `${systems[3]}:${zoneLine}:6 AT2002`,
    ...planted.map((p) => `${p.files[1]}:${p.lines[1]}:6 AT2002`),
  ];
  assert.equal([...got].sort(), [...want].sort(), r.stderr);
  assert.match(r.stderr, /cannot read `systems\/locked\.aithreat`: permission denied/);
  const cycleMessage = r.stderr.split("\n").find((l) => l.includes("AT2012"))!;
  for (let i = 0; i < CYCLE; i++)
    assert.ok(cycleMessage.includes(`\`${name(i)}\``), `cycle names ${name(i)}`);
  // Each duplicate points back at the first declaration, in the other file.
  for (const p of planted)
    assert.match(
      r.stderr,
      `first declared here (${p.files[0]}:${p.lines[0]}:6)`,
      `${p.name}: note at the first`,
    );
  assert.match(r.stderr, /first declared here \(shared\/zones\.aithreat:\d+:\d+\)/);
});

test("export on the broken tree reports the same diagnostics and leaves the previous output untouched", async () => {
  const out = path.join(tmp, "export-out");
  fs.mkdirSync(out, { mode: 0o777 });
  fs.chmodSync(out, 0o777);
  fs.chmodSync(tmp, 0o777);
  // A previous run's output (its marker makes it replaceable), which a failed run must leave alone.
  fs.writeFileSync(path.join(out, OUTPUT_MARKER), "previous run\n");
  fs.writeFileSync(path.join(out, "previous.txt"), "kept\n");
  try {
    const check = await run("check", org, "--root", org);
    for (const to of ["neo4j", "postgres"]) {
      const r = await run("export", org, "--root", org, "--to", to, "--out", out);
      assertCleanFailure(r);
      assert.equal(errors(r.stderr), errors(check.stderr), `${to}: the same located errors as check`);
      assert.equal(
        fs.readdirSync(out).sort(),
        [OUTPUT_MARKER, "previous.txt"],
        `${to}: the previous output is untouched`,
      );
      assert.equal(
        fs.readdirSync(tmp).filter((f) => f.includes("aithreat-tmp")),
        [],
        `${to}: no temporary folder left behind`,
      );
    }
  } finally {
    fs.chmodSync(tmp, 0o755);
  }
});

test.run();
