/**
 * What `analyzeModel` works out only when asked (`onDemand`, for `compile --only`), and the paths
 * alone (`analyzeModelPaths`, for `aithreat paths`): the same answers as the whole analysis.
 */
import fs from "node:fs";
import path from "node:path";
import v8 from "node:v8";
import vm from "node:vm";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeModel, analyzeModelPaths } from "../../src/compiler.js";
import { diagramIndex } from "../../src/emit/diagrams/model-index.js";
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

test("releaseGraph: the same answers, the threat graph and facts let go with their reservation", async () => {
  // compile asks for it: no output reads the graph or facts, and their arena (about 0.5 GB at 1M
  // components) lived through every output, kept by the closures of the analysis.
  assert.ok(front.ok);
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  // Set back, or every later test file in this process runs under other flags, whose hash V8 checks
  // against the bundle's code cache (bundle-cache.test.ts then sees the cache rejected).
  v8.setFlagsFromString("--no-expose-gc");
  // V8 frees collected array buffers on a background thread (arena.test.ts), and earlier test files
  // in this process leave some to free: count only once the total has stopped moving.
  const settled = async (): Promise<number> => {
    let last = -1;
    for (let i = 0; i < 50; i++) {
      gc();
      await new Promise((resolve) => setTimeout(resolve, 20));
      const now = process.memoryUsage().arrayBuffers;
      if (now === last) return now;
      last = now;
    }
    return last;
  };
  const keptBuffers = async <T>(make: () => T): Promise<{ made: T; kept: number }> => {
    const before = await settled();
    const made = make();
    return { made, kept: (await settled()) - before };
  };
  const whole = await keptBuffers(() => analyzeModel(front.model));
  const released = await keptBuffers(() => analyzeModel(front.model, { releaseGraph: true }));
  const a = released.made;
  const b = whole.made;
  assert.throws(() => a.graph, /let go/);
  assert.throws(() => a.facts, /let go/);
  assert.ok(b.graph.zone.length > 0 && b.facts !== undefined);
  assert.is(json(a.findings), json(b.findings));
  assert.is(json(a.findingsView), json(b.findingsView));
  assert.is(json(a.paths), json(b.paths));
  assert.is(json(a.pathsView), json(b.pathsView));
  assert.is(json(a.metrics), json(b.metrics));
  assert.is(json(a.policy), json(b.policy));
  // The graph's and facts' reservation is at least 64 KB (compiler.ts, prepareScratchBytes).
  assert.ok(
    whole.kept - released.kept >= 1 << 16,
    `array buffers kept: ${whole.kept} bytes with the graph, ${released.kept} without`,
  );
});

test("the diagrams' zone and trust per component, made from the model, are the threat graph's", () => {
  for (const sample of ["multi-agent", "org-multi-file", "rag-support", "agent-mcp"]) {
    const dir = path.join(REPO, "samples", sample);
    const files = fs.readdirSync(dir).filter((f) => f.endsWith(".aithreat"));
    for (const file of files) {
      const one = frontEndOf(fs.readFileSync(path.join(dir, file), "utf8"));
      if (!one.ok) continue;
      const analysis = analyzeModel(one.model);
      const dx = diagramIndex(analysis);
      assert.equal([...dx.componentZone], [...analysis.graph.zone], `${sample}/${file}`);
      assert.equal([...dx.componentTrust], [...analysis.graph.trust], `${sample}/${file}`);
    }
  }
});

test.run();
