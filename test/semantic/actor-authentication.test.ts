/** AT3023: an actor that says `authenticated true` where a stated `auth none` overrules it (ADR 17). */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { frontEndOf } from "../helpers/compile.js";

const at3023 = (text: string) => frontEndOf(text).diagnostics.filter((d) => d.code === "AT3023");

const MODEL = (components: string, flows: string) =>
  `zone internet "Internet" { trust untrusted }\nzone prod "Prod" {\n  trust internal\n${components}}\n` +
  `actor customer "Customer" in internet { authenticated true }\n${flows}`;

test("an endpoint with `auth none` that an authenticated actor reaches: warned at `authenticated`", () => {
  const text = MODEL('  endpoint api "API" { auth none }\n', "flow customer -> api { kind prompt }\n");
  const [d, ...rest] = at3023(text);
  assert.equal(rest, []);
  assert.ok(d);
  assert.is(d.severity, "warning");
  assert.is(d.location && text.slice(d.location.start, d.location.end), "authenticated true");
  assert.is(
    d.message,
    "actor `customer` says `authenticated true`, but `api`, which it reaches, declares `auth none`",
  );
  assert.match(d.hint ?? "", "state how `api` authenticates its callers");
  assert.is(d.notes?.length, 1);
  assert.is(
    d.notes?.[0]?.location && text.slice(d.notes[0].location.start, d.notes[0].location.end),
    "auth none",
  );
});

test("a flow that declares `auth none` overrules the actor too, whatever the component says", () => {
  const text = MODEL(
    '  app form "Form" { auth session }\n',
    "flow customer -> form { kind request  auth none }\n",
  );
  const [d] = at3023(text);
  assert.ok(d);
  assert.is(
    d.message,
    "actor `customer` says `authenticated true`, but its flow to `form` declares `auth none`",
  );
  assert.match(d.hint ?? "", "state how `form` authenticates that flow");
});

test("one warning per actor, a note per place that declares `auth none`", () => {
  const text = MODEL(
    '  endpoint a "A" { auth none }\n  endpoint b "B" { auth none }\n  agent bot "Bot"\n',
    "flow customer -> a { kind prompt }\nflow customer -> b { kind prompt }\nflow customer -> bot { kind prompt  auth none }\n",
  );
  const found = at3023(text);
  assert.is(found.length, 1);
  assert.match(found[0]!.message, "(and 2 more)");
  assert.is(found[0]!.notes?.length, 3);
});

test("no contradiction: a stated method on the flow, an unstated one, or an actor that says nothing", () => {
  const text =
    MODEL(
      '  endpoint a "A" { auth none }\n  endpoint b "B"\n  endpoint c "C" { auth oauth }\n',
      "flow customer -> a { kind prompt  auth api_key }\nflow customer -> b { kind prompt }\nflow customer -> c { kind prompt }\n",
    ) +
    'actor guest "Guest" in internet { authenticated false }\nactor anyone "Anyone" in internet\n' +
    "flow guest -> c { kind request }\nflow anyone -> a { kind request }\n";
  assert.equal(
    at3023(text).map((d) => d.message),
    [],
  );
});

test.run();
