/**
 * Where findings.sarif's locations are relative to, as docs/ci.md tells a pipeline author: the project
 * root, which is found from the models (the nearest folder above them holding `.git` or
 * `aithreat.json`), never from the working directory. Code scanning matches the locations against the
 * repository's paths, so an `aithreat.json` between the repository root and the models needs `--root`.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TEST_TODAY } from "../helpers/compile.js";
import { REPO } from "../helpers/outputs.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-sarif-root-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const repo = path.join(tmp, "repo");
const models = path.join(repo, "threat-model", "models");
fs.mkdirSync(path.join(repo, ".git"), { recursive: true });
fs.mkdirSync(models, { recursive: true });
fs.copyFileSync(
  path.join(REPO, "samples", "rag-support", "support-assistant.aithreat"),
  path.join(models, "support-assistant.aithreat"),
);

let runs = 0;
/** Compiles `args` from `cwd` with the CLI; returns findings.sarif's text and its first result's URI. */
function sarifFrom(cwd: string, ...args: string[]): { text: string; uri: string } {
  const out = path.join(tmp, `out${++runs}`);
  const r = spawnSync(
    process.execPath,
    [path.join(REPO, "bin", "aithreat.js"), "compile", ...args, "--out", out, "-q"],
    {
      cwd,
      encoding: "utf8",
      env: { ...process.env, AITHREAT_TODAY: TEST_TODAY },
    },
  );
  assert.is(r.status, 0, r.stderr);
  const text = fs.readFileSync(path.join(out, "findings.sarif"), "utf8");
  const log = JSON.parse(text) as {
    runs: { results: { locations: { physicalLocation: { artifactLocation: { uri: string } } }[] }[] }[];
  };
  return { text, uri: log.runs[0]!.results[0]!.locations[0]!.physicalLocation.artifactLocation.uri };
}

test("the working directory does not move SARIF locations: they are relative to the repository root", () => {
  const top = sarifFrom(repo, "threat-model/models");
  assert.is(top.uri, "threat-model/models/support-assistant.aithreat");
  assert.is(sarifFrom(models, ".").text, top.text);
  assert.is(sarifFrom(tmp, "repo/threat-model/models/support-assistant.aithreat").text, top.text);
});

test("an aithreat.json between the repository root and the models moves the root; --root moves it back", () => {
  const marker = path.join(repo, "threat-model", "aithreat.json");
  fs.writeFileSync(marker, "{}\n");
  try {
    // Run from the repository root all the same: the locations lose `threat-model/`.
    assert.is(sarifFrom(repo, "threat-model/models").uri, "models/support-assistant.aithreat");
    assert.is(
      sarifFrom(repo, "threat-model/models", "--root", ".").uri,
      "threat-model/models/support-assistant.aithreat",
    );
  } finally {
    fs.rmSync(marker);
  }
});

test.run();
