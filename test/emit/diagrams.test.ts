/**
 * Diagram views: golden `.mmd` files for every sample, the node limit on large models, hostile names
 * kept inert (checked with Mermaid's own parser), stable ids and small diffs, safe file names.
 */
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { expandInputs } from "../../src/cli/inputs.js";
import { nodeHost } from "../../src/cli/node-host.js";
import { analyzeModel, runFrontEnd, type CompileAnalysis } from "../../src/compiler.js";
import { diagramsEmitter, MMD_HEADER } from "../../src/emit/diagrams/emitter.js";
import { componentId, CONTENT_MAX, MAX_EDGES } from "../../src/emit/diagrams/graph.js";
import {
  DIAGRAM_LIMITS,
  diagramSet,
  diagramViews,
  MAX_NODES,
  type DiagramView,
} from "../../src/emit/diagrams/index.js";
import { diagramsIndexMd } from "../../src/emit/diagrams/index-md.js";
import { reportMdEmitter } from "../../src/emit/report-md.js";
import { diagramIndex, fileStem } from "../../src/emit/diagrams/model-index.js";
import { inSubtree } from "../../src/emit/diagrams/placement.js";
import { cutIntoParts, PART_MIN, PART_SIZE } from "../../src/emit/diagrams/system-views.js";
import { CLASSES } from "../../src/emit/diagrams/styles.js";
import { dump, frontEnd, TEST_TODAY } from "../helpers/compile.js";
import { parseFlowchart } from "./diagrams-mermaid.js";

// Compiled to dist/test/emit/; samples and golden files stay in the source tree.
const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const GOLDEN = path.join(REPO, "test", "golden-diagrams");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";
const GOLDEN_HEADER =
  "%% golden file: written by test/emit/diagrams.test.ts with UPDATE_GOLDEN=1; review the diff like code\n";

const samples = fs
  .readdirSync(path.join(REPO, "samples"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function analyseSample(name: string): CompileAnalysis {
  const front = runFrontEnd({
    inputs: expandInputs([path.join(REPO, "samples", name)]).files,
    root: REPO,
    host: nodeHost,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  if (!front.ok) throw new Error(`sample ${name} has errors:\n${dump(front)}`);
  return analyzeModel(front.model, { paths: { k: 5 } });
}

function analyseText(text: string): CompileAnalysis {
  const front = frontEnd({ "model.aithreat": text });
  if (!front.ok) throw new Error(`model has errors:\n${dump(front)}`);
  return analyzeModel(front.model, { paths: { k: 5 } });
}

/**
 * Reads a diagram line by line with the grammar aithreat writes, independent of the code that wrote
 * it: every line must be a node, an arrow, a box, a class statement or a class definition (quoted
 * labels blanked first, so nothing inside a label can look like a statement). Any other line fails.
 */
function structure(mermaid: string): { nodes: string[]; edges: [string, string][]; boxes: string[] } {
  const nodes: string[] = [];
  const edges: [string, string][] = [];
  const boxes: string[] = [];
  const lines = mermaid.split("\n");
  assert.is(lines[0], "flowchart LR");
  for (const raw of lines.slice(1)) {
    const line = raw.trim().replace(/"[^"]*"/g, '""');
    if (line === "" || line === "end") continue;
    const box = /^subgraph ([A-Za-z0-9_]+)\[""\]$/.exec(line);
    if (box) {
      boxes.push(box[1]!);
      continue;
    }
    if (/^class [A-Za-z0-9_]+(,[A-Za-z0-9_]+)* [a-z_]+$/.test(line)) continue;
    if (/^classDef [a-z_]+ [a-z-]+:[#0-9a-z -]+(,[a-z-]+:[#0-9a-z -]+)*$/.test(line)) continue;
    const edge = /^([A-Za-z0-9_]+) (?:-->|==>|-\.->)(?:\|""\|)? ([A-Za-z0-9_]+)$/.exec(line);
    if (edge) {
      edges.push([edge[1]!, edge[2]!]);
      continue;
    }
    const node =
      /^([A-Za-z0-9_]+)(?:\[\(""\)\]|\(\[""\]\)|\[\[""\]\]|\[\/""\\\]|\[\\""\/\]|\[\/""\/\]|\{\{""\}\}|\(""\)|\[""\]|>""\]):::[a-z_]+$/.exec(
        line,
      );
    if (node) {
      nodes.push(node[1]!);
      continue;
    }
    assert.unreachable(`unexpected diagram line: ${raw}`);
  }
  return { nodes, edges, boxes };
}

const isContent = (id: string) => !id.startsWith("legend_");

/** Checks every view's size and shape; returns the views by id. */
function checkViews(views: readonly DiagramView[]): Map<string, DiagramView> {
  const byId = new Map<string, DiagramView>();
  for (const v of views) {
    assert.not.ok(byId.has(v.id), `duplicate view id ${v.id}`);
    byId.set(v.id, v);
    const s = structure(v.mermaid);
    assert.ok(s.nodes.length <= MAX_NODES, `${v.id} has ${s.nodes.length} nodes`);
    assert.is(s.nodes.length, v.nodes, `${v.id}: node count`);
    assert.ok(s.edges.length <= MAX_EDGES, `${v.id} has ${s.edges.length} arrows`);
    assert.is(new Set(s.nodes).size, s.nodes.length, `${v.id}: a node declared twice`);
    const declared = new Set(s.nodes);
    for (const [a, b] of s.edges)
      assert.ok(declared.has(a) && declared.has(b), `${v.id}: arrow ${a} -> ${b} to nowhere`);
  }
  return byId;
}

// ---- golden files for the samples -------------------------------------------------------------

// index.md is kept as index.md.txt: Prettier formats Markdown (it would realign the tables), and a
// golden file must stay byte for byte what aithreat wrote.
const goldenName = (file: string) => path.basename(file).replace(/\.md$/, ".md.txt");

for (const sample of samples) {
  test(`diagrams of sample ${sample} match test/golden-diagrams/${sample}`, () => {
    const analysis = analyseSample(sample);
    // Every view but the lower-ranked attack paths, which are drawn by the same code as the first:
    // the golden files stay few enough to review.
    const later = new Set(
      diagramViews(analysis)
        .filter((v) => (v.path?.rank ?? 1) > 1)
        .map((v) => `diagrams/${v.id}.mmd`),
    );
    const all = diagramsEmitter.emit({ analysis, toolVersion: "test" });
    const files = all.filter((f) => !later.has(f.path));
    const dir = path.join(GOLDEN, sample);
    if (UPDATE) {
      fs.rmSync(dir, { recursive: true, force: true });
      fs.mkdirSync(dir, { recursive: true });
      for (const f of files)
        fs.writeFileSync(path.join(dir, goldenName(f.path)), `${GOLDEN_HEADER}${String(f.contents)}`);
    }
    assert.ok(fs.existsSync(dir), `${dir} is missing; run with UPDATE_GOLDEN=1, then review it`);
    const expected = fs.readdirSync(dir).sort();
    assert.equal(
      files.map((f) => goldenName(f.path)).sort(),
      expected,
      `${sample}: the set of diagram files`,
    );
    assert.is(files.at(-1)!.path, "diagrams/index.md");
    for (const f of files) {
      assert.ok(f.path.startsWith("diagrams/") && /\.(mmd|md)$/.test(f.path));
      if (f.path.endsWith(".mmd")) assert.ok(String(f.contents).startsWith(`${MMD_HEADER}\n`));
      const golden = fs.readFileSync(path.join(dir, goldenName(f.path)), "utf8");
      assert.fixture(String(f.contents), golden.slice(GOLDEN_HEADER.length), `${sample}/${f.path}`);
    }
  });
}

test("every sample has an overview, a view per zone and per agent, and one per listed attack path", () => {
  for (const sample of samples) {
    const analysis = analyseSample(sample);
    const m = analysis.model;
    const byId = checkViews(diagramViews(analysis));
    assert.is(byId.get("overview")?.kind, "overview", sample);
    for (const z of m.zones)
      assert.is(byId.get(`zone-${fileStem(z.name)}`)?.kind, "zone", `${sample}: zone ${z.name}`);
    for (const c of m.components)
      if (c.kind === "agent")
        assert.is(byId.get(`agent-${fileStem(c.name)}`)?.kind, "agent", `${sample}: ${c.name}`);
    const paths = analysis.pathsView.targets.flatMap((t) =>
      t.paths.map((_, i) => `path-${t.crown}-${t.property}-${i + 1}`),
    );
    assert.equal(
      [...byId.values()].filter((v) => v.kind === "path").map((v) => v.id),
      paths,
      `${sample}: path views`,
    );
    // Small models are drawn whole: every component in the overview, no group nodes.
    const overview = structure(byId.get("overview")!.mermaid);
    assert.equal(
      overview.nodes.filter(isContent).sort(),
      m.components.map((c) => componentId(c.name)).sort(),
      `${sample}: overview nodes`,
    );
    assert.equal(
      overview.boxes.filter((b) => b !== "legend").length,
      m.zones.length,
      `${sample}: zone boxes`,
    );
  }
});

test("sample diagrams parse with Mermaid's own grammar, with no click and the labels as written", async () => {
  for (const sample of ["rag-support", "multi-agent", "org-multi-file"]) {
    const analysis = analyseSample(sample);
    const views = diagramViews(analysis);
    // One view of each kind per sample: Mermaid's parser takes a while to run in Node.
    const picked = ["overview", "zone", "agent", "path"].flatMap((k) =>
      views.filter((v) => v.kind === k).slice(0, 1),
    );
    for (const v of picked) {
      const parsed = await parseFlowchart(v.mermaid);
      const s = structure(v.mermaid);
      assert.is(parsed.vertices.length, s.nodes.length, `${sample}/${v.id}: vertices`);
      assert.is(parsed.edges.length, s.edges.length, `${sample}/${v.id}: edges`);
      assert.equal(parsed.clickable, [], `${sample}/${v.id}: clickable nodes`);
      assert.is(parsed.tooltips, 0);
      const known = new Set([
        ...CLASSES.map((c) => c.name),
        ...["untrusted", "public", "partner", "internal", "restricted"].map((t) => `trust_${t}`),
      ]);
      for (const c of parsed.classDefs) assert.ok(known.has(c), `${sample}/${v.id}: unknown class ${c}`);
    }
    const support = views.find((v) => v.kind === "overview")!;
    const parsed = await parseFlowchart(support.mermaid);
    for (const c of analysis.model.components) {
      const vertex = parsed.vertices.find((x) => x.id === `n_${c.name}`);
      assert.ok(vertex, `${sample}: ${c.name} drawn`);
      assert.ok(
        vertex.text.startsWith(`${c.title ?? c.name}<br/>`),
        `${sample}: label of ${c.name}: ${vertex.text}`,
      );
    }
  }
});

// ---- hostile text -------------------------------------------------------------------------------

// Titles as written in a model (its escapes: `\"`, `\n`, `\u{...}`); the model's titles are compared.
const HOSTILE = [
  'quote \\" end',
  "brackets [x] (y) {z} ((w))",
  "click n_a call alert(1)",
  '%%{init: {\\"securityLevel\\": \\"loose\\"}}%%',
  "a --> b ==> c -.-> d",
  'line one\\nclick n_a href \\"javascript:alert(1)\\"\\nclassDef x fill:red',
  "hash #quot; #35; & <b>bold</b> <script>alert(1)</script>",
  "pipe | backtick ` semicolon ; colon : end",
  "ctrl \\u{7}\\u{2028}sep",
];

test("hostile titles stay labels: Mermaid's parser sees the same nodes, arrows and no clicks", async () => {
  const zones = HOSTILE.map((t, i) => `zone z${i} "${t}" { trust ${i % 2 ? "internal" : "untrusted"} }`);
  const comps = HOSTILE.map((t, i) => `agent a${i} "${t}" in z${i} { autonomy step }`);
  const flows = HOSTILE.slice(1).map((_, i) => `flow a${i} -> a${i + 1} "${HOSTILE[i]!}" { kind delegate }`);
  const analysis = analyseText([...zones, ...comps, ...flows].join("\n"));
  const views = diagramViews(analysis);
  checkViews(views);
  for (const v of views.filter((x) => x.kind === "overview" || x.id === "agent-a1" || x.id === "zone-z5")) {
    const parsed = await parseFlowchart(v.mermaid);
    const s = structure(v.mermaid);
    assert.is(parsed.vertices.length, s.nodes.length, `${v.id}: no node injected`);
    assert.is(parsed.edges.length, s.edges.length, `${v.id}: no arrow injected`);
    assert.equal(parsed.clickable, [], `${v.id}: nothing clickable`);
    for (const c of parsed.classDefs) assert.ok(!c.startsWith("x"), `${v.id}: injected classDef ${c}`);
    for (const vertex of parsed.vertices) assert.is(vertex.link, undefined);
  }
  const overview = await parseFlowchart(views[0]!.mermaid);
  HOSTILE.forEach((_, i) => {
    const title = analysis.model.components[i]!.title!;
    const shown = title.replace(/\r\n|\r|\n/g, " ").replace(/[\u0000-\u001f\u2028\u2029]/g, " ");
    const vertex = overview.vertices.find((x) => x.id === `n_a${i}`)!;
    assert.ok(
      vertex.text.startsWith(`${shown}<br/>`),
      `a${i}: ${JSON.stringify(vertex.text)} should show ${JSON.stringify(shown)}`,
    );
    const box = overview.subgraphs.find((x) => x.id === `zn_z${i}`)!;
    assert.ok(box.title.startsWith(shown), `z${i}: ${box.title}`);
    assert.equal(box.nodes, [`n_a${i}`], `z${i} holds its agent only`);
  });
  // In the text itself (`structure` above already refused any line that is not aithreat's own).
  for (const v of views) assert.not.match(v.mermaid, /javascript:|<script|%%\{|\u2028/i, v.id);
});

test("names that spell alike (`a-b` and `a_2d_b`, zones `q-r` and `q_2d_r`) get nodes and boxes of their own", () => {
  const analysis = analyseText(
    [
      'zone q-r "Zone one" { trust untrusted',
      '  actor a-b "A one" { role public  authenticated false }',
      '  actor a_2d_b "A two" { role public  authenticated false }',
      "}",
      'zone q_2d_r "Zone two" { trust internal',
      '  app w "W" { exposure public  auth session }',
      "}",
      "flow a-b -> w { kind prompt }",
      "flow a_2d_b -> w { kind prompt }",
    ].join("\n"),
  );
  const views = diagramViews(analysis);
  checkViews(views);
  const overview = structure(views[0]!.mermaid);
  const ids = analysis.model.components.map((c) => componentId(c.name));
  assert.is(new Set(ids).size, 3, ids.join(" "));
  for (const id of ids) assert.ok(overview.nodes.includes(id), `${id} drawn`);
  assert.is(overview.edges.length, 2, "one arrow per actor, not one merged arrow");
  const zones = overview.boxes.filter((b) => b !== "legend");
  assert.is(new Set(zones).size, 2, zones.join(" "));
});

// ---- the node limit on large models -----------------------------------------------------------------

test(`a generated 1,500-component model: every view within ${MAX_NODES} nodes, every component drawn on its own somewhere`, () => {
  const generated = generateModel({ components: 1500, files: 6, seed: 11 });
  const front = generatedFrontEnd(generated.files, TEST_TODAY);
  assert.ok(front.ok, dump(front));
  const analysis = analyzeModel(front.model, { paths: { k: 3 } });
  const views = diagramViews(analysis);
  const byId = checkViews(views);
  const m = analysis.model;
  const overview = byId.get("overview")!;
  assert.ok(
    overview.notes?.some((n) => n.includes("drawn as one node each")),
    JSON.stringify(overview.notes),
  );
  assert.match(overview.mermaid, /components/);
  // Zones too large for one view come with a summary and parts of at most PART_SIZE components.
  const parts = views.filter((v) => v.part);
  assert.ok(parts.length > 0, "some zone is split into parts");
  for (const p of parts) assert.ok(structure(p.mermaid).nodes.length <= MAX_NODES);
  const drawn = new Set<string>();
  for (const v of views) if (v.kind !== "path") for (const id of structure(v.mermaid).nodes) drawn.add(id);
  const missing = m.components.filter((c) => !drawn.has(componentId(c.name)));
  assert.equal(missing.map((c) => c.name).slice(0, 5), [], "components no view draws on its own");
  // More agents than DIAGRAM_LIMITS.agents: the riskiest get views, diagrams/index.md lists the rest.
  const agents = m.components.filter((c) => c.kind === "agent");
  assert.ok(agents.length > DIAGRAM_LIMITS.agents, `${agents.length} agents`);
  const agentViews = views.filter((v) => v.kind === "agent");
  assert.is(agentViews.length, DIAGRAM_LIMITS.agents);
  const index = String(diagramsEmitter.emit({ analysis, toolVersion: "t" }).at(-1)!.contents);
  const drawnAgents = new Set(agentViews.map((v) => v.subject));
  for (const a of agents)
    assert.ok(
      drawnAgents.has(a.name) || index.includes(`| \`${a.name}\` |`),
      `${a.name}: neither drawn nor listed`,
    );
  assert.match(index, new RegExp(`### ${agents.length - DIAGRAM_LIMITS.agents} agents without a view`));
  // The report says so too, and where the rest are listed.
  const report = String(reportMdEmitter.emit({ analysis, toolVersion: "t" })[0]!.contents);
  const said = `${agents.length - DIAGRAM_LIMITS.agents} agents of lower risk have no view of their own\\\\?: \`diagrams/index\\.md\``;
  assert.match(report, new RegExp(said));
  // Without limits every agent has its view.
  const unlimited = diagramSet(analysis, { zones: 1e9, parts: 1e9, agents: 1e9, pathTargets: 1e9 });
  assert.is(unlimited.views.filter((v) => v.kind === "agent").length, agents.length);
  assert.equal(unlimited.leftOut, { zones: [], parts: [], agents: [], pathTargets: [] });
});

test("limits: the riskiest zones, agents and crown jewels get views; index.md lists every view and the rest", () => {
  const analysis = analyseSample("multi-agent");
  const limits = { zones: 2, parts: 0, agents: 1, pathTargets: 1 };
  const set = diagramSet(analysis, limits);
  const dx = set.index;
  const m = analysis.model;
  const byId = checkViews(set.views);
  assert.ok(byId.has("overview"));
  const zoneViews = set.views.filter((v) => v.kind === "zone");
  assert.is(zoneViews.length, limits.zones);
  // Risk as the index records it: worst open finding, crown jewels, open findings.
  const risk = (z: number) => [dx.zoneWorst[z]!, dx.zoneCrown[z]!, dx.zoneOpen[z]!];
  const atLeast = (a: number[], b: number[]) => {
    for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i]! > b[i]!;
    return true;
  };
  const drawn = m.zones.filter((z) => zoneViews.some((v) => v.subject === z.name)).map((z) => z.index);
  assert.is(drawn.length + set.leftOut.zones.length, m.zones.length);
  for (const d of drawn)
    for (const o of set.leftOut.zones)
      assert.ok(atLeast(risk(d), risk(o)), `${m.zones[o]!.name} outranks ${m.zones[d]!.name}`);
  const agents = m.components.filter((c) => c.kind === "agent");
  assert.ok(agents.length > 1, "the sample has several agents");
  const [agentView] = set.views.filter((v) => v.kind === "agent");
  const chosen = m.components.findIndex((c) => c.name === agentView!.subject);
  for (const o of set.leftOut.agents) assert.ok(dx.worst[chosen]! >= dx.worst[o]!, m.components[o]!.name);
  const pathCrowns = new Set(set.views.filter((v) => v.kind === "path").map((v) => v.path!.crown));
  assert.is(pathCrowns.size, 1);

  const index = diagramsIndexMd(analysis, set);
  for (const v of set.views) assert.ok(index.includes(`[${v.id}.mmd](${v.id}.mmd)`), v.id);
  for (const z of set.leftOut.zones) assert.ok(index.includes(`| \`${m.zones[z]!.name}\` |`));
  for (const a of set.leftOut.agents) assert.ok(index.includes(`| \`${m.components[a]!.name}\` |`));
  for (const t of set.leftOut.pathTargets) assert.ok(index.includes(`- \`${t.crown}\` (${t.property})`));
  // The default limits draw the whole sample and list nothing as left out.
  assert.not.match(diagramsIndexMd(analysis, diagramSet(analysis)), /Left out/);
});

test("components outside any zone beyond the overview's room are listed in parts", () => {
  const n = 130;
  const lines = Array.from({ length: n }, (_, i) => `store s${i} "Store ${i}"`);
  lines.push(...Array.from({ length: n - 1 }, (_, i) => `flow s${i} -> s${i + 1} { kind copy }`));
  const views = diagramViews(analyseText(lines.join("\n")));
  const byId = checkViews(views);
  const overview = structure(byId.get("overview")!.mermaid);
  assert.ok(overview.nodes.filter(isContent).length < 5, "the overview groups them by kind");
  assert.match(byId.get("overview")!.mermaid, /130 stores/);
  const parts = views.filter((v) => v.id.startsWith("unzoned--"));
  assert.ok(
    parts.length >= Math.ceil(n / PART_SIZE) && parts.length <= Math.ceil(n / PART_MIN),
    `${parts.length}`,
  );
  assert.equal(parts[1]!.part, { index: 2, of: parts.length });
  // Every store in exactly one part, in declaration order, PART_MIN to PART_SIZE to a part (the last
  // may hold fewer); a part draws its own components and the neighbours just outside it.
  let next = 0;
  parts.forEach((p, i) => {
    const own = /^(\d+) components? in declaration order, `s(\d+)` to `s(\d+)`\.$/.exec(p.notes![0]!)!;
    const [count, first, last] = [Number(own[1]), Number(own[2]), Number(own[3])];
    assert.is(first, next, `${p.id} starts where the last part ended`);
    assert.is(last - first + 1, count);
    assert.is(p.id, `unzoned--s${first}`, "named by its first component");
    assert.ok(count <= PART_SIZE && (count >= PART_MIN || i === parts.length - 1), `${p.id}: ${count}`);
    const nodes = structure(p.mermaid).nodes.filter(isContent);
    for (const k of [first, last]) assert.ok(nodes.includes(`n_s${k}`), `${p.id} draws s${k}`);
    if (first > 0) assert.ok(nodes.includes(`n_s${first - 1}`), `${p.id} draws its neighbour s${first - 1}`);
    if (last < n - 1) assert.ok(nodes.includes(`n_s${last + 1}`), `${p.id} draws its neighbour s${last + 1}`);
    next = last + 1;
  });
  assert.is(next, n, "every store is in a part");
});

test("parts cut by content: over many one-component insertions, most change one part and few cascade", () => {
  // Deterministic pseudo-random names (a linear congruential generator), as users' names are arbitrary.
  let seed = 12345;
  const word = () => {
    seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
    return `c${seed.toString(36)}`;
  };
  const index = (names: string[]) =>
    ({ model: { components: names.map((name) => ({ name })) } }) as unknown as Parameters<
      typeof cutIntoParts
    >[0];
  const cut = (names: string[]) => {
    const parts = cutIntoParts(
      index(names),
      names.map((_, i) => i),
    );
    // Every component in exactly one part, in order; parts PART_MIN to PART_SIZE but the last.
    assert.equal(
      parts.flat(),
      names.map((_, i) => i),
    );
    parts.forEach((p, i) =>
      assert.ok(p.length <= PART_SIZE && (p.length >= PART_MIN || i === parts.length - 1)),
    );
    // As the files: named by the first component, holding the names.
    return new Map(parts.map((p) => [names[p[0]!]!, p.map((c) => names[c]).join(" ")]));
  };
  const trials = 400;
  let changedTotal = 0;
  let single = 0;
  for (let t = 0; t < trials; t++) {
    const names = Array.from({ length: 230 }, word);
    const before = cut(names);
    const at = (seed >>> 3) % (names.length + 1);
    const after = cut([...names.slice(0, at), word(), ...names.slice(at)]);
    let changed = 0;
    for (const [k, v] of after) if (before.get(k) !== v) changed++;
    for (const k of before.keys()) if (!after.has(k)) changed++;
    changedTotal += changed;
    if (changed === 1) single++;
  }
  // Measured 2.3 files on average and two thirds single-file changes; fixed slices of 30 change 8.3.
  assert.ok(changedTotal / trials <= 3, `${changedTotal / trials} part files changed on average`);
  assert.ok(single / trials >= 0.55, `${single / trials} of insertions change one part file`);
});

test("a component added to a zone split into parts changes one or two part files, not every later one", () => {
  const zone = (extra: boolean) => {
    const lines = ['zone big "Big" { trust internal'];
    for (let i = 0; i < 230; i++) {
      lines.push(`  store t${i} "T${i}"`);
      if (extra && i === 40) lines.push('  store added "Added"');
    }
    lines.push("}", 'zone edge "Edge" { trust untrusted  actor u "U" { role public } }');
    for (let i = 0; i < 229; i += 3) lines.push(`flow u -> t${i} { kind write }`);
    return new Map(diagramViews(analyseText(lines.join("\n"))).map((v) => [v.id, v.mermaid]));
  };
  const before = zone(false);
  const after = zone(true);
  const parts = (m: Map<string, string>) => [...m.keys()].filter((id) => id.startsWith("zone-big--"));
  assert.ok(parts(before).length >= 8, `${parts(before).length} parts`);
  const changed = parts(after).filter((id) => before.get(id) !== after.get(id));
  assert.ok(changed.length >= 1 && changed.length <= 2, `changed: ${changed.join(" ")}`);
  const gone = parts(before).filter((id) => !after.has(id));
  assert.ok(gone.length <= 1, `gone: ${gone.join(" ")}`);
});

test("many top-level zones: the overview draws what fits and one node for the rest", () => {
  const lines: string[] = [];
  for (let i = 0; i < 80; i++) lines.push(`zone z${i} "Zone ${i}" { trust internal  store s${i} "S${i}" }`);
  for (let i = 0; i < 79; i++) lines.push(`flow s${i} -> s${i + 1} { kind copy }`);
  const views = diagramViews(analyseText(lines.join("\n")));
  const overview = checkViews(views).get("overview")!;
  assert.ok(structure(overview.mermaid).nodes.length <= MAX_NODES);
  assert.match(overview.mermaid, /more zones/);
  assert.ok(
    overview.notes?.some((n) => /did not fit and share one node/.test(n)),
    JSON.stringify(overview.notes),
  );
});

test("a zone with more nested zones than fit: flows from deep inside them reach the right nodes", () => {
  // `top` holds 60 zones, each with one zone nested inside holding a store: the first fit as one
  // node each, the rest share the "more zones" node. The flows start and end two levels down.
  const lines = ['zone top "Top" { trust internal }'];
  for (let i = 0; i < 60; i++)
    lines.push(
      `zone c${i} "C${i}" in top { trust internal }`,
      `zone d${i} "D${i}" in c${i} { trust ${i === 59 ? "partner" : "internal"} }`,
      `store s${i} "S${i}" in d${i}`,
    );
  lines.push(
    "flow s0 -> s59 { kind copy }",
    "flow s1 -> s58 { kind copy }",
    "flow s58 -> s0 { kind log }",
    // Inside the "more zones" node: not drawn.
    "flow s57 -> s58 { kind copy }",
  );
  const view = checkViews(diagramViews(analyseText(lines.join("\n")))).get("zone-top")!;
  const s = structure(view.mermaid);
  const more = s.nodes.find((n) => n.startsWith("g_zones_"));
  assert.ok(more, s.nodes.join(" "));
  assert.ok(s.nodes.includes("zn_c0") && s.nodes.includes("zn_c1"), s.nodes.join(" "));
  assert.equal(
    s.edges.filter(([a, b]) => a === more || b === more),
    [
      ["zn_c0", more],
      ["zn_c1", more],
      [more, "zn_c0"],
    ],
  );
  // s59 sits in a partner zone: the arrow from c0 crosses trust (thick), the one from c1 does not.
  assert.match(view.mermaid, new RegExp(`zn_c0 ==>\\|"copy"\\| ${more}\\n`));
  assert.match(view.mermaid, new RegExp(`zn_c1 -->\\|"copy"\\| ${more}\\n`));
});

test("an agent with a hundred tools: its view groups neighbours by zone, within the limit", () => {
  const lines = [
    'zone a "A" { trust internal }',
    'zone b "B" { trust partner }',
    'agent boss "Boss" in a { autonomy loop }',
    ...Array.from(
      { length: 100 },
      (_, i) => `tool t${i} "Tool ${i}" in ${i % 2 ? "a" : "b"} { capabilities [read] }`,
    ),
    ...Array.from({ length: 100 }, (_, i) => `flow boss -> t${i} { kind invoke }`),
  ];
  const byId = checkViews(diagramViews(analyseText(lines.join("\n"))));
  const agent = byId.get("agent-boss")!;
  const s = structure(agent.mermaid);
  assert.equal(s.nodes.filter(isContent), ["n_boss", "g_nb_n_a", "g_nb_n_b"]);
  assert.match(agent.mermaid, /g_nb_n_a\[\["50 components/);
  // Tools in the partner zone are across a trust boundary: a thick arrow.
  assert.match(agent.mermaid, /n_boss -->\|"50 flows#58; invoke"\| g_nb_n_a\n/);
  assert.match(agent.mermaid, /n_boss ==>\|"50 flows#58; invoke"\| g_nb_n_b\n/);
  assert.ok(agent.notes?.some((n) => n.includes("one node per zone")));
});

test("a very long attack path keeps both ends and draws its middle as one node", () => {
  const n = 70;
  const lines = [
    'zone net "Internet" { trust untrusted  source feed "Feed" { type web } }',
    'zone dc "DC" { trust internal }',
    ...Array.from({ length: n }, (_, i) => `pipeline p${i} "P${i}" in dc`),
    'dataset corpus "Corpus" in dc',
    "asset corpus crown integrity",
    "flow feed -> p0 { kind ingest }",
    ...Array.from({ length: n - 1 }, (_, i) => `flow p${i} -> p${i + 1} { kind copy }`),
    `flow p${n - 1} -> corpus { kind produce }`,
  ];
  const analysis = analyseText(lines.join("\n"));
  const views = diagramViews(analysis).filter((v) => v.kind === "path");
  assert.ok(views.length > 0, "the corpus is reachable");
  const longest = views.find((v) => v.notes?.some((x) => x.includes("drawn as one node")));
  assert.ok(longest, "a path is elided");
  const s = structure(longest.mermaid);
  assert.ok(s.nodes.length <= MAX_NODES);
  assert.ok(
    s.nodes.includes("n_feed") && s.nodes.includes("n_corpus") && s.nodes.includes("g_elided_n_"),
    s.nodes.join(" "),
  );
  assert.ok(s.nodes.length >= CONTENT_MAX - 2);
});

// ---- stability ---------------------------------------------------------------------------------

test("the same model gives the same diagrams; a one-line change is a small diff", () => {
  const file = path.join(REPO, "samples", "rag-support", "support-assistant.aithreat");
  const text = fs.readFileSync(file, "utf8");
  const a = diagramViews(analyseText(text));
  const b = diagramViews(analyseText(text));
  assert.equal(a, b);
  // Add one component and one flow at the end: the overview gains their lines and nothing else moves.
  const c = diagramViews(
    analyseText(
      `${text}\nstore audit_copy "Audit copy" in data_tier { holds [chat_transcripts] }\nflow transcript_logs -> audit_copy { kind copy }\n`,
    ),
  );
  const before = a.find((v) => v.id === "overview")!.mermaid.split("\n");
  const after = c.find((v) => v.id === "overview")!.mermaid.split("\n");
  const removed = before.filter((l) => !after.includes(l));
  const added = after.filter((l) => !before.includes(l));
  assert.ok(
    added.some((l) => l.includes("n_audit_copy[(")),
    added.join("\n"),
  );
  assert.ok(
    added.some((l) => l.includes("n_transcript_logs -->")),
    added.join("\n"),
  );
  assert.ok(
    removed.length <= 2 && added.length <= 4,
    `changed lines:\n-${removed.join("\n-")}\n+${added.join("\n+")}`,
  );
  // Views of other zones do not change at all.
  assert.is(
    c.find((v) => v.id === "zone-internet")!.mermaid,
    a.find((v) => v.id === "zone-internet")!.mermaid,
  );
});

test("the diagram index: each flow's other end beside its lists, each component's place in the zone tree", () => {
  const generated = generateModel({ components: 300, files: 3, seed: 5 });
  const front = generatedFrontEnd(generated.files, TEST_TODAY);
  assert.ok(front.ok, dump(front));
  const dx = diagramIndex(analyzeModel(front.model, { paths: { k: 1 } }));
  const m = dx.model;
  for (const c of m.components) {
    const out = m.flows.filter((f) => f.from === c.index);
    const into = m.flows.filter((f) => f.to === c.index);
    const outAt = [...dx.outFlows.subarray(dx.outStart[c.index], dx.outStart[c.index + 1])];
    const inAt = [...dx.inFlows.subarray(dx.inStart[c.index], dx.inStart[c.index + 1])];
    assert.equal(
      outAt,
      out.map((f) => f.index),
      c.name,
    );
    assert.equal(
      inAt,
      into.map((f) => f.index),
      c.name,
    );
    assert.equal(
      [...dx.outTo.subarray(dx.outStart[c.index], dx.outStart[c.index + 1])],
      out.map((f) => f.to),
    );
    assert.equal(
      [...dx.inFrom.subarray(dx.inStart[c.index], dx.inStart[c.index + 1])],
      into.map((f) => f.from),
    );
  }
  // inSubtree, read from each component's place, agrees with walking up the zone tree.
  const within = (c: number, zone: number) => {
    for (let z = m.components[c]!.zone; z !== undefined; z = m.zones[z]!.parent) if (z === zone) return true;
    return false;
  };
  assert.ok(
    m.zones.some((z) => z.parent !== undefined),
    "the model nests zones",
  );
  for (const c of m.components)
    for (const z of m.zones) assert.is(inSubtree(dx, c.index, z.index), within(c.index, z.index));
  // A component in no zone is in no zone's subtree, the first zone's included.
  const small = frontEnd({
    "model.aithreat": [
      'zone outer "Outer" {  trust internal',
      '  actor user "User" { role employee  authenticated true }',
      '  zone inner "Inner" { app ui "UI" { renders text } }',
      "}",
      'app loose "Loose" { renders text  trust internal }',
      'flow user -> ui "ask" { kind prompt }',
      'flow loose -> ui "push" { kind prompt }',
      "",
    ].join("\n"),
  });
  assert.ok(small.ok, dump(small));
  const sx = diagramIndex(analyzeModel(small.model));
  const index = (name: string) => sx.model.components.findIndex((c) => c.name === name);
  const zone = (name: string) => sx.model.zones.findIndex((z) => z.name === name);
  assert.equal(
    ["user", "ui", "loose"].map((c) => [zone("outer"), zone("inner")].map((z) => inSubtree(sx, index(c), z))),
    [
      [true, false],
      [true, true],
      [false, false],
    ],
  );
  assert.equal(
    [...sx.inFrom.subarray(sx.inStart[index("ui")], sx.inStart[index("ui") + 1])],
    [index("user"), index("loose")],
  );
});

test("file stems are safe on every file system and never shared", () => {
  assert.is(fileStem("kb_index"), "kb_index");
  assert.is(fileStem("eu-west.a1"), "eu-west.a1");
  const upper = fileStem("VPC");
  assert.match(upper, /^vpc-[0-9a-f]{8}$/);
  assert.is.not(upper, fileStem("vpc"));
  assert.is.not(fileStem("Vpc"), fileStem("VPC"));
  assert.match(fileStem("données"), /^donnees-[0-9a-f]{8}$/);
  assert.match(fileStem("日本"), /^[0-9a-f]{8}$/);
  const long = fileStem(`a${"b".repeat(300)}`);
  assert.ok(long.length <= 70, long);
  for (const name of ["CON", "aux", "a.b", "x-2", "NUL", "名前", "A".repeat(80)]) {
    const s = fileStem(name);
    assert.match(s, /^[a-z0-9_][a-z0-9_.-]*$/, name);
    assert.not.match(s, /[.-]$/, name);
    assert.not.match(s, /--/, `${name}: \`--\` marks parts`);
  }
  // Zones `x` (in parts) and `x-2` cannot collide: parts use `--`, which no name contains.
  assert.is.not(`zone-${fileStem("x")}--2`, `zone-${fileStem("x-2")}`);
});
test.run();
