/**
 * checklist.md split by owner when the whole checklist is over its size limit (`--checklist-max-kb`):
 * an index of the owners with their counts and links, and `checklist/<owner>.md` per owner, each
 * under the limit, together holding every open finding once (each owner's whole section unless that
 * alone is over the limit). File names safe and distinct for hostile owners; samples stay one file.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { marked } from "marked";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { generateModel } from "../../bench/gen/generate.js";
import { generatedFrontEnd } from "../../bench/gen/front-end.js";
import { analyzeModel } from "../../src/compiler.js";
import { fileStem } from "../../src/emit/diagrams/model-index.js";
import {
  CHECKLIST_MAX_BYTES,
  checklistData,
  checklistEmitter,
  checklistPerOwner,
  checklistViewer,
  ownerFileStems,
} from "../../src/emit/checklist.js";
import type { EmitContext, OutputFile } from "../../src/emit/emitter.js";
import { MARKDOWN, REPORT_LIMITS, SEVERITY_ORDER } from "../../src/emit/report-view.js";
import { VERSION } from "../../src/cli/version.js";
import { cachedSampleContext, SAMPLES } from "../helpers/outputs.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { TEST_TODAY } from "../helpers/compile.js";
import { compileToDir, elements, markdownTokens, REPO, textOf } from "./report-helpers.js";
import type { Tokens } from "marked";

// A generated organisation of four teams (and components nobody owns): about 1.3 MB of checklist.
const generated = generateModel({ components: 600, files: 4, seed: 3 });
const ctx: EmitContext = (() => {
  const front = generatedFrontEnd(generated.files);
  if (!front.ok) throw new Error("the generated model has errors");
  return { analysis: analyzeModel(front.model), toolVersion: VERSION };
})();
const open = ctx.analysis.findingsView.filter((f) => f.status === "open");

const text = (f: OutputFile) =>
  typeof f.contents === "string" ? f.contents : Buffer.from(f.contents).toString("utf8");
const bytes = (f: OutputFile) => Buffer.byteLength(text(f));
const markdownFiles = (maxBytes: number) =>
  checklistEmitter.emit({ ...ctx, checklistMaxBytes: maxBytes }).filter((f) => f.path.endsWith(".md"));
// A limit far above the checklist's size: one file, every open finding in it.
const whole = markdownFiles(100_000_000);

/** `aithreat compile` in-process on a model folder of its own (its root), into `<dir>/out`. */
async function compileIn(dir: string, extra: string[]) {
  const out = path.join(dir, "out");
  const io = bufferIo({}, dir);
  const code = await main(["compile", dir, "--out", out, "--today", TEST_TODAY, "--root", dir, ...extra], io);
  return { code, stderr: io.stderr, read: (f: string) => fs.readFileSync(path.join(out, f), "utf8"), out };
}
const wholeBytes = bytes(whole[0]!);

/** The open finding ids a checklist file lists as tasks. */
const listed = (md: string) => [...md.matchAll(/^- \[ \] `([^`]+)` \*\*/gm)].map((m) => m[1]!);

type Element = ReturnType<typeof elements>[number];

/** The elements under `e` with this tag name, in document order. */
function under(e: Element, tag: string): Element[] {
  const out: Element[] = [];
  const visit = (n: Element) => {
    for (const c of n.childNodes)
      if ("tagName" in c) {
        if (c.tagName === tag) out.push(c);
        visit(c);
      }
  };
  visit(e);
  return out;
}

/**
 * The rows of the index's owner table as GitHub would show them (rendered, then read as text), each
 * with the link of its last cell; every row of the Markdown table has the header's column count.
 */
function indexRows(md: string): { cells: string[]; href: string }[] {
  const token = markdownTokens(md).find(
    (t): t is Tokens.Table => t.type === "table" && (t as Tokens.Table).header[0]?.text === "owner",
  );
  assert.ok(token, "the index has the owners' table");
  for (const row of token.rows) assert.is(row.length, token.header.length, "a row keeps its columns");
  const table = elements(marked.parse(md, { async: false })).find(
    (e) => e.tagName === "table" && textOf(under(e, "th")[0]!) === "owner",
  )!;
  assert.equal(under(table, "th").map(textOf), [
    "owner",
    "open",
    ...SEVERITY_ORDER,
    "tasks to do",
    "controls",
    "declared",
    "checklist",
  ]);
  return under(table, "tr")
    .slice(1)
    .map((tr) => {
      const cells = under(tr, "td");
      const links = under(cells.at(-1)!, "a");
      assert.is(links.length, 1, textOf(tr));
      return { cells: cells.map(textOf), href: links[0]!.attrs.find((a) => a.name === "href")!.value };
    });
}

test("the generated model's checklist is larger than the limits tested", () => {
  assert.is(whole.length, 1, "under the limit: one file");
  assert.ok(wholeBytes > 1_000_000, `${wholeBytes} bytes`);
  assert.is(listed(text(whole[0]!)).length, open.length, "under the limit: every open finding");
});

test("`--checklist-max-kb 0`: one file of any size, each owner still capped by count", () => {
  const files = markdownFiles(0);
  assert.is(files.length, 1);
  const md = text(files[0]!);
  const owners = new Set(open.map((f) => f.owner)).size;
  const cap = checklistPerOwner(owners);
  const ids = listed(md);
  // Every owner's section lists at most the cap, and says how many more it leaves to checklist.csv.
  const more = [...md.matchAll(/…and (\d+) more open findings/g)].map((m) => Number(m[1]));
  assert.ok(more.length > 0, "some owner is over the cap");
  assert.is(ids.length + more.reduce((a, b) => a + b, 0), open.length);
  for (const owner of new Set(open.map((f) => f.owner))) {
    const mine = new Set(open.filter((f) => f.owner === owner).map((f) => f.id));
    assert.ok(ids.filter((id) => mine.has(id)).length <= cap, `${owner}`);
  }
});

test("split: the index lists every owner with its counts, each link to a file written, each capped", () => {
  const limit = Math.ceil(wholeBytes / 2);
  const files = markdownFiles(limit);
  const byPath = new Map(files.map((f) => [f.path, f]));
  const index = text(byPath.get("checklist.md")!);
  const rows = indexRows(index);
  // Counted here from the findings, independently of the checklist.
  const owners = [...new Set(open.map((f) => f.owner))];
  assert.is(rows.length, owners.length);
  assert.ok(owners.length >= 5 && owners.includes(undefined), owners.join(", "));
  const ownerFiles = files.filter((f) => f.path.startsWith("checklist/"));
  assert.is(ownerFiles.length, owners.length, "one file per owner");
  const cap = checklistPerOwner(owners.length);
  let capped = 0;
  let counted = 0;
  for (const { cells, href } of rows) {
    const name = cells[0] === "no owner" ? undefined : cells[0];
    const mine = open.filter((f) => f.owner === name);
    assert.ok(mine.length > 0, `owner ${cells[0]}`);
    const counts = SEVERITY_ORDER.map((s) => mine.filter((f) => f.severity === s).length);
    const todo = mine.reduce((n, f) => n + f.recommended.length, 0);
    const controls = new Set(mine.flatMap((f) => f.recommended.map((r) => r.control))).size;
    assert.equal(cells.slice(1, 8), [mine.length, ...counts, todo].map(String), `counts of ${cells[0]}`);
    assert.is(cells[8], String(controls));
    const file = byPath.get(href);
    assert.ok(file, `${href} is written`);
    assert.equal(cells[10], href, "the link shows its file");
    // The file is that owner's: its open findings up to the per-owner cap (the limit holds that
    // much), the rest counted.
    const ids = listed(text(file));
    const mineIds = new Set(mine.map((f) => f.id));
    for (const id of ids) assert.ok(mineIds.has(id), `${id} is ${cells[0]}'s`);
    const more = /…and (\d+) more open findings/.exec(text(file));
    if (mine.length <= cap) {
      assert.is(ids.length, mine.length, href);
      assert.is(more, null, href);
    } else {
      assert.ok(ids.length <= cap && ids.length >= cap / 2, `${href}: ${ids.length} listed, cap ${cap}`);
      assert.is(ids.length + Number(more?.[1]), mine.length, `${href} counts what it leaves out`);
      capped++;
    }
    counted += ids.length + Number(more?.[1] ?? 0);
  }
  assert.ok(capped > 0, "the cap left some findings to checklist.csv");
  assert.is(counted, open.length, "every open finding listed or counted");
  // No open finding in two owners' files; the index lists none of them as a task.
  const all = ownerFiles.flatMap((f) => listed(text(f)));
  assert.is(new Set(all).size, all.length);
  assert.is(listed(index).length, 0);
  for (const f of files) assert.ok(bytes(f) <= limit, `${f.path}: ${bytes(f)} bytes over ${limit}`);
});

test("split with owners each over the limit: every file under it, the rest counted", () => {
  const limit = 60_000;
  const files = markdownFiles(limit);
  const seen = new Set<string>();
  let truncated = 0;
  for (const f of files) {
    const md = text(f);
    assert.ok(bytes(f) <= limit, `${f.path}: ${bytes(f)} bytes over ${limit}`);
    if (f.path === "checklist.md") continue;
    const ids = listed(md);
    for (const id of ids) {
      assert.not.ok(seen.has(id), `${id} in two files`);
      seen.add(id);
    }
    const owner = open.find((x) => x.id === ids[0])!.owner;
    const mine = open.filter((x) => x.owner === owner);
    const more = /…and (\d+) more open findings/.exec(md);
    if (!more) {
      assert.is(ids.length, mine.length, f.path);
      continue;
    }
    truncated++;
    assert.is(ids.length + Number(more[1]), mine.length, `${f.path} counts what it leaves out`);
    // Components with the most severe findings first, as in one file: the owner's worst is listed.
    const rank = (id: string) => SEVERITY_ORDER.indexOf(open.find((x) => x.id === id)!.severity);
    assert.is(Math.min(...ids.map(rank)), Math.min(...mine.map((x) => rank(x.id))), f.path);
    // Close to the limit: not cut far below it.
    assert.ok(bytes(f) > limit * 0.9, `${f.path}: ${bytes(f)} bytes`);
  }
  assert.ok(truncated >= 4, `${truncated} owners' files cut`);
});

test("the same model gives the same files, byte for byte, through the CLI's atomic writer", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-split-"));
  try {
    const small = generateModel({ components: 300, files: 3, seed: 5 });
    for (const f of small.files) {
      fs.mkdirSync(path.dirname(path.join(dir, f.path)), { recursive: true });
      fs.writeFileSync(path.join(dir, f.path), f.text);
    }
    const runs = [];
    for (let i = 0; i < 2; i++) {
      const run = await compileIn(dir, ["--only", "checklist", "--checklist-max-kb", "40"]);
      assert.is(run.code, 0, run.stderr);
      const names = fs.readdirSync(path.join(run.out, "checklist")).sort();
      runs.push([run.read("checklist.md"), ...names.map((n) => `${n}\n${run.read(`checklist/${n}`)}`)]);
    }
    assert.ok(runs[0]!.length > 3, `${runs[0]!.length - 1} owner files`);
    assert.equal(runs[0], runs[1]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("`--checklist-max-kb` takes a whole number, as the other caps do", async () => {
  const run = await compileToDir([path.join(REPO, "samples/rag-support")], ["--checklist-max-kb", "1e3"]);
  run.cleanup();
  assert.is(run.code, 2);
  assert.match(run.stderr, /error AT9002: `--checklist-max-kb`/);
});

test("every sample's checklist fits in one file (its golden checklist.md)", () => {
  for (const sample of SAMPLES) {
    const paths = checklistEmitter.emit(cachedSampleContext(sample)).map((f) => f.path);
    assert.equal(paths, ["checklist.md", "checklist.csv"], sample);
    const md = checklistEmitter.emit(cachedSampleContext(sample))[0]!;
    assert.ok(bytes(md) < CHECKLIST_MAX_BYTES / 10, sample);
  }
});

const HOSTILE_OWNERS = [
  "<script>alert(1)</script>",
  "../../etc/passwd",
  "`tick` | pipe",
  "Équipe données",
  "CON",
  "con",
  "Team",
  "team",
  "[x](https://evil.example)",
  "nul.txt",
  'a/b\\c:d*e?f"g<h>i|j',
  "x".repeat(300),
];

test("hostile owners: safe, distinct file names; escaped cells and headings; links to the files", async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-owners-"));
  try {
    const lines = HOSTILE_OWNERS.map(
      (o, i) => `  endpoint e${i} "E${i}" { exposure public  auth none  owner ${JSON.stringify(o)} }`,
    );
    fs.writeFileSync(
      path.join(dir, "model.aithreat"),
      `zone dmz "DMZ" {\n  trust untrusted\n${lines.join("\n")}\n  endpoint nobody "Nobody" { exposure public  auth none }\n}\n`,
    );
    const run = await compileIn(dir, ["--only", "checklist", "--checklist-max-kb", "4"]);
    {
      assert.is(run.code, 0, run.stderr);
      const names = fs.readdirSync(path.join(run.out, "checklist")).sort();
      assert.is(names.length, HOSTILE_OWNERS.length + 1);
      assert.is(new Set(names.map((n) => n.toLowerCase())).size, names.length, "distinct, whatever the case");
      for (const n of names) {
        assert.match(n, /^(owner-[a-z0-9_.-]+|no-owner)\.md$/);
        assert.ok(n.length <= 90, n);
        assert.not.match(n, /^(con|prn|aux|nul|com\d|lpt\d)(\.|$)/, n);
      }
      const index = run.read("checklist.md");
      const rows = indexRows(index);
      assert.equal(rows.map((r) => r.cells[0]).sort(), [...HOSTILE_OWNERS, "no owner"].sort());
      for (const { cells, href } of rows) {
        assert.match(href, /^checklist\/(owner-[a-z0-9_.-]+|no-owner)\.md$/);
        assert.ok(names.includes(href.slice("checklist/".length)), href);
        // Each owner's file is that owner's: its heading shows the name exactly.
        const html = marked.parse(run.read(href), { async: false });
        const h2 = elements(html)
          .filter((e) => e.tagName === "h2")
          .map(textOf);
        const heading = cells[0] === "no owner" ? "no owner (1 open)" : `Owner: ${cells[0]} (1 open)`;
        assert.ok(h2.includes(heading), `${href}: ${h2.join(" / ")}`);
      }
      // Nothing but the owners' files and ATLAS pages is linked, and no raw HTML but aithreat's comment.
      for (const t of markdownTokens(index)) {
        if (t.type === "link")
          assert.match(
            (t as Tokens.Link).href,
            /^(checklist\/[a-z0-9_.-]+\.md|https:\/\/atlas\.mitre\.org\/)/,
          );
        if (t.type === "html") assert.match(t.raw.trim(), /^<!-- Generated by aithreat\./);
      }
    }
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("ownerFileStems: stable per name, distinct even when a name reads like another's folded form", () => {
  const folded = fileStem("A");
  assert.match(folded, /^a-[0-9a-f]{8}$/);
  const owners = ["A", folded, "a", undefined, "no-owner", "owner-a"];
  const stems = ownerFileStems(owners);
  assert.is(new Set(stems).size, owners.length, stems.join(" "));
  assert.is(stems[1], `owner-${folded}`, "the name that is already a stem keeps it");
  assert.is(stems[2], "owner-a");
  assert.is(stems[3], "no-owner");
  assert.is(stems[4], "owner-no-owner");
  // Without the clash, "A" keeps its short stem: a file's name depends on its owner's name alone.
  assert.equal(ownerFileStems(["A", "b"]), [`owner-${folded}`, "owner-b"]);
  assert.equal(ownerFileStems(["b", "A"]), ["owner-b", `owner-${folded}`]);
});

test("an overridden checklist template lays out the single file and each owner's file; the index is built in", () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-split-templates-"));
  try {
    fs.writeFileSync(
      path.join(dir, "checklist.md.hbs"),
      "Custom {{open}} open{{#each owners}}, owner {{owner}}{{/each}}{{#each cut.tasks}}, cut {{on}}{{/each}}\n",
    );
    const files = checklistEmitter
      .emit({ ...ctx, templatesDir: dir, checklistMaxBytes: 60_000 })
      .filter((f) => f.path.endsWith(".md"));
    assert.match(text(files[0]!), /^<!-- Generated by aithreat\./, "the index is aithreat's own");
    for (const f of files.slice(1))
      assert.match(text(f), /^Custom \d+ open, owner [^,]+(, cut `[^`]+`)*\n$/, f.path);
    // Small enough for one file: the template is given the whole checklist, as before.
    const one = checklistEmitter.emit({ ...cachedSampleContext("rag-support"), templatesDir: dir });
    assert.match(text(one[0]!), /^Custom \d+ open(, owner [^,]+){2,}/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

test("an owner's file lists its share of the cheapest cut up to the per-owner cap, and counts the rest", () => {
  const d = checklistData(ctx.analysis, { toolVersion: VERSION });
  const task = d.cut!.tasks[0]!;
  const o = d.owners.find((x) => x.owner === task.owner)!;
  const cap = REPORT_LIMITS.checklistFindingsPerOwner;
  // The same task many times over for one owner, as a platform team owning shared components may have.
  const many = { ...d, cut: { ...d.cut!, tasks: Array.from({ length: cap + 7 }, () => task) } };
  const head = checklistViewer(MARKDOWN).head(many, o);
  assert.is(head.cut.tasks.length, cap);
  assert.is(head.cut.more, 7);
  assert.ok(head.cut.share);
  const few = checklistViewer(MARKDOWN).head(d, o);
  assert.is(few.cut.more, 0);
  assert.is(few.cut.tasks.length, d.cut!.tasks.filter((t) => t.owner === o.owner).length);
});

test.run();
