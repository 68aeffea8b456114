/**
 * `compile --only`: a run writes just the outputs it names, each byte for byte as a full run writes
 * it, and a mistake in the list is a usage error before any work (exit 2, nothing written).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { selectEmitters } from "../../src/cli/only.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { EMITTERS } from "../../src/emit/index.js";
import { OUTPUT_MARKER } from "../../src/cli/write-outputs.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SAMPLE = path.join(REPO, "samples", "multi-agent");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-only-"));
const full = path.join(tmp, "full");

test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

async function run(...args: string[]): Promise<{ code: number; stderr: string }> {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(args, io);
  return { code, stderr: io.stderr };
}

/** Every file under `dir`, relative, sorted. */
function filesOf(dir: string): string[] {
  return (fs.readdirSync(dir, { recursive: true }) as string[])
    .filter((f) => fs.statSync(path.join(dir, f)).isFile())
    .sort();
}

test.before(async () => {
  assert.is((await run("compile", SAMPLE, "--out", full, "-q")).code, 0);
});

test("writes only the named outputs, each identical to a full run's", async () => {
  const cases: [string, (f: string) => boolean][] = [
    ["sarif,json", (f) => f === "findings.sarif" || f === "findings.json"],
    ["findings.junit.xml , metrics", (f) => f === "findings.junit.xml" || f === "metrics.json"],
    ["checklist", (f) => f.startsWith("checklist.")],
    ["diagrams,report.md", (f) => f.startsWith("diagrams/") || f === "report.md"],
  ];
  const all = filesOf(full);
  for (const [only, wanted] of cases) {
    const out = path.join(tmp, only.replace(/\W+/g, "-"));
    const r = await run("compile", SAMPLE, "--out", out, "-q", "--only", only);
    assert.is(r.code, 0, r.stderr);
    const expected = all.filter((f) => f === OUTPUT_MARKER || wanted(f));
    assert.ok(expected.length > 1, `the full run has outputs for ${only}`);
    assert.equal(filesOf(out), expected, only);
    for (const f of expected)
      assert.ok(fs.readFileSync(path.join(out, f)).equals(fs.readFileSync(path.join(full, f))), f);
  }
});

test("selects in the registry's order whatever the order given, short names and file names alike", () => {
  const a = selectEmitters("diagrams,SARIF,findings.json", { render: false });
  const b = selectEmitters("json,findings.sarif,diagrams", { render: false });
  assert.ok(Array.isArray(a) && Array.isArray(b));
  const names = (a as typeof EMITTERS).map((e) => e.name);
  assert.equal(names, ["findings.json", "findings.sarif", "diagrams"]);
  assert.equal(
    (b as typeof EMITTERS).map((e) => e.name),
    names,
  );
  assert.is(selectEmitters(undefined, { render: true }), EMITTERS);
});

test("an unknown, empty or conflicting list is a usage error before any work, nothing written", async () => {
  const cases: [string[], RegExp][] = [
    [["--only", "sarfi"], /unknown output `sarfi`[\s\S]*did you mean `sarif`\?/],
    [["--only", " , "], /`--only` names no output/],
    [["--only", "json", "--format", "sarif"], /prints findings\.sarif, which `--only` leaves out/],
    [["--only", "json", "--render", "svg"], /`--render` renders the diagrams, which `--only` leaves out/],
  ];
  for (const [args, message] of cases) {
    const out = path.join(tmp, "refused");
    const r = await run("compile", path.join(tmp, "no-such-model.aithreat"), "--out", out, ...args);
    assert.is(r.code, 2, args.join(" "));
    assert.match(r.stderr, /error AT9002/);
    assert.match(r.stderr, message);
    assert.not.match(r.stderr, /AT1001/, "checked before the models are read");
    assert.not.ok(fs.existsSync(out));
  }
});

test.run();
