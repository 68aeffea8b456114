import fs from "node:fs";
import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { chunkBufferBytes, type ChunkTarget } from "../emit/text-sink.js";
import type { WriterData, WriterLayout } from "./writer.js";
import { usableCores } from "../cores.js";

/*
 * Output files written by a second thread (ADR 0013). The main thread produces each file's text and
 * encodes it (that needs its heap); the system calls that copy the bytes into files took about 1.4 s
 * of the 100k model's output side on the main thread, and here they run on the other core. Bytes
 * cross in a ring of buffers in shared memory, so nothing is copied twice and nothing is allocated
 * per chunk: the main thread encodes into a free slot and posts its number; the writer writes it and
 * frees it. When every slot is full the main thread waits for one. Messages are handled in order,
 * so the files are complete and closed once the writer has seen `end`.
 */

/** Slots in the ring; a slot holds one chunk of `eachChunk` at its default size. */
const SLOTS = 8;
const SLOT_BYTES = chunkBufferBytes();
// Shared state after the slot flags (1 while a slot waits to be written).
/** 0 until the writer runs, 1 once it does; 2 when the main thread gave up waiting for it. */
const STARTED = SLOTS;
/** 1 once `end` is handled. */
const ENDED = SLOTS + 1;
/** 1 once a write failed: nothing more is written. */
const FAILED = SLOTS + 2;
/** Messages handled so far: a writer that handles none for STALL_MS is taken to be dead. */
const PROGRESS = SLOTS + 3;
/** Buffers of their own (`own`) posted and not yet written. */
const OWNED = SLOTS + 4;
const STATE = SLOTS + 5;
/**
 * Own buffers that may wait at once: each is a piece longer than a slot (megabytes), and a writer
 * slower than the main thread would otherwise queue every one of them.
 */
const MAX_OWNED = 4;
/** A writer not running this long after its start never will (it starts in about 30 ms). */
const START_MS = 5000;
const STALL_MS = 120_000;

/** The layout of the shared state, as the writer reads it (writer.ts). */
const LAYOUT: WriterLayout = {
  started: STARTED,
  ended: ENDED,
  failed: FAILED,
  progress: PROGRESS,
  owned: OWNED,
};

/**
 * The writer's script: compiled beside this module (dist/src/cli/writer.js), which is also where the
 * bundled CLI (dist/aithreat.cjs or .mjs) finds it, under src/cli/. A file rather than code given as
 * a string: nothing in aithreat is evaluated from text.
 */
function writerScript(): URL | undefined {
  for (const rel of ["./writer.js", "./src/cli/writer.js"]) {
    const url = new URL(rel, import.meta.url);
    if (fs.existsSync(url)) return url;
  }
  return undefined;
}

/** Where output files go: `open`, the chunks (a `ChunkTarget`), `close`, a file at a time. */
export interface FileSink extends ChunkTarget {
  /** Starts a file (its folder exists); the chunks that follow are its bytes. */
  open(file: string): void;
  close(): void;
  /** True when `own` writes its bytes before it returns and keeps no reference to them. */
  readonly writesAtOnce?: boolean;
}

/** Files written by another thread; `finish` at the end. */
export interface WriteThread extends FileSink {
  /**
   * Waits until every file is written and closed, and stops the thread. Throws the first error a
   * write met (with its system code, as `fs` would), unless `quietly` (cleaning up after another error).
   */
  finish(quietly?: boolean): void;
}

/** An error as the writer reported it: the same message and code `fs` gives on this thread. */
class WriteError extends Error {
  constructor(
    message: string,
    readonly code: string | undefined,
  ) {
    super(message);
  }
}

const isSet = (flag: number): boolean => flag === 1;

/** The writer never ran: the caller writes the files on its own thread instead. */
export class WriterUnavailable extends Error {}

/** Test seams: another writer script (a file), shorter waits for it to start and between its steps. */
export interface WriteThreadOptions {
  readonly script?: string | URL;
  readonly startMs?: number;
  readonly stallMs?: number;
}

/** Starts the writer thread (undefined with one core, or when no thread can be started). */
export function startWriteThread(options: WriteThreadOptions = {}): WriteThread | undefined {
  if (usableCores() < 2) return undefined;
  const startMs = options.startMs ?? START_MS;
  const stallMs = options.stallMs ?? STALL_MS;
  const script = options.script ?? writerScript();
  if (script === undefined) return undefined;
  const memory = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  const state = new Int32Array(new SharedArrayBuffer(4 * STATE));
  const { port1, port2 } = new MessageChannel();
  const data: WriterData & { aithreatWriter: true } = {
    aithreatWriter: true,
    memory,
    state,
    port: port2,
    slotBytes: SLOT_BYTES,
    layout: LAYOUT,
  };
  let worker: Worker;
  try {
    worker = new Worker(script, { workerData: data, transferList: [port2] });
  } catch {
    return undefined;
  }
  worker.unref();
  // A writer that dies is found by the waits below; an unheard 'error' would end the CLI.
  worker.on("error", () => undefined);
  const created = performance.now();
  const view = Buffer.from(memory);
  let slot = 0;
  let ended = false;
  let failure: WriteError | undefined;
  /** The writer made no progress for `stallMs`: it is not waited for again. */
  let stalled = false;

  /** Throws the writer's error once it has one. */
  const check = () => {
    if (failure) throw failure;
    if (Atomics.load(state, FAILED) !== 1) return;
    const m = receiveMessageOnPort(port1)?.message as { code?: string; message: string } | undefined;
    failure = new WriteError(m?.message ?? "an output file could not be written", m?.code);
    throw failure;
  };

  /**
   * Waits while `busy(state[index])`: a slot being written, `end` not handled yet, or too many own
   * buffers waiting.
   */
  const waitWhile = (index: number, busy: (value: number) => boolean) => {
    let progress = Atomics.load(state, PROGRESS);
    let since = performance.now();
    for (let value = Atomics.load(state, index); busy(value); value = Atomics.load(state, index)) {
      Atomics.wait(state, index, value, 200);
      const now = performance.now();
      if (now - created > startMs && Atomics.compareExchange(state, STARTED, 0, 2) !== 1)
        throw new WriterUnavailable("the output writer thread did not start");
      const p = Atomics.load(state, PROGRESS);
      if (p !== progress) {
        progress = p;
        since = now;
      } else if (now - since > stallMs) {
        stalled = true;
        // Should the writer wake after all, it writes nothing more (its first check): the caller
        // removes the temporary folder, and no file may be opened in it afterwards.
        Atomics.store(state, FAILED, 1);
        throw new Error(
          `the output writer thread stopped: no write finished for ${Math.round(stallMs / 1000)} s`,
        );
      }
    }
  };

  return {
    open(file) {
      check();
      port1.postMessage({ open: file });
    },
    close: () => port1.postMessage({ close: true }),
    next(bytes) {
      if (bytes > SLOT_BYTES) throw new RangeError(`a chunk of ${bytes} bytes does not fit a slot`);
      waitWhile(slot, isSet);
      check();
      return view.subarray(slot * SLOT_BYTES, (slot + 1) * SLOT_BYTES);
    },
    ship(used) {
      Atomics.store(state, slot, 1);
      port1.postMessage({ slot, used });
      slot = (slot + 1) % SLOTS;
    },
    own(bytes) {
      waitWhile(OWNED, (waiting) => waiting >= MAX_OWNED);
      check();
      // Moved to the writer: a buffer of its own, never a pooled one (which may not be transferred).
      const mine = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const sent = mine ? bytes : new Uint8Array(bytes);
      port1.postMessage({ own: sent }, [sent.buffer as ArrayBuffer]);
      // Counted once posted: a post that throws leaves nothing for the writer to take off the count.
      Atomics.add(state, OWNED, 1);
    },
    finish(quietly = false) {
      if (ended) return;
      ended = true;
      try {
        port1.postMessage({ end: true });
        // A writer that has not run yet now never will: the files are the caller's to write.
        if (Atomics.compareExchange(state, STARTED, 0, 2) !== 1) {
          if (!quietly) throw new WriterUnavailable("the output writer thread did not start");
        } else if (!quietly) {
          waitWhile(ENDED, (ended) => ended === 0);
          check();
        } else if (!stalled) {
          // Cleaning up after another error: what was handed over is written or dropped first.
          try {
            waitWhile(ENDED, (ended) => ended === 0);
          } catch {
            // Stalled now: the caller's error is the one to report.
          }
        }
      } finally {
        port1.close();
        void worker.terminate();
      }
    },
  };
}
