import type { Emitter } from "./emitter.js";
import { MARKDOWN, MARKDOWN_CELL, reportData, reportView } from "./report-view.js";
import { compileTemplate } from "./templates.js";

/** `report.md`: the threat report as GitHub-flavoured Markdown with Mermaid fences (templates/report.md.hbs). */
export const reportMdEmitter: Emitter = {
  name: "report.md",
  emit: ({ analysis, toolVersion, generatedAt, templatesDir }) => {
    const data = reportData(analysis, { toolVersion, ...(generatedAt ? { generatedAt } : {}) });
    const render = compileTemplate("report.md.hbs", templatesDir);
    return [{ path: "report.md", contents: tidyMarkdown(render(reportView(data, MARKDOWN, MARKDOWN_CELL))) }];
  },
};

/**
 * What `tidyMarkdown`'s replacements would change: a space or tab ending a line (before any line
 * terminator `$` knows in multiline mode, or the end) or three line breaks in a row.
 */
const UNTIDY = /[ \t](?:[\n\r\u2028\u2029]|$)|\n\n\n/;

/**
 * Collapses runs of blank lines and ends the file with one newline, so templates can keep their
 * sections apart with blank lines without counting them around optional parts.
 */
export function tidyMarkdown(text: string): string {
  // A text with nothing to collapse (checklist.md, as a rule) is only trimmed: one scan instead of
  // two replacements that copy megabytes to change nothing.
  if (!UNTIDY.test(text)) return `${text.trim()}\n`;
  return `${text
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}
