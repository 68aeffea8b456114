/** "Did you mean" (src/semantic/suggest.ts): near spellings, and shortenings of a closed vocabulary. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { METRIC_IDS } from "../../src/analysis/metrics/registry.js";
import { BUILTIN_CONTROL_BY_ID } from "../../src/catalog/controls.js";
import { didYouMean, partialMatch, suggest, suggestedIn } from "../../src/semantic/suggest.js";
import { frontEnd, frontEndOf } from "../helpers/compile.js";

const CONTROLS = [...BUILTIN_CONTROL_BY_ID.keys()];

test("a shortening names the one candidate it begins or is a run of words of", () => {
  // The prefix of one metric (`open_trifecta_violations` has the word too, but does not begin so).
  assert.is(partialMatch("trifecta", METRIC_IDS), "trifecta_violations");
  // A word, or a run of words, of exactly one.
  assert.is(partialMatch("crown", METRIC_IDS), "exposed_crown_jewels");
  assert.is(partialMatch("untrusted_sources", METRIC_IDS), "max_untrusted_sources");
  assert.is(partialMatch("signing", CONTROLS), "artifact_signing");
  assert.is(partialMatch("Vault", CONTROLS), "secrets_vault");
  // A word of two names neither; nor does a prefix of two, nor a name too short to mean one.
  assert.is(partialMatch("coverage", METRIC_IDS), undefined);
  assert.is(partialMatch("filter", CONTROLS), undefined);
  assert.is(partialMatch("encryption", CONTROLS), undefined);
  assert.is(partialMatch("ai", ["aibom"]), undefined);
  // A candidate given twice is still one candidate.
  assert.is(partialMatch("rate", ["rate_limit", "rate_limit"]), "rate_limit");
  // The name itself is no shortening of itself.
  assert.is(partialMatch("quota", ["quota"]), undefined);
});

test("a near spelling comes first; shortenings only where the caller asks for them", () => {
  assert.is(suggest("trifecta", METRIC_IDS), undefined);
  assert.is(suggest("trifecta", METRIC_IDS, { partial: true }), "trifecta_violations");
  assert.is(didYouMean("trifecta", METRIC_IDS, { partial: true }), "did you mean `trifecta_violations`?");
  // `quot` is one edit from `quota`, which is also what it begins: one answer either way.
  assert.is(suggest("quot", ["quota", "quotation_x"], { partial: true }), "quota");
  // A near spelling wins over a shortening of another candidate.
  assert.is(suggest("rate_limt", ["rate_limit", "rate_limited_thing"], { partial: true }), "rate_limit");
});

test("the model's property keys, values and controls are suggested from a shortening; its own names are not", () => {
  const r = frontEndOf(
    'zone vpc "VPC" { trust internal\n' +
      '  endpoint e "E" { rate true }\n' +
      '  model m "M" { origin public }\n' +
      '  agent a "A" { controls [signing] }\n' +
      '  store tickets_db "Tickets"\n' +
      "}\n" +
      "flow a -> tickets { kind read }\n",
  );
  const hints = r.diagnostics.map((d) => `${d.code} ${d.hint ?? ""}`);
  assert.ok(hints.includes("AT3002 did you mean `rate_limit`?"), hints.join("\n"));
  assert.ok(hints.includes("AT3004 did you mean `public_hub`?"), hints.join("\n"));
  assert.ok(hints.includes("AT2001 did you mean `artifact_signing`?"), hints.join("\n"));
  // `tickets` may be a store not declared yet as much as a shortening of `tickets_db`: no guess.
  assert.ok(hints.includes("AT2001 "), hints.join("\n"));
});

test("a failed import's note goes on names it may declare, not on a misspelt built-in control", () => {
  assert.is(suggestedIn("did you mean `spotlighting`?"), "spotlighting");
  assert.is(suggestedIn("run `aithreat rules` to see the controls"), undefined);
  assert.is(suggestedIn(undefined), undefined);
  const r = frontEnd({
    "model.aithreat":
      'import "./shared/zones.aithreat"\nagent copilot "Agent" in vpc { controls [spotlightng, my_filter] }\n',
  });
  const notes = r.diagnostics
    .filter((d) => d.code === "AT2001")
    .map((d) => `${d.message} | ${(d.notes ?? []).map((n) => n.message).join("; ")}`);
  const note = "an import of this file failed; the name may be declared in the file it names";
  assert.equal(notes, [
    `unknown zone \`vpc\` | ${note}`,
    "unknown control `spotlightng` | ",
    `unknown control \`my_filter\` | ${note}`,
  ]);
});

test.run();
