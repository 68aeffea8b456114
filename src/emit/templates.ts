/**
 * Loading and compiling the report templates (`templates/` in the package, overridable per file with
 * `compile --templates <dir>`). Templates are read at run time, so a team can restyle a report without
 * rebuilding aithreat. Every template is compiled in strict mode (a field the view does not have is an
 * error, not an empty string) with only Handlebars' built-in helpers, and without Handlebars' own HTML
 * escaping: every string in a view is already escaped for its format in TypeScript (report-view.ts),
 * so templates only lay text out and can neither forget to escape nor escape twice.
 */
import { createHash } from "node:crypto";
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import Handlebars from "handlebars";
import { PRECOMPILED } from "./templates.precompiled.js";

/** A template (or asset) file name and what it is for; the names `--templates` may override. */
export const TEMPLATE_FILES: Readonly<Record<string, string>> = {
  "report.md.hbs": "report.md",
  "report.html.hbs": "report.html",
  "checklist.md.hbs": "checklist.md",
  "_finding-md.hbs": "one open finding in report.md (partial `finding-md`)",
  "_finding-html.hbs": "one open finding in report.html (partial `finding-html`)",
  "_path-md.hbs": "one crown jewel's attack paths in report.md (partial `path-md`)",
  "_path-html.hbs": "one crown jewel's attack paths in report.html (partial `path-html`)",
  "report.css": "the style sheet inlined into report.html (screen and print)",
  "report.js": "the script inlined into report.html (filters, diagram rendering)",
};

/**
 * Templates an emitter lays out in TypeScript while their text is the built-in one (`renderWith`),
 * so their precompiled form would never run: none is shipped. An edited text is compiled at run time.
 */
export const DIRECT_TEMPLATES: ReadonlySet<string> = new Set(["checklist.md.hbs"]);

/** A broken or missing template; `overridden` says whether it came from the `--templates` folder. */
export class TemplateError extends Error {
  constructor(
    readonly file: string,
    readonly overridden: boolean,
    message: string,
  ) {
    super(`template \`${file}\`: ${message}`);
    this.name = "TemplateError";
  }
}

let packageTemplates: string | undefined;

/**
 * The package's own templates/ folder. Found by walking up from this module to the folder holding
 * aithreat's package.json, so it works from the compiled modules (dist/src/emit/) and from the bundled
 * CLI (dist/aithreat.mjs) alike, and from wherever npm installed the package.
 */
export function builtinTemplatesDir(): string {
  if (packageTemplates !== undefined) return packageTemplates;
  let dir = path.dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const pkg = path.join(dir, "package.json");
    if (fs.existsSync(pkg) && fs.existsSync(path.join(dir, "templates"))) {
      const name = (JSON.parse(fs.readFileSync(pkg, "utf8")) as { name?: unknown }).name;
      if (name === "aithreat") return (packageTemplates = path.join(dir, "templates"));
    }
    const up = path.dirname(dir);
    if (up === dir) throw new Error("cannot find aithreat's templates/ folder above its modules");
    dir = up;
  }
}

/**
 * Problems with a `--templates` folder: not a folder, template files that override nothing, or a
 * template's name on something that is not a file (a folder, a broken link), which would otherwise
 * fail to read mid-run or fall back to the built-in template without a word.
 */
export function checkTemplatesDir(dir: string): string[] {
  const stat = fs.statSync(dir, { throwIfNoEntry: false });
  if (!stat?.isDirectory()) return [`\`--templates ${dir}\` is not a folder`];
  const known = Object.keys(TEMPLATE_FILES);
  return fs
    .readdirSync(dir)
    .sort()
    .flatMap((f) => {
      if (!known.includes(f))
        return /\.(hbs|css|js)$/.test(f)
          ? [
              `\`--templates ${dir}\` holds \`${f}\`, which overrides no template; the templates are ${known
                .map((k) => `\`${k}\``)
                .join(", ")}`,
            ]
          : [];
      const target = fs.statSync(path.join(dir, f), { throwIfNoEntry: false });
      if (!target) return [`\`--templates ${dir}\` holds \`${f}\`, a broken symbolic link`];
      if (!target.isFile()) return [`\`--templates ${dir}\` holds \`${f}\`, which is not a file`];
      return [];
    });
}

/** The text of a template: the override when the folder has one, else the built-in file. */
export function readTemplate(file: string, overrideDir?: string): { text: string; overridden: boolean } {
  if (!(file in TEMPLATE_FILES)) throw new TemplateError(file, false, "is not a known template");
  if (overrideDir !== undefined) {
    const p = path.join(overrideDir, file);
    if (fs.existsSync(p)) return { text: fs.readFileSync(p, "utf8"), overridden: true };
  }
  return { text: fs.readFileSync(path.join(builtinTemplatesDir(), file), "utf8"), overridden: false };
}

// Strict: a missing field throws. knownHelpersOnly: `{{x}}` is always a lookup, never a helper call,
// so a template can only reach data. Handlebars' `log` is no helper here: it wrote to the console,
// so `{{log ...}}` put text on stdout, where `compile --format json` prints its one JSON document
// (and emitters never print). noEscape: views carry strings already escaped for their format.
export const TEMPLATE_OPTIONS: CompileOptions = {
  strict: true,
  knownHelpersOnly: true,
  knownHelpers: { log: false },
  noEscape: true,
  preventIndent: true,
};
/**
 * A template's syntax tree with every path given to a helper or a partial strict as well. Handlebars'
 * strict mode checks `{{field}}` but reads arguments leniently, so `{{#if mitigatd}}` or
 * `{{#each findigs}}` took the empty branch without a word; now a field the view does not have is an
 * error there too. A field the view has may still be null or empty (`{{#if overview}}`). A block
 * parameter's fields (`as |f|`, `{{f.title}}`) are strict through `strictHandlebars`.
 */
export function parseTemplate(text: string): hbs.AST.Program {
  const program = Handlebars.parse(text);
  strictArguments(program);
  return program;
}

function strictArguments(node: unknown): void {
  if (typeof node !== "object" || node === null) return;
  const n = node as { params?: unknown[]; hash?: { pairs: { value: unknown }[] } };
  for (const arg of [...(n.params ?? []), ...(n.hash?.pairs.map((p) => p.value) ?? [])]) {
    const path = arg as { type?: string; strict?: boolean };
    if (path.type === "PathExpression") path.strict = true;
  }
  for (const child of Object.values(node)) strictArguments(child);
}

/**
 * A Handlebars environment whose templates are strict in the two places Handlebars' own strict mode
 * is not: a field of a block parameter (`{{#each systems as |s|}}{{s.titel}}{{/each}}` printed
 * nothing) and `lookup` (`{{lookup this "nope"}}` printed nothing): both are errors now, as any other
 * missing field. Used for the templates compiled at run time and by the precompiler alike.
 */
export function strictHandlebars(): typeof Handlebars {
  const hb = Handlebars.create();
  // Not in Handlebars' type declarations; documented as the way to change how templates compile.
  const env = hb as unknown as { JavaScriptCompiler: new () => object };
  const base = env.JavaScriptCompiler;
  // Handlebars resolves `s.field` of a block parameter without its strict check (it passes no
  // `strict` to `resolvePath`); a field after the parameter itself is resolved strictly here.
  class StrictCompiler extends base {}
  type Internals = {
    useBlockParams: boolean;
    push: (source: unknown) => void;
    resolvePath: (type: string, parts: string[], start: number, falsy?: boolean, strict?: boolean) => void;
  };
  Object.assign(StrictCompiler.prototype, {
    // The compiler of a block's inner program (where block parameters are read) is this one too.
    compiler: StrictCompiler,
    lookupBlockParam(this: Internals, blockParamId: [number, number], parts: string[]) {
      this.useBlockParams = true;
      this.push(["blockParams[", blockParamId[0], "][", blockParamId[1], "]"]);
      this.resolvePath("context", parts, 1, false, parts.length > 1);
    },
  });
  env.JavaScriptCompiler = StrictCompiler;
  hb.registerHelper("lookup", (object: unknown, field: unknown, options: Handlebars.HelperOptions) => {
    const key = typeof field === "number" ? field : String(field);
    if (object === null || typeof object !== "object" || !Object.prototype.hasOwnProperty.call(object, key))
      throw new Error(`"${String(field)}" not defined in the value given to lookup - ${where(options)}`);
    return (object as Record<string | number, unknown>)[key];
  });
  return hb;
}

/** `line:column` of a helper call, as Handlebars' own strict errors give it. */
function where(options: Handlebars.HelperOptions): string {
  const loc = (options as { loc?: { start: { line: number; column: number } } }).loc;
  return loc ? `${loc.start.line}:${loc.start.column}` : "?";
}

/** The helpers a template may call, as a message lists them. */
const TEMPLATE_HELPERS = "`if`, `unless`, `each`, `with` and `lookup`";
type CompileOptions = NonNullable<Parameters<typeof Handlebars.compile>[1]>;

/** The digest a precompiled template is kept under: SHA-256 of its text, hex. */
export function templateDigest(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/**
 * The precompiled form of a template text, when it is exactly a built-in template's text as it was
 * when aithreat was built (scripts/gen-templates.ts writes templates.precompiled.ts; a test keeps it
 * current). Compiling the three reports' templates and their partials took about 0.2 s of every
 * `compile`, a fifth of the whole run on a small model. Any other text, an override or a built-in file
 * edited in place, is compiled at run time as before.
 */
export function precompiledFor(
  file: string,
  text: string,
): Parameters<typeof Handlebars.template>[0] | undefined {
  const known = PRECOMPILED[file];
  return known && known.sha256 === templateDigest(text) ? known.spec : undefined;
}

/** A compiled template: renders a view to text; a template error names the file. */
export type Render = (view: object) => string;

/** Compiled templates by their text and their partials' texts (see `compileTemplate`). */
const compiled = new Map<string, Render>();

/**
 * Compiles `file` with every partial (`_name.hbs` files become partial `name`), each from the
 * override folder when it has one. A fresh Handlebars environment per set of texts keeps partials of
 * different folders apart. The result is kept by the texts it was compiled from: the files are read
 * on every call (a changed override is seen), but a text is compiled once per process, not once per
 * emitter and run.
 */
export function compileTemplate(file: string, overrideDir?: string): Render {
  const partials = Object.keys(TEMPLATE_FILES)
    .filter((f) => f.startsWith("_") && f.endsWith(".hbs"))
    .map((name) => ({ name, ...readTemplate(name, overrideDir) }));
  const main = readTemplate(file, overrideDir);
  const key = [
    file,
    main.overridden,
    main.text,
    ...partials.map((p) => `${p.name} ${p.overridden}\u0000${p.text}`),
  ].join("\u0000");
  const known = compiled.get(key);
  if (known) return known;
  const hb = strictHandlebars();
  const build = (name: string, text: string): Handlebars.TemplateDelegate => {
    const spec = precompiledFor(name, text);
    if (spec) return hb.template(spec);
    // Parsed on first use, as Handlebars compiles, so a syntax error surfaces in `guard`.
    let fn: Handlebars.TemplateDelegate | undefined;
    return (context, options) => (fn ??= hb.compile(parseTemplate(text), TEMPLATE_OPTIONS))(context, options);
  };
  for (const { name, text, overridden } of partials)
    hb.registerPartial(name.slice(1, -".hbs".length), guard(name, overridden, build(name, text)));
  const render = guard(file, main.overridden, build(file, main.text));
  const fn: Render = (view) => render(view);
  compiled.set(key, fn);
  return fn;
}

/**
 * A template written as a TypeScript function, for one exact text of a template that uses no
 * partials: `render` gives what Handlebars gives for that text (its SHA-256).
 */
export interface DirectTemplate<V extends object> {
  readonly sha256: string;
  readonly render: (view: V) => string;
}

/**
 * Renders `file` through `direct` when its text (the built-in one or an override) is the one
 * `direct` was written for, else compiled with Handlebars as `compileTemplate` does.
 */
export function renderWith<V extends object>(
  file: string,
  overrideDir: string | undefined,
  direct: DirectTemplate<V>,
): (view: V) => string {
  if (templateDigest(readTemplate(file, overrideDir).text) === direct.sha256) return direct.render;
  return compileTemplate(file, overrideDir);
}

/** Wraps a compiled template so its errors (syntax errors surface on first use) name the file. */
function guard(
  file: string,
  overridden: boolean,
  fn: Handlebars.TemplateDelegate,
): Handlebars.TemplateDelegate {
  return (context: unknown, options?: Handlebars.RuntimeOptions) => {
    try {
      return fn(context, options);
    } catch (e) {
      // A built-in partial that fails under an override was called by it with a view it does not
      // take: the override's mistake, so the error is the override's.
      if (e instanceof TemplateError && overridden && !e.overridden)
        throw new TemplateError(file, true, `the partial it calls failed: ${e.message}`);
      if (e instanceof TemplateError) throw e;
      // A partial that includes itself recurses until the stack ends, and this runs at that depth:
      // no regular expression here (compiling one needs stack V8 no longer has).
      if (e instanceof RangeError && e.message.includes("call stack"))
        throw new TemplateError(
          file,
          overridden,
          "it never finishes: a partial includes itself, directly or through another",
        );
      throw new TemplateError(file, overridden, readable(e instanceof Error ? e.message : String(e)));
    }
  };
}

/**
 * Handlebars' strict-mode error in words a template author can act on: it names the missing field's
 * context as `[object Object]` and its place as a bare `- line:column`.
 */
function readable(full: string): string {
  // A syntax error's message is several lines: the place, an excerpt with a marker under it, then
  // what the parser expected. The first line alone ("Parse error on line 2:") says nothing.
  const parse = /^(Parse error on line \d+):\n[\s\S]*\n(Expecting [^\n]*)$/.exec(full);
  if (parse) return `${parse[1]}: ${parse[2]!.replace(/^Expecting/, "expecting")}`;
  const message = full.split("\n")[0] ?? full;
  const missing = /^"(.+)" not defined in .*? - (\d+):(\d+)$/.exec(message);
  if (missing) {
    const [, field, line, column] = missing;
    return `\`${field}\` (line ${line}, column ${Number(column) + 1}) is not a field of what this template is given`;
  }
  const helper = /^You specified knownHelpersOnly, but used the unknown helper (\S+) - (\d+):(\d+)$/.exec(
    message,
  );
  if (helper) {
    const [, name, line, column] = helper;
    return `\`${name}\` (line ${line}, column ${Number(column) + 1}) is not a helper templates can use; they have ${TEMPLATE_HELPERS}`;
  }
  // A template that writes more text than a JavaScript string holds (a loop in a loop in a loop).
  if (message === "Invalid string length")
    return "its output is longer than the longest text aithreat can write (about 500 million characters): does a loop nest another that runs over the same list?";
  // A field read from a text or a number (`{{s.length}}` of a block parameter that is a string):
  // strict lookups test `field in value`, which JavaScript refuses for those.
  const primitive = /^Cannot use 'in' operator to search for '(.*)' in /.exec(message);
  if (primitive)
    return `\`${primitive[1]}\` is read from a text or a number, which has no fields: read it from an object of the view`;
  // A built-in helper called without what it needs fails inside Handlebars with a JavaScript error.
  if (/^Cannot read properties of (undefined|null)/.test(message))
    return `a helper was called without the arguments it needs (${message})`;
  return message;
}
