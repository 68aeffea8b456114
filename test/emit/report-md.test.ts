/**
 * report.md: the sections a reader expects, in order; counts that agree with the findings; caps with
 * "and N more" on large models; and `--templates` overrides (a team's template is used; a broken or
 * misnamed one is a usage error that writes nothing).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { analyzeModel } from "../../src/compiler.js";
import { plainView, type FindingView } from "../../src/emit/findings-view.js";
import {
  HTML,
  MARKDOWN,
  MARKDOWN_CELL,
  owaspUrl,
  REPORT_LIMITS,
  reportData,
  reportView,
} from "../../src/emit/report-view.js";
import { reportMdEmitter, tidyMarkdown } from "../../src/emit/report-md.js";
import { EMITTERS, releaseAfter, writeOrder } from "../../src/emit/index.js";
import { reportHtmlEmitter } from "../../src/emit/report-html.js";
import { OWASP } from "../../src/catalog/frameworks.js";
import { compileTemplate } from "../../src/emit/templates.js";
import type { DiagramView } from "../../src/emit/diagrams/index.js";
import { frontEnd, dump } from "../helpers/compile.js";
import { REPO, compileToDir, openThreats } from "./report-helpers.js";

const RAG = path.join(REPO, "samples/rag-support");

test("report.md has every section, in order", async () => {
  const run = await compileToDir([RAG]);
  try {
    assert.is(run.code, 0, run.stderr);
    const md = run.read("report.md");
    const sections = [...md.matchAll(/^## (.+)$/gm)].map((m) => m[1]);
    assert.equal(sections, [
      "Summary",
      "System at a glance",
      "Crown jewels and their exposure",
      "Top attack paths",
      "Open findings by severity",
      "Findings by component",
      "Mitigated findings",
      "Accepted findings",
      "Assumptions",
    ]);
    // The overview and at least one attack path are drawn.
    assert.ok((md.match(/^```mermaid$/gm) ?? []).length >= 2);
    // Every open threat finding is shown in detail (the sample is below every cap) with where it fired.
    const findings = JSON.parse(run.read("findings.json")) as {
      findings: FindingView[];
      rules: Record<string, { category: string }>;
    };
    const open = findings.findings.filter(
      (f) => f.status === "open" && findings.rules[f.rule]!.category === "threat",
    );
    assert.ok(open.length > 5);
    for (const f of open) assert.ok(md.includes(`#### \`${f.id}\` `), `${f.id} has a section`);
    assert.ok(
      /\(`samples\/rag-support\/support-assistant\.aithreat:\d+`\)/.test(md),
      "facts carry file:line",
    );
    assert.ok(md.includes("](https://atlas.mitre.org/techniques/AML.T"), "ATLAS links");
    assert.ok(md.includes("](https://genai.owasp.org/"), "OWASP links");
    assert.ok(md.includes("](https://doi.org/10.6028/NIST.AI.100-2e2025)"), "NIST links");
  } finally {
    run.cleanup();
  }
});

test("crown-jewel table: chokepoints per entry class, as paths.json has them; an unreached crown jewel says so", async () => {
  const run = await compileToDir([path.join(REPO, "samples/fine-tuning")]);
  try {
    assert.is(run.code, 0, run.stderr);
    const md = run.read("report.md");
    const row = (crown: string, property: string) =>
      md.split("\n").find((l) => l.startsWith(`| \`${crown}\` `) && l.includes(` | ${property} | `)) ?? "";
    // Every path from user input crosses customer_portal, but none from the dataset hub does: one
    // list over all classes would say both cross it.
    const mix = row("training_mix", "integrity");
    assert.ok(
      mix.includes(
        "| user input: `customer_portal`, `raw_bucket`, `pii_scrub`, `contract_corpus`; external data, supply chain: `web_corpus` |",
      ),
      mix,
    );
    // A disclosure adds its way out.
    assert.ok(
      row("contract_llm", "confidentiality").includes(
        "; way out: `model_registry`, `review_api`, `customer_portal` |",
      ),
    );
    // No entry reaches it: no blank cells.
    assert.ok(
      row("customer_contracts", "confidentiality").endsWith("| – | not reachable: nothing to cut |"),
      row("customer_contracts", "confidentiality"),
    );
    // Each class's chokepoints of paths.json, in its order, follow the class's label.
    const paths = JSON.parse(run.read("paths.json")) as {
      targets: {
        crown: string;
        property: string;
        chokepoints: { entryClass: string; components: string[] }[];
      }[];
    };
    for (const t of paths.targets)
      for (const c of t.chokepoints) {
        if (c.components.length === 0 || c.components.length > 5) continue;
        const cell = row(t.crown, t.property);
        const names = c.components.map((n) => `\`${n}\``).join(", ");
        assert.ok(
          new RegExp(
            `${c.entryClass.replace("_", " ")}(, [a-z ]+)?: ${names.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}(;| \\|)`,
          ).test(cell),
          `${t.crown} ${t.property} ${c.entryClass}: ${cell}`,
        );
      }
  } finally {
    run.cleanup();
  }
});

/** The sample's analysis with its findings repeated `times` (distinct ids), to exercise the caps. */
function inflated(times: number) {
  const text = fs.readFileSync(path.join(RAG, "support-assistant.aithreat"), "utf8");
  const front = frontEnd({ "model.aithreat": text });
  assert.ok(front.ok, dump(front));
  const analysis = analyzeModel(front.model);
  const findingsView = Array.from({ length: times }, (_, i) =>
    analysis.findingsView.map((f) => ({
      ...plainView(f),
      id: `${f.id}#${String(i).padStart(4, "0")}`,
      fingerprint: `${f.fingerprint}${i}`,
    })),
  ).flat();
  return { ...analysis, findingsView };
}

test("a cheapest cut of many controls names the first ones in its cell and counts the rest", () => {
  const analysis = inflated(1);
  const cut = analysis.pathsView.cut;
  const many = Array.from({ length: REPORT_LIMITS.cutItems + 8 }, (_, i) => ({
    ...cut.controls[0]!,
    on: `tool${String(i).padStart(2, "0")}`,
  }));
  const big = { ...analysis, pathsView: { ...analysis.pathsView, cut: { ...cut, controls: many } } };
  const [file] = reportMdEmitter.emit({ analysis: big, toolVersion: "test" });
  const row = String(file!.contents)
    .split("\n")
    .find((l) => l.startsWith("| cheapest cut |"))!;
  assert.ok(row.includes(`\`tool${String(REPORT_LIMITS.cutItems - 1).padStart(2, "0")}\``), row);
  assert.not.ok(row.includes(`\`tool${REPORT_LIMITS.cutItems}\``), row);
  assert.ok(row.includes(" and 8 more (paths.json lists every one)"), row);
});

test("large models: each section lists up to its cap and says how many more", () => {
  const analysis = inflated(40);
  const data = reportData(analysis, { toolVersion: "test" });
  const view = reportView(data, MARKDOWN, MARKDOWN_CELL);
  const high = data.open.find((g) => g.severity === "high")!;
  assert.ok(high.findings.length > REPORT_LIMITS.findingsPerSeverity);
  const g = view.open.find((x) => x.count === high.findings.length)!;
  assert.is(g.findings.length, REPORT_LIMITS.findingsPerSeverity);
  assert.is(g.more, high.findings.length - REPORT_LIMITS.findingsPerSeverity);
  assert.is(view.mitigated.rows.length, Math.min(REPORT_LIMITS.statusRows, data.mitigated.length));
  assert.is(view.mitigated.more, Math.max(0, data.mitigated.length - REPORT_LIMITS.statusRows));
  const [file] = reportMdEmitter.emit({ analysis, toolVersion: "test" });
  const md = String(file!.contents);
  assert.ok(md.includes(`…and ${g.more} more open high findings`), "the report says how many more");
  // The counts are over every finding, not the shown ones.
  assert.ok(md.includes(`| high | ${high.findings.length} |`), "severity table counts all");
});

test("zone and agent views: a table of links up to its cap, then how many more and where they all are", () => {
  const data = reportData(inflated(1), { toolVersion: "test" });
  assert.ok(
    data.views.length > 0 && data.views.length < REPORT_LIMITS.viewRows,
    "the sample is below the cap",
  );
  const extra = 7;
  const many: DiagramView[] = Array.from({ length: REPORT_LIMITS.viewRows + extra }, (_, i) => ({
    id: `zone-z${String(i).padStart(3, "0")}`,
    title: `Zone ${i} | <b>`,
    kind: "zone",
    mermaid: "flowchart LR\n",
    nodes: i + 1,
  }));
  const view = reportView({ ...data, views: many }, MARKDOWN, MARKDOWN_CELL);
  assert.is(view.views.length, REPORT_LIMITS.viewRows);
  assert.is(view.viewsMore, extra);
  const md = tidyMarkdown(compileTemplate("report.md.hbs")(view));
  assert.ok(
    md.includes("| Zone 0 \\| &lt;b&gt; | zone | 1 | [`diagrams/zone-z000.mmd`](diagrams/zone-z000.mmd) |"),
    "a row: title escaped for its cell, kind, nodes, the file linked",
  );
  const last = REPORT_LIMITS.viewRows - 1;
  assert.ok(md.includes(`(diagrams/zone-z${String(last).padStart(3, "0")}.mmd)`), "the last listed view");
  assert.not.ok(md.includes(`zone-z${REPORT_LIMITS.viewRows}.mmd`), "past the cap: not listed");
  assert.ok(md.includes(`…and ${extra} more (\`diagrams/index.md\` lists every view).`), md);
  assert.ok(md.includes("[`diagrams/index.md`](diagrams/index.md)"), "the index is linked");
  assert.is(reportView({ ...data, views: many }, HTML, HTML).viewsMore, extra, "report.html says so too");
  // The same data gives the same bytes.
  assert.is(
    tidyMarkdown(
      compileTemplate("report.md.hbs")(reportView({ ...data, views: many }, MARKDOWN, MARKDOWN_CELL)),
    ),
    md,
  );
});

test("a link to an output file encodes its path: a name can never end the link or leave the folder", () => {
  assert.is(String(MARKDOWN.fileLink("diagrams/zone-a.mmd")), "[`diagrams/zone-a.mmd`](diagrams/zone-a.mmd)");
  assert.is(
    String(MARKDOWN_CELL.fileLink("diagrams/a(b) c|d.mmd")),
    "[`diagrams/a(b) c\\|d.mmd`](diagrams/a%28b%29%20c%7Cd.mmd)",
  );
  assert.is(String(MARKDOWN.fileLink("diagrams/x~2.mmd")), "[`diagrams/x~2.mmd`](diagrams/x~2.mmd)");
});

test("report data is sorted: most severe first, then by id", () => {
  const data = reportData(inflated(2), { toolVersion: "test" });
  for (const g of data.open)
    for (let i = 1; i < g.findings.length; i++) assert.ok(g.findings.at(i - 1)!.id < g.findings.at(i)!.id);
  const ranks = data.subjects.map((s) => s.worst);
  assert.equal(
    ranks,
    [...ranks].sort((a, b) => a - b),
  );
});

function templatesDir(files: Record<string, string>): { dir: string; cleanup: () => void } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-templates-"));
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text);
  return { dir, cleanup: () => fs.rmSync(dir, { recursive: true, force: true }) };
}

test("--templates: a team's template replaces the built-in one by file name", async () => {
  const t = templatesDir({
    "report.md.hbs":
      "# {{title}}\n\nOpen: {{openCount}}\n{{#each open}}{{#each findings}}{{> finding-md}}{{/each}}{{/each}}",
  });
  const run = await compileToDir([RAG], ["--templates", t.dir]);
  try {
    assert.is(run.code, 0, run.stderr);
    const md = run.read("report.md");
    // `openCount` counts open threats (`openThreats`: assumptions left out).
    const open = openThreats(run.read("findings.json")).length;
    assert.ok(open > 5, `${open} open threats`);
    assert.ok(md.startsWith(`# Acme Support Assistant\n\nOpen: ${open}\n`), md.slice(0, 200));
    assert.ok(md.includes("- **Why it fired**"), "built-in partials still apply");
    assert.ok(run.read("checklist.md").includes("# Mitigation checklist"), "other templates stay built-in");
  } finally {
    run.cleanup();
    t.cleanup();
  }
});

test("--templates: a field the view lacks is an error naming the template; nothing is written", async () => {
  const t = templatesDir({ "checklist.md.hbs": "{{title}} {{no_such_field}}" });
  const run = await compileToDir([RAG], ["--templates", t.dir]);
  try {
    assert.is(run.code, 2, run.stderr);
    assert.match(run.stderr, /AT9002/);
    assert.match(
      run.stderr,
      /template `checklist\.md\.hbs`: `no_such_field` \(line 1, column 13\) is not a field of what this template is given/,
    );
    assert.not.match(run.stderr, /object Object/);
    assert.not.ok(fs.existsSync(run.out), "no output folder");
  } finally {
    run.cleanup();
    t.cleanup();
  }
});

test("--templates: a field the view lacks given to a helper is an error too, not an empty branch", async () => {
  // Handlebars' strict mode checked `{{field}}` only: these took the empty branch without a word.
  const cases: Record<string, string> = {
    "{{#if mitigatd}}x{{/if}}": "`mitigatd` (line 1, column 7)",
    "{{#each open}}{{#unless cont}}x{{/unless}}{{/each}}": "`cont` (line 1, column 25)",
    "{{#each findigs}}x{{/each}}": "`findigs` (line 1, column 9)",
    '{{lookup nothing "x"}}': "`nothing` (line 1, column 10)",
    "{{#with overveiw}}x{{/with}}": "`overveiw` (line 1, column 9)",
    // A block parameter's field, and lookup's key, were printed as nothing.
    "{{#each systems as |s|}}[{{s.titel}}]{{/each}}": "`titel` (line 1, column 28)",
    '{{lookup this "nope"}}': "`nope` (line 1, column 1)",
    '{{#if (lookup this "nope")}}x{{/if}}': "`nope` (line 1, column 7)",
  };
  // Said in words, not as JavaScript's TypeError.
  const onText = templatesDir({ "report.md.hbs": "{{#each severities as |s|}}{{s.length}}{{/each}}" });
  const text = await compileToDir([RAG], ["--templates", onText.dir]);
  try {
    assert.is(text.code, 2, text.stderr);
    assert.match(text.stderr, "`length` is read from a text or a number, which has no fields");
  } finally {
    text.cleanup();
    onText.cleanup();
  }
  for (const [text, field] of Object.entries(cases)) {
    const t = templatesDir({ "report.md.hbs": text });
    const run = await compileToDir([RAG], ["--templates", t.dir]);
    try {
      assert.is(run.code, 2, `${text}: ${run.stderr}`);
      assert.ok(
        run.stderr.includes(
          `template \`report.md.hbs\`: ${field} is not a field of what this template is given`,
        ),
        `${text}: ${run.stderr}`,
      );
    } finally {
      run.cleanup();
      t.cleanup();
    }
  }
  // Fields the view has stay lenient where they are empty or null, and the built-in templates,
  // compiled at run time from a copy, give the built-in report.
  const copy = templatesDir({
    "report.md.hbs": `${fs.readFileSync(path.join(REPO, "templates/report.md.hbs"), "utf8")}\n`,
    "_path-md.hbs": `${fs.readFileSync(path.join(REPO, "templates/_path-md.hbs"), "utf8")}\n`,
    "_finding-md.hbs": `${fs.readFileSync(path.join(REPO, "templates/_finding-md.hbs"), "utf8")}\n`,
  });
  const run = await compileToDir([RAG], ["--templates", copy.dir]);
  const builtin = await compileToDir([RAG], []);
  try {
    assert.is(run.code, 0, run.stderr);
    assert.is(run.read("report.md").trimEnd(), builtin.read("report.md").trimEnd());
  } finally {
    for (const x of [run, builtin, copy]) x.cleanup();
  }
});

test("--templates: a partial that includes itself, and a helper called bare, are said in words", async () => {
  const loop = templatesDir({
    "report.md.hbs": "# {{title}}\n{{#each open}}{{> finding-md}}{{/each}}",
    "_finding-md.hbs": "{{> finding-md}}",
  });
  const bare = templatesDir({ "report.md.hbs": "# {{title}} {{lookup}}" });
  const a = await compileToDir([RAG], ["--templates", loop.dir]);
  const b = await compileToDir([RAG], ["--templates", bare.dir]);
  try {
    assert.is(a.code, 2, a.stderr);
    assert.match(
      a.stderr,
      /AT9002: template `_finding-md\.hbs`: it never finishes: a partial includes itself/,
    );
    assert.is(b.code, 2, b.stderr);
    assert.match(
      b.stderr,
      /AT9002: template `report\.md\.hbs`: a helper was called without the arguments it needs/,
    );
  } finally {
    for (const x of [a, b, loop, bare]) x.cleanup();
  }
});

test("--templates: a syntax error and a misnamed file are usage errors", async () => {
  const broken = templatesDir({ "report.md.hbs": "{{#each open}} unclosed" });
  const misnamed = templatesDir({ "reprot.md.hbs": "x" });
  const a = await compileToDir([RAG], ["--templates", broken.dir]);
  const b = await compileToDir([RAG], ["--templates", misnamed.dir]);
  const c = await compileToDir([RAG], ["--templates", path.join(misnamed.dir, "missing")]);
  try {
    assert.is(a.code, 2, a.stderr);
    assert.match(a.stderr, /template `report\.md\.hbs`/);
    // What the parser expected, not only "Parse error on line 1:" with nothing after it.
    assert.match(a.stderr, /Parse error on line 1: expecting .*'OPEN_ENDBLOCK'.*, got 'EOF'/);
    assert.is(b.code, 2, b.stderr);
    assert.match(b.stderr, /holds `reprot\.md\.hbs`, which overrides no template/);
    assert.is(c.code, 2, c.stderr);
    assert.match(c.stderr, /is not a folder/);
  } finally {
    for (const x of [a, b, c, broken, misnamed]) x.cleanup();
  }
});

test("--templates: a built-in partial given the wrong view by a team's template is a usage error", async () => {
  // `finding-md` expects one finding; the whole report's view has no `id`. The built-in partial
  // fails, but the override is what called it wrongly: not an internal error.
  const t = templatesDir({ "report.md.hbs": "# {{title}}\n{{> finding-md}}" });
  const run = await compileToDir([RAG], ["--templates", t.dir]);
  try {
    assert.is(run.code, 2, run.stderr);
    assert.not.match(run.stderr, /AT9999|internal error/);
    assert.match(
      run.stderr,
      /AT9002: template `report\.md\.hbs`: the partial it calls failed: template `_finding-md\.hbs`: `id` \(line \d+, column \d+\) is not a field/,
    );
    assert.not.ok(fs.existsSync(run.out), "no output folder");
  } finally {
    run.cleanup();
    t.cleanup();
  }
});

test("--templates: a template name that is a folder or a broken link is a usage error", async () => {
  const folder = templatesDir({});
  fs.mkdirSync(path.join(folder.dir, "report.md.hbs"));
  const link = templatesDir({});
  fs.symlinkSync(path.join(link.dir, "gone.hbs"), path.join(link.dir, "checklist.md.hbs"));
  const a = await compileToDir([RAG], ["--templates", folder.dir]);
  const b = await compileToDir([RAG], ["--templates", link.dir]);
  try {
    assert.is(a.code, 2, a.stderr);
    assert.not.match(a.stderr, /AT9999|internal error/);
    assert.match(a.stderr, /AT9002: `--templates .*` holds `report\.md\.hbs`, which is not a file/);
    // A dangling link used to fall back to the built-in template without a word.
    assert.is(b.code, 2, b.stderr);
    assert.match(b.stderr, /AT9002: `--templates .*` holds `checklist\.md\.hbs`, a broken symbolic link/);
    assert.not.ok(fs.existsSync(a.out) || fs.existsSync(b.out), "no output folder");
  } finally {
    for (const x of [a, b, folder, link]) x.cleanup();
  }
});

test("--templates: `log` is no helper, so a template cannot print into stdout's JSON document", async () => {
  // Handlebars' `log` wrote to the console: `compile --format json` printed the text before the
  // findings, and stdout was no longer one JSON document.
  const t = templatesDir({ "report.md.hbs": '{{log "debugging"}}# {{title}}' });
  const run = await compileToDir([RAG], ["--templates", t.dir, "--format", "json"]);
  try {
    assert.is(run.code, 2, run.stderr);
    assert.not.match(run.stdout + run.stderr, /debugging/);
    const doc = JSON.parse(run.stdout) as { diagnostics: { code: string; message: string }[] };
    assert.is(doc.diagnostics.length, 1, run.stdout);
    assert.is(doc.diagnostics[0]!.code, "AT9002");
    assert.match(
      doc.diagnostics[0]!.message,
      /template `report\.md\.hbs`: `log` \(line 1, column 1\) is not a helper templates can use; they have `if`, `unless`, `each`, `with` and `lookup`/,
    );
    assert.not.ok(fs.existsSync(run.out), "no output folder");
  } finally {
    run.cleanup();
    t.cleanup();
  }
});

test("OWASP ids link to their own entry's page where it is known, else to their list's", () => {
  const pages = new Set<string>();
  for (const list of [OWASP.llm2025, OWASP.ml2023])
    for (const e of list.entries) {
      const url = owaspUrl(e.id)!;
      assert.match(url, /^https:\/\/(genai\.)?owasp\.org\/.+/, e.id);
      assert.is.not(url, list.source, `${e.id} has a page of its own`);
      const number = /^(?:LLM|ML)(\d\d):/.exec(e.id)![1]!;
      assert.ok(
        url.toLowerCase().includes(`${e.id.startsWith("ML") ? "ml" : "llm"}${number}`),
        `${e.id}: ${url}`,
      );
      pages.add(url);
    }
  assert.is(pages.size, 20, "twenty different pages");
  for (const e of OWASP.agentic2026.entries) assert.is(owaspUrl(e.id), OWASP.agentic2026.source, e.id);
  const rag = compileToDir([path.join(REPO, "samples/rag-support")]);
  return rag.then((run) => {
    try {
      assert.match(run.read("report.md"), "(https://genai.owasp.org/llmrisk/llm01-prompt-injection/)");
    } finally {
      run.cleanup();
    }
  });
});

test("findings by component: each row names the component's open findings, each open threat in its row", async () => {
  const run = await compileToDir([RAG]);
  try {
    const md = run.read("report.md");
    const section = md.slice(md.indexOf("## Findings by component"), md.indexOf("## Mitigated findings"));
    const rows = section.split("\n").filter((l) => /^\| `/.test(l));
    assert.ok(rows.length > 3, section);
    const named = new Map<string, string>();
    for (const row of rows) {
      const cells = row.split(" | ");
      const subject = /^\| `([^`]+)`/.exec(row)![1]!;
      for (const [, id] of cells[cells.length - 1]!.matchAll(/`([^`]+)`/g)) {
        assert.not.ok(named.has(id!), `${id} named twice`);
        named.set(id!, subject);
      }
    }
    const findings = openThreats(run.read("findings.json"));
    assert.equal([...named.keys()].sort(), findings.map((f) => f.id).sort());
    for (const f of findings) assert.is(named.get(f.id), f.subject.name, f.id);
  } finally {
    run.cleanup();
  }
});

test("the report data is given back after the last report is written, not before", () => {
  const text = fs.readFileSync(path.join(RAG, "support-assistant.aithreat"), "utf8");
  const front = frontEnd({ "model.aithreat": text });
  assert.ok(front.ok, dump(front));
  const ctx = { analysis: analyzeModel(front.model), toolVersion: "test" };
  const data = () => reportData(ctx.analysis, ctx);
  const first = data();
  assert.is(data(), first, "read again: the same data");
  const at = (e: unknown) => EMITTERS.findIndex((x) => x === e);
  releaseAfter(EMITTERS, at(reportMdEmitter), ctx);
  assert.is(data(), first, "report.html still reads it");
  releaseAfter(EMITTERS, EMITTERS.length - 1, ctx);
  assert.is(data(), first, "an emitter that reads none leaves it");
  releaseAfter(EMITTERS, at(reportHtmlEmitter), ctx);
  const again = data();
  assert.is.not(again, first, "given back after report.html");
  const written = () => String(reportMdEmitter.emit(ctx)[0]!.contents);
  const fromAgain = written();
  releaseAfter(EMITTERS, at(reportHtmlEmitter), ctx);
  assert.is(fromAgain, written(), "and built again the same");
  // Without report.html, report.md is the last reader.
  releaseAfter([reportMdEmitter], 0, ctx);
  assert.is.not(data(), again);
});

test("compile makes the outputs built whole before the streamed ones, each output once", () => {
  const ordered = writeOrder(EMITTERS);
  assert.equal(
    [...ordered].sort((a, b) => a.name.localeCompare(b.name)),
    [...EMITTERS].sort((a, b) => a.name.localeCompare(b.name)),
  );
  const at = (name: string) => ordered.findIndex((e) => e.name === name);
  for (const whole of ["report.md", "report.html", "checklist", "diagrams"])
    for (const streamed of [
      "findings.json",
      "findings.sarif",
      "findings.junit.xml",
      "paths.json",
      "metrics.json",
    ])
      assert.ok(at(whole) >= 0 && at(whole) < at(streamed), `${whole} before ${streamed}`);
  // The order of a kind is the registry's.
  assert.ok(at("report.md") < at("report.html") && at("findings.json") < at("metrics.json"));
});

test.run();
