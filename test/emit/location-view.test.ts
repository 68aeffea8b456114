/**
 * `locationView` finds a range's end by stepping on from its start's line, and by a binary search
 * when the range runs on past a few lines: both ends must be what `lineCol` (the compiler's own
 * line/column conversion) gives, for every range of a file with `\n`, `\r\n` and lone `\r` line ends,
 * ranges spanning none to all of its lines, and offsets outside the text (clamped as `lineCol` does).
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { locationView } from "../../src/emit/location-view.js";
import { lineCol, lineText, makeSourceFile, releaseText, textLength } from "../../src/source.js";

const lines = Array.from(
  { length: 30 },
  (_, i) => `line ${i}${i % 3 === 0 ? "\r\n" : i % 3 === 1 ? "\n" : "\r"}`,
);
const file = makeSourceFile(0, "systems/x.aithreat", lines.join("") + "last");

const expected = (start: number, end: number) => {
  const s = lineCol(file, start);
  const e = lineCol(file, Math.max(start, end));
  return { file: file.path, line: s.line, column: s.column, endLine: e.line, endColumn: e.column };
};

test("every range of a file has the lines and columns lineCol gives its ends", () => {
  const n = file.text.length;
  let ranges = 0;
  for (let start = -2; start <= n + 2; start += 3)
    for (let end = start - 4; end <= n + 3; end += 5) {
      assert.equal(locationView({ file, start, end }), expected(start, end), `${start}-${end}`);
      ranges++;
    }
  assert.ok(ranges > 1000);
});

test("a range over many lines ends on its last line", () => {
  const view = locationView({ file, start: 2, end: file.text.length });
  assert.is(view.line, 1);
  assert.is(view.endLine, 31);
  assert.is(view.endColumn, 5);
});

test("a file whose text was let go gives the same lines and columns, and no line text", () => {
  // A file of its own, released before any line or column of it was asked for: the release must
  // work out its line starts from the text before letting it go.
  const text = lines.join("") + "last";
  const kept = makeSourceFile(1, "systems/y.aithreat", text);
  const gone = makeSourceFile(2, "systems/y.aithreat", text);
  releaseText(gone);
  assert.is(gone.text, "");
  assert.is(textLength(gone), text.length);
  const view = (f: typeof kept, start: number, end: number) => {
    const v = locationView({ file: f, start, end });
    return { line: v.line, column: v.column, endLine: v.endLine, endColumn: v.endColumn };
  };
  // A third file of other lines (one per character) asked between them: `gone` and `kept` share a
  // text, so only its answers tell whether the last file's lines kept at hand are the file asked about.
  const other = makeSourceFile(3, "systems/z.aithreat", "\n".repeat(text.length));
  for (let start = -2; start <= text.length + 2; start += 2) {
    assert.equal(lineCol(gone, start), lineCol(kept, start), `offset ${start}`);
    const clamped = Math.max(0, Math.min(start, text.length));
    assert.equal(lineCol(other, start), { line: clamped + 1, column: 1 }, `other file, offset ${start}`);
    for (let end = start - 3; end <= text.length + 3; end += 7)
      assert.equal(view(gone, start, end), view(kept, start, end), `${start}-${end}`);
  }
  assert.is(lineText(kept, 2), "line 1");
  assert.is(lineText(gone, 2), "");
});

test.run();
