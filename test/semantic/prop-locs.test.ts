/**
 * Property locations live in a SpanTable of chunks: every entity's spans must be found where they
 * were added, across chunk boundaries, after `trim`, and for an entity too large for one chunk.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { propLocs, SpanTable, type PropLocations } from "../../src/semantic/prop-locs.js";
import { PROP_KEYS } from "../../src/semantic/unit.js";
import { makeSourceFile } from "../../src/source.js";

const file = makeSourceFile(0, "m.aithreat", "");

test("each entity finds its own spans across many chunks, before and after trim", () => {
  const table = new SpanTable();
  const entities: PropLocations[] = [];
  // 200k entities of 1-3 properties: about 1.2M integers, several chunks, some entities at chunk ends.
  const n = 200_000;
  for (let i = 0; i < n; i++) {
    const spans: number[] = [];
    for (let k = 0; k <= i % 3; k++) spans.push((i + k) % PROP_KEYS.length, i * 10 + k, i * 10 + k + 5);
    entities.push(propLocs(file, table, spans));
  }
  const check = () => {
    for (let i = 0; i < n; i += 997) {
      for (let k = 0; k <= i % 3; k++) {
        const key = PROP_KEYS[(i + k) % PROP_KEYS.length]!;
        assert.equal(
          entities[i]![key],
          { file, start: i * 10 + k, end: i * 10 + k + 5 },
          `entity ${i} ${key}`,
        );
      }
      const unset = PROP_KEYS[(i + 3) % PROP_KEYS.length]!;
      assert.is(entities[i]![unset], undefined, `entity ${i} ${unset}`);
    }
    assert.equal(entities[n - 1]![PROP_KEYS[(n - 1) % PROP_KEYS.length]!], {
      file,
      start: (n - 1) * 10,
      end: (n - 1) * 10 + 5,
    });
  };
  check();
  table.trim();
  check();
});

test("an entity with more spans than a chunk holds, and an entity with none", () => {
  const table = new SpanTable();
  const before = propLocs(file, table, [0, 1, 2]);
  const many: number[] = [];
  // 300k triples (900k integers), more than a chunk; the key we look up is the last one.
  for (let i = 0; i < 300_000; i++) many.push(1, i, i + 1);
  many.push(2, 7, 9);
  const big = propLocs(file, table, many);
  const none = propLocs(file, table, []);
  const after = propLocs(file, table, [3, 4, 5]);
  table.trim();
  assert.equal(before[PROP_KEYS[0]!], { file, start: 1, end: 2 });
  assert.equal(big[PROP_KEYS[1]!], { file, start: 0, end: 1 });
  assert.equal(big[PROP_KEYS[2]!], { file, start: 7, end: 9 });
  assert.is(none[PROP_KEYS[0]!], undefined);
  assert.equal(after[PROP_KEYS[3]!], { file, start: 4, end: 5 });
});

test.run();
