import { test } from "uvu";
import * as assert from "uvu/assert";
import { sensitivityChain } from "../../src/analysis/explain.js";
import { classificationOf, sensitivityParents } from "../../src/analysis/facts.js";
import { classReach, regulatedReach } from "../../src/analysis/rules/lib/training.js";
import { classificationRank } from "../../src/semantic/vocabulary.js";
import { analyzeText } from "../helpers/analyze.js";

/**
 * Sensitivity propagation on small hand-built graphs: `secret` data travels only over flows that name
 * it in `carries`, lower classifications also over flows that declare nothing, and every chain stays
 * in the tier of the rank it explains.
 */
const MODEL = `
zone corp "Corp" {
  trust internal
  store vault "Secrets" { type secrets  holds [api_key] }
  store crm "CRM" { type database  holds [customers] }
  agent bot "Bot"
  tool notes "Notes" { capabilities [write] }
  store archive "Archive" { type file_share }
  store keyring "Keyring" { type secrets }
}
data api_key "API key" { classification secret }
data customers "Customers" { classification personal }
flow vault -> bot "key at start-up" { kind read  carries [api_key] }
flow crm -> bot { kind read }
flow bot -> notes { kind invoke }
flow notes -> archive { kind write }
flow archive -> bot { kind read }
flow bot -> keyring { kind write  carries [api_key] }
`;

function sensitivityOf(name: string) {
  const analysis = analyzeText(MODEL);
  const g = analysis.graph;
  const v = g.model.components.findIndex((c) => c.name === name);
  return {
    analysis,
    v,
    cls: classificationOf(analysis.facts.sensitivity[v]!),
    witness: g.model.data[analysis.facts.sensitivityWitness[v]!]?.name,
  };
}

test("secret data reaches only over flows that carry it", () => {
  assert.equal([sensitivityOf("bot").cls, sensitivityOf("bot").witness], ["secret", "api_key"]);
  assert.equal([sensitivityOf("keyring").cls, sensitivityOf("keyring").witness], ["secret", "api_key"]);
  // `bot -> notes` declares nothing: the key stays behind, the customer records go on (and round the cycle).
  assert.equal([sensitivityOf("notes").cls, sensitivityOf("notes").witness], ["personal", "customers"]);
  assert.equal([sensitivityOf("archive").cls, sensitivityOf("archive").witness], ["personal", "customers"]);
});

test("each chain starts where its own tier's data is held", () => {
  const notes = sensitivityOf("notes");
  const { analysis } = notes;
  const chain = sensitivityChain(analysis.graph, analysis.facts, notes.v).map((f) => f.text);
  assert.ok(chain[0]!.startsWith("`crm` holds `customers`"), chain.join("\n"));
  assert.ok(!chain.some((t) => t.includes("api_key")), chain.join("\n"));
  const keyring = sensitivityOf("keyring");
  const keyChain = sensitivityChain(analysis.graph, analysis.facts, keyring.v).map((f) => f.text);
  assert.ok(keyChain[0]!.startsWith("`vault` holds `api_key`"), keyChain.join("\n"));
  assert.is(keyChain.length, 3, keyChain.join("\n"));
  // The parent arrays differ by tier: the bot's secret came from the vault, its personal data from the CRM.
  const bot = analysis.graph.model.components.findIndex((c) => c.name === "bot");
  const secretEdge = sensitivityParents(analysis.facts, bot)[bot]!;
  const f = analysis.graph.model.flows[analysis.facts.infoFlow[secretEdge]!]!;
  assert.is(analysis.graph.model.components[f.from]!.name, "vault");
  const lowerEdge = analysis.facts.sensitivityParent[bot]!;
  const g2 = analysis.graph.model.flows[analysis.facts.infoFlow[lowerEdge]!]!;
  assert.is(analysis.graph.model.components[g2.from]!.name, "crm");
});

test("the data reaches of AT-06 and AT-07 stop where the sensitivity facts stop: at publish, deploy, serve and load", () => {
  // Regulated personal records train a model; the model is published, deployed and answers users,
  // whose feedback trains a second run. The weights travel, the records do not.
  const analysis = analyzeText(`
zone corp "Corp" {
  trust internal
  store uploads "Uploads" { type object_store  holds [docs] }
  dataset ft_set "Fine-tuning set" { purpose fine_tuning }
  pipeline finetune "Fine-tune" { type fine_tuning }
  model adapter "Adapter" { family generative }
  registry reg "Registry" { type models  origin private }
  endpoint api "API" { exposure internal }
  dataset feedback "Feedback" { purpose feedback }
  pipeline retrain "Retrain" { type fine_tuning }
}
actor user "User" in corp
data docs "Documents" { classification personal  regulated [GDPR] }
flow uploads -> ft_set { kind copy }
flow ft_set -> finetune { kind train }
flow finetune -> adapter { kind produce }
flow adapter -> reg { kind publish }
flow reg -> api { kind deploy }
flow api -> user { kind response }
flow user -> feedback { kind feedback }
flow feedback -> retrain { kind train }
`);
  const g = analysis.graph;
  const at = (name: string): number => g.model.components.findIndex((c) => c.name === name);
  const personal = classReach(g, analysis.facts, classificationRank("personal"));
  const regulated = regulatedReach(g, analysis.facts);
  // The trained model counts as holding what it learnt from (through `produce`), as the facts say.
  assert.is(classificationOf(analysis.facts.sensitivity[at("adapter")]!), "personal");
  assert.is(g.model.data[personal.witness[at("adapter")]!]?.name, "docs");
  for (const name of ["reg", "api", "user", "feedback", "retrain"]) {
    assert.ok(analysis.facts.sensitivity[at(name)]! < classificationRank("personal"), `${name}: facts`);
    assert.is(personal.witness[at(name)], -1, `${name}: personal reach`);
    assert.is(regulated.witness[at(name)], -1, `${name}: regulated reach`);
  }
  // So AT-07 reports the first run only, and its explanation never says a deploy carries records.
  const at07 = analysis.findings.filter((f) => f.rule === "AT-07");
  assert.equal(
    at07.map((f) => f.id),
    ["AT-07:finetune"],
  );
  assert.not.ok(
    at07.some((f) => f.facts.some((x) => /\((publish|deploy|serve|load)\) carries/.test(x.text))),
  );
});

test.run();
