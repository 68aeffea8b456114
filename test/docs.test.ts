// Documentation moves with the code: the generated sections of docs/language.md and all of
// docs/diagnostics.md must equal what scripts/gen-docs.ts makes of the current tables, the vocabulary
// must be fully documented, and the examples and cross-references in the prose must stay valid.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { DIAGNOSTICS_DOC } from "../scripts/lib/diagnostics-doc.js";
import { buildDocs } from "../scripts/lib/docs.js";
import { LANGUAGE_DOC } from "../scripts/lib/language-reference.js";
import { findSections } from "../scripts/lib/markers.js";
import { slug } from "../scripts/lib/markdown.js";
import { memoryHost } from "../scripts/lib/memory-host.js";
import { readCommitted } from "../scripts/lib/output.js";
import { SCOPE_NAME, TEXTMATE_PATH } from "../scripts/lib/textmate.js";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { BUILTIN_CONTROLS } from "../src/catalog/controls.js";
import { runFrontEnd } from "../src/compiler.js";
import { DIAGNOSTICS, isDiagnosticCode } from "../src/diagnostics/catalog.js";
import { formatDiagnostic } from "../src/diagnostics/format.js";
import {
  COMMON_COMPONENT_PROPS,
  COMPONENT_KIND_NAMES,
  COMPONENT_KINDS,
  DECLARATION_PROPS,
  FLOW_KIND_NAMES,
  FLOW_PROPS,
  IMPLIED_CONTROLS,
} from "../src/semantic/vocabulary.js";
import { makeSourceFile } from "../src/source.js";
import { parseFile } from "../src/syntax/parse.js";
import { RESERVED_WORDS } from "../src/syntax/tokens.js";

const language = readCommitted(LANGUAGE_DOC) ?? "";
const diagnostics = readCommitted(DIAGNOSTICS_DOC) ?? "";
const sections = new Map(findSections(language).map((s) => [s.name, s.body]));
const section = (name: string): string => {
  const body = sections.get(name);
  if (body === undefined) throw new Error(`${LANGUAGE_DOC} has no generated section \`${name}\``);
  return body;
};
const row = (name: string) => `| \`${name}\``;

test("generated documentation is up to date (npm run gen:docs)", async () => {
  for (const file of await buildDocs()) {
    const committed = readCommitted(file.path);
    assert.ok(committed !== undefined, `${file.path} is missing: run npm run gen:docs`);
    if (committed === file.contents) continue;
    if (file.path === LANGUAGE_DOC) {
      const want = new Map(findSections(file.contents).map((s) => [s.name, s.body]));
      const stale = [...want].filter(([n, body]) => sections.get(n) !== body).map(([n]) => n);
      assert.unreachable(
        stale.length > 0
          ? `${LANGUAGE_DOC}: stale generated sections ${stale.join(", ")}: run npm run gen:docs`
          : `${LANGUAGE_DOC} is not formatted as Prettier would: run npm run gen:docs (or npm run format)`,
      );
    }
    assert.unreachable(`${file.path} is stale: run npm run gen:docs`);
  }
});

test("every reserved word is in the keyword reference", () => {
  const body = section("keywords");
  for (const w of RESERVED_WORDS) assert.ok(body.includes(row(w)), `keyword \`${w}\``);
});

test("every component kind and each of its properties is documented", () => {
  const common = section("common-properties");
  for (const p of Object.keys(COMMON_COMPONENT_PROPS)) assert.ok(common.includes(row(p)), `common \`${p}\``);
  const chunks = new Map(
    section("component-kinds")
      .split(/^### /m)
      .slice(1)
      .map((c) => [/^`([^`]+)`/.exec(c)?.[1] ?? "", c]),
  );
  for (const kind of COMPONENT_KIND_NAMES) {
    const chunk = chunks.get(kind);
    assert.ok(chunk, `component kind \`${kind}\` has no heading in ${LANGUAGE_DOC}`);
    for (const p of Object.keys(COMPONENT_KINDS[kind].props))
      assert.ok(chunk.includes(row(p)), `property \`${p}\` of \`${kind}\``);
  }
  assert.equal([...chunks.keys()], COMPONENT_KIND_NAMES);
});

test("every flow kind, flow property and declaration property is documented", () => {
  const kinds = section("flow-kinds");
  for (const k of FLOW_KIND_NAMES) assert.ok(kinds.includes(row(k)), `flow kind \`${k}\``);
  const props = section("flow-properties");
  for (const p of Object.keys(FLOW_PROPS)) assert.ok(props.includes(row(p)), `flow property \`${p}\``);
  const decls = section("declaration-properties").split(/^### /m);
  for (const [d, spec] of Object.entries(DECLARATION_PROPS)) {
    const chunk = decls.find((c) => c.startsWith(`Properties of \`${d}\``));
    assert.ok(chunk, `declaration \`${d}\``);
    for (const p of Object.keys(spec)) assert.ok(chunk.includes(row(p)), `property \`${p}\` of \`${d}\``);
  }
});

test("every built-in control and implied control is documented", () => {
  const body = section("builtin-controls");
  for (const c of BUILTIN_CONTROLS) {
    assert.ok(body.includes(row(c.id)), `control \`${c.id}\``);
    for (const id of c.atlas) assert.ok(body.includes(`\`${id}\``), `${c.id}: ATLAS ${id}`);
  }
  const implied = section("implied-controls");
  for (const i of IMPLIED_CONTROLS) assert.ok(implied.includes(`\`${i.prop} ${String(i.value)}\``), i.prop);
});

test("every diagnostic code has its section in diagnostics.md", () => {
  for (const code of Object.keys(DIAGNOSTICS))
    assert.ok(diagnostics.includes(`\n### ${code}: `), `${code} is missing from ${DIAGNOSTICS_DOC}`);
});

test("diagnostic codes named in the prose exist", () => {
  for (const doc of [LANGUAGE_DOC, "docs/editor.md"]) {
    const text = readCommitted(doc) ?? "";
    for (const m of text.matchAll(/\bAT\d{4}\b/g)) assert.ok(isDiagnosticCode(m[0]), `${doc} cites ${m[0]}`);
  }
});

test("links inside language.md point at headings that exist", () => {
  const anchors = new Set(
    [...language.matchAll(/^#{1,6} (.+)$/gm)].map((m) => slug(m[1]!.replace(/`/g, ""))),
  );
  for (const m of language.matchAll(/\]\(#([^)]+)\)/g)) assert.ok(anchors.has(m[1]!), `#${m[1]}`);
});

// Fences tagged `aithreat` must parse; `aithreat check` fences must also pass every check.
const fences = [...language.matchAll(/^```aithreat( check)?\n([\s\S]*?)^```$/gm)].map((m) => ({
  check: Boolean(m[1]),
  text: m[2]!,
}));

test("the examples in language.md parse", () => {
  assert.ok(fences.length >= 10, `only ${fences.length} aithreat examples found`);
  for (const f of fences) {
    const parsed = parseFile(makeSourceFile(0, "example.aithreat", f.text));
    assert.equal(
      parsed.diagnostics.map((d) => formatDiagnostic(d)),
      [],
      `example does not parse:\n${f.text}`,
    );
  }
});

test("the complete examples in language.md compile without errors", () => {
  const complete = fences.filter((f) => f.check);
  assert.ok(complete.length >= 1);
  for (const f of complete) {
    const result = runFrontEnd({
      inputs: ["/project/example.aithreat"],
      root: "/project",
      host: memoryHost({ "/project/example.aithreat": f.text }),
      resolve: { today: "2026-06-01", ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
    });
    assert.equal(
      result.diagnostics.map((d) => formatDiagnostic(d)),
      [],
      f.text,
    );
  }
});

test("the editor guide's extension files are valid and match the grammar", () => {
  const editor = readCommitted("docs/editor.md") ?? "";
  assert.ok(editor.includes(TEXTMATE_PATH), "docs/editor.md does not name the grammar file");
  const json = [...editor.matchAll(/^```json\n([\s\S]*?)^```$/gm)].map(
    (m) => JSON.parse(m[1]!) as Record<string, unknown>,
  );
  interface Manifest {
    contributes: {
      languages: { id: string; extensions: string[] }[];
      grammars: { language: string; scopeName: string; path: string }[];
    };
  }
  const manifest = json.find((j) => "contributes" in j) as unknown as Manifest | undefined;
  assert.ok(manifest, "no package.json example in docs/editor.md");
  const [language] = manifest.contributes.languages;
  const [grammar] = manifest.contributes.grammars;
  assert.equal(language?.extensions, [".aithreat"]);
  assert.is(grammar?.language, language?.id);
  assert.is(grammar?.scopeName, SCOPE_NAME);
  assert.ok(grammar?.path.endsWith("aithreat.tmLanguage.json"));
  // The word pattern must keep a name whole, as the lexer does.
  const config = json.find((j) => "wordPattern" in j) as
    { wordPattern: { pattern: string; flags: string } } | undefined;
  assert.ok(config, "no language-configuration.json example in docs/editor.md");
  const word = new RegExp(config.wordPattern.pattern, config.wordPattern.flags);
  for (const name of ["AML.M0007", "AT-33", "données", "cafe\u0301", "in_house", "2.5"])
    assert.is(word.exec(name)?.[0], name);
  assert.is(word.exec("a->b")?.[0], "a");
});

test.run();
