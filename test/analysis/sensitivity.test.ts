import { test } from "uvu";
import * as assert from "uvu/assert";
import { sensitivityChain } from "../../src/analysis/explain.js";
import { classificationOf, sensitivityParents } from "../../src/analysis/facts.js";
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

test.run();
