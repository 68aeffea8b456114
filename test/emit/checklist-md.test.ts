/**
 * checklist.md written in TypeScript (checklist-md.ts) gives exactly what Handlebars gives for
 * templates/checklist.md.hbs, on every sample, the hostile fixture and views built to take every
 * branch of the template; it is used only for that template's exact text. Also `tidyMarkdown`'s
 * shortcut for text with nothing to collapse.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import Handlebars from "handlebars";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  checklistData,
  checklistEmitter,
  checklistView,
  checklistViewer,
  type ChecklistView,
} from "../../src/emit/checklist.js";
import { CHECKLIST_MD_SHA256, checklistMarkdown } from "../../src/emit/checklist-md.js";
import type { EmitContext } from "../../src/emit/emitter.js";
import { MARKDOWN, type Safe } from "../../src/emit/report-view.js";
import { tidyMarkdown } from "../../src/emit/report-md.js";
import { renderWith, TEMPLATE_OPTIONS, templateDigest } from "../../src/emit/templates.js";
import { cachedSampleContext, memoryContext, REPO, SAMPLES } from "../helpers/outputs.js";

const templateText = fs.readFileSync(path.join(REPO, "templates/checklist.md.hbs"), "utf8");
/** The template compiled by Handlebars itself, from its text (not the precompiled form). */
const handlebars = Handlebars.create().compile(templateText, TEMPLATE_OPTIONS);

const same = (view: ChecklistView, what: string) =>
  assert.fixture(checklistMarkdown(view), handlebars(view), what);

test("the digest is the built-in template's: a changed template must change checklist-md.ts too", () => {
  assert.is(
    templateDigest(templateText),
    CHECKLIST_MD_SHA256,
    "templates/checklist.md.hbs changed: make checklistMarkdown lay it out and update CHECKLIST_MD_SHA256",
  );
});

const hostile = () =>
  memoryContext({
    "hostile.aithreat": fs.readFileSync(path.join(REPO, "test/emit/fixtures/hostile.aithreat"), "utf8"),
  });

test("every sample and the hostile fixture: the same text as Handlebars, capped and not", () => {
  const contexts: [string, EmitContext][] = [
    ...SAMPLES.map((s): [string, EmitContext] => [s, cachedSampleContext(s)]),
    ["hostile", hostile()],
  ];
  for (const [name, ctx] of contexts) {
    const data = checklistData(ctx.analysis, { toolVersion: "1.2.3", generatedAt: "2026-01-02T03:04:05Z" });
    // Caps of 1 and 2 leave subjects, findings and done lists out: the "more" lines.
    for (const cap of [undefined, 1, 2]) same(checklistView(data, MARKDOWN, cap), `${name}, cap ${cap}`);
    same(checklistView(checklistData(ctx.analysis, { toolVersion: "t" }), MARKDOWN), `${name}, no time`);
    // Each owner's file of a split checklist: its header, its share of the cut, its section.
    const viewer = checklistViewer(MARKDOWN);
    for (const o of data.owners)
      for (const cap of [Infinity, 1])
        same(
          { ...viewer.head(data, o), owners: [viewer.owner(o, cap)] },
          `${name}, ${o.owner} alone, cap ${cap}`,
        );
  }
});

const s = (x: string) => x as Safe;
type Owner = ChecklistView["owners"][number];
type Subject = Owner["subjects"][number];
type Finding = Subject["findings"][number];

const task = (bypassed: boolean, atlas: string) => ({
  control: s("`c`"),
  title: s("Control  title "),
  atlas: s(atlas),
  bypassed,
});
const finding = (tasks: Finding["tasks"]): Finding => ({
  id: s("`R-1:x`"),
  title: s("Rule title"),
  severity: s("high"),
  message: s("a message with `code`"),
  where: s("`m.aithreat:3`"),
  tasks,
});
const done = (impliedBy: string, atlas: string): Subject["done"][number] => ({
  control: s("`d`"),
  title: s("Done"),
  atlas: s(atlas),
  where: s("`m.aithreat:9`"),
  impliedBy: s(impliedBy),
  mitigates: s("`R-2:x`, `R-3:x`"),
});
const subject = (over: Partial<Subject>): Subject => ({
  subject: s("`x`"),
  kind: s("agent"),
  title: s(""),
  system: s(""),
  accepted: 0,
  findings: [],
  done: [],
  ...over,
});
const owner = (over: Partial<Owner>): Owner => ({
  owner: s("team"),
  hasOwner: true,
  open: 3,
  subjects: [],
  more: 0,
  moreSubjects: 0,
  ...over,
});
const view = (owners: Owner[], generatedAt = ""): ChecklistView => ({
  title: s("T"),
  toolVersion: s("v"),
  generatedAt: s(generatedAt),
  open: 0,
  todo: 7,
  controls: 3,
  done: 0,
  cut: { total: s(""), share: false, tasks: [], more: 0, uncuttable: s("") },
  owners,
});

test("views taking every branch of the template: the same text as Handlebars", () => {
  same(view([]), "no owners");
  same(view([], "2026"), "no owners, generated at");
  const subjects = [
    subject({}),
    subject({ title: s("A title"), system: s("Sys") }),
    subject({ title: s("only title") }),
    subject({ system: s("only system"), accepted: 2 }),
    subject({ findings: [finding([])] }),
    subject({
      findings: [
        finding([task(true, ""), task(false, "AML"), task(true, "AML, M2")]),
        finding([task(false, "")]),
      ],
      done: [done("", ""), done("`impl`", "AML")],
      accepted: 1,
    }),
    subject({ done: [done("`i`", "")] }),
    subject({ done: [done("", "x")], accepted: 5 }),
  ];
  for (const [more, moreSubjects] of [
    [0, 0],
    [4, 0],
    [4, 2],
    [0, 2],
  ] as const) {
    same(view([owner({ subjects, more, moreSubjects })]), `more ${more}, moreSubjects ${moreSubjects}`);
    same(
      view([
        owner({ hasOwner: false, owner: s("no owner"), subjects: [], more, moreSubjects }),
        owner({ subjects }),
      ]),
      `no owner first, more ${more}, moreSubjects ${moreSubjects}`,
    );
  }
  // The cheapest cut: tasks with and without an owner and ATLAS ids, uncuttable places, either alone.
  const cutTask = (owner: string, atlas: string) => ({
    control: s("`c`"),
    title: s("C"),
    atlas: s(atlas),
    on: s("`x`"),
    owner: s(owner),
    cost: 3,
    where: s("`f:1`"),
  });
  const tasks = [cutTask("", ""), cutTask("team", "AML"), cutTask("", "AML, M2")];
  for (const [t, uncuttable] of [
    [tasks, ""],
    [tasks, "`u`, `v`"],
    [[], "`u`"],
  ] as const) {
    for (const [share, more] of [
      [false, 0],
      [true, 0],
      [true, 2],
    ] as const) {
      const withCut = (owners: Owner[]) => ({
        ...view(owners),
        cut: { total: s("5"), share, tasks: [...t], more, uncuttable: s(uncuttable) },
      });
      const what = `cut of ${t.length} tasks, uncuttable ${uncuttable}, share ${share}, ${more} more`;
      same(withCut([]), `${what}, no owners`);
      same(withCut([owner({ subjects })]), what);
    }
  }
});

test("renderWith: the direct renderer for the built-in text (or an identical override), Handlebars otherwise", () => {
  const direct = { sha256: CHECKLIST_MD_SHA256, render: checklistMarkdown };
  assert.is(renderWith("checklist.md.hbs", undefined, direct), checklistMarkdown);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-checklist-md-"));
  try {
    fs.writeFileSync(path.join(dir, "checklist.md.hbs"), templateText);
    assert.is(renderWith("checklist.md.hbs", dir, direct), checklistMarkdown);
    fs.writeFileSync(path.join(dir, "checklist.md.hbs"), "Custom {{title}}: {{open}} open\n");
    const render = renderWith("checklist.md.hbs", dir, direct);
    assert.is.not(render, checklistMarkdown);
    assert.is(render(view([])), "Custom T: 0 open\n");
    // The emitter follows the override too.
    const ctx = cachedSampleContext(SAMPLES[0]!);
    const md = checklistEmitter.emit({ ...ctx, templatesDir: dir }).find((f) => f.path === "checklist.md")!;
    assert.match(String(md.contents), /^Custom .*: \d+ open\n$/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});

/** tidyMarkdown as it was before its shortcut: the replacements always run. */
const tidyAlways = (text: string) =>
  `${text
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;

test("tidyMarkdown: the shortcut for tidy text gives what the replacements give", () => {
  const cases = [
    "a\nb\n\n",
    "  lead\n",
    "a \nb",
    "a\t\nb",
    "a \rb",
    "a \u2028b",
    "a\t\u2029b",
    "end \t",
    "a\n\n\nb",
    "a\n \n\nb",
    "\u00a0a\u00a0",
    "",
  ];
  // Random texts over the characters that matter, from a fixed seed.
  let seed = 7;
  const next = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  const alphabet = [" ", "\t", "\n", "\r", "\u2028", "a", "…", "\u00a0"];
  for (let i = 0; i < 2000; i++) {
    let t = "";
    for (let n = next() % 12; n > 0; n--) t += alphabet[next() % alphabet.length];
    cases.push(t);
  }
  for (const c of cases) assert.is(tidyMarkdown(c), tidyAlways(c), JSON.stringify(c));
});

test.run();
