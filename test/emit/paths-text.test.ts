/**
 * The text `aithreat paths` prints: one block per crown-jewel property (exposure, the listed paths,
 * chokepoints, the cheapest cut) and the cut for every crown jewel, with long lists cut short.
 */
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeModel } from "../../src/compiler.js";
import { CUT_ITEMS_SHOWN, pathsText } from "../../src/emit/paths-text.js";
import { frontEnd, dump } from "../helpers/compile.js";
import { REPO } from "./report-helpers.js";

function ragPaths() {
  const text = fs.readFileSync(path.join(REPO, "samples/rag-support/support-assistant.aithreat"), "utf8");
  const front = frontEnd({ "model.aithreat": text });
  assert.ok(front.ok, dump(front));
  return analyzeModel(front.model).pathsView;
}

test("the sample's paths: a block per crown jewel and the cut for all of them", () => {
  const v = ragPaths();
  const text = pathsText(v);
  const lines = text.split("\n");
  assert.is(
    lines[0],
    `${v.targets.length} crown jewel propert${v.targets.length === 1 ? "y" : "ies"}, ${v.entries.length} entries`,
  );
  for (const t of v.targets)
    assert.ok(
      lines.includes(
        `${t.crown} - ${t.property} (${t.mode === "disclosure" ? "disclosure: influence plus a way out" : "influence"})`,
      ),
      t.crown,
    );
  assert.match(text, /\n {2}1\. +\d+%  \S+ \(/);
  assert.match(text, /\ncheapest cut for every crown jewel: .+: total \d+/);
});

test("a cut of many controls names the first ones and counts the rest", () => {
  const v = ragPaths();
  const one = v.cut.controls[0]!;
  const controls = Array.from({ length: CUT_ITEMS_SHOWN + 5 }, (_, i) => ({
    ...one,
    on: `tool${String(i).padStart(2, "0")}`,
  }));
  const uncuttable = Array.from({ length: CUT_ITEMS_SHOWN + 1 }, (_, i) => `a${i}->b${i}`);
  const line = pathsText({ ...v, cut: { ...v.cut, controls, uncuttable } })
    .split("\n")
    .find((l) => l.startsWith("cheapest cut for every crown jewel:"))!;
  assert.ok(line.includes(`\`tool${String(CUT_ITEMS_SHOWN - 1).padStart(2, "0")}\``), line);
  assert.not.ok(line.includes(`\`tool${CUT_ITEMS_SHOWN}\``), line);
  assert.ok(line.includes(" and 5 more (--format json lists every one): total"), line);
  assert.ok(
    line.includes(
      `\`a${CUT_ITEMS_SHOWN - 1}->b${CUT_ITEMS_SHOWN - 1}\` and 1 more (--format json lists every one)`,
    ),
    line,
  );
});

test("a path without steps says what the entry is to the crown jewel; the note and the cut name the entry", () => {
  // `repo_mcp` is a third-party MCP server (a supply-chain entry) that sends the crown-jewel source
  // code on, so it holds it; `code_host` holds it too. `api` is a public endpoint marked as a crown
  // jewel for availability: an entry itself.
  const front = frontEnd({
    "model.aithreat": `
data source_code { classification confidential  crown integrity }
zone internet { trust untrusted
  actor visitor
}
zone edge { trust public
  endpoint api { crown availability }
}
zone corp { trust internal
  agent helper
  store code_host { holds [source_code] }
  mcp_server repo_mcp { origin third_party  capabilities [read] }
}
flow visitor -> api { kind prompt }
flow api -> helper { kind prompt }
flow helper -> repo_mcp { kind invoke }
flow code_host -> repo_mcp { kind read  carries [source_code] }
flow repo_mcp -> helper { kind response  carries [source_code] }
`,
  });
  assert.ok(front.ok, dump(front));
  const v = analyzeModel(front.model).pathsView;
  const text = pathsText(v);
  assert.match(text, /\n {2}\d+\. +\d+%  repo_mcp \(supply_chain\), which holds source_code\n/);
  assert.match(text, /\n {2}\d+\. +\d+%  api \(user_input\), the crown jewel itself\n/);
  assert.ok(
    v.notes.includes(
      "`source_code` (integrity) is also held by an attacker entry (`repo_mcp`), which no control inside the system can protect; cuts protect its other holders",
    ),
    v.notes.join("\n"),
  );
  assert.ok(
    v.notes.includes(
      "`api` (availability) is itself an attacker entry; cuts cannot protect it and leave it out",
    ),
    v.notes.join("\n"),
  );
  // Their own cuts name the entries as what no control cuts, not "nothing to cut".
  const cutOf = (crown: string) => v.targets.find((t) => t.crown === crown)!.cut!;
  assert.equal(cutOf("api").uncuttable, ["api"]);
  assert.is(cutOf("api").feasible, false);
  assert.ok(cutOf("source_code").uncuttable.includes("repo_mcp"), cutOf("source_code").uncuttable.join());
  assert.match(text, /\n {2}cheapest cut: no built-in control cuts `api`: lower the likelihood there/);
});

test("a component crown jewel that is itself the entry is 'the crown jewel itself' in a disclosure too", () => {
  // A third-party MCP server (a supply-chain entry) marked for confidentiality reads itself: its path
  // without steps said `vendor (supply_chain), which reads vendor`.
  const front = frontEnd({
    "model.aithreat": `
zone internet { trust untrusted
  provider sink { type saas }
}
zone corp { trust internal
  actor user { role employee }
  agent helper
  mcp_server vendor { origin third_party  capabilities [read, send_external]  crown confidentiality }
}
flow user -> helper { kind prompt  auth session }
flow helper -> vendor { kind invoke }
flow vendor -> sink { kind send }
`,
  });
  assert.ok(front.ok, dump(front));
  const text = pathsText(analyzeModel(front.model).pathsView);
  assert.match(text, /\n {2}1\. +100%  vendor \(supply_chain\), the crown jewel itself\n/);
  assert.not.match(text, /which reads vendor/);
});

test.run();
