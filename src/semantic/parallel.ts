import {
  isMainThread,
  MessageChannel,
  receiveMessageOnPort,
  Worker,
  workerData,
  type MessagePort,
} from "node:worker_threads";
import type { Diagnostic, Location } from "../diagnostics/diagnostic.js";
import type { CompilerHost } from "../host.js";
import type { SourceFile } from "../source.js";
import { decodeSource } from "../syntax/decode.js";
import { NameTable } from "../syntax/fast-parse.js";
import { defaultCheck, type CheckedFile } from "./imports.js";
import type { FileUnit } from "./unit.js";
import { usableCores } from "../cores.js";

/*
 * Checking files on several threads. Parsing and the per-file checks (check-file.ts) of one file
 * never look at another file, and what they produce is compact (a unit is one byte array and a
 * string table), so they run in worker threads and only the units cross back. The main thread reads
 * the files through the compiler host (so the host stays the only window on the file system), hands
 * them out a few at a time, checks files itself while it waits, and binds the results to its own
 * SourceFile records in load order: the loader and every later stage see exactly what a serial load
 * gives (test/syntax/load-paths.test.ts compares the two).
 *
 * The loader is synchronous, so the main thread waits for a worker with Atomics.wait on a counter
 * the workers bump after each result, then reads the result with receiveMessageOnPort.
 *
 * The worker is this very module (the bundled CLI is one file: the worker loads it too and the
 * check below starts the worker loop).
 */

const WORKER_MARK = "aithreat-check-worker";

/** A file read and checked, before it has an id in the program. */
export interface PrefetchedFile {
  /** Text without a byte-order mark. */
  readonly text: string;
  /** Binds the unit and diagnostics to the file's record. */
  readonly bind: (file: SourceFile) => CheckedFile;
}

/** What the loader asks of a pool (imports.ts, LoadOptions.pool). */
export interface CheckPool {
  /** Starts reading and checking these files (absolute, symlink-resolved paths, in load order). */
  start(realPaths: readonly string[]): void;
  /**
   * The file read and checked, waiting for it if needed; undefined when the pool did not take it
   * (not started, or anything unusual: unreadable, too large, not UTF-8), and the loader's own path
   * reads it and reports.
   */
  take(realPath: string): PrefetchedFile | undefined;
  /** Stops the workers. */
  close(): void;
  /** Files checked by workers and by the main thread (for the benchmark). */
  readonly stats: { readonly workers: number; readonly byWorkers: number; readonly byMain: number };
}

/** Options of `createCheckPool`. */
export interface PoolOptions {
  readonly host: CompilerHost;
  /** Worker threads (default: available cores - 1). 0 checks everything on the calling thread. */
  readonly workers?: number;
  /** Largest file accepted, in bytes (larger files are left to the loader, which reports them). */
  readonly maxFileSize: number;
  /** Below this many bytes in all, no worker is started: starting one costs more than it saves. */
  readonly minBytes?: number;
  /**
   * How long the main thread, with nothing else to do, waits for a worker's answer before checking
   * the file itself (default: 250 ms, or a millisecond per kilobyte of the file if longer).
   */
  readonly tailWaitMs?: number;
}

/** Files posted to a worker and not yet answered: enough that it never idles while we read. */
const IN_FLIGHT = 4;
const DEFAULT_MIN_BYTES = 4 * 1024 * 1024;
/**
 * How long the main thread, with nothing else to do, waits for an answer before doing the work
 * itself: at least this, or a millisecond per kilobyte of the file.
 */
const TAIL_WAIT_MS = 250;

/** The default number of worker threads: one per core beyond the main thread's. */
export function defaultWorkers(): number {
  return Math.max(0, usableCores() - 1);
}

interface Job {
  readonly realPath: string;
  bytes: Uint8Array | undefined;
  size: number;
  /** 0 not started, 1 posted to a worker, 2 done, 3 left to the loader. */
  state: number;
  result: PrefetchedFile | undefined;
}

/** What a worker sends back for one file. */
interface WorkerResult {
  readonly job: number;
  readonly text?: string;
  readonly unit?: FileUnit;
  readonly diagnostics?: readonly Diagnostic[];
}

interface Lane {
  readonly worker: Worker;
  readonly port: MessagePort;
  /** How many jobs posted to this worker are not answered yet (each is answered once). */
  inFlight: number;
}

/** A pool of checking threads for one load. */
export function createCheckPool(options: PoolOptions): CheckPool {
  const host = options.host;
  const names = new NameTable();
  const checkHere = defaultCheck(names);
  const jobs: Job[] = [];
  const byPath = new Map<string, number>();
  const lanes: Lane[] = [];
  // [0]: results posted by all workers, bumped after each one.
  const signal = new Int32Array(new SharedArrayBuffer(4));
  let nextJob = 0;
  const stats = { workers: 0, byWorkers: 0, byMain: 0 };

  // Reads a job's bytes; anything unusual is left to the loader, which reads again and reports.
  const read = (job: Job): boolean => {
    const stat = host.stat(job.realPath);
    if ("error" in stat || stat.size > options.maxFileSize) {
      job.state = 3;
      return false;
    }
    const bytes = host.readFile(job.realPath);
    if ("error" in bytes) {
      job.state = 3;
      return false;
    }
    job.bytes = bytes;
    return true;
  };

  // Checks a job on this thread.
  const runHere = (job: Job): void => {
    if (!job.bytes && !read(job)) return;
    const decoded = decodeSource(0, "", job.bytes!);
    job.bytes = undefined;
    if (decoded.diagnostic) {
      job.state = 3;
      return;
    }
    const text = decoded.file.text;
    const checked = checkHere({ id: 0, path: "", text });
    stats.byMain++;
    job.state = 2;
    // Diagnostics point at the placeholder record; bound to the real one on `take`.
    job.result = {
      text,
      bind: (file) => ({ unit: checked.unit, diagnostics: rebind(checked.diagnostics, file) }),
    };
  };

  const post = (lane: Lane, index: number): void => {
    const job = jobs[index]!;
    if (!job.bytes && !read(job)) return;
    const bytes = job.bytes!;
    // The host's own buffer may be one it keeps (an in-memory host does), so it is never
    // transferred. When the bytes fill their buffer (a file read from disk), the message copies
    // them and this thread allocates nothing: V8 counts every new ArrayBuffer as external memory,
    // and each 64 MB of them starts a full collection of the main thread's (large) heap. A view into
    // a larger buffer (a pooled small Buffer) would copy all of that buffer: a copy of the view is
    // transferred instead (not `bytes.slice()`: on a Buffer that is a view of the same memory).
    if (bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength && !isShared(bytes))
      lane.port.postMessage({ job: index, bytes });
    else {
      const own = new Uint8Array(bytes);
      lane.port.postMessage({ job: index, bytes: own }, [own.buffer]);
    }
    job.bytes = undefined;
    job.state = 1;
    lane.inFlight++;
  };

  const receive = (message: WorkerResult): void => {
    const job = jobs[message.job]!;
    if (job.state !== 1) return; // checked here meanwhile
    if (message.text === undefined || !message.unit) {
      job.state = 3;
      return;
    }
    const { text, unit } = message;
    const diagnostics = message.diagnostics ?? [];
    stats.byWorkers++;
    job.state = 2;
    job.result = { text, bind: (file) => ({ unit, diagnostics: rebind(diagnostics, file) }) };
  };

  // The next file nobody has started (the loader may have taken one out of turn).
  const claim = (): number | undefined => {
    while (nextJob < jobs.length && jobs[nextJob]!.state !== 0) nextJob++;
    return nextJob < jobs.length ? nextJob++ : undefined;
  };

  // Collects every answer that has arrived, and keeps each worker supplied.
  const pump = (): void => {
    for (const lane of lanes) {
      for (let m = receiveMessageOnPort(lane.port); m; m = receiveMessageOnPort(lane.port)) {
        const message = m.message as WorkerResult;
        lane.inFlight--;
        receive(message);
      }
      while (lane.inFlight < IN_FLIGHT) {
        const index = claim();
        if (index === undefined) break;
        post(lane, index);
      }
    }
  };

  return {
    stats,
    start(realPaths) {
      let total = 0;
      for (const realPath of realPaths) {
        if (byPath.has(realPath)) continue;
        byPath.set(realPath, jobs.length);
        const stat = host.stat(realPath);
        const size = "error" in stat ? 0 : stat.size;
        total += size;
        jobs.push({ realPath, bytes: undefined, size, state: 0, result: undefined });
      }
      const count = Math.min(options.workers ?? defaultWorkers(), jobs.length - 1);
      if (count <= 0 || total < (options.minBytes ?? DEFAULT_MIN_BYTES)) return;
      for (let i = 0; i < count; i++) {
        const { port1, port2 } = new MessageChannel();
        const worker = new Worker(new URL(import.meta.url), {
          workerData: { [WORKER_MARK]: true, port: port2, signal },
          transferList: [port2],
        });
        worker.unref();
        // A dead worker cannot be heard while `take` blocks; `take` stops waiting for it after a bounded
        // wait and checks the file itself. An unheard 'error' event would crash the CLI later.
        worker.on("error", () => undefined);
        lanes.push({ worker, port: port1, inFlight: 0 });
      }
      stats.workers = lanes.length;
      pump();
    },
    take(realPath) {
      const index = byPath.get(realPath);
      if (index === undefined) return undefined;
      const job = jobs[index]!;
      for (;;) {
        const seen = Atomics.load(signal, 0);
        pump();
        if (job.state === 2 || job.state === 3) break;
        if (job.state === 0) {
          // Not handed out: check it here, now (it is what the loader needs next).
          runHere(job);
          continue;
        }
        // With a worker: check the next file nobody has started meanwhile, or wait for an answer.
        const other = claim();
        if (other !== undefined) runHere(jobs[other]!);
        // Nothing left to start: wait a little for the worker, then check the file here too (the
        // later answer is ignored). So the load always ends, even if a worker died (out of memory),
        // which a thread blocked here cannot be told.
        else if (
          Atomics.wait(signal, 0, seen, options.tailWaitMs ?? Math.max(TAIL_WAIT_MS, job.size / 1000)) ===
          "timed-out"
        )
          runHere(job);
      }
      const result = job.result;
      job.result = undefined;
      return result;
    },
    close() {
      for (const lane of lanes) {
        lane.port.close();
        void lane.worker.terminate();
      }
      lanes.length = 0;
    },
  };
}

/** Bytes in shared memory: a message would share them with the worker, not copy them. */
function isShared(bytes: Uint8Array): boolean {
  return typeof SharedArrayBuffer !== "undefined" && bytes.buffer instanceof SharedArrayBuffer;
}

/** The diagnostics of one file, moved onto its record (they are all located in it). */
function rebind(diagnostics: readonly Diagnostic[], file: SourceFile): Diagnostic[] {
  const move = (l: Location | undefined): Location | undefined => l && { file, start: l.start, end: l.end };
  return diagnostics.map((d) => {
    const out: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { ...d };
    if (d.location) out.location = move(d.location);
    if (d.notes) out.notes = d.notes.map((n) => (n.location ? { ...n, location: move(n.location) } : n));
    return out;
  });
}

/** Strips the file records from diagnostics before they cross threads (the text would be copied). */
function detach(diagnostics: readonly Diagnostic[]): Diagnostic[] {
  const strip = (l: Location | undefined) => l && ({ start: l.start, end: l.end } as Location);
  return diagnostics.map((d) => {
    const out: { -readonly [K in keyof Diagnostic]: Diagnostic[K] } = { ...d };
    if (d.location) out.location = strip(d.location);
    if (d.notes) out.notes = d.notes.map((n) => (n.location ? { ...n, location: strip(n.location) } : n));
    return out;
  });
}

/** The worker's loop: decode, parse and check each file it is given, and send the unit back. */
function runWorker(port: MessagePort, signal: Int32Array): void {
  const check = defaultCheck(new NameTable());
  port.on("message", (message: { job: number; bytes: Uint8Array }) => {
    let answer: WorkerResult = { job: message.job };
    try {
      const decoded = decodeSource(0, "", message.bytes);
      if (!decoded.diagnostic) {
        const text = decoded.file.text;
        const checked = check({ id: 0, path: "", text });
        answer = { job: message.job, text, unit: checked.unit, diagnostics: detach(checked.diagnostics) };
      }
    } catch {
      // A bug in the check: the file goes back to the main thread, which meets it again and reports
      // it as an internal error with its stack, as without threads.
    }
    const transfer = answer.unit ? [answer.unit.bytes.buffer as ArrayBuffer] : [];
    port.postMessage(answer, transfer);
    Atomics.add(signal, 0, 1);
    Atomics.notify(signal, 0);
  });
}

const data = workerData as Record<string, unknown> | null;
if (!isMainThread && data?.[WORKER_MARK] === true) {
  runWorker(data["port"] as MessagePort, data["signal"] as Int32Array);
}
