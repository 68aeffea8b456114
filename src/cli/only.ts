import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { Emitter } from "../emit/emitter.js";
import { EMITTERS } from "../emit/index.js";
import { didYouMean } from "../semantic/suggest.js";

/**
 * `compile --only`: the outputs a run writes, by emitter name (`findings.sarif`, `checklist`,
 * `diagrams`, ...) or the short names `--format` uses. A CI job that uploads SARIF need not pay for
 * the reports: at 100k components the outputs are a third of a compile.
 */
const SHORT: Readonly<Record<string, string>> = {
  json: "findings.json",
  sarif: "findings.sarif",
  junit: "findings.junit.xml",
  paths: "paths.json",
  metrics: "metrics.json",
};

/** How `--only` is described in help and messages: every name, with its short form. */
export const ONLY_NAMES = EMITTERS.map((e) => {
  const short = Object.keys(SHORT).find((k) => SHORT[k] === e.name);
  return short ? `${e.name} (${short})` : e.name;
}).join(", ");

/** What a compile needs of the selection: the file `--format` prints, and whether it renders. */
export interface OnlyNeeds {
  /** The file `--format` prints on stdout, if any. */
  readonly printed?: string;
  readonly render: boolean;
}

/**
 * The emitters `--only` selects, in the registry's order (every one without it), or a usage error
 * (AT9002) naming the unknown output, or the output `--format` or `--render` needs and the list
 * leaves out. Checked before the models are read, so a mistake costs no analysis.
 */
export function selectEmitters(only: string | undefined, needs: OnlyNeeds): readonly Emitter[] | Diagnostic {
  if (only === undefined) return EMITTERS;
  const names = only
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean)
    .map((s) => SHORT[s.toLowerCase()] ?? s);
  if (names.length === 0) return usage(`\`--only\` names no output: use ${ONLY_NAMES} (comma-separated)`);
  const known = new Set(EMITTERS.map((e) => e.name));
  for (const name of names)
    if (!known.has(name)) {
      const hint = didYouMean(name, [...known, ...Object.keys(SHORT)]);
      return usage(`\`--only\` names an unknown output \`${name}\`: use ${ONLY_NAMES}`, hint);
    }
  if (needs.printed !== undefined && !names.includes(needs.printed))
    return usage(
      `\`--format\` prints ${needs.printed}, which \`--only\` leaves out`,
      `add ${needs.printed} to \`--only\``,
    );
  if (needs.render && !names.includes("diagrams"))
    return usage("`--render` renders the diagrams, which `--only` leaves out", "add diagrams to `--only`");
  return EMITTERS.filter((e) => names.includes(e.name));
}

const usage = (message: string, hint?: string): Diagnostic => diag("AT9002", undefined, message, { hint });
