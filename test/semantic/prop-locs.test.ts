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
  // 300k triples: room for 15 bytes each (4.5 MB) is more than a chunk; the key looked up is the last.
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

test("entities added after one larger than a chunk are found where they were added", () => {
  // Offsets far apart make five-byte varints: 150k triples take about 1.6 MB, more than a chunk's
  // 1 MB of addresses, so the next entity must not be placed past the end of those addresses.
  const table = new SpanTable();
  const many: number[] = [];
  for (let i = 0; i < 150_000; i++) many.push(1, i % 2 === 0 ? 2 ** 30 : 0, 2 ** 29);
  const big = propLocs(file, table, many);
  const after = [propLocs(file, table, [3, 4, 5]), propLocs(file, table, [4, 6, 8])];
  const check = () => {
    assert.equal(big[PROP_KEYS[1]!], { file, start: 2 ** 30, end: 2 ** 29 });
    assert.equal(after[0]![PROP_KEYS[3]!], { file, start: 4, end: 5 });
    assert.equal(after[1]![PROP_KEYS[4]!], { file, start: 6, end: 8 });
  };
  check();
  table.trim();
  check();
});

test("triples of five-byte varints fill a chunk to its end without losing a byte", () => {
  // Keys and offsets of 30 bits (each start far from the end before it, each end far behind its
  // start): every varint takes five bytes, 15 a triple, the most `add` allows for, and an entity of
  // four triples 62 bytes with its head (file id and count, a byte each). Small entities of 5 and 6
  // bytes first shift where the first chunk ends among those entities, to every one of the 62
  // positions.
  const big = (k: number) => 2 ** 30 - 1 - k;
  for (let shift = 62; shift < 124; shift++) {
    const table = new SpanTable();
    const sixes = [0, 1, 2, 3, 4].find((b) => (shift - 6 * b) % 5 === 0)!;
    for (let b = 0; b < sixes; b++) table.add(file, [0, 0, 64]);
    for (let a = 0; a < (shift - 6 * sixes) / 5; a++) table.add(file, [0, 0, 0]);
    const entities: number[] = [];
    for (let i = 0; i < 200; i++) {
      const spans: number[] = [];
      for (let k = 0; k < 4; k++) spans.push(big(4 * i + k), big(i), 0);
      entities.push(table.add(file, spans));
    }
    entities.forEach((at, i) => {
      for (let k = 0; k < 4; k++)
        assert.equal(
          table.find(at, big(4 * i + k)),
          { file, start: big(i), end: 0 },
          `shift ${shift}, entity ${i}, triple ${k}`,
        );
    });
  }
});

test("entities of several files find each its own file", () => {
  const files = [0, 1, 200, 70_000].map((id) => makeSourceFile(id, `f${id}.aithreat`, ""));
  const table = new SpanTable();
  const entities = files.map((f, i) => propLocs(f, table, [i, i + 1, i + 2]));
  table.trim();
  files.forEach((f, i) => {
    assert.equal(entities[i]![PROP_KEYS[i]!], { file: f, start: i + 1, end: i + 2 });
    assert.is(entities[i]![PROP_KEYS[i + 1]!], undefined);
  });
});

test.run();
