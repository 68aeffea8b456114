// Loads the CommonJS bundle of the CLI (dist/aithreat.cjs) with V8's code cache (dist/aithreat.cjs.cache,
// written by scripts/bundle.mjs after a warm-up run). Node 20 keeps no code cache of its own, so each
// start parsed the 2 MB bundle and compiled every function it ran: about 0.1 s of a small model's
// 0.3 s `check`. V8 rejects a cache made by another V8, with other flags or for another source, and
// then compiles as without one.
import fs from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import vm from "node:vm";

/** Compiles and runs the bundle; returns its exports and the script (to write a cache from). */
export function loadBundle(file, cacheFile) {
  const source = fs.readFileSync(file, "utf8");
  let cachedData;
  try {
    cachedData = fs.readFileSync(cacheFile);
  } catch {
    // No cache: compiled as usual.
  }
  // CommonJS's own wrapper, on the first line so line numbers in stack traces stay the bundle's.
  const script = new vm.Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: file,
    cachedData,
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(file), module, file, path.dirname(file));
  // Code from a cache has no `import()` in Node 20: puppeteer and mermaid-cli are imported from
  // here, a real module of the package, so they resolve as from any of its modules.
  module.exports.useImporter?.((specifier) => import(specifier));
  return { exports: module.exports, script };
}
