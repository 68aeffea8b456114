import type { Browser, Page } from "puppeteer";
import { chromiumArgs } from "./chromium.js";
import { loadMermaidCli, loadPuppeteer } from "./packages.js";
import { usableCores } from "../cores.js";

/** Image formats `--render` writes. */
export const RENDER_FORMATS = ["svg", "png", "pdf"] as const;
export type RenderFormat = (typeof RENDER_FORMATS)[number];

/** Parses `svg,png`; an unknown or empty list is an error message (lowercase, no period). */
export function parseRenderFormats(text: string): RenderFormat[] | { error: string } {
  const parts = text
    .split(",")
    .map((s) => s.trim().toLowerCase())
    .filter(Boolean);
  const bad = parts.filter((p) => !(RENDER_FORMATS as readonly string[]).includes(p));
  if (bad.length)
    return { error: `unknown render format \`${bad[0]!}\`: use svg, png or pdf (comma-separated)` };
  if (parts.length === 0) return { error: "`--render` needs at least one format: svg, png or pdf" };
  return RENDER_FORMATS.filter((f) => parts.includes(f));
}

/** A diagram to render: its file stem and its Mermaid source. */
export interface DiagramSource {
  readonly id: string;
  readonly mermaid: string;
}

/** A rendered image, relative to the output folder. */
export interface RenderedFile {
  readonly path: string;
  readonly contents: Uint8Array;
}

/** A diagram that did not render, and why (one line, lowercase). */
export interface RenderFailure {
  readonly id: string;
  readonly reason: string;
}

/** What rendering produced. */
export interface RenderResult {
  readonly files: RenderedFile[];
  readonly failures: RenderFailure[];
}

/** How to render. */
export interface RenderOptions {
  readonly chromium: string;
  readonly formats: readonly RenderFormat[];
  /** Folder of the images, relative to the output folder. */
  readonly folder?: string;
  /** Pages rendering at once in the one browser (default: one per core, at most 4). */
  readonly concurrency?: number;
  /** Called after each diagram. */
  readonly onProgress?: (done: number, total: number) => void;
  /** Keep the PDF's creation date (otherwise fixed, so identical input gives identical files). */
  readonly keepPdfDates?: boolean;
  /** A browser to render in instead of launching one (left open): tests share one. */
  readonly browser?: Browser;
  /** Mermaid's `maxTextSize` (default MERMAID_CONFIG's). */
  readonly maxTextSize?: number;
}

/**
 * Mermaid's configuration for rendering: `strict` security (labels are text, no click handlers run),
 * the size limits raised well above what a MAX_NODES diagram needs (so a large label never turns a
 * diagram into Mermaid's "Maximum text size in diagram exceeded" picture), and ids derived from the
 * diagram rather than random.
 */
export const MERMAID_CONFIG = {
  securityLevel: "strict",
  maxTextSize: 5_000_000,
  maxEdges: 20_000,
  deterministicIds: true,
  handDrawnSeed: 1,
  flowchart: { htmlLabels: true },
} as const;

/** The SVG Mermaid returns instead of a diagram when the text is over `maxTextSize`. */
const TOO_LARGE = "Maximum text size in diagram exceeded";

/** How long Chromium may take to answer one protocol call (a large layout can take a while). */
const PROTOCOL_TIMEOUT_MS = 300_000;

/**
 * Renders every diagram with mermaid-cli's `renderMermaid` in one system Chromium (launching one
 * costs about a second; a browser per diagram, as `mmdc` does, would multiply that). The SVG comes
 * from mermaid-cli; PNG and PDF are printed from that SVG in the same browser, so the three formats
 * cannot disagree and each diagram pays for Mermaid's page set-up once. A diagram that fails is
 * reported and the others still render. Puppeteer and mermaid-cli load here, on first use only.
 */
export async function renderDiagrams(
  diagrams: readonly DiagramSource[],
  options: RenderOptions,
): Promise<RenderResult> {
  const { renderMermaid } = await loadMermaidCli();
  const browser = options.browser ?? (await launchChromium(options.chromium));
  const mermaidConfig =
    options.maxTextSize === undefined
      ? MERMAID_CONFIG
      : { ...MERMAID_CONFIG, maxTextSize: options.maxTextSize };
  const folder = options.folder ?? "diagrams";
  const files: RenderedFile[] = [];
  const failures: RenderFailure[] = [];
  const svgs = new Map<string, string>();
  try {
    const limit = Math.max(1, options.concurrency ?? Math.min(4, usableCores()));
    let next = 0;
    let done = 0;
    const worker = async () => {
      while (next < diagrams.length) {
        const d = diagrams[next++]!;
        try {
          const { data } = await renderMermaid(browser, d.mermaid, "svg", {
            mermaidConfig,
            backgroundColor: "white",
            svgId: svgIdOf(d.id),
          });
          const svg = new TextDecoder().decode(data);
          const problem = svgProblem(svg);
          if (problem) failures.push({ id: d.id, reason: problem });
          else svgs.set(d.id, svg);
        } catch (e) {
          failures.push({ id: d.id, reason: firstLine(e) });
        }
        options.onProgress?.(++done, diagrams.length);
      }
    };
    await Promise.all(Array.from({ length: Math.min(limit, diagrams.length) }, worker));

    const page = options.formats.some((f) => f !== "svg") ? await printPage(browser) : undefined;
    try {
      // Files in the diagrams' order, whatever order the pages finished in.
      for (const d of diagrams) {
        const svg = svgs.get(d.id);
        if (svg === undefined) continue;
        for (const format of options.formats) {
          const path = `${folder}/${d.id}.${format}`;
          try {
            if (format === "svg") files.push({ path, contents: new TextEncoder().encode(svg) });
            else {
              const bytes = await printSvg(page!, svg, format);
              files.push({
                path,
                contents: format === "pdf" && !options.keepPdfDates ? fixPdfDates(bytes) : bytes,
              });
            }
          } catch (e) {
            failures.push({ id: d.id, reason: `${format}: ${firstLine(e)}` });
          }
        }
      }
    } finally {
      await page?.close();
    }
  } finally {
    if (!options.browser) await browser.close();
  }
  failures.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { files, failures };
}

/** How long Chromium may take to start and answer its first call. */
const LAUNCH_TIMEOUT_MS = 60_000;

/** Starts a headless system Chromium with the rendering flags; puppeteer loads here, on first use. */
export async function launchChromium(
  executablePath: string,
  launchTimeoutMs = LAUNCH_TIMEOUT_MS,
): Promise<Browser> {
  const { default: puppeteer } = await loadPuppeteer();
  // Over a pipe, puppeteer's `timeout` is not applied: a program that starts but never answers
  // (not a Chromium, or a hung one) held the run for the protocol timeout, twice (the first call,
  // then the close). Aborting kills it, which fails the launch at once.
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), launchTimeoutMs);
  try {
    return await puppeteer.launch({
      executablePath,
      headless: "shell",
      args: chromiumArgs(process.getuid?.() === 0),
      // A pipe instead of a debugging port: nothing listens on the network while rendering.
      pipe: true,
      protocolTimeout: PROTOCOL_TIMEOUT_MS,
      timeout: launchTimeoutMs,
      signal: abort.signal,
    });
  } catch (e) {
    if (abort.signal.aborted)
      throw new Error(`it did not answer within ${launchTimeoutMs / 1000} s of starting`);
    throw e;
  } finally {
    clearTimeout(timer);
  }
}

/** Why a rendered SVG is not the diagram (Mermaid's own error pictures), if it is not. */
export function svgProblem(svg: string): string | undefined {
  if (!svg.includes("<svg")) return "the renderer returned no SVG";
  if (svg.includes(TOO_LARGE)) return "mermaid says the diagram is over its maximum text size";
  if (/Syntax error in (?:text|graph)/.test(svg)) return "mermaid could not parse the diagram";
  return undefined;
}

/** The SVG element's id: the diagram id with every character CSS would read as syntax replaced. */
export function svgIdOf(id: string): string {
  return `aithreat-${id.replace(/[^A-Za-z0-9_-]/g, (c) => `_${c.charCodeAt(0).toString(16)}_`)}`;
}

/** A page that shows one SVG at a time, with scripts off and every network request refused. */
async function printPage(browser: Browser): Promise<Page> {
  const page = await browser.newPage();
  await page.setJavaScriptEnabled(false);
  await page.setRequestInterception(true);
  page.on("request", (req) => {
    void (req.url().startsWith("data:") || req.url() === "about:blank" ? req.continue() : req.abort());
  });
  return page;
}

/** The diagram's natural size, from the SVG's viewBox (Mermaid always writes one). */
export function svgSize(svg: string): { width: number; height: number } {
  const m = /<svg\b[^>]*\sviewBox="\s*[-\d.e]+[\s,]+[-\d.e]+[\s,]+([\d.e]+)[\s,]+([\d.e]+)\s*"/.exec(svg);
  const width = m ? Number(m[1]) : NaN;
  const height = m ? Number(m[2]) : NaN;
  return {
    width: Number.isFinite(width) && width > 0 ? Math.ceil(width) : 800,
    height: Number.isFinite(height) && height > 0 ? Math.ceil(height) : 600,
  };
}

// Chromium captures at most 16,384 pixels a side: the PNG scale drops below 2 for a huge diagram.
const MAX_PIXELS = 16_000;

/** Prints an SVG at its natural size: PNG at twice the pixels (sharp on slides), PDF on one page. */
async function printSvg(page: Page, svg: string, format: "png" | "pdf"): Promise<Uint8Array> {
  const { width, height } = svgSize(svg);
  const scale = Math.max(0.25, Math.min(2, MAX_PIXELS / width, MAX_PIXELS / height));
  await page.setViewport({ width, height, deviceScaleFactor: format === "png" ? scale : 1 });
  // Mermaid sizes the SVG to its container (width 100%, a max-width): pin it to the viewBox instead.
  const html =
    `<!doctype html><html><head><meta charset="utf-8"><style>html,body{margin:0;padding:0;background:#fff}` +
    `svg{display:block;width:${width}px!important;height:${height}px!important;max-width:none!important}` +
    `@page{size:${width}px ${height}px;margin:0}</style></head><body>${svg}</body></html>`;
  await page.setContent(html, { waitUntil: "load" });
  if (format === "png")
    return await page.screenshot({ type: "png", clip: { x: 0, y: 0, width, height }, omitBackground: false });
  return await page.pdf({
    width: `${width}px`,
    height: `${height}px`,
    printBackground: true,
    pageRanges: "1",
    margin: { top: 0, right: 0, bottom: 0, left: 0 },
  });
}

/**
 * Replaces the creation and modification dates Chromium writes into a PDF with a fixed date of the
 * same length, so the cross-reference offsets stay valid and the same diagram gives the same bytes.
 */
export function fixPdfDates(pdf: Uint8Array): Uint8Array {
  const text = Buffer.from(pdf).toString("latin1");
  const fixed = text.replace(
    /\/(CreationDate|ModDate) \(D:\d{14}/g,
    (_all, key: string) => `/${key} (D:20000101000000`,
  );
  return fixed === text ? pdf : new Uint8Array(Buffer.from(fixed, "latin1"));
}

function firstLine(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  const line = msg.split("\n").find((l) => l.trim()) ?? "unknown error";
  const clean = line.trim().replace(/\.$/, "");
  return clean.charAt(0).toLowerCase() + clean.slice(1);
}
