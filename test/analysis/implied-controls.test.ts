/**
 * Controls a component implies by its properties. A guardrail that blocks is the control it
 * implements: an input guardrail against injection is `input_filter`, an output guardrail against
 * personal data or secrets is `output_filter`. One that only flags or logs, or that checks for
 * something else, implies nothing.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeText } from "../helpers/analyze.js";

/** A public website prompting an agent with a refund tool through the guardrail `screen`. */
const behindGuard = (guard: string) => `
zone internet "Internet" { trust untrusted }
zone prod "Prod" {
  trust internal
  guardrail screen "Screen" { ${guard} }
  agent concierge "Concierge"
  tool refunds "Refund API" { capabilities [write, pay] }
}
app web "Website" in internet { exposure public }
flow web -> screen { kind prompt }
flow screen -> concierge { kind prompt }
flow concierge -> refunds { kind invoke }
`;

const directInjection = (guard: string) => {
  const analysis = analyzeText(behindGuard(guard));
  const f = analysis.findings.find((x) => x.id === "AT-24:concierge");
  assert.ok(f, `AT-24 fires behind \`${guard}\``);
  return f;
};

test("a blocking input guardrail against injection mitigates direct prompt injection, as input_filter", () => {
  const f = directInjection("checks [jailbreak, prompt_injection]  mode block  position input");
  assert.is(f.status, "mitigated");
  assert.equal(
    f.mitigatedBy.map((u) => [u.name, u.impliedBy]),
    [["input_filter", "mode block, position input, checks [jailbreak, prompt_injection]"]],
  );
  // Guarding both sides guards the input too.
  assert.is(directInjection("checks [prompt_injection]  mode block  position both").status, "mitigated");
});

test("a guardrail that only flags, guards the output, checks other things or says no position implies nothing", () => {
  for (const guard of [
    "checks [prompt_injection]  mode flag  position input",
    "checks [prompt_injection]  mode log  position input",
    "checks [prompt_injection]  mode block  position output",
    "checks [toxicity, pii]  mode block  position input",
    "checks [prompt_injection]  mode block",
  ]) {
    const f = directInjection(guard);
    assert.is(f.status, "open", guard);
    assert.equal(f.mitigatedBy, [], guard);
  }
});

test("a blocking output guardrail against personal data or secrets is output_filter; a toxicity filter is not", () => {
  const model = (guard: string) => `
zone prod "Prod" {
  trust internal
  guardrail out_guard "Output guard" { ${guard} }
}
`;
  const controlsOf = (guard: string) =>
    analyzeText(model(guard))
      .graph.model.components.find((c) => c.name === "out_guard")!
      .controls.map((u) => [u.name, u.impliedBy]);
  assert.equal(controlsOf("checks [secrets, toxicity]  mode block  position output"), [
    ["output_filter", "mode block, position output, checks [secrets]"],
  ]);
  assert.equal(controlsOf("checks [pii, prompt_injection]  mode block  position both"), [
    ["input_filter", "mode block, position both, checks [prompt_injection]"],
    ["output_filter", "mode block, position both, checks [pii]"],
  ]);
  assert.equal(controlsOf("checks [toxicity, topic]  mode block  position output"), []);
  // Declared as well: the declaration stands, the property adds nothing.
  assert.equal(controlsOf("checks [pii]  mode block  position output  controls [output_filter]"), [
    ["output_filter", undefined],
  ]);
});

test.run();
