/**
 * What `analyzeModel` works out only when asked (`onDemand`, for `compile --only`), and the paths
 * alone (`analyzeModelPaths`, for `aithreat paths`): the same answers as the whole analysis.
 */
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeModel, analyzeModelPaths } from "../../src/compiler.js";
import { frontEndOf } from "../helpers/compile.js";
import { REPO } from "../helpers/outputs.js";

const front = frontEndOf(
  fs.readFileSync(path.join(REPO, "samples", "multi-agent", "procurement-agents.aithreat"), "utf8"),
);
const json = (x: unknown) => JSON.stringify(x);

test("paths on demand: worked out only when read, and then equal to those of an eager analysis", () => {
  assert.ok(front.ok);
  const model = front.model;
  let phases = 0;
  const lazy = analyzeModel(model, { onDemand: true, paths: { mark: () => phases++ } });
  assert.ok(lazy.findingsView.length > 0);
  assert.is(phases, 0, "findings and their views need no attack path");
  const eager = analyzeModel(model);
  assert.is(json(lazy.metrics), json(eager.metrics));
  assert.ok(phases > 0, "the metrics read the paths");
  const after = phases;
  assert.is(json(lazy.paths), json(eager.paths));
  assert.is(json(lazy.pathsView), json(eager.pathsView));
  assert.is(json(lazy.policy.results), json(eager.policy.results));
  assert.is(phases, after, "worked out once");
  assert.is(json(lazy.findings), json(eager.findings));
});

test("the paths alone equal the paths of the whole analysis, whatever the options", () => {
  assert.ok(front.ok);
  for (const options of [
    {},
    { k: 2 },
    { to: "supplier_bank_details" },
    { fromClasses: ["user_input" as const] },
  ]) {
    const alone = analyzeModelPaths(front.model, options);
    const whole = analyzeModel(front.model, { paths: options });
    assert.is(json(alone.paths), json(whole.paths), json(options));
    assert.is(json(alone.pathsView), json(whole.pathsView), json(options));
  }
});

test.run();
