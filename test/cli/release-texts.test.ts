/**
 * `compile` lets go the texts of the model's files once the model is checked (their line starts
 * kept): every diagnostic it prints must still show its line, wherever it points (a front-end
 * warning, an acceptance that matches nothing, in files other than the first), and the outputs'
 * lines and columns must be those of the texts. Runs `main()` in-process on files in a temporary
 * folder.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { releaseTexts } from "../../src/cli/commands/compile.js";
import { main } from "../../src/cli/main.js";
import { frontEnd, TEST_TODAY } from "../helpers/compile.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-release-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const FILES: Record<string, string> = {
  "main.aithreat":
    'import "./zones.aithreat"\nimport "./agents.aithreat"\nimport "./tools.aithreat"\nimport "./app.aithreat"\n',
  "zones.aithreat":
    'rule ORG-7 "Agents that send e-mail need approval" {}\n\nzone vpc "Production VPC" { trust internal }\n',
  "agents.aithreat":
    'import "./zones.aithreat"\n\nagent copilot "Support agent" in vpc { autonomy loop }\n\n' +
    'accept ORG-7 on copilot { reason "mail goes to the customer only"  owner "secops"  expires 2027-03-31 }\n',
  // In no zone and no trust while zones are used: a front-end warning (AT3008).
  "tools.aithreat":
    'import "./agents.aithreat"\n\n\ntool mailer "Outbound e-mail" { capabilities [send_external] }\n',
  // No diagnostic here: its text goes, and the findings located in it are checked against it.
  "app.aithreat": [
    'import "./zones.aithreat"',
    "",
    'zone internet "Internet" { trust untrusted }',
    'actor customer "Customer" in internet',
    'source web "Web pages" in internet { type web }',
    'endpoint api "Chat API" in vpc { exposure public  auth session }',
    'store crm "CRM" in vpc { holds [pii] }',
    'agent bot "Bot" in vpc { autonomy step  memory session  identity service_account }',
    'tool mailer2 "Mailer" in vpc { capabilities [send_external] }',
    'data pii "Customer PII" { classification personal  crown confidentiality }',
    "flow customer -> api { kind prompt }",
    "flow api -> bot { kind prompt }",
    "flow web -> bot { kind retrieve }",
    "flow bot -> mailer2 { kind invoke }",
    "flow crm -> bot { kind read }",
    "",
  ].join("\n"),
};

test("diagnostics after the texts are let go show their lines; outputs' lines are the texts'", async () => {
  for (const [rel, text] of Object.entries(FILES)) fs.writeFileSync(path.join(tmp, rel), text);
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, tmp);
  const code = await main(["compile", path.join(tmp, "main.aithreat"), "--out", path.join(tmp, "out")], io);
  assert.is(code, 0, io.stderr);
  // Each warning's location, then its frame's line (`N | text`), as the terminal shows them.
  assert.match(
    io.stderr,
    /agents\.aithreat:5:1 - warning AT4001: [^\n]*\n {2}\|\n5 \| accept ORG-7 on copilot/,
  );
  assert.match(
    io.stderr,
    /tools\.aithreat:4:6 - warning AT3008: [^\n]*\n {2}\|\n4 \| tool mailer "Outbound e-mail"/,
  );
  // Each finding on a component is located at its name: read from the texts, there it is.
  interface View {
    file: string;
    line: number;
    column: number;
    endLine: number;
    endColumn: number;
  }
  const doc = JSON.parse(fs.readFileSync(path.join(tmp, "out", "findings.json"), "utf8")) as {
    findings: { subject: { type: string; name: string }; location: View }[];
  };
  const at = (v: View) => {
    assert.is(v.endLine, v.line);
    return FILES[v.file]!.split("\n")[v.line - 1]!.slice(v.column - 1, v.endColumn - 1);
  };
  const onComponents = doc.findings.filter((f) => f.subject.type === "component");
  assert.ok(onComponents.some((f) => f.location.file === "app.aithreat"));
  for (const f of onComponents) assert.is(at(f.location), f.subject.name, JSON.stringify(f.location));
});

// The test above passes whether any text goes or not: which ones go is checked here.
test("the texts go, but those of the first file and of the files a diagnostic can point into", () => {
  const { model, diagnostics } = frontEnd(FILES);
  assert.ok(diagnostics.some((d) => d.code === "AT3008" && d.location?.file.path === "tools.aithreat"));
  releaseTexts(model, diagnostics, undefined);
  const texts = new Map(model.files.map((f) => [f.path, f.text]));
  assert.is(texts.size, Object.keys(FILES).length);
  // The first (AT4002), the organisation rule's, the acceptance's (AT4001), the warning's (AT3008).
  for (const kept of ["main.aithreat", "zones.aithreat", "agents.aithreat", "tools.aithreat"])
    assert.is(texts.get(kept), FILES[kept], kept);
  assert.is(texts.get("app.aithreat"), "");
});

test.run();
