import fs from "node:fs";
import { FINDING_STATUSES, SEVERITIES, severityRank, type Severity } from "../analysis/findings.js";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { FindingView, FindingViewList } from "../emit/findings-view.js";
import { plural } from "../words.js";

/**
 * The finding gates of `compile` (docs/cli.md, docs/ci.md): `--fail-on <severity>` and
 * `--baseline <findings.json>`.
 *
 * A finding is over the bar when it is open (neither mitigated nor accepted) and its severity is at
 * or above the threshold (`--fail-on`, or `info`, i.e. every open finding, when only `--baseline` is
 * given). Without a baseline the gate fails on any finding over the bar. With one, it fails only on
 * findings over the bar now that were not over the bar in the baseline, matched by fingerprint: a new
 * finding, a finding whose control or acceptance went away, or one whose severity rose past the
 * threshold. Findings already over the bar in the baseline are reported as known, never failing.
 */

/** What the baseline says about one finding. */
export interface BaselineFinding {
  readonly fingerprint: string;
  readonly id: string;
  readonly status: string;
  readonly severity: string;
}

/** A parsed baseline: findings by fingerprint. */
export interface Baseline {
  readonly file: string;
  readonly findings: ReadonlyMap<string, BaselineFinding>;
}

/** The gates of one run. */
export interface Gates {
  readonly failOn?: Severity;
  readonly baseline?: Baseline;
}

/** The verdict. */
export interface GateResult {
  /** Whether any gate was asked for. */
  readonly active: boolean;
  readonly failed: boolean;
  readonly threshold: Severity;
  /** Findings that fail the gate, most severe first. */
  readonly failing: readonly FindingView[];
  /** With a baseline: findings over the bar that already were in the baseline (they do not fail). */
  readonly known: readonly FindingView[];
}

const isRecord = (x: unknown): x is Record<string, unknown> =>
  typeof x === "object" && x !== null && !Array.isArray(x);

/**
 * Major versions of findings.json a baseline may have. Format 2 moved rule and control details into
 * tables; what a baseline needs (fingerprint, id, status, severity) is in every finding of both.
 */
const READABLE_MAJORS: readonly string[] = ["1", "2"];

/** A value from a file, short enough to quote in a message. */
const shortened = (v: string) => (v.length > 40 ? `${v.slice(0, 40)}...` : v);

/** Parses the text of a findings.json used as a baseline; a problem is returned as its message. */
export function parseBaseline(text: string, file: string): Baseline | { error: string } {
  let doc: unknown;
  try {
    // A byte-order mark (some Windows tools write one) is not JSON, but says nothing either.
    doc = JSON.parse(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
  } catch (e) {
    return { error: `is not valid JSON (${e instanceof Error ? e.message : String(e)})` };
  }
  if (!isRecord(doc) || !Array.isArray(doc["findings"]) || typeof doc["schemaVersion"] !== "string")
    return { error: "is not a findings.json (it has no `schemaVersion` and `findings`)" };
  return baselineOf(doc["schemaVersion"], doc["findings"], file);
}

/** Longest baseline parsed as one JSON text (V8 strings stop at 2^29 - 24 characters). */
export const BASELINE_TEXT_MAX = 2 ** 28;

/**
 * Parses the bytes of a baseline: as one JSON text when it is at most `maxText` bytes, else line by
 * line in the layout aithreat writes (envelope indented, one finding per line; json-layout.ts), so a
 * findings.json of a 100k-component model, larger than any JavaScript string, still serves.
 */
export function parseBaselineBytes(
  bytes: Uint8Array,
  file: string,
  maxText: number = BASELINE_TEXT_MAX,
): Baseline | { error: string } {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  if (buf.length <= maxText) return parseBaseline(buf.toString("utf8"), file);
  const notOurs = {
    error: `is too large to read as one JSON text (${buf.length} bytes) and is not laid out one finding per line as aithreat writes it`,
  };
  let version: string | undefined;
  let inFindings = false;
  let ended = false;
  const findings: unknown[] = [];
  for (let start = 0; start < buf.length && !ended;) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    const line = buf.toString("utf8", start, end);
    start = end + 1;
    if (!inFindings) {
      const v = /^ {2}"schemaVersion": ("[^"]*"),?$/.exec(line);
      if (v) version = JSON.parse(v[1]!) as string;
      else if (line === '  "findings": [') inFindings = true;
      else if (line === '  "findings": [],' || line === '  "findings": []') ended = true;
      continue;
    }
    if (line === "  ]," || line === "  ]") {
      ended = true;
      continue;
    }
    try {
      findings.push(JSON.parse(line.endsWith(",") ? line.slice(0, -1) : line));
    } catch {
      return notOurs;
    }
  }
  if (version === undefined || !ended) return notOurs;
  return baselineOf(version, findings, file);
}

/** The baseline of a findings.json's version and findings, or why they cannot serve as one. */
function baselineOf(version: string, list: readonly unknown[], file: string): Baseline | { error: string } {
  if (!READABLE_MAJORS.includes(version.split(".")[0]!))
    return {
      error: `is findings.json format \`${version}\`; this version of aithreat reads formats 1.x and 2.x`,
    };
  const findings = new Map<string, BaselineFinding>();
  for (const [i, f] of list.entries()) {
    if (
      !isRecord(f) ||
      typeof f["fingerprint"] !== "string" ||
      typeof f["status"] !== "string" ||
      typeof f["severity"] !== "string"
    )
      return { error: `has a finding without \`fingerprint\`, \`status\` and \`severity\` (findings[${i}])` };
    // A value aithreat never writes (`High`, `OPEN`: a hand-edited baseline) matched no bar, so its
    // finding counted as new and failed the gate without a word about the baseline.
    // The statuses and severities findings.json writes (formats 1 and 2 alike).
    const odd = !(FINDING_STATUSES as readonly string[]).includes(f["status"])
      ? `\`status\` \`${shortened(f["status"])}\` (findings[${i}]); findings.json writes ${FINDING_STATUSES.join(", ")}`
      : !(SEVERITIES as readonly string[]).includes(f["severity"])
        ? `\`severity\` \`${shortened(f["severity"])}\` (findings[${i}]); findings.json writes ${SEVERITIES.join(", ")}`
        : undefined;
    if (odd !== undefined) return { error: `has a finding with ${odd}` };
    findings.set(f["fingerprint"], {
      fingerprint: f["fingerprint"],
      id: typeof f["id"] === "string" ? f["id"] : f["fingerprint"],
      status: f["status"],
      severity: f["severity"],
    });
  }
  return { file, findings };
}

/** Reads `--baseline`; an unreadable or malformed file is a command-line error (AT9002). */
export function readBaseline(file: string): Baseline | Diagnostic {
  let bytes: Buffer;
  try {
    bytes = fs.readFileSync(file);
  } catch (e) {
    const reason =
      (e as NodeJS.ErrnoException).code === "ENOENT" ? "no such file" : String((e as Error).message);
    return diag("AT9002", undefined, `cannot read \`--baseline ${file}\`: ${reason}`, {
      hint: "pass the findings.json of an earlier `aithreat compile`",
    });
  }
  const parsed = parseBaselineBytes(bytes, file);
  if ("error" in parsed)
    return diag("AT9002", undefined, `\`--baseline ${file}\` ${parsed.error}`, {
      hint: "pass the findings.json of an earlier `aithreat compile`",
    });
  return parsed;
}

const atOrAbove = (severity: string, threshold: Severity) =>
  severityRank(severity as Severity) >= severityRank(threshold);

/** Applies the gates to the findings of a run. */
export function evaluateGates(findings: () => FindingViewList, gates: Gates): GateResult {
  const threshold = gates.failOn ?? "info";
  const active = gates.failOn !== undefined || gates.baseline !== undefined;
  if (!active) return { active, failed: false, threshold, failing: [], known: [] };
  const over = findings()
    .filter((f) => f.status === "open" && atOrAbove(f.severity, threshold))
    .sort((a, b) => severityRank(b.severity as Severity) - severityRank(a.severity as Severity));
  const baseline = gates.baseline;
  if (!baseline) return { active, failed: over.length > 0, threshold, failing: over, known: [] };
  const wasOver = (f: FindingView) => {
    const b = baseline.findings.get(f.fingerprint);
    return b !== undefined && b.status === "open" && atOrAbove(b.severity, threshold);
  };
  const failing = over.filter((f) => !wasOver(f));
  return { active, failed: failing.length > 0, threshold, failing, known: over.filter(wasOver) };
}

/** The gate's verdict as text for stderr: a headline, then each failing finding on a clickable line. */
export function formatGateResult(result: GateResult, gates: Gates): string {
  if (!result.active) return "";
  const bar = gates.failOn ? `at or above \`${result.threshold}\`` : "of any severity";
  const since = gates.baseline ? ` new since the baseline \`${gates.baseline.file}\`` : "";
  const lines: string[] = [];
  if (result.failed) {
    lines.push(`gate failed: ${plural(result.failing.length, "open finding")} ${bar}${since}`);
    for (const f of result.failing) {
      lines.push(
        `  ${f.location.file}:${f.location.line}:${f.location.column} - ${f.severity} ${f.rule}: ${f.message} [${f.id}]`,
      );
    }
  } else {
    lines.push(`gate passed: no open finding ${bar}${since}`);
  }
  if (result.known.length > 0)
    lines.push(`  (${plural(result.known.length, "finding")} ${bar} already open in the baseline)`);
  return `${lines.join("\n")}\n`;
}

/** The gates asked for on the command line; a baseline that cannot be used is a diagnostic. */
export function resolveGates(argv: { "fail-on"?: string; baseline?: string }): Gates | Diagnostic {
  const failOn = argv["fail-on"];
  if (failOn !== undefined && !(SEVERITIES as readonly string[]).includes(failOn))
    return diag(
      "AT9002",
      undefined,
      `\`--fail-on\` must be one of ${SEVERITIES.join(", ")}, not \`${failOn}\``,
    );
  if (argv.baseline === undefined) return failOn !== undefined ? { failOn: failOn as Severity } : {};
  const baseline = readBaseline(argv.baseline);
  if ("code" in baseline) return baseline;
  return { ...(failOn !== undefined ? { failOn: failOn as Severity } : {}), baseline };
}
