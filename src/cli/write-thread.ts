import { MessageChannel, receiveMessageOnPort, Worker } from "node:worker_threads";
import { CHUNK_BUFFER_BYTES, type ChunkTarget } from "../emit/text-sink.js";

/*
 * Output files written by a second thread. The main thread produces each file's text and encodes it
 * (that needs its heap); the system calls that copy the bytes into files then take as long again on
 * a large compile (about 1.4 s of the 100k model's 1.76 GB), and here they run on the other core.
 * Bytes cross in a ring of buffers in shared memory, so nothing is copied twice and nothing is
 * allocated per chunk: the main thread encodes into a free slot and posts its number; the writer
 * writes it and frees it. When every slot is full the main thread waits for one. Messages are
 * handled in order, so the files are complete and closed once the writer has seen `end`.
 */

/** Slots in the ring; a slot holds one chunk of `eachChunk` at its default size. */
const SLOTS = 8;
const SLOT_BYTES = CHUNK_BUFFER_BYTES;
/** With no slot freed for this long, the writer is taken to be dead (it never blocks on anything else). */
const STALL_MS = 120_000;

/** The writer: plain CommonJS, evaluated as it is (it needs none of the bundle). */
const WRITER = `
const fs = require("node:fs");
const { workerData } = require("node:worker_threads");
const { memory, state, port, slots, slotBytes } = workerData;
const bytes = Buffer.from(memory);
let fd = -1;
let failed = false;
const writeAll = (buffer, start, length) => {
  let done = 0;
  while (done < length) done += fs.writeSync(fd, buffer, start + done, length - done);
};
port.on("message", (m) => {
  try {
    if (failed) return;
    if (m.open !== undefined) fd = fs.openSync(m.open, "w");
    else if (m.slot !== undefined) writeAll(bytes, m.slot * slotBytes, m.used);
    else if (m.own !== undefined) writeAll(m.own, 0, m.own.length);
    else if (m.close) {
      const closing = fd;
      fd = -1;
      fs.closeSync(closing);
    }
  } catch (e) {
    failed = true;
    if (fd >= 0) try { fs.closeSync(fd); } catch {}
    fd = -1;
    port.postMessage({ code: e.code, message: e.message });
  } finally {
    if (m.slot !== undefined) {
      Atomics.store(state, m.slot, 0);
      Atomics.notify(state, m.slot);
    }
    if (m.end) {
      Atomics.store(state, slots, 1);
      Atomics.notify(state, slots);
      port.close();
    }
  }
});
`;

/** Files written by another thread: `open`, the chunks (a `ChunkTarget`), `close`; `finish` at the end. */
export interface WriteThread extends ChunkTarget {
  /** Starts a file (its folder exists); the chunks that follow are its bytes. */
  open(file: string): void;
  close(): void;
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

/** Starts the writer thread (undefined when no thread can be started: write on this one then). */
export function startWriteThread(): WriteThread | undefined {
  const memory = new SharedArrayBuffer(SLOTS * SLOT_BYTES);
  // [0, SLOTS): 1 while the slot waits to be written; [SLOTS]: 1 once `end` is handled.
  const state = new Int32Array(new SharedArrayBuffer(4 * (SLOTS + 1)));
  const { port1, port2 } = new MessageChannel();
  let worker: Worker;
  try {
    worker = new Worker(WRITER, {
      eval: true,
      workerData: { memory, state, port: port2, slots: SLOTS, slotBytes: SLOT_BYTES },
      transferList: [port2],
    });
  } catch {
    return undefined;
  }
  worker.unref();
  // A dead writer is found by `finish` (or a wait for a slot) timing out; an unheard 'error' would end the CLI.
  worker.on("error", () => undefined);
  const view = Buffer.from(memory);
  let slot = 0;
  let ended = false;

  /** Waits while `state[index]` is `busy`: a slot being written, or `end` not handled yet. */
  const waitWhile = (index: number, busy: number) => {
    let since = performance.now();
    while (Atomics.load(state, index) === busy) {
      if (Atomics.wait(state, index, busy, 1000) !== "timed-out") since = performance.now();
      else if (performance.now() - since > STALL_MS) throw new Error("the output writer thread stopped");
    }
  };

  return {
    open: (file) => port1.postMessage({ open: file }),
    close: () => port1.postMessage({ close: true }),
    next(bytes) {
      if (bytes > SLOT_BYTES) throw new RangeError(`a chunk of ${bytes} bytes does not fit a slot`);
      waitWhile(slot, 1);
      return view.subarray(slot * SLOT_BYTES, (slot + 1) * SLOT_BYTES);
    },
    ship(used) {
      Atomics.store(state, slot, 1);
      port1.postMessage({ slot, used });
      slot = (slot + 1) % SLOTS;
    },
    own(bytes) {
      // Its own buffer (never a pooled one: chunks this long are not pooled) moves to the writer.
      const own = bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;
      const sent = own ? bytes : Buffer.from(bytes);
      port1.postMessage({ own: sent }, [sent.buffer as ArrayBuffer]);
    },
    finish(quietly = false) {
      if (ended) return;
      ended = true;
      try {
        port1.postMessage({ end: true });
        waitWhile(SLOTS, 0);
        const failure = receiveMessageOnPort(port1)?.message as
          { code?: string; message: string } | undefined;
        if (failure && !quietly) throw new WriteError(failure.message, failure.code);
      } finally {
        port1.close();
        void worker.terminate();
      }
    },
  };
}
