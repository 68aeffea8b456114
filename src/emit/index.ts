import type { EmitContext, Emitter } from "./emitter.js";
import { findingsJsonEmitter } from "./findings-json.js";
import { junitEmitter } from "./junit.js";
import { metricsJsonEmitter } from "./metrics-json.js";
import { pathsJsonEmitter } from "./paths-json.js";
import { checklistEmitter } from "./checklist.js";
import { diagramsEmitter } from "./diagrams/emitter.js";
import { reportHtmlEmitter } from "./report-html.js";
import { reportMdEmitter } from "./report-md.js";
import { forgetReportData } from "./report-view.js";
import { sarifEmitter } from "./sarif.js";

/** Every output `compile` writes, in a fixed order (the explicit registry of emitters). */
export const EMITTERS: readonly Emitter[] = [
  findingsJsonEmitter,
  sarifEmitter,
  junitEmitter,
  pathsJsonEmitter,
  metricsJsonEmitter,
  reportMdEmitter,
  reportHtmlEmitter,
  checklistEmitter,
  diagramsEmitter,
];

/**
 * The order `compile` makes and writes the outputs in when each is written before the next is made:
 * the outputs whose data is built whole (the reports, the checklist, the diagrams) first, the
 * streamed ones (findings.json, SARIF, JUnit, paths.json, metrics.json) after. At 1M the streamed
 * files' text (findings.json alone is 6.5 GB) leaves garbage in the old generation until the next
 * full collection; made first, it lay under the report's data and raised the peak by 0.3 GB (stop 37).
 */
export function writeOrder(emitters: readonly Emitter[]): Emitter[] {
  const whole = new Set<Emitter>([reportMdEmitter, reportHtmlEmitter, checklistEmitter, diagramsEmitter]);
  return [...emitters.filter((e) => whole.has(e)), ...emitters.filter((e) => !whole.has(e))];
}

/** The emitters that read the cached report data (`reportData`). */
const REPORT_READERS: ReadonlySet<Emitter> = new Set([reportMdEmitter, reportHtmlEmitter]);

/**
 * Gives back what no emitter after `emitters[done]` reads, once that emitter's files are written: the
 * report data after the last report. Only for a run that writes each emitter's files before the next
 * one runs; one that holds every file until the end still reads the data as it writes them.
 */
export function releaseAfter(emitters: readonly Emitter[], done: number, ctx: EmitContext): void {
  if (REPORT_READERS.has(emitters[done]!) && !emitters.slice(done + 1).some((e) => REPORT_READERS.has(e)))
    forgetReportData(ctx.analysis);
}
