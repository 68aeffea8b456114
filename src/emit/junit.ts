import type { Emitter } from "./emitter.js";
import { escapeMarkup } from "./escape.js";
import { eachFact, type FindingView } from "./findings-view.js";
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

/** Builds the JUnit XML document. */
export function junitXml(findings: readonly FindingView[], grouping: JunitGrouping = "rule"): string {
  const pieces: string[] = [];
  junitText(findings, grouping, (piece) => pieces.push(piece));
  return pieces.join("");
}

/** The document's text, in order, each line (newline included) handed to `put` as it is made. */
function junitText(
  findings: readonly FindingView[],
  grouping: JunitGrouping,
  put: (piece: string) => void,
): void {
  const groups = new Map<string, { title: string; cases: FindingView[] }>();
  for (const f of findings) {
    const key = grouping === "rule" ? f.rule : `${f.subject.type} ${f.subject.name}`;
    const title = grouping === "rule" ? `${f.rule} ${f.title}` : key;
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { title, cases: [] }));
    g.cases.push(f);
  }
  const suites = [...groups.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const failures = findings.filter((f) => f.status === "open").length;
  const counts = (tests: number, failed: number) =>
    attrs([
      ["tests", tests],
      ["failures", failed],
      ["errors", 0],
      ["skipped", 0],
      ["time", 0],
    ]);
  put(
    `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites${attrs([["name", "aithreat"]])}${counts(findings.length, failures)}>\n`,
  );
  // Values many cases share (a file, a class, a severity) escaped once each.
  const attr = memoize(xmlAttr);
  // By the rule (or subject name) string the view holds: a joined key would be hashed anew per case.
  const classOf = memoize((name: string) => xmlAttr(`aithreat.${name}`));
  // A rule's cases share one recommended list: the text of the last one (see `rememberLast`).
  const mitigate = rememberLast(mitigateWith);
  for (const [, g] of suites) {
    const open = g.cases.filter((f) => f.status === "open").length;
    put(`  <testsuite${attrs([["name", g.title]])}${counts(g.cases.length, open)}>\n`);
    for (const f of g.cases) {
      const classname = classOf(grouping === "rule" ? f.rule : f.subject.name);
      // Numbers need no escaping.
      const head = `    <testcase name="${xmlAttr(f.id)}" classname="${classname}" file="${attr(f.location.file)}" line="${f.location.line}" time="0">\n`;
      if (f.status === "open")
        put(
          `${head}      <failure message="${xmlAttr(`${f.severity}: ${f.message}`)}" type="${attr(f.severity)}">${xmlText(details(f, mitigate))}</failure>\n    </testcase>\n`,
        );
      else put(`${head}      <system-out>${xmlText(passReason(f))}</system-out>\n    </testcase>\n`);
    }
    put(`  </testsuite>\n`);
  }
  put(`</testsuites>\n`);
}

/** `findings.junit.xml`: open findings as failed test cases, grouped by rule. */
export const junitEmitter: Emitter = {
  name: "findings.junit.xml",
  emit: ({ analysis }) => {
    // Line by line as it is written: at 100k components the file is 300 MB.
    return [producedFile("findings.junit.xml", (put) => junitText(analysis.findingsView, "rule", put))];
  },
};
