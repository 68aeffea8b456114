import { createHash } from "node:crypto";
import fs from "node:fs";
import { createRequire } from "node:module";
import type { Emitter } from "./emitter.js";
import { HTML, reportData, reportView, type ReportView, type Safe } from "./report-view.js";
import { compileTemplate, readTemplate, TemplateError } from "./templates.js";

let mermaidCache: { path: string; js: string } | null | undefined;

/**
 * Mermaid's self-contained browser build (mermaid/dist/mermaid.min.js), resolved like an import from
 * this module (works from dist/src and from the bundled CLI), else through @mermaid-js/mermaid-cli's
 * own dependency. Undefined when neither is installed: report.html then shows the diagrams' source.
 */
export function mermaidBrowserBuild(): { path: string; js: string } | undefined {
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
      return (mermaidCache = { path: p, js: inlineScript(fs.readFileSync(p, "utf8")) });
    } catch {
      // not installed this way; try the next
    }
  }
  mermaidCache = null;
  return undefined;
}

/**
 * Makes a script safe to put between <script> and </script>: `</script` would end the element, and
 * `<!--` followed by `<script` switches the HTML parser into a state where `</script>` does not end
 * it. Both only occur in string or regular-expression literals, where `<\/` and `<\!` mean the same.
 * Mermaid 11's build has neither, so it is inlined byte for byte.
 */
export function inlineScript(js: string): string {
  const hazard = /<\/script/i.test(js) || (/<!--/.test(js) && /<script/i.test(js));
  return hazard ? js.replace(/<\/(script)/gi, "<\\/$1").replace(/<!--/g, "<\\!--") : js;
}

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
export function contentSecurityPolicy(html: string): string {
  const hashes = new Set<string>();
  for (const m of html.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/gi)) hashes.add(sha256(m[1]!));
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
    const mermaid = mermaidBrowserBuild();
    const view: HtmlReportView = {
      ...reportView(data, HTML, HTML),
      // Our own files, not model text; kept out of the way of the HTML parser like Mermaid.
      css: css.text.replace(/<\/(style)/gi, "<\\/$1") as Safe,
      script: inlineScript(js.text) as Safe,
      mermaidJs: (mermaid?.js ?? "") as Safe,
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
    const csp = contentSecurityPolicy(page);
    const html =
      page.slice(0, at) + CSP_MARKER.replace("aithreat:csp", csp) + page.slice(at + CSP_MARKER.length);
    return [{ path: "report.html", contents: html }];
  },
};
