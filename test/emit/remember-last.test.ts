/** rememberLast: the result for the argument given, computed again whenever the argument changes. */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { rememberLast } from "../../src/emit/remember-last.js";

test("repeats of the last argument are answered without a call; any other argument calls again", () => {
  const calls: object[] = [];
  const a = { n: 1 };
  const b = { n: 2 };
  const twice = rememberLast((x: { n: number }) => {
    calls.push(x);
    return x.n * 2;
  });
  assert.equal([a, a, b, a, a, b, b].map(twice), [2, 2, 4, 2, 2, 4, 4]);
  assert.equal(calls, [a, b, a, b]);
});

test("an undefined result and an undefined first argument are remembered like any other", () => {
  let calls = 0;
  const f = rememberLast((x: string | undefined) => {
    calls++;
    return x === undefined ? undefined : x.length;
  });
  assert.is(f(undefined), undefined);
  assert.is(f(undefined), undefined);
  assert.is(calls, 1);
  assert.is(f("abc"), 3);
  assert.is(calls, 2);
});

test.run();
