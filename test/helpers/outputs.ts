/**
 * Helpers for the tests of the machine-readable outputs: compile a sample (or inline files) in
 * memory into its EmitContext, and validators for findings.json (our schema) and SARIF (the official
 * OASIS schema, committed under schemas/third-party/). Everything is offline.
 */
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import AjvModule from "ajv";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";
import { ATLAS_MITIGATION_IDS, RULE_IDS } from "../../src/catalog/index.js";
import { expandInputs } from "../../src/cli/inputs.js";
import { nodeHost } from "../../src/cli/node-host.js";
import { VERSION } from "../../src/cli/version.js";
import { analyzeModel, runFrontEnd, type FrontEndResult } from "../../src/compiler.js";
import type { EmitContext } from "../../src/emit/emitter.js";
import { TEST_TODAY, dump } from "./compile.js";
import { memoryHost } from "./memory-host.js";

// ajv and ajv-formats are CommonJS; under NodeNext their default export sits on `.default`.
const Ajv = AjvModule.default;
const Ajv2020 = Ajv2020Module.default;
const addFormats = addFormatsModule.default;

/** The repository root (tests run from dist/test/helpers). */
export const REPO = path.resolve(fileURLToPath(import.meta.url), "../../../..");

/** Every sample folder, sorted. */
export const SAMPLES: readonly string[] = fs
  .readdirSync(path.join(REPO, "samples"), { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();

function contextOf(front: FrontEndResult, generatedAt?: string): EmitContext {
  if (!front.ok) throw new Error(`model has errors:\n${dump(front)}`);
  const analysis = analyzeModel(front.model);
  return {
    analysis,
    toolVersion: VERSION,
    diagnostics: [...front.diagnostics, ...analysis.diagnostics],
    ...(generatedAt !== undefined ? { generatedAt } : {}),
  };
}

/** Compiles a sample folder (paths relative to the repository, as the CLI prints them). */
export function sampleContext(sample: string, generatedAt?: string): EmitContext {
  const { files } = expandInputs([path.join(REPO, "samples", sample)]);
  const front = runFrontEnd({
    inputs: files,
    root: REPO,
    host: nodeHost,
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  return contextOf(front, generatedAt);
}

const compiled = new Map<string, EmitContext>();

/** `sampleContext`, compiled once per test process (for tests that only read the result). */
export function cachedSampleContext(sample: string): EmitContext {
  let ctx = compiled.get(sample);
  if (!ctx) compiled.set(sample, (ctx = sampleContext(sample)));
  return ctx;
}

/** Compiles in-memory files under /project (the first file is the input). */
export function memoryContext(files: Record<string, string>): EmitContext {
  const abs = Object.fromEntries(Object.entries(files).map(([k, v]) => [`/project/${k}`, v]));
  const front = runFrontEnd({
    inputs: [`/project/${Object.keys(files)[0]!}`],
    root: "/project",
    host: memoryHost(abs),
    resolve: { today: TEST_TODAY, ruleIds: RULE_IDS, atlasMitigations: ATLAS_MITIGATION_IDS },
  });
  return contextOf(front);
}

/** A validator: the list of schema errors of a document (empty when valid). */
export type Validate = (doc: unknown) => string[];

function wrap(validate: { (d: unknown): boolean; errors?: unknown }): Validate {
  return (doc) => {
    if (validate(doc)) return [];
    return ((validate.errors as { instancePath: string; message?: string }[] | null) ?? []).map(
      (e) => `${e.instancePath || "/"} ${e.message ?? ""}`,
    );
  };
}

const readJson = (rel: string): Record<string, unknown> =>
  JSON.parse(fs.readFileSync(path.join(REPO, rel), "utf8")) as Record<string, unknown>;

/** The findings.json schema (draft 2020-12). */
export const FINDINGS_SCHEMA = readJson("schemas/findings-2.1.schema.json");

/** Validates a findings.json document against schemas/findings-2.1.schema.json. */
export function findingsValidator(): Validate {
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  addFormats(ajv);
  return wrap(ajv.compile(FINDINGS_SCHEMA));
}

/**
 * Validates a SARIF log against the official SARIF 2.1.0 schema. The schema is draft-04; Ajv reads
 * it as draft-07 once `id` is `$id` (no keyword it uses changed meaning between the drafts, see
 * schemas/third-party/README.md). Formats (`uri`, `uri-reference`, `date-time`) are checked.
 */
export function sarifValidator(): Validate {
  const schema = readJson("schemas/third-party/sarif-schema-2.1.0.json");
  const { id, $schema: _draft, ...rest } = schema;
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  return wrap(ajv.compile({ $id: String(id), ...rest }));
}

/**
 * An agent that declares human approval, a tool that states its own (`approval none`, which replaces
 * the agent's for calls to it) and a tool that states none: AT-36 on `ops:wipe` stays open with the
 * approval bypassed, AT-36 on `ops:notes` is mitigated by it.
 */
export const OVERRIDDEN_APPROVAL = `zone corp "Corp" {
  trust internal
  agent ops "Ops agent" { autonomy loop  controls [human_approval] }
  tool wipe "Purge records" { capabilities [delete]  approval none }
  tool notes "Note writer" { capabilities [write] }
}
flow ops -> wipe { kind invoke }
flow ops -> notes { kind invoke }
`;
