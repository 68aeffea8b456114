/** Analysed models the export tests share: the samples, the escaping fixture, small inline models. */
import fs from "node:fs";
import path from "node:path";
import { loadModels } from "../../src/cli/common.js";
import { bufferIo } from "../../src/cli/io.js";
import { analyzeModel, type CompileAnalysis } from "../../src/compiler.js";
import { TEST_TODAY, dump, frontEndOf } from "../helpers/compile.js";
import { NASTY_MODEL } from "./nasty-model.js";

/** Sample folder names, sorted. */
export function sampleNames(): string[] {
  return fs
    .readdirSync("samples", { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/** Analyses model files or folders as the CLI reads them. */
export function analysisOf(models: string[]): CompileAnalysis {
  const loaded = loadModels(bufferIo(), { models, today: TEST_TODAY });
  if (!("model" in loaded) || !loaded.ok) throw new Error(`invalid model: ${models.join(" ")}`);
  return analyzeModel(loaded.model);
}

const cache = new Map<string, CompileAnalysis>();
/** A sample's analysis, computed once per test process. */
export function sampleAnalysis(name: string): CompileAnalysis {
  let a = cache.get(name);
  if (!a) cache.set(name, (a = analysisOf([path.join("samples", name)])));
  return a;
}

/** Analyses one model given as text. */
export function analysisOfText(text: string): CompileAnalysis {
  const front = frontEndOf(text);
  if (!front.ok) throw new Error(`model has errors:\n${dump(front)}`);
  return analyzeModel(front.model);
}

/** The escaping fixture, analysed. */
export const nastyAnalysis = (): CompileAnalysis => analysisOfText(NASTY_MODEL);
