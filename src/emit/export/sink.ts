import type { OutputFile } from "../emitter.js";

/**
 * Where an export writes: text appended to named files. Exports write row by row instead of returning
 * whole files because an organisation model's CSV runs to gigabytes, past V8's longest string; the
 * CLI's sink batches rows into chunks and appends them to files (src/cli/commands/export.ts), tests
 * collect small exports in memory. Exports stay free of the file system either way.
 */
export interface ExportSink {
  /** Appends `text` to the file at `path` (relative, `/` separators), creating it on first write. */
  write(path: string, text: string): void;
}

/** A sink that keeps every file in memory, for small models and tests. */
export interface MemorySink extends ExportSink {
  /** The files in the order they were first written. */
  files(): OutputFile[];
}

/** Collects an export in memory. */
export function memorySink(): MemorySink {
  const parts = new Map<string, string[]>();
  return {
    write(path, text) {
      let p = parts.get(path);
      if (!p) parts.set(path, (p = []));
      p.push(text);
    },
    files: () => [...parts].map(([path, p]) => ({ path, contents: p.join("") })),
  };
}
