import type { Emitter } from "./emitter.js";
import type { FindingView } from "./findings-view.js";
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

// Most text needs no change; one test over it is cheaper than two replacing passes.
const NEEDS_TEXT_WORK = /[&<>\uD800-\uDFFF\uFFFE\uFFFF\u0000-\u0008\u000B\u000C\u000E-\u001F]/;

/** Element text safe in XML: markup characters as entities, characters XML forbids as U+FFFD. */
export function xmlText(s: string): string {
  if (!NEEDS_TEXT_WORK.test(s)) return s;
  return s
    .replace(INVALID_XML, "\uFFFD")
    .replace(/[&<>]/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;" })[c]!);
}

/**
 * An attribute value safe in XML. Quotes become entities, and newlines, carriage returns and tabs
 * character references, since a parser would otherwise normalise them to spaces.
 */
export function xmlAttr(s: string): string {
  const text = xmlText(s);
  if (!/["'\n\r\t]/.test(text)) return text;
  return text.replace(
    /["'\n\r\t]/g,
    (c) => ({ '"': "&quot;", "'": "&apos;", "\n": "&#10;", "\r": "&#13;", "\t": "&#9;" })[c]!,
  );
}

const attrs = (pairs: readonly (readonly [string, string | number])[]) =>
  pairs.map(([k, v]) => ` ${k}="${xmlAttr(String(v))}"`).join("");

const at = (l: { file: string; line: number; column: number }) => `${l.file}:${l.line}:${l.column}`;

/** The body of a failure: what fired, why, and what would mitigate it. */
function details(f: FindingView): string {
  const lines = [
    `${f.rule} ${f.title}`,
    f.message,
    `severity ${f.severity} (likelihood ${f.likelihood}, impact ${f.impact}); status ${f.status}`,
    `at ${at(f.location)}`,
    ...(f.facts.length > 0 ? ["why:", ...f.facts.map((x) => `  - ${x.text} (${at(x.location)})`)] : []),
    ...(f.recommended.length > 0
      ? [
          "mitigate with:",
          ...f.recommended.map((r) => `  - ${r.control}: ${r.title}${r.declared ? " (declared)" : ""}`),
        ]
      : []),
    ...(f.acceptance?.expired
      ? [`acceptance by ${f.acceptance.owner} expired on ${f.acceptance.expires}`]
      : []),
  ];
  return lines.join("\n");
}

/** Why a finding that is not open passes. */
function passReason(f: FindingView): string {
  if (f.status === "accepted" && f.acceptance)
    return `accepted by ${f.acceptance.owner} until ${f.acceptance.expires}: ${f.acceptance.reason}`;
  return `mitigated by ${f.mitigatedBy.map((m) => m.control).join(", ")}; residual severity ${f.residual.severity}`;
}

/** Builds the JUnit XML document. */
export function junitXml(findings: readonly FindingView[], grouping: JunitGrouping = "rule"): string {
  const lines: string[] = [];
  junitLines(findings, grouping, (line) => lines.push(line));
  return `${lines.join("\n")}\n`;
}

/** The document's lines, in order, each handed to `line` as it is made. */
function junitLines(
  findings: readonly FindingView[],
  grouping: JunitGrouping,
  line: (text: string) => void,
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
  const out = { push: (...lines: string[]) => lines.forEach((l) => line(l)) };
  out.push(
    `<?xml version="1.0" encoding="UTF-8"?>`,
    `<testsuites${attrs([
      ["name", "aithreat"],
      ["tests", findings.length],
      ["failures", failures],
      ["errors", 0],
      ["skipped", 0],
      ["time", 0],
    ])}>`,
  );
  for (const [, g] of suites) {
    const open = g.cases.filter((f) => f.status === "open").length;
    out.push(
      `  <testsuite${attrs([
        ["name", g.title],
        ["tests", g.cases.length],
        ["failures", open],
        ["errors", 0],
        ["skipped", 0],
        ["time", 0],
      ])}>`,
    );
    for (const f of g.cases) {
      const head = `    <testcase${attrs([
        ["name", f.id],
        ["classname", `aithreat.${grouping === "rule" ? f.rule : f.subject.name}`],
        ["file", f.location.file],
        ["line", f.location.line],
        ["time", 0],
      ])}`;
      if (f.status === "open") {
        out.push(
          `${head}>`,
          `      <failure${attrs([
            ["message", `${f.severity}: ${f.message}`],
            ["type", f.severity],
          ])}>${xmlText(details(f))}</failure>`,
          `    </testcase>`,
        );
      } else {
        out.push(`${head}>`, `      <system-out>${xmlText(passReason(f))}</system-out>`, `    </testcase>`);
      }
    }
    out.push(`  </testsuite>`);
  }
  out.push(`</testsuites>`);
}

/** `findings.junit.xml`: open findings as failed test cases, grouped by rule. */
export const junitEmitter: Emitter = {
  name: "findings.junit.xml",
  emit: ({ analysis }) => {
    // Line by line as it is written: at 100k components the file is 300 MB.
    return [
      producedFile("findings.junit.xml", (put) =>
        junitLines(analysis.findingsView, "rule", (l) => put(`${l}\n`)),
      ),
    ];
  },
};
