/**
 * The built-in templates ship precompiled (src/emit/templates.precompiled.ts): the module must match a
 * fresh precompile of templates/, and only a template's exact built-in text may use it.
 */
import fs from "node:fs";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PRECOMPILED_PATH, precompiledTemplatesText } from "../../scripts/lib/precompiled-templates.js";
import { fromRoot } from "../../scripts/lib/paths.js";
import {
  builtinTemplatesDir,
  DIRECT_TEMPLATES,
  precompiledFor,
  TEMPLATE_FILES,
} from "../../src/emit/templates.js";

const HBS = Object.keys(TEMPLATE_FILES).filter((f) => f.endsWith(".hbs") && !DIRECT_TEMPLATES.has(f));

test("the precompiled module is current with templates/ (else run `npm run gen:templates`)", () => {
  assert.ok(
    fs.readFileSync(fromRoot(PRECOMPILED_PATH), "utf8") === precompiledTemplatesText(),
    `${PRECOMPILED_PATH} is stale: run \`npm run gen:templates\``,
  );
});

test("every built-in template's text has its precompiled form; any other text has none", () => {
  for (const file of HBS) {
    const text = fs.readFileSync(`${builtinTemplatesDir()}/${file}`, "utf8");
    assert.ok(precompiledFor(file, text), `${file}: precompiled`);
    assert.is(precompiledFor(file, `${text} `), undefined, `${file}: an edited text is compiled at run time`);
    const other = HBS.find((f) => f !== file)!;
    assert.is(precompiledFor(other, text), undefined, `${file}'s text under the name ${other}`);
  }
  assert.is(precompiledFor("report.css", ""), undefined, "assets are not templates");
});

test("a template laid out in TypeScript ships no precompiled form", () => {
  assert.ok(DIRECT_TEMPLATES.size > 0);
  for (const file of DIRECT_TEMPLATES) {
    assert.ok(file in TEMPLATE_FILES, `${file} is a template`);
    const text = fs.readFileSync(`${builtinTemplatesDir()}/${file}`, "utf8");
    assert.is(precompiledFor(file, text), undefined, file);
  }
});

test.run();
