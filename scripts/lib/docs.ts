import { DIAGNOSTICS_DOC, diagnosticsDoc } from "./diagnostics-doc.js";
import { LANGUAGE_DOC, languageSections } from "./language-reference.js";
import { fillSections } from "./markers.js";
import { formatMarkdown } from "./markdown.js";
import { readCommitted } from "./output.js";

/**
 * The generated documentation as it should be committed: docs/language.md with its generated
 * sections refreshed (prose untouched), and docs/diagnostics.md whole. Both are formatted with
 * Prettier, so the result is what `npm run format` would leave.
 */
export async function buildDocs(): Promise<{ path: string; contents: string }[]> {
  const language = readCommitted(LANGUAGE_DOC);
  if (language === undefined) throw new Error(`${LANGUAGE_DOC} is missing: its prose is hand-written`);
  return [
    {
      path: LANGUAGE_DOC,
      contents: await formatMarkdown(fillSections(language, languageSections()), LANGUAGE_DOC),
    },
    { path: DIAGNOSTICS_DOC, contents: await formatMarkdown(diagnosticsDoc(), DIAGNOSTICS_DOC) },
  ];
}
