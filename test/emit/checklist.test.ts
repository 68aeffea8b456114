/**
 * The checklist: grouped by owner then component, every open finding with the controls that would
 * mitigate it, declared controls marked done; checklist.csv complete, RFC 4180, formula-safe.
 */
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CSV_COLUMNS,
  checklistEmitter,
  checklistData,
  checklistPerOwner,
  checklistView,
  csvField,
  ownerTasks,
  severityCounts,
} from "../../src/emit/checklist.js";
import { plainView, type FindingView } from "../../src/emit/findings-view.js";
import { MARKDOWN, REPORT_LIMITS } from "../../src/emit/report-view.js";
import { analyzeModel } from "../../src/compiler.js";
import { frontEnd, dump } from "../helpers/compile.js";
import { REPO, compileToDir, parseCsv } from "./report-helpers.js";
import { SAMPLES, cachedSampleContext, memoryContext, OVERRIDDEN_APPROVAL } from "../helpers/outputs.js";
import fs from "node:fs";

test("csvField: RFC 4180 quoting", () => {
  assert.is(csvField("plain"), "plain");
  assert.is(csvField("a,b"), '"a,b"');
  assert.is(csvField('say "hi"'), '"say ""hi"""');
  assert.is(csvField("two\nlines"), '"two\nlines"');
  assert.is(csvField("cr\r"), '"cr\r"');
  assert.is(csvField(""), "");
});

test("csvField: hidden characters (control, bidirectional overrides) become spaces", () => {
  assert.is(csvField("invoice\u202Efdp.exe"), "invoice fdp.exe");
  assert.is(csvField("a\u001b[2Jb"), "a [2Jb");
  assert.is(csvField("tab\tkept"), "tab\tkept");
});

test("csvField: cells a spreadsheet would run as a formula start with an apostrophe", () => {
  assert.is(csvField("=1+1"), "'=1+1");
  assert.is(csvField("+SUM(A1)"), "'+SUM(A1)");
  assert.is(csvField("-2"), "'-2");
  assert.is(csvField("@cmd"), "'@cmd");
  assert.is(csvField("\tx"), "'\tx");
  assert.is(csvField('=HYPERLINK("x","y")'), `"'=HYPERLINK(""x"",""y"")"`);
  assert.is(csvField("a=b"), "a=b", "only a leading character counts");
});

const text = fs.readFileSync(path.join(REPO, "samples/rag-support/support-assistant.aithreat"), "utf8");
const front = frontEnd({ "model.aithreat": text });
const analysis = analyzeModel(front.model);
const data = checklistData(analysis, { toolVersion: "test" });

test("grouped by owner (named owners sorted, then none) and component (most severe first)", () => {
  assert.ok(front.ok, dump(front));
  const owners = data.owners.map((o) => o.owner);
  assert.equal(owners, [...owners].sort());
  assert.ok(owners.includes("support-ops") && owners.includes("support-platform"));
  const rank = (f: FindingView | undefined) =>
    ["critical", "high", "medium", "low", "info", undefined].indexOf(f?.severity);
  for (const o of data.owners) {
    const worst = o.subjects.map((s) => rank(s.open.at(0)));
    assert.equal(
      worst,
      [...worst].sort((a, b) => a - b),
      `${o.owner}: components by worst finding`,
    );
    for (const s of o.subjects) for (const f of s.open) assert.is(f.owner, o.owner);
  }
});

test("every open finding is listed once, with its recommended controls", () => {
  const open = analysis.findingsView.filter((f) => f.status === "open");
  const listed = data.owners.flatMap((o) => o.subjects.flatMap((s) => s.open.slice()));
  assert.equal(listed.map((f) => f.id).sort(), open.map((f) => f.id).sort());
  assert.is(data.open, open.length);
  assert.is(data.tasks.todo, open.flatMap((f) => f.recommended.filter((r) => !r.declared)).length);
});

test("controls already declared are done: the ones that mitigate findings, where they are declared", () => {
  const support = data.owners.find((o) => o.owner === "support-platform")!;
  const bot = support.subjects.find((s) => s.subject.name === "support_bot")!;
  const done = bot.done.map((d) => `${d.control}:${d.mitigates.map((id) => id).join(",")}`);
  assert.ok(done.includes("rate_limit:AT-22:support_bot"), done.join(" "));
  assert.ok(done.includes("spotlighting:AT-25:support_bot"), done.join(" "));
  const view = checklistView(data, MARKDOWN);
  const botView = view.owners
    .find((o) => o.owner === "support\\-platform")!
    .subjects.find((s) => s.subject === "`support_bot`")!;
  assert.ok(botView.done.length === bot.done.length);
  assert.ok(botView.findings[0]!.tasks.every((t) => !t.bypassed));
});

test("a subject mitigated by many control uses lists each control at each place once, with what it mitigates", () => {
  // Findings built here, so one subject carries more declared controls than the checklist scans in
  // place (it indexes them past 8): each control at two lines, one of them at two columns, each use
  // met again on other findings through a location object of its own.
  const base = plainView(analysis.findingsView.find((f) => f.status === "mitigated")!);
  const file = base.location.file;
  const at = (line: number, column: number) => ({ file, line, column, endLine: line, endColumn: column + 1 });
  const findings: FindingView[] = [];
  for (let i = 0; i < 24; i++) {
    const uses = [];
    for (let c = 0; c < 12; c++)
      if ((i + c) % 3 !== 0)
        uses.push({
          control: `control_${c % 12}`,
          location: at(100 + (i % 2), c === 5 && i % 4 === 1 ? 9 : 1),
        });
    findings.push({ ...base, id: `${base.rule}:many_${String(i).padStart(2, "0")}`, mitigatedBy: uses });
  }
  const got = checklistData({ ...analysis, findingsView: findings }, { toolVersion: "test" });
  const subjects = got.owners.flatMap((o) => o.subjects);
  assert.is(subjects.length, 1);
  // An independent grouping: one entry per control and place, findings sorted, entries by control
  // then line (then first seen).
  const expected = new Map<string, { control: string; line: number; column: number; mitigates: string[] }>();
  for (const f of findings)
    for (const u of f.mitigatedBy) {
      const key = `${u.control} ${u.location.line} ${u.location.column}`;
      const e = expected.get(key) ?? {
        control: u.control,
        line: u.location.line,
        column: u.location.column,
        mitigates: [],
      };
      e.mitigates.push(f.id);
      expected.set(key, e);
    }
  const want = [...expected.values()]
    .sort((a, b) => (a.control < b.control ? -1 : a.control > b.control ? 1 : a.line - b.line))
    .map((e) => `${e.control}@${e.line}:${e.column} ${[...e.mitigates].sort().join(",")}`);
  const done = subjects[0]!.done.map(
    (d) => `${d.control}@${d.location.line}:${d.location.column} ${d.mitigates.map((id) => id).join(",")}`,
  );
  assert.ok(want.length > 8, `${want.length} entries`);
  assert.equal(done, want);
  assert.is(got.tasks.done, want.length);
});

test("findings on one subject view but with different owners are grouped under each owner", () => {
  const open = analysis.findingsView.filter((f) => f.status === "open");
  const first = open[0]!;
  const moved = { ...plainView(open[1]!), subject: first.subject, owner: "someone-else" };
  const got = checklistData({ ...analysis, findingsView: [first, moved] }, { toolVersion: "test" });
  const where = got.owners.map(
    (o) => `${o.owner ?? ""}: ${o.subjects.flatMap((s) => s.open.map((f) => f.id)).join(",")}`,
  );
  assert.equal(where, [`${first.owner ?? ""}: ${first.id}`, `someone-else: ${moved.id}`].sort());
});

test("checklist.md caps each owner and says how many more are in checklist.csv", () => {
  const view = checklistView(data, MARKDOWN, 3);
  const o = view.owners.find((x) => x.owner === "support\\-platform")!;
  assert.is(
    o.subjects.reduce((n, s) => n + s.findings.length, 0),
    3,
  );
  assert.is(o.more, o.open - 3);
  assert.ok(o.moreSubjects > 0);
});

test("a split checklist's owners share the total, each keeps at least 10 and at most the per-owner cap", () => {
  const { checklistFindings: total, checklistFindingsPerOwner: cap } = REPORT_LIMITS;
  for (const owners of [1, 2, 25, 26, 40, 400, 4000]) {
    const each = checklistPerOwner(owners);
    assert.ok(each <= cap && each >= 10, `${owners} owners: ${each}`);
    // The total is kept unless that would leave an owner fewer than 10 findings.
    if (each > 10) assert.ok(each * owners <= total, `${owners} owners: ${each} each`);
    // Never lower than needed: one more each would break the total or the cap.
    assert.ok(each === cap || (each + 1) * owners > total || each === 10, `${owners} owners: ${each}`);
  }
  assert.is(checklistPerOwner(1), cap);
});

test("checklist.csv: a row per open finding and control, plus done controls; imports as a table", async () => {
  const run = await compileToDir([path.join(REPO, "samples/rag-support")]);
  try {
    assert.is(run.code, 0, run.stderr);
    const csv = run.read("checklist.csv");
    assert.ok(csv.endsWith("\r\n"));
    const [header, ...rows] = parseCsv(csv);
    assert.equal(header, [...CSV_COLUMNS]);
    const col = (c: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(c);
    const todo = rows.filter((r) => r[col("state")] === "todo");
    // The cheapest cut's tasks (no finding of their own) are paths.json's whole-model cut, in order.
    const cutRows = todo.filter((r) => r[col("title")] === "Cheapest cut" && r[col("finding")] === "");
    const cut = (
      JSON.parse(run.read("paths.json")) as { cut: { controls: { control: string; on: string }[] } }
    ).cut;
    assert.ok(cut.controls.length > 0, "rag-support has a cut");
    assert.equal(
      cutRows.map((r) => `${r[col("control")]} on ${r[col("component")]}`),
      cut.controls.map((c) => `${c.control} on ${c.on}`),
    );
    assert.is(todo.length - cutRows.length, data.tasks.todo);
    const done = rows.filter((r) => r[col("state")] === "done");
    assert.ok(done.some((r) => r[col("control")] === "rate_limit" && r[col("component")] === "support_bot"));
    for (const r of todo) {
      assert.match(r[col("location")]!, /^samples\/rag-support\/support-assistant\.aithreat:\d+$/);
      assert.match(r[col("atlas_mitigations")]!, /^(AML\.M\d{4}( AML\.M\d{4})*)?$/);
      assert.ok(r[col("summary")]!.startsWith(`Add ${r[col("control")]} to ${r[col("component")]}`));
    }
  } finally {
    run.cleanup();
  }
});

for (const sample of SAMPLES)
  test(`checklist.csv of sample ${sample}: each task's summary names its control, subject, rule and title`, () => {
    const ctx = cachedSampleContext(sample);
    const csv = checklistEmitter.emit(ctx).find((f) => f.path === "checklist.csv")!.contents as string;
    const [, ...rows] = parseCsv(csv);
    const col = (c: (typeof CSV_COLUMNS)[number]) => CSV_COLUMNS.indexOf(c);
    const open = ctx.analysis.findingsView.filter((f) => f.status === "open");
    let tasks = 0;
    for (const r of rows) {
      assert.is(r.length, CSV_COLUMNS.length, `row ${r.join(",")}`);
      const [control, subject, rule, title] = [
        r[col("control")]!,
        r[col("component")]!,
        r[col("rule")]!,
        r[col("title")]!,
      ];
      // Done controls (no severity) and findings without a recommended control are not tasks here.
      if (!control || !r[col("severity")]) continue;
      tasks++;
      // Written as it is when no part needs quoting, else through csvField: the same cell either way.
      // A control the subject declares that this finding goes around is a task, said so.
      const bypassed = open
        .find((f) => f.id === r[col("finding")])
        ?.recommended.some((x) => x.control === control && x.bypassed);
      const summary =
        r[col("state")] !== "todo"
          ? `${control} is declared on ${subject} (${rule} ${title})`
          : bypassed
            ? `${control} is declared on ${subject} but does not count for ${rule} (${title})`
            : `Add ${control} to ${subject} for ${rule} (${title})`;
      assert.is(r[col("summary")], summary);
    }
    assert.is(
      tasks,
      open.reduce((n, f) => n + f.recommended.length, 0),
    );
  });

test("checklist.md's header counts tasks (a control for a finding) and the distinct controls they name", () => {
  // agent-mcp recommends human_approval, least_privilege and others under many findings: the tasks
  // are far more than the controls, and the header must not call the tasks "controls".
  const ctx = cachedSampleContext("agent-mcp");
  const md = checklistEmitter.emit(ctx).find((f) => f.path === "checklist.md")!.contents as string;
  const open = ctx.analysis.findingsView.filter((f) => f.status === "open");
  const todo = open.flatMap((f) => f.recommended.filter((r) => !r.declared));
  const distinct = new Set(todo.map((r) => r.control)).size;
  assert.ok(distinct < todo.length);
  assert.ok(
    md.includes(
      `${open.length} open findings; ${todo.length} tasks to do, one per finding and control (${distinct} distinct controls),`,
    ),
    md.split("\n").slice(0, 6).join("\n"),
  );
});

test("checklist.csv: a location in a file whose name needs quoting or starts like a formula is escaped", () => {
  const text = fs.readFileSync(path.join(REPO, "samples/rag-support/support-assistant.aithreat"), "utf8");
  for (const [file, cell] of [
    ["a,b.aithreat", (line: string) => `a,b.aithreat:${line}`],
    ["=x.aithreat", (line: string) => `'=x.aithreat:${line}`],
    ["plain.aithreat", (line: string) => `plain.aithreat:${line}`],
  ] as const) {
    const ctx = memoryContext({ [file]: text });
    const csv = checklistEmitter.emit(ctx).find((f) => f.path === "checklist.csv")!.contents as string;
    const [, ...rows] = parseCsv(csv);
    const at = CSV_COLUMNS.indexOf("location");
    const located = rows.filter((r) => r[at] !== "");
    assert.ok(located.length > 5, `${file}: ${located.length} located rows`);
    for (const r of located) {
      assert.is(r.length, CSV_COLUMNS.length, `${file}: row ${r.join(",")}`);
      assert.is(r[at], cell(/:(\d+)$/.exec(r[at]!)![1]!), file);
    }
  }
});

test("an agent's approval that a tool's own approval replaces is a task to do, not one done", () => {
  // `ops` declares human approval, but `wipe` states `approval none`, which replaces it for calls to
  // `wipe`: AT-36 on that call stays open, and the checklist must not tick the agent's approval off.
  const ctx = memoryContext({ "agents.aithreat": OVERRIDDEN_APPROVAL });
  const views = ctx.analysis.findingsView;
  const rec = (id: string) =>
    views.find((v) => v.id === id)!.recommended.find((r) => r.control === "human_approval")!;
  assert.is(views.find((v) => v.id === "AT-36:ops:wipe")!.status, "open");
  assert.is(rec("AT-36:ops:wipe").declared, false, "overridden: not declared where it counts");
  assert.is(views.find((v) => v.id === "AT-36:ops:notes")!.status, "mitigated");
  assert.is(rec("AT-36:ops:notes").declared, true, "the same control counts for the other tool");
  const md = checklistEmitter.emit(ctx).find((f) => f.path === "checklist.md")!.contents as string;
  const wipeSection = md.slice(md.indexOf("`AT-36:ops:wipe`"));
  const task = wipeSection.split("\n").find((l) => l.includes("human_approval"))!;
  assert.match(
    task,
    /^\s*- \[ \] `human_approval` .*: declared, but it does not count against this finding$/,
  );
  const csv = checklistEmitter.emit(ctx).find((f) => f.path === "checklist.csv")!.contents as string;
  const [, ...rows] = parseCsv(csv);
  const row = rows.find(
    (r) =>
      r[CSV_COLUMNS.indexOf("finding")] === "AT-36:ops:wipe" &&
      r[CSV_COLUMNS.indexOf("control")] === "human_approval",
  )!;
  assert.is(row[CSV_COLUMNS.indexOf("state")], "todo");
  const summary = row[CSV_COLUMNS.indexOf("summary")]!;
  assert.ok(summary.startsWith("human_approval is declared on ops but does not count for AT-36 ("), summary);
});

test("each owner's severity and task counts, counted while grouping, equal a count of its open findings", () => {
  for (const sample of SAMPLES) {
    const { analysis } = cachedSampleContext(sample);
    const d = checklistData(analysis, { toolVersion: "test" });
    for (const o of d.owners) {
      // A copy of the owner has no counts kept for it: its open findings are counted again.
      const counted = { ...o };
      assert.equal(severityCounts(o), severityCounts(counted), `${sample} ${o.owner}`);
      assert.equal(ownerTasks(o), ownerTasks(counted), `${sample} ${o.owner}`);
      let open = 0;
      for (const s of o.subjects) open += s.open.length;
      assert.is(
        severityCounts(o).reduce((a, b) => a + b, 0),
        open,
        `${sample} ${o.owner}`,
      );
    }
  }
});

test.run();
