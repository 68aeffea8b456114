/**
 * A finding's severity rationale gives each level its own reason: "likelihood low (why it is
 * unlikely) x impact very_high (why it matters)". A rule that overrides both levels for different
 * reasons used to show both reasons, joined, beside each level.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeFile, analyzeText } from "../helpers/analyze.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");

test("AT-06: the likelihood says why theft is unlikely, the impact why it matters", () => {
  const analysis = analyzeText(`
zone ml "ML" {
  trust internal
  store uploads "Uploads" { type object_store  holds [docs]  encrypted true }
  dataset ft_set "Fine-tuning set" { purpose fine_tuning }
  pipeline finetune "Fine-tune" { type fine_tuning }
}
data docs "Documents" { classification personal  crown confidentiality }
flow uploads -> ft_set { kind copy }
flow ft_set -> finetune { kind train }
`);
  const f = analysis.findings.find((x) => x.id === "AT-06:ft_set");
  assert.ok(f, "AT-06 fires on the unprotected dataset");
  assert.is(
    f.rationale,
    "likelihood low (nothing less trusted reads it: theft needs a foothold in its zone) x impact very_high (it holds crown-jewel data)",
  );
});

/** The reasons in parentheses after "likelihood <level>" and "impact <level>". */
function reasonsOf(rationale: string): [string, string] | undefined {
  const m = /^likelihood \S+ \((.*)\) x impact \S+ \((.*)\)$/.exec(rationale);
  return m ? [m[1]!, m[2]!] : undefined;
}

test("no finding of the rule fixtures shows the reasons of both levels joined beside each", () => {
  const dir = path.join(REPO, "test", "rules", "fixtures");
  const doubled: string[] = [];
  for (const rule of fs.readdirSync(dir).sort())
    for (const file of fs.readdirSync(path.join(dir, rule)).sort()) {
      if (!file.endsWith(".aithreat")) continue;
      const { analysis } = analyzeFile(path.join(dir, rule, file));
      for (const f of analysis.findings) {
        const r = reasonsOf(f.rationale);
        // One reason may raise both levels (AT-23: an exposed key makes abuse likelier and costlier);
        // several reasons joined beside each level are the reasons of different levels.
        if (r && r[0] === r[1] && r[0].includes("; "))
          doubled.push(`${rule}/${file}: ${f.id}: ${f.rationale}`);
      }
    }
  assert.equal(doubled, []);
});

test.run();
