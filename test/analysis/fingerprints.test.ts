import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fingerprintOf, type Finding } from "../../src/analysis/findings.js";
import type { FindingList } from "../../src/analysis/finding-records.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { expandInputs } from "../../src/cli/inputs.js";
import { analyze, runFrontEnd } from "../../src/compiler.js";
import { formatDiagnostic } from "../../src/diagnostics/format.js";
import {
  COMMON_COMPONENT_PROPS,
  COMPONENT_KINDS,
  FLOW_PROPS,
  type PropSpec,
} from "../../src/semantic/vocabulary.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { memoryHost } from "../helpers/memory-host.js";

/**
 * Finding fingerprints come from the rule id and subject names, never from positions: on every sample,
 * adding an unrelated zone, component and flow (at the top of a file, so every line below moves) keeps
 * every existing fingerprint, and renaming a component no finding names changes none. Within a model,
 * ids and fingerprints are unique.
 */

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const SAMPLES = path.join(REPO, "samples");
const samples = fs
  .readdirSync(SAMPLES, { withFileTypes: true })
  .filter((e) => e.isDirectory() && !e.name.startsWith("."))
  .map((e) => e.name)
  .sort();

/** A sample's model files, relative to the sample folder, with their text. */
function sampleFiles(name: string): Record<string, string> {
  const dir = path.join(SAMPLES, name);
  return Object.fromEntries(
    expandInputs([dir]).files.map((f) => [
      path.relative(dir, f).split(path.sep).join("/"),
      fs.readFileSync(f, "utf8"),
    ]),
  );
}

/** Front end and analysis of files held in memory, every file an input, as `aithreat check <folder>`. */
function findingsOf(files: Record<string, string>): FindingList {
  const abs = Object.fromEntries(Object.entries(files).map(([k, v]) => [`/sample/${k}`, v]));
  const front = runFrontEnd({
    inputs: Object.keys(abs).sort(),
    root: "/sample",
    host: memoryHost(abs),
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  const errors = front.diagnostics.filter((d) => d.severity === "error");
  assert.equal(
    errors.map((d) => formatDiagnostic(d)),
    [],
    "the model must check clean",
  );
  return analyze(front.model).findings;
}

const UNRELATED = `zone zz_unrelated "Unrelated archive zone" {
  trust internal
  pipeline zz_archiver "Unrelated archiver" { type etl  isolated true }
  store zz_archive "Unrelated archive" { type object_store  encrypted true }
}
flow zz_archiver -> zz_archive "archive" { kind write }

`;

/** Every value word of the vocabulary. */
const VOCABULARY_WORDS = new Set<string>(
  [
    ...Object.values(COMMON_COMPONENT_PROPS),
    ...Object.values(COMPONENT_KINDS).flatMap((k) => Object.values(k.props as Record<string, PropSpec>)),
    ...Object.values(FLOW_PROPS),
  ].flatMap((spec: PropSpec) => ("values" in spec ? spec.values : [])),
);

const IDENT = String.raw`[\p{L}\p{N}_]`;
/** Every occurrence of a name as a whole name (names may hold inner `.` and `-`, never `->`). */
const wholeName = (name: string) =>
  new RegExp(
    String.raw`(?<![\p{L}\p{N}_.-])${name.replace(/[.-]/g, "\\$&")}(?!${IDENT})(?![.]${IDENT})(?!-(?!>)${IDENT})`,
    "gu",
  );
const fingerprints = (fs: FindingList) => new Map(fs.map((f) => [f.id, f.fingerprint]));
const namesIn = (f: Finding) => f.id.split(":").slice(1);

const baseline = new Map(samples.map((s) => [s, findingsOf(sampleFiles(s))]));

for (const name of samples) {
  test(`${name}: finding ids and fingerprints are unique, and the fingerprint is the hash of the id`, () => {
    const findings = baseline.get(name)!;
    assert.ok(findings.length > 0, "a sample with no findings tests nothing");
    assert.is(new Set(findings.map((f) => f.id)).size, findings.length, "duplicate finding ids");
    assert.is(new Set(findings.map((f) => f.fingerprint)).size, findings.length, "duplicate fingerprints");
    for (const f of findings) assert.is(f.fingerprint, fingerprintOf(f.id), f.id);
  });

  test(`${name}: an unrelated zone, component and flow change no existing fingerprint`, () => {
    const files = sampleFiles(name);
    const first = Object.keys(files).sort()[0]!;
    const before = fingerprints(baseline.get(name)!);
    const after = findingsOf({ ...files, [first]: UNRELATED + files[first]! });
    const now = fingerprints(after);
    for (const [id, fp] of before) assert.is(now.get(id), fp, `${id} changed or disappeared`);
    // What is new concerns only the new components.
    const added = after.filter((f) => !before.has(f.id));
    for (const f of added)
      assert.ok(
        namesIn(f).some((n) => n.startsWith("zz_")),
        `new finding ${f.id}`,
      );
  });

  test(`${name}: renaming a component no finding names changes no fingerprint`, () => {
    const files = sampleFiles(name);
    const findings = baseline.get(name)!;
    const named = new Set([...findings].flatMap(namesIn));
    // Component names as declared: `<kind> <name>` at the start of a declaration.
    const declared = Object.values(files).flatMap((t) =>
      [
        ...t.matchAll(
          /^\s*(?:actor|source|dataset|store|pipeline|model|endpoint|vectorstore|template|agent|tool|mcp_server|provider|guardrail|app|registry)\s+([\p{L}_][\p{L}\p{N}_.-]*)/gmu,
        ),
      ].map((m) => m[1]!),
    );
    // A name that is also a value of the vocabulary (`actor customer { role customer }`) is skipped:
    // a text rename would change the value too.
    const unrelated = declared.find((n) => !named.has(n) && !VOCABULARY_WORDS.has(n));
    assert.ok(unrelated, `every component of ${name} is named by a finding; nothing to rename`);
    const renamed = Object.fromEntries(
      Object.entries(files).map(([f, t]) => [f, t.replace(wholeName(unrelated), `${unrelated}_renamed`)]),
    );
    assert.ok(
      Object.keys(files).some((f) => renamed[f] !== files[f]),
      `renaming \`${unrelated}\` changed no file`,
    );
    assert.equal(
      fingerprints(findingsOf(renamed)),
      fingerprints(findings),
      `after renaming \`${unrelated}\``,
    );
  });
}

test("a fingerprint is the first 16 hex digits of the SHA-256 of the id, whatever its characters or length", () => {
  const ids = [
    "AT-36:agent:tool",
    "AS-01:api",
    "AT-07:kunde-\u00e9t\u00e9:\u6570\u636e",
    `AT-41:${"x".repeat(120)}`,
    "",
  ];
  for (const id of ids) {
    const expected = createHash("sha256").update(id, "utf8").digest("hex").slice(0, 16);
    assert.is(fingerprintOf(id), expected, id);
  }
});

test.run();
