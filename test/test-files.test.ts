// Conventions of the test files themselves. uvu runs the tests registered before `test.run()`; one
// registered after it runs only when another file is loaded beside it (the whole suite), never when
// its own file is run alone, so a failure there hides from the person looking into it.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";

const TEST_DIR = path.resolve(fileURLToPath(import.meta.url), "../../../test");

/** Every `*.test.ts` below `dir`, relative to the test folder, sorted. */
function testFiles(dir: string): string[] {
  return fs
    .readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".test.ts"))
    .map((f) => f.split(path.sep).join("/"))
    .sort();
}

test("every test file calls test.run() once, after all of its tests", () => {
  const files = testFiles(TEST_DIR);
  assert.ok(files.length > 50, `found ${files.length} test files under ${TEST_DIR}`);
  const wrong = files.flatMap((f) => {
    const text = fs.readFileSync(path.join(TEST_DIR, f), "utf8");
    const runs = [...text.matchAll(/^test\.run\(\);?$/gm)];
    if (runs.length !== 1) return [`${f}: test.run() ${runs.length} times`];
    const after = text.slice(runs[0]!.index);
    return /^test(?:\.\w+)?\(/m.test(after.slice(after.indexOf("\n") + 1))
      ? [`${f}: a test registered after test.run()`]
      : [];
  });
  assert.equal(wrong, []);
});

test.run();
