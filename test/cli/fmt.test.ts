import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { keepsMeaning } from "../../src/cli/commands/fmt.js";
import { main } from "../../src/cli/main.js";
import { makeSourceFile } from "../../src/source.js";
import { parseFile } from "../../src/syntax/parse.js";

const FORMATTED = 'zone vpc "VPC" { trust internal }\nmodel m "M" in vpc { family generative }\n';
const UNFORMATTED = 'zone   vpc "VPC" {trust internal}   \nmodel m "M"  in vpc {family generative}';
const BROKEN = "zone vpc { trust }\n";

const created: string[] = [];
test.after(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

/** A fresh temporary folder holding the given files (paths relative to it), removed after the run. */
function project(files: Record<string, string | Uint8Array>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-fmt-"));
  created.push(dir);
  for (const [name, contents] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
    fs.writeFileSync(path.join(dir, name), contents);
  }
  return dir;
}

/** Runs `aithreat <args>` in-process with `dir` as working directory. */
async function run(dir: string, ...args: string[]) {
  const io = bufferIo({}, dir);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const read = (dir: string, name: string) => fs.readFileSync(path.join(dir, name), "utf8");

/** Sets a file's modification time into the past, so a rewrite (even of the same bytes) shows. */
function age(dir: string, name: string): number {
  const past = new Date("2001-01-01T00:00:00Z");
  fs.utimesSync(path.join(dir, name), past, past);
  return fs.statSync(path.join(dir, name)).mtimeMs;
}

test("--check exits 0 and writes nothing when every file is formatted", async () => {
  const dir = project({ "a.aithreat": FORMATTED, "sub/b.aithreat": FORMATTED });
  const before = age(dir, "a.aithreat");
  const r = await run(dir, "fmt", "--check", ".");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "");
  assert.match(r.stderr, "2 files checked: all formatted");
  assert.is(fs.statSync(path.join(dir, "a.aithreat")).mtimeMs, before);
});

test("--check exits 1, lists the files that would change on stdout and leaves them alone", async () => {
  const dir = project({ "a.aithreat": FORMATTED, "b.aithreat": UNFORMATTED, "sub/c.aithreat": UNFORMATTED });
  const r = await run(dir, "fmt", "--check", ".");
  assert.is(r.code, 1, r.stderr);
  assert.is(r.stdout, "b.aithreat\nsub/c.aithreat\n");
  assert.match(r.stderr, "2 of 3 files would be reformatted");
  assert.is(read(dir, "b.aithreat"), UNFORMATTED);
  assert.is(read(dir, "sub/c.aithreat"), UNFORMATTED);
});

test("--check exits 2 on a syntax error, with the usual located diagnostic", async () => {
  const dir = project({ "a.aithreat": UNFORMATTED, "bad.aithreat": BROKEN });
  const r = await run(dir, "fmt", "--check", ".");
  assert.is(r.code, 2);
  assert.match(r.stderr, "bad.aithreat:1:12 - error AT1023: property `trust` has no value");
  assert.match(r.stderr, "1 | zone vpc { trust }");
  // The other file is still checked.
  assert.is(r.stdout, "a.aithreat\n");
});

test("the summary never calls a file it could not read or parse formatted", async () => {
  const dir = project({ "a.aithreat": FORMATTED, "bad.aithreat": BROKEN, "c.aithreat": UNFORMATTED });
  const check = await run(dir, "fmt", "--check", "a.aithreat", "bad.aithreat");
  assert.is(check.code, 2);
  assert.match(check.stderr, "2 files checked: 1 could not be formatted (errors above)\n");
  assert.not.match(check.stderr, "all formatted");
  const some = await run(dir, "fmt", "--check", ".");
  assert.match(some.stderr, "1 of 3 files would be reformatted, 1 could not be formatted (errors above);");
  const write = await run(dir, "fmt", ".");
  assert.is(write.code, 2);
  assert.match(write.stderr, "3 files checked: 1 reformatted, 1 could not be formatted (errors above)\n");
});

test("--check counts CRLF line endings and a BOM as changes", async () => {
  const dir = project({
    "crlf.aithreat": FORMATTED.replace(/\n/g, "\r\n"),
    "bom.aithreat": `\ufeff${FORMATTED}`,
    "ok.aithreat": FORMATTED,
  });
  const r = await run(dir, "fmt", "--check", dir);
  assert.is(r.code, 1);
  assert.is(r.stdout, "bom.aithreat\ncrlf.aithreat\n");
});

test("fmt rewrites changed files in place and says which on stderr", async () => {
  const dir = project({ "a.aithreat": FORMATTED, "b.aithreat": UNFORMATTED });
  const untouched = age(dir, "a.aithreat");
  const r = await run(dir, "fmt", ".");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, "");
  assert.is(r.stderr, "formatted b.aithreat\n2 files checked: 1 reformatted\n");
  assert.is(read(dir, "b.aithreat"), FORMATTED);
  // A file already formatted is not rewritten at all.
  assert.is(fs.statSync(path.join(dir, "a.aithreat")).mtimeMs, untouched);
  // No temporary file is left behind.
  assert.equal(fs.readdirSync(dir).sort(), ["a.aithreat", "b.aithreat"]);
  const again = await run(dir, "fmt", "--check", ".");
  assert.is(again.code, 0, again.stdout);
});

test("fmt turns CRLF and a BOM into LF without a BOM", async () => {
  const dir = project({ "m.aithreat": `\ufeff${UNFORMATTED.replace(/\n/g, "\r\n")}` });
  const r = await run(dir, "fmt", "m.aithreat");
  assert.is(r.code, 0, r.stderr);
  assert.equal([...fs.readFileSync(path.join(dir, "m.aithreat"))], [...Buffer.from(FORMATTED, "utf8")]);
});

test("--quiet prints nothing when all goes well", async () => {
  const dir = project({ "b.aithreat": UNFORMATTED });
  const r = await run(dir, "fmt", "--quiet", "b.aithreat");
  assert.is(r.code, 0);
  assert.is(r.stderr, "");
  assert.is(r.stdout, "");
  assert.is(read(dir, "b.aithreat"), FORMATTED);
});

test("fmt refuses a file with syntax errors, exits 2 and still formats the others", async () => {
  const broken = `${BROKEN}   flow a->b\n`;
  const dir = project({ "bad.aithreat": broken, "b.aithreat": UNFORMATTED });
  const r = await run(dir, "fmt", ".");
  assert.is(r.code, 2);
  assert.match(r.stderr, "bad.aithreat:1:12 - error AT1023");
  assert.is(read(dir, "bad.aithreat"), broken);
  assert.is(read(dir, "b.aithreat"), FORMATTED);
});

test("files that are not UTF-8 text are reported, not formatted", async () => {
  const latin1 = Uint8Array.from([...Buffer.from('zone z "Caf'), 0xe9, ...Buffer.from('" {trust x}\n')]);
  const nul = Uint8Array.from([...Buffer.from("zone z\n"), 0, 0]);
  const dir = project({ "latin1.aithreat": latin1, "nul.aithreat": nul });
  const r = await run(dir, "fmt", ".");
  assert.is(r.code, 2);
  assert.match(r.stderr, "latin1.aithreat:1:12 - error AT1002: file is not valid UTF-8");
  assert.match(r.stderr, "nul.aithreat:2:1 - error AT1003");
  assert.equal([...fs.readFileSync(path.join(dir, "latin1.aithreat"))], [...latin1]);
});

test("a missing path or a folder without models exits 2", async () => {
  const dir = project({ "empty/readme.md": "# nothing here\n" });
  const missing = await run(dir, "fmt", "nope.aithreat");
  assert.is(missing.code, 2);
  assert.match(missing.stderr, "error AT1001: cannot read `nope.aithreat`: no such file or directory");
  const empty = await run(dir, "fmt", "empty");
  assert.is(empty.code, 2);
  assert.match(empty.stderr, "error AT9001: no `.aithreat` files found in `empty`");
});

test("a loop of symbolic links in a folder is reported by its relative path, not Node's message", async () => {
  const dir = project({ "a.aithreat": FORMATTED });
  fs.symlinkSync("loop2.aithreat", path.join(dir, "loop1.aithreat"));
  fs.symlinkSync("loop1.aithreat", path.join(dir, "loop2.aithreat"));
  const r = await run(dir, "fmt", ".");
  assert.is(r.code, 2);
  assert.match(r.stderr, "error AT1001: cannot read `loop1.aithreat`: a loop of symbolic links\n");
  assert.not.ok(r.stderr.includes(dir), `an absolute path leaks into the output:\n${r.stderr}`);
});

test("a file over --max-file-size is reported with AT1004", async () => {
  const dir = project({ "big.aithreat": UNFORMATTED });
  const r = await run(dir, "fmt", "--max-file-size", "10", "big.aithreat");
  assert.is(r.code, 2);
  assert.match(r.stderr, "error AT1004");
  assert.is(read(dir, "big.aithreat"), UNFORMATTED);
});

test("--stdout prints the formatted text and writes nothing", async () => {
  const dir = project({ "b.aithreat": UNFORMATTED });
  const r = await run(dir, "fmt", "--stdout", "b.aithreat");
  assert.is(r.code, 0, r.stderr);
  assert.is(r.stdout, FORMATTED);
  assert.is(r.stderr, "");
  assert.is(read(dir, "b.aithreat"), UNFORMATTED);
});

test("--stdout on a file with syntax errors prints diagnostics only and exits 2", async () => {
  const dir = project({ "bad.aithreat": BROKEN });
  const r = await run(dir, "fmt", "--stdout", "bad.aithreat");
  assert.is(r.code, 2);
  assert.is(r.stdout, "");
  assert.match(r.stderr, "AT1023");
});

test("--stdout takes one file, and does not combine with --check", async () => {
  const dir = project({ "a.aithreat": UNFORMATTED, "b.aithreat": UNFORMATTED });
  const two = await run(dir, "fmt", "--stdout", ".");
  assert.is(two.code, 2);
  assert.match(two.stderr, "error AT9002: `--stdout` formats one file, but 2 were given");
  assert.is(two.stdout, "");
  const both = await run(dir, "fmt", "--stdout", "--check", "a.aithreat");
  assert.is(both.code, 2);
  assert.match(both.stderr, "error AT9002: `--check` and `--stdout` cannot be combined");
  assert.is(read(dir, "a.aithreat"), UNFORMATTED);
});

test("rewriting keeps a symbolic link and the file's permissions", async () => {
  const dir = project({ "real.aithreat": UNFORMATTED });
  fs.chmodSync(path.join(dir, "real.aithreat"), 0o640);
  fs.symlinkSync("real.aithreat", path.join(dir, "link.aithreat"));
  const r = await run(dir, "fmt", "link.aithreat");
  assert.is(r.code, 0, r.stderr);
  assert.ok(fs.lstatSync(path.join(dir, "link.aithreat")).isSymbolicLink());
  assert.is(read(dir, "real.aithreat"), FORMATTED);
  assert.is(fs.statSync(path.join(dir, "real.aithreat")).mode & 0o777, 0o640);
});

// Root ignores file permissions, so the failure cannot be provoked there.
const root = process.getuid?.() === 0;
test("a file that cannot be written is reported, left as it was, and exits 2", async () => {
  if (root) return;
  const dir = project({ "ro/b.aithreat": UNFORMATTED });
  fs.chmodSync(path.join(dir, "ro"), 0o555);
  try {
    const r = await run(dir, "fmt", "ro");
    assert.is(r.code, 2);
    assert.match(r.stderr, "error AT1001: cannot write `ro/b.aithreat`: permission denied");
    assert.is(read(dir, "ro/b.aithreat"), UNFORMATTED);
  } finally {
    fs.chmodSync(path.join(dir, "ro"), 0o755);
  }
});

test("the safety check before writing catches a changed tree or a lost comment", () => {
  const ast = parseFile(makeSourceFile(0, "m.aithreat", `// why\n${UNFORMATTED}`)).value;
  assert.ok(keepsMeaning(ast, `// why\n${FORMATTED}`));
  assert.not.ok(keepsMeaning(ast, FORMATTED), "a comment lost");
  assert.not.ok(
    keepsMeaning(ast, `// why\n${FORMATTED.replace("generative", "predictive")}`),
    "a value changed",
  );
  assert.not.ok(keepsMeaning(ast, `// why\n${FORMATTED}}`), "a syntax error");
});

test("--help lists the options and examples", async () => {
  const r = await run(process.cwd(), "fmt", "--help");
  assert.is(r.code, 0);
  for (const s of ["--check", "--stdout", "Examples:", "aithreat fmt --check models/"])
    assert.match(r.stdout, s);
});

test.run();
