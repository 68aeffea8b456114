import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RULES } from "../../src/analysis/rules/index.js";
import { analyzeFile, analyzeText } from "../helpers/analyze.js";

/**
 * Per-rule fixtures, data-driven: test/rules/fixtures/<RULE-ID>/ holds `fires.aithreat`,
 * `quiet.aithreat` and (for threats) `mitigated.aithreat`. Each file lists the exact findings of that
 * rule it must produce as `// expect: <finding id> <status> <severity>` lines; a file without such
 * lines must produce none. Every rule must also stay quiet on the empty model.
 */
const FIXTURES = path.resolve("test/rules/fixtures");

function expectations(file: string): string[] {
  return fs
    .readFileSync(file, "utf8")
    .split(/\r?\n/)
    .map((l) => /^\/\/\s*expect:\s*(.+?)\s*$/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined)
    .sort();
}

for (const rule of RULES) {
  const id = rule.meta.id;
  const dir = path.join(FIXTURES, id);
  const cases = rule.meta.category === "assumption" ? ["fires", "quiet"] : ["fires", "quiet", "mitigated"];

  for (const name of cases) {
    test(`${id} ${name}`, () => {
      const file = path.join(dir, `${name}.aithreat`);
      assert.ok(fs.existsSync(file), `missing fixture ${path.relative(process.cwd(), file)}`);
      const expected = expectations(file);
      if (name === "quiet") assert.equal(expected, [], "a quiet fixture must expect no finding");
      else assert.ok(expected.length > 0, `${name} fixture must expect at least one finding`);
      if (name === "mitigated")
        assert.ok(
          expected.some((e) => e.split(" ")[1] === "mitigated"),
          "a mitigated fixture must expect a mitigated finding",
        );
      const { analysis, front } = analyzeFile(file);
      const mine = analysis.findings.filter((f) => f.rule === id);
      assert.equal(mine.map((f) => `${f.id} ${f.status} ${f.severity}`).sort(), expected);
      for (const f of mine) {
        assert.ok(f.facts.length > 0, `${f.id} has no facts`);
        for (const fact of f.facts)
          assert.ok(
            fact.loc.file === front.model.files[0] &&
              fact.loc.start >= 0 &&
              fact.loc.end <= fact.loc.file.text.length,
            `${f.id}: fact located outside the file: ${fact.text}`,
          );
        if (f.status === "mitigated") assert.ok(f.mitigatedBy.length > 0);
      }
    });
  }

  test(`${id} stays quiet on the empty model`, () => {
    const analysis = analyzeText("");
    assert.equal(
      analysis.findings.filter((f) => f.rule === id),
      [],
    );
  });
}

test.run();
