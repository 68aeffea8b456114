import { createHash } from "node:crypto";
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
import { modelBytesUpTo } from "./inputs.js";
import { MAX_WORKER_BYTES, worthAPathsWorker } from "./launch-size.js";
import type { Io } from "./io.js";
import { usableCores } from "../cores.js";

/*
 * The attack paths of a compile, worked out on a second thread while this one runs the rule
 * catalog (docs/adr/0013-compile-uses-the-second-core.md). The two need nothing from each other until
 * the metrics, and on a model of 50k-350k components each is seconds of one core while the other
 * core idles. The worker loads the same files with the same options as the main thread (a model is far
 * cheaper to build again than to copy between threads), analyses the paths, and sends them back
 * with a digest of every source text it read: the main thread takes them only when its own model
 * was read from the same texts, and works the paths out itself otherwise (a file edited during the
 * run, a failed worker, or one still loading when the answer is needed: a busy machine), so the
 * outputs never depend on whether the worker was used.
 */

const WORKER_MARK = "aithreat-paths-worker";

/** What the worker is asked: `loadModels`'s options (the day resolved already) and the path options. */
export interface PathsJob {
  readonly models: readonly string[];
  readonly root?: string;
  readonly today: string;
  readonly maxFileSize?: number;
  readonly paths: PathOptions;
}

/** The analysis with its steps' controls of another type: ordinals into `controlList` across threads. */
type StepOf<C> = Omit<PathStep, "controls"> & { readonly controls: readonly C[] };
type PathOf<C> = Omit<AttackPath, "steps" | "exfil"> & {
  readonly steps: readonly StepOf<C>[];
  readonly exfil: readonly StepOf<C>[];
};
type AnalysisOf<C> = Omit<PathAnalysis, "targets"> & {
  readonly targets: readonly (Omit<TargetReport, "paths"> & { readonly paths: readonly PathOf<C>[] })[];
};
type EncodedPaths = AnalysisOf<number>;

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

const digests = new WeakMap<ResolvedModel, string>();

/**
 * One digest of every file the model was read from, path and text, in load order. Kept per model:
 * `compile` asks for it before it lets the texts go (`releaseText`), and the worker's answer is
 * compared with that.
 */
export function sourceDigest(model: ResolvedModel): string {
  const known = digests.get(model);
  if (known !== undefined) return known;
  const h = createHash("sha256");
  for (const f of model.files) h.update(`${f.path}\0${f.text.length}\0`).update(f.text).update("\0");
  const digest = h.digest("hex");
  digests.set(model, digest);
  return digest;
}

/** The analysis with each step's controls mapped by `control` (one walk for both directions). */
function mapControls<A, B>(paths: AnalysisOf<A>, control: (a: A) => B): AnalysisOf<B> {
  const step = (s: StepOf<A>): StepOf<B> => ({ ...s, controls: s.controls.map(control) });
  return {
    ...paths,
    targets: paths.targets.map((t) => ({
      ...t,
      paths: t.paths.map((p) => ({ ...p, steps: p.steps.map(step), exfil: p.exfil.map(step) })),
    })),
  };
}

function encode(paths: PathAnalysis, analysed: ResolvedModel): EncodedPaths {
  const ordinal = new Map<ControlUse, number>();
  controlList(analysed).forEach((u, i) => ordinal.set(u, i));
  return mapControls(paths, (u: ControlUse) => {
    const i = ordinal.get(u);
    if (i === undefined) throw new Error(`a step's control \`${u.name}\` is not one of the model's`);
    return i;
  });
}

function decode(encoded: EncodedPaths, analysed: ResolvedModel): PathAnalysis {
  const controls = controlList(analysed);
  return mapControls(encoded, (i: number) => {
    const u = controls[i];
    if (!u) throw new Error(`control ordinal ${i} is out of range`);
    return u;
  });
}

/** A paths worker at work: `take` returns its answer for the main thread's model, if it can be used. */
export interface PathsWorker {
  /**
   * The worker's paths for `analysed` (the main thread's model as analysed), or undefined when they
   * cannot be had soon or be used: the caller then works them out itself. A worker still loading
   * the model is not waited for, nor one less than halfway through its analysis by the estimate
   * that the paths cost what its load did (0.4 against 0.35 s at 10k, 2.8 against 3 s at 100k);
   * one further on is, for about as long as it should still need.
   */
  take(model: ResolvedModel, analysed: ResolvedModel): PathAnalysis | undefined;
  /** Waits up to `ms` for the worker's answer; whether it came (tests use it before `take`). */
  wait(ms: number): boolean;
  /** Stops the worker (when the compile ends before it needs the paths). */
  close(): void;
  /** Why `take` returned nothing, or "" once it returned the worker's paths (`compile --debug` prints it). */
  readonly outcome?: string;
  /** How long `take` waited for the worker, in milliseconds. */
  readonly waited: number;
}

// The shared state: the worker's stage, how long its load took, and when its analysis began (ms
// since the epoch the main thread gave it).
const STAGE = 0;
const LOAD_MS = 1;
const ANALYSIS_BEGAN = 2;
const LOADING = 0;
const ANALYSING = 1;
const ANSWERED = 2;

/** How long a patient `take` waits for the answer, whatever the worker's stage. */
const PATIENT_MS = 60_000;

/**
 * Starts a paths worker for a compile when it pays: a second core, and model files (with everything
 * they import, `modelBytesUpTo`) of the size `worthAPathsWorker` (launch-size.ts) accepts. `force`
 * skips both tests, and `patient` makes `take` wait for the answer whatever the worker's stage
 * (`AITHREAT_THREADS=always`; tests use both on small models, whose rules end before a worker has
 * even loaded). Undefined when no worker is started.
 */
export function startPathsWorker(
  job: PathsJob,
  options: { readonly force?: boolean; readonly patient?: boolean } = {},
): PathsWorker | undefined {
  if (
    !options.force &&
    (usableCores() < 2 || !worthAPathsWorker(modelBytesUpTo(job.models, MAX_WORKER_BYTES)))
  )
    return undefined;
  const { port1, port2 } = new MessageChannel();
  const signal = new Int32Array(new SharedArrayBuffer(12));
  const epoch = Date.now();
  let worker: Worker | undefined;
  try {
    worker = new Worker(new URL(import.meta.url), {
      workerData: { [WORKER_MARK]: true, port: port2, signal, epoch, job },
      transferList: [port2],
    });
  } catch {
    return undefined;
  }
  worker.unref();
  // An unheard 'error' event would end the CLI; a failed worker only means the paths are made here.
  worker.on("error", () => undefined);
  const state: { outcome?: string; waited: number } = { waited: 0 };
  const close = () => {
    port1.close();
    void worker.terminate();
  };
  const wait = (ms: number): boolean => {
    const until = performance.now() + ms;
    for (let stage = Atomics.load(signal, STAGE); stage !== ANSWERED; stage = Atomics.load(signal, STAGE)) {
      const left = until - performance.now();
      if (left <= 0) return false;
      Atomics.wait(signal, STAGE, stage, left);
    }
    return true;
  };
  return {
    get outcome() {
      return state.outcome;
    },
    get waited() {
      return state.waited;
    },
    close,
    wait,
    take(model, analysed) {
      const decline = (why: string): undefined => {
        state.outcome = why;
        close();
        return undefined;
      };
      const asked = performance.now();
      const waitFor = (ms: number): boolean => {
        const came = wait(ms);
        state.waited = performance.now() - asked;
        return came;
      };
      const stage = Atomics.load(signal, STAGE);
      if (options.patient) {
        if (!waitFor(PATIENT_MS)) return decline("the worker did not answer in time");
      } else if (stage === LOADING) return decline("the worker was still loading the model");
      else if (stage === ANALYSING) {
        // The paths cost about what the load did: a worker less than halfway through is no faster
        // than working them out here; one further on is waited for about as long as it should need.
        const load = Atomics.load(signal, LOAD_MS);
        const left = load - (Date.now() - epoch - Atomics.load(signal, ANALYSIS_BEGAN));
        if (left > load / 2) return decline("the worker had only begun its analysis");
        if (!waitFor(Math.max(250, 2 * left))) return decline("the worker had not finished its analysis");
      }
      const received = receiveMessageOnPort(port1);
      if (!received) return decline("the worker's answer was lost");
      const answer = received.message as Answer;
      if ("failed" in answer) return decline(answer.failed);
      if (answer.digest !== sourceDigest(model)) return decline("the model files changed during the run");
      try {
        const paths = decode(answer.paths, analysed);
        state.outcome = "";
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

function setStage(signal: Int32Array, stage: number): void {
  Atomics.store(signal, STAGE, stage);
  Atomics.notify(signal, STAGE);
}

function runWorker(port: MessagePort, signal: Int32Array, epoch: number, job: PathsJob): void {
  // The main thread has its own load, the rules and its collector's threads to run meanwhile, and
  // needs this answer only after them: this thread takes what CPU they leave. On Linux the priority
  // is the calling thread's alone (elsewhere it would be the whole process's).
  if (process.platform === "linux") {
    try {
      os.setPriority(10);
    } catch {
      // Not allowed: the same work at the same priority.
    }
  }
  try {
    const started = performance.now();
    const options: ModelOptions = {
      models: [...job.models],
      today: job.today,
      ...(job.root === undefined ? {} : { root: job.root }),
      ...(job.maxFileSize === undefined ? {} : { "max-file-size": job.maxFileSize }),
    };
    // One thread here: the main thread's load has the other core's parsing worker.
    const loaded = loadModels(SILENT, options, { workers: 0 });
    if (!("model" in loaded) || !loaded.ok) {
      port.postMessage({ failed: "the worker could not load the model" } satisfies Answer);
      return;
    }
    Atomics.store(signal, LOAD_MS, Math.ceil(performance.now() - started));
    Atomics.store(signal, ANALYSIS_BEGAN, Date.now() - epoch);
    setStage(signal, ANALYSING);
    const { paths, analysed } = pathsOfModel(loaded.model, job.paths);
    port.postMessage({ digest: sourceDigest(loaded.model), paths: encode(paths, analysed) } satisfies Answer);
  } catch (e) {
    // Posting may itself have failed: the answer is then this one.
    port.postMessage({ failed: `the worker failed: ${(e as Error).message ?? String(e)}` } satisfies Answer);
  } finally {
    setStage(signal, ANSWERED);
  }
}

const data = workerData as Record<string, unknown> | null;
if (!isMainThread && data?.[WORKER_MARK] === true) {
  runWorker(
    data["port"] as MessagePort,
    data["signal"] as Int32Array,
    data["epoch"] as number,
    data["job"] as PathsJob,
  );
}
