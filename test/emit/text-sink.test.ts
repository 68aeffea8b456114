/** TextSink and produced files: a string while short, the same text as UTF-8 bytes past the limit. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { writeOutputsAtomically } from "../../src/cli/write-outputs.js";
import { eachChunk, producedFile, TextSink } from "../../src/emit/text-sink.js";

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

test("a produced file: its text only when read, written in UTF-8 chunks, the same bytes", () => {
  let runs = 0;
  const produce = (put: (piece: string) => void) => {
    runs++;
    for (const p of pieces) put(p);
  };
  const f = producedFile("long.txt", produce);
  assert.is(runs, 0, "nothing is produced before it is read or written");
  const chunks: Buffer[] = [];
  // A chunk is a view of a reused buffer: copied to be kept.
  eachChunk(produce, (b) => chunks.push(Buffer.from(b)), 1000);
  assert.ok(chunks.length > 1, "in chunks");
  const bytes = Buffer.from(whole, "utf8");
  assert.ok(Buffer.concat(chunks).equals(bytes), "the chunks are the text's bytes");
  assert.is(f.contents, whole, "short enough to read as a string");

  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-sink-"));
  try {
    writeOutputsAtomically(path.join(dir, "out"), [f, { path: "plain.txt", contents: "x" }]);
    assert.ok(fs.readFileSync(path.join(dir, "out", "long.txt")).equals(bytes), "written as produced");
    assert.is(fs.readFileSync(path.join(dir, "out", "plain.txt"), "utf8"), "x");
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("chunks are the text's bytes for any chunk size, a piece longer than a chunk included", () => {
  const long = "ü".repeat(5000);
  const text = [...pieces.slice(0, 100), long, ...pieces.slice(100)];
  const bytes = Buffer.from(text.join(""), "utf8");
  for (const limit of [1, 7, 1000, 1 << 20]) {
    const chunks: Buffer[] = [];
    eachChunk(
      (put) => text.forEach(put),
      (b) => chunks.push(Buffer.from(b)),
      limit,
    );
    assert.ok(Buffer.concat(chunks).equals(bytes), `limit ${limit}`);
    assert.ok(
      chunks.every((c) => c.length > 0),
      `no empty chunk at limit ${limit}`,
    );
  }
});

test("a text longer than a buffer is encoded into the same buffers, never split inside a surrogate pair", () => {
  // Emoji (two UTF-16 units each) at every offset, so some batch boundary falls inside a pair.
  const long = Array.from({ length: 3000 }, (_, i) => (i % 3 === 0 ? "😀" : i % 3 === 1 ? "ab" : "é")).join(
    "",
  );
  const bytes = Buffer.from(`start${long}end`, "utf8");
  for (const limit of [1, 2, 7, 1000]) {
    const chunks: Buffer[] = [];
    let owned = 0;
    const buffers = new Set<ArrayBufferLike>();
    let current: Buffer | undefined;
    eachChunk(
      (put) => ["start", long, "end"].forEach(put),
      {
        next: (n) => {
          current ??= Buffer.alloc(n);
          buffers.add(current.buffer);
          return current;
        },
        ship: (used) => chunks.push(Buffer.from(current!.subarray(0, used))),
        own: () => owned++,
      },
      limit,
    );
    assert.is(owned, 0, `limit ${limit}: a buffer of its own`);
    assert.is(buffers.size, 1, `limit ${limit}: one reused buffer`);
    assert.ok(Buffer.concat(chunks).equals(bytes), `limit ${limit}: the bytes differ`);
  }
});

test.run();
