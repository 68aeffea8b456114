/**
 * Where a control counts. A rule's control points say where its mitigations are looked for; a
 * mitigation a rule lists in `subjectControls` acts on the subject itself and counts there only:
 * for direct prompt injection (AT-24), a filter on the way in screens the prompt, while least
 * privilege, human approval and an audit log limit or record what the prompted LLM does.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeText } from "../helpers/analyze.js";

/** A public website prompting an agent with a refund tool; `app` and `agent` are their controls. */
const model = (app: string, agent: string) => `
zone internet "Internet" { trust untrusted }
zone prod "Prod" {
  trust internal
  agent concierge "Concierge" { ${agent} }
  tool refunds "Refund API" { capabilities [write, pay] }
}
app web "Website" in internet { exposure public ${app} }
flow web -> concierge { kind prompt }
flow concierge -> refunds { kind invoke }
`;

const at24 = (app: string, agent: string) => {
  const f = analyzeText(model(app, agent)).findings.find((x) => x.id === "AT-24:concierge");
  assert.ok(f, "AT-24 fires");
  return { status: f.status, by: f.mitigatedBy.map((u) => u.name) };
};

test("least privilege, human approval and an audit log count on the prompted LLM, not upstream", () => {
  for (const control of ["least_privilege", "human_approval", "audit_log"]) {
    assert.equal(at24(`controls [${control}]`, ""), { status: "open", by: [] }, `${control} on the app`);
    assert.equal(
      at24("", `controls [${control}]`),
      { status: "mitigated", by: [control] },
      `${control} on the agent`,
    );
  }
});

test("a filter counts anywhere on the way in", () => {
  assert.equal(at24("controls [input_filter]", ""), { status: "mitigated", by: ["input_filter"] });
  assert.equal(at24("", "controls [input_filter]"), { status: "mitigated", by: ["input_filter"] });
});

test.run();
