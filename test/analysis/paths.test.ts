import fs from "node:fs";
import path from "node:path";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ENTRY_CLASSES } from "../../src/analysis/facts.js";
import { analyzePaths, type PathOptions } from "../../src/analysis/paths/analyze.js";
import { applyAssumptions, parseAssumption, type Assumption } from "../../src/analysis/paths/assume.js";
import { buildAttackGraph, controlCost } from "../../src/analysis/paths/attack-graph.js";
import { BUILTIN_CONTROL_BY_ID, canPlace } from "../../src/catalog/controls.js";
import { dataReaders } from "../../src/analysis/paths/data-readers.js";
import type { TargetGroup } from "../../src/analysis/paths/target-groups.js";
import { inArena } from "../../src/graph/arena.js";
import type { PathAnalysis } from "../../src/analysis/paths/model.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { isLlmConsumer } from "../../src/analysis/predicates.js";
import { hopAuth, hopAuthenticated } from "../../src/analysis/rules/lib/inference.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { analyze, runFrontEnd } from "../../src/compiler.js";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { INF } from "../../src/analysis/paths/maxflow.js";
import { withOrgRuleControls, withOrgRules } from "../../src/analysis/org-rules.js";
import { generatedHost } from "../../bench/gen/memory-host.js";
import type { ResolvedModel } from "../../src/semantic/model.js";
import { dump, frontEndOf } from "../helpers/compile.js";

function model(text: string): ResolvedModel {
  const r = frontEndOf(text);
  if (!r.ok) throw new Error(dump(r));
  return r.model;
}
function paths(m: ResolvedModel, options: PathOptions = {}): PathAnalysis {
  const a = analyze(m, RULES);
  return analyzePaths(a.graph, a.facts, RULES, options);
}
const nameOf = (m: ResolvedModel) => (v: number) => m.components[v]!.name;
const target = (pa: PathAnalysis, crown: string, property: string) => {
  const t = pa.targets.find((x) => x.crown === crown && x.property === property);
  if (!t) throw new Error(`no target ${crown} ${property}`);
  return t;
};
const cell = (pa: PathAnalysis, crown: string, property: string, cls: string) =>
  target(pa, crown, property).exposure.find((c) => c.entryClass === cls)!;

const ZONES = `zone internet "Internet" { trust untrusted }\nzone corp "Corp" { trust internal }\n`;

test("influence through a cycle reaches an integrity crown jewel; both entries are counted", () => {
  const m = model(`${ZONES}
actor alice "A" in internet
actor bob "B" in internet
agent a "Agent A" in corp
agent b "Agent B" in corp
store memory "Memory" in corp { crown integrity }
flow alice -> a { kind prompt }
flow bob -> b { kind prompt }
flow a -> b { kind delegate }
flow b -> a { kind delegate }
flow a -> memory { kind write }`);
  const pa = paths(m);
  const c = cell(pa, "memory", "integrity", "user_input");
  assert.ok(c.reachable);
  assert.is(c.entries, 2);
  const t = target(pa, "memory", "integrity");
  assert.equal(t.paths.map((p) => nameOf(m)(p.entry)).sort(), ["alice", "bob"]);
  // alice -> a -> memory is shorter and more likely than bob -> b -> a -> memory.
  assert.is(nameOf(m)(t.paths[0]!.entry), "alice");
  assert.ok(t.paths[0]!.likelihood > t.paths[1]!.likelihood);
  assert.equal(
    t.paths[0]!.steps.map((s) => nameOf(m)(s.to)),
    ["a", "memory"],
  );
  // Every path from user input crosses `a` (bob's path comes back through the cycle).
  assert.equal(t.chokepoints.find((x) => x.entryClass === "user_input")?.nodes.map(nameOf(m)), ["a"]);
});

const DISCLOSURE = (withOutbound: boolean, withInfluence: boolean) => `${ZONES}
source web "Web" in internet { type web }
vectorstore kb "KB" in corp
agent helper "Helper" in corp
store crm "CRM" in corp { holds [pii] }
tool lookup "Lookup" in corp { capabilities [read] }
${withOutbound ? 'tool mailer "Mailer" in corp { capabilities [send_external] }' : ""}
data pii "PII" { classification personal  crown confidentiality }
${withInfluence ? "flow web -> kb { kind ingest }" : ""}
flow kb -> helper { kind retrieve }
flow crm -> lookup { kind read }
flow helper -> lookup { kind invoke }
${withOutbound ? "flow helper -> mailer { kind invoke }" : ""}`;

test("disclosure needs both legs: influence over a reader and a way out", () => {
  const both = paths(model(DISCLOSURE(true, true)));
  const c = cell(both, "pii", "confidentiality", "external_data");
  assert.ok(c.reachable);
  const t = target(both, "pii", "confidentiality");
  assert.ok(t.paths[0]!.exfil.length > 0, "the path lists its way out");
  assert.not.ok(
    cell(paths(model(DISCLOSURE(false, true))), "pii", "confidentiality", "external_data").reachable,
    "no outbound channel: no disclosure",
  );
  assert.not.ok(
    cell(paths(model(DISCLOSURE(true, false))), "pii", "confidentiality", "external_data").reachable,
    "no influence: no disclosure",
  );
});

test("the cut for every crown jewel keeps the controls a crown jewel no control protects would hide", () => {
  // agent-mcp: no built-in control cuts the injection into `ops_agent`, so its integrity is reported
  // as uncuttable. Kept in the question, that uncuttable arc also severed every disclosure through
  // the agent, and the whole-model cut dropped the egress allow-list on it that the assets' own cuts name.
  const text = fs.readFileSync(path.join(process.cwd(), "samples/agent-mcp/ops-assistant.aithreat"), "utf8");
  const m = model(text);
  const pa = paths(m);
  const named = (c: PathAnalysis["cut"]) =>
    c.controls.map((x) => `${x.control}@${m.components[x.on.index]?.name}`);
  const service = target(pa, "service_tokens", "confidentiality").cut!;
  assert.ok(named(service).includes("egress_allowlist@ops_agent"), named(service).join());
  assert.ok(named(pa.cut).includes("egress_allowlist@ops_agent"), named(pa.cut).join());
  assert.ok(
    pa.cut.uncuttable.some((u) => u.type === "component" && m.components[u.index]!.name === "ops_agent"),
    "the agent's own integrity is still said to be uncuttable",
  );
});

test("chokepoints are places for a control: never a component in an untrusted zone", () => {
  // Alice is the only user-input entry, so every path starts at her; the line names where to defend.
  const m = model(`${ZONES}
actor alice "Alice" in internet
app front "Front" in corp
agent bot "Bot" in corp
store db "DB" in corp { crown integrity }
flow alice -> front { kind prompt }
flow front -> bot { kind prompt }
flow bot -> db { kind write }
`);
  const t = target(paths(m), "db", "integrity");
  assert.equal(t.chokepoints.find((x) => x.entryClass === "user_input")?.nodes.map(nameOf(m)), [
    "front",
    "bot",
  ]);
});

test("a disclosure reader is one an attacker can turn: content reaching a mail service turns nothing", () => {
  // An outsider's e-mail reaches the mail service, which holds the mailboxes and sends mail out: the
  // mail service does what its users ask, not what the e-mail says, so that alone discloses nothing.
  const mail = `${ZONES}
actor outsider "Outsider" in internet
provider mailsvc "Mail service" in corp { type email  holds [mailboxes] }
data mailboxes "Mailboxes" { classification personal  crown confidentiality }
flow outsider -> mailsvc { kind write }
flow mailsvc -> outsider { kind send  carries [mailboxes] }
`;
  assert.not.ok(cell(paths(model(mail)), "mailboxes", "confidentiality", "user_input").reachable);
  // A mail tool an agent calls is turned by the agent's calls (AT-36), and reads the mailboxes. The
  // e-mail reaches the tool by the service's read too, which does not turn it: the path must end
  // with the agent's call (the e-mail reaches the agent through the tool's results), never with the
  // read (ADR 4: the rule is per step).
  const agentText = `${mail}
agent helper "Helper" in corp
tool mailer "Mailer" in corp { capabilities [read, send_external] }
flow helper -> mailer { kind invoke }
flow mailsvc -> mailer { kind read  carries [mailboxes] }
`;
  const agent = model(agentText);
  const viaAgent = paths(agent);
  const c = cell(viaAgent, "mailboxes", "confidentiality", "user_input");
  assert.ok(c.reachable);
  assert.ok(c.bestLikelihood < 1, `${c.bestLikelihood}`);
  // (The helper, an LLM the tool's results reach, reads the mailboxes too: a path may end there.)
  for (const p of target(viaAgent, "mailboxes", "confidentiality").paths) {
    const last = p.steps.at(-1)!;
    const into = nameOf(agent)(last.to);
    assert.ok(into === "helper" || (into === "mailer" && last.technique?.rule === "AT-36"), `ends ${into}`);
  }
  // Poisoned training data shapes the model, not what the training set or its job send: a training
  // pipeline that reads the records and writes somewhere public is no disclosure by the poisoner.
  const training = `${ZONES}
actor outsider "Outsider" in internet
dataset feedback "Feedback" in corp { holds [records] }
pipeline trainer "Trainer" in corp { type training }
data records "Records" { classification personal  crown confidentiality }
flow outsider -> feedback { kind write }
flow feedback -> trainer { kind read  carries [records] }
store drop "Public bucket" in internet
flow trainer -> drop { kind write  carries [records] }
`;
  assert.not.ok(cell(paths(model(training)), "records", "confidentiality", "user_input").reachable);
});

const SCORER = `${ZONES}
actor client "Client" in internet
source feed "Feed" in internet { type web }
tool scorer "Scorer" in corp
store artifacts "Artifacts" in corp { type object_store }
store db "Records DB" in corp { type database  holds [records] }
data records "Records" { classification personal  crown confidentiality }
flow client -> scorer { kind request }
flow db -> scorer { kind read  carries [records] }
flow scorer -> client { kind response  carries [records] }
flow feed -> artifacts { kind ingest }
flow artifacts -> scorer { kind load }
`;

test("a reader reached only by a step that does not turn it is no reader for that entry", () => {
  // The scorer is turned by a swapped artifact it loads (AT-12), which the web feed reaches; the
  // client reaches it only by requests, which turn nothing. Per component the client's requests
  // counted (at 100%); per step only the feed discloses the records, and the cut is on its way.
  const m = model(SCORER);
  const pa = paths(m);
  assert.not.ok(cell(pa, "records", "confidentiality", "user_input").reachable);
  const c = cell(pa, "records", "confidentiality", "external_data");
  assert.ok(c.reachable);
  assert.ok(Math.abs(c.bestLikelihood - 0.9) < 1e-9, `${c.bestLikelihood}`);
  const t = target(pa, "records", "confidentiality");
  assert.equal(
    t.paths.map((p) => p.steps.map((s) => `${nameOf(m)(s.from)}->${nameOf(m)(s.to)}`)),
    [["feed->artifacts", "artifacts->scorer"]],
  );
  assert.equal(t.chokepoints.find((x) => x.entryClass === "external_data")?.nodes.map(nameOf(m)), [
    "artifacts",
  ]);
  assert.equal(
    t.chokepoints.find((x) => x.entryClass === "user_input"),
    undefined,
  );
  // Every path to the turned scorer crosses the store; the scorer itself is the crown jewel's own.
  assert.equal(
    (t.softChokepoints ?? []).map((x) => [nameOf(m)(x.node), x.share]),
    [["artifacts", 1]],
  );
  // The cut is on the load (or the store it comes from), nowhere on the client's requests.
  const cut = t.cut!;
  assert.ok(cut.feasible);
  const named = cut.controls.map((x) =>
    x.on.type === "component" ? m.components[x.on.index]!.name : m.flows[x.on.index]!.id,
  );
  assert.equal(named, ["artifacts->scorer"]);
  assert.equal(pa.cut.controls, cut.controls);
});

test("a reader reached both by a step that turns it and one that does not gets the turning step's likelihood, path and cut", () => {
  // The client reaches the scorer by its requests (likelihood 1, no technique) and, by writing to the
  // artifact store, by the load that turns it: the best disclosure is through the load, not at 100%.
  const m = model(`${SCORER}flow client -> artifacts { kind write }
`);
  const pa = paths(m);
  const c = cell(pa, "records", "confidentiality", "user_input");
  assert.ok(c.reachable);
  assert.ok(c.bestLikelihood < 1, `${c.bestLikelihood}`);
  const t = target(pa, "records", "confidentiality");
  const client = t.paths.find((p) => nameOf(m)(p.entry) === "client")!;
  assert.equal(
    client.steps.map((s) => `${nameOf(m)(s.from)}->${nameOf(m)(s.to)}`),
    ["client->artifacts", "artifacts->scorer"],
  );
  assert.is(client.steps.at(-1)!.technique?.rule, "AT-12");
  assert.is(client.likelihood, c.bestLikelihood);
  // Every way in crosses the artifact store, and one control on the load cuts both entries.
  assert.equal(t.chokepoints.find((x) => x.entryClass === "user_input")?.nodes.map(nameOf(m)), ["artifacts"]);
  assert.equal(
    t.cut!.controls.map((x) => (x.on.type === "flow" ? m.flows[x.on.index]!.id : "")),
    ["artifacts->scorer"],
  );
  assert.ok(t.cut!.feasible);
  // Applied, the cut leaves the records unreachable from every class.
  const a = parseAssumption(m, `${t.cut!.controls[0]!.control}@artifacts->scorer`) as Assumption;
  const after = paths(applyAssumptions(m, [a]));
  for (const cls of ENTRY_CLASSES)
    assert.not.ok(cell(after, "records", "confidentiality", cls).reachable, cls);
});

test("a step that turns its receiver turns it only for an attacker who reaches the step", () => {
  // The scorer loads artifacts from an internal store (a swapped artifact would run there, AT-12), but
  // no attacker reaches the store: the client's requests reach the scorer as content, which turns
  // nothing, so the records it reads and returns are no disclosure (it was one at 100%).
  const scorer = `${ZONES}
actor client "Client" in internet
app portal "Portal" in internet
tool scorer "Scorer" in corp
store artifacts "Artifacts" in corp { type object_store }
store db "Records DB" in corp { type database  holds [records] }
data records "Records" { classification personal  crown confidentiality }
flow client -> portal { kind request }
flow portal -> scorer { kind request }
flow db -> scorer { kind read  carries [records] }
flow scorer -> portal { kind response  carries [records] }
flow artifacts -> scorer { kind load }
`;
  assert.not.ok(cell(paths(model(scorer)), "records", "confidentiality", "user_input").reachable);
  // A portal that writes to the store reaches it: a swapped artifact then runs in the scorer.
  const reached = `${scorer}flow portal -> artifacts { kind write }\n`;
  assert.ok(cell(paths(model(reached)), "records", "confidentiality", "user_input").reachable);
});

test("a declared cutting control closes the path; the cheapest cut names a control that does", () => {
  const open = model(DISCLOSURE(true, true));
  const pa = paths(open);
  const cut = target(pa, "pii", "confidentiality").cut!;
  assert.ok(cut.feasible);
  assert.ok(cut.controls.length > 0);
  // Apply the suggested cut as assumptions: the target must become unreachable.
  const assumptions = cut.controls.map((c) => {
    const name = c.on.type === "component" ? open.components[c.on.index]!.name : open.flows[c.on.index]!.id;
    const a = parseAssumption(open, `${c.control}@${name}`);
    if ("error" in a) throw new Error(a.error);
    return a;
  });
  const after = paths(applyAssumptions(open, assumptions));
  for (const cls of ENTRY_CLASSES) assert.not.ok(cell(after, "pii", "confidentiality", cls).reachable, cls);
  // And declared in the text, not assumed: human approval on the mailer cuts the way out.
  const declared = paths(
    model(
      DISCLOSURE(true, true).replace(
        "{ capabilities [send_external] }",
        "{ capabilities [send_external]  approval human }",
      ),
    ),
  );
  assert.not.ok(cell(declared, "pii", "confidentiality", "external_data").reachable);
});

test("an egress control declared on a reader closes its own way out; the cut never names it again", () => {
  // The mailer reads the PII itself and sends to an outsider: its declared egress allow-list closes
  // the way out that starts at it, as the cut network's way-out node for it does.
  const text = (declared: boolean) =>
    DISCLOSURE(true, true)
      .replace(
        "{ capabilities [send_external] }",
        `{ capabilities [send_external]${declared ? "  controls [egress_allowlist]" : ""} }`,
      )
      .concat(
        '\nactor outsider "Outsider" in internet\nflow crm -> mailer { kind read }\nflow mailer -> outsider { kind send }',
      );
  assert.ok(cell(paths(model(text(false))), "pii", "confidentiality", "external_data").reachable);
  const closed = model(text(true));
  const after = paths(closed);
  for (const cls of ENTRY_CLASSES) assert.not.ok(cell(after, "pii", "confidentiality", cls).reachable, cls);
  for (const t of after.targets)
    for (const c of t.cut?.controls ?? []) {
      const uses =
        c.on.type === "component"
          ? closed.components[c.on.index]!.controls
          : closed.flows[c.on.index]!.controls;
      assert.not.ok(
        uses.some((u) => u.name === c.control),
        `${t.crown}: ${c.control} is already declared there`,
      );
    }
});

/**
 * The one disclosure path of a hand-built model with a known answer: from `entry` over `steps`, out
 * through `exfil`, at `likelihood`, from external data only, and the cheapest cut `cut`.
 */
function assertDisclosure(
  m: ResolvedModel,
  crown: string,
  want: { entry: string; steps: string[]; exfil: string[]; likelihood: number; cut: string[] },
): void {
  const name = nameOf(m);
  const pa = paths(m);
  const c = cell(pa, crown, "confidentiality", "external_data");
  assert.ok(c.reachable);
  assert.is(c.entries, 1);
  assert.ok(Math.abs(c.bestLikelihood - want.likelihood) < 1e-9, String(c.bestLikelihood));
  const t = target(pa, crown, "confidentiality");
  const p = t.paths[0]!;
  assert.is(name(p.entry), want.entry);
  assert.equal(
    p.steps.map((s) => name(s.to)),
    want.steps,
  );
  assert.equal(
    p.exfil.map((s) => name(s.to)),
    want.exfil,
  );
  assert.equal(
    t.cut!.controls.map((x) => `${x.control}@${name(x.on.index)}`),
    want.cut,
  );
}

/**
 * AT-37 and the paths agree on every variant: the finding is open exactly when the crown jewel's
 * disclosure is reachable (from external data, and from no other class); otherwise, given `closed`,
 * it has that status.
 */
function assertTrifectaAgrees(
  findingId: string,
  crown: string,
  variants: readonly (readonly [what: string, model: ResolvedModel, open: boolean])[],
  closed?: "mitigated",
): void {
  for (const [what, v, open] of variants) {
    const finding = analyze(v, RULES).findings.find((f) => f.id === findingId);
    assert.is(finding?.status === "open", open, `${what}: AT-37 ${finding?.status ?? "quiet"}`);
    if (!open && closed) assert.is(finding?.status, closed, what);
    for (const cls of ENTRY_CLASSES)
      assert.is(
        cell(paths(v), crown, "confidentiality", cls).reachable,
        open && cls === "external_data",
        what,
      );
  }
}

const CODER = (shell: string, coder = "") => `${ZONES}
source contrib "Contributed code" in internet { type repository }
store repo "Repository" in corp { holds [code] }
agent coder "Coding agent" in corp${coder}
tool files "Read files" in corp { capabilities [read] }
tool shell "Shell" in corp { capabilities [execute_code]${shell} }
data code "Private code" { classification confidential  crown confidentiality }
flow contrib -> repo { kind copy }
flow repo -> files { kind read }
flow coder -> files { kind invoke }
flow coder -> shell { kind invoke }`;

test("code an agent runs outside a sandbox is a way out, as AT-37 reads it", () => {
  // The coding agent reads private code that outsiders' contributions reach, and has no way out but
  // a shell with no sandbox, whose code can open its own connections: AT-37's finding, and so a
  // disclosure path ending at the shell. Known answer: the copy and the read move content (1), the
  // file tool's result plants instructions in the agent (AT-25, indirect injection: demonstrated,
  // 0.6), and the way out is the agent's call to the shell (an agent tool invocation, demonstrated,
  // 0.6): 36% in 3 steps, then out to `shell`. The control AT-37 counts there closes it: the cheapest
  // cut is an egress allow-list on the shell.
  assertDisclosure(model(CODER("")), "code", {
    entry: "contrib",
    steps: ["repo", "files", "coder"],
    exfil: ["shell"],
    likelihood: 0.36,
    cut: ["egress_allowlist@shell"],
  });
  // A sandbox on the shell or on the agent leaves no way out (AT-37 quiet, nothing reachable); the
  // egress allow-list mitigates AT-37 and closes the path.
  assertTrifectaAgrees("AT-37:coder", "code", [
    ["no sandbox", model(CODER("")), true],
    ["sandboxed shell", model(CODER("  controls [sandbox]")), false],
    ["sandboxed agent", model(CODER("", " { controls [sandbox] }")), false],
    ["egress allow-list on the shell", model(CODER("  controls [egress_allowlist]")), false],
  ]);
});

/**
 * Outside e-mail lands in a mailbox that a read tool reads; the confidential mail is the crown jewel.
 * The models below add the agent that calls the reader and its ways out.
 */
const MAILBOX = `${ZONES}
source inbound "Inbound e-mail" in internet { type email }
store mailbox "Mailbox" in corp { holds [mail] }
tool reader "Mail reader" in corp { capabilities [read] }
data mail "Mail contents" { classification confidential  crown confidentiality }
flow inbound -> mailbox { kind ingest }
flow mailbox -> reader { kind read }`;

const COURIER = (courier: string, sender: string) => `${MAILBOX}
agent courier "Mail courier" in corp${courier}
tool sender "Mail sender" in corp { capabilities [send_external]${sender} }
flow courier -> reader { kind invoke }
flow courier -> sender { kind invoke }`;

test("an agent's approval closes its calls but where the tool states its own, as AT-37 reads it", () => {
  // A person confirms the courier's own tool calls, but its sender states `approval none`, which
  // replaces that for calls to it: the way out is open. Known answer: the ingest and the read move
  // content (1), the reader's result plants instructions in the courier (AT-25, indirect injection:
  // demonstrated, 0.6), and the way out is its call to the sender (an agent tool invocation,
  // demonstrated, 0.6): 36% in 3 steps, then out to `sender`.
  assertDisclosure(model(COURIER(" { approval human }", "  approval none")), "mail", {
    entry: "inbound",
    steps: ["mailbox", "reader", "courier"],
    exfil: ["sender"],
    likelihood: 0.36,
    cut: ["egress_allowlist@sender"],
  });
  // Where the courier's approval decides the call (the sender states nothing), it closes both the way
  // out from the courier and the call that would turn the sender into a reader; declared or implied,
  // it is the same control; the courier's own restricted tools on untrusted data count whatever the
  // sender states.
  const variant = (what: string, courier: string, sender: string, open: boolean) =>
    [what, model(COURIER(courier, sender)), open] as const;
  assertTrifectaAgrees(
    "AT-37:courier",
    "mail",
    [
      variant("the sender overrides the courier's approval", " { approval human }", "  approval none", true),
      variant("the courier's approval decides the call", " { approval human }", "", false),
      variant(
        "declared on the courier, overridden",
        " { controls [human_approval] }",
        "  approval none",
        true,
      ),
      variant("declared on the courier, deciding", " { controls [human_approval] }", "", false),
      variant(
        "restricted tools on the courier",
        " { approval human  controls [taint_tracking] }",
        "  approval none",
        false,
      ),
      variant("the sender's own approval", "", "  approval human", false),
      variant("no approval anywhere", "", "", true),
    ],
    "mitigated",
  );
});

const FRONT = (user: string, api: string, call: string) => `${ZONES}
actor user "User" in internet${user}
model llm "LLM" in corp { family generative }
endpoint chat_api "Chat API" in corp${api}
agent helper "Helper" in corp { crown integrity }
flow llm -> chat_api { kind serve }
flow user -> chat_api { kind prompt${call} }
flow chat_api -> helper { kind prompt }`;

test("a step needs credentials where the rules read its hop as authenticated (hopAuth), as AT-52 does", () => {
  // Known answer: the user's prompt into the chat API injects instructions directly (AT-24, realized:
  // 0.9), and the API's prompt plants them in the helper (AT-25, demonstrated: 0.6): 54% in 2 steps.
  // The first step crosses inward, so it is 0.8 as likely (72%, the path 43.2%) when the hop is
  // authenticated as the rules read it: the flow's `auth`, else the endpoint's, else the actor's
  // `authenticated`. AT-52 reports the chat API exactly where the hop is not authenticated.
  const OPEN = 0.9 * 0.6;
  const LOCKED = 0.9 * 0.8 * 0.6;
  const variants: [what: string, user: string, api: string, call: string, likelihood: number][] = [
    ["nothing stated", "", "", "", OPEN],
    ["the flow states an API key", "", "", "  auth api_key", LOCKED],
    ["the endpoint states an API key", "", " { auth api_key }", "", LOCKED],
    ["the actor says it is authenticated", " { authenticated true }", "", "", LOCKED],
    ["the actor says it is not", " { authenticated false }", "", "", OPEN],
    ["the flow's API key beats the endpoint's auth none", "", " { auth none }", "  auth api_key", LOCKED],
    ["the flow's auth none beats the endpoint's API key", "", " { auth api_key }", "  auth none", OPEN],
    [
      "the endpoint's auth none beats the actor's claim",
      " { authenticated true }",
      " { auth none }",
      "",
      OPEN,
    ],
  ];
  for (const [what, user, api, call, likelihood] of variants) {
    const m = model(FRONT(user, api, call));
    const pa = paths(m);
    const c = cell(pa, "helper", "integrity", "user_input");
    assert.ok(Math.abs(c.bestLikelihood - likelihood) < 1e-9, `${what}: ${c.bestLikelihood}`);
    const p = target(pa, "helper", "integrity").paths[0]!;
    assert.equal(
      p.steps.map((x) => [m.components[x.to]!.name, x.technique?.rule]),
      [
        ["chat_api", "AT-24"],
        ["helper", "AT-25"],
      ],
      what,
    );
    const at52 = analyze(m, RULES).findings.some((f) => f.id === "AT-52:chat_api");
    assert.is(at52, likelihood === OPEN, `${what}: AT-52 ${at52 ? "reports" : "leaves"} chat_api`);
    // The labelling's test (no answer or fact made) reads every hop as `hopAuth` does.
    const g = buildThreatGraph(m);
    for (const f of m.flows) {
      const hop = hopAuth(g, f);
      assert.is(hopAuthenticated(g, f), hop !== undefined && hop.auth !== "none", `${what}: flow ${f.index}`);
    }
  }
});

const WAYS_OUT = (courier: string, tools: string) => `${MAILBOX}
agent courier "Mail courier" in corp { ${courier} }
flow courier -> reader { kind invoke }
${tools}`;

/** A tool the courier calls, with its properties. */
const calls = (name: string, props: string) =>
  `tool ${name} "${name}" in corp { ${props} }\nflow courier -> ${name} { kind invoke }`;

test("an agent with several ways out: AT-37 explains one that is open when there is one, as the paths find it", () => {
  // Two senders, one stating nothing (the courier's approval decides the call) and one stating
  // `approval none` (nothing confirms it): open in either order of the flows. One sender behind an
  // egress allow-list and another open: open. An egress-closed sender beside an unsandboxed shell: the
  // shell is the open way out. Every way out closed: mitigated.
  const decided = calls("sender_a", "capabilities [send_external]");
  const replaced = calls("sender_b", "capabilities [send_external]  approval none");
  const fenced = calls("sender_c", "capabilities [send_external]  controls [egress_allowlist]");
  const shell = calls("shell", "capabilities [execute_code]");
  const boxed = calls("shell", "capabilities [execute_code]  controls [sandbox]");
  const variant = (what: string, courier: string, tools: string[], open: boolean) =>
    [what, model(WAYS_OUT(courier, tools.join("\n"))), open] as const;
  assertTrifectaAgrees(
    "AT-37:courier",
    "mail",
    [
      variant("decided sender first, replaced second", "approval human", [decided, replaced], true),
      variant("replaced sender first, decided second", "approval human", [replaced, decided], true),
      variant(
        "both senders decided",
        "approval human",
        [decided, calls("sender_d", "capabilities [send_external]")],
        false,
      ),
      variant("a fenced sender and an open one", "", [fenced, decided], true),
      variant("an open sender and a fenced one", "", [decided, fenced], true),
      variant("a fenced sender and an unsandboxed shell", "", [fenced, shell], true),
      variant("a fenced sender and a sandboxed shell", "", [fenced, boxed], false),
      variant(
        "a decided sender and an unsandboxed shell, decided too",
        "approval human",
        [decided, shell],
        false,
      ),
    ],
    "mitigated",
  );
  // The open way out is the one explained, with the reason the approval does not count there.
  const finding = analyze(
    model(WAYS_OUT("approval human", [decided, replaced].join("\n"))),
    RULES,
  ).findings.find((f) => f.id === "AT-37:courier")!;
  assert.ok(finding.facts.some((f) => f.text.startsWith("`courier -> sender_b`")));
  assert.not.ok(finding.facts.some((f) => f.text.includes("sender_a")));
});

const GATEWAY = (board: string) => `${MAILBOX}
agent courier "Mail courier" in corp { approval human }
mcp_server gw "Tool gateway" in corp
tool notes "Notes" in corp { capabilities [write]  approval none }
store board "Notes board" in ${board}
tool sender "Mail sender" in corp { capabilities [send_external] }
flow courier -> reader { kind invoke }
flow courier -> gw { kind invoke }
flow gw -> notes { kind invoke }
flow gw -> sender { kind invoke }
flow notes -> board { kind write }`;

test("a tool behind a gateway replaces the caller's approval on the way out only if it can carry data out", () => {
  // The courier calls a gateway with a notes tool (`approval none`) and a mail sender (stating
  // nothing) behind it. Where the notes land in an internal store, nothing the notes tool is handed
  // can leave through it: the courier's approval decides the call to the gateway on the way out (as
  // AT-36 reads the call to the sender), and both AT-37 and the paths find the way out closed. Where
  // they land somewhere outsiders read, the call to the gateway is one the approval does not decide:
  // out through it to the notes tool and the board, at 36% as for the courier above.
  assertTrifectaAgrees(
    "AT-37:courier",
    "mail",
    [
      ["notes kept inside", model(GATEWAY("corp")), false],
      ["notes posted where outsiders read", model(GATEWAY("internet")), true],
    ],
    "mitigated",
  );
  assertDisclosure(model(GATEWAY("internet")), "mail", {
    entry: "inbound",
    steps: ["mailbox", "reader", "courier"],
    exfil: ["gw", "notes", "board"],
    likelihood: 0.36,
    cut: ["egress_allowlist@gw"],
  });
});

const ANSWERER = (answerer: string) => `${MAILBOX}
agent answerer "Mail answerer" in corp { ${answerer} }
app chat "Chat" in corp { renders markdown }
flow answerer -> reader { kind invoke }
flow answerer -> chat { kind response }`;

test("an agent's call to a tool that states its own approval is not cut by the agent's, whatever else closes its way out", () => {
  // The courier's egress allow-list closes its way out, so its approval is not what closes it there;
  // on the influence leg its approval still decides its own calls, except to a tool that states its
  // own. The call to the sender (\`approval none\`) stays open; without that statement it is cut.
  const callStep = (sender: string) => {
    const m = model(COURIER(" { approval human  controls [egress_allowlist] }", sender));
    const a = analyze(m, RULES);
    const ag = buildAttackGraph(a.graph, a.facts, RULES);
    const name = nameOf(m);
    const g = ag.g;
    for (let e = 0; e < g.edgeCount; e++)
      if (
        name(g.edgeFrom[e]!) === "courier" &&
        name(g.edgeTo[e]!) === "sender" &&
        ag.techniqueOf(e) !== undefined
      )
        return ag.likelihood[e]!;
    throw new Error("no technique step from courier to sender");
  };
  assert.ok(callStep("  approval none") > 0, "replaced: the call stays open");
  assert.is(callStep(""), 0, "decided by the courier's approval: the call is cut");
});

test("an agent's approval does not close a way out that leaves it by no call, as AT-37 reads it", () => {
  // The answerer's approval is the default for its tool calls; its way out is its answer to a chat
  // app that renders markdown (an image link carries the data out), which no one confirms. Known
  // answer: the ingest and the read move content (1), the reader's result injects the answerer
  // (0.6), and the answer carries the data to the renderer (1): 60%.
  assertDisclosure(model(ANSWERER("approval human")), "mail", {
    entry: "inbound",
    steps: ["mailbox", "reader", "answerer"],
    exfil: ["chat"],
    likelihood: 0.6,
    cut: ["egress_allowlist@answerer"],
  });
  // Declared or implied, the approval does not close the answer; restricted tools on untrusted
  // data on the agent do.
  assertTrifectaAgrees(
    "AT-37:answerer",
    "mail",
    [
      ["approval human", model(ANSWERER("approval human")), true],
      ["human_approval declared", model(ANSWERER("controls [human_approval]")), true],
      ["restricted tools", model(ANSWERER("approval human  controls [taint_tracking]")), false],
    ],
    "mitigated",
  );
});

test("a model with no path: nothing reachable, nothing to cut", () => {
  const m = model(`${ZONES}
agent helper "Helper" in corp
store crm "CRM" in corp { holds [pii] }
data pii "PII" { classification personal  crown [confidentiality, integrity] }
flow crm -> helper { kind read }`);
  const pa = paths(m);
  for (const t of pa.targets) for (const c of t.exposure) assert.not.ok(c.reachable);
  assert.equal(pa.cut.controls, []);
  assert.ok(pa.cut.feasible);
});

test("what-if: an assumed control changes exposure, and parse errors name the problem", () => {
  const m = model(DISCLOSURE(true, true));
  const a = parseAssumption(m, "egress_allowlist@mailer") as Assumption;
  assert.ok(!("error" in a));
  const after = paths(applyAssumptions(m, [a]));
  assert.not.ok(cell(after, "pii", "confidentiality", "external_data").reachable);
  assert.ok("error" in parseAssumption(m, "egres_allowlist@mailer"));
  assert.match((parseAssumption(m, "egres_allowlist@mailer") as { hint: string }).hint, "egress_allowlist");
  assert.ok("error" in parseAssumption(m, "egress_allowlist@nowhere"));
  assert.ok("error" in parseAssumption(m, "egress_allowlist"));
});

test("a reader seeded between a stale and a live queue key: no internal error, the best path listed", () => {
  // Found by fuzzing `aithreat paths` (AT9999 "LevelQueue: key pushed below the key last popped").
  // `src1` was a source an agent writes to; a reader must be one an attacker can turn (ADR 4), so it
  // is an agent the other delegates to, and calls the MCP server. The queue's own case is in
  // path-search.test.ts.
  const m = model(`zone z1 { trust restricted }
zone z2 { trust untrusted }
zone z3 in z1 { trust untrusted }
data d4 { crown [confidentiality] }
app app1 in z1
agent ag1 in z1
agent src1 in z1
agent ag2 in z2
dataset ds1 in z1
template tp1 { holds [d4] }
guardrail gr1
mcp_server mcp1
agent ag3 in z3
flow ds1 -> ag3 { kind load }
flow gr1 -> ag1 { kind response }
flow ag3 -> ds1 { kind ingest  auth api_key }
flow app1 -> mcp1 { kind invoke }
flow ag3 -> src1 { kind delegate }
flow mcp1 -> ds1 { kind ingest }
flow f1: tp1 -> gr1 { kind prompt }
flow gr1 -> ag2 { kind response }
flow ag1 -> app1 { kind prompt }
flow f2: src1 -> mcp1 { kind invoke }
`);
  const t = target(paths(m), "d4", "confidentiality");
  const best = Math.max(...t.exposure.map((c) => c.bestLikelihood));
  assert.ok(t.paths.length > 0);
  assert.is(t.paths[0]!.likelihood, best);
});

test("top-k lists at most k paths and a lower bound on the rest", () => {
  const actors = Array.from(
    { length: 6 },
    (_, i) => `actor u${i} "U${i}" in internet\nflow u${i} -> bot { kind prompt }`,
  ).join("\n");
  const m = model(
    `${ZONES}${actors}\nagent bot "Bot" in corp\nstore db "DB" in corp { crown integrity }\nflow bot -> db { kind write }`,
  );
  const t = target(paths(m, { k: 2 }), "db", "integrity");
  assert.is(t.paths.length, 2);
  assert.is(t.morePaths, 4);
  assert.is(new Set(t.paths.map((p) => p.key)).size, 2, "paths are distinct by entry and first crossing");
});

test("an exposure cell counts the steps of the path listed for its class when likelihoods tie", () => {
  // Both stores hold the crown jewel and both are reached at likelihood 1 (content only moves); \`far\`
  // comes first in the model. The listed path is the one-step write into \`near\`, and the cell's
  // "in N steps" must describe that path, not the three-step one to \`far\`.
  const m = model(`${ZONES}
data secret "S" { classification internal  crown integrity }
store far "Far" in corp { holds [secret] }
actor alice "A" in internet
store near "Near" in corp { holds [secret] }
pipeline mid "Mid" in corp { type etl }
flow alice -> near { kind write }
flow near -> mid { kind read }
flow mid -> far { kind write }`);
  const pa = paths(m);
  const t = target(pa, "secret", "integrity");
  const c = cell(pa, "secret", "integrity", "user_input");
  assert.is(t.paths.length, 1);
  assert.is(t.paths[0]!.likelihood, c.bestLikelihood);
  assert.is(c.shortestSteps, t.paths[0]!.steps.length);
});

// ---- random small models against brute force -------------------------------------------------

/** Kinds and the flows allowed between them, a small palette that covers entries, cycles and sinks. */
const PALETTE = {
  nodes: [
    ["actor", "in internet"],
    ["source", "in internet { type web }"],
    ["vectorstore", "in corp"],
    ["agent", "in corp"],
    ["agent", "in corp"],
    ["tool", "in corp { capabilities [read] }"],
    ["tool", "in corp { capabilities [send_external] }"],
    ["store", "in corp { holds [secret_data] }"],
  ] as const,
  flows: [
    ["actor", "agent", "prompt"],
    ["source", "vectorstore", "ingest"],
    ["vectorstore", "agent", "retrieve"],
    ["agent", "tool", "invoke"],
    ["agent", "agent", "delegate"],
    ["store", "tool", "read"],
    ["tool", "store", "write"],
    ["agent", "vectorstore", "write"],
  ] as const,
};

function randomModel(present: boolean[], edges: [number, number][], controlOn: number[]): string {
  const nodes = PALETTE.nodes
    .map((n, i) => ({ i, kind: n[0], rest: n[1], name: `${n[0]}${i}` }))
    .filter((n) => present[n.i]);
  const lines = [
    ZONES,
    'data secret_data "S" { classification confidential  crown [confidentiality, integrity] }',
  ];
  for (const n of nodes) {
    const rest =
      controlOn.includes(n.i) && n.kind === "tool" ? n.rest.replace("}", " approval human }") : n.rest;
    lines.push(`${n.kind} ${n.name} "${n.name}" ${rest}`);
  }
  const seen = new Set<string>();
  for (const [a, b] of edges) {
    const x = nodes[a % Math.max(1, nodes.length)];
    const y = nodes[b % Math.max(1, nodes.length)];
    if (!x || !y || x === y) continue;
    const f = PALETTE.flows.find((p) => p[0] === x.kind && p[1] === y.kind);
    const key = `${x.name}->${y.name}`;
    if (!f || seen.has(key)) continue;
    seen.add(key);
    lines.push(`flow ${x.name} -> ${y.name} { kind ${f[2]} }`);
  }
  if (!nodes.some((n) => n.kind === "store"))
    lines.push('store extra_store "X" in corp { holds [secret_data] }');
  return lines.join("\n");
}

/**
 * Checks a model's exposure matrix and top paths against brute force over the attack graph: the best
 * product of step likelihoods over simple paths from each entry, and for a disclosure the way out from
 * the reader. Returns how many reached disclosure cells have a reader turned only by a step.
 */
function checkAgainstBruteForce(m: ResolvedModel): number {
  let turned = 0;
  const a = analyze(m, RULES);
  const pa = analyzePaths(a.graph, a.facts, RULES);
  const ag = buildAttackGraph(a.graph, a.facts, RULES);
  const g = ag.g;
  // Brute force: best product of step likelihoods over simple paths from each entry.
  const bestFrom = (s: number, p: (e: number) => number = (e) => ag.likelihood[e]!): Float64Array => {
    const best = new Float64Array(g.nodeCount).fill(0);
    const step = p;
    const walk = (v: number, pr: number, seen: Set<number>) => {
      if (pr <= best[v]! && v !== s) return;
      best[v] = Math.max(best[v]!, pr);
      for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
        const e = g.outEdges[i]!;
        const w = g.edgeTo[e]!;
        if (step(e) > 0 && !seen.has(w)) walk(w, pr * step(e), new Set([...seen, w]));
      }
    };
    walk(s, 1, new Set([s]));
    return best;
  };
  // The way out: observable sinks not closed by a declared control, steps at their base likelihood.
  const sinks = [...Array(g.nodeCount).keys()].filter((v) => ag.sink[v] && !ag.exfilClosed[v]);
  const outBest = new Float64Array(g.nodeCount);
  for (let v = 0; v < g.nodeCount; v++) {
    const b = bestFrom(v, (e) => Math.exp(-ag.exfilWeight[e]!));
    outBest[v] = Math.max(0, ...sinks.map((x) => b[x]!));
  }
  // A disclosure reader that neither is an LLM consumer (any content turns it) nor an entry is
  // turned only by a step that turns it: the way in must end with such a step (ADR 4).
  const components = g.nodeCount;
  const componentOf = (v: number) => (v < components ? v : ag.turned[v - components]!);
  const byStep = (r: number) => !a.facts.entry[r] && !isLlmConsumer(a.graph, m.components[r]!);
  // Best likelihood from an entry's `b` to reader node v: into its component by any step, or
  // (turned only by a step) the best over its usable turning steps.
  const into = (b: Float64Array, v: number): number => {
    if (v < components) return b[v]!;
    const r = componentOf(v);
    let best = 0;
    for (let i = g.inStart[r]!; i < g.inStart[r + 1]!; i++) {
      const e = g.inEdges[i]!;
      if (ag.techniqueOf(e)?.turns && ag.likelihood[e]! > 0)
        best = Math.max(best, b[g.edgeFrom[e]!]! * ag.likelihood[e]!);
    }
    return best;
  };
  for (const t of pa.targets) {
    const at = ag.targets.find((x) => x.crown.name === t.crown && x.property === t.property)!;
    if (t.mode === "disclosure")
      for (const v of at.nodes)
        assert.is(v >= components, byStep(componentOf(v)), `reader ${m.components[componentOf(v)]!.name}`);
    const nodes = t.mode === "disclosure" ? at.nodes.filter((v) => outBest[componentOf(v)]! > 0) : at.nodes;
    for (const c of t.exposure) {
      const entries = [...ag.entries].filter(
        (e) => a.facts.entry[e]! & (1 << ENTRY_CLASSES.indexOf(c.entryClass)),
      );
      let count = 0;
      let best = 0;
      for (const e of entries) {
        const b = bestFrom(e);
        const here = Math.max(
          0,
          ...nodes.map((v) => into(b, v) * (t.mode === "disclosure" ? outBest[componentOf(v)]! : 1)),
        );
        if (here > 0) count++;
        best = Math.max(best, here);
      }
      assert.is(c.entries, count, `${t.crown} ${t.property} ${c.entryClass} count`);
      if (count > 0 && nodes.some((v) => v >= components)) turned++;
      assert.ok(
        Math.abs(c.bestLikelihood - best) < 1e-9,
        `${t.crown} ${t.property} ${c.entryClass}: ${c.bestLikelihood} vs ${best}`,
      );
    }
    if (t.paths[0])
      assert.ok(
        Math.abs(t.paths[0].likelihood - Math.max(...t.exposure.map((c) => c.bestLikelihood))) < 1e-9,
        "top path is the best one",
      );
  }
  return turned;
}

test("random models: exposure counts and best likelihoods match brute force over the attack graph", () => {
  let turnedCells = 0;
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 14 }),
      fc.array(fc.nat(7), { maxLength: 2 }),
      (present, edges, controls) => {
        turnedCells += checkAgainstBruteForce(model(randomModel(present, edges, controls)));
      },
    ),
    { numRuns: 120, seed: 42 },
  );
  // Every kind present and about half the flows the palette allows: agents call tools that read the
  // secret, and the store reaches the same tools by plain reads (ADR 4: only the calls turn them).
  const pairs = [...Array(8).keys()].flatMap((a) =>
    [...Array(8).keys()].map((b) => [a, b] as [number, number]),
  );
  fc.assert(
    fc.property(fc.subarray(pairs), fc.array(fc.nat(7), { maxLength: 2 }), (edges, controls) => {
      turnedCells += checkAgainstBruteForce(
        model(randomModel(Array<boolean>(8).fill(true), edges, controls)),
      );
    }),
    { numRuns: 80, seed: 4 },
  );
  assert.ok(turnedCells > 20, `${turnedCells} cells reach a reader turned only by a step`);
});

test("random models: the reported cheapest cut really cuts, and is minimal for influence targets", () => {
  fc.assert(
    fc.property(
      fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }),
      fc.array(fc.tuple(fc.nat(7), fc.nat(7)), { maxLength: 12 }),
      (present, edges) => {
        const m = model(randomModel(present, edges, []));
        const pa = paths(m);
        if (!pa.cut.feasible || pa.cut.controls.length === 0) return;
        const assumptions = pa.cut.controls.map(
          (c) =>
            parseAssumption(
              m,
              `${c.control}@${c.on.type === "component" ? m.components[c.on.index]!.name : m.flows[c.on.index]!.id}`,
            ) as Assumption,
        );
        const after = paths(applyAssumptions(m, assumptions));
        for (const t of after.targets)
          for (const c of t.exposure)
            assert.not.ok(c.reachable, `${t.crown} ${t.property} still reachable from ${c.entryClass}`);
      },
    ),
    { numRuns: 80, seed: 9 },
  );
});

/** `dataReaders` of every asset of `m` against one search per asset from its holders. */
function assertReadersBySearch(m: ResolvedModel): void {
  const a = analyze(m, RULES);
  const g = a.facts.info;
  const assets = m.data.map((d) => d.index);
  const holders = new Map<number, Set<number>>(assets.map((d) => [d, new Set<number>()]));
  for (const c of m.components) for (const d of c.holds) holders.get(d)!.add(c.index);
  for (const f of m.flows) for (const d of f.carries) holders.get(d)!.add(f.from);
  const keep = new Uint8Array(g.nodeCount).fill(1);
  const got = dataReaders(a.graph, a.facts, assets, holders, keep);
  for (const d of assets) {
    const reached = new Uint8Array(g.nodeCount);
    const stack = [...holders.get(d)!];
    for (const v of stack) reached[v] = 1;
    while (stack.length > 0) {
      const v = stack.pop()!;
      for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
        const e = g.outEdges[i]!;
        const f = m.flows[a.facts.infoFlow[e]!]!;
        const passes = f.carries.length > 0 ? f.carries.includes(d) : m.data[d]!.classification !== "secret";
        const w = g.edgeTo[e]!;
        if (passes && !reached[w]) {
          reached[w] = 1;
          stack.push(w);
        }
      }
    }
    const expected = [...reached.keys()].filter((v) => reached[v]);
    const marks = got.get(d)!;
    assert.equal(marks.group.nodesOf(marks.bit), expected, `readers of ${m.data[d]!.name}`);
    assert.is(marks.group.sizeOf(marks.bit), expected.length);
    for (let v = 0; v < g.nodeCount; v++) assert.is(marks.group.has(v, marks.bit), reached[v] === 1);
  }
  // In an arena (the groups written in one block) and made turned: every other node has a turned
  // node, numbered after the components in node order. Each group is the plain one, or its
  // `mapped` copy, slot for slot.
  const turnedNode = new Int32Array(g.nodeCount).fill(-1);
  for (let v = 1, next = g.nodeCount; v < g.nodeCount; v += 2) turnedNode[v] = next++;
  const same = (x: TargetGroup, y: TargetGroup, what: string) => {
    for (const key of ["support", "slotAt", "slotMask", "slotSize"] as const)
      assert.equal([...x[key]], [...y[key]], `${what}: ${key}`);
  };
  for (const turned of [undefined, turnedNode]) {
    const plain = turned ? dataReaders(a.graph, a.facts, assets, holders, keep, undefined, turned) : got;
    inArena(1 << 22, () => {
      const inBlock = dataReaders(a.graph, a.facts, assets, holders, keep, undefined, turned);
      for (const d of assets) {
        const want = turned ? got.get(d)!.group.mapped(turned) : got.get(d)!.group;
        same(inBlock.get(d)!.group, want, `in a block, turned ${turned !== undefined}`);
        same(plain.get(d)!.group, want, `plain, turned ${turned !== undefined}`);
      }
    });
  }
}

/** Six stores in `corp` and up to 14 copy flows between them, each naming some of three asset classes. */
const STORES_AND_FLOWS = [
  fc.array(fc.subarray([0, 1, 2]), { minLength: 6, maxLength: 6 }),
  fc.array(fc.tuple(fc.nat(5), fc.nat(5), fc.option(fc.subarray([0, 1, 2]))), { maxLength: 14 }),
] as const;

/**
 * The model of `data` lines, the stores (store i holds `holdsOf(classes, i)`) and the flows (one per
 * pair, carrying `carriesOf(classes, a, b)`), as drawn by STORES_AND_FLOWS.
 */
function storesModelText(
  data: readonly string[],
  holds: readonly (readonly number[])[],
  flows: readonly (readonly [number, number, readonly number[] | null])[],
  holdsOf: (classes: readonly number[], i: number) => string[],
  carriesOf: (classes: readonly number[], a: number, b: number) => string[],
): string {
  const lines = [ZONES, ...data];
  holds.forEach((h, i) => {
    const list = holdsOf(h, i);
    lines.push(`store s${i} "S${i}" in corp${list.length ? ` { holds [${list.join(", ")}] }` : ""}`);
  });
  const seen = new Set<string>();
  for (const [a, b, carries] of flows) {
    if (a === b || seen.has(`${a}-${b}`)) continue;
    seen.add(`${a}-${b}`);
    const list = carries?.length ? carriesOf(carries, a, b) : [];
    lines.push(`flow s${a} -> s${b} { kind copy${list.length ? `  carries [${list.join(", ")}]` : ""} }`);
  }
  return lines.join("\n");
}

test("random models: data readers (carries, secrets, cycles) match one search per asset", () => {
  const DATA = [
    ["d0", "confidential"],
    ["d1", "secret"],
    ["d2", "internal"],
  ] as const;
  const data = DATA.map(
    ([name, cls]) => `data ${name} "${name}" { classification ${cls}  crown [confidentiality] }`,
  );
  const names = (classes: readonly number[]) => classes.map((d) => DATA[d]![0]);
  fc.assert(
    fc.property(...STORES_AND_FLOWS, (holds, flows) =>
      assertReadersBySearch(model(storesModelText(data, holds, flows, names, names))),
    ),
    { numRuns: 200, seed: 7 },
  );
});

test("random models: data readers of more than 32 assets (several batches) match one search per asset", () => {
  // 160 assets: about 107 that are not secret (four batches of 32 over one condensation) and 53
  // secrets (two batches). A store holds, and a flow carries, the assets of the classes drawn, less a pattern.
  const CLASSES = ["confidential", "secret", "internal"] as const;
  const COUNT = 160;
  const data: string[] = [];
  for (let j = 0; j < COUNT; j++)
    data.push(`data d${j} "d${j}" { classification ${CLASSES[j % 3]}  crown [confidentiality] }`);
  const drawn = (classes: readonly number[], salt: number) => {
    const out: string[] = [];
    for (let j = 0; j < COUNT; j++) if (classes.includes(j % 3) && (j + salt) % 4 !== 0) out.push(`d${j}`);
    return out;
  };
  fc.assert(
    fc.property(...STORES_AND_FLOWS, (holds, flows) =>
      assertReadersBySearch(
        model(storesModelText(data, holds, flows, drawn, (c, a, b) => drawn(c, a + 2 * b))),
      ),
    ),
    { numRuns: 40, seed: 11 },
  );
});

test("each detailed target's soft chokepoints are those it gets asked about alone (no marks left by the targets before it)", () => {
  // softChokepointsOf marks each detailed target's nodes (and their components) as excluded while it
  // is asked about, and takes those marks off again: a mark left behind would hide a node from every
  // target after it. Asked about alone (`to`), a target meets no marks but the entries'.
  let compared = 0;
  for (const seed of [1, 2]) {
    const { host, inputs, root } = generatedHost(
      generateModel({ components: 200, seed, coupling: 10 }).files,
    );
    const m = runFrontEnd({
      inputs,
      root,
      host,
      resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
    }).model;
    const all = paths(m);
    const detailed = all.targets.filter((t) => t.softChokepoints !== undefined);
    for (const t of detailed) {
      const alone = target(paths(m, { to: t.crown }), t.crown, t.property);
      assert.equal(t.softChokepoints, alone.softChokepoints, `seed ${seed}: ${t.crown} ${t.property}`);
      if (t.softChokepoints!.length > 0) compared++;
    }
  }
  assert.ok(compared >= 10, `${compared} detailed targets with soft chokepoints compared`);
});

test("a step's controls asked for one by one equal the controls listed per step", () => {
  // The path analysis does not list every step's controls (`listControls` false): each listed path
  // step works them out again, without the labelling's caches. The same lists, on every sample and
  // on an approving agent whose calls its approval decides or a tool's own statement replaces.
  const samples = fs
    .readdirSync(path.join(process.cwd(), "samples"))
    // (One file per sample: not the organisation tree, whose files import each other.)
    .filter((d) => d !== "org-multi-file")
    .flatMap((d) =>
      fs
        .readdirSync(path.join(process.cwd(), "samples", d))
        .filter((f) => f.endsWith(".aithreat"))
        .map((f) => fs.readFileSync(path.join(process.cwd(), "samples", d, f), "utf8")),
    );
  const texts = [
    ...samples,
    COURIER(" { approval human  controls [egress_allowlist] }", "  approval none"),
    COURIER(" { approval human  controls [egress_allowlist] }", ""),
  ];
  let withControls = 0;
  for (const text of texts) {
    const m = model(text);
    const a = analyze(m, RULES);
    const listed = buildAttackGraph(a.graph, a.facts, RULES);
    const asked = buildAttackGraph(a.graph, a.facts, RULES, false, false);
    for (let e = 0; e < listed.g.edgeCount; e++) {
      assert.equal(asked.controlsOf(e), listed.controlsOnStep[e]);
      assert.equal(listed.controlsOf(e), listed.controlsOnStep[e]);
      if (listed.controlsOnStep[e]!.length > 0) withControls++;
    }
    assert.equal(asked.controlsOnStep, listed.controlsOnStep);
    // Unlisted, most steps are labelled from the receivers' typed counts: the same likelihoods.
    assert.equal([...asked.likelihood], [...listed.likelihood]);
  }
  assert.ok(withControls > 10, `steps with controls: ${withControls}`);
});

test("a step's likelihood from the receivers' typed counts equals the one from its listed controls", () => {
  // Generated models, where components declare several controls (lowering and cutting, some twice
  // by organisation rules) and flows declare their own: each step's likelihood and technique as the
  // listed labelling (every control list read) gives them.
  for (const seed of [1, 2, 3]) {
    const gen = generateModel({ components: 2000, seed, coupling: 1 + seed });
    const m = generatedFrontEnd(gen.files).model;
    const rules = withOrgRules(m, RULES);
    const a = analyze(withOrgRuleControls(m, rules), rules);
    const listed = buildAttackGraph(a.graph, a.facts, rules);
    const asked = buildAttackGraph(a.graph, a.facts, rules, false, false);
    assert.equal([...asked.likelihood], [...listed.likelihood], `seed ${seed}`);
    let lowered = 0;
    for (let e = 0; e < listed.g.edgeCount; e++) {
      assert.is(asked.techniqueOf(e), listed.techniqueOf(e));
      if (listed.likelihood[e]! > 0 && listed.controlsOnStep[e]!.length > 1) lowered++;
    }
    assert.ok(lowered > 10, `seed ${seed}: steps with two or more controls: ${lowered}`);
    // The node cuts, from the rules the labelling gathered per node: none where a step without a
    // technique (or none at all) enters; else the cheapest cutting control that every rule stepping
    // in lists, worked out here from the node's own in-steps (listed and asked share the gathering).
    const rulesById = new Map(rules.map((r) => [r.meta.id, r]));
    let cuttable = 0;
    for (let v = 0; v < asked.g.nodeCount; v++) {
      const rules = new Set<string>();
      let free = false;
      for (let i = asked.g.inStart[v]!; i < asked.g.inStart[v + 1]!; i++) {
        const tech = asked.techniqueOf(asked.g.inEdges[i]!);
        if (tech) rules.add(tech.rule);
        else free = true;
      }
      const answer = `${asked.nodeCutCost[v]} ${asked.nodeCutControl[v]}`;
      assert.is(answer, `${listed.nodeCutCost[v]} ${listed.nodeCutControl[v]}`);
      if (free || rules.size === 0) {
        assert.is(asked.nodeCutCost[v], INF, `seed ${seed}: node ${v}`);
        continue;
      }
      if (asked.nodeCutCost[v]! < INF) cuttable++;
      let best: { cost: number; id?: string } = { cost: INF };
      for (const c of BUILTIN_CONTROL_BY_ID.values()) {
        if (c.effect !== "cut" || !canPlace(c.id, a.graph.model.components[v]!.kind)) continue;
        if (![...rules].every((r) => rulesById.get(r)?.meta.mitigations.includes(c.id))) continue;
        const cost = controlCost(a.graph.model, c.id);
        if (cost < best.cost) best = { cost, id: c.id };
      }
      assert.is(answer, `${best.cost} ${best.id}`, `seed ${seed}: node ${v}`);
    }
    assert.ok(cuttable > 10, `seed ${seed}: cuttable nodes: ${cuttable}`);
  }
});

test.run();
