/**
 * The seeded model generator's library entry: plan an organisation of layered AI systems, then
 * produce its files one at a time as `.aithreat` text or the equivalent JSON.
 *
 * Layout (why link files): names are global but a file may only use names declared in itself or in
 * files it imports transitively. Shared zones, providers and data sit in `shared/`; each system file
 * imports only those; cross-system flows sit in `links/`, one file per 16 systems, importing exactly
 * the system files they connect. Letting system files import each other instead would make every
 * file's visible set the transitive closure of a random graph, which is nearly the whole
 * organisation (thousands of files each), and an acyclic import order would forbid flows in both
 * directions between two systems. Link files keep every visible set small and allow cycles across
 * systems.
 */
import fs from "node:fs";
import path from "node:path";
import {
  buildDataFile,
  buildLinkFile,
  buildProvidersFile,
  buildSystemFile,
  buildZonesFile,
} from "./build.js";
import { planModel, type GenOptions, type Plan } from "./plan.js";
import { countStatements, renderAithreat, renderJson } from "./render.js";
import type { GenFile } from "./shape.js";

export { planModel, type GenOptions, type Plan } from "./plan.js";

/** Output encodings. */
export type Format = "aithreat" | "json";

/** One generated file: its path relative to the model root and its text. */
export interface GeneratedFile {
  readonly path: string;
  readonly text: string;
}

/** Sizes of a generated model, counted while it was generated. */
export interface GenStats {
  readonly components: number;
  readonly sharedComponents: number;
  readonly systems: number;
  readonly files: number;
  readonly linkFiles: number;
  readonly zones: number;
  readonly data: number;
  readonly controls: number;
  readonly crownJewels: number;
  readonly flows: number;
  readonly crossFlows: number;
  readonly statements: number;
  /** UTF-8 bytes of all files in the chosen format. */
  readonly bytes: number;
}

/** Every file of the plan's model as intermediate form, shared files first, then systems, then links. */
export function* buildFiles(plan: Plan): Generator<GenFile> {
  yield buildZonesFile();
  yield buildDataFile();
  yield buildProvidersFile(plan);
  for (let i = 0; i < plan.systems; i++) yield buildSystemFile(plan, i);
  for (let g = 0; g < plan.linkFiles; g++) yield buildLinkFile(plan, g);
}

function toPath(p: string, format: Format): string {
  return format === "json" ? p.replace(/\.aithreat$/, ".json") : p;
}

/** A running tally of what has been generated. */
class Tally {
  components = 0;
  zones = 0;
  data = 0;
  controls = 0;
  flows = 0;
  statements = 0;
  bytes = 0;
  files = 0;
  add(f: GenFile, text: string): void {
    this.files++;
    this.components += f.components.length;
    for (const z of f.zones) this.components += z.components.length;
    this.zones += f.zones.length;
    this.data += f.data.length;
    this.controls += f.controls.length;
    this.flows += f.flows.length;
    this.statements += countStatements(f);
    this.bytes += Buffer.byteLength(text);
  }
  stats(plan: Plan): GenStats {
    let crossFlows = 0;
    for (const c of plan.crossFlows) crossFlows += c;
    return {
      components: this.components,
      sharedComponents: plan.sharedComponents,
      systems: plan.systems,
      files: this.files,
      linkFiles: plan.linkFiles,
      zones: this.zones,
      data: this.data,
      controls: this.controls,
      crownJewels: plan.crownJewels,
      flows: this.flows,
      crossFlows,
      statements: this.statements,
      bytes: this.bytes,
    };
  }
}

/** Generates a whole model in memory. */
export function generateModel(
  options: GenOptions,
  format: Format = "aithreat",
): { plan: Plan; files: GeneratedFile[]; stats: GenStats } {
  const plan = planModel(options);
  const render = format === "json" ? renderJson : renderAithreat;
  const tally = new Tally();
  const files: GeneratedFile[] = [];
  for (const f of buildFiles(plan)) {
    const text = render(f);
    tally.add(f, text);
    files.push({ path: toPath(f.path, format), text });
  }
  const stats = tally.stats(plan);
  if (stats.components !== plan.components || stats.flows !== plan.totalFlows)
    throw new Error(
      `generator bug: made ${stats.components} components and ${stats.flows} flows, planned ${plan.components} and ${plan.totalFlows}`,
    );
  return { plan, files, stats };
}

/** Writes a model under `outDir`, one file at a time (a 1M-component model never sits in memory whole). */
export function writeModel(options: GenOptions, outDir: string, formats: readonly Format[]): GenStats[] {
  const plan = planModel(options);
  const tallies = formats.map(() => new Tally());
  const made = new Set<string>();
  for (const f of buildFiles(plan)) {
    formats.forEach((format, k) => {
      const text = format === "json" ? renderJson(f) : renderAithreat(f);
      tallies[k]!.add(f, text);
      const target = path.join(outDir, toPath(f.path, format));
      const dir = path.dirname(target);
      if (!made.has(dir)) fs.mkdirSync(dir, { recursive: true });
      made.add(dir);
      fs.writeFileSync(target, text);
    });
  }
  return tallies.map((t) => t.stats(plan));
}
