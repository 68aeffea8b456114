/**
 * The sample models in samples/ are documentation, a regression corpus for the rules and the first
 * thing a new user runs: each must check clean exactly as `aithreat check samples/<name>` would, be
 * big enough to look like a real system, and say in a README what to look at.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { expandInputs } from "../src/cli/inputs.js";
import { bufferIo } from "../src/cli/io.js";
import { main } from "../src/cli/main.js";
import { nodeHost } from "../src/cli/node-host.js";
import { runFrontEnd, type FrontEndResult } from "../src/compiler.js";
import { formatDiagnostic } from "../src/diagnostics/format.js";
import { TEST_TODAY } from "./helpers/compile.js";

// Compiled to dist/test/samples.test.js; the samples stay in the source tree.
const REPO = path.resolve(fileURLToPath(import.meta.url), "../../..");
const SAMPLES = path.join(REPO, "samples");
const MIN_SAMPLES = 7;
// Below these a model is a fragment, not an architecture a reviewer would recognise.
const MIN_COMPONENTS = 15;
const MIN_FLOWS = 15;

const samples = fs
  .readdirSync(SAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith("."))
  .map((e) => e.name)
  .sort();

function frontEnd(inputs: readonly string[]): FrontEndResult {
  return runFrontEnd({
    inputs,
    root: REPO,
    host: nodeHost,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
}

function dump(result: FrontEndResult): string {
  return result.diagnostics.map((d) => formatDiagnostic(d)).join("\n");
}

/** Text of every model file of a sample, to find the comment that explains a deliberate warning. */
function sampleText(dir: string): string {
  return expandInputs([dir])
    .files.map((f) => fs.readFileSync(f, "utf8"))
    .join("\n");
}

test(`there are at least ${MIN_SAMPLES} samples`, () => {
  assert.ok(
    samples.length >= MIN_SAMPLES,
    `expected at least ${MIN_SAMPLES} sample folders, found ${samples.length}: ${samples.join(", ")}`,
  );
});

for (const name of samples) {
  const dir = path.join(SAMPLES, name);

  test(`${name}: has a README and model files`, () => {
    const readme = path.join(dir, "README.md");
    assert.ok(fs.existsSync(readme), `${name} has no README.md`);
    assert.ok(fs.readFileSync(readme, "utf8").trim().length > 0, `${name}/README.md is empty`);
    assert.ok(expandInputs([dir]).files.length > 0, `${name} has no .aithreat files`);
  });

  test(`${name}: \`aithreat check\` exits 0 with no errors`, async () => {
    const io = bufferIo({}, REPO);
    const code = await main(["check", dir, "--format", "json", "--today", TEST_TODAY], io);
    const out = JSON.parse(io.stdout) as {
      diagnostics: { code: string; severity: string; message: string; file?: string; line?: number }[];
    };
    const errors = out.diagnostics.filter((d) => d.severity === "error");
    assert.equal(errors, [], `${name} has errors`);
    assert.is(code, 0, io.stderr);
    // A warning may stay only when it is deliberate, and then a comment in the sample names its code.
    const text = sampleText(dir);
    const unexplained = out.diagnostics.filter((d) => d.severity === "warning" && !text.includes(d.code));
    assert.equal(unexplained, [], `${name} has warnings no comment explains`);
  });

  test(`${name}: is a realistic architecture`, () => {
    const result = frontEnd(expandInputs([dir]).files);
    assert.ok(result.ok, dump(result));
    const m = result.model;
    assert.ok(m.components.length >= MIN_COMPONENTS, `${name}: ${m.components.length} components`);
    assert.ok(m.flows.length >= MIN_FLOWS, `${name}: ${m.flows.length} flows`);
    assert.ok(m.systems.length >= 1, `${name}: no system declaration`);
    assert.ok(m.zones.length >= 3, `${name}: ${m.zones.length} zones`);
    assert.ok(
      new Set(m.zones.map((z) => z.trust)).has("untrusted"),
      `${name}: no untrusted zone, so no attacker entry`,
    );
    assert.ok(
      m.data.some((d) => d.classification !== undefined),
      `${name}: no classified data`,
    );
    assert.ok(m.crownJewels.length >= 1, `${name}: no crown jewel`);
    // Threats must remain for the rules to find: a sample where every component declares controls
    // teaches nothing, and one with none shows no contrast.
    const withControls = m.components.filter((c) => c.controls.length > 0).length;
    assert.ok(withControls > 0, `${name}: no component declares a control`);
    assert.ok(withControls < m.components.length, `${name}: every component declares a control`);
  });
}

test("at least one sample spans several files through imports", () => {
  let found = false;
  for (const name of samples) {
    for (const file of expandInputs([path.join(SAMPLES, name)]).files) {
      // Checked alone, the file must pull its imports in and still resolve without errors; warnings
      // about shared data only other systems use are expected when a system is checked alone.
      const result = frontEnd([file]);
      if (result.program.files.length < 2) continue;
      assert.ok(result.ok, `${path.relative(REPO, file)} checked alone:\n${dump(result)}`);
      found = true;
    }
  }
  assert.ok(found, "no sample has a file that imports another");
});

test.run();
