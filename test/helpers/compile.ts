import { runFrontEnd, type FrontEndResult } from "../../src/compiler.js";
import { RULE_IDS, ATLAS_MITIGATION_IDS } from "../../src/catalog/index.js";
import { formatDiagnostic } from "../../src/diagnostics/format.js";
import { memoryHost } from "./memory-host.js";

/** The date tests judge acceptances against. */
export const TEST_TODAY = "2026-06-01";

/**
 * Runs the front end over in-memory files under /project. The first file is the input unless
 * `inputs` says otherwise. Keys are paths relative to /project.
 */
export function frontEnd(
  files: Record<string, string>,
  inputs?: string[],
  ruleIds: ReadonlySet<string> = RULE_IDS,
): FrontEndResult {
  const abs = Object.fromEntries(Object.entries(files).map(([k, v]) => [`/project/${k}`, v]));
  const names = inputs ?? [Object.keys(files)[0]!];
  return runFrontEnd({
    inputs: names.map((n) => `/project/${n}`),
    root: "/project",
    host: memoryHost(abs),
    resolve: { today: TEST_TODAY, ruleIds, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
}

/** One model in one file. */
export function frontEndOf(text: string, ruleIds?: ReadonlySet<string>): FrontEndResult {
  return frontEnd({ "model.aithreat": text }, undefined, ruleIds);
}

/** Diagnostics as `line:col code` strings, the compact form most assertions use. */
export function codesAt(result: FrontEndResult): string[] {
  return result.diagnostics.map((d) => {
    if (!d.location) return d.code;
    const text = d.location.file.text.slice(0, d.location.start);
    const line = text.split(/\r\n|\n|\r/).length;
    const col = d.location.start - Math.max(text.lastIndexOf("\n"), text.lastIndexOf("\r"));
    return `${d.location.file.path}:${line}:${col} ${d.code}`;
  });
}

/** All diagnostics formatted, for failure messages. */
export function dump(result: FrontEndResult): string {
  return result.diagnostics.map((d) => formatDiagnostic(d)).join("\n");
}
