/** TextSink: a string while short, the same text as UTF-8 bytes past its limit. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { printContents } from "../../src/cli/commands/compile.js";
import type { Io } from "../../src/cli/io.js";
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

test("compile --format prints an output that is bytes slice by slice, characters whole", () => {
  // Over one 16 MiB slice, with a four-byte character across the boundary.
  const text = `${"a".repeat((1 << 24) - 2)}😀${"é".repeat(1000)}`;
  const printed: string[] = [];
  printContents({ out: (s: string) => printed.push(s) } as unknown as Io, Buffer.from(text, "utf8"));
  assert.ok(printed.length > 1, "printed in slices");
  assert.ok(printed.join("") === text, "the same text");
});

test.run();
