/**
 * How the renderer's two packages (mermaid-cli and puppeteer: large, so loaded on first use) are
 * imported. By default with `import()` from this module. The CLI's CommonJS bundle runs as a script
 * compiled with V8's code cache (bin/bundle-loader.js), and code that comes from a cache has no
 * `import()` in Node 20 (the callback Node attaches at compile time is missing: "A dynamic import
 * callback was not specified"), so its loader hands in an importer that runs in a real module.
 */
import type * as MermaidCli from "@mermaid-js/mermaid-cli";
import type * as Puppeteer from "puppeteer";

/** Imports a package by name, resolved from aithreat's own folder. */
export type Importer = (specifier: string) => Promise<unknown>;

let importer: Importer = (specifier) => import(specifier);

/** Makes `importer` load the renderer's packages (the bundle's loader calls this). */
export function useImporter(fn: Importer): void {
  importer = fn;
}

export const loadMermaidCli = (): Promise<typeof MermaidCli> =>
  importer("@mermaid-js/mermaid-cli") as Promise<typeof MermaidCli>;

export const loadPuppeteer = (): Promise<typeof Puppeteer> =>
  importer("puppeteer") as Promise<typeof Puppeteer>;
