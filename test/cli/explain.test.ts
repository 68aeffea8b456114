import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RULES } from "../../src/analysis/rules/index.js";
import type { Finding } from "../../src/analysis/findings.js";
import { findFinding, type FindingExplanation } from "../../src/cli/commands/explain.js";
import type { RuleView } from "../../src/cli/commands/rules.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";

/**
 * `aithreat explain`: what a rule looks for, or why a finding fired (its facts with `file:line:col`
 * and the source line) and what would mitigate it, found by fingerprint, fingerprint prefix or id.
 */

const MODEL = `zone internet "Internet" { trust untrusted }
zone vpc "VPC" { trust internal }
source forum "Community forum" in internet { type forum }
vectorstore kb "Knowledge base" in vpc
agent helper "Helper agent" in vpc {
  autonomy step
  controls [spotlighting]
}
agent triage "Triage agent" in vpc { autonomy loop }
flow forum -> kb "crawl" { kind ingest }
flow kb -> helper "retrieve" { kind retrieve }
flow kb -> triage "retrieve" { kind retrieve }

rule ORG-001 "Looping agents on outside content need an audit trail" {
  match [agent] { autonomy [loop, autonomous] }
  reachable_from [external_data]
  requires [audit_log]
  severity high
  remediation "Send the agent's tool calls to the audit log."
}
accept ORG-001 on triage { reason "pilot with test data only"  owner "secops"  expires 2027-01-31 }
`;

const created: string[] = [];
test.after(() => {
  for (const dir of created) fs.rmSync(dir, { recursive: true, force: true });
});

function project(files: Record<string, string>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-explain-"));
  created.push(dir);
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return dir;
}

async function run(...args: string[]) {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY });
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

const dir = project({ "model.aithreat": MODEL });
const model = path.join(dir, "model.aithreat");
const lines = MODEL.split("\n");

async function explainJson(target: string, modelFile = model): Promise<FindingExplanation> {
  const { code, stdout, stderr } = await run("explain", target, modelFile, "--format", "json");
  assert.is(code, 0, stderr);
  return JSON.parse(stdout) as FindingExplanation;
}

/** The `human_approval` entry of an explanation's mitigations. */
const approvalIn = (e: FindingExplanation) => e.mitigations.find((m) => m.control === "human_approval")!;

test("a rule: description, detection, false positives, levels, mappings and controls", async () => {
  const { code, stdout } = await run("explain", "AT-37");
  assert.is(code, 0);
  const meta = RULES.find((r) => r.meta.id === "AT-37")!.meta;
  for (const text of [
    meta.title,
    meta.description,
    meta.detection,
    meta.falsePositives,
    meta.likelihoodBasis,
  ])
    assert.ok(stdout.includes(text), `missing: ${text.slice(0, 50)}`);
  assert.match(
    stdout,
    "built-in threat rule; https://github.com/aithreat/aithreat/blob/main/docs/rules.md#at-37",
  );
  assert.match(stdout, "what it looks for:");
  assert.match(stdout, /controls: .*egress_allowlist \[/);
  assert.not.match(stdout, "findings in these models");
  // Ids are not case-sensitive.
  assert.is((await run("explain", "at-37")).stdout, stdout);
  const json = JSON.parse((await run("explain", "AT-37", "--format", "json")).stdout) as {
    kind: string;
    rule: RuleView;
  };
  assert.is(json.kind, "rule");
  assert.is(json.rule.detection, meta.detection);
});

test("a rule with models lists its findings there, by fingerprint", async () => {
  const { stdout } = await run("explain", "AT-25", model);
  const e = await explainJson("AT-25:triage");
  assert.match(stdout, `findings in these models: 2\n`);
  assert.match(stdout, `  ${e.finding.fingerprint}  AT-25:triage  open, high`);
});

test("a finding by fingerprint: every fact with file:line:col and its source line", async () => {
  const byId = await explainJson("AT-25:triage");
  const fingerprint = byId.finding.fingerprint;
  assert.match(fingerprint, /^[0-9a-f]{16}$/);
  const { code, stdout, stderr } = await run("explain", fingerprint, model);
  assert.is(code, 0, stderr);
  assert.ok(stdout.startsWith(`AT-25:triage  (fingerprint ${fingerprint})\n`), stdout);
  assert.match(
    stdout,
    'subject: `triage` (agent) at model.aithreat:9:7\n  9 | agent triage "Triage agent" in vpc { autonomy loop }',
  );
  assert.equal(
    byId.facts.map((f) => `${f.location.file}:${f.location.line}:${f.location.column}`),
    ["model.aithreat:3:8", "model.aithreat:10:1", "model.aithreat:12:1"],
  );
  byId.facts.forEach((f, i) => {
    assert.is(f.source, lines[f.location.line - 1], "the source line of the fact");
    assert.match(
      stdout,
      `  ${i + 1}. ${f.text}\n     model.aithreat:${f.location.line}:${f.location.column}\n       ${f.location.line} | ${f.source}\n`,
    );
  });
  assert.match(stdout, "status: open");
  assert.match(stdout, "what would mitigate it:\n  - spotlighting: ");
  assert.match(stdout, "or accept the risk: accept AT-25 on triage");
  // A prefix of the fingerprint and the finding id find the same finding.
  assert.is((await run("explain", fingerprint.slice(0, 8), model)).stdout, stdout);
  assert.is((await run("explain", "AT-25:triage", model)).stdout, stdout);
});

test("a mitigated finding says by which control, where, and the residual risk", async () => {
  const e = await explainJson("AT-25:helper");
  assert.is(e.finding.status, "mitigated");
  assert.equal(
    e.mitigations.filter((m) => m.declared).map((m) => m.control),
    ["spotlighting"],
  );
  const { stdout } = await run("explain", "AT-25:helper", model);
  assert.match(stdout, "status: mitigated by `spotlighting` at model.aithreat:7:13");
  assert.match(stdout, /residual: likelihood \w+, severity \w+/);
  assert.match(
    stdout,
    "- spotlighting: Spotlighting [AML.M0020 Generative AI Guardrails; AML.M0021 Generative AI Guidelines] (declared)",
  );
  assert.not.match(stdout, "or accept the risk");
});

test("an agent's human_approval that a tool's own approval overrides is declared, not counted", async () => {
  // A tool that states its own approval replaces the calling agent's (ControlPoint.except): the
  // agent's `human_approval`, declared or implied by `approval human`, does not count for it.
  const overridden = path.join(
    project({
      "agents.aithreat": `zone corp "Corp" {
  trust internal
  agent ops "Ops agent" { autonomy loop  approval human }
  tool tickets "Ticket writer" { capabilities [write] }
  tool wipe "Purge records" { capabilities [delete]  approval none }
  agent clerk "Records clerk" { autonomy loop  approval human  controls [least_privilege, human_approval] }
  tool archive "Archive purge" { capabilities [delete]  approval none }
}
flow ops -> tickets { kind invoke }
flow ops -> wipe { kind invoke }
flow clerk -> archive { kind invoke }
`,
    }),
    "agents.aithreat",
  );
  const explain = async (id: string) => {
    const text = await run("explain", id, overridden);
    assert.is(text.code, 0, text.stderr);
    const json = await run("explain", id, overridden, "--format", "json");
    return { stdout: text.stdout, json: JSON.parse(json.stdout) as FindingExplanation };
  };
  const approval = approvalIn;

  // Implied by `approval human`, overridden by `wipe`: the finding is open.
  const wipe = await explain("AT-36:ops:wipe");
  assert.is(wipe.json.finding.status, "open");
  assert.equal(approval(wipe.json), {
    ...approval(wipe.json),
    declared: true,
    counted: false,
    notCounted: {
      reason: "`wipe` states its own approval (`approval none`), which replaces `ops`'s for calls to it",
      impliedBy: "approval human",
    },
  });
  assert.match(
    wipe.stdout,
    "(implied by `approval human` on `ops`, but not counted here: `wipe` states its own approval (`approval none`), which replaces `ops`'s for calls to it)\n",
  );
  assert.not.match(wipe.stdout, /human_approval: .*\(declared\)/);

  // Declared in `controls`, overridden by `archive`; least_privilege still counts.
  const archive = await explain("AT-36:clerk:archive");
  assert.is(archive.json.finding.status, "mitigated");
  assert.equal(
    archive.json.mitigations.filter((m) => m.counted).map((m) => m.control),
    ["least_privilege"],
  );
  assert.equal(approval(archive.json).notCounted, {
    reason: "`archive` states its own approval (`approval none`), which replaces `clerk`'s for calls to it",
  });
  assert.match(
    archive.stdout,
    "(declared on `clerk`, but not counted here: `archive` states its own approval",
  );
  assert.match(archive.stdout, /- least_privilege: .*\(declared\)\n/);

  // Where no tool overrides it, the agent's approval counts and is said plainly.
  const tickets = await explain("AT-36:ops:tickets");
  assert.is(tickets.json.finding.status, "mitigated");
  assert.equal(approval(tickets.json).counted, true);
  assert.is(approval(tickets.json).notCounted, undefined);
  assert.match(tickets.stdout, /- human_approval: .*\(declared\)\n/);
});

test("AT-38: an agent's approval does not count where a tool overrides it or another agent acts", async () => {
  // The agent's own spotlighting counts whatever its tool states; its `approval human` neither
  // counts where its tool states `approval none`, nor covers the calls of the clerk it delegates to.
  const hijack = path.join(
    project({
      "agents.aithreat": `zone internet "Internet" { trust untrusted }
zone corp "Corp" {
  trust internal
  agent scout "Lead scout" { autonomy loop  approval human  controls [spotlighting] }
  tool crm_writer "CRM writer" { capabilities [write]  approval none }
  agent steward "Data steward" { autonomy loop  approval human }
  tool purge "Record purge" { capabilities [delete]  approval none }
  agent foreman "Shift foreman" { autonomy loop  approval human }
  agent clerk "Records clerk" { autonomy step }
  tool records "Records update" { capabilities [write] }
}
actor caller "Phone caller" in internet { role public }
flow caller -> scout { kind prompt }
flow scout -> crm_writer { kind invoke }
flow caller -> steward { kind prompt }
flow steward -> purge { kind invoke }
flow caller -> foreman { kind prompt }
flow foreman -> clerk { kind delegate }
flow clerk -> records { kind invoke }
`,
    }),
    "agents.aithreat",
  );
  const explain = (id: string) => explainJson(id, hijack);
  const approval = approvalIn;

  const scout = await explain("AT-38:scout");
  assert.is(scout.finding.status, "mitigated");
  assert.equal(
    scout.mitigations.filter((m) => m.counted).map((m) => m.control),
    ["spotlighting"],
  );
  assert.is(approval(scout).counted, false);

  const steward = await explain("AT-38:steward");
  assert.is(steward.finding.status, "open");
  assert.equal(approval(steward).notCounted, {
    reason: "a tool on the path states its own approval, which replaces `steward`'s",
    impliedBy: "approval human",
  });

  const foreman = await explain("AT-38:foreman");
  assert.is(foreman.finding.status, "open");
  assert.equal(approval(foreman).notCounted, {
    reason:
      "`foreman`'s approval is the default for its own tool calls, not for those of the agents it delegates to",
    impliedBy: "approval human",
  });
});

test("AT-37: an agent's approval does not close a way out through a tool that states its own", async () => {
  // The courier's `approval human` is the default for its tool calls; its sender states
  // `approval none`, which replaces it there. The keeper's restricted tools on untrusted data count
  // whatever its sender states.
  const trifecta = path.join(
    project({
      "agents.aithreat": `zone internet "Internet" { trust untrusted }
zone corp "Corp" {
  trust internal
  store mailbox "Mailbox" { holds [mail] }
  tool reader "Mail reader" { capabilities [read] }
  agent courier "Mail courier" { approval human }
  tool courier_send "Courier sender" { capabilities [send_external]  approval none }
  agent keeper "Mail keeper" { approval human  controls [taint_tracking] }
  tool keeper_send "Keeper sender" { capabilities [send_external]  approval none }
}
source inbound "Inbound e-mail" in internet { type email }
data mail "Mail contents" { classification confidential }
flow inbound -> mailbox { kind ingest }
flow mailbox -> reader { kind read }
flow courier -> reader { kind invoke }
flow courier -> courier_send { kind invoke }
flow keeper -> reader { kind invoke }
flow keeper -> keeper_send { kind invoke }
agent router "Mail router" in corp { approval human }
mcp_server gateway "Tool gateway" in corp
tool notes "Notes" in corp { capabilities [write]  approval none }
store board "Public board" in internet
tool router_send "Router sender" in corp { capabilities [send_external] }
flow router -> reader { kind invoke }
flow router -> gateway { kind invoke }
flow gateway -> notes { kind invoke }
flow gateway -> router_send { kind invoke }
flow notes -> board { kind write }
agent answerer "Mail answerer" in corp { approval human }
app chat "Chat" in corp { renders markdown }
flow answerer -> reader { kind invoke }
flow answerer -> chat { kind response }
`,
    }),
    "agents.aithreat",
  );
  const explain = (id: string) => explainJson(id, trifecta);
  const approval = approvalIn;

  const courier = await explain("AT-37:courier");
  assert.is(courier.finding.status, "open");
  assert.equal(approval(courier).notCounted, {
    reason:
      "`courier_send` states its own approval (`approval none`), which replaces `courier`'s for calls to it",
    impliedBy: "approval human",
  });

  const keeper = await explain("AT-37:keeper");
  assert.is(keeper.finding.status, "mitigated");
  assert.equal(
    keeper.mitigations.filter((m) => m.counted).map((m) => m.control),
    ["taint_tracking"],
  );
  assert.is(approval(keeper).counted, false);

  // The router's way out leaves it by its call to the gateway, behind which the notes tool states
  // `approval none` and posts where outsiders read: the reason names the notes tool, which the
  // explained chain (through the gateway to the sender) does not show.
  const router = await explain("AT-37:router");
  assert.is(router.finding.status, "open");
  assert.equal(approval(router).notCounted, {
    reason: "`notes` states its own approval (`approval none`), which replaces `router`'s for calls to it",
    impliedBy: "approval human",
  });

  // The answerer's way out is its answer to a markdown renderer: no call its approval decides.
  const answerer = await explain("AT-37:answerer");
  assert.is(answerer.finding.status, "open");
  assert.equal(approval(answerer).notCounted, {
    reason:
      "`answerer`'s approval is the default for its own tool calls, and the way out leaves it by no call (an answer, a write or a result it returns)",
    impliedBy: "approval human",
  });
});

test("an organisation rule and its accepted finding", async () => {
  const rule = await run("explain", "ORG-001", model);
  assert.is(rule.code, 0);
  assert.match(rule.stdout, "organisation rule declared at model.aithreat:14:6");
  assert.match(rule.stdout, "Components of kind `agent` where `autonomy` is `loop` or `autonomous`");
  assert.match(rule.stdout, "remediation: Send the agent's tool calls to the audit log.");
  assert.match(rule.stdout, "findings in these models: 1\n");
  assert.match(rule.stdout, /[0-9a-f]{16} {2}ORG-001:triage {2}accepted, high/);
  const finding = await run("explain", "ORG-001:triage", model);
  assert.match(
    finding.stdout,
    "status: accepted by secops until 2027-01-31 at model.aithreat:21:1: pilot with test data only",
  );
  assert.match(
    finding.stdout,
    "organisation rule `ORG-001` asks for this here\n     model.aithreat:15:3\n       15 |   match [agent]",
  );
});

test("model text cannot drive the terminal: control characters print as `?`, as in diagnostics", async () => {
  // Raw ESC and BEL in titles, reasons and the source lines explain quotes; a CR written `\r`.
  const hostile = "\u001b[2J\u001b]8;;https://evil.example\u0007x\\rFAKE";
  const text = MODEL.replace('"Looping agents', `"${hostile} Looping agents`)
    .replace('"pilot with', `"${hostile} pilot with`)
    .replace('"Triage agent"', `"${hostile}"`);
  const m = path.join(project({ "model.aithreat": text }), "model.aithreat");
  const outputs = [
    await run("explain", "ORG-001", m),
    await run("explain", "ORG-001:triage", m),
    await run("rules", m),
  ];
  for (const r of outputs) {
    assert.is(r.code, 0, r.stderr);
    assert.not.match(r.stdout, /[\u0000-\u0008\u000b-\u001f\u007f]/, JSON.stringify(r.stdout));
    assert.match(r.stdout, "?[2J?]8;;https://evil.example?x?FAKE");
  }
});

test("unknown targets are usage errors with a suggestion", async () => {
  const typo = await run("explain", "AT-25:triag", model);
  assert.is(typo.code, 2);
  assert.match(typo.stderr, "error AT9002: `AT-25:triag` names no rule and no finding of these models");
  assert.match(typo.stderr, "did you mean `AT-25:triage`?");
  // Only the rule an id names runs to find it, but the hint still looks at every rule's findings.
  const wrongRule = await run("explain", "AT-52:triage", model);
  assert.is(wrongRule.code, 2);
  assert.match(wrongRule.stderr, "did you mean `AT-25:triage`?");
  const noModels = await run("explain", "0123456789abcdef");
  assert.is(noModels.code, 2);
  assert.match(noModels.stderr, "name the models too");
  const unknownRule = await run("explain", "AT-99");
  assert.is(unknownRule.code, 2);
  assert.match(unknownRule.stderr, "`AT-99` is not a built-in rule");
  // A rule that reports a subject once per key: the keyed ids are offered, not another rule's.
  const rag = fileURLToPath(new URL("../../../samples/rag-support", import.meta.url));
  const unkeyed = await run("explain", "AT-36:support_bot", rag);
  assert.is(unkeyed.code, 2);
  assert.match(
    unkeyed.stderr,
    "that rule reports this subject once per key: `AT-36:support_bot:escalate_email`",
  );
  const e = await explainJson("AT-25:triage");
  // Too short a prefix is never read as a fingerprint.
  const short = await run("explain", e.finding.fingerprint.slice(0, 4), model);
  assert.is(short.code, 2);
  assert.match(short.stderr, "a fingerprint is 16 hex digits; give at least its first 6");
});

test("a prefix shared by several fingerprints lists them instead of guessing", () => {
  const f = (id: string, fingerprint: string) => ({ id, fingerprint }) as Finding;
  const findings = [f("AT-01:a", "abcdef0011223344"), f("AT-02:b", "abcdef0099887766")];
  assert.equal(
    findFinding(findings, "abcdef").ambiguous?.map((x) => x.id),
    ["AT-01:a", "AT-02:b"],
  );
  assert.is(findFinding(findings, "abcdef00112").finding?.id, "AT-01:a");
  assert.is(findFinding(findings, "ABCDEF0099").finding?.id, "AT-02:b");
  assert.equal(findFinding(findings, "abcde"), {});
  assert.is(findFinding(findings, "at-02:B").finding?.id, "AT-02:b");
});

test("an invalid model exits 2 with its diagnostics", async () => {
  const bad = project({ "bad.aithreat": 'rule ORG-1 "t" { match [agnet] }\n' });
  const { code, stderr } = await run("explain", "AT-25", path.join(bad, "bad.aithreat"));
  assert.is(code, 2);
  assert.match(stderr, "error AT3020");
});

test("--help shows examples", async () => {
  const { stdout } = await run("explain", "--help");
  assert.match(stdout, "aithreat explain AT-37");
  assert.match(stdout, "aithreat explain 3f9a1c20 samples/rag-support");
});

test.run();
