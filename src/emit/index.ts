import type { Emitter } from "./emitter.js";
import { findingsJsonEmitter } from "./findings-json.js";
import { junitEmitter } from "./junit.js";
import { metricsJsonEmitter } from "./metrics-json.js";
import { pathsJsonEmitter } from "./paths-json.js";
import { checklistEmitter } from "./checklist.js";
import { diagramsEmitter } from "./diagrams/emitter.js";
import { reportHtmlEmitter } from "./report-html.js";
import { reportMdEmitter } from "./report-md.js";
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
