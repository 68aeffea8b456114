import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Finding } from "../../src/analysis/findings.js";
import { analyzeText } from "../helpers/analyze.js";

/**
 * What a model is trained on, and where a control on the way to its training data counts
 * (docs/adr/0016-training-inputs-and-controls-on-the-way.md): a credential a training job reads is
 * not training data, and a redacting step upstream of the training set counts when every chain that
 * brings the data there crosses it.
 */

/** A fine-tune of a generative model that outsiders can prompt, over an extra declaration block. */
function fineTune(extra: string): string {
  return `
zone internet "Internet" { trust untrusted }
zone prod "Prod" {
  trust internal
  dataset ft_set "Fine-tuning set" { purpose fine_tuning }
  pipeline finetune "Fine-tune" { type fine_tuning }
  model llm "Support LLM" { family generative  origin fine_tuned }
  agent helper "Helper"
}
actor customer "Customer" in internet
flow ft_set -> finetune { kind train }
flow finetune -> llm { kind produce }
flow llm -> helper { kind serve }
flow customer -> helper { kind prompt }
${extra}`;
}

function findings(text: string, rule: string): Finding[] {
  return analyzeText(text).findings.filter((f) => f.rule === rule);
}

const texts = (f: Finding | undefined): string[] => (f ? f.facts.map((x) => x.text) : []);

const TOKEN = `
store hf_secrets "Secret store" in prod { type secrets  holds [hf_token] }
data hf_token "Hub token" { classification secret }
flow hf_secrets -> finetune { kind read  carries [hf_token] }
`;

test("a credential a fine-tuning job reads is not training data", () => {
  // Trained on internal data only: before, the token made the weights `secret` and AT-18 fired.
  const model = fineTune(`${TOKEN}
store docs "Docs" in prod { holds [handbook] }
data handbook "Handbook" { classification internal }
flow docs -> ft_set { kind copy }
`);
  assert.equal(findings(model, "AT-18"), []);
  assert.equal(findings(model, "AT-15"), []);
});

test("beside a credential, the records a job trains on are what the finding names", () => {
  const model = fineTune(`${TOKEN}
store uploads "Raw uploads" in prod { holds [customer_docs] }
data customer_docs "Customer documents" { classification personal }
flow uploads -> ft_set { kind copy }
`);
  const [f] = findings(model, "AT-18");
  assert.ok(f, "AT-18 fires on the personal records");
  assert.equal(f.impact, "high", "personal, not secret: no `very_high`");
  assert.ok(texts(f).some((t) => t.includes("`customer_docs`")));
  assert.not.ok(
    texts(f).some((t) => t.includes("hf_token")),
    texts(f).join("\n"),
  );
});

test("a secret moved into a training job as content is still training data", () => {
  // Keys pasted into tickets and copied into the job: the copy names them, so they are in the weights.
  const model = fineTune(`
store tickets "Tickets" in prod { holds [leaked_keys] }
data leaked_keys "Keys pasted into tickets" { classification secret }
flow tickets -> finetune { kind copy  carries [leaked_keys] }
`);
  const [f] = findings(model, "AT-18");
  assert.ok(f, "AT-18 fires");
  assert.equal(f.impact, "very_high");
  assert.ok(
    texts(f).some((t) => t.includes("`tickets -> finetune` (copy)")),
    texts(f).join("\n"),
  );
});

test("a `train` flow that names nothing does not move its source's credential", () => {
  // The language's rule for secrets: they travel only where a flow names them in `carries`.
  const model = fineTune(`
store lake "Lake" in prod { holds [lake_key, metrics] }
data lake_key "Lake access key" { classification secret }
data metrics "Metrics" { classification internal }
flow lake -> finetune { kind train }
`);
  assert.equal(findings(model, "AT-18"), []);
});

// Raw uploads pass a redacting ETL step on their way into the fine-tuning set.
const REDACTED = `
store uploads "Raw uploads" in prod { holds [customer_docs] }
pipeline redact "Redaction" in prod { type etl  controls [pii_redaction] }
data customer_docs "Customer documents" { classification personal }
flow uploads -> redact { kind read }
flow redact -> ft_set { kind write }
`;

test("redaction on the way into the training set mitigates AT-07 and AT-18", () => {
  const model = fineTune(REDACTED);
  for (const rule of ["AT-07", "AT-18"]) {
    const [f] = findings(model, rule);
    assert.ok(f, `${rule} fires`);
    assert.equal(f.status, "mitigated", rule);
    assert.equal(
      f.mitigatedBy.map((m) => m.name),
      ["pii_redaction"],
      rule,
    );
  }
});

test("redaction on one branch does not mitigate while another brings the data unredacted", () => {
  // The unredacted branch is the longer one: the chain each finding explains is the redacted one.
  const model = fineTune(`${REDACTED}
store mirror "Upload mirror" in prod
store staging "Staging" in prod
flow uploads -> mirror { kind copy }
flow mirror -> staging { kind copy }
flow staging -> ft_set { kind copy }
`);
  for (const rule of ["AT-07", "AT-18"]) {
    const [f] = findings(model, rule);
    assert.ok(f, `${rule} fires`);
    assert.equal(f.status, "open", rule);
  }
});

test("a control that is not the rule's does not count on the way", () => {
  // Encryption at rest upstream is no answer to training on personal data.
  const model = fineTune(REDACTED.replace("pii_redaction", "encryption_at_rest"));
  for (const rule of ["AT-07", "AT-18"]) assert.equal(findings(model, rule)[0]?.status, "open", rule);
});

test("AT-01 says plainly when the training input is itself where outsiders write", () => {
  const model = `
zone internet "Internet" { trust untrusted }
zone ml "ML" {
  trust internal
  store tickets "Tickets" { type ticketing }
  pipeline ranker_train "Ranker training" { type training }
  pipeline tune "Tune" { type fine_tuning }
  model ranker "Ranker" { family predictive  origin in_house }
}
actor customer "Customer" in internet
registry hub "Public model hub" in internet { type models  origin public }
flow customer -> tickets { kind write }
flow tickets -> tune { kind train }
flow hub -> ranker_train { kind train }
flow ranker_train -> ranker { kind produce }
`;
  const messages = findings(model, "AT-01").map((f) => f.message);
  assert.equal(messages, [
    "`ranker_train` trains on `hub`, which outsiders write, shaping the weights of `ranker`",
    "`tune` trains on `tickets`, which content from `customer` can reach",
  ]);
});

test.run();
