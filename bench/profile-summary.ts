/**
 * `node dist/bench/profile-summary.js FILE.cpuprofile [--top N] [--filter TEXT]`: summarises a V8 CPU
 * profile (from `node --cpu-prof`) as the functions with the most self time, the most inclusive time
 * (each function counted once per stack, so recursion does not inflate it), and self time per file.
 * DevTools shows the same data, but not on a headless machine and not in a report.
 */
import fs from "node:fs";
import path from "node:path";
import { benchArgs } from "./args.js";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}

/** The parts of a `.cpuprofile` file this tool reads. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

/** One row of a summary: a function (or file) and its times in milliseconds. */
export interface Row {
  readonly key: string;
  readonly self: number;
  readonly total: number;
}

function shortUrl(url: string): string {
  if (url === "") return "(native)";
  const clean = url.replace(/^file:\/\//, "");
  const nm = clean.lastIndexOf("node_modules/");
  if (nm >= 0) return clean.slice(nm + "node_modules/".length);
  const dist = clean.lastIndexOf("/dist/");
  if (dist >= 0) return clean.slice(dist + "/dist/".length);
  return clean.startsWith("node:") ? clean : path.basename(clean);
}

/** Self and inclusive time per function, and self time per file. */
export function summarise(profile: CpuProfile): { byFunction: Row[]; byFile: Row[]; totalMs: number } {
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const n of profile.nodes) {
    byId.set(n.id, n);
    for (const c of n.children ?? []) parent.set(c, n.id);
  }
  const selfUs = new Map<number, number>();
  for (let i = 0; i < profile.samples.length; i++) {
    const id = profile.samples[i]!;
    // timeDeltas[i] is the time before sample i; attribute the gap to the sample it precedes.
    selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, profile.timeDeltas[i] ?? 0));
  }
  const keyOf = (n: ProfileNode) => {
    const f = n.callFrame;
    return `${f.functionName || "(anonymous)"} ${shortUrl(f.url)}:${f.lineNumber + 1}`;
  };
  const fnSelf = new Map<string, number>();
  const fnTotal = new Map<string, number>();
  const fileSelf = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const node = byId.get(id)!;
    const key = keyOf(node);
    fnSelf.set(key, (fnSelf.get(key) ?? 0) + us);
    const file = shortUrl(node.callFrame.url);
    fileSelf.set(file, (fileSelf.get(file) ?? 0) + us);
    // Walk to the root, crediting each distinct function on the stack once.
    const seen = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const k = keyOf(byId.get(cur)!);
      if (seen.has(k)) continue;
      seen.add(k);
      fnTotal.set(k, (fnTotal.get(k) ?? 0) + us);
    }
  }
  const rows = (self: Map<string, number>, total: Map<string, number>): Row[] =>
    [...new Set([...self.keys(), ...total.keys()])].map((key) => ({
      key,
      self: (self.get(key) ?? 0) / 1000,
      total: (total.get(key) ?? self.get(key) ?? 0) / 1000,
    }));
  let totalUs = 0;
  for (const us of selfUs.values()) totalUs += us;
  return { byFunction: rows(fnSelf, fnTotal), byFile: rows(fileSelf, fileSelf), totalMs: totalUs / 1000 };
}

function table(
  title: string,
  rows: readonly Row[],
  field: "self" | "total",
  top: number,
  all: number,
): string {
  const lines = [`\n${title}`, `${"ms".padStart(9)} ${"%".padStart(6)}  function`];
  for (const r of [...rows].sort((a, b) => b[field] - a[field]).slice(0, top))
    lines.push(
      `${r[field].toFixed(0).padStart(9)} ${((100 * r[field]) / all).toFixed(1).padStart(6)}  ${r.key}`,
    );
  return lines.join("\n");
}

function main(argv: string[]): number {
  const { values, positionals } = benchArgs({
    args: argv,
    allowPositionals: true,
    options: { top: { type: "string", default: "25" }, filter: { type: "string" } },
  });
  const file = positionals[0];
  if (!file) {
    console.error("usage: node dist/bench/profile-summary.js FILE.cpuprofile [--top N] [--filter TEXT]");
    return 2;
  }
  const profile = JSON.parse(fs.readFileSync(file, "utf8")) as CpuProfile;
  const { byFunction, byFile, totalMs } = summarise(profile);
  const top = Number(values.top);
  const keep = (r: Row) => values.filter === undefined || r.key.includes(values.filter);
  console.log(`${path.basename(file)}: ${totalMs.toFixed(0)} ms sampled`);
  console.log(table("Self time by function", byFunction.filter(keep), "self", top, totalMs));
  console.log(table("Inclusive time by function", byFunction.filter(keep), "total", top, totalMs));
  console.log(table("Self time by file", byFile, "self", Math.min(top, 15), totalMs));
  return 0;
}

if (process.argv[1] && import.meta.url === new URL(`file://${path.resolve(process.argv[1])}`).href)
  process.exitCode = main(process.argv.slice(2));
