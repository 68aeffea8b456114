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
 * Collapses runs of blank lines and ends the file with one newline, so templates can keep their
 * sections apart with blank lines without counting them around optional parts.
 */
export function tidyMarkdown(text: string): string {
  return `${text
    .replace(/[ \t]+$/gm, "")
    .replace(/\n{3,}/g, "\n\n")
    .trim()}\n`;
}
