/**
 * Rendering in a real headless Chromium (CI installs Debian's `chromium`): mermaid-cli draws sample
 * diagrams to SVG, PNG and PDF; failures are reported per diagram; `aithreat compile --render` (the
 * command itself) puts images in the output folder; and report.html draws every diagram offline, with a screenshot kept in
 * test/artifacts/. One browser serves all tests but the CLI one (which launches its own, as users do).
 *
 * Without a Chromium these tests fail and say what to install; `AITHREAT_SKIP_BROWSER_TESTS=1` skips
 * them instead, and the run reports them as skipped.
 */
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import type { Browser, Page } from "puppeteer";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { expandInputs } from "../../src/cli/inputs.js";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { nodeHost } from "../../src/cli/node-host.js";
import { analyzeModel, runFrontEnd } from "../../src/compiler.js";
import { diagramViews, type DiagramView } from "../../src/emit/diagrams/index.js";
import { findChromium, INSTALL_HINT } from "../../src/render/chromium.js";
import { launchChromium, renderDiagrams, svgProblem, svgSize } from "../../src/render/render-diagrams.js";
import { TEST_TODAY } from "../helpers/compile.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const ARTIFACTS = path.join(REPO, "test", "artifacts");
const SKIP = process.env["AITHREAT_SKIP_BROWSER_TESTS"] === "1";
const found = findChromium(process.env, undefined);
const chromium = "path" in found ? found.path : "";
// Opt-in skip for machines without a browser; uvu reports skipped tests, and CI never sets it.
const it = SKIP ? (name: string, fn: Parameters<typeof test>[1]) => test.skip(name, fn) : test;

let browser: Browser | undefined;
const temps: string[] = [];

test.before(async () => {
  if (!SKIP && chromium) browser = await launchChromium(chromium);
});

test.after(async () => {
  await browser?.close();
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-render-"));
  temps.push(dir);
  return dir;
}

function sampleViews(name: string): DiagramView[] {
  const front = runFrontEnd({
    inputs: expandInputs([path.join(REPO, "samples", name)]).files,
    root: REPO,
    host: nodeHost,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  assert.ok(front.ok);
  return diagramViews(analyzeModel(front.model, { paths: { k: 5 } }));
}

const html = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

it("a system Chromium is there for the rendering tests", () => {
  assert.ok(
    browser,
    `${"problem" in found ? found.problem : "no browser"}: ${INSTALL_HINT} (AITHREAT_SKIP_BROWSER_TESTS=1 skips these tests)`,
  );
});

it("mermaid-cli renders sample diagrams to SVG, PNG and PDF in one browser, the same bytes every time", async () => {
  assert.ok(browser);
  const views = sampleViews("rag-support");
  const ids = ["overview", "zone-assistant", "agent-support_bot", "path-customer_pii-confidentiality-1"];
  const picked = ids.map((id) => views.find((v) => v.id === id)!);
  const r = await renderDiagrams(picked, { chromium, formats: ["svg", "png", "pdf"], browser });
  assert.equal(r.failures, []);
  assert.equal(
    r.files.map((f) => f.path),
    ids.flatMap((id) => ["svg", "png", "pdf"].map((x) => `diagrams/${id}.${x}`)),
  );
  for (const v of picked) {
    const svg = new TextDecoder().decode(r.files.find((f) => f.path === `diagrams/${v.id}.svg`)!.contents);
    assert.ok(svg.startsWith("<svg"), v.id);
    assert.is(svgProblem(svg), undefined, v.id);
    // Mermaid's stylesheet names `.error-icon`; an error picture would use it on an element.
    assert.not.match(svg, /class="error-(?:icon|text)"/, v.id);
    assert.match(svg, new RegExp(`id="aithreat-${v.id}"`));
    // Every node is drawn, and carries its label (the first line of each node's label).
    const drawn = svg.match(/<g class="node [^"]*" id="aithreat-[^"]*-flowchart-/g) ?? [];
    assert.is(drawn.length, v.nodes, `${v.id}: nodes drawn`);
    for (const line of v.mermaid.split("\n")) {
      const m = /^\s+[A-Za-z0-9_]+[[({>/\\]+"([^"<#]+)/.exec(line);
      if (m) assert.ok(svg.includes(html(m[1]!.trim())), `${v.id}: label ${m[1]} in the SVG`);
    }
    const png = r.files.find((f) => f.path === `diagrams/${v.id}.png`)!.contents;
    assert.equal(
      [...png.slice(0, 8)],
      [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a],
      `${v.id}: PNG signature`,
    );
    const width = Buffer.from(png).readUInt32BE(16);
    assert.is(width, svgSize(svg).width * 2, `${v.id}: PNG at twice the SVG's width`);
    const pdf = Buffer.from(r.files.find((f) => f.path === `diagrams/${v.id}.pdf`)!.contents).toString(
      "latin1",
    );
    assert.ok(pdf.startsWith("%PDF-"), `${v.id}: PDF header`);
    assert.match(pdf, /\/Count 1\b/, `${v.id}: one page`);
    assert.match(pdf, /\/CreationDate \(D:20000101000000/);
  }
  const again = await renderDiagrams([picked[0]!], { chromium, formats: ["svg", "png", "pdf"], browser });
  for (const f of again.files)
    assert.ok(
      Buffer.from(f.contents).equals(Buffer.from(r.files.find((x) => x.path === f.path)!.contents)),
      `${f.path} differs between runs`,
    );
});

it("a diagram Mermaid cannot draw is reported and the others still render; the max-text-size picture is caught", async () => {
  assert.ok(browser);
  const good = { id: "good", mermaid: 'flowchart LR\n  n_a["Alpha"] --> n_b["Beta"]\n' };
  const r = await renderDiagrams([good, { id: "broken", mermaid: "flowchart LR\n  n_a -->\n" }], {
    chromium,
    formats: ["svg"],
    browser,
  });
  assert.equal(
    r.files.map((f) => f.path),
    ["diagrams/good.svg"],
  );
  assert.is(r.failures.length, 1);
  assert.is(r.failures[0]!.id, "broken");
  assert.match(r.failures[0]!.reason, /parse error/i);
  // Mermaid's answer over maxTextSize is a valid SVG saying so, not an error: it must not pass.
  const big = await renderDiagrams([good], { chromium, formats: ["svg"], browser, maxTextSize: 10 });
  assert.equal(big.files, []);
  assert.equal(big.failures, [
    { id: "good", reason: "mermaid says the diagram is over its maximum text size" },
  ]);
});

it("aithreat compile --render svg,pdf writes the images into the same output folder", () => {
  const dir = tempDir();
  fs.writeFileSync(
    path.join(dir, "model.aithreat"),
    'zone dc "Data centre" { trust internal\n  store db "Orders DB"\n  pipeline etl "Nightly ETL"\n}\nflow db -> etl { kind read }\n',
  );
  // The command itself, as users run it: the bundle through its code cache, which once had no
  // `import()` for puppeteer and mermaid-cli (render/packages.ts) and rendered nothing.
  const run = spawnSync(
    process.execPath,
    [
      path.join(REPO, "bin", "aithreat.js"),
      "compile",
      path.join(dir, "model.aithreat"),
      "--out",
      path.join(dir, "out"),
      "--render",
      "svg,pdf",
    ],
    {
      cwd: dir,
      encoding: "utf8",
      env: { ...process.env, AITHREAT_TODAY: TEST_TODAY, CHROMIUM_PATH: chromium },
    },
  );
  assert.is(run.status, 0, run.stderr);
  assert.match(run.stderr, /rendered 2 of 2 diagrams \(svg, pdf\)/);
  assert.not.match(run.stderr, /warning/i);
  const files = fs.readdirSync(path.join(dir, "out", "diagrams")).sort();
  // The index is not a diagram: it is listed, not rendered.
  assert.equal(files, [
    "index.md",
    "overview.mmd",
    "overview.pdf",
    "overview.svg",
    "zone-dc.mmd",
    "zone-dc.pdf",
    "zone-dc.svg",
  ]);
  const svg = fs.readFileSync(path.join(dir, "out", "diagrams", "overview.svg"), "utf8");
  assert.ok(svg.includes("Orders DB") && svg.includes("Nightly ETL"));
  // Nothing is left beside the output folder (the images went through the same atomic write).
  assert.equal(fs.readdirSync(dir).sort(), ["model.aithreat", "out"]);
});

/**
 * report.html opened with the network off (only the report itself and data: URLs load; the rest is
 * listed in `refused`) at 1280 px, and every dialog the page opens recorded and dismissed.
 */
async function openOffline(report: string): Promise<{ page: Page; refused: string[]; dialogs: string[] }> {
  assert.ok(browser);
  const page = await browser.newPage();
  const refused: string[] = [];
  const dialogs: string[] = [];
  await page.setViewport({ width: 1280, height: 2000 });
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (url === pathToFileURL(report).href || url.startsWith("data:")) void req.continue();
    else {
      refused.push(url);
      void req.abort();
    }
  });
  page.on("dialog", (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  // The report inlines Mermaid (3.5 MB of script): give a loaded machine time to parse it.
  await page.goto(pathToFileURL(report).href, { waitUntil: "load", timeout: 240_000 });
  return { page, refused, dialogs };
}

/** Waits until Mermaid has drawn every diagram of the page; checks each has an SVG and no error picture. */
async function allDrawn(page: Page): Promise<void> {
  const total = await page.$$eval("pre.mermaid", (els) => els.length);
  assert.ok(total > 0, "the report has diagrams");
  // Written as page source: it runs in the browser, where `document` exists.
  await page.waitForFunction(
    '[...document.querySelectorAll("pre.mermaid")].every((e) => e.getAttribute("data-processed") === "true")',
    { timeout: 240_000 },
  );
  const drawn = (await page.evaluate(
    '[...document.querySelectorAll("pre.mermaid")].map((e) => ({ svg: e.querySelector("svg") !== null, text: e.textContent ?? "" }))',
  )) as { svg: boolean; text: string }[];
  assert.is(drawn.filter((d) => d.svg).length, total, "every diagram has an SVG");
  for (const d of drawn) assert.not.match(d.text, /Syntax error|Maximum text size/);
  const errors = await page.$$eval(
    'pre.mermaid [class="error-icon"], pre.mermaid [class="error-text"]',
    (els) => els.length,
  );
  assert.is(errors, 0, "error pictures in the report");
}

it("report.html of the hostile model: every diagram drawn, no dialog, no request, no element from a name", async () => {
  const out = path.join(tempDir(), "out");
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, REPO);
  const model = "test/emit/fixtures/hostile.aithreat";
  assert.is(await main(["compile", model, "--out", out, "-q"], io), 0, io.stderr);
  const { page, refused, dialogs } = await openOffline(path.join(out, "report.html"));
  try {
    await page.evaluate('document.querySelectorAll("details").forEach((d) => { d.open = true; })');
    // The views draw once the main diagrams have: wait until none is left undrawn.
    await page.waitForFunction('document.querySelectorAll("pre.mermaid-later").length === 0', {
      timeout: 240_000,
    });
    await allDrawn(page);
    // Names, titles and reasons hold `<script>alert(...)`, `onerror=`, `javascript:` links and
    // Mermaid click directives: none may become markup, a handler, a link or a dialog.
    const found = (await page.evaluate(`({
      scripts: document.querySelectorAll("script").length,
      handlers: [...document.querySelectorAll("*")].filter((e) => [...e.attributes].some((a) => /^on/i.test(a.name))).length,
      links: [...document.querySelectorAll("a[href], [href]")].filter((e) => /^\\s*(javascript|data|vbscript):/i.test(e.getAttribute("href"))).length,
      clickable: document.querySelectorAll("pre.mermaid .clickable, pre.mermaid a").length,
    })`)) as { scripts: number; handlers: number; links: number; clickable: number };
    const templateScripts =
      fs.readFileSync(path.join(REPO, "templates/report.html.hbs"), "utf8").split("<script").length - 1;
    assert.equal(found, { scripts: templateScripts, handlers: 0, links: 0, clickable: 0 });
    assert.equal(dialogs, [], "dialogs opened by the page");
    assert.equal(refused, [], "requests beyond the report");
  } finally {
    await page.close();
  }
});

it("report.html draws every diagram offline in headless Chromium (screenshot in test/artifacts/)", async () => {
  assert.ok(browser);
  const out = path.join(tempDir(), "out");
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, REPO);
  assert.is(await main(["compile", "samples/rag-support", "--out", out, "-q"], io), 0, io.stderr);
  const { page, refused } = await openOffline(path.join(out, "report.html"));
  try {
    await allDrawn(page);
    // The zone and agent views wait closed, undrawn, and one draws when it is opened.
    const views = await page.$$eval("details.view", (els) => els.length);
    assert.ok(views > 0, "the report has zone and agent views");
    assert.is(await page.$$eval("details.view svg", (els) => els.length), 0, "no view drawn before opening");
    await page.click("details.view > summary");
    await page.waitForFunction('document.querySelector("details.view svg") !== null', { timeout: 60_000 });
    assert.is(await page.$$eval("details.view pre.mermaid-later", (els) => els.length), views - 1);
    // Every other view draws too when opened.
    await page.evaluate('document.querySelectorAll("details.view").forEach((d) => { d.open = true; })');
    await page.waitForFunction(`document.querySelectorAll("details.view svg").length === ${views}`, {
      timeout: 120_000,
    });
    assert.is(await page.$$eval("details.view pre.mermaid-later", (els) => els.length), 0);
    assert.is(
      await page.$$eval(
        'details.view [class="error-icon"], details.view [class="error-text"]',
        (els) => els.length,
      ),
      0,
      "error pictures in the views",
    );
    assert.equal(refused, [], "requests beyond the report");
    // Printed, a diagram is fitted to the page but never drawn larger than its own size (the
    // one-component path to chat_api filled a page), nor higher than a page leaves room for.
    await page.emulateMediaType("print");
    // (The zone and agent views print as names, their diagrams hidden: only drawn ones count.)
    const printedSizes = async () =>
      (await page.evaluate(`[...document.querySelectorAll("figure.diagram")]
        .map((f) => ({ f, svg: f.querySelector("pre.mermaid svg") }))
        .filter(({ svg }) => svg && svg.getBoundingClientRect().width > 0)
        .map(({ f, svg }) => ({ own: svg.viewBox.baseVal.width, shown: svg.getBoundingClientRect().width,
          high: svg.getBoundingClientRect().height, figure: f.getBoundingClientRect().height,
          maxHigh: parseFloat(getComputedStyle(svg).maxHeight) }))`)) as {
        own: number;
        shown: number;
        high: number;
        figure: number;
        maxHigh: number;
      }[];
    const printed = await printedSizes();
    assert.ok(printed.length > 3, `${printed.length} diagrams`);
    for (const d of printed) {
      assert.ok(d.shown <= d.own + 1, `printed ${d.shown} px wide, its own width ${d.own}`);
      assert.ok(d.high <= (23 / 2.54) * 96 + 1, `printed ${d.high} px high`);
    }
    assert.ok(
      printed.some((d) => d.own < 500 && Math.abs(d.shown - d.own) <= 1),
      "a small diagram prints at its own size",
    );
    // On the paper sizes the style sheet is made for (1.5 cm margins, 96 px to the inch), each
    // diagram with its caption fits on one page, whichever way round the page is.
    const cm = 96 / 2.54;
    for (const [paper, w, h] of [
      ["A4", 21, 29.7],
      ["Letter", 21.59, 27.94],
    ] as const)
      for (const landscape of [false, true]) {
        const [width, height] = (landscape ? [h, w] : [w, h]).map((x) => Math.floor((x - 3) * cm));
        await page.setViewport({ width: width!, height: height! });
        const across = (await page.evaluate(
          'matchMedia("print and (orientation: landscape)").matches',
        )) as boolean;
        assert.is(across, landscape, `${paper}: the landscape rule applies to landscape pages only`);
        for (const d of await printedSizes()) {
          assert.ok(d.shown <= width! + 1, `${paper}${landscape ? " landscape" : ""}: ${d.shown} px wide`);
          assert.ok(d.figure <= height!, `${paper}${landscape ? " landscape" : ""}: ${d.figure} px high`);
          // Any diagram, however tall, leaves a caption's room (40 px) on the page.
          assert.ok(
            d.maxHigh + 40 <= height!,
            `${paper}${landscape ? " landscape" : ""}: up to ${d.maxHigh} px`,
          );
        }
      }
    await page.setViewport({ width: 1280, height: 2000 });
    await page.emulateMediaType("screen");
    fs.mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({
      path: path.join(ARTIFACTS, "report-html.png"),
      fullPage: true,
      captureBeyondViewport: true,
    });
    assert.ok(fs.statSync(path.join(ARTIFACTS, "report-html.png")).size > 10_000);
  } finally {
    await page.close();
  }
});

/** fine-tuning's report.html (compiled once), open at a projector's 1280x720 with the network off. */
let meetingReport: string | undefined;
async function openAt1280(): Promise<Page> {
  assert.ok(browser);
  if (!meetingReport) {
    const out = path.join(tempDir(), "out");
    const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY }, REPO);
    assert.is(await main(["compile", "samples/fine-tuning", "--out", out, "-q"], io), 0, io.stderr);
    meetingReport = path.join(out, "report.html");
  }
  const report = meetingReport;
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 720 });
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    const url = req.url();
    if (url === pathToFileURL(report).href || url.startsWith("data:")) void req.continue();
    else void req.abort();
  });
  await page.goto(pathToFileURL(report).href, { waitUntil: "load", timeout: 240_000 });
  await page.waitForFunction('document.body.getAttribute("data-diagrams") === "rendered"', {
    timeout: 240_000,
  });
  return page;
}

it("report.html at 1280x720: every contents link lands its target in view, never under the sticky filter bar", async () => {
  const page = await openAt1280();
  try {
    const hrefs = (await page.evaluate(
      '[...document.querySelectorAll("#toc a")].map((a) => a.getAttribute("href"))',
    )) as string[];
    assert.ok(hrefs.length >= 9);
    for (const href of hrefs) {
      await page.click(`#toc a[href="${href}"]`);
      // Written as page source: it runs in the browser, where `document` exists.
      const seen = (await page.evaluate(`(() => {
        const target = document.getElementById(${JSON.stringify(href.slice(1))});
        const r = target.getBoundingClientRect();
        const bar = document.getElementById("filters").getBoundingClientRect();
        const covered = bar.top <= r.top + 2 && bar.bottom > r.top + 2;
        return { top: Math.round(r.top), barBottom: Math.round(bar.bottom), covered };
      })()`)) as { top: number; barBottom: number; covered: boolean };
      assert.ok(seen.top >= -1 && seen.top < 720, `${href} in view: ${JSON.stringify(seen)}`);
      assert.not.ok(seen.covered, `${href} under the filter bar: ${JSON.stringify(seen)}`);
    }
  } finally {
    await page.close();
  }
});

it("report.html filtered: each severity heading says how many of its findings are shown", async () => {
  const page = await openAt1280();
  try {
    // Written as page source: it runs in the browser, where `document` exists.
    const headings = async (component: string) =>
      (await page.evaluate(`(() => {
        const form = document.getElementById("filters");
        const select = form.querySelector('select[name="component"]');
        select.value = ${JSON.stringify(component)} || "";
        if (select.value === "" && ${JSON.stringify(component)} === "*") select.value = select.options[1].value;
        form.dispatchEvent(new Event("change"));
        return [...document.querySelectorAll(".severity-group")].filter((g) => !g.hidden).map((g) => ({
          note: g.querySelector(".group-shown").textContent,
          visible: g.querySelectorAll(".finding:not([hidden])").length,
          all: g.querySelectorAll(".finding").length,
        }));
      })()`)) as { note: string; visible: number; all: number }[];
    const one = await headings("*");
    assert.ok(one.length > 0, "a component's findings are shown");
    assert.ok(
      one.some((h) => h.visible < h.all),
      "the filter hides some findings of a shown severity",
    );
    for (const h of one) assert.is(h.note, ` (${h.visible} shown)`);
    const every = await headings("");
    for (const h of every) assert.is(h.note, "", "no note when nothing is filtered out");
  } finally {
    await page.close();
  }
});

it("report.html: a diagram scaled below its own size shows at full size on a click, fits again, and prints fitted", async () => {
  const page = await openAt1280();
  // Written as page source: it runs in the browser, where `document` exists.
  const state = async () =>
    (await page.evaluate(`(() => {
      const f = document.querySelector("#glance figure.diagram");
      const svg = f.querySelector("svg");
      return {
        zoomable: f.classList.contains("zoomable"),
        scale: svg.getBoundingClientRect().width / svg.viewBox.baseVal.width,
        frame: f.getBoundingClientRect().width,
        shown: svg.getBoundingClientRect().width,
        pageWidth: document.documentElement.scrollWidth,
        caption: f.querySelector("figcaption").textContent,
      };
    })()`)) as {
      zoomable: boolean;
      scale: number;
      frame: number;
      shown: number;
      pageWidth: number;
      caption: string;
    };
  try {
    // The overview of fine-tuning is some 6,600 px wide: fitted, its labels are a seventh of their size.
    const fitted = await state();
    assert.ok(fitted.zoomable, "the overview can be enlarged");
    assert.ok(fitted.scale < 0.5, `fitted at ${fitted.scale}`);
    assert.match(fitted.caption, /click to show at full size/);
    await page.click("#glance figure.diagram");
    const full = await state();
    assert.ok(Math.abs(full.scale - 1) < 0.01, `full size: ${full.scale}`);
    assert.ok(full.frame < 1280, "the frame scrolls sideways, the page does not");
    assert.is(full.pageWidth, 1280);
    assert.match(full.caption, /click to fit the page/);
    await page.emulateMediaType("print");
    const printed = await state();
    assert.ok(printed.shown <= printed.frame + 1, `printed ${printed.shown} in ${printed.frame}`);
    await page.emulateMediaType("screen");
    await page.keyboard.press("Enter");
    assert.ok((await state()).scale < 0.5, "Enter fits it again");
    // A diagram that fits at its own size is left alone.
    const small = (await page.evaluate(
      '[...document.querySelectorAll("figure.diagram")].filter((f) => { const s = f.querySelector("svg"); return s && s.viewBox.baseVal.width <= s.getBoundingClientRect().width + 1 && f.classList.contains("zoomable"); }).length',
    )) as number;
    assert.is(small, 0);
  } finally {
    await page.close();
  }
});

it("report.html printed: the collapsed step tables print open, without their 'Step by step' line; views print as names", async () => {
  const page = await openAt1280();
  try {
    await page.emulateMediaType("print");
    // Written as page source: it runs in the browser, where `document` exists.
    const seen = (await page.evaluate(`(() => {
      const all = [...document.querySelectorAll("details:not(.view)")];
      const views = [...document.querySelectorAll("details.view")];
      return {
        details: all.length,
        closed: all.filter((d) => !d.open).length,
        tablesShown: all.filter((d) => d.querySelector("table").checkVisibility()).length,
        summariesShown: all.filter((d) => d.querySelector("summary").checkVisibility()).length,
        views: views.length,
        viewNamesShown: views.filter((d) => d.querySelector("summary").checkVisibility()).length,
        viewDiagramsShown: views.filter((d) => d.querySelector("figure")?.checkVisibility()).length,
      };
    })()`)) as {
      details: number;
      closed: number;
      tablesShown: number;
      summariesShown: number;
      views: number;
      viewNamesShown: number;
      viewDiagramsShown: number;
    };
    assert.ok(seen.details >= 10);
    assert.is(seen.closed, seen.details, "nothing opened them: the style sheet alone prints them");
    assert.is(seen.tablesShown, seen.details);
    assert.is(seen.summariesShown, 0);
    // The zone and agent views print as a list of their names, not as their (undrawn) diagrams.
    assert.ok(seen.views > 0);
    assert.is(seen.viewNamesShown, seen.views);
    assert.is(seen.viewDiagramsShown, 0);
  } finally {
    await page.close();
  }
});

test.run();
