/**
 * The one catalog of diagnostic codes. Bands: AT1xxx files and syntax, AT2xxx names and imports,
 * AT3xxx semantic checks, AT4xxx analysis, AT5xxx policy, AT9xxx command line and internal errors.
 * Codes are stable: never renumber or reuse one; retire a code by leaving it here marked `retired`.
 * `docs/diagnostics.md` is generated from this table and a meta-test checks every code has a baseline.
 */
export type Severity = "error" | "warning" | "info";

/** What the catalog records for one code. */
export interface DiagnosticInfo {
  readonly severity: Severity;
  /** A short title, lowercase, used in docs and in SARIF-like listings. */
  readonly title: string;
  /** Why it is reported and what to do about it, for `docs/diagnostics.md`. */
  readonly explain: string;
}

export const DIAGNOSTICS = {
  // AT1xxx: reading files and syntax
  AT1001: {
    severity: "error",
    title: "file cannot be read",
    explain:
      "The file does not exist, is a directory where a file was expected, or cannot be opened. Check the path and permissions.",
  },
  AT1002: {
    severity: "error",
    title: "file is not valid UTF-8",
    explain:
      "Model files must be UTF-8. The diagnostic points at the first byte that is not valid UTF-8; re-save the file as UTF-8.",
  },
  AT1003: {
    severity: "error",
    title: "file looks binary",
    explain:
      "The file contains NUL bytes, so it is not a text model. Check that the path names a `.aithreat` file.",
  },
  AT1004: {
    severity: "error",
    title: "file is too large",
    explain:
      "The file is larger than the per-file limit (64 MiB by default, `--max-file-size` to change). Split the model across files with `import`.",
  },
  AT1010: {
    severity: "error",
    title: "unexpected character",
    explain:
      "The lexer met characters that cannot start any token. Names use letters, digits, `_`, and inner `.` or `-`; text goes in double quotes. A Unicode space other than the no-break space, or a character that shows nothing (a zero-width space), is named by its code point (`U+2003`). A run of numbers and dots (`1.2.3`) is no number: after a property that takes text the hint puts it in quotes, after one that takes a number (`cost`) it asks for one number.",
  },
  AT1011: {
    severity: "error",
    title: "unterminated string",
    explain:
      'A string opened with `"` does not close on the same line. Close it, or use a `"""` triple-quoted string for text over several lines.',
  },
  AT1012: {
    severity: "error",
    title: "unterminated block comment",
    explain: "A `/*` comment has no matching `*/` before the end of the file.",
  },
  AT1013: {
    severity: "error",
    title: "invalid escape sequence",
    explain:
      'Strings accept `\\"`, `\\\\`, `\\n`, `\\t`, `\\r` and `\\u{hex}`; any other backslash sequence is an error.',
  },
  AT1020: {
    severity: "error",
    title: "syntax error",
    explain:
      "The parser expected something else at this point. The message says what it expected; the parser recovers and reports further errors in the same run. A `:` between a property and its value, or a `,` between properties, as YAML or JSON would write them, is reported once with the property written without it. A misspelt or shortened declaration keyword (`stor db { }`; inside a block, `vector kb` followed by a title) is one error at the word naming the keyword meant, also after another syntax error whose recovery skipped the word.",
  },
  AT1021: {
    severity: "error",
    title: "nesting too deep",
    explain:
      "Blocks and lists nest deeper than the limit (64 levels). Real models need a handful; the limit keeps the compiler's time and memory bounded on hostile input.",
  },
  AT1022: {
    severity: "error",
    title: "too many errors in one file",
    explain:
      "After 100 errors in one file the compiler stops listing them; fix the first ones and run again.",
  },
  AT1023: {
    severity: "error",
    title: "property without a value",
    explain: "A property name must be followed by a value (`trust internal`) or a block.",
  },

  // AT2xxx: names, references and imports
  AT2001: {
    severity: "error",
    title: "unknown name",
    explain:
      "A reference names nothing declared in this file or the files it imports. The message suggests the closest declared name; when an import of the same file failed, a note points at that import, which most likely declared it (not for a misspelt built-in control, which no file declares).",
  },
  AT2002: {
    severity: "error",
    title: "duplicate declaration",
    explain:
      "Two declarations share a name. Names are global across all files of a model, so each component, zone, data asset and control needs its own. When one of the two files imports the other, the error stands in the importing file, with a note at the imported declaration; a zone declared again there is usually meant to be reused, which takes `in zone` on each component instead. Likewise one rule is accepted at most once on one subject: a second `accept` would never count, whichever of the two was meant.",
  },
  AT2003: {
    severity: "error",
    title: "duplicate flow",
    explain:
      "Two flows have the same identity (`source -> target` when unnamed). Name one of them: `flow reply: agent -> mailer`. Two flows given the same name are reported at the second name, with a note at the first: rename one.",
  },
  AT2004: {
    severity: "error",
    title: "reference to the wrong kind of declaration",
    explain:
      "The name exists but denotes something else than the place expects, e.g. `in` naming a component instead of a zone, or `holds` naming a component instead of a data asset. An `accept` takes a component, a data asset or a named flow.",
  },
  AT2005: {
    severity: "error",
    title: "name declared in a file that is not imported",
    explain:
      "The name is declared in another file of the compilation that this file does not import (directly or through its imports). Add the `import` so the file reads on its own.",
  },
  AT2006: {
    severity: "warning",
    title: "names that look alike",
    explain:
      "Two declared names read the same: one spells a letter with a character of another script drawn alike (a Cyrillic `с` for a Latin `c`) or in a compatibility form (fullwidth letters). They are different names, so the model is valid, but every report, diagram and SARIF result prints them alike, and in a pull request a flow to the look-alike reads as a flow to the original. The message names the characters by code point; rename one of them.",
  },
  AT2010: {
    severity: "error",
    title: "imported file not found",
    explain:
      "An `import` names a file that does not exist. Paths are relative to the importing file, and written exactly: when a file beside it differs only in case, in how its accents are encoded (Unicode normalisation), by spaces at an end or by the missing `.aithreat`, the hint names it; otherwise it names the model file beside it whose name is closest (`zones.aithreat` for `zone.aithreat`), if one is near. When a folder on the path does not exist, the hint names the path through the folder beside it whose name is nearest (`../shared/zones.aithreat` for `../shraed/zones.aithreat`).",
  },
  AT2011: {
    severity: "error",
    title: "import leaves the project root",
    explain:
      "An `import` resolves (after following symbolic links) outside the project root, or a model file found in a folder is a symbolic link to a file outside it (that file is not read: a link added in a pull request could otherwise have CI read and quote any file). Models may only import files inside the project; pass `--root` to widen it, or name the file on the command line.",
  },
  AT2012: {
    severity: "error",
    title: "import cycle",
    explain:
      "Files import each other in a cycle (or a file imports itself). The message lists the cycle; break it by moving shared declarations into a file both import.",
  },
  AT2013: {
    severity: "error",
    title: "not a model file path",
    explain:
      "Import paths are relative paths of model files in double quotes, such as `./shared/zones.aithreat`; absolute paths and URLs are not accepted, and neither is a file or folder whose name does not end in `.aithreat`, nor a symbolic link named like a model file that leads to another file (a README imported by mistake, or a `.env` whose lines would be quoted in the errors). A link found in a model folder that leads to a file not named `.aithreat` is not read either.",
  },
  AT2020: {
    severity: "error",
    title: "unknown threat rule",
    explain:
      "An `accept` or a control's `mitigates` names a rule id that is neither built in nor declared with `rule`. Run `aithreat rules` for the catalog.",
  },
  AT2021: {
    severity: "error",
    title: "unknown external identifier",
    explain:
      "An ATLAS, OWASP or NIST identifier is not in the data the project ships (pinned versions listed in `data/`).",
  },

  // AT3xxx: semantic checks
  AT3001: {
    severity: "error",
    title: "declaration not allowed here",
    explain:
      "This kind of declaration cannot appear inside that block; e.g. components go at top level or inside a `zone`, not inside a flow or another component.",
  },
  AT3002: {
    severity: "error",
    title: "unknown property",
    explain:
      "The property is not part of this kind's vocabulary. `docs/language.md` lists every property per kind; the message suggests the closest one, or the one a shortened name begins or is a word of (`rate` for `rate_limit`).",
  },
  AT3003: {
    severity: "error",
    title: "wrong value type",
    explain:
      'The value\'s type does not match the property: e.g. a string where a boolean (`true`/`false`) or a list is expected. For a date given as text (`expires "31 March 2027"`, `expires "next year"`) the hint gives the day to write as YYYY-MM-DD when the text says it for certain, and the form with an example otherwise.',
  },
  AT3004: {
    severity: "error",
    title: "unknown value",
    explain:
      "The value is not one of the property's allowed values. The message lists them and suggests the closest one, or the one a shortened value begins or is a word of (`public` for `public_hub`).",
  },
  AT3005: {
    severity: "error",
    title: "property given twice",
    explain: "A property appears twice in one block; the compiler will not guess which one counts.",
  },
  AT3006: {
    severity: "error",
    title: "flow kind does not fit its endpoints",
    explain:
      "The flow's kind makes no sense between these two component kinds (e.g. `train` into an actor). The hint lists the kinds that fit, and says when the reversed arrow fits the kind: the arrow points the way content moves, so a `read` flow goes from the store to its reader. `docs/language.md` has the full table.",
  },
  AT3007: {
    severity: "warning",
    title: "data asset held by no component",
    explain:
      "A data asset is declared but no component `holds` it and no flow `carries` it, so no analysis can reach it. Only assets declared in the files named on the command line are reported: a shared catalogue that a system imports may hold assets only other systems use.",
  },
  AT3008: {
    severity: "warning",
    title: "component outside any zone",
    explain:
      "The model uses zones, but this component is in none; its trust level falls back to `internal`. Put it in a zone (`in <zone>`) or give it `trust`.",
  },
  AT3009: {
    severity: "warning",
    title: "acceptance has expired",
    explain:
      "The acceptance's `expires` date has passed, so the finding it covers counts as open again. Renew the acceptance with a new date or fix the threat.",
  },
  AT3010: {
    severity: "error",
    title: "acceptance is incomplete",
    explain:
      'An `accept` needs a `reason`, an `owner` and an `expires` date, so that every accepted risk has someone who answers for it and a date to look again. An empty `reason` or `owner` (`""`, or only spaces) counts as missing.',
  },
  AT3011: {
    severity: "error",
    title: "more than one system in a file",
    explain: "A file describes at most one system; split systems into files.",
  },
  AT3012: {
    severity: "warning",
    title: "flow from a component to itself",
    explain: "A flow's source and target are the same component; the analysis ignores it.",
  },
  AT3013: {
    severity: "error",
    title: "invalid date",
    explain:
      "Dates are written `YYYY-MM-DD` and must exist in the calendar. A date written another way (`2027/01/31`, `31.01.2027`, `01-31-2027`) is reported once, with the day rewritten as `YYYY-MM-DD` when the order of its parts is certain.",
  },
  AT3014: {
    severity: "error",
    title: "zone nesting cycle",
    explain: "Zones placed with `in` form a cycle; a zone cannot contain itself.",
  },
  AT3015: {
    severity: "error",
    title: "missing required property",
    explain:
      "A property that this declaration cannot do without is missing; e.g. a top-level zone needs `trust`, a flow needs `kind`.",
  },
  AT3016: {
    severity: "warning",
    title: "declaration placed twice",
    explain:
      "A component declared inside a zone block also has an `in` clause naming another zone; the `in` clause wins.",
  },
  AT3017: {
    severity: "error",
    title: "number out of range",
    explain: "The number is outside the range the property accepts (e.g. a negative cost).",
  },
  AT3018: {
    severity: "error",
    title: "zones nested too deep",
    explain:
      "Zones nest at most 64 deep, counting both zone blocks and `in` clauses, as blocks of any kind nest at most 64 deep (AT1021). A chain of `in` deeper than that is reported once, at the first zone past the limit.",
  },
  AT3019: {
    severity: "warning",
    title: "third-party origin on a trained model",
    explain:
      "A `model` whose `origin` says its weights come from outside (`public_hub`, `vendor`) is also produced (a `produce` flow) by a training or fine-tuning pipeline of the same model. The two contradict each other, and the analysis believes the origin: the supply-chain rules (AT-08 tampered third-party model, AT-55 missing AI bill of materials) fire on weights the team trains, and the rule on stolen in-house weights (AT-13) passes them by. Give the model `origin fine_tuned` (`in_house` for a `training` pipeline that starts from nothing); when the pipeline fine-tunes a downloaded base model, declare the base model apart, with its third-party origin and a `load` flow into the pipeline. A pipeline trains when its `type` is `training` or `fine_tuning`, or when it has no type and a `train` flow brings it data. A `conversion` pipeline, or a registry between the pipeline and the model, is no contradiction: converted hub weights are still the hub's, and a registry may hold mirrored third-party weights.",
  },
  AT3020: {
    severity: "error",
    title: "unknown component kind in a rule",
    explain:
      "An organisation rule's `match [...]` names something that is not a component kind. Kinds are the component keywords (`agent`, `tool`, `vectorstore` ...), written in a list because bare they start a declaration; the message suggests the closest one.",
  },
  AT3021: {
    severity: "error",
    title: "conflicting rule properties",
    explain:
      "An organisation rule gives both `severity` and `likelihood`/`impact`. Give `severity` alone, or `likelihood` and `impact` together, so the rule's levels say one thing.",
  },
  AT3022: {
    severity: "error",
    title: "rule id reserved for the built-in catalog",
    explain:
      "Organisation rule ids must not look like built-in ones (`AT-nn`, `AS-nn`): the catalog grows, and an id must never change meaning. Letters of other scripts drawn alike (a Cyrillic `А`) and fullwidth forms count as the letters they look like, since such an id's findings would read as a built-in rule's. Use a prefix of your own, e.g. `ORG-001`.",
  },
  AT3023: {
    severity: "warning",
    title: "authenticated actor reaches a component that asks for no credentials",
    explain:
      "An `actor` says `authenticated true`, but a flow from it declares `auth none`, or states no `auth` and reaches an endpoint, app or MCP server that declares `auth none`. The two contradict each other, and the analysis believes the stated `auth`: how a request is authenticated is said by the flow's `auth`, then by the receiving component's, and an actor's own `authenticated` counts only where neither says anything. The rules that ask whether callers need credentials (AT-52 unauthenticated AI infrastructure, AT-22 denial of AI service) then read those requests as unauthenticated, whatever the actor claims; the component is open to anyone who reaches it, not only to the actor. State how the component authenticates its callers, or write `authenticated false` on the actor if it really reaches the component without credentials.",
  },

  // AT4xxx: analysis
  AT4001: {
    severity: "warning",
    title: "acceptance matches no finding",
    explain:
      "An `accept` names a rule and a subject, but that rule raises no finding on that subject, so the acceptance is stale (the threat was fixed, or the acceptance names the wrong subject). Remove it or correct it.",
  },
  AT4002: {
    severity: "error",
    title: "a threat rule failed",
    explain:
      "A rule threw an error while checking the model. The other rules still ran and their findings are reported; this is a bug in the rule (or, for an organisation rule, in its definition). Please report it with the model.",
  },

  // AT5xxx: policy
  AT5001: {
    severity: "error",
    title: "unknown metric in a policy",
    explain:
      "Each property of a `policy` names a metric and gives its threshold; this one names no metric aithreat computes. The hint suggests the closest name, or the one metric a shortened name begins or is a word of (`trifecta` for `trifecta_violations`); docs/metrics.md lists them all.",
  },
  AT5002: {
    severity: "error",
    title: "invalid policy threshold",
    explain:
      "A threshold is a number the metric can take: a whole number for counts, 0 to 100 for percentages, 0 to 1 for likelihoods, 0 to 10 for the agentic amplification score. Write it without a unit or a block, e.g. `mitigation_coverage 80`.",
  },
  AT5003: {
    severity: "error",
    title: "metric given twice in a policy",
    explain:
      "A policy sets each metric's threshold once. Keep one of the two; to hold a metric to two bars, write two policies.",
  },
  AT5004: {
    severity: "error",
    title: "a policy file holds something else",
    explain:
      "The file given with `--policy` may hold only `policy` declarations (and comments), so that it adds thresholds and can never change the model it judges. Move components, flows, imports and other declarations into the model's files.",
  },
  AT5005: {
    severity: "warning",
    title: "policy sets no threshold",
    explain:
      "The `policy` has no thresholds, so it checks nothing. Add `<metric> <number>` lines or remove it.",
  },
  AT5006: {
    severity: "warning",
    title: "policy name used twice",
    explain:
      "Two policies have the same name, in the model or across the model and `--policy`. Each is still checked, but verdicts, the scorecard and metrics.json name them alike, so a reader cannot tell which bar was missed. Rename one.",
  },
  AT5010: {
    severity: "error",
    title: "policy violated",
    explain:
      "A metric of the model breaks a threshold a policy sets. The diagnostic stands at the threshold, says the metric's value and the bound, and lists in notes the components, crown jewels or findings behind the number. `check` and `compile` exit with code 1 (a failed gate), not 2: the model is valid, it is over the bar.",
  },

  // AT9xxx: command line and internal
  AT9001: {
    severity: "error",
    title: "no model files",
    explain: "The command found no `.aithreat` files in the paths given.",
  },
  AT9002: {
    severity: "error",
    title: "invalid command-line value",
    explain: "An option has a value the command does not accept; `--help` lists the values.",
  },
  AT9101: {
    severity: "warning",
    title: "diagrams not rendered",
    explain:
      "`compile --render` could not turn some or all diagrams into images: no Chromium was found (install Debian's `chromium`, or set `CHROMIUM_PATH`), the browser did not start, or Mermaid could not draw one diagram. The `.mmd` files and every other output are still written and the exit code is unchanged; the message says which diagram and why.",
  },
  AT9102: {
    severity: "warning",
    title: "SARIF results capped",
    explain:
      "GitHub code scanning rejects a SARIF run of more than 25,000 results, so findings.sarif keeps the most severe 25,000 (open and accepted findings; `--sarif-max-results` sets another number, 0 for all) and its run's `properties.resultsLeftOut` says how many it left out. findings.json, checklist.csv and the reports still have every finding.",
  },
  AT9103: {
    severity: "warning",
    title: "JUnit report capped",
    explain:
      "GitLab's unit test reports refuse a JUnit file of 30 MB or more, so findings.junit.xml stays under 25,000 kB (`--junit-max-kb` sets another size, 0 for no limit): it keeps open findings first (the failures a CI reader looks for), the most severe first, and a comment at its top says how many findings it left out. findings.json, checklist.csv and the reports still have every finding.",
  },
  AT9999: {
    severity: "error",
    title: "internal error",
    explain:
      "The compiler itself failed. This is a bug: please report it with the model that triggers it (run with `--debug` for the stack trace). The same code, with `internal error: out of memory:`, says that the child Node that runs a medium or large model ran out of memory (docs/cli.md, Environment): its message names the model files' size and the heap limit, and says what to do (a larger `--max-old-space-size` in `NODE_OPTIONS`, `check` or `compile --only`, a model split into parts). Both exit with code 3.",
  },
} as const satisfies Record<string, DiagnosticInfo>;

/** A stable diagnostic code such as `AT2001`. */
export type DiagnosticCode = keyof typeof DIAGNOSTICS;

/** Whether a string is a known diagnostic code. */
export function isDiagnosticCode(code: string): code is DiagnosticCode {
  return Object.prototype.hasOwnProperty.call(DIAGNOSTICS, code);
}
