import { format, resolveConfig } from "prettier";
import { fromRoot } from "./paths.js";

/** Text safe inside a Markdown table cell: no pipes, no line breaks. */
export function cell(text: string): string {
  return text.replace(/\|/g, "\\|").replace(/\s*\n\s*/g, " ");
}

/** Inline code, with a longer fence when the text holds backticks. */
export function code(text: string): string {
  return text.includes("`") ? `\`\` ${text} \`\`` : `\`${text}\``;
}

/** A Markdown table from a header row and body rows (cells already escaped). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const line = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
  return [line(header), line(header.map(() => "---")), ...rows.map(line)].join("\n");
}

/** GitHub's heading anchor for a heading text. */
export function slug(heading: string): string {
  return heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, "")
    .trim()
    .replace(/\s/g, "-");
}

/**
 * Formats Markdown with the project's Prettier settings, so generated files pass `prettier --check`
 * without being listed in .prettierignore (which would also stop checking the hand-written prose).
 */
export async function formatMarkdown(text: string, relativePath: string): Promise<string> {
  const file = fromRoot(relativePath);
  const config = (await resolveConfig(file)) ?? {};
  return format(text, { ...config, filepath: file, parser: "markdown" });
}
