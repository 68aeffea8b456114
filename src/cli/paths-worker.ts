import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import {
  isMainThread,
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  workerData,
  type MessagePort,
} from "node:worker_threads";
import { pathsOfModel } from "../compiler.js";
import type { AttackPath, PathAnalysis, PathStep, TargetReport } from "../analysis/paths/model.js";
import type { PathOptions } from "../analysis/paths/analyze.js";
import type { ControlUse, ResolvedModel } from "../semantic/model.js";
import { loadModels, type ModelOptions } from "./common.js";
import { expandInputs } from "./inputs.js";
import type { Io } from "./io.js";

/*
 * The attack paths of a compile, worked out on a second thread while this one runs the rule
 * catalog (docs/adr/0013-paths-on-a-second-thread.md). The two need nothing from each other until
 * the metrics, and on a 10k-100k component model each is seconds of one core while the other core
 * idles. The worker loads the same files with the same options as the main thread (a model is far
 * cheaper to build again than to copy between threads), analyses the paths, and sends them back
 * with a digest of every source text it read: the main thread takes them only when its own model
 * was read from the same texts, and works the paths out itself otherwise (a file edited during the
 * run, a failed or slow worker), so the outputs never depend on whether the worker was used.
 */

const WORKER_MARK = "aithreat-paths-worker";

/** Below this many bytes of model files, starting a thread costs more than the paths do. */
export const MIN_WORKER_BYTES = 1 << 20;
/**
 * Above this many, the second model would cost memory an organisation-size compile needs (the
 * paths of a 1M-component tree take seconds of its minutes, and its model gigabytes).
 */
export const MAX_WORKER_BYTES = 96 << 20;

/** What the worker is asked: `loadModels`'s options (the day resolved already) and the path options. */
export interface PathsJob {
  readonly models: readonly string[];
  readonly root?: string;
  readonly today: string;
  readonly maxFileSize?: number;
  readonly paths: PathOptions;
}

/** A step's controls as ordinals into `controlList`, which names them without their objects. */
type EncodedStep = Omit<PathStep, "controls"> & { readonly controls: readonly number[] };
type EncodedPath = Omit<AttackPath, "steps" | "exfil"> & {
  readonly steps: readonly EncodedStep[];
  readonly exfil: readonly EncodedStep[];
};
type EncodedTarget = Omit<TargetReport, "paths"> & { readonly paths: readonly EncodedPath[] };
type EncodedPaths = Omit<PathAnalysis, "targets"> & { readonly targets: readonly EncodedTarget[] };

type Answer = { readonly digest: string; readonly paths: EncodedPaths } | { readonly failed: string };

/**
 * Every declared control of a model in one order (components', then flows'): a control crosses
 * threads as its place in this list, since its object holds its source file (and the file's text).
 */
function controlList(model: ResolvedModel): ControlUse[] {
  const all: ControlUse[] = [];
  for (const c of model.components) for (const u of c.controls) all.push(u);
  for (const f of model.flows) for (const u of f.controls) all.push(u);
  return all;
}

/** One digest of every file the model was read from, path and text, in load order. */
export function sourceDigest(model: ResolvedModel): string {
  const h = createHash("sha256");
  for (const f of model.files) h.update(`${f.path}\0${f.text.length}\0`).update(f.text).update("\0");
  return h.digest("hex");
}

function encode(paths: PathAnalysis, analysed: ResolvedModel): EncodedPaths {
  const ordinal = new Map<ControlUse, number>();
  controlList(analysed).forEach((u, i) => ordinal.set(u, i));
  const step = (s: PathStep): EncodedStep => ({
    ...s,
    controls: s.controls.map((u) => {
      const i = ordinal.get(u);
      if (i === undefined) throw new Error(`a step's control \`${u.name}\` is not one of the model's`);
      return i;
    }),
  });
  return {
    ...paths,
    targets: paths.targets.map((t) => ({
      ...t,
      paths: t.paths.map((p) => ({ ...p, steps: p.steps.map(step), exfil: p.exfil.map(step) })),
    })),
  };
}

function decode(encoded: EncodedPaths, analysed: ResolvedModel): PathAnalysis {
  const controls = controlList(analysed);
  const step = (s: EncodedStep): PathStep => ({
    ...s,
    controls: s.controls.map((i) => {
      const u = controls[i];
      if (!u) throw new Error(`control ordinal ${i} is out of range`);
      return u;
    }),
  });
  return {
    ...encoded,
    targets: encoded.targets.map((t) => ({
      ...t,
      paths: t.paths.map((p) => ({ ...p, steps: p.steps.map(step), exfil: p.exfil.map(step) })),
    })),
  };
}

/** A paths worker at work: `take` returns its answer for the main thread's model, if it can be used. */
export interface PathsWorker {
  /**
   * Waits for the worker (bounded) and returns its paths for `analysed` (the main thread's model as
   * analysed), or undefined when they cannot be used: the caller then works them out itself.
   */
  take(model: ResolvedModel, analysed: ResolvedModel): PathAnalysis | undefined;
  /** Stops the worker (when the compile ends before it needs the paths). */
  close(): void;
  /** Why the last `take` returned nothing (for tests and the benchmark). */
  readonly declined?: string;
}

/** Total bytes of the model files a command line names (imports not followed). */
function inputBytes(models: readonly string[]): number {
  let total = 0;
  for (const f of expandInputs(models).files) total += fs.statSync(f, { throwIfNoEntry: false })?.size ?? 0;
  return total;
}

/**
 * Starts a paths worker for a compile when it pays: a second core, and model files between
 * MIN_WORKER_BYTES and MAX_WORKER_BYTES (`force` skips the size test; tests use it on small models).
 * Undefined when no worker is started.
 */
export function startPathsWorker(job: PathsJob, options: { force?: boolean } = {}): PathsWorker | undefined {
  if (!options.force) {
    if (os.availableParallelism() < 2) return undefined;
    const bytes = inputBytes(job.models);
    if (bytes < MIN_WORKER_BYTES || bytes > MAX_WORKER_BYTES) return undefined;
  }
  const { port1, port2 } = new MessageChannel();
  // [0] is set to 1 once the worker has posted its answer.
  const signal = new Int32Array(new SharedArrayBuffer(4));
  let worker: Worker | undefined;
  try {
    worker = new Worker(new URL(import.meta.url), {
      workerData: { [WORKER_MARK]: true, port: port2, signal, job },
      transferList: [port2],
    });
  } catch {
    return undefined;
  }
  worker.unref();
  // An unheard 'error' event would end the CLI; a failed worker only means the paths are made here.
  worker.on("error", () => undefined);
  const started = performance.now();
  const state: { declined?: string } = {};
  const close = () => {
    port1.close();
    void worker.terminate();
  };
  return {
    get declined() {
      return state.declined;
    },
    close,
    take(model, analysed) {
      const decline = (why: string): undefined => {
        state.declined = why;
        close();
        return undefined;
      };
      // The worker started with this thread and has less to do. Should it still be at work after
      // as long again as this thread has been (at least 10 s), something is wrong with it: this
      // thread then works the paths out itself instead of waiting on.
      const patience = Math.max(10_000, performance.now() - started);
      const waitStart = performance.now();
      while (Atomics.load(signal, 0) === 0) {
        const left = patience - (performance.now() - waitStart);
        if (left <= 0) return decline("the worker did not answer in time");
        Atomics.wait(signal, 0, 0, Math.min(left, 1000));
      }
      const received = receiveMessageOnPort(port1);
      if (!received) return decline("the worker's answer was lost");
      const answer = received.message as Answer;
      if ("failed" in answer) return decline(answer.failed);
      if (answer.digest !== sourceDigest(model)) return decline("the model files changed during the run");
      try {
        const paths = decode(answer.paths, analysed);
        close();
        return paths;
      } catch (e) {
        return decline((e as Error).message);
      }
    },
  };
}

/** A quiet Io: the main thread reports every diagnostic of the load; the worker only needs the model. */
const SILENT: Io = { out: () => undefined, err: () => undefined, tty: false, cwd: process.cwd(), env: {} };

function runWorker(port: MessagePort, signal: Int32Array, job: PathsJob): void {
  // The main thread has its own load, the rules and its collector's threads to run meanwhile, and
  // waits for this answer only after them: this thread takes what CPU they leave. On Linux the
  // priority is the calling thread's alone (elsewhere it would be the whole process's).
  if (process.platform === "linux") {
    try {
      os.setPriority(10);
    } catch {
      // Not allowed: the same work at the same priority.
    }
  }
  let answer: Answer;
  try {
    const options: ModelOptions = {
      models: [...job.models],
      today: job.today,
      ...(job.root === undefined ? {} : { root: job.root }),
      ...(job.maxFileSize === undefined ? {} : { "max-file-size": job.maxFileSize }),
    };
    // One thread here: the main thread's load has the other core's parsing worker.
    const loaded = loadModels(SILENT, options, { workers: 0 });
    if (!("model" in loaded) || !loaded.ok) answer = { failed: "the worker could not load the model" };
    else {
      const { paths, analysed } = pathsOfModel(loaded.model, job.paths);
      answer = { digest: sourceDigest(loaded.model), paths: encode(paths, analysed) };
    }
  } catch (e) {
    answer = { failed: `the worker failed: ${(e as Error).message ?? String(e)}` };
  }
  port.postMessage(answer);
  Atomics.store(signal, 0, 1);
  Atomics.notify(signal, 0);
}

const data = workerData as Record<string, unknown> | null;
if (!isMainThread && data?.[WORKER_MARK] === true) {
  runWorker(data["port"] as MessagePort, data["signal"] as Int32Array, data["job"] as PathsJob);
}
