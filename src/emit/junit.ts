import { severityRank, type Severity } from "../analysis/findings.js";
import type { Emitter } from "./emitter.js";
import { escapeMarkup } from "./escape.js";
import { eachFact, type FindingView, type FindingViewList } from "./findings-view.js";
import { memoize } from "../memoize.js";
import { rememberLast } from "./remember-last.js";
import { producedFile } from "./text-sink.js";

/**
 * findings.junit.xml: findings as a JUnit test report, for CI systems that list test results
 * (GitLab, Jenkins, Azure DevOps, CircleCI). Each finding is a test case; an open finding is a
 * failure, a mitigated or accepted one passes with a line saying why. Test suites group the cases by
 * rule (default) or by subject component. Times are always 0 so the file stays byte-identical.
 */

/** How test cases are grouped into suites. */
export type JunitGrouping = "rule" | "component";

// XML 1.0 allows tab, newline, carriage return and the ranges below; anything else (other control
// characters, lone surrogates, U+FFFE/U+FFFF) makes the document ill-formed, so it is replaced.
const INVALID_XML = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

// What may need the (slow, Unicode-aware) INVALID_XML pass: surrogates (a lone one is invalid) and
// the characters it replaces. Tested apart from markup: most failure bodies hold an arrow (`a -> b`)
// and need their `>` escaped, and almost none hold a character XML forbids.
const MAYBE_INVALID = /[\uD800-\uDFFF\uFFFE\uFFFF\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** Element text safe in XML: markup characters as entities, characters XML forbids as U+FFFD. */
export function xmlText(s: string): string {
  // (A replacement function called per match was several times slower on failure bodies, which
  // hold an arrow, `a -> b`, on most lines.)
  return escapeMarkup(MAYBE_INVALID.test(s) ? s.replace(INVALID_XML, "\uFFFD") : s);
}

/**
 * An attribute value safe in XML. Quotes become entities, and newlines, carriage returns and tabs
 * character references, since a parser would otherwise normalise them to spaces.
 */
export function xmlAttr(s: string): string {
  const text = xmlText(s);
  if (!/["'\n\r\t]/.test(text)) return text;
  return text.replace(/["'\n\r\t]/g, (c) => ATTR_ENTITY[c]!);
}

const ATTR_ENTITY: Readonly<Record<string, string>> = {
  '"': "&quot;",
  "'": "&apos;",
  "\n": "&#10;",
  "\r": "&#13;",
  "\t": "&#9;",
};

const attrs = (pairs: readonly (readonly [string, string | number])[]) =>
  pairs.map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`).join("");

const at = (l: { file: string; line: number; column: number }) => `${l.file}:${l.line}:${l.column}`;

/** The lines naming the controls that would mitigate a finding (after a newline), or "". */
function mitigateWith(recommended: FindingView["recommended"]): string {
  let text = "";
  for (const r of recommended)
    text += `\n  - ${r.control}: ${r.title}${r.declared ? " (declared)" : r.bypassed ? " (declared, but not counted here)" : ""}`;
  return text && `\nmitigate with:${text}`;
}

/** The body of a failure: what fired, why, and what would mitigate it (`mitigate` of its list). */
function details(f: FindingView, mitigate: (list: FindingView["recommended"]) => string): string {
  let text = `${f.rule} ${f.title}\n${f.message}\nseverity ${f.severity} (likelihood ${f.likelihood}, impact ${f.impact}); status ${f.status}\nat ${at(f.location)}`;
  let why = "";
  eachFact(f, (fact, location) => (why += `\n  - ${fact} (${at(location)})`));
  if (why !== "") text += `\nwhy:${why}`;
  text += mitigate(f.recommended);
  if (f.acceptance?.expired)
    text += `\nacceptance by ${f.acceptance.owner} expired on ${f.acceptance.expires}`;
  return text;
}

/** Why a finding that is not open passes. */
function passReason(f: FindingView): string {
  if (f.status === "accepted" && f.acceptance)
    return `accepted by ${f.acceptance.owner} until ${f.acceptance.expires}: ${f.acceptance.reason}`;
  return `mitigated by ${f.mitigatedBy.map((m) => m.control).join(", ")}; residual severity ${f.residual.severity}`;
}

/**
 * The most bytes findings.junit.xml holds by default (`--junit-max-kb`; 0: no limit). GitLab's unit
 * test reports refuse a JUnit file of 30 MB or more (and 100 MB of them per job); the 10k-component
 * model's report was 30 MB and the 100k one's 300 MB (docs/adr/0015). 25 MB leaves room for a
 * reading of "MB" as 10^6 bytes and for the suites' lines.
 */
export const JUNIT_MAX_BYTES = 25_000_000;

/** Builds the JUnit XML document (`maxBytes` as in `junitPlan`; 0, the default here: every case). */
export function junitXml(findings: FindingViewList, grouping: JunitGrouping = "rule", maxBytes = 0): string {
  const pieces: string[] = [];
  junitText(findings, grouping, maxBytes, (piece) => pieces.push(piece));
  return pieces.join("");
}

/**
 * The cases of a report under a size limit: the findings in the order a CI reader needs them (open
 * ones first, as failures; the most severe first; then the view's order), kept while their text fits,
 * so the kept ones are always the first of that order. `texts[i]` is the text of the kept case of
 * finding `i` (undefined: left out); `texts` is undefined when there is no limit, and then every case
 * is written as it is made.
 */
interface JunitPlan {
  readonly texts: readonly (string | undefined)[] | undefined;
  readonly leftOut: number;
}

// A compile asks twice (for its warning, then to write the file): the plan is made once per list.
const plans = new WeakMap<FindingViewList, Map<string, JunitPlan>>();

function junitPlan(
  findings: FindingViewList,
  grouping: JunitGrouping,
  maxBytes: number,
  caseText: (f: FindingView) => string,
  envelope: Envelope,
): JunitPlan {
  if (maxBytes <= 0) return { texts: undefined, leftOut: 0 };
  let byLimit = plans.get(findings);
  if (!byLimit) plans.set(findings, (byLimit = new Map<string, JunitPlan>()));
  const key = `${grouping} ${maxBytes}`;
  const known = byLimit.get(key);
  if (known) return known;
  const order = findings.map((_, i) => i);
  const rank = findings.map((f) => (f.status === "open" ? 8 : 0) + severityRank(f.severity as Severity));
  order.sort((a, b) => rank[b]! - rank[a]! || a - b);
  const texts: (string | undefined)[] = new Array<string | undefined>(findings.length);
  // A suite's lines count from its first kept case; a document that leaves cases out also holds the
  // note saying so.
  const opened = new Uint8Array(envelope.suiteBytes.length);
  let used = envelope.base;
  let keptWithNote = 0;
  let n = 0;
  for (const i of order) {
    const text = caseText(findings.at(i)!);
    const suite = envelope.suiteOf[i]!;
    used += Buffer.byteLength(text) + (opened[suite] ? 0 : envelope.suiteBytes[suite]!);
    if (used > maxBytes) break;
    opened[suite] = 1;
    texts[i] = text;
    n++;
    if (used + envelope.note <= maxBytes) keptWithNote = n;
  }
  // Every case fits without the note, or only the first `keptWithNote` fit with it.
  const kept = n === findings.length ? n : keptWithNote;
  for (let k = kept; k < n; k++) texts[order[k]!] = undefined;
  const plan = { texts, leftOut: findings.length - kept };
  byLimit.set(key, plan);
  return plan;
}

/**
 * The document's own lines, at most: each with the counts of every case (no fewer digits than the
 * counts of those kept). `base` is the header and the footer, `suiteBytes[s]` a suite's open and
 * close lines, `suiteOf[i]` the suite of finding `i`, and `note` the line saying what was left out.
 */
interface Envelope {
  readonly base: number;
  readonly suiteBytes: readonly number[];
  readonly suiteOf: Int32Array;
  readonly note: number;
}

/**
 * How many findings findings.junit.xml leaves out under `maxBytes` (0: none), for the run's warning;
 * the plan is kept for the emitter.
 */
export function junitCasesLeftOut(
  findings: FindingViewList,
  maxBytes: number,
  grouping: JunitGrouping = "rule",
): number {
  return junitParts(findings, grouping, maxBytes).plan.leftOut;
}

/** The cases grouped into suites (in name order) and the plan of which are written. */
function junitParts(findings: FindingViewList, grouping: JunitGrouping, maxBytes: number) {
  const groups = new Map<string, { title: string; cases: number[] }>();
  findings.forEach((f, i) => {
    const key = grouping === "rule" ? f.rule : `${f.subject.type} ${f.subject.name}`;
    const title = grouping === "rule" ? `${f.rule} ${f.title}` : key;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { title, cases: [] }));
    g.cases.push(i);
  });
  const suites = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([, g]) => g);
  const caseText = caseWriter(grouping);
  let envelope: Envelope = { base: 0, suiteBytes: [], suiteOf: new Int32Array(0), note: 0 };
  if (maxBytes > 0) {
    const n = findings.length;
    const isOpen = (i: number) => findings.at(i)!.status === "open";
    const suiteOf = new Int32Array(n);
    suites.forEach((g, s) => g.cases.forEach((i) => (suiteOf[i] = s)));
    envelope = {
      base: Buffer.byteLength(header(n, findings.filter((f) => f.status === "open").length) + FOOTER),
      suiteBytes: suites.map((g) =>
        Buffer.byteLength(suiteOpen(g.title, g.cases.length, g.cases.filter(isOpen).length) + SUITE_CLOSE),
      ),
      suiteOf,
      note: Buffer.byteLength(leftOutNote(n, n, maxBytes)),
    };
  }
  return { suites, caseText, plan: junitPlan(findings, grouping, maxBytes, caseText, envelope) };
}

const counts = (tests: number, failed: number) =>
  attrs([
    ["tests", tests],
    ["failures", failed],
    ["errors", 0],
    ["skipped", 0],
    ["time", 0],
  ]);
const header = (tests: number, failed: number) =>
  `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs([["name", "aithreat"]])}${counts(tests, failed)}>\n`;
// Said in the file too, for a reader who never saw the run's warning (a comment: no JUnit reader
// knows an element for it). Numbers and fixed words only, so never a `--` a comment cannot hold.
const leftOutNote = (left: number, all: number, maxBytes: number) =>
  `  <!-- ${left} of ${all} findings are left out to keep this file under ${maxBytes} bytes (open findings and the most severe kept first); findings.json has every finding. -->\n`;
const suiteOpen = (title: string, tests: number, failed: number) =>
  `  <testsuite${attrs([["name", title]])}${counts(tests, failed)}>\n`;
const SUITE_CLOSE = `  </testsuite>\n`;
const FOOTER = `</testsuites>\n`;

/** The text of one test case (its lines, newline included), shared values escaped once each. */
function caseWriter(grouping: JunitGrouping): (f: FindingView) => string {
  // Values many cases share (a file, a class, a severity) escaped once each.
  const attr = memoize(xmlAttr);
  // By the rule (or subject name) string the view holds: a joined key would be hashed anew per case.
  const classOf = memoize((name: string) => xmlAttr(`aithreat.${name}`));
  // A rule's cases share one recommended list: the text of the last one (see `rememberLast`).
  const mitigate = rememberLast(mitigateWith);
  return (f) => {
    const classname = classOf(grouping === "rule" ? f.rule : f.subject.name);
    // Numbers need no escaping.
    const head = `    <testcase name="${xmlAttr(f.id)}" classname="${classname}" file="${attr(f.location.file)}" line="${f.location.line}" time="0">\n`;
    if (f.status === "open")
      return `${head}      <failure message="${xmlAttr(`${f.severity}: ${f.message}`)}" type="${attr(f.severity)}">${xmlText(details(f, mitigate))}</failure>\n    </testcase>\n`;
    return `${head}      <system-out>${xmlText(passReason(f))}</system-out>\n    </testcase>\n`;
  };
}

/** The document's text, in order, each line (newline included) handed to `put` as it is made. */
function junitText(
  findings: FindingViewList,
  grouping: JunitGrouping,
  maxBytes: number,
  put: (piece: string) => void,
): void {
  const { suites, caseText, plan } = junitParts(findings, grouping, maxBytes);
  const { texts } = plan;
  const written = (i: number): boolean => texts === undefined || texts[i] !== undefined;
  const isOpen = (i: number): boolean => findings.at(i)!.status === "open";
  let tests = 0;
  let failures = 0;
  for (let i = 0; i < findings.length; i++)
    if (written(i)) {
      tests++;
      if (isOpen(i)) failures++;
    }
  put(header(tests, failures));
  if (plan.leftOut > 0) put(leftOutNote(plan.leftOut, findings.length, maxBytes));
  for (const g of suites) {
    const cases = g.cases.filter(written);
    if (cases.length === 0) continue;
    put(suiteOpen(g.title, cases.length, cases.filter(isOpen).length));
    for (const i of cases) put(texts === undefined ? caseText(findings.at(i)!) : texts[i]!);
    put(SUITE_CLOSE);
  }
  put(FOOTER);
  // Written: its kept texts (up to the limit's megabytes) need not outlive the file.
  plans.get(findings)?.delete(`${grouping} ${maxBytes}`);
}

/** `findings.junit.xml`: open findings as failed test cases, grouped by rule. */
export const junitEmitter: Emitter = {
  name: "findings.junit.xml",
  emit: (ctx) => {
    const { analysis } = ctx;
    // Line by line as it is written: uncapped (`--junit-max-kb 0`), the 100k model's file is 300 MB.
    return [
      producedFile("findings.junit.xml", (put) =>
        junitText(analysis.findingsView, "rule", ctx.junitMaxBytes ?? JUNIT_MAX_BYTES, put),
      ),
    ];
  },
};
