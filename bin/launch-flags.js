// The Node flags `bin/aithreat.js` runs pooled, medium and large models under, and which code cache
// of the bundle goes with a set of flags. scripts/bundle.mjs imports both, to write a cache for each set.
import { createHash } from "node:crypto";
import os from "node:os";

/** The young generation, in MB, of each launch size that runs in a child Node with a larger heap. */
export const YOUNG_MB = { medium: 64, large: 256 };

/** Node's own size of V8's worker pool, which it keeps whatever the cores. */
const NODE_POOL = 4;

/** A flag's name as Node reads it: `_` and `-` alike, without its `=value`. */
const flagName = (a) => a.replace(/=.*$/s, "").replace(/_/g, "-");

/** Whether one of the flags `given` (`--name=...`, any mix of `_` and `-` in the name) sets `flag`. */
const sets = (given, flag) => given.some((a) => flagName(a) === flag);

/** The pool flag is Node's, not V8's: V8 takes a code cache made without it, or with another size. */
const isPoolFlag = (a) => flagName(a) === "--v8-pool-size";

/**
 * The Node flags of a launch size, leaving out any the user set already (`given`): none in this
 * process ("small"); the heap for "medium" and "large"; V8's worker pool for every child but one
 * whose compile runs the attack paths on a thread of its own (`pathsWorker`, launch-size.ts). That
 * thread is a second isolate whose collector takes its helpers from the same pool: at 100k
 * components (27 MB, a paths worker) one pool thread made the compile no faster (19.7 against
 * 19.2 s) and its peak larger (1.85 against 1.68 GB), while at 40k (11 MB, none) it gained 6% and at
 * 1M (277 MB, none) 9% (217 and 219 s against 244 and 239 s).
 */
export function launchFlags(
  size,
  given = [],
  { cores = os.availableParallelism(), pathsWorker = false } = {},
) {
  if (size === "small") return [];
  const heap = size === "pooled" ? [] : heapFlags(YOUNG_MB[size], given);
  return pathsWorker ? heap : [...heap, ...poolFlags(given, cores)];
}

/**
 * The flags a child's code cache is made under (`codeCacheFile`): the heap flags of the medium and
 * large children. The pooled child, whose only flag is Node's, uses the plain cache.
 */
export function childCacheFlagSets() {
  return [heapFlags(YOUNG_MB.medium), heapFlags(YOUNG_MB.large)];
}

/**
 * A worker pool of one thread fewer than the cores (docs/adr/0018-worker-pool-sized-to-the-cores.md):
 * Node gives V8 four background threads whatever the machine, and on 2 cores their collector and
 * optimising-compiler tasks took the main thread's core from it (a 10k-component compile: 2.8 s of
 * CPU on the main thread and 2.8 s on the four, 3.82 s wall; with one, 3.3 and 1.9 s, 3.24 s wall).
 * None from five cores up, where Node's four already leave the main thread a core. The launcher
 * gives `cores` as src/cores.ts counts them (a container's CPU quota included).
 */
export function poolFlags(given = [], cores = os.availableParallelism()) {
  const size = Math.max(1, Math.min(NODE_POOL, cores - 1));
  return size >= NODE_POOL || sets(given, "--v8-pool-size") ? [] : [`--v8-pool-size=${size}`];
}

/**
 * Node flags for organisation-size models (docs/scale.md), for a child Node to run the CLI with,
 * leaving out any the user set already (`given`: this process's flags and NODE_OPTIONS):
 * - a young generation of `youngMb`: a model is built from millions of objects, and with Node's
 *   default (16 MB) the collector copies the survivors around several times more often (about
 *   10-20% of the CPU time of a large check). Past a few gigabytes of heap each young collection
 *   also costs about 30 ms however little survives (the 1M-component compile's output stage), so
 *   there fewer of them pay: 1,665 -> 453 collections and 50 -> 23 s of pauses, 4:17 -> 3:55 wall,
 *   the same peak memory; at 100k components 256 MB gained nothing measurable and cost 0.3 GB;
 * - an old-generation limit of three quarters of the machine's memory (at least 4 GB, at most
 *   16 GB) instead of V8's default, which depends on the machine and is 2-4 GB: a 1M-component
 *   model needs about 3 GB.
 */
export function heapFlags(youngMb, given = []) {
  const has = (flag) => sets(given, flag);
  const flags = [];
  if (!has("--max-semi-space-size")) flags.push(`--max-semi-space-size=${youngMb}`);
  if (!has("--max-old-space-size")) {
    const mb = Math.floor((os.totalmem() * 0.75) / 1024 / 1024);
    flags.push(`--max-old-space-size=${Math.min(16384, Math.max(4096, mb))}`);
  }
  return flags;
}

/** This process's Node flags: its command line's and NODE_OPTIONS'. */
export function givenFlags(execArgv = process.execArgv, nodeOptions = process.env.NODE_OPTIONS) {
  return [...execArgv, ...(nodeOptions ?? "").split(/\s+/)].filter((a) => a !== "");
}

/**
 * The code cache for the bundle `cjs` under these Node flags. V8 rejects a cache made under other
 * flags, heap sizes included, so the children that run larger models had compiled every
 * function afresh (about 0.1-0.15 s of a 10k-component compile): each set of flags has a cache of
 * its own, named by a digest of the flags; no flags, the plain `.cache`. The worker pool's size is
 * Node's and V8 does not check it, so it is left out: a cache does not depend on the cores of the
 * machine that built it.
 */
export function codeCacheFile(cjs, flags) {
  const v8Flags = flags.filter((a) => !isPoolFlag(a));
  if (v8Flags.length === 0) return `${cjs}.cache`;
  const digest = createHash("sha256").update(v8Flags.join("\n")).digest("hex").slice(0, 12);
  return `${cjs}.${digest}.cache`;
}
