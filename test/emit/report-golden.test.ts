/**
 * Golden outputs: report.md, checklist.md, checklist.csv and a normalised report.html for every sample
 * (and the hostile fixture, which has accepted, expired and assumed findings), compared byte for byte.
 * `UPDATE_GOLDEN=1 node scripts/run-tests.mjs report-golden` rewrites them; review the diff like code.
 * A missing golden fails. Also: compiling twice gives byte-identical files.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { mermaidBrowserBuild } from "../../src/emit/report-html.js";
import { REPO, compileToDir } from "./report-helpers.js";

const GOLDEN = path.join(REPO, "test/golden");
const UPDATE = process.env["UPDATE_GOLDEN"] === "1";

const cases: { name: string; inputs: string[] }[] = [
  ...fs
    .readdirSync(path.join(REPO, "samples"), { withFileTypes: true })
    .filter((e) => e.isDirectory() && !e.name.startsWith("."))
    .map((e) => ({ name: e.name, inputs: [path.join(REPO, "samples", e.name)] }))
    .sort((a, b) => (a.name < b.name ? -1 : 1)),
  { name: "hostile", inputs: [path.join(REPO, "test/emit/fixtures/hostile.aithreat")] },
];

const HEADER = "golden file: written by UPDATE_GOLDEN=1 (test/emit/report-golden.test.ts); review the diff";
const header = (file: string) => (file.endsWith(".csv") ? `# ${HEADER}\r\n` : `<!-- ${HEADER} -->\n`);

const short = (s: string) => createHash("sha256").update(s).digest("hex").slice(0, 12);

/**
 * report.html without what would drown a review: the inlined Mermaid build (3.5 MB, pinned by its
 * package version) becomes a marker, each diagram's source (already golden in report.md) a length and
 * hash, and the CSP's hashes placeholders (report-html.test.ts checks them against the scripts).
 */
export function normaliseHtml(html: string): string {
  const mermaid = mermaidBrowserBuild();
  let out = html;
  if (mermaid) out = out.split(mermaid.js).join("/* mermaid.min.js inlined */");
  return out
    .replace(/'sha256-[A-Za-z0-9+/=]+'/g, "'sha256-…'")
    .replace(
      /<pre class="mermaid">([\s\S]*?)<\/pre>/g,
      (_, src: string) => `<pre class="mermaid">[${src.length} chars, ${short(src)}]</pre>`,
    );
}

// Cases whose normalised report.html is kept in full; the others keep its SHA-256 (a change shows
// there as a changed hash: look at the full page of a case above, or diff the page by hand).
const FULL_HTML = new Set(["rag-support", "hostile"]);

function goldenFiles(name: string): Record<string, (text: string) => string> {
  return {
    "report.md": (t) => t,
    "checklist.md": (t) => t,
    "checklist.csv": (t) => t,
    ...(FULL_HTML.has(name)
      ? { "report.html.normalised": normaliseHtml }
      : {
          "report.html.sha256": (t: string) =>
            `${createHash("sha256").update(normaliseHtml(t)).digest("hex")}\n`,
        }),
  };
}

for (const c of cases) {
  test(`golden: ${c.name}`, async () => {
    const run = await compileToDir(c.inputs);
    try {
      assert.is(run.code, 0, run.stderr);
      // One count of open findings in every output a reviewer puts side by side.
      const json = JSON.parse(run.read("findings.json")) as { findings: { status: string }[] };
      const open = json.findings.filter((f) => f.status === "open").length;
      assert.is(
        /\*\*(\d+) open\*\*/.exec(run.read("report.md"))?.[1],
        String(open),
        "report.md's open count",
      );
      assert.is(/^(\d+) open findings;/m.exec(run.read("checklist.md"))?.[1], String(open), "checklist.md's");
      for (const [file, normalise] of Object.entries(goldenFiles(c.name))) {
        const actual = normalise(run.read(file.startsWith("report.html") ? "report.html" : file));
        const goldenFile = path.join(GOLDEN, c.name, file);
        if (UPDATE) {
          fs.mkdirSync(path.dirname(goldenFile), { recursive: true });
          fs.writeFileSync(goldenFile, header(file) + actual);
          continue;
        }
        assert.ok(
          fs.existsSync(goldenFile),
          `missing golden ${path.relative(REPO, goldenFile)}: run with UPDATE_GOLDEN=1`,
        );
        const golden = fs.readFileSync(goldenFile, "utf8");
        assert.ok(golden.startsWith(header(file)), `${goldenFile} lacks the golden header`);
        // uvu's fixture diff shows the first lines that differ.
        assert.fixture(
          actual,
          golden.slice(header(file).length),
          `${c.name}/${file} differs from its golden`,
        );
      }
    } finally {
      run.cleanup();
    }
  });
}

test("determinism: the same model compiled twice gives byte-identical files", async () => {
  const inputs = [path.join(REPO, "samples/rag-support")];
  const a = await compileToDir(inputs);
  const b = await compileToDir(inputs);
  try {
    assert.is(a.code, 0, a.stderr);
    const list = (dir: string): string[] =>
      fs
        .readdirSync(dir, { recursive: true, withFileTypes: true })
        .filter((e) => e.isFile())
        .map((e) => path.relative(dir, path.join(e.parentPath, e.name)))
        .sort();
    assert.equal(list(a.out), list(b.out));
    for (const f of ["report.md", "report.html", "checklist.md", "checklist.csv"])
      assert.ok(list(a.out).includes(f), f);
    for (const f of list(a.out)) assert.ok(a.read(f) === b.read(f), `${f} differs between two runs`);
  } finally {
    a.cleanup();
    b.cleanup();
  }
});

test.run();
