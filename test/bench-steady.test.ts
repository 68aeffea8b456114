import { test } from "uvu";
import * as assert from "uvu/assert";
import { steadyRuns } from "../bench/steady.js";

// The analysis benchmark's warm-up rule: it must stop (a run limit, a budget) and must not stop early
// (the minimum runs, a best total still falling).

const more = (done: number, history: number[], elapsedMs = 0, budgetS = 30, size = 10_000, lastMs = 0) =>
  steadyRuns.more(done, history, elapsedMs, lastMs, budgetS, size);

test("runs the minimum warm runs of a size even past the budget", () => {
  assert.ok(more(0, [100], 1e9, 30, 10_000));
  assert.ok(more(2, [100, 50, 50], 1e9, 30, 10_000));
  assert.not.ok(more(3, [100, 50, 50, 50], 1e9, 30, 10_000));
  assert.ok(more(0, [100], 1e9, 30, 100_000));
  assert.not.ok(more(1, [100, 50], 1e9, 30, 100_000));
  assert.not.ok(more(0, [100], 0, 30, 1_000_000, 60_000), "a cold run longer than the budget");
  assert.ok(more(0, [100], 0, 30, 1_000_000, 20_000));
});

test("keeps going while the best total still falls by more than the tolerance", () => {
  assert.ok(more(3, [400, 300, 200, 100]));
  assert.ok(more(5, [400, 300, 200, 100, 100, 95]), "5% below three runs back");
  assert.not.ok(more(6, [400, 300, 200, 100, 100, 100, 99.5]), "within 2% over three runs");
});

test("stops at the run limit and once the budget is spent", () => {
  const falling = Array.from({ length: steadyRuns.maxRuns + 1 }, (_, i) => 1000 - i * 10);
  assert.not.ok(more(steadyRuns.maxRuns, falling));
  assert.ok(more(5, [400, 300, 200, 100, 90, 80], 29_000, 30, 10_000, 1_000));
  assert.not.ok(
    more(5, [400, 300, 200, 100, 90, 80], 29_000, 30, 10_000, 1_001),
    "the next run would overrun",
  );
});

test.run();
