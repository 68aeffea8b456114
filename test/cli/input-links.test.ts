/**
 * Model files a folder holds as symbolic links: read when the link stays inside the project root,
 * refused (AT2011, like an import that leaves the root) when it points outside, so a link added in a
 * pull request cannot have CI read and quote a file from elsewhere on the machine; `fmt` neither
 * reads nor rewrites it.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";

const tmp = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-links-")));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const project = path.join(tmp, "project");
const outside = path.join(tmp, "outside", "secret.aithreat");
fs.mkdirSync(path.join(project, "models"), { recursive: true });
fs.mkdirSync(path.join(project, "shared"), { recursive: true });
fs.mkdirSync(path.dirname(outside), { recursive: true });
fs.writeFileSync(path.join(project, "aithreat.json"), "{}\n");
fs.writeFileSync(path.join(project, "models", "a.aithreat"), 'system a "A"\nstore crm "CRM"\n');
fs.writeFileSync(path.join(project, "shared", "b.aithreat"), 'store files "Files"\n');
// Not a model: were it read, its text would be quoted in a syntax error.
fs.writeFileSync(outside, "TOPSECRET=hunter2\n");
fs.symlinkSync(path.join(project, "shared", "b.aithreat"), path.join(project, "models", "inside.aithreat"));
fs.symlinkSync(outside, path.join(project, "models", "escape.aithreat"));

async function check(...args: string[]) {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, tmp);
  const code = await main(["check", ...args], io);
  return { code, stderr: io.stderr };
}

test("a link in a model folder that leaves the project root is refused, not read", async () => {
  const r = await check(path.join(project, "models"));
  assert.is(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    /error AT2011: `project\/models\/escape\.aithreat` is a symbolic link to a file outside the project root: not read/,
  );
  assert.not.match(r.stderr, /TOPSECRET|hunter2/);
  // The other files, the link inside the root included, are checked.
  assert.match(r.stderr, /2 files checked: 1 error/);
});

test("a link in a model folder named like a model but leading to another file inside the root is refused", async () => {
  const folder = path.join(project, "env-link");
  fs.mkdirSync(folder, { recursive: true });
  fs.writeFileSync(path.join(project, ".env"), "API_KEY=sk-live-0123456789\n");
  fs.writeFileSync(path.join(folder, "ok.aithreat"), 'store ok "OK"\n');
  fs.symlinkSync(path.join(project, ".env"), path.join(folder, "zz.aithreat"));
  const r = await check(folder);
  assert.is(r.code, 2, r.stderr);
  assert.match(
    r.stderr,
    "error AT2013: `project/env-link/zz.aithreat` is a symbolic link to `project/.env`, not a model file: not read",
  );
  assert.not.match(r.stderr, "sk-live");
  assert.match(r.stderr, /1 file checked: 1 error/);
});

test("without the escaping link the folder checks clean; a file named on the command line is read", async () => {
  fs.rmSync(path.join(project, "models", "escape.aithreat"));
  try {
    const r = await check(path.join(project, "models"));
    assert.is(r.code, 0, r.stderr);
    assert.match(r.stderr, /2 files checked: 0 errors/);
    const named = await check(outside);
    assert.is(named.code, 2);
    assert.match(named.stderr, /TOPSECRET/, "the user named it: it is read (and is no model)");
  } finally {
    fs.symlinkSync(outside, path.join(project, "models", "escape.aithreat"));
  }
});

test("a folder holding only refused links says so once, not also that it holds no model", async () => {
  const only = path.join(project, "only-links");
  fs.mkdirSync(only, { recursive: true });
  fs.symlinkSync(outside, path.join(only, "x.aithreat"));
  try {
    const r = await check(only);
    assert.is(r.code, 2, r.stderr);
    assert.match(r.stderr, /error AT2011: `project\/only-links\/x\.aithreat` is a symbolic link/);
    assert.not.match(r.stderr, /AT9001/);
  } finally {
    fs.rmSync(only, { recursive: true, force: true });
  }
});

test("fmt neither reads nor rewrites a link in a folder that leaves the project root", async () => {
  // A model outside the project, not in the canonical layout: formatting would rewrite it.
  const model = path.join(tmp, "outside", "model.aithreat");
  const text = 'store   crm   "CRM"\n';
  fs.writeFileSync(model, text);
  const link = path.join(project, "models", "model-link.aithreat");
  fs.symlinkSync(model, link);
  try {
    for (const mode of [["--check"], []]) {
      const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, tmp);
      const code = await main(["fmt", ...mode, path.join(project, "models")], io);
      assert.is(code, 2, io.stderr);
      assert.match(io.stderr, /error AT2011: `project\/models\/escape\.aithreat` is a symbolic link/);
      assert.match(io.stderr, /error AT2011: `project\/models\/model-link\.aithreat` is a symbolic link/);
      assert.not.match(io.stderr, /TOPSECRET|hunter2/);
      assert.is(fs.readFileSync(model, "utf8"), text, "the file outside the project is left as it was");
    }
  } finally {
    fs.rmSync(link);
  }
});

test.run();
