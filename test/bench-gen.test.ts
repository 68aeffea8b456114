import { generatedFrontEnd } from "../bench/gen/front-end.js";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel, type GenOptions } from "../bench/gen/generate.js";
import { formatDiagnostic } from "../src/diagnostics/format.js";

// The benchmark generator's contract: every model it makes checks clean and has the sizes asked for.

function check(options: GenOptions) {
  const generated = generateModel(options);
  const result = generatedFrontEnd(generated.files);
  return { generated, result };
}

/** Whether the flow graph has a directed cycle (Kahn's algorithm leaves nodes unconsumed). */
function hasCycle(nodes: number, edges: readonly { from: number; to: number }[]): boolean {
  const indegree = new Int32Array(nodes);
  const out: number[][] = Array.from({ length: nodes }, () => []);
  for (const e of edges) {
    indegree[e.to]!++;
    out[e.from]!.push(e.to);
  }
  const queue: number[] = [];
  for (let i = 0; i < nodes; i++) if (indegree[i] === 0) queue.push(i);
  let seen = 0;
  while (queue.length > 0) {
    const n = queue.pop()!;
    seen++;
    for (const m of out[n]!) if (--indegree[m]! === 0) queue.push(m);
  }
  return seen < nodes;
}

test("a 1k-component model over 4 system files checks with no diagnostics and has the requested sizes", () => {
  const { generated, result } = check({ components: 1000, files: 4, seed: 7 });
  assert.equal(result.diagnostics.map((d) => formatDiagnostic(d)).slice(0, 5), []);
  assert.ok(result.ok);
  const m = result.model;
  assert.is(m.components.length, 1000);
  assert.is(m.flows.length, 2500);
  assert.is(m.systems.length, 4);
  assert.is(m.crownJewels.length, 10);
  assert.is(m.zones.filter((z) => z.parent === undefined).length, 5);
  assert.equal([...new Set(m.zones.map((z) => z.trust))].sort(), [
    "internal",
    "partner",
    "public",
    "restricted",
    "untrusted",
  ]);
  // Files: 3 shared, 4 systems, 1 link file; all of them loaded.
  assert.is(result.program.files.length, 8);
  assert.is(generated.stats.files, 8);
  assert.is(generated.stats.components, 1000);
  assert.ok(m.data.every((d) => d.classification !== undefined));
  assert.ok(m.components.some((c) => c.controls.length > 0));
});

test("cross-system flows exist, the coupled variant has about ten times more, and flows form cycles", () => {
  const plain = check({ components: 2000, files: 8, seed: 3 });
  const coupled = check({ components: 2000, files: 8, seed: 3, coupling: 10 });
  for (const { result } of [plain, coupled]) {
    assert.is(result.diagnostics.length, 0, result.diagnostics.map((d) => formatDiagnostic(d)).join("\n"));
    assert.is(result.model.flows.length, 5000);
  }
  const crossing = (r: typeof plain) =>
    r.result.model.flows.filter((f) => {
      const a = r.result.model.components[f.from]!.system;
      const b = r.result.model.components[f.to]!.system;
      return a !== undefined && b !== undefined && a !== b;
    }).length;
  const few = crossing(plain);
  const many = crossing(coupled);
  assert.is(few, plain.generated.stats.crossFlows);
  // 1-10% of each system's components, so between 1% and 10% of the 1,980 system components.
  assert.ok(few >= 20 && few <= 198, `cross-system flows: ${few}`);
  assert.ok(many >= few * 6 && many <= few * 14, `coupled: ${many} vs ${few}`);
  const m = plain.result.model;
  assert.ok(hasCycle(m.components.length, m.flows));
});

test("the same seed gives identical files; another seed gives different ones", () => {
  const a = generateModel({ components: 1000, files: 4, seed: 11 });
  const b = generateModel({ components: 1000, files: 4, seed: 11 });
  const c = generateModel({ components: 1000, files: 4, seed: 12 });
  assert.equal(
    a.files.map((f) => f.path),
    b.files.map((f) => f.path),
  );
  assert.ok(a.files.every((f, i) => f.text === b.files[i]!.text));
  assert.ok(a.files.some((f, i) => f.text !== c.files[i]!.text));
});

test("crown jewels scale as max(10, N/1000) and names stay unique across many systems", () => {
  const { result } = check({ components: 11_000, seed: 5 });
  assert.is(result.diagnostics.length, 0, result.diagnostics.map((d) => formatDiagnostic(d)).join("\n"));
  assert.is(result.model.components.length, 11_000);
  assert.is(result.model.crownJewels.length, 11);
  assert.is(result.model.systems.length, 44);
});

test("the JSON encoding carries the same components and flows", () => {
  const json = generateModel({ components: 1000, files: 4, seed: 7 }, "json");
  let components = 0;
  let flows = 0;
  for (const f of json.files) {
    const doc = JSON.parse(f.text) as {
      zones: { components: unknown[] }[];
      components: unknown[];
      flows: unknown[];
    };
    components += doc.components.length + doc.zones.reduce((n, z) => n + z.components.length, 0);
    flows += doc.flows.length;
  }
  assert.is(components, 1000);
  assert.is(flows, 2500);
});

test("sizes the template cannot fill are refused with a reason", () => {
  assert.throws(() => generateModel({ components: 100, files: 10 }), /do not fill/);
});

test.run();
