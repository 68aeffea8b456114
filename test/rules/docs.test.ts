// docs/rules.md is generated from the rule registry: it must equal what scripts/lib/rules-doc.ts makes
// of the current catalog, and every rule and built-in control must have its place in it, at the
// anchors SARIF results and `aithreat explain` point to.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { slug } from "../../scripts/lib/markdown.js";
import { readCommitted } from "../../scripts/lib/output.js";
import { RULES_DOC, ruleAnchor, ruleHeading, rulesDoc } from "../../scripts/lib/rules-doc.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { BUILTIN_CONTROLS } from "../../src/catalog/controls.js";
import { ruleDocUrl } from "../../src/emit/tool-info.js";

const committed = readCommitted(RULES_DOC) ?? "";

/** The text of each rule's section, from its explicit anchor to the next one. */
const sections = new Map(
  committed
    .split(/^(?=<a id=")/m)
    .slice(1)
    .map((chunk) => [/^<a id="([^"]+)"><\/a>/.exec(chunk)?.[1] ?? "", chunk]),
);

test("docs/rules.md is up to date (npm run gen:rules)", () => {
  assert.ok(committed.length > 0, `${RULES_DOC} is missing: run npm run gen:rules`);
  assert.ok(committed === rulesDoc(), `${RULES_DOC} is stale: run npm run gen:rules`);
});

test("every rule has a section at the anchor `at-nn` / `as-nn`, with its heading", () => {
  for (const rule of RULES) {
    const anchor = ruleAnchor(rule.meta.id);
    assert.match(anchor, /^a[ts]-\d{2,3}$/);
    const section = sections.get(anchor);
    assert.ok(section, `no section for ${rule.meta.id} at #${anchor}`);
    assert.ok(section.includes(`\n## ${ruleHeading(rule)}\n`), `${rule.meta.id}: heading`);
    for (const text of [rule.meta.description, rule.meta.detection, rule.meta.falsePositives])
      assert.ok(section.includes(text), `${rule.meta.id}: section lacks ${text.slice(0, 40)}...`);
    for (const id of [...rule.meta.atlas, ...rule.meta.owasp, ...rule.meta.nist, ...rule.meta.cosai])
      assert.ok(section.includes(id), `${rule.meta.id}: mapping ${id} missing`);
    for (const c of rule.meta.mitigations)
      assert.ok(section.includes(`[\`${c}\`](#built-in-controls)`), `${rule.meta.id}: control ${c} missing`);
  }
  assert.is(sections.size, RULES.length, "a section for a rule that is not registered");
});

test("the link SARIF results carry lands on the rule's stable anchor, not on its title", () => {
  for (const rule of RULES) {
    const fragment = ruleDocUrl(rule.meta).split("#")[1] ?? "";
    assert.is(fragment, rule.meta.id.toLowerCase());
    assert.ok(sections.has(fragment), `${rule.meta.id}: #${fragment} is not an anchor of ${RULES_DOC}`);
  }
});

test("the built-in controls table lists every control with the rules it mitigates", () => {
  const table = committed.slice(committed.indexOf("## Built-in controls"), committed.indexOf('<a id="'));
  for (const c of BUILTIN_CONTROLS) {
    const row = table.split("\n").find((l) => l.startsWith(`| \`${c.id}\` |`));
    assert.ok(row, `control ${c.id} has no row`);
    for (const m of c.atlas) assert.ok(row.includes(m), `${c.id}: ATLAS ${m}`);
    const mitigates = RULES.filter((r) => r.meta.mitigations.includes(c.id)).map((r) => r.meta.id);
    for (const id of mitigates)
      assert.ok(row.includes(`[${id}](#${ruleAnchor(id)})`), `${c.id} mitigates ${id}`);
    const linked = [...row.matchAll(/\[(A[TS]-\d+)\]/g)].map((m) => m[1]);
    assert.equal(linked.sort(), [...mitigates].sort(), `${c.id}: rules listed`);
  }
});

test("links inside docs/rules.md point at anchors that exist", () => {
  const anchors = new Set([
    ...[...committed.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.replace(/`/g, ""))),
    ...sections.keys(),
  ]);
  for (const m of committed.matchAll(/\]\(#([^)]+)\)/g)) assert.ok(anchors.has(m[1]!), `#${m[1]}`);
});

test.run();
