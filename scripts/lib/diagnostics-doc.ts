import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { analyze, runFrontEnd } from "../../src/compiler.js";
import { readPolicies, samePolicyNames, violationDiagnostics } from "../../src/analysis/metrics/policy.js";
import { analyzeModel } from "../../src/compiler.js";
import { DIAGNOSTICS, type DiagnosticCode } from "../../src/diagnostics/catalog.js";
import { formatDiagnostic } from "../../src/diagnostics/format.js";
import { cell, slug, table } from "./markdown.js";
import { memoryHost, type MemoryFile } from "./memory-host.js";

/** Where the diagnostics reference lives, relative to the repository root. */
export const DIAGNOSTICS_DOC = "docs/diagnostics.md";

/** The date examples judge acceptances against, fixed so the page does not change by itself. */
export const EXAMPLE_TODAY = "2026-06-01";

/**
 * An example model that makes the compiler report a code. The generator compiles it and prints the
 * diagnostic the compiler really gives, so the page cannot show a message the compiler no longer says.
 */
interface CompiledExample {
  /** Files under the project root; the first is the input unless `inputs` says otherwise. */
  readonly files: Readonly<Record<string, MemoryFile>>;
  readonly inputs?: readonly string[];
  readonly maxFileSize?: number;
  /** Also run the analysis (threat rules) when the model has no errors, for AT4xxx codes. */
  readonly analyze?: boolean;
  /** Also run the policy stage (validation, and evaluation when the model has no errors), for AT5xxx codes. */
  readonly policy?: boolean;
  /** What to show instead of the files, when they are binary or long. */
  readonly show?: string;
}

/** A message the compiler's front end cannot produce from a model (command line, internal errors). */
interface WrittenExample {
  readonly output: string;
  readonly note: string;
}

type Example = CompiledExample | WrittenExample;

const RULE = 'rule ORG-1 "Agents must not browse" { }\n';

/**
 * One example per code. A code without one stops the generator (and so fails the docs test), which
 * is how a new catalog entry gets its documentation.
 */
export const EXAMPLES: Readonly<Partial<Record<DiagnosticCode, Example>>> = {
  AT1001: {
    files: {
      "model.aithreat": 'import "./locked.aithreat"\n',
      "locked.aithreat": { error: "permission denied" },
    },
    show: '// model.aithreat (locked.aithreat exists but cannot be read)\nimport "./locked.aithreat"',
  },
  AT1002: {
    files: {
      "model.aithreat": new Uint8Array([
        ...new TextEncoder().encode('zone cafe "Caf'),
        0xe9, // é in Latin-1: not UTF-8
        ...new TextEncoder().encode('" { trust internal }\n'),
      ]),
    },
    show: '// saved as Latin-1, not UTF-8\nzone cafe "Café" { trust internal }',
  },
  AT1003: {
    files: { "model.aithreat": new Uint8Array([0x7a, 0x6f, 0x6e, 0x65, 0x00, 0x01, 0x02]) },
    show: "// a binary file named model.aithreat",
  },
  AT1004: {
    files: {
      "model.aithreat": 'import "./huge.aithreat"\n',
      "huge.aithreat": `zone z "${"x".repeat(200)}" { trust internal }\n`,
    },
    maxFileSize: 100,
    show: '// run with --max-file-size 100; huge.aithreat is larger than that\nimport "./huge.aithreat"',
  },
  AT1010: { files: { "model.aithreat": "zone vpc { trust internal } $\n" } },
  AT1011: { files: { "model.aithreat": 'zone vpc "Production VPC { trust internal }\n' } },
  AT1012: { files: { "model.aithreat": "zone vpc { trust internal }\n/* TODO: add the agents\n" } },
  AT1013: { files: { "model.aithreat": 'store logs "C:\\logs" { type logs }\n' } },
  AT1020: {
    files: { "model.aithreat": "actor customer\nagent bot\nflow customer -> { kind prompt }\n" },
  },
  AT1021: { files: { "model.aithreat": `data d { regulated ${"[".repeat(65)} }\n` } },
  AT1022: {
    files: { "model.aithreat": "$\n".repeat(120) },
    show: "// a file with 120 lines that each hold only `$`",
  },
  AT1023: { files: { "model.aithreat": "zone vpc { trust }\n" } },

  AT2001: {
    files: {
      "model.aithreat": 'actor customer\nagent copilot\nflow customer -> copilt "chat" { kind prompt }\n',
    },
  },
  AT2002: {
    files: { "model.aithreat": "zone vpc { trust internal }\nstore vpc { type database }\n" },
  },
  AT2003: {
    files: {
      "model.aithreat":
        "agent bot\ntool mailer\nflow bot -> mailer { kind invoke }\nflow bot -> mailer { kind send }\n",
    },
  },
  AT2004: {
    files: { "model.aithreat": "data pii { classification personal }\nstore tickets in pii { holds pii }\n" },
  },
  AT2005: {
    files: {
      "zones.aithreat": "zone vpc { trust internal }\n",
      "model.aithreat": "store tickets in vpc\n",
    },
    inputs: ["model.aithreat", "zones.aithreat"],
    show: "// zones.aithreat\nzone vpc { trust internal }\n\n// model.aithreat\nstore tickets in vpc",
  },
  AT2006: {
    files: {
      "model.aithreat":
        'zone vpc { trust internal }\nstore cache "Session cache" in vpc\nstore \u0441ache "Copy" in vpc\nflow cache -> \u0441ache { kind copy }\n',
    },
  },
  AT2010: { files: { "model.aithreat": 'import "./shared/zone.aithreat"\n' } },
  AT2011: { files: { "model.aithreat": 'import "../other-team/zones.aithreat"\n' } },
  AT2012: {
    files: {
      "a.aithreat": 'import "./b.aithreat"\nzone vpc { trust internal }\n',
      "b.aithreat": 'import "./a.aithreat"\nstore tickets in vpc\n',
    },
    show: '// a.aithreat\nimport "./b.aithreat"\nzone vpc { trust internal }\n\n// b.aithreat\nimport "./a.aithreat"\nstore tickets in vpc',
  },
  AT2013: { files: { "model.aithreat": 'import "/etc/aithreat/zones.aithreat"\n' } },
  AT2020: {
    files: {
      "model.aithreat":
        'agent bot\naccept ACME-TEAM-42 on bot { reason "demo only" owner "secops" expires 2027-01-31 }\n',
    },
  },
  AT2021: {
    files: { "model.aithreat": 'control waf "Prompt firewall" { atlas [AML.M0999] }\n' },
  },

  AT3001: { files: { "model.aithreat": "agent bot {\n  tool mailer\n}\n" } },
  AT3002: { files: { "model.aithreat": "agent bot { autonmy loop }\n" } },
  AT3003: { files: { "model.aithreat": 'model m { verified "yes" }\n' } },
  AT3004: { files: { "model.aithreat": "agent bot { autonomy full }\n" } },
  AT3005: { files: { "model.aithreat": "zone vpc { trust internal  trust restricted }\n" } },
  AT3006: {
    files: { "model.aithreat": "actor customer\nvectorstore kb\nflow customer -> kb { kind train }\n" },
  },
  AT3007: {
    files: { "model.aithreat": 'data kb_articles "KB articles" { classification internal }\n' },
  },
  AT3008: {
    files: { "model.aithreat": "zone vpc { trust internal }\nstore tickets { type ticketing }\n" },
  },
  AT3009: {
    files: {
      "model.aithreat": `${RULE}agent bot\naccept ORG-1 on bot { reason "pilot only" owner "secops" expires 2026-03-31 }\n`,
    },
  },
  AT3010: {
    files: { "model.aithreat": `${RULE}agent bot\naccept ORG-1 on bot { reason "pilot only" }\n` },
  },
  AT3011: {
    files: { "model.aithreat": 'system "Support Copilot" { owner "ml-platform" }\nsystem "Billing"\n' },
  },
  AT3012: { files: { "model.aithreat": "agent bot\nflow bot -> bot { kind delegate }\n" } },
  AT3013: {
    files: {
      "model.aithreat": `${RULE}agent bot\naccept ORG-1 on bot { reason "pilot" owner "secops" expires 2027-02-30 }\n`,
    },
  },
  AT3014: {
    files: { "model.aithreat": "zone a in b { trust internal }\nzone b in a { trust internal }\n" },
  },
  AT3015: { files: { "model.aithreat": 'zone vpc "Production VPC"\n' } },
  AT3016: {
    files: {
      "model.aithreat":
        "zone dmz { trust public }\nzone vpc {\n  trust internal\n  store tickets in dmz\n}\n",
    },
  },
  AT3017: { files: { "model.aithreat": 'control review "Human review" { cost 0 }\n' } },
  AT3018: {
    files: {
      "model.aithreat": [
        'zone z0 "Zone" { trust internal }',
        ...Array.from({ length: 65 }, (_, i) => `zone z${i + 1} "Zone" in z${i}`),
        "",
      ].join("\n"),
    },
    show: '// 66 zones, each placed in the one before\nzone z0 "Zone" { trust internal }\nzone z1 "Zone" in z0\n// ...\nzone z65 "Zone" in z64',
  },
  AT3019: {
    files: {
      "model.aithreat": [
        'zone vpc "Production VPC" {',
        "  trust internal",
        '  dataset ft_corpus "Fine-tuning corpus"',
        '  pipeline finetune "Nightly LoRA fine-tune" { type fine_tuning }',
        '  model copilot_llm "Copilot LLM" { family generative  origin public_hub }',
        "}",
        "flow ft_corpus -> finetune { kind train }",
        "flow finetune -> copilot_llm { kind produce }",
        "",
      ].join("\n"),
    },
  },
  AT3020: {
    files: {
      "model.aithreat": 'rule ORG-1 "Agents need approval" {\n  match [agnet] { autonomy loop }\n}\n',
    },
  },
  AT3021: {
    files: {
      "model.aithreat":
        'rule ORG-1 "Agents need approval" {\n  match [agent]\n  severity high\n  likelihood medium\n  impact high\n}\n',
    },
  },
  AT3022: {
    files: { "model.aithreat": 'rule AT-90 "Agents need approval" { match [agent] }\n' },
  },
  AT3023: {
    files: {
      "model.aithreat": [
        'zone internet "Public internet" { trust untrusted }',
        'zone prod "Production" {',
        "  trust internal",
        '  endpoint chat_api "Chat API" { exposure public  auth none }',
        "}",
        'actor customer "Customer" in internet { role customer  authenticated true }',
        "flow customer -> chat_api { kind prompt }",
        "",
      ].join("\n"),
    },
  },

  AT4001: {
    files: {
      "model.aithreat":
        'agent bot "Helper"\naccept AT-37 on bot { reason "no outbound tools" owner "secops" expires 2027-01-31 }\n',
    },
    analyze: true,
  },
  AT4002: {
    output:
      "model.aithreat:1:1 - error AT4002: rule `AT-25` failed: Cannot read properties of undefined (reading 'trust')\n  = hint: the other rules ran; please report this with the model",
    note: "A correct model cannot cause this; it shows a bug in a rule. The text after `failed:` is the rule's own error.",
  },

  AT5001: {
    files: {
      "model.aithreat": 'policy ci "CI gate" {\n  mitigation_coverag 80\n}\n',
    },
    policy: true,
  },
  AT5002: {
    files: {
      "model.aithreat": 'policy ci "CI gate" {\n  mitigation_coverage 0.8\n}\n',
    },
    policy: true,
  },
  AT5003: {
    files: {
      "model.aithreat": 'policy ci "CI gate" {\n  exposed_crown_jewels 0\n  exposed_crown_jewels 1\n}\n',
    },
    policy: true,
  },
  AT5004: {
    output:
      'org-policy.aithreat:2:1 - error AT5004: a policy file holds only `policy` declarations, not `agent`\n  |\n2 | agent rogue "Rogue"\n  | ^^^^^\n  = hint: put the model in the model\'s own files; `--policy` adds thresholds only',
    note: "Reported for the file given with `--policy`, which is read apart from the model.",
  },
  AT5005: {
    files: { "model.aithreat": 'policy ci "CI gate" {}\n' },
    policy: true,
  },
  AT5006: {
    files: {
      "model.aithreat":
        'policy release "Release gate" {\n  exposed_crown_jewels 0\n}\npolicy release "Lenient" {\n  exposed_crown_jewels 2\n}\n',
    },
    policy: true,
  },
  AT5010: {
    files: {
      "model.aithreat":
        'zone internet "Internet" { trust untrusted }\nzone corp "Corp" { trust internal }\nactor customer "Customer" in internet\nagent bot "Bot" in corp\nstore memory "Memory" in corp { crown integrity }\nflow customer -> bot { kind prompt }\nflow bot -> memory { kind write }\npolicy release "Release gate" { exposed_crown_jewels 0 }\n',
    },
    policy: true,
  },

  AT9001: {
    output:
      "error AT9001: no `.aithreat` files found in `models/`\n  = hint: pass model files, or folders that contain them; `aithreat init` writes a starter model",
    note: "Reported by the command line before any model is read.",
  },
  AT9002: {
    output: "error AT9002: `--today` must be a date written YYYY-MM-DD, not `2027-02-30`",
    note: "Reported by the command line, mostly before any model is read; also for an `--out` folder that is not aithreat's or cannot be written, a `--baseline` that cannot be used, a `--templates` file that does not compile, a `diff --base` revision git does not know, and an `explain` target that names no rule or finding. Nothing is written.",
  },
  AT9101: {
    output:
      "warning AT9101: diagrams not rendered: `--chromium` names `./no-such-chromium`, which is not an executable file\n  = hint: install Debian's `chromium` package (`apt-get install chromium`), or set `CHROMIUM_PATH` to a Chromium or Chrome executable; the other outputs were written",
    note: "Reported by `compile --render` before the output folder is written, with every other output; the exit code does not change.",
  },
  AT9102: {
    output:
      "warning AT9102: findings.sarif holds the 25000 most severe of 203150 results (open and accepted findings): GitHub code scanning rejects a run of more than 25000\n  = hint: findings.json has every finding; `--sarif-max-results 0` writes them all into findings.sarif",
    note: "Reported by `compile` when findings.sarif is written; the exit code does not change, and the other outputs keep every finding.",
  },
  AT9103: {
    output:
      "warning AT9103: findings.junit.xml holds 17413 of 30669 findings (open ones and the most severe first), to stay under 25000 kB: GitLab refuses a JUnit report of 30 MB or more\n  = hint: findings.json has every finding; `--junit-max-kb 0` writes them all into findings.junit.xml",
    note: "Reported by `compile` when findings.junit.xml is written; the exit code does not change, and the other outputs keep every finding.",
  },
  AT9999: {
    output:
      "error AT9999: internal error: Cannot read properties of undefined (reading 'kind')\n  = note: this is a bug in aithreat; please report it with the model that triggers it (rerun with --debug for the stack trace)",
    note: "The text after `internal error:` is the failure's own message.",
  },
};

const BANDS: Readonly<Record<string, string>> = {
  "1": "files and syntax",
  "2": "names, references and imports",
  "3": "semantic checks",
  "4": "analysis",
  "5": "policy",
  "9": "command line and internal errors",
};

function isWritten(e: Example): e is WrittenExample {
  return "output" in e;
}

/** Compiles an example and returns the formatted diagnostic with the code, or throws. */
export function exampleOutput(codeName: DiagnosticCode, e: CompiledExample): string {
  const files = Object.fromEntries(Object.entries(e.files).map(([k, v]) => [`/project/${k}`, v]));
  const inputs = (e.inputs ?? [Object.keys(e.files)[0]!]).map((n) => `/project/${n}`);
  const result = runFrontEnd({
    inputs,
    root: "/project",
    host: memoryHost(files),
    resolve: { today: EXAMPLE_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
    ...(e.maxFileSize === undefined ? {} : { load: { maxFileSize: e.maxFileSize } }),
  });
  const all = [...result.diagnostics];
  if (e.analyze && result.ok) all.push(...analyze(result.model).diagnostics);
  if (e.policy) {
    const read = readPolicies(result.model.policyDecls, "model");
    all.push(...read.diagnostics, ...samePolicyNames(read.value));
    if (result.ok) all.push(...violationDiagnostics(analyzeModel(result.model).policy));
  }
  const hit = all.find((d) => d.code === codeName);
  if (!hit) {
    const got = all.map((d) => d.code).join(", ") || "nothing";
    throw new Error(
      `the example for ${codeName} no longer produces it (got ${got}): fix EXAMPLES in ${import.meta.url}`,
    );
  }
  return formatDiagnostic(hit, { color: false });
}

function exampleSource(e: CompiledExample): string {
  if (e.show !== undefined) return e.show;
  const entries = Object.entries(e.files);
  return entries
    .map(([name, file]) => {
      if (typeof file !== "string")
        throw new Error(`example file ${name} is not text: give the example a \`show\``);
      return (entries.length > 1 ? `// ${name}\n` : "") + file.trimEnd();
    })
    .join("\n\n");
}

/** docs/diagnostics.md, generated entirely from the catalog and the examples (before formatting). */
export function diagnosticsDoc(): string {
  const codes = (Object.keys(DIAGNOSTICS) as DiagnosticCode[]).sort();
  for (const c of Object.keys(EXAMPLES))
    if (!Object.prototype.hasOwnProperty.call(DIAGNOSTICS, c))
      throw new Error(`EXAMPLES has ${c}, which the catalog no longer lists: remove it`);
  const heading = (c: DiagnosticCode) => `${c}: ${DIAGNOSTICS[c].title}`;
  const out: string[] = [
    "<!-- Generated by scripts/gen-docs.ts from src/diagnostics/catalog.ts (npm run gen:docs); do not edit. -->",
    "",
    "# Diagnostics",
    "",
    "Every problem aithreat reports carries a stable code. Codes are never renumbered or reused, so scripts and",
    "suppressions can rely on them. The first digit says which stage found the problem:",
    "",
    table(
      ["codes", "stage"],
      [...new Set(codes.map((c) => c[2]!))].map((band) => [`AT${band}xxx`, BANDS[band] ?? "other"]),
    ),
    "",
    "A diagnostic prints as `file:line:column - severity CODE: message`, then the source line with the",
    "problem underlined, then hints (`= hint:`) and notes (`= note:`) that point at related places. Errors",
    "stop analysis; warnings do not. The examples below are what the compiler prints for the model shown",
    `(acceptances judged on ${EXAMPLE_TODAY}).`,
    "",
    table(
      ["code", "severity", "title"],
      codes.map((c) => [`[${c}](#${slug(heading(c))})`, DIAGNOSTICS[c].severity, cell(DIAGNOSTICS[c].title)]),
    ),
  ];
  let band = "";
  for (const c of codes) {
    if (c[2] !== band) {
      band = c[2]!;
      out.push("", `## AT${band}xxx: ${BANDS[band] ?? "other"}`);
    }
    const info = DIAGNOSTICS[c];
    const e = EXAMPLES[c];
    if (!e)
      throw new Error(
        `diagnostic ${c} has no example: add one to EXAMPLES in scripts/lib/diagnostics-doc.ts`,
      );
    out.push("", `### ${heading(c)}`, "", `Severity: **${info.severity}**.`, "", info.explain, "");
    if (isWritten(e)) {
      out.push(e.note, "", "```text", e.output, "```");
    } else {
      out.push("```aithreat", exampleSource(e), "```", "", "```text", exampleOutput(c, e), "```");
    }
  }
  return `${out.join("\n")}\n`;
}
