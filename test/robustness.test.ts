/**
 * Property-based robustness of the front end (fast-check): whatever bytes arrive, loading and
 * resolving never throws, finishes within a bound, and every diagnostic it reports is located inside
 * the file it names (only command-line codes may lack a location). Inputs are token soups built from
 * the language's own tokens and mutations of a valid two-file model. Seeds and run counts are fixed
 * so the file stays deterministic and takes a few seconds.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import fc from "fast-check";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../src/catalog/index.js";
import { runFrontEnd, type FrontEndResult } from "../src/compiler.js";
import { isDiagnosticCode } from "../src/diagnostics/catalog.js";
import type { Diagnostic, Location } from "../src/diagnostics/diagnostic.js";
import { diagnosticToJson, formatDiagnostic } from "../src/diagnostics/format.js";
import { lineCol, lineStarts, lineText } from "../src/source.js";
import { MAX_ERRORS_PER_FILE } from "../src/syntax/parse.js";
import { RESERVED_WORDS, theLexer } from "../src/syntax/tokens.js";
import { TEST_TODAY } from "./helpers/compile.js";
import { memoryHost } from "./helpers/memory-host.js";

/** Codes the command line raises; they may come without a location. */
const CLI_LEVEL = new Set(["AT1001", "AT9001", "AT9002", "AT9999"]);

// Time bounds are hang detectors, not benchmarks, and follow the project's rule of measuring against a
// reference in the same run: any input may take at most SLOWDOWN times as long as a valid model of the
// same size, and small inputs get a floor so a garbage-collector pause on a busy machine is no failure.
const SLOWDOWN = 25;
const FLOOR_MS = 1000;
let referenceMsPerByte: number | undefined;

/** Milliseconds per byte the front end takes on a valid model of about 50 KB (best of three). */
function msPerValidByte(): number {
  if (referenceMsPerByte !== undefined) return referenceMsPerByte;
  const parts = ['zone vpc "VPC" { trust internal }\ndata d "D" { classification personal }\n'];
  for (let i = 0, size = 0; size < 50_000; i++) {
    const line = `store s${i} "Store ${i}" in vpc { type database  encrypted true  holds [d] }\n`;
    parts.push(line);
    size += line.length;
  }
  const text = parts.join("");
  let best = Infinity;
  for (let i = 0; i < 3; i++) best = Math.min(best, compile({ "model.aithreat": text }).ms);
  referenceMsPerByte = best / text.length;
  return referenceMsPerByte;
}

function timeBound(files: Files): number {
  const size = Object.values(files).reduce((n, f) => n + f.length, 0);
  // Small inputs are bounded by the floor alone; the reference is measured only when needed.
  if (size < 10_000) return FLOOR_MS;
  return Math.max(FLOOR_MS, SLOWDOWN * msPerValidByte() * size);
}

const SEED = 20260601;

const encoder = new TextEncoder();

/** The files of one run: paths relative to /project -> contents. */
type Files = Record<string, string | Uint8Array>;

/** Compiles in memory with every `.aithreat` file as an input, as `aithreat check <folder>` would. */
function compile(files: Files, inputs?: readonly string[]): { result: FrontEndResult; ms: number } {
  const abs = Object.fromEntries(Object.entries(files).map(([k, v]) => [`/project/${k}`, v]));
  const names = inputs ?? Object.keys(files).filter((f) => f.endsWith(".aithreat"));
  const started = performance.now();
  const result = runFrontEnd({
    inputs: names.map((n) => `/project/${n}`),
    root: "/project",
    host: memoryHost(abs),
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  return { result, ms: performance.now() - started };
}

/** Why a location is unusable, or undefined when it lies inside its file at a real line and column. */
function badLocation(loc: Location, knownPaths: ReadonlySet<string>): string | undefined {
  const { file, start, end } = loc;
  if (!knownPaths.has(file.path)) return `file \`${file.path}\` is not part of the program`;
  if (!Number.isInteger(start) || !Number.isInteger(end)) return `offsets ${start}..${end} are not integers`;
  if (start < 0 || end < start || end > file.text.length)
    return `offsets ${start}..${end} outside 0..${file.text.length}`;
  const { line, column } = lineCol(file, start);
  if (line < 1 || line > lineStarts(file).length) return `line ${line} does not exist`;
  const width = lineText(file, line).length;
  if (column < 1 || column > width + 1) return `column ${column} is outside line ${line} (${width} wide)`;
  return undefined;
}

/** Checks the invariants every front-end run must keep; returns the broken ones. */
function violations(result: FrontEndResult, ms: number, boundMs: number): string[] {
  const out: string[] = [];
  if (ms > boundMs)
    out.push(
      `took ${Math.round(ms)} ms, more than ${SLOWDOWN}x a valid model of that size (${Math.round(boundMs)} ms)`,
    );
  const paths = new Set(result.program.files.map((f) => f.source.path));
  const check = (d: Diagnostic) => {
    const what = `${d.code} "${d.message}"`;
    if (!isDiagnosticCode(d.code)) out.push(`${what}: not a catalog code`);
    if (d.message.length === 0) out.push(`${d.code}: empty message`);
    // An empty identifier in backticks comes from a token that recovery invented; it names nothing.
    // (An empty string the user wrote, `""`, is the one honest source of ``.)
    const source = d.location ? d.location.file.text.slice(d.location.start, d.location.end) : "";
    if (d.message.includes("``") && source !== '""') out.push(`${what}: names an empty identifier`);
    if (!d.location) {
      if (!CLI_LEVEL.has(d.code)) out.push(`${what}: no location`);
    } else {
      const bad = badLocation(d.location, paths);
      if (bad) out.push(`${what}: ${bad}`);
    }
    for (const note of d.notes ?? []) {
      const bad = note.location && badLocation(note.location, paths);
      if (bad) out.push(`${what}: note "${note.message}": ${bad}`);
    }
    // Printing must not throw either, and its first line must carry the same position.
    const text = formatDiagnostic(d);
    const json = diagnosticToJson(d);
    if (d.location && !text.startsWith(`${d.location.file.path}:${json.line}:${json.column} - `))
      out.push(`${what}: printed position does not match the JSON one`);
  };
  for (const d of result.diagnostics) check(d);
  // AT1022 promises that a file lists at most MAX_ERRORS_PER_FILE errors, whichever stage finds them.
  const perFile = new Map<string, number>();
  for (const d of result.diagnostics)
    if (d.severity === "error" && d.location)
      perFile.set(d.location.file.path, (perFile.get(d.location.file.path) ?? 0) + 1);
  for (const [file, n] of perFile)
    if (n > MAX_ERRORS_PER_FILE + 1)
      out.push(`${file}: ${n} errors listed, more than the cap of ${MAX_ERRORS_PER_FILE}`);
  return out;
}

/** Compiles and asserts the invariants, naming the input in the failure. */
function assertRobust(files: Files, inputs?: readonly string[]): FrontEndResult {
  let compiled: { result: FrontEndResult; ms: number };
  try {
    compiled = compile(files, inputs);
  } catch (e) {
    throw new Error(`the front end threw ${String(e)} on ${preview(files)}`);
  }
  const broken = violations(compiled.result, compiled.ms, timeBound(files));
  if (broken.length > 0) throw new Error(`${broken.join("\n")}\non ${preview(files)}`);
  return compiled.result;
}

function preview(files: Files): string {
  return JSON.stringify(
    Object.fromEntries(
      Object.entries(files).map(([k, v]) => {
        const s = typeof v === "string" ? v : `bytes:${Buffer.from(v).toString("base64")}`;
        return [k, s.length > 300 ? `${s.slice(0, 150)}...${s.slice(-150)} (${s.length} chars)` : s];
      }),
    ),
  );
}

// ---- a valid model to mutate ------------------------------------------------------------------------

const SEED_MODEL = `system "Support Copilot" { owner "ml-platform"  version "2.3.0" }
import "./shared/zones.aithreat"

rule ORG-7 "Markdown exfiltration" { description "rendered links leak data" }

zone internet "Public internet" { trust untrusted }
zone vpc "Production VPC" {
  trust internal
  store     tickets     "Ticket database"      { holds customer_pii }
  dataset   ft_corpus   "Fine-tuning corpus"   { holds customer_pii  provenance false }
  pipeline  finetune    "Nightly LoRA fine-tune"
  model     copilot_llm "Copilot LLM"          { family generative  origin fine_tuned  format safetensors  verified true }
  vectorstore kb        "Knowledge-base index" { holds kb_articles }
  agent     copilot     "Support agent"        { autonomy loop  memory session  controls [spotlighting, output_filter] }
  tool      refund      "Refund API"           { capabilities [write, pay]  approval human }
  tool      mailer      "Outbound e-mail"      { capabilities [send_external] }
}
actor  customer "Customer"              in internet { role customer }
source forum    "Community forum posts" in dmz { type forum }

data customer_pii "Customer PII" { classification personal  crown confidentiality  regulated [GDPR] }
data kb_articles  "KB articles"  { classification internal }
asset copilot_llm crown integrity

/* Controls we run ourselves. */
control mail_review "Human review of outbound mail" {
  description """Every outbound
mail waits for a reviewer."""
  mitigates [ORG-7]
  atlas [AML.M0007]
  cost 3
}

flow customer    -> copilot     "chat"          { kind prompt  auth session }
flow forum       -> kb          "nightly crawl" { kind ingest }
flow kb          -> copilot     "retrieve"      { kind retrieve }
flow copilot     -> refund      "issue refund"  { kind invoke }
flow reply: copilot -> mailer   "send reply"    { kind invoke  controls [mail_review] }
flow tickets     -> ft_corpus   "export"        { kind copy  carries customer_pii  encrypted true }
flow ft_corpus   -> finetune    "train"         { kind train }
flow finetune    -> copilot_llm "publish"       { kind produce }
flow copilot_llm -> copilot     "serve"         { kind serve }

// Accepted until the widget ships its own renderer.
accept ORG-7 on reply { reason "markdown rendering disabled in the widget"  owner "secops"  expires 2027-03-31  ticket "SEC-12" }
`;
const SEED_ZONES = `zone dmz "DMZ" { trust public  description "edge proxies \\u{2014} \\"public\\"" }\n`;
const SEED_FILES: Files = { "model.aithreat": SEED_MODEL, "shared/zones.aithreat": SEED_ZONES };

test("the seed model is valid, so every error below comes from a mutation", () => {
  const { result } = compile(SEED_FILES);
  assert.equal(
    result.diagnostics.map((d) => `${d.code} ${d.message}`),
    [],
  );
});

// ---- token soups -------------------------------------------------------------------------------------

const NAMES = [
  "vpc",
  "copilot",
  "customer",
  "kb",
  "mailer",
  "x",
  "AT-33",
  "ORG-7",
  "AML.M0007",
  "eu-west",
  "données",
  "名前",
  "_",
];
const PROPS = [
  "trust",
  "holds",
  "kind",
  "crown",
  "controls",
  "capabilities",
  "expires",
  "reason",
  "owner",
  "cost",
  "atlas",
  "mitigates",
  "family",
  "carries",
  "description",
  "tags",
  "verified",
  "role",
];
const VALUES = [
  "internal",
  "untrusted",
  "public",
  "prompt",
  "invoke",
  "train",
  "true",
  "false",
  "confidentiality",
  "personal",
  "send_external",
  "spotlighting",
  "generative",
];
const LITERALS = [
  '"Title"',
  '""',
  '"with \\"escape\\" and \\u{1F600}"',
  '"bad \\q escape"',
  '"\\u{110000}"',
  '"\\u{d800}"',
  '"ends with a backslash\\',
  '"unterminated',
  '"""multi\nline"""',
  '"""unterminated triple',
  "0",
  "5",
  "3.14",
  "99999999999999999999999",
  "2027-03-31",
  "2027-02-30",
  "0000-00-00",
  "-1",
];
const PUNCT = ["{", "}", "[", "]", ",", ":", "->", "-", ">", ".", "{}", "[]"];
const TRIVIA = [
  "// comment\n",
  "/* block */",
  "/* unterminated",
  "*/",
  ";",
  "@",
  "#",
  "\\",
  "\u0000",
  "\u2028",
  "\ufeff",
  "\u00a0",
  "\t",
  "\r",
  "\r\n",
  "\n",
  "\ud800",
];
const IMPORTS = [
  'import "./a.aithreat"',
  'import "./b.aithreat"',
  'import "./c.aithreat"',
  'import "./missing.aithreat"',
  'import "../outside.aithreat"',
  'import "/etc/passwd"',
  'import "https://example.com/x.aithreat"',
  'import "./dir"',
  'import "."',
  'import ""',
];

const token = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...RESERVED_WORDS) },
  { weight: 3, arbitrary: fc.constantFrom(...NAMES) },
  { weight: 2, arbitrary: fc.constantFrom(...PROPS) },
  { weight: 2, arbitrary: fc.constantFrom(...VALUES) },
  { weight: 2, arbitrary: fc.constantFrom(...LITERALS) },
  { weight: 4, arbitrary: fc.constantFrom(...PUNCT) },
  { weight: 1, arbitrary: fc.constantFrom(...TRIVIA) },
  { weight: 1, arbitrary: fc.constantFrom(...IMPORTS) },
);
const separator = fc.constantFrom(" ", " ", "\n", "", "\t", "\r\n");
const soup = fc
  .array(fc.tuple(token, separator), { maxLength: 120 })
  .map((parts) => parts.map(([t, s]) => t + s).join(""));

test("token soups of the language's own tokens never break the front end", () => {
  holds(
    fc.property(soup, (text) => {
      assertRobust({ "model.aithreat": text });
    }),
    SEED,
    300,
  );
});

test("soups across three files importing each other never break the loader", () => {
  holds(
    fc.property(soup, soup, soup, fc.boolean(), (a, b, c, allInputs) => {
      const files: Files = { "a.aithreat": a, "b.aithreat": b, "c.aithreat": c, "dir/d.aithreat": b };
      assertRobust(files, allInputs ? undefined : ["a.aithreat"]);
    }),
    SEED + 1,
    100,
  );
});

// ---- mutations of the valid model --------------------------------------------------------------------

const SEED_BYTES = encoder.encode(SEED_MODEL);

test("truncating the model at every token boundary and inside every token never breaks it", () => {
  // Every kind of point: before and after each token, and in the middle of strings and comments,
  // which is where a truncated download or an editor crash usually leaves a file.
  const cuts = new Set<number>();
  const lexed = theLexer().tokenize(SEED_MODEL);
  const all = [...lexed.tokens, ...(lexed.groups["comments"] ?? [])];
  for (const t of all) {
    const end = t.startOffset + t.image.length;
    cuts
      .add(t.startOffset)
      .add(end)
      .add(t.startOffset + Math.floor(t.image.length / 2));
  }
  for (const cut of [...cuts].sort((x, y) => x - y)) {
    assertRobust({ "model.aithreat": SEED_MODEL.slice(0, cut), "shared/zones.aithreat": SEED_ZONES });
  }
});

// Byte sequences that are not UTF-8: a stray continuation byte, a lone lead byte, an overlong
// encoding, a UTF-16 surrogate, a code point past U+10FFFF, a truncated four-byte sequence.
const INVALID_UTF8: readonly (readonly number[])[] = [
  [0x80],
  [0xff],
  [0xc0, 0x80],
  [0xe0, 0x80, 0x80],
  [0xed, 0xa0, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
  [0xf0, 0x9f],
  [0xc3],
];

/** One edit of a file's bytes; plain data, so fast-check prints a failing sequence readably. */
type Mutation =
  | { readonly op: "truncate"; readonly at: number }
  | { readonly op: "flip"; readonly at: number; readonly mask: number }
  | { readonly op: "delete-line" | "duplicate-line"; readonly at: number }
  | { readonly op: "insert"; readonly at: number; readonly bytes: readonly number[] }
  | { readonly op: "repeat"; readonly at: number; readonly text: string; readonly times: number };

const splice = (bytes: Uint8Array, offset: number, remove: number, insert: ArrayLike<number>) => {
  const out = new Uint8Array(bytes.length - remove + insert.length);
  out.set(bytes.subarray(0, offset), 0);
  out.set(insert, offset);
  out.set(bytes.subarray(offset + remove), offset + insert.length);
  return out;
};
// Lines are split as Latin-1 so that every byte, valid UTF-8 or not, survives the round trip.
const lines = (bytes: Uint8Array) => Buffer.from(bytes).toString("latin1").split("\n");
const unlines = (ls: string[]) => new Uint8Array(Buffer.from(ls.join("\n"), "latin1"));

/** Applies one mutation; positions wrap around the current length so every drawn value is usable. */
function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const offset = m.at % (bytes.length + 1);
  switch (m.op) {
    case "truncate":
      return bytes.subarray(0, offset);
    case "flip": {
      if (bytes.length === 0) return bytes;
      const out = bytes.slice();
      const i = m.at % bytes.length;
      out[i] = (out[i] ?? 0) ^ m.mask;
      return out;
    }
    case "delete-line":
    case "duplicate-line": {
      const ls = lines(bytes);
      const i = m.at % ls.length;
      if (m.op === "delete-line") ls.splice(i, 1);
      else ls.splice(i, 0, ls[i] ?? "");
      return unlines(ls);
    }
    case "insert":
      return splice(bytes, offset, 0, m.bytes);
    case "repeat":
      return splice(bytes, offset, 0, encoder.encode(m.text.repeat(m.times)));
  }
}

const position = fc.nat({ max: 1_000_000 });
const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ op: fc.constant("truncate" as const), at: position }),
  fc.record({ op: fc.constant("flip" as const), at: position, mask: fc.integer({ min: 1, max: 255 }) }),
  fc.record({ op: fc.constantFrom("delete-line" as const, "duplicate-line" as const), at: position }),
  fc.record({ op: fc.constant("insert" as const), at: position, bytes: fc.constant([0]) }),
  fc.record({ op: fc.constant("insert" as const), at: position, bytes: fc.constantFrom(...INVALID_UTF8) }),
  // Deep nesting around the limit of 64 and far past it; then stray closers.
  fc.record({
    op: fc.constant("repeat" as const),
    at: position,
    text: fc.constantFrom("{", "[", "zone z { ", "x [", "{ a "),
    times: fc.constantFrom(63, 64, 65, 2000),
  }),
  fc.record({
    op: fc.constant("repeat" as const),
    at: position,
    text: fc.constantFrom("}", "]"),
    times: fc.integer({ min: 1, max: 500 }),
  }),
);

/**
 * Runs a property with a fixed seed and, on failure, reports the broken invariants (which name a
 * short preview of the input) instead of fast-check's dump of a value that may be megabytes long.
 */
function holds<T>(property: fc.IProperty<T>, seed: number, numRuns: number): void {
  const details = fc.check(property, { seed, numRuns });
  if (!details.failed) return;
  const error = details.errorInstance;
  const message = error instanceof Error ? error.message : String(error);
  throw new Error(
    `property failed (seed ${seed}, path ${details.counterexamplePath ?? "?"}) after ${details.numRuns} runs:\n${message.slice(0, 4000)}`,
  );
}

test("random mutations of a valid model never break the front end", () => {
  holds(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 4 }), (mutations) => {
      const bytes = mutations.reduce(mutate, SEED_BYTES);
      try {
        assertRobust({ "model.aithreat": bytes, "shared/zones.aithreat": SEED_ZONES });
      } catch (e) {
        // The mutations say more than the mutated bytes do.
        throw new Error(`after ${JSON.stringify(mutations)}: ${e instanceof Error ? e.message : String(e)}`);
      }
    }),
    SEED + 2,
    300,
  );
});

// Huge tokens: one name, string, number, comment, run of blanks or of brackets, far larger than any
// real model has, inserted into the valid model. Few runs: each is about 50 KB. The run of digits
// ends with a blank here because digits glued to a letter lex in quadratic time, which the test
// after this one measures on its own (here it would cost minutes).
const HUGE = 50_000;
const huge = fc.constantFrom(
  "x".repeat(HUGE),
  `"${"s".repeat(HUGE)}"`,
  `"${"s".repeat(HUGE)}`,
  `"${"\\q".repeat(HUGE / 2)}"`,
  `"""${"line\n".repeat(HUGE / 5)}"""`,
  `${"9".repeat(HUGE)} `,
  `//${"c".repeat(HUGE)}\n`,
  `/*${"c".repeat(HUGE)}`,
  " ".repeat(HUGE),
  "\n".repeat(HUGE),
  "{".repeat(HUGE),
  "}".repeat(HUGE),
  "[".repeat(HUGE),
  ";".repeat(HUGE),
  "; ".repeat(HUGE / 2),
  "a.".repeat(HUGE / 2),
  "a-".repeat(HUGE / 2),
  "é".repeat(HUGE),
);

test("huge tokens inserted anywhere never break the front end", () => {
  holds(
    fc.property(huge, position, (insert, p) => {
      const offset = p % (SEED_MODEL.length + 1);
      assertRobust({
        "model.aithreat": SEED_MODEL.slice(0, offset) + insert + SEED_MODEL.slice(offset),
        "shared/zones.aithreat": SEED_ZONES,
      });
    }),
    SEED + 3,
    20,
  );
});

test("a run of digits glued to a letter lexes in linear time", () => {
  // `\d+` backtracks one digit at a time when the number is followed by a letter, at every offset of
  // the run: quadratic. Compared in the same run with the same digits followed by a blank.
  const digits = "9".repeat(8000);
  const benign = compile({ "model.aithreat": `${digits} x` }).ms;
  const { result, ms } = compile({ "model.aithreat": `${digits}x` });
  const bound = Math.max(SLOWDOWN * benign, 200);
  assert.ok(
    ms <= bound,
    `8,000 digits followed by a letter took ${Math.round(ms)} ms, against ${Math.round(benign)} ms followed by a blank`,
  );
  assert.equal(violations(result, 0, Infinity), []);
});

// Inputs the properties above found, kept as named cases so each stays visible on its own (a
// property stops at its first counterexample).
const HOSTILE: Record<string, string> = {
  "an unclosed `{` at top level before more text": "{ system ",
  "an import left open by an unclosed `{`": 'policy import ""\t{on {\r\nvpc\t}accept ',
  "a keyword where a flow names its target":
    'zone vpc "V" { trust internal }\napp web "Web" in vpc\nflow web -> model { kind prompt }\n',
  "a keyword where an acceptance names its subject": "accept ORG-7 on zone",
  "an `asset` whose property is a keyword": "asset x model",
  "a zone with no name": 'zone "Edge" { owner "platform" }',
  "hundreds of zones without `trust`, all named alike": 'zone z "Z" '.repeat(200),
};
for (const [what, text] of Object.entries(HOSTILE)) {
  test(`hostile input: ${what}`, () => {
    assertRobust({ "model.aithreat": text });
  });
}

test("the same input gives the same diagnostics twice", () => {
  holds(
    fc.property(fc.array(mutation, { minLength: 1, maxLength: 3 }), (mutations) => {
      const bytes = mutations.reduce(mutate, SEED_BYTES);
      const files = { "model.aithreat": bytes, "shared/zones.aithreat": SEED_ZONES };
      const once = compile(files).result.diagnostics.map((d) => formatDiagnostic(d));
      const twice = compile(files).result.diagnostics.map((d) => formatDiagnostic(d));
      assert.equal(twice, once);
    }),
    SEED + 4,
    50,
  );
});

test.run();
