/**
 * Progress: a status line on a terminal (stderr a TTY), erased before any other output; nothing
 * when stderr is not a terminal or with `--quiet`. The TTY flag is injected through `Io`.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo, type Io } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { count, createProgress } from "../../src/cli/progress.js";
import { TEST_TODAY } from "../helpers/compile.js";

const ERASE = "\r\x1b[2K";
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-progress-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));
const MODEL = path.join(tmp, "model.aithreat");
fs.writeFileSync(MODEL, `zone vpc "VPC" { trust internal }\nstore db "DB" in vpc { type database }\n`);

/** A buffer Io whose stderr claims to be a terminal (or not). */
function io(tty: boolean): Io & { stdout: string; stderr: string } {
  const b = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  return Object.assign(b, { tty });
}

test("the status line: stages with elapsed time, rewritten in place, erased by clear", () => {
  const out = io(true);
  let t = 0;
  const p = createProgress(out, { now: () => t });
  p.stage("loading models");
  t = 1250;
  p.stage("analysing 3 components");
  p.clear();
  p.clear();
  assert.is(out.stderr, `${ERASE}[0.0s] loading models...${ERASE}[1.3s] analysing 3 components...${ERASE}`);
});

test("nothing when stderr is not a terminal, or with quiet", () => {
  for (const [tty, quiet] of [
    [false, false],
    [true, true],
  ] as const) {
    const out = io(tty);
    const p = createProgress(out, { quiet });
    p.stage("loading models");
    p.clear();
    assert.is(out.stderr, "", `tty ${tty}, quiet ${quiet}`);
  }
});

test("compile on a terminal shows its stages and erases them; the summary is on a clean line", async () => {
  const out = io(true);
  const code = await main(["compile", MODEL, "--root", tmp, "--out", path.join(tmp, "out")], out);
  assert.is(code, 0, out.stderr);
  assert.ok(out.stderr.includes("loading models..."), JSON.stringify(out.stderr));
  assert.ok(out.stderr.includes("analysing 1 component..."));
  assert.ok(out.stderr.includes("writing outputs..."));
  assert.match(out.stderr, new RegExp(`${ERASE.replace("[", "\\[")}wrote \\d+ files`));
});

test("compile not on a terminal, or with --quiet, writes no progress", async () => {
  for (const [tty, extra] of [
    [false, []],
    [true, ["--quiet"]],
  ] as const) {
    const out = io(tty);
    const code = await main(["compile", MODEL, "--root", tmp, "--out", path.join(tmp, "out"), ...extra], out);
    assert.is(code, 0);
    assert.not.ok(out.stderr.includes("\r"), JSON.stringify(out.stderr));
    assert.not.ok(out.stderr.includes("loading models"));
  }
});

test("counts use fixed separators and plurals", () => {
  assert.is(count(1, "component"), "1 component");
  assert.is(count(1234567, "component"), "1,234,567 components");
  assert.is(count(0, "file"), "0 files");
});

test.run();
