/** The English every output uses for counts and lists (src/words.ts). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { andJoined, listedUpTo, nounFor, percent, percentPair, plural } from "../src/words.js";

test("nouns after counts", () => {
  assert.is(plural(1, "dataset"), "1 dataset");
  assert.is(plural(2, "registry"), "2 registries");
  assert.is(plural(2, "class"), "2 classes");
  assert.is(nounFor(3, "key"), "keys");
});

test("likelihoods read as percents, a tiny one never as 0%", () => {
  assert.is(percent(1), "100%");
  assert.is(percent(0.3), "30%");
  assert.is(percent(0.1), "10%");
  assert.is(percent(0.036), "3.6%");
  assert.is(percent(0.001), "0.1%");
  assert.is(percent(0.00012), "0.012%");
  // Edges: rounding decides the precision; near certainty is not certainty; no exponents.
  assert.is(percent(0.09999), "10%");
  assert.is(percent(0.000999), "0.1%");
  assert.is(percent(0.995), "99%");
  assert.is(percent(0), "0%");
  assert.is(percent(1e-9), "<0.001%");
  assert.is(percent(3.5e-11), "<0.001%");
});

test("a change of likelihood never reads as no change", () => {
  // Told apart by the usual rounding: written as `percent` writes them.
  assert.equal(percentPair(0.54, 0.3), ["54%", "30%"]);
  assert.equal(percentPair(0.54, 0.54), ["54%", "54%"]);
  // Hidden by it: the fewest decimals that show the change.
  assert.equal(percentPair(0.543, 0.544), ["54.3%", "54.4%"]);
  assert.equal(percentPair(0.0361, 0.0364), ["3.61%", "3.64%"]);
  assert.equal(percentPair(0.99991, 0.99994), ["99.991%", "99.994%"]);
  // Near the bounds: never 100% short of certainty, never 0% for a chance that exists.
  assert.equal(percentPair(0.99996, 0.99999), ["99.996%", "99.999%"]);
  assert.equal(percentPair(0.0000012, 0.0000016), ["0.0001%", "0.0002%"]);
  // Below what six decimals show, both are said to be below the smallest percent written.
  assert.equal(percentPair(1e-9, 2e-9), ["<0.001%", "<0.001%"]);
  // One side too small for the decimals that show the other: said to be below them, never rounded up.
  assert.equal(percentPair(1e-9, 5e-6), ["<0.001%", "0.001%"]);
  assert.equal(percentPair(1e-9, 2e-6), ["<0.0001%", "0.0002%"]);
});

test("lists as a sentence says them", () => {
  assert.is(andJoined([]), "");
  assert.is(andJoined(["tools"]), "tools");
  assert.is(andJoined(["tools", "data"]), "tools and data");
  assert.is(andJoined(["tools", "data", "system prompt"]), "tools, data and system prompt");
  assert.is(listedUpTo(["a", "b", "c"], 2, "see the report"), "a, b and 1 more (see the report)");
  assert.is(listedUpTo(["a", "b"], 2), "a, b");
});

test("AT-24 says what is at stake as a sentence", async () => {
  const { analyzeText } = await import("./helpers/analyze.js");
  const analysis = analyzeText(`
zone internet "Internet" { trust untrusted }
zone prod "Prod" {
  trust internal
  agent concierge "Concierge"
  tool refunds "Refund API" { capabilities [write, pay] }
  store crm "CRM" { holds [customers] }
}
data customers "Customers" { classification confidential }
app web "Website" in internet { exposure public }
flow web -> concierge { kind prompt }
flow concierge -> refunds { kind invoke }
flow crm -> concierge { kind read }
`);
  const f = analysis.findings.find((x) => x.id === "AT-24:concierge");
  assert.ok(f);
  assert.match(f.message, /putting its tools and data at stake$/);
});

test.run();
