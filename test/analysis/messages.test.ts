import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeText } from "../helpers/analyze.js";

/**
 * Wording of findings whose fixtures list only ids, statuses and severities: what a message says
 * about the model must be true of it.
 */

const message = (text: string, id: string): string | undefined =>
  analyzeText(text).findings.find((f) => f.id === id)?.message;

test("AT-48 counts the agents a lead agent works with, not itself among those it leads", () => {
  const m = message(
    `
zone prod "Prod" { trust internal }
agent planner "Planner" in prod { autonomy loop }
agent booker "Booker" in prod
flow planner -> booker { kind delegate }
`,
    "AT-48:planner",
  );
  assert.ok(m, "AT-48 fires on an autonomous agent that delegates");
  assert.match(m, /`planner` and 1 other agent pass work to each other/);
});

test("AT-55 on a public registry speaks of what is pulled from it, not of a version of it", () => {
  const m = message(
    `
zone internet "Internet" { trust untrusted }
zone prod "Prod" { trust internal }
registry pypi "PyPI" in internet { type packages  origin public }
tool runner "Job runner" in prod { capabilities [read] }
flow pypi -> runner { kind load }
`,
    "AT-55:pypi",
  );
  assert.ok(m, "AT-55 fires on a public registry in use");
  assert.match(m, /a compromised artifact pulled from it/);
  assert.not.match(m, /version of it/);
});

test("AT-58 says when a server's missing authentication is assumed, not stated", () => {
  const model = (auth: string) => `
zone corp "Corp" { trust internal }
agent sales "Sales agent" in corp
mcp_server crm_mcp "CRM MCP server" in corp { transport http ${auth} capabilities [write] }
flow sales -> crm_mcp { kind invoke }
`;
  assert.match(message(model(""), "AT-58:crm_mcp") ?? "", /^`crm_mcp` is assumed to accept \(AS-05\) HTTP/);
  assert.match(message(model("auth none "), "AT-58:crm_mcp") ?? "", /^`crm_mcp` accepts HTTP/);
});

test.run();
