/**
 * Rendering without a browser: finding Chromium, its flags, `--render` values, detection of Mermaid's
 * error pictures, PDF dates; and `compile --render` when no usable Chromium exists (a warning, every
 * other output written, exit code unchanged).
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { bufferIo } from "../../src/cli/io.js";
import { main } from "../../src/cli/main.js";
import { diagramFiles, renderFormatsOf } from "../../src/cli/render.js";
import {
  chromiumArgs,
  CHROMIUM_CANDIDATES,
  findChromium,
  isExecutableFile,
} from "../../src/render/chromium.js";
import {
  fixPdfDates,
  launchChromium,
  parseRenderFormats,
  svgIdOf,
  svgProblem,
  svgSize,
} from "../../src/render/render-diagrams.js";
import { TEST_TODAY } from "../helpers/compile.js";

const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");
const temps: string[] = [];

function tempDir(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-render-"));
  temps.push(dir);
  return dir;
}

async function run(cwd: string, env: Record<string, string>, ...args: string[]) {
  const io = bufferIo({ AITHREAT_TODAY: TEST_TODAY, ...env }, cwd);
  const code = await main(args, io);
  return { code, stdout: io.stdout, stderr: io.stderr };
}

test.after(() => {
  for (const d of temps) fs.rmSync(d, { recursive: true, force: true });
});

test("findChromium: --chromium, then CHROMIUM_PATH, then PUPPETEER_EXECUTABLE_PATH, then standard paths", () => {
  const exe = new Set(["/opt/a", "/opt/b", "/opt/c", "/usr/bin/chromium-browser"]);
  const is = (p: string) => exe.has(p);
  const env = { CHROMIUM_PATH: "/opt/b", PUPPETEER_EXECUTABLE_PATH: "/opt/c" };
  assert.equal(findChromium(env, "/opt/a", is), { path: "/opt/a", from: "--chromium" });
  assert.equal(findChromium(env, undefined, is), { path: "/opt/b", from: "CHROMIUM_PATH" });
  assert.equal(findChromium({ PUPPETEER_EXECUTABLE_PATH: "/opt/c" }, undefined, is), {
    path: "/opt/c",
    from: "PUPPETEER_EXECUTABLE_PATH",
  });
  assert.equal(findChromium({}, undefined, is), { path: "/usr/bin/chromium-browser", from: "standard path" });
  assert.is(CHROMIUM_CANDIDATES[0], "/usr/bin/chromium");
  // An empty variable counts as unset.
  assert.equal(findChromium({ CHROMIUM_PATH: "" }, undefined, is), {
    path: "/usr/bin/chromium-browser",
    from: "standard path",
  });
});

test("findChromium: a path named explicitly that is not executable is reported, not passed over", () => {
  const is = (p: string) => p === "/usr/bin/chromium";
  const r = findChromium({ CHROMIUM_PATH: "/opt/typo" }, undefined, is);
  assert.ok("problem" in r);
  assert.match(r.problem, /`CHROMIUM_PATH` names `\/opt\/typo`, which is not an executable file/);
  const none = findChromium({}, undefined, () => false);
  assert.ok("problem" in none);
  assert.match(none.problem, /^no Chromium found \(looked at `\/usr\/bin\/chromium`/);
});

test("isExecutableFile: files with the x bit only", () => {
  const dir = tempDir();
  const plain = path.join(dir, "plain");
  fs.writeFileSync(plain, "");
  const exe = path.join(dir, "exe");
  fs.writeFileSync(exe, "#!/bin/sh\n");
  fs.chmodSync(exe, 0o755);
  assert.ok(isExecutableFile(exe));
  assert.not.ok(isExecutableFile(dir), "a folder");
  assert.not.ok(isExecutableFile(path.join(dir, "missing")));
  // Root may read anything, but access(X_OK) still wants an x bit on a file.
  assert.not.ok(isExecutableFile(plain));
});

test("chromiumArgs: --no-sandbox only as root; the network-related features off", () => {
  assert.ok(chromiumArgs(true).includes("--no-sandbox"));
  assert.not.ok(chromiumArgs(false).includes("--no-sandbox"));
  for (const flag of [
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
  ])
    assert.ok(chromiumArgs(false).includes(flag), flag);
});

test("--render values: a comma list of svg, png, pdf in a fixed order; anything else is a usage error", () => {
  assert.equal(parseRenderFormats("pdf,svg"), ["svg", "pdf"]);
  assert.equal(parseRenderFormats(" SVG , png,svg "), ["svg", "png"]);
  assert.equal(parseRenderFormats("gif"), {
    error: "unknown render format `gif`: use svg, png or pdf (comma-separated)",
  });
  assert.ok("error" in (parseRenderFormats(",") as object));
  assert.is(renderFormatsOf({}), undefined);
  const d = renderFormatsOf({ render: "svg,jpeg" });
  assert.ok(d && "code" in d);
  assert.is(d.code, "AT9002");
});

test("diagramFiles: the .mmd files directly under diagrams/, in output order", () => {
  const files = [
    { path: "report.md", contents: "x" },
    { path: "diagrams/overview.mmd", contents: "flowchart LR\n" },
    { path: "diagrams/zone-a.mmd", contents: new TextEncoder().encode("flowchart LR\n  n_a\n") },
    { path: "diagrams/sub/x.mmd", contents: "" },
    { path: "diagrams/overview.svg", contents: "" },
  ];
  assert.equal(diagramFiles(files), [
    { id: "overview", mermaid: "flowchart LR\n" },
    { id: "zone-a", mermaid: "flowchart LR\n  n_a\n" },
  ]);
});

test("Mermaid's error pictures are told apart from diagrams", () => {
  assert.is(
    svgProblem('<svg id="x"><g><text>Maximum text size in diagram exceeded</text></g></svg>'),
    "mermaid says the diagram is over its maximum text size",
  );
  assert.is(
    svgProblem('<svg><text class="error-text">Syntax error in text</text></svg>'),
    "mermaid could not parse the diagram",
  );
  assert.is(svgProblem(""), "the renderer returned no SVG");
  assert.is(svgProblem('<svg><g class="node"><p>Support assistant</p></g></svg>'), undefined);
});

test("svgSize reads the viewBox; svgIdOf keeps ids valid in CSS; fixPdfDates keeps the length", () => {
  assert.equal(svgSize('<svg width="100%" viewBox="-8 -8 1234.5 678.25" style="max-width: 1234.5px;">'), {
    width: 1235,
    height: 679,
  });
  assert.equal(svgSize("<svg>"), { width: 800, height: 600 });
  assert.is(svgIdOf("zone-a.b~2"), "aithreat-zone-a_2e_b_7e_2");
  const pdf = new TextEncoder().encode(
    "%PDF-1.4\n<</CreationDate (D:20261126021800+00'00')\n/ModDate (D:20261126021801+00'00')>>\n",
  );
  const fixed = fixPdfDates(pdf);
  assert.is(fixed.length, pdf.length);
  assert.is(
    new TextDecoder().decode(fixed),
    "%PDF-1.4\n<</CreationDate (D:20000101000000+00'00')\n/ModDate (D:20000101000000+00'00')>>\n",
  );
});

test("compile --render with no usable Chromium: a warning saying what to install, every other output written, exit 0", async () => {
  const out = path.join(tempDir(), "out");
  const missing = path.join(tempDir(), "no-chromium-here");
  const r = await run(
    REPO,
    {},
    "compile",
    "samples/rag-support",
    "--out",
    out,
    "--render",
    "svg,png",
    "--chromium",
    missing,
  );
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning AT9101: diagrams not rendered: `--chromium` names `[^`]+no-chromium-here`, which is not an executable file/,
  );
  assert.match(r.stderr, /apt-get install chromium/);
  assert.match(r.stderr, /CHROMIUM_PATH/);
  const written = fs.readdirSync(out).sort();
  for (const f of ["diagrams", "findings.json", "paths.json"])
    assert.ok(written.includes(f), `${f} written: ${written.join(", ")}`);
  const diagrams = fs.readdirSync(path.join(out, "diagrams"));
  assert.ok(diagrams.includes("overview.mmd"));
  assert.equal(
    diagrams.filter((f) => !f.endsWith(".mmd")),
    ["index.md"],
    "no images, only the Mermaid files and their index",
  );
});

test("compile --render with CHROMIUM_PATH set to something that is not a browser: the browser fails, the outputs are still written", async () => {
  const out = path.join(tempDir(), "out");
  // `true` starts and exits at once: puppeteer reports that the browser process closed.
  const notBrowser = ["/bin/true", "/usr/bin/true"].find((p) => isExecutableFile(p));
  assert.ok(notBrowser, "a `true` executable to stand in for a browser");
  const r = await run(
    REPO,
    { CHROMIUM_PATH: notBrowser },
    "compile",
    "samples/fine-tuning",
    "--out",
    out,
    "--render",
    "svg",
  );
  assert.is(r.code, 0, r.stderr);
  assert.match(
    r.stderr,
    /warning AT9101: diagrams not rendered: Chromium at `[^`]+` \(from CHROMIUM_PATH\) could not render: /,
  );
  assert.ok(fs.existsSync(path.join(out, "diagrams", "overview.mmd")));
});

test("a program that starts but never answers is given up on at the launch deadline, and killed", async () => {
  const dir = tempDir();
  const pidFile = path.join(dir, "pid");
  // Keeps the pipe puppeteer talks over open and answers nothing, as a hung browser would.
  const silent = path.join(dir, "silent-browser");
  fs.writeFileSync(silent, `#!/bin/sh\necho $$ > '${pidFile}'\nexec sleep 600\n`, { mode: 0o755 });
  const started = Date.now();
  // Without a deadline of its own the launch waited for puppeteer's protocol timeout (5 minutes).
  const outcome = await Promise.race([
    launchChromium(silent, 1000).then(
      () => "launched",
      (e: Error) => e.message,
    ),
    new Promise<string>((resolve) => setTimeout(() => resolve("still waiting after 20 s"), 20_000).unref()),
  ]);
  assert.is(outcome, "it did not answer within 1 s of starting");
  assert.ok(Date.now() - started < 10_000);
  const pid = Number(fs.readFileSync(pidFile, "utf8"));
  const alive = () => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  };
  for (let i = 0; i < 50 && alive(); i++) await new Promise((r) => setTimeout(r, 100));
  assert.not.ok(alive(), "the program is killed");
});

test("compile --render gif: a usage error before any work, no output folder", async () => {
  const out = path.join(tempDir(), "out");
  const r = await run(REPO, {}, "compile", "samples/rag-support", "--out", out, "--render", "gif");
  assert.is(r.code, 2);
  assert.match(r.stderr, /error AT9002: unknown render format `gif`/);
  assert.not.ok(fs.existsSync(out));
});

test.run();
