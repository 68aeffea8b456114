/** `compile --format json|sarif|junit` prints the written file: slice by slice, characters whole. */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { printWrittenFile } from "../../src/cli/commands/compile.js";
import type { Io } from "../../src/cli/io.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-print-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

function printed(text: string, slice: number): string[] {
  const file = path.join(tmp, "f.txt");
  fs.writeFileSync(file, text);
  const out: string[] = [];
  printWrittenFile({ out: (s: string) => out.push(s) } as unknown as Io, file, slice);
  return out;
}

test("a file larger than a slice is printed in slices, the same text", () => {
  const text = "line é→😀\n".repeat(1000);
  const out = printed(text, 64);
  assert.ok(out.length > 100, `${out.length} slices`);
  assert.ok(out.join("") === text);
});

test("a character cut at a slice's end is printed whole, once", () => {
  // Every slice boundary falls inside a four-byte character somewhere in the text.
  for (const slice of [5, 6, 7, 8]) {
    const text = `ab${"😀".repeat(20)}é`;
    const out = printed(text, slice);
    assert.ok(out.join("") === text, `slice ${slice}`);
    assert.ok(
      out.every((s) => !s.includes("\uFFFD")),
      `slice ${slice}: no replacement character`,
    );
  }
});

test("an empty file prints nothing", () => {
  assert.equal(printed("", 16).join(""), "");
});

test.run();
