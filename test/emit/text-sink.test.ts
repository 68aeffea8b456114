/** TextSink: a string while short, the same text as UTF-8 bytes (or chunks of them) past its limit. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { printContents } from "../../src/cli/commands/compile.js";
import type { Io } from "../../src/cli/io.js";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeOutputsAtomically } from "../../src/cli/write-outputs.js";
import { TextSink } from "../../src/emit/text-sink.js";

const pieces = Array.from({ length: 5000 }, (_, i) => `line ${i} é→😀\n`);
const whole = pieces.join("");

test("under the limit the text is one string", () => {
  const sink = new TextSink(whole.length);
  for (const p of pieces) sink.add(p);
  assert.is(sink.result(), whole);
});

test("past the limit the text is its UTF-8 bytes, whatever the chunking", () => {
  for (const limit of [whole.length - 1, 1000, 7]) {
    const sink = new TextSink(limit);
    for (const p of pieces) sink.add(p);
    const out = sink.result();
    assert.instance(out, Uint8Array, `limit ${limit}`);
    assert.ok(Buffer.from(out as Uint8Array).equals(Buffer.from(whole, "utf8")), `limit ${limit}`);
  }
});

test("as a file: a string when short; past the limit UTF-8 chunks, written and joined to the same bytes", () => {
  const short = new TextSink(whole.length);
  for (const p of pieces) short.add(p);
  const s = short.file("short.txt");
  assert.is(s.contents, whole);
  assert.is(s.chunks, undefined);

  const long = new TextSink(1000);
  for (const p of pieces) long.add(p);
  const f = long.file("long.txt");
  assert.ok(f.chunks !== undefined && f.chunks.length > 1, "in chunks");
  const bytes = Buffer.from(whole, "utf8");
  assert.ok(Buffer.concat(f.chunks).equals(bytes), "the chunks are the text's bytes");
  assert.ok(Buffer.from(f.contents as Uint8Array).equals(bytes), "contents joins them");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-sink-"));
  try {
    writeOutputsAtomically(path.join(dir, "out"), [f, s]);
    assert.ok(fs.readFileSync(path.join(dir, "out", "long.txt")).equals(bytes), "written piece by piece");
    assert.is(fs.readFileSync(path.join(dir, "out", "short.txt"), "utf8"), whole);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("compile --format prints chunks with a character split across two of them", () => {
  const text = "ab😀cd";
  const bytes = Buffer.from(text, "utf8");
  const printed: string[] = [];
  printContents({ out: (s: string) => printed.push(s) } as unknown as Io, [
    bytes.subarray(0, 4),
    bytes.subarray(4),
  ]);
  assert.is(printed.join(""), text);
});

test("compile --format prints an output that is bytes slice by slice, characters whole", () => {
  // Over one 16 MiB slice, with a four-byte character across the boundary.
  const text = `${"a".repeat((1 << 24) - 2)}😀${"é".repeat(1000)}`;
  const printed: string[] = [];
  printContents({ out: (s: string) => printed.push(s) } as unknown as Io, Buffer.from(text, "utf8"));
  assert.ok(printed.length > 1, "printed in slices");
  assert.ok(printed.join("") === text, "the same text");
});

test.run();
