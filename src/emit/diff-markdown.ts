import type {
  EntityChange,
  EntityRef,
  ExposureChange,
  FieldChange,
  FindingChange,
  FindingRef,
  ModelDiff,
} from "../analysis/diff.js";
import { SEVERITIES, severityRank, type Severity } from "../analysis/findings.js";
import { formatValue } from "../analysis/metrics/registry.js";
import { escapeMarkdown, markdownCode } from "./escape.js";
import { percentPair, plural } from "../words.js";

/**
 * `aithreat diff` as Markdown for a pull-request comment: a headline with the counts, then tables of
 * new, resolved and re-scored findings, exposure opened and closed, model changes and metric deltas.
 * Every string that comes from a model goes through the Markdown escapers; long sections fold into
 * `<details>` so the comment stays readable. The first line is an HTML comment CI can look for to
 * update its earlier comment instead of adding another.
 */

/** The marker on the first line of every diff comment. */
export const DIFF_MARKER = "<!-- aithreat-diff -->";

/**
 * Longest Markdown the diff writes: GitHub refuses a comment body over 65,536 characters, so a
 * change that adds a whole system (hundreds of new findings) would fail the workflow's comment step.
 * Past it, tables and lists keep fewer rows (ROW_CAPS) and say how many more there are.
 */
export const MAX_MARKDOWN_CHARS = 60_000;
/** Rows kept per table or list, tried in turn until the Markdown fits MAX_MARKDOWN_CHARS. */
const ROW_CAPS = [Infinity, 100, 30, 10, 3, 0] as const;
const MORE_HINT = "`aithreat diff --format json` lists every one";

const md = escapeMarkdown;
const code = markdownCode;
const cell = (s: string) => md(s);
const row = (cells: readonly string[]) => `| ${cells.join(" | ")} |`;
const table = (head: readonly string[], rows: readonly (readonly string[])[]) =>
  [row(head), row(head.map(() => "---")), ...rows.map(row)].join("\n");

/** A section that folds when it is long; `title` is aithreat's own text (counts, no model text). */
function section(title: string, body: string, items: number, foldAt = 10): string {
  if (items > foldAt) return `<details><summary>${title}</summary>\n\n${body}\n\n</details>`;
  return `#### ${title}\n\n${body}`;
}

/**
 * The lines of a table section titled with its row count, or none when it has no rows; past `cap`
 * rows the table stops and says how many more there are.
 */
function tableSection(
  title: string,
  head: readonly string[],
  rows: readonly string[][],
  cap: number,
  foldAt?: number,
): string[] {
  if (rows.length === 0) return [];
  const body =
    rows.length > cap
      ? `${table(head, rows.slice(0, cap))}\n\n${moreLine(rows.length - cap)}`
      : table(head, rows);
  return ["", section(`${title} (${rows.length})`, body, rows.length, foldAt)];
}

/** `…and 12 more`: what a capped run of names left out, said the same way everywhere in the diff. */
const andMore = (more: number): string => `…and ${more} more`;

/** `…and 12 more (...)`: what a capped table or list left out, and where to find it. */
const moreLine = (more: number): string => `${andMore(more)} (${MORE_HINT})`;

/** A list capped at `cap` items, the rest counted in a last item. */
function cappedLines(lines: readonly string[], cap: number): string[] {
  return lines.length > cap ? [...lines.slice(0, cap), `- ${moreLine(lines.length - cap)}`] : [...lines];
}

const bySeverity = <T extends { severity: string }>(xs: readonly T[]) =>
  [...xs].sort((a, b) => severityRank(b.severity as Severity) - severityRank(a.severity as Severity));

function findingRows(fs: readonly FindingRef[]): string[][] {
  return bySeverity(fs).map((f) => [
    cell(f.severity),
    code(f.rule),
    code(f.subject),
    cell(f.message),
    cell(f.status),
    code(f.where),
  ]);
}

const findingHead = ["severity", "rule", "subject", "finding", "status", "where"];

function rescoredRows(fs: readonly FindingChange[]): string[][] {
  const pair = (b: string, a: string) => (b === a ? cell(a) : `${cell(b)} → ${cell(a)}`);
  return fs.map((f) => [
    code(f.rule),
    code(f.subject),
    cell(f.title),
    pair(f.before.status, f.after.status),
    pair(f.before.severity, f.after.severity),
    pair(f.before.residualSeverity, f.after.residualSeverity),
  ]);
}

/**
 * Exposure cells, the likelihood as the reports and `aithreat paths` print it (`percentPair`: with
 * the decimals it takes to show a change the usual rounding would hide).
 */
function exposureRows(xs: readonly ExposureChange[]): string[][] {
  const side = (s: ExposureChange["before"], best: string) =>
    s.reachable ? `${s.entries} ${s.entries === 1 ? "entry" : "entries"}, best ${best}` : "not reachable";
  return xs.map((x) => {
    const [before, after] = percentPair(x.before.bestLikelihood, x.after.bestLikelihood);
    return [
      code(x.crown),
      cell(x.property),
      cell(x.entryClass),
      side(x.before, before),
      side(x.after, after),
    ];
  });
}

/** Names behind a metric change, as code marked `sign`, with a count of the rest beyond ten. */
function capList(names: readonly string[], sign: string): string[] {
  const shown = names.slice(0, 10).map((n) => `${sign}${code(n)}`);
  if (names.length > 10) shown.push(andMore(names.length - 10));
  return shown;
}

function fieldChange(c: FieldChange): string {
  if ("added" in c) {
    const parts = [...c.added.map((x) => `+${code(x)}`), ...c.removed.map((x) => `−${code(x)}`)];
    return `${md(c.field)} ${parts.join(" ")}`;
  }
  const v = (s: string) => (s === "" ? "_none_" : code(s));
  return `${md(c.field)} ${v(c.before)} → ${v(c.after)}`;
}

/**
 * The model-change lines of one kind of entity, the changed ones capped at `cap`; `count` is how many
 * entities were added, removed or changed (the JSON's three lists), which the section title gives: one
 * line lists every added one, so counting lines said `Model changes (2)` for 300 added components and
 * their flows.
 */
function entityLines(
  label: string,
  d: { added: EntityRef[]; removed: EntityRef[]; changed: EntityChange[] },
  cap: number,
): { lines: string[]; count: number } {
  const ref = (e: EntityRef) => `${code(e.name)} (${md(e.kind)}${e.title ? `, ${md(e.title)}` : ""})`;
  const refs = (es: readonly EntityRef[]) =>
    es.length > cap
      ? [...es.slice(0, cap).map(ref), andMore(es.length - cap)].join(", ")
      : es.map(ref).join(", ");
  const out: string[] = [];
  if (d.added.length > 0) out.push(`- ${md(label)} added (${d.added.length}): ${refs(d.added)}`);
  if (d.removed.length > 0) out.push(`- ${md(label)} removed (${d.removed.length}): ${refs(d.removed)}`);
  const changed = d.changed.map(
    (c) => `- ${md(label)} ${code(c.name)} changed: ${c.changes.map(fieldChange).join("; ")}`,
  );
  const count = d.added.length + d.removed.length + d.changed.length;
  return { lines: [...out, ...cappedLines(changed, cap)], count };
}

/**
 * Renders the diff as Markdown; `labels` name the two versions (file names or revisions). Every row
 * when that fits MAX_MARKDOWN_CHARS, else as many per table as fit (the counts stay whole).
 */
export function diffMarkdown(d: ModelDiff, labels: { before: string; after: string }): string {
  let text = "";
  for (const cap of ROW_CAPS) {
    text = renderDiff(d, labels, cap);
    if (text.length <= MAX_MARKDOWN_CHARS) break;
  }
  return text;
}

function renderDiff(d: ModelDiff, labels: { before: string; after: string }, cap: number): string {
  const f = d.findings;
  const b = f.before;
  const a = f.after;
  const open = (t: typeof b) =>
    [...SEVERITIES]
      .reverse()
      .filter((s) => (t.openBySeverity[s] ?? 0) > 0)
      .map((s) => `${t.openBySeverity[s]} ${s}`)
      .join(", ") || "none";
  const out: string[] = [
    DIFF_MARKER,
    `### aithreat: threat model changes`,
    "",
    `Comparing ${code(labels.before)} → ${code(labels.after)}.`,
    "",
    `**Findings:** ${f.new.length} new · ${f.resolved.length} resolved · ${f.rescored.length} re-scored · ` +
      `open ${b.open} → ${a.open} (now ${open(a)})`,
    "",
    `**Attack paths:** ${plural(d.attackPaths.opened.length, "exposure")} opened · ${d.attackPaths.closed.length} closed` +
      (d.attackPaths.targetsAdded.length > 0
        ? ` · ${plural(d.attackPaths.targetsAdded.length, "crown jewel property")} added`
        : "") +
      (d.attackPaths.targetsRemoved.length > 0 ? ` · ${d.attackPaths.targetsRemoved.length} removed` : "") +
      (d.attackPaths.cut.before !== d.attackPaths.cut.after
        ? ` · cheapest cut costs ${d.attackPaths.cut.before} → ${d.attackPaths.cut.after}`
        : ""),
  ];
  const nothing =
    f.new.length + f.resolved.length + f.rescored.length === 0 &&
    d.attackPaths.opened.length + d.attackPaths.closed.length + d.attackPaths.changed.length === 0 &&
    d.attackPaths.targetsAdded.length + d.attackPaths.targetsRemoved.length === 0 &&
    d.components.added.length + d.components.removed.length + d.components.changed.length === 0 &&
    d.flows.added.length + d.flows.removed.length + d.flows.changed.length === 0 &&
    d.metrics.changes.length === 0 &&
    d.metrics.policy.before === d.metrics.policy.after;
  if (nothing) {
    out.push("", "No change to the model, its findings or its attack paths.");
    return `${out.join("\n")}\n`;
  }
  const exposureHead = ["crown jewel", "property", "entry class", "before", "after"];
  const p = d.attackPaths;
  out.push(
    ...tableSection("New findings", findingHead, findingRows(f.new), cap),
    ...tableSection("Resolved findings", findingHead, findingRows(f.resolved), cap),
    ...tableSection(
      "Re-scored findings",
      ["rule", "subject", "threat", "status", "severity", "residual"],
      rescoredRows(f.rescored),
      cap,
    ),
    ...tableSection("Exposure opened", exposureHead, exposureRows(p.opened), cap),
    ...tableSection("Exposure closed", exposureHead, exposureRows(p.closed), cap),
    ...tableSection("Exposure changed", exposureHead, exposureRows(p.changed), cap, 0),
  );
  const targets = [
    ...p.targetsAdded.map(
      (t) =>
        `- added ${code(t.crown)} ${md(t.property)}${t.exposedTo.length > 0 ? `, exposed to ${t.exposedTo.map(md).join(", ")}` : ", not exposed"}`,
    ),
    ...p.targetsRemoved.map((t) => `- removed ${code(t.crown)} ${md(t.property)}`),
  ];
  if (targets.length > 0)
    out.push(
      "",
      section(`Crown jewels (${targets.length})`, cappedLines(targets, cap).join("\n"), targets.length),
    );
  const components = entityLines("component", d.components, cap);
  const flows = entityLines("flow", d.flows, cap);
  const model = [...components.lines, ...flows.lines];
  const modelCount = components.count + flows.count;
  if (modelCount > 0) out.push("", section(`Model changes (${modelCount})`, model.join("\n"), modelCount, 0));
  const metricRows = d.metrics.changes.map((m) => {
    const v = (x: number) => formatValue(m, x);
    const names = [...capList(m.added ?? [], "+"), ...capList(m.removed ?? [], "−")];
    return [
      `${md(m.title)} (${code(m.id)})`,
      v(m.before),
      v(m.after),
      m.delta === 0 ? "0" : `${m.delta > 0 ? "+" : ""}${m.delta}`,
      md(m.change),
      names.join(" "),
    ];
  });
  out.push(
    ...tableSection(
      "Metrics",
      ["metric", "before", "after", "delta", "change", "what it lists: + now, − no longer"],
      metricRows,
      cap,
      0,
    ),
  );
  const policy = d.metrics.policy;
  if (policy.before !== policy.after)
    out.push(
      "",
      `**Policy:** ${policy.before ? "passed" : "failed"} → ${policy.after ? "passed" : "failed"}`,
    );
  out.push(
    "",
    "<sub>Findings are matched by fingerprint: a renamed component or flow shows as resolved + new findings.</sub>",
  );
  return `${out.join("\n")}\n`;
}
