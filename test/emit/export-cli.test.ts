/**
 * `aithreat export` through the command line: the files it streams to disk are byte for byte the
 * in-memory export, for every format; the chunked writer keeps interleaved files intact past its
 * chunk size, and a failure while writing leaves the previous folder as it was.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import { OUTPUT_MARKER } from "../../src/cli/write-outputs.js";
import * as assert from "uvu/assert";
import { writeExportAtomically } from "../../src/cli/commands/export.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { EXPORT_FORMATS, exportFiles } from "../../src/emit/export/index.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { analysisOf } from "../db/models.js";
import { plural } from "../../src/words.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-export-cli-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

// The files an export wrote, without the marker every output folder holds (test/cli/out-folder.test.ts).
const read = (dir: string): Record<string, string> =>
  Object.fromEntries(
    fs
      .readdirSync(dir)
      .filter((f) => f !== OUTPUT_MARKER)
      .sort()
      .map((f) => [f, fs.readFileSync(path.join(dir, f), "utf8")]),
  );

test("every format: the files on disk are the in-memory export, byte for byte, run after run", async () => {
  const model = "samples/rag-support";
  const analysis = analysisOf([model]);
  for (const to of EXPORT_FORMATS) {
    const want = exportFiles(analysis, to);
    assert.ok("files" in want);
    for (const run of [1, 2]) {
      const out = path.join(tmp, `${to}-${run}`);
      const io = bufferIo();
      const code = await main(["export", model, "--to", to, "--out", out, "--today", TEST_TODAY], io);
      assert.is(code, 0, io.stderr);
      assert.match(io.stderr, `wrote ${plural(want.files.length, "file")} to ${out}`);
      const got = read(out);
      assert.equal(Object.keys(got), want.files.map((f) => f.path).sort(), `${to}: the same files`);
      for (const f of want.files) assert.ok(got[f.path] === f.contents, `${to}: ${f.path} byte-identical`);
    }
  }
});

test("rows interleaved across files past the chunk size arrive whole and in order", () => {
  const out = path.join(tmp, "chunks");
  const row = (file: string, i: number) => `${file},${i},${"x".repeat(100)}\n`;
  // About 3 MiB per file, so every file is flushed several times while the others fill up.
  const rows = 30_000;
  const written = writeExportAtomically(out, (sink) => {
    for (let i = 0; i < rows; i++) for (const f of ["a.csv", "b.csv"]) sink.write(f, row(f, i));
    sink.write("c.txt", "small\n");
  });
  assert.equal(written, ["a.csv", "b.csv", "c.txt"]);
  for (const f of ["a.csv", "b.csv"]) {
    const text = fs.readFileSync(path.join(out, f), "utf8");
    assert.ok(text.length > 3 * (1 << 20), `${f} is larger than three chunks`);
    assert.ok(text === Array.from({ length: rows }, (_, i) => row(f, i)).join(""), `${f} intact`);
  }
  assert.is(fs.readFileSync(path.join(out, "c.txt"), "utf8"), "small\n");
});

test("a failure while writing leaves the previous folder untouched and no temporary folder", () => {
  const out = path.join(tmp, "kept");
  writeExportAtomically(out, (sink) => sink.write("old.csv", "old\n"));
  assert.throws(
    () =>
      writeExportAtomically(out, (sink) => {
        sink.write("new.csv", "x".repeat(2 << 20));
        throw new Error("stopped half way");
      }),
    /stopped half way/,
  );
  assert.equal(read(out), { "old.csv": "old\n" });
  assert.equal(
    fs.readdirSync(tmp).filter((f) => f.includes("aithreat-tmp")),
    [],
  );
  assert.throws(() => writeExportAtomically(out, (sink) => sink.write("../escape.csv", "x")), /unsafe path/);
  assert.equal(read(out), { "old.csv": "old\n" });
});

test.run();
