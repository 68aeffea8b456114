import v8 from "node:v8";
import vm from "node:vm";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import {
  Arena,
  currentArena,
  inArena,
  scratchCopyI32,
  scratchF64,
  scratchI32,
  scratchI8,
  scratchU8,
  withArena,
} from "../../src/graph/arena.js";
import { analyzePaths, scratchBytes, type PathOptions } from "../../src/analysis/paths/analyze.js";
import { RULES } from "../../src/analysis/rules/index.js";
import { analyze, analyzeModel } from "../../src/compiler.js";
import type { FindingList } from "../../src/analysis/finding-records.js";
import { computeMetrics } from "../../src/analysis/metrics/index.js";

test("outside an arena, scratch arrays are plain arrays of their own", () => {
  assert.is(currentArena(), undefined);
  const a = scratchI32(5);
  assert.is(a.buffer.byteLength, 20);
  assert.equal([...a], [0, 0, 0, 0, 0]);
});

test("arrays from an arena share its buffer, are aligned, zeroed and do not overlap", () => {
  const arena = new Arena(1024);
  withArena(arena, () => {
    const bytes = scratchU8(3);
    const ints = scratchI32(4);
    const floats = scratchF64(2);
    const small = scratchI8(5);
    assert.ok(
      bytes.buffer === ints.buffer && ints.buffer === floats.buffer && floats.buffer === small.buffer,
    );
    assert.is(floats.byteOffset % 8, 0);
    bytes.fill(255);
    ints.fill(-1);
    floats.fill(Infinity);
    small.fill(-1);
    // Each write stayed in its own array.
    assert.equal([...bytes], [255, 255, 255]);
    assert.equal([...ints], [-1, -1, -1, -1]);
    assert.equal([...floats], [Infinity, Infinity]);
    assert.ok(arena.used >= 3 + 16 + 16 + 5);
  });
  assert.is(currentArena(), undefined);
});

test("released scratch comes back zeroed, and the high water mark remembers the most used", () => {
  const arena = new Arena(256);
  withArena(arena, () => {
    const keep = scratchI32(2);
    keep.fill(7);
    const m = arena.mark();
    scratchF64(8).fill(3.5);
    const high = arena.used;
    arena.release(m);
    const again = scratchF64(8);
    assert.equal([...again], new Array<number>(8).fill(0));
    assert.equal([...keep], [7, 7]);
    assert.is(arena.highWater, high);
  });
});

test("a full arena hands out plain arrays and counts what it could not give", () => {
  const arena = new Arena(16);
  withArena(arena, () => {
    const inside = scratchI32(4);
    const outside = scratchI32(4);
    assert.is(inside.buffer.byteLength, 16);
    assert.is(outside.buffer.byteLength, 16);
    assert.ok(inside.buffer !== outside.buffer);
    assert.is(arena.overflow, 16);
  });
});

test("a take larger than the released part is zeroed where it was used and clean beyond", () => {
  const arena = new Arena(256);
  withArena(arena, () => {
    const m = arena.mark();
    scratchU8(24).fill(9);
    arena.release(m);
    const wider = scratchU8(64);
    assert.equal([...wider], new Array<number>(64).fill(0));
    arena.release(m);
    // Two smaller takes inside the dirty part.
    scratchU8(40).fill(5);
    arena.release(m);
    const a = scratchU8(8);
    const b = scratchU8(8);
    assert.equal([...a, ...b], new Array<number>(16).fill(0));
  });
});

test("releasing to an older mark takes back everything after it", () => {
  const arena = new Arena(256);
  withArena(arena, () => {
    const older = arena.mark();
    scratchI32(4).fill(1);
    const newer = arena.mark();
    scratchI32(4).fill(2);
    arena.release(newer);
    arena.release(older);
    assert.is(arena.used, older);
    assert.equal([...scratchI32(8)], new Array<number>(8).fill(0));
  });
});

test("bad lengths and marks are errors, never a silently moved top", () => {
  const arena = new Arena(64);
  withArena(arena, () => {
    scratchI32(2);
    assert.throws(() => scratchI32(Number.NaN), /invalid scratch length/);
    assert.throws(() => scratchI32(-3), /invalid scratch length/);
    assert.is(arena.used, 8);
  });
  assert.throws(() => arena.release(16), /at or below the top/);
  assert.throws(() => arena.release(Number.NaN), /at or below the top/);
  assert.is(arena.used, 8);
});

test("a reservation the system refuses leaves an empty arena that hands out plain arrays", () => {
  const arena = new Arena(2 ** 53 - 8);
  assert.is(arena.capacity, 0);
  withArena(arena, () => assert.is(scratchF64(3).buffer.byteLength, 24));
});

test("a reservation does not count as V8's external memory, so it starts no full collection", () => {
  // Each 64 MB of external memory starts a marking of the whole heap (1.2 s at 1M components).
  const before = process.memoryUsage().external;
  const arena = new Arena(64 * 2 ** 20);
  const grown = process.memoryUsage().external - before;
  assert.is(arena.capacity, 64 * 2 ** 20);
  assert.ok(grown < 8 * 2 ** 20, `external memory grew by ${grown} bytes`);
  // Its arrays still work as any typed array, and a slice of one is a plain copy.
  const a = withArena(arena, () => scratchI32(4));
  assert.ok(a.buffer instanceof SharedArrayBuffer);
  a.set([1, 2, 3, 4]);
  const part = a.slice(1, 3);
  assert.ok(part.buffer instanceof ArrayBuffer);
  assert.equal(Array.from(part), [2, 3]);
});

test("withArena restores the arena it replaced, also when the body throws", () => {
  const outer = new Arena(64);
  const inner = new Arena(64);
  withArena(outer, () => {
    assert.throws(() =>
      withArena(inner, () => {
        assert.is(currentArena(), inner);
        throw new Error("boom");
      }),
    );
    assert.is(currentArena(), outer);
  });
});

test("inArena runs with a fresh reservation in scope and hands it to `used` after", () => {
  let seen: Arena | undefined;
  const inside = inArena(
    64,
    (arena) => {
      assert.is(currentArena(), arena);
      scratchI32(4);
      return arena;
    },
    (arena) => (seen = arena),
  );
  assert.is(seen, inside);
  assert.is(inside.highWater, 16);
  assert.is(currentArena(), undefined);
});

test("scratchCopyI32 copies a prefix into the arena", () => {
  const arena = new Arena(64);
  withArena(arena, () => {
    const c = scratchCopyI32(Int32Array.of(4, 5, 6, 7), 3);
    assert.equal([...c], [4, 5, 6]);
    assert.ok(c.buffer === scratchI32(1).buffer);
  });
});

// The analysis gives the same answer whatever fits in its arena (none, part, all), and its result
// holds no array from it (an arena that outlived the analysis would hold all its scratch).
const gen = generateModel({ components: 1500, seed: 5, coupling: 1 });
const front = generatedFrontEnd(gen.files);
if (!front.ok) throw new Error("generated model has errors");
const a = analyze(front.model, RULES);
const full = scratchBytes(front.model.components.length, front.model.flows.length);

function typedArraysIn(value: unknown, seen = new Set<unknown>()): number {
  if (value === null || typeof value !== "object" || seen.has(value)) return 0;
  seen.add(value);
  if (ArrayBuffer.isView(value)) return 1;
  let n = 0;
  for (const v of Object.values(value)) n += typedArraysIn(v, seen);
  return n;
}

test("path analysis: the same result with no arena room, a little, and the full reservation", () => {
  // Released scratch is poisoned, so a read after its phase gave it back changes the answer even
  // when nothing was allocated over it.
  Arena.poisonReleased = true;
  try {
    const base = analyzePaths(a.graph, a.facts, RULES, { k: 3, detailLimit: 5, scratchBytes: 0 });
    // The model is big enough for the paths to matter.
    assert.ok(base.targets.some((t) => t.paths.length > 0 && t.cut !== undefined));
    const crown = base.targets.find((t) => t.mode === "disclosure" && t.paths.length > 0)!.crown;
    const entry = base.targets.find((t) => t.paths.length > 0)!.paths[0]!.entry;
    const variants: PathOptions[] = [
      { k: 3, detailLimit: 5 },
      { to: crown },
      { fromClasses: ["external_data"], detailLimit: 0 },
      { fromEntry: entry, k: 1 },
    ];
    for (const options of variants) {
      const reference = JSON.stringify(
        analyzePaths(a.graph, a.facts, RULES, { ...options, scratchBytes: 0 }),
      );
      for (const bytes of [4096, Math.floor(full / 20), full]) {
        const r = analyzePaths(a.graph, a.facts, RULES, { ...options, scratchBytes: bytes });
        assert.is(JSON.stringify(r), reference, `${JSON.stringify(options)}, scratch ${bytes} bytes`);
      }
    }
  } finally {
    Arena.poisonReleased = false;
  }
});

test("the threat graph's and the facts' arrays come from one reservation that stays theirs", () => {
  // One reservation instead of an allocation per array (each 64 MB of plain ones started a full
  // collection); the reservation is never given back, so nothing later writes over them.
  const buffer = a.graph.compKind.buffer;
  for (const arr of [
    a.graph.flowKind,
    a.graph.heldData,
    a.graph.csr.outStart,
    a.facts.taint,
    a.facts.info.edgeTo,
  ])
    assert.ok(arr.buffer === buffer, "an array of its own");
  assert.ok(buffer.byteLength > a.graph.compKind.length, "a plain array, not a reservation");
  assert.is(currentArena(), undefined);
});

test("path analysis: the result holds no typed array", () => {
  const r = analyzePaths(a.graph, a.facts, RULES);
  assert.is(typedArraysIn(r), 0);
  assert.is(currentArena(), undefined);
});

test("compile's rules and metrics take their caches' arrays from an arena, with the same answers", () => {
  let used = 0;
  const compiled = analyzeModel(front.model, { ruleScratchUsed: (arena) => (used = arena.highWater) });
  assert.ok(used > 0, "the rule library took no scratch from the arena");
  // The same rules and metrics with plain arrays (no arena in scope).
  const plain = analyze(front.model, RULES);
  const text = (fs: FindingList) =>
    fs.map((f) => `${f.id} ${f.message} ${f.facts.map((x) => x.text).join("|")}`).join("\n");
  assert.is(text(compiled.findings), text(plain.findings));
  const metrics = computeMetrics({ ...plain, rules: RULES, paths: compiled.paths });
  assert.equal(compiled.metrics, metrics);
  assert.is(typedArraysIn(compiled.metrics), 0);
});

test("compile's paths take the front of the rules' reservation and give it back, with the same answers", () => {
  // One reservation for both, whose pages the rules reuse. Released
  // scratch is poisoned: a path array the rules then wrote over, or one read after its release,
  // would change the answers.
  Arena.poisonReleased = true;
  try {
    let reserved = 0;
    let used = 0;
    let reservation: Arena | undefined;
    // The arena the path phases ran in, and the most they had taken from it at a phase's end.
    let during: Arena | undefined;
    let took = 0;
    const compiled = analyzeModel(front.model, {
      paths: {
        mark: () => {
          during = currentArena();
          took = Math.max(took, during?.used ?? 0);
        },
      },
      ruleScratchUsed: (arena) => (
        (reservation = arena),
        (reserved = arena.capacity),
        (used = arena.highWater)
      ),
    });
    assert.ok(reserved >= full, `${reserved} bytes reserved, the paths alone ask ${full}`);
    assert.ok(during !== undefined && during === reservation, "the paths ran in the rules' reservation");
    assert.ok(took > 0, "the paths took nothing from the reservation");
    const alone = analyzePaths(a.graph, a.facts, RULES);
    // The same stage with the paths handed in (as from the paths worker) takes only the rules' share;
    // with the paths first, the rules reuse their pages: the high water is the larger of the two.
    let rulesOnly = 0;
    analyzeModel(front.model, {
      pathsFrom: () => alone,
      ruleScratchUsed: (arena) => (rulesOnly = arena.highWater),
    });
    assert.ok(used >= rulesOnly && used >= took, `${used} bytes against ${rulesOnly} and ${took}`);
    assert.ok(used < rulesOnly + took, `the rules did not reuse the paths' pages (${used} bytes)`);
    assert.is(JSON.stringify(compiled.paths), JSON.stringify(alone));
    const text = (fs: FindingList) =>
      fs.map((f) => `${f.id} ${f.message} ${f.facts.map((x) => x.text).join("|")}`).join("\n");
    assert.is(text(compiled.findings), text(a.findings));
    // A question asked inside an arena without room for it gets a reservation of its own.
    const small = inArena(1024, (arena) => {
      analyzePaths(a.graph, a.facts, RULES);
      return arena.highWater;
    });
    assert.is(small, 0);
  } finally {
    Arena.poisonReleased = false;
  }
});

test("compile's rule-stage reservation and the rules' caches die with the stage", async () => {
  // A closure over the rule stage's result once kept the rules' own graph, so their caches and the
  // reservation their arrays come from lived through the output side (about 250 MB at 100k).
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as () => void;
  let reserved = 0;
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const compiled = analyzeModel(front.model, { ruleScratchUsed: (arena) => (reserved = arena.capacity) });
  // V8 frees the memory of collected array buffers on a background thread: on a busy machine it
  // can lag behind the collection, so give it a moment before counting.
  for (let i = 0; i < 3; i++) {
    gc();
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const kept = process.memoryUsage().arrayBuffers - before;
  assert.ok(reserved > 0);
  // What stays is the threat graph and facts the analysis returns, well under the reservation.
  assert.ok(kept < reserved / 2, `${kept} bytes of array buffers kept, ${reserved} reserved for the rules`);
  assert.ok(compiled.findings.length > 0);
});

test("compile gives the rule stage's reservation back as the stage ends, before any full collection", async () => {
  // On a large model the next full collection comes during the outputs, at the compile's peak: the
  // reservation's touched pages (about a gigabyte at 1M components) must not wait for it.
  v8.setFlagsFromString("--expose-gc");
  const gc = vm.runInNewContext("gc") as (options?: { type: "minor" }) => void;
  let stage: Arena | undefined;
  let reserved = 0;
  gc();
  const before = process.memoryUsage().arrayBuffers;
  const compiled = analyzeModel(front.model, {
    ruleScratchUsed: (arena) => {
      stage = arena;
      reserved = arena.capacity;
    },
  });
  assert.ok(reserved > 0);
  // Detached: no array taken from it can be read any more, and it hands out plain arrays.
  assert.is(stage?.capacity, 0);
  assert.is(
    withArena(stage!, () => scratchI32(4).buffer.byteLength),
    16,
  );
  // Young-generation collections alone free it (the clone holding the memory dies young).
  for (let i = 0; i < 3; i++) {
    gc({ type: "minor" });
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  const kept = process.memoryUsage().arrayBuffers - before;
  assert.ok(kept < reserved / 2, `${kept} bytes of array buffers kept, ${reserved} reserved for the rules`);
  // What the outputs read was made without the reservation: the views read no detached array.
  assert.ok(compiled.findingsView.length === compiled.findings.length && compiled.paths.targets.length > 0);
});

test.run();
