import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { fingerprintOf, SEVERITIES } from "../../src/analysis/findings.js";
import {
  compileOrgRules,
  isOrgRule,
  ORG_RULE_PROPS,
  withOrgRuleControls,
  withOrgRules,
} from "../../src/analysis/org-rules.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { analyze, analyzeModel } from "../../src/compiler.js";
import { plainView } from "../../src/emit/findings-view.js";
import { locationView } from "../../src/emit/location-view.js";
import { analyzeText } from "../helpers/analyze.js";
import { codesAt, dump, frontEnd, frontEndOf } from "../helpers/compile.js";

/**
 * Organisation rules: `rule` declarations in the model language, checked with located diagnostics and
 * run beside the built-in catalog. Findings behave like built-in ones: ids and fingerprints from names,
 * mitigation by declared controls (built-in, implied by a property, or the organisation's own), and
 * acceptance.
 */

const MODEL = `zone internet "Internet" { trust untrusted }
zone vpc "VPC" { trust internal }
source forum "Forum" in internet { type forum }
vectorstore kb "KB" in vpc
data pii "Customer PII" { classification personal }
store crm "CRM" in vpc { holds [pii]  tags [pci] }
agent bot "Bot" in vpc { autonomy loop  approval none }
agent calm "Calm" in vpc { autonomy step }
flow forum -> kb { kind ingest }
flow kb -> bot { kind retrieve }
flow crm -> bot { kind read  carries [pii] }
`;

const RULE = `rule ORG-001 "Looping agents on outside content need approval or an audit trail" {
  match [agent] { autonomy [loop, autonomous] }
  reachable_from [external_data]
  sees_at_least personal
  requires [human_approval, audit_log]
  severity high
  atlas [AML.T0051.001]
  owasp ["LLM01:2025"]
}
`;

const orgFindings = (text: string) => analyzeText(text).findings.filter((f) => !/^A[TS]-\d+$/.test(f.rule));
const summary = (text: string) => orgFindings(text).map((f) => `${f.id} ${f.status} ${f.severity}`);

/** `line:col` of an offset location, for exact assertions. */
const lc = (loc: Parameters<typeof locationView>[0]) => {
  const v = locationView(loc);
  return `${v.line}:${v.column}`;
};

test("fires on the matching component, with located facts saying why", () => {
  const findings = orgFindings(MODEL + RULE);
  assert.equal(
    findings.map((f) => `${f.id} ${f.status} ${f.severity}`),
    ["ORG-001:bot open high"],
  );
  const f = findings[0]!;
  assert.is(f.fingerprint, fingerprintOf("ORG-001:bot"));
  assert.is(f.title, "Looping agents on outside content need approval or an audit trail");
  assert.is(lc(f.location), "7:7", "the subject is the agent's name");
  const facts = f.facts.map((x) => `${lc(x.loc)} ${x.text}`);
  assert.equal(facts, [
    "7:7 `bot` is an `agent`, a kind `ORG-001` looks at",
    "7:26 `bot` has `autonomy loop`",
    "3:8 `forum` (source; zone `internet`, trust `untrusted`) brings in content written by outsiders",
    "9:1 `forum -> kb` (ingest) carries attacker-controlled content to `kb`",
    "10:1 `kb -> bot` (retrieve) carries attacker-controlled content to `bot`",
    "6:26 `crm` holds `pii` (personal)",
    "11:1 `crm -> bot` (read) carries `pii` to `bot`",
    "7:7 `bot` declares none of `human_approval`, `audit_log`",
    "13:3 organisation rule `ORG-001` asks for this here",
  ]);
  assert.match(
    f.message,
    /`bot` matches organisation rule `ORG-001`, which asks for `human_approval` or `audit_log`/,
  );
  assert.equal(f.recommended, ["human_approval", "audit_log"]);
});

test("stays quiet when a constraint, the reachability or the sensitivity does not hold", () => {
  // `calm` is an agent but `autonomy step`; no rule fires on it.
  assert.equal(
    summary(MODEL + RULE).filter((s) => s.includes("calm")),
    [],
  );
  // Without the forum, nothing outside reaches the agent.
  const unreached = MODEL.replace("flow forum -> kb { kind ingest }\n", "");
  assert.equal(summary(unreached + RULE), []);
  // Without the CRM flow, the agent sees nothing personal.
  const blind = MODEL.replace("flow crm -> bot { kind read  carries [pii] }\n", "");
  assert.equal(summary(blind + RULE), []);
  // A property the component does not state never matches.
  const unstated = MODEL.replace(
    'agent bot "Bot" in vpc { autonomy loop  approval none }',
    'agent bot "Bot" in vpc',
  );
  assert.equal(summary(unstated + RULE), []);
  // The empty model.
  assert.equal(summary(RULE), []);
});

test("a declared built-in control mitigates, also when a property implies it, and keeps the finding", () => {
  const declared = MODEL.replace("autonomy loop  approval none }", "autonomy loop  controls [audit_log] }");
  const f = orgFindings(declared + RULE)[0]!;
  assert.is(`${f.id} ${f.status}`, "ORG-001:bot mitigated");
  assert.equal(
    f.mitigatedBy.map((m) => m.name),
    ["audit_log"],
  );
  assert.is(f.residualLikelihood, "medium", "one `lower` control lowers the likelihood one step");
  assert.not.ok(f.facts.some((x) => x.text.includes("declares none")));
  // `approval human` implies `human_approval`, a `cut` control: residual likelihood low.
  const implied = MODEL.replace("approval none", "approval human");
  const g = orgFindings(implied + RULE.replace("autonomy [loop, autonomous]", "autonomy loop"))[0]!;
  assert.is(g.status, "mitigated");
  assert.is(g.mitigatedBy[0]?.impliedBy, "approval human");
  assert.is(g.residualLikelihood, "low");
});

test("the organisation's own control named in `requires` mitigates, as if it named the rule", () => {
  const text = `${MODEL.replace("autonomy loop  approval none }", "autonomy loop  controls [agent_gate] }")}
control agent_gate "Agent gateway" { atlas [AML.M0029] }
${RULE.replace("requires [human_approval, audit_log]", "requires [agent_gate]")}`;
  const f = orgFindings(text)[0]!;
  assert.is(`${f.id} ${f.status}`, "ORG-001:bot mitigated");
  assert.equal(
    f.mitigatedBy.map((m) => m.name),
    ["agent_gate"],
  );
  // The analysed model says so too, and the resolved model is left as it was.
  const front = frontEndOf(text);
  const rules = withOrgRules(front.model, RULES);
  const analysed = withOrgRuleControls(front.model, rules);
  assert.equal(analysed.controls.find((c) => c.name === "agent_gate")?.mitigates, ["ORG-001"]);
  assert.equal(front.model.controls.find((c) => c.name === "agent_gate")?.mitigates, []);
  assert.is(withOrgRuleControls(front.model, RULES), front.model, "no org rule, same model");
});

test("a control that lists the rule in its `mitigates` counts without being in `requires`", () => {
  const text = `${MODEL.replace("autonomy loop  approval none }", "autonomy loop  controls [agent_gate] }")}
control agent_gate "Agent gateway" { mitigates [ORG-001] }
${RULE}`;
  assert.equal(summary(text), ["ORG-001:bot mitigated high"]);
});

test("findings of organisation rules can be accepted", () => {
  const text = `${MODEL}${RULE}accept ORG-001 on bot { reason "pilot, no customers yet"  owner "secops"  expires 2027-01-31 }\n`;
  const f = orgFindings(text)[0]!;
  assert.is(f.status, "accepted");
  assert.is(f.acceptance?.owner, "secops");
});

test("severity sets likelihood x impact so the finding has exactly that severity", () => {
  for (const severity of SEVERITIES) {
    const rule = `rule ORG-9 "Every store" { match [store]  severity ${severity} }\n`;
    assert.equal(summary(MODEL + rule), [`ORG-9:crm open ${severity}`], severity);
  }
  const explicit = `rule ORG-9 "Every store" { match [store]  likelihood very_high  impact very_high }\n`;
  const f = orgFindings(MODEL + explicit)[0]!;
  assert.is(`${f.likelihood} ${f.impact} ${f.severity}`, "very_high very_high critical");
  const fallback = orgFindings(`${MODEL}rule ORG-9 "Every store" { match [store] }\n`)[0]!;
  assert.is(`${fallback.id} ${fallback.severity}`, "ORG-9:crm medium");
  assert.match(fallback.rationale, /sets no severity/);
});

test("list properties match on any shared value; trust comes from the zone; tags and holds match", () => {
  const tools = `zone z "Z" { trust internal }
tool payer "Payer" in z { capabilities [read, pay] }
tool reader "Reader" in z { capabilities [read] }
tool outside "Outside" { trust untrusted  capabilities [write] }
rule ORG-2 "Tools that change state" { match [tool] { capabilities [write, pay] } }
rule ORG-3 "Untrusted tools" { match [tool] { trust [untrusted, public] } }
rule ORG-4 "Internal tools" { match [tool] { trust internal } }
`;
  assert.equal(summary(tools), [
    "ORG-2:outside open medium",
    "ORG-2:payer open medium",
    "ORG-3:outside open medium",
    "ORG-4:payer open medium",
    "ORG-4:reader open medium",
  ]);
  const internal = orgFindings(tools).find((f) => f.id === "ORG-4:payer")!;
  assert.ok(
    internal.facts.some(
      (x) => x.text === "`payer` has `trust internal` (from its zone)" && lc(x.loc) === "1:14",
    ),
  );
  const stores = `${MODEL}rule ORG-5 "PCI stores" { match [store] { tags pci  holds [pii] } }\n`;
  assert.equal(summary(stores), ["ORG-5:crm open medium"]);
});

test("a rule without `match` is tracked by hand: valid, listed, never fires", () => {
  const text = `${MODEL}rule ORG-7 "Agents that send e-mail need approval" { description "reviewed quarterly" }\n`;
  const front = frontEndOf(text);
  assert.ok(front.ok, dump(front));
  const rules = withOrgRules(front.model, RULES);
  const org = rules.filter(isOrgRule);
  assert.equal(
    org.map((r) => r.meta.id),
    ["ORG-7"],
  );
  assert.match(org[0]!.meta.detection, /no `match`/);
  assert.equal(summary(text), []);
  // An acceptance of it matches nothing, as for any rule that raises no finding there.
  const accepted = analyze(
    frontEndOf(`${text}accept ORG-7 on bot { reason "r"  owner "o"  expires 2027-01-31 }\n`).model,
  );
  assert.equal(
    accepted.diagnostics.map((d) => d.code),
    ["AT4001"],
  );
});

test("organisation rules join the rules of analyzeModel, and the views carry their mappings", () => {
  const front = frontEndOf(MODEL + RULE);
  const a = analyzeModel(front.model);
  assert.ok(a.rules.some((r) => r.meta.id === "ORG-001"));
  assert.is(a.rules.filter((r) => r.meta.id === "ORG-001").length, 1, "added once");
  const view = a.findingsView.find((f) => f.rule === "ORG-001")!;
  assert.equal(view.mappings.atlas, [{ id: "AML.T0051.001", name: "Indirect" }]);
  assert.equal(view.mappings.owasp, [{ id: "LLM01:2025", name: "Prompt Injection" }]);
  // Deterministic: a second run gives the same findings (views compared as outputs show them).
  assert.equal(analyzeModel(front.model).findingsView.map(plainView), a.findingsView.map(plainView));
  // No `rule` declaration: the rule list is the one given, unchanged.
  assert.is(withOrgRules(frontEndOf(MODEL).model, RULES), RULES);
});

/** Invalid declarations: each case lists the exact `file:line:col code` of every diagnostic. */
const INVALID: readonly { name: string; text: string; expect: string[]; hint?: string }[] = [
  {
    name: "unknown kind",
    text: 'rule ORG-1 "t" {\n  match [agnet] { autonomy loop }\n}\n',
    expect: ["model.aithreat:2:10 AT3020"],
    hint: "did you mean `agent`?",
  },
  {
    name: "unknown property of the kind",
    text: 'rule ORG-1 "t" { match [agent] { autonomie loop } }\n',
    expect: ["model.aithreat:1:34 AT3002"],
    hint: "did you mean `autonomy`?",
  },
  {
    name: "property of another matched kind",
    text: 'rule ORG-1 "t" { match [agent, tool] { approval none  autonomy loop } }\n',
    expect: ["model.aithreat:1:55 AT3002"],
  },
  {
    name: "unknown value",
    text: 'rule ORG-1 "t" { match [agent] { autonomy [loop, autonomus] } }\n',
    expect: ["model.aithreat:1:50 AT3004"],
    hint: "did you mean `autonomous`?",
  },
  {
    name: "wrong value type",
    text: 'rule ORG-1 "t" { match [endpoint] { rate_limit "no" } }\n',
    expect: ["model.aithreat:1:48 AT3003"],
  },
  {
    name: "controls are required, not matched",
    text: 'rule ORG-1 "t" { match [agent] { controls [audit_log] } }\n',
    expect: ["model.aithreat:1:34 AT3002"],
    hint: "name the controls the rule asks for in `requires [...]`; a declared one mitigates the finding",
  },
  {
    name: "unknown rule property",
    text: 'rule ORG-1 "t" { match [agent]  sevrity high }\n',
    expect: ["model.aithreat:1:33 AT3002"],
    hint: "did you mean `severity`?",
  },
  {
    name: "unknown entry class",
    text: 'rule ORG-1 "t" { match [agent]  reachable_from [external] }\n',
    expect: ["model.aithreat:1:49 AT3004"],
  },
  {
    name: "unknown control",
    text: 'rule ORG-1 "t" { match [agent]  requires [human_aproval] }\n',
    expect: ["model.aithreat:1:43 AT2001"],
    hint: "did you mean `human_approval`?",
  },
  {
    name: "unknown data asset in holds",
    text: 'data pii "P"\nstore s "S" { holds [pii] }\nrule ORG-1 "t" { match [store] { holds [pi] } }\n',
    expect: ["model.aithreat:3:41 AT2001"],
    hint: "did you mean `pii`?",
  },
  {
    name: "ATLAS mitigation among techniques",
    text: 'rule ORG-1 "t" { match [agent]  atlas [AML.M0007, AML.T0051] }\n',
    expect: ["model.aithreat:1:40 AT2021"],
  },
  {
    name: "NIST and CoSAI ids",
    text: 'rule ORG-1 "t" { match [agent]  nist [NISTAML.15]  cosai [riskPromptInjections] }\n',
    expect: ["model.aithreat:1:39 AT2021", "model.aithreat:1:59 AT2021"],
  },
  {
    name: "severity and likelihood",
    text: 'rule ORG-1 "t" { match [agent]  severity high  likelihood low  impact low }\n',
    expect: ["model.aithreat:1:48 AT3021"],
  },
  {
    name: "likelihood without impact",
    text: 'rule ORG-1 "t" { match [agent]  likelihood low }\n',
    expect: ["model.aithreat:1:33 AT3015"],
  },
  {
    name: "reserved id",
    text: 'rule as-9 "t" { match [agent] }\n',
    expect: ["model.aithreat:1:6 AT3022"],
  },
  {
    name: "built-in id",
    text: 'rule AT-25 "t" { match [agent] }\n',
    expect: ["model.aithreat:1:6 AT3022"],
  },
  {
    // Its findings (`АТ-25:bot`) read as the built-in AT-25's in every report.
    name: "built-in id in Cyrillic letters",
    text: 'rule \u0410\u0422-25 "t" { match [agent] }\n',
    expect: ["model.aithreat:1:6 AT3022"],
  },
  {
    name: "reserved id in fullwidth forms",
    text: 'rule \uff21\uff33-\uff19 "t" { match [agent] }\n',
    expect: ["model.aithreat:1:6 AT3022"],
  },
  {
    name: "no title",
    text: "rule ORG-1 { match [agent] }\n",
    expect: ["model.aithreat:1:6 AT3015"],
  },
  {
    name: "no name",
    text: 'rule "t" { match [agent] }\n',
    expect: ["model.aithreat:1:1 AT3015"],
  },
  {
    name: "requires without match",
    text: 'rule ORG-1 "t" { requires [audit_log] }\n',
    expect: ["model.aithreat:1:6 AT3015"],
  },
  {
    name: "empty match",
    text: 'rule ORG-1 "t" { match [] }\n',
    expect: ["model.aithreat:1:24 AT3015"],
  },
  {
    // Dropped, the line matched every agent: the opposite of a line that lists nothing.
    name: "a match line listing no value",
    text: 'rule ORG-1 "t" { match [agent] { autonomy [] } }\n',
    expect: ["model.aithreat:1:34 AT3015"],
    hint: "list the values it accepts, e.g. `autonomy [loop, autonomous]`, or leave the line out",
  },
  {
    name: "a list property's match line listing no value",
    text: 'rule ORG-1 "t" { match [tool] { capabilities [] } }\n',
    expect: ["model.aithreat:1:33 AT3015"],
  },
  {
    name: "reachable from no entry class",
    text: 'rule ORG-1 "t" { match [agent]  reachable_from [] }\n',
    expect: ["model.aithreat:1:33 AT3015"],
    hint: "list the values it accepts, e.g. `reachable_from [user_input, external_data]`, or leave the line out",
  },
  {
    name: "match twice",
    text: 'rule ORG-1 "t" { match [agent]  match [tool] }\n',
    expect: ["model.aithreat:1:33 AT3005"],
  },
  {
    name: "a declaration inside a rule",
    text: 'rule ORG-1 "t" { match [agent]  tool x "X" }\n',
    expect: ["model.aithreat:1:33 AT3001"],
    hint: "to match components of this kind, write the kind in a list: `match [tool] { ... }`",
  },
  {
    name: "placed in a zone",
    text: 'zone z "Z" { trust internal }\nrule ORG-1 "t" in z { match [agent] }\n',
    expect: ["model.aithreat:2:19 AT3001"],
  },
  {
    name: "a name taken by a component",
    text: 'agent bot "Bot"\nrule bot "t" { match [agent] }\n',
    expect: ["model.aithreat:2:6 AT2002"],
  },
];

for (const c of INVALID) {
  test(`invalid rule: ${c.name}`, () => {
    const front = frontEndOf(c.text);
    assert.equal(codesAt(front), c.expect, dump(front));
    if (c.hint !== undefined) assert.is(front.diagnostics[0]?.hint, c.hint);
    // An invalid declaration never becomes a rule.
    assert.equal(compileOrgRules(front.model).value.length, c.name === "a name taken by a component" ? 1 : 0);
  });
}

test("references to controls and data obey imports, as every other reference does", () => {
  const files = {
    "rules.aithreat": 'rule ORG-1 "t" { match [agent]  requires [gate] }\n',
    "controls.aithreat": 'control gate "Gate"\n',
  };
  const front = frontEnd(files, ["rules.aithreat", "controls.aithreat"]);
  assert.equal(codesAt(front), ["rules.aithreat:1:43 AT2005"], dump(front));
  assert.is(front.diagnostics[0]?.hint, 'add `import "./controls.aithreat"`');
  const data = frontEnd(
    {
      "rules/pii.aithreat": 'rule ORG-2 "t" { match [store] { holds [pii] } }\n',
      "data.aithreat": 'data pii "P"\nstore s "S" { holds [pii] }\n',
    },
    ["rules/pii.aithreat", "data.aithreat"],
  );
  assert.equal(codesAt(data), ["rules/pii.aithreat:1:41 AT2005"], dump(data));
  assert.is(data.diagnostics[0]?.hint, 'add `import "../data.aithreat"`');
  const imported = frontEnd(
    { ...files, "rules.aithreat": `import "./controls.aithreat"\n${files["rules.aithreat"]}` },
    ["rules.aithreat"],
  );
  assert.ok(imported.ok, dump(imported));
});

test("every rule property is documented in docs/language.md", () => {
  const doc = fs.readFileSync(path.resolve("docs/language.md"), "utf8");
  const start = doc.indexOf("## Organisation rules");
  const section = doc.slice(start, doc.indexOf("\n## ", start + 1));
  assert.ok(start >= 0, "docs/language.md has no `Organisation rules` section");
  for (const key of ["match", ...Object.keys(ORG_RULE_PROPS)])
    assert.ok(section.includes(`\`${key}`), `\`${key}\` is not documented`);
});

test.run();
