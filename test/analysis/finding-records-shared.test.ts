import { test } from "uvu";
import * as assert from "uvu/assert";
import { runRules } from "../../src/analysis/engine.js";
import { computeFacts } from "../../src/analysis/facts.js";
import { componentSubject, defineRule, type RuleMeta } from "../../src/analysis/rule.js";
import type { Location } from "../../src/diagnostics/diagnostic.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import { frontEndOf } from "../helpers/compile.js";

/**
 * What the records keep once for many findings read back as each finding reported it: mitigation
 * lists (one per distinct list), keys (one per distinct key) and fact locations (numbers, with the
 * file of each).
 */

const front = frontEndOf(`zone vpc "Production VPC" { trust internal }
agent copilot "Support agent" in vpc { autonomy loop  controls [sandbox, least_privilege, human_approval] }
agent helper "Helper agent" in vpc { autonomy loop  controls [sandbox] }
`);
const graph = buildThreatGraph(front.model);
const facts = computeFacts(graph);
const comp = (name: string) => front.model.components.find((c) => c.name === name)!;

const meta = {
  id: "ORG-1",
  title: "test rule",
  description: "test",
  category: "threat",
  stride: [],
  atlas: [],
  owasp: [],
  nist: [],
  cosai: [],
  likelihood: "medium",
  likelihoodBasis: "test",
  impact: "medium",
  impactBasis: "test",
  mitigations: ["sandbox", "least_privilege", "human_approval"],
  detection: "test",
  falsePositives: "test",
  references: [],
  appliesTo: ["agent"],
} as unknown as RuleMeta;

test("shared mitigation lists, keys and fact locations read back per finding", () => {
  const copilot = comp("copilot");
  const helper = comp("helper");
  // A second file: a fact's location keeps its own file.
  const other = { ...copilot.nameLoc.file, path: "other.ait" } as Location["file"];
  // Each kind of draft: its message, subject, the mitigations it names and the controls it shows. The
  // shorter list comes first, and two lists differ only in their second control.
  const kinds = [
    { message: "one", subject: copilot, mitigations: ["sandbox"], want: ["copilot.sandbox"] },
    {
      message: "both",
      subject: copilot,
      mitigations: ["sandbox", "least_privilege"],
      want: ["copilot.sandbox", "copilot.least_privilege"],
    },
    {
      message: "other",
      subject: copilot,
      mitigations: ["sandbox", "human_approval"],
      want: ["copilot.sandbox", "copilot.human_approval"],
    },
    { message: "helper's", subject: helper, mitigations: ["sandbox"], want: ["helper.sandbox"] },
  ];
  const rule = defineRule(meta, ({ report }) => {
    for (let i = 0; i < 6; i++) {
      const loc: Location = { file: i % 2 ? other : copilot.nameLoc.file, start: i, end: i + 2 };
      const fact = { text: `fact ${i}`, loc };
      for (const { message, subject, mitigations } of kinds)
        report({
          subject: componentSubject(subject),
          key: `${message}-${i % 3}-${i}`,
          message,
          facts: [fact],
          mitigations,
        });
    }
  });
  const { value } = runRules(front.model, graph, facts, [rule]);
  assert.is(value.length, 24);
  const numbers = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const f = value.at(i)!;
    const want = kinds.find((k) => k.message === f.message)!.want;
    assert.equal(
      f.mitigatedBy.map((u) => `${f.subjectName}.${u.name}`),
      want,
    );
    // Findings mitigated by the same controls share one list; different lists stay apart.
    const k =
      numbers.get(want.join()) ?? numbers.set(want.join(), value.mitigationsNumber(i)).get(want.join())!;
    assert.is(value.mitigationsNumber(i), k);
    const n = Number(/\d+$/.exec(f.key!)![0]);
    assert.is(f.key, `${f.message}-${n % 3}-${n}`);
    const file = n % 2 ? other : copilot.nameLoc.file;
    assert.equal(f.facts, [{ text: `fact ${n}`, loc: { file, start: n, end: n + 2 } }]);
    assert.is(value.factLocation(i, 0).file, file);
  }
  assert.is(new Set(numbers.values()).size, 4);
});

test.run();
