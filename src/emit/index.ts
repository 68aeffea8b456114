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
