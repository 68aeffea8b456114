import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { OutputFile } from "../emit/emitter.js";
import { findChromium, INSTALL_HINT } from "../render/chromium.js";
import {
  parseRenderFormats,
  renderDiagrams,
  type RenderFormat,
  type RenderResult,
} from "../render/render-diagrams.js";
import { reportDiagnostics } from "./common.js";
import type { Io } from "./io.js";

/** The rendering options of `compile`. */
export interface RenderArgs {
  render?: string;
  chromium?: string;
  quiet?: boolean;
}

/** `--render` checked before any work: the formats, nothing when absent, or a usage error (AT9002). */
export function renderFormatsOf(argv: RenderArgs): RenderFormat[] | Diagnostic | undefined {
  if (argv.render === undefined) return undefined;
  const parsed = parseRenderFormats(String(argv.render));
  return "error" in parsed ? diag("AT9002", undefined, parsed.error) : parsed;
}

/** The `.mmd` files among a compile's outputs: the diagrams to render, in output order. */
export function diagramFiles(files: readonly OutputFile[]): { id: string; mermaid: string }[] {
  const out: { id: string; mermaid: string }[] = [];
  for (const f of files) {
    const m = /^diagrams\/([^/]+)\.mmd$/.exec(f.path);
    if (m)
      out.push({
        id: m[1]!,
        mermaid: typeof f.contents === "string" ? f.contents : new TextDecoder().decode(f.contents),
      });
  }
  return out;
}

/**
 * The rendering step of `compile`: renders every diagram among `files` into images that join the
 * same atomic output folder. Nothing here changes the exit code: without a usable Chromium, or for a
 * diagram that fails, it reports a warning (AT9101) saying what to install or what went wrong, and the
 * other outputs are written as usual.
 */
export async function renderOutputs(
  io: Io,
  files: readonly OutputFile[],
  formats: readonly RenderFormat[],
  argv: RenderArgs,
  onProgress?: (done: number, total: number) => void,
): Promise<OutputFile[]> {
  const diagrams = diagramFiles(files);
  if (diagrams.length === 0) return [];
  const found = findChromium(io.env, argv.chromium);
  if ("problem" in found) {
    reportDiagnostics(
      io,
      [notRendered(found.problem, `${INSTALL_HINT}; the other outputs were written`)],
      "text",
    );
    return [];
  }
  let result: RenderResult;
  try {
    // renderDiagrams loads puppeteer and mermaid-cli itself, on first use: most runs never pay for them.
    result = await renderDiagrams(diagrams, {
      chromium: found.path,
      formats,
      ...(onProgress ? { onProgress } : {}),
    });
  } catch (e) {
    const reason = e instanceof Error ? e.message.split("\n")[0]! : String(e);
    reportDiagnostics(
      io,
      [
        notRendered(
          `Chromium at \`${found.path}\` (from ${found.from}) could not render: ${reason}`,
          `check that it starts (\`${found.path} --headless --version\`), or ${INSTALL_HINT}`,
        ),
      ],
      "text",
    );
    return [];
  }
  reportDiagnostics(
    io,
    result.failures.map((f) =>
      diag("AT9101", undefined, `diagram \`${f.id}\` not rendered: ${f.reason}`, {
        hint: `the Mermaid source is in \`diagrams/${f.id}.mmd\``,
      }),
    ),
    "text",
  );
  if (!argv.quiet)
    io.err(
      `rendered ${diagrams.length - new Set(result.failures.map((f) => f.id)).size} of ${diagrams.length} diagrams (${formats.join(", ")}) with ${found.path}\n`,
    );
  return result.files;
}

function notRendered(problem: string, hint: string): Diagnostic {
  return diag("AT9101", undefined, `diagrams not rendered: ${problem}`, { hint });
}
