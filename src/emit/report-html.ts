import { isUtf8 } from "node:buffer";
import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Emitter } from "./emitter.js";
import { HTML, reportData, reportView, type ReportView, type Safe } from "./report-view.js";
import { compileTemplate, readTemplate, TemplateError } from "./templates.js";

/** The Mermaid build as found: where, its bytes, and the text and hash made from them on demand. */
interface MermaidBuild {
  readonly path: string;
  readonly bytes: Buffer;
  /**
   * Whether the bytes go into the page as they are: valid UTF-8 that `inlineScript` leaves alone
   * (Mermaid 11's build is). Otherwise the page takes `inlineScript` of the decoded text.
   */
  readonly verbatim: boolean;
  js?: string;
  sha256?: string;
}

let mermaidCache: MermaidBuild | null | undefined;

/** The installed Mermaid build, read once per process (undefined: not installed). */
function mermaidBuild(): MermaidBuild | undefined {
  if (mermaidCache !== undefined) return mermaidCache ?? undefined;
  const tries = [
    () => createRequire(import.meta.url).resolve("mermaid/dist/mermaid.min.js"),
    () => {
      const cli = createRequire(import.meta.url).resolve("@mermaid-js/mermaid-cli/package.json");
      return createRequire(cli).resolve("mermaid/dist/mermaid.min.js");
    },
  ];
  for (const t of tries) {
    try {
      const p = t();
      const bytes = fs.readFileSync(p);
      return (mermaidCache = { path: p, bytes, verbatim: isUtf8(bytes) && !scriptHazard(bytes) });
    } catch {
      // not installed this way; try the next
    }
  }
  mermaidCache = null;
  return undefined;
}

/** The build's text as the page holds it. */
function mermaidText(m: MermaidBuild): string {
  return (m.js ??= inlineScript(m.bytes.toString("utf8")));
}

/**
 * Mermaid's self-contained browser build (mermaid/dist/mermaid.min.js), resolved like an import from
 * this module (works from dist/src and from the bundled CLI), else through @mermaid-js/mermaid-cli's
 * own dependency, with the text report.html inlines. Undefined when neither is installed:
 * report.html then shows the diagrams' source.
 */
export function mermaidBrowserBuild(): { path: string; js: string } | undefined {
  const m = mermaidBuild();
  return m ? { path: m.path, js: mermaidText(m) } : undefined;
}

/**
 * Whether script bytes hold what `inlineScript` rewrites, found without decoding them as UTF-8: read
 * byte for byte (latin1), the ASCII letters its patterns match stay themselves, and a byte at or
 * above 0x80 becomes a character that never matches an ASCII one, as in the text.
 */
export function scriptHazard(bytes: Buffer): boolean {
  return hazardous(bytes.toString("latin1"));
}

/**
 * Makes a script safe to put between <script> and </script>: `</script` would end the element, and
 * `<!--` followed by `<script` switches the HTML parser into a state where `</script>` does not end
 * it. Both only occur in string or regular-expression literals, where `<\/` and `<\!` mean the same.
 * Mermaid 11's build has neither, so it is inlined byte for byte.
 */
export function inlineScript(js: string): string {
  return hazardous(js) ? js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--") : js;
}

const hazardous = (js: string): boolean => /<\/script/i.test(js) || (/<!--/.test(js) && /<script/i.test(js));

const sha256 = (s: string) => `'sha256-${createHash("sha256").update(s, "utf8").digest("base64")}'`;

// The template writes `<meta http-equiv="Content-Security-Policy" content="{{csp}}">`; this marker is
// what it renders first, and is replaced once the scripts of the finished page are known. Escaped model
// text cannot contain it: it holds raw double quotes.
const CSP_MARKER = `http-equiv="Content-Security-Policy" content="aithreat:csp"`;

/**
 * The Content-Security-Policy of a rendered page: nothing may load from anywhere (`default-src
 * 'none'`), and only the inline scripts the page holds run, each pinned by its SHA-256. Styles are
 * `'unsafe-inline'`: Mermaid writes a <style> element and style attributes into every SVG it draws,
 * which no hash can pin ahead of time; with every fetch blocked, an injected style could not send
 * anything anywhere, and nothing from the model reaches the page unescaped in the first place.
 */
export function contentSecurityPolicy(html: string, hashOf: (script: string) => string = sha256): string {
  const hashes = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) hashes.add(hashOf(m[1]!));
  return [
    "default-src 'none'",
    `script-src ${[...hashes].join(" ") || "'none'"}`,
    "style-src 'unsafe-inline'",
    "img-src data:",
    "base-uri 'none'",
    "form-action 'none'",
  ].join("; ");
}

/** The view of report.html: the report view plus the inlined style sheet and scripts. */
export interface HtmlReportView extends ReportView {
  css: Safe;
  script: Safe;
  mermaidJs: Safe;
  mermaidMissing: boolean;
  csp: Safe;
}

/**
 * `report.html`: one self-contained page that works offline: Mermaid inlined from the installed
 * package, the style sheet and the filter script inlined, no request to any network.
 */
export const reportHtmlEmitter: Emitter = {
  name: "report.html",
  emit: ({ analysis, toolVersion, generatedAt, templatesDir }) => {
    const data = reportData(analysis, { toolVersion, ...(generatedAt ? { generatedAt } : {}) });
    const render = compileTemplate("report.html.hbs", templatesDir);
    const css = readTemplate("report.css", templatesDir);
    const js = readTemplate("report.js", templatesDir);
    const mermaid = mermaidBuild();
    const view: HtmlReportView = {
      ...reportView(data, HTML, HTML),
      // Our own files, not model text; kept out of the way of the HTML parser like Mermaid.
      css: css.text.replace(/<\/(style)/gi, "<\\/$1") as Safe,
      script: inlineScript(js.text) as Safe,
      // Mermaid's bytes go in at the end, in place of this marker (see `withMermaid`).
      mermaidJs: (mermaid ? MERMAID_MARKER : "") as Safe,
      mermaidMissing: mermaid === undefined,
      csp: "aithreat:csp" as Safe,
    };
    const page = render(view);
    const at = page.indexOf(CSP_MARKER);
    if (at < 0)
      throw new TemplateError(
        "report.html.hbs",
        templatesDir !== undefined,
        'must contain `<meta http-equiv="Content-Security-Policy" content="{{csp}}">`',
      );
    const csp = contentSecurityPolicy(page, (script) => scriptHash(script, mermaid));
    const html =
      page.slice(0, at) + CSP_MARKER.replace("aithreat:csp", csp) + page.slice(at + CSP_MARKER.length);
    return [{ path: "report.html", contents: mermaid ? withMermaid(html, mermaid) : html }];
  },
};

/**
 * Where the template put `{{mermaidJs}}` until the page is done: raw `<` and `"`, which escaped model
 * text never holds (as CSP_MARKER). Mermaid's build is 3.5 MB: decoded into the page, scanned for
 * scripts, hashed and encoded again, it was about 25 ms of every compile, a tenth of a small one.
 */
const MERMAID_MARKER = `<aithreat-mermaid "build">`;

/** A script's CSP hash, with Mermaid's build where the marker holds its place. */
function scriptHash(script: string, mermaid: MermaidBuild | undefined): string {
  if (!mermaid || !script.includes(MERMAID_MARKER)) return sha256(script);
  if (script === MERMAID_MARKER && mermaid.verbatim)
    return (mermaid.sha256 ??= `'sha256-${createHash("sha256").update(mermaid.bytes).digest("base64")}'`);
  return sha256(script.split(MERMAID_MARKER).join(mermaidText(mermaid)));
}

/** The page's bytes, Mermaid's build in place of each marker: the file's own bytes when it may be. */
function withMermaid(html: string, mermaid: MermaidBuild): string | Uint8Array {
  const parts = html.split(MERMAID_MARKER);
  if (parts.length === 1) return html;
  if (!mermaid.verbatim) return parts.join(mermaidText(mermaid));
  const chunks: Buffer[] = [];
  parts.forEach((part, i) => {
    if (i > 0) chunks.push(mermaid.bytes);
    chunks.push(Buffer.from(part, "utf8"));
  });
  return Buffer.concat(chunks);
}
