/**
 * The path analysis gives temporaries back to its arena as it goes (ADR 0011): the attack graph's
 * per-node step codes, every `reachOver`'s queue, the data readers' components and lists, the shared
 * cut network's arcs. With released bytes poisoned, a read of an array given back while still in
 * use (or a cache filled inside a region given back later) changes an answer: each run must answer
 * as one without poison does.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { generateModel } from "../../bench/gen/generate.js";
import { withOrgRuleControls, withOrgRules } from "../../src/analysis/org-rules.js";
import { analyzePaths, type PathOptions } from "../../src/analysis/paths/analyze.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { graphAndFacts } from "../../src/compiler.js";
import { Arena } from "../../src/graph/arena.js";

for (const coupling of [1, 10])
  test(`generated model, coupling ${coupling}: the same answers with released bytes poisoned`, () => {
    const front = generatedFrontEnd(generateModel({ components: 2000, seed: 3, coupling }).files);
    const rules = withOrgRules(front.model, RULES);
    const model = withOrgRuleControls(front.model, rules);
    // Every exposed target's own cut too (detailLimit), and entry classes that leave some out.
    const variants: PathOptions[] = [{}, { k: 10, detailLimit: 1000 }, { fromClasses: ["tool_output"] }];
    for (const options of variants) {
      const run = () => {
        const { graph, facts } = graphAndFacts(model);
        return JSON.stringify(analyzePaths(graph, facts, rules, options));
      };
      const want = run();
      Arena.poisonReleased = true;
      let got: string;
      try {
        got = run();
      } finally {
        Arena.poisonReleased = false;
      }
      assert.is(got, want, JSON.stringify(options));
      // Worth something only if there are paths and cuts to get wrong.
      assert.ok(want.includes('"controls":[{'), `${JSON.stringify(options)}: no cut with a control`);
    }
  });

test.run();
