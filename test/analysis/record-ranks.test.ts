/**
 * `reachesUncut` (one widest-path pass per guard below `secret`) answers as `guardedClassReach` does
 * for every guard a built-in rule makes, every rank and every component of generated models.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { computeFacts } from "../../src/analysis/facts.js";
import { RULES } from "../../src/analysis/rules/index.js";
import {
  UNREACHED,
  guardOf,
  guardedClassReach,
  reachesUncut,
} from "../../src/analysis/rules/lib/training.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import { Arena, inArena } from "../../src/graph/arena.js";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";

// Seed 7 runs in a compile's arena with released bytes poisoned: the passes give their temporaries
// back, and a rank array given back with them would read as reached by nothing.
for (const [seed, arena] of [
  [1, false],
  [7, true],
] as const) {
  test(`generated model, seed ${seed}${arena ? ", in an arena" : ""}`, () =>
    arena ? poisoned(() => inArena(256 << 20, () => check(seed))) : check(seed));
}

function poisoned(fn: () => void): void {
  Arena.poisonReleased = true;
  try {
    fn();
  } finally {
    Arena.poisonReleased = false;
  }
}

function check(seed: number): void {
  {
    const gen = generateModel({ components: 3000, seed, coupling: 1 });
    const g = buildThreatGraph(generatedFrontEnd(gen.files).model);
    const facts = computeFacts(g);
    const keys = new Set<string>();
    let reached = 0;
    for (const rule of RULES) {
      const guard = guardOf(g, rule.meta);
      if (guard.key === "" || keys.has(guard.key)) continue;
      keys.add(guard.key);
      for (let rank = -1; rank <= 5; rank++) {
        const parent = guardedClassReach(g, facts, rank, guard).parent;
        for (let v = 0; v < parent.length; v++) {
          const want = parent[v] !== UNREACHED;
          if (want) reached++;
          if (reachesUncut(g, facts, rank, guard, v) !== want)
            assert.unreachable(`${guard.key}: rank ${rank}, component ${v}`);
        }
      }
    }
    assert.ok(keys.size > 5 && reached > 1000, `${keys.size} guards, ${reached} reached`);
  }
}

test.run();
