/**
 * The output writer thread's script (write-thread.ts starts it). It imports nothing of aithreat, so
 * the thread starts in a few tens of milliseconds instead of loading the whole CLI; write-thread.ts
 * sends it the file to open, then the bytes (a slot of the shared ring, or a buffer of its own), then
 * `close`, file by file, and `end` once. Shared state is an Int32Array whose layout write-thread.ts
 * defines and passes in (`layout`), so the two cannot disagree.
 */
import fs from "node:fs";
import { workerData, type MessagePort } from "node:worker_threads";

/** Indices into the shared state after the slot flags (see write-thread.ts). */
export interface WriterLayout {
  readonly started: number;
  readonly ended: number;
  readonly failed: number;
  readonly progress: number;
  readonly owned: number;
}

/** What the thread is given. */
export interface WriterData {
  readonly memory: SharedArrayBuffer;
  readonly state: Int32Array;
  readonly port: MessagePort;
  readonly slotBytes: number;
  readonly layout: WriterLayout;
}

/** One message from the main thread. */
export type WriterMessage =
  | { readonly open: string }
  | { readonly slot: number; readonly used: number }
  | { readonly own: Uint8Array }
  | { readonly close: true }
  | { readonly end: true };

function runWriter({ memory, state, port, slotBytes, layout }: WriterData): void {
  const bytes = new Uint8Array(memory);
  let fd = -1;
  const closeFile = () => {
    const closing = fd;
    fd = -1;
    if (closing >= 0) fs.closeSync(closing);
  };
  const writeAll = (buffer: Uint8Array, start: number, length: number) => {
    let done = 0;
    while (done < length) done += fs.writeSync(fd, buffer, start + done, length - done);
  };
  // The main thread may have given up on this thread (2): then it writes everything itself.
  if (Atomics.compareExchange(state, layout.started, 0, 1) !== 0) {
    port.close();
    return;
  }
  port.on("message", (m: WriterMessage) => {
    try {
      if (Atomics.load(state, layout.failed) === 1) return;
      if ("open" in m) fd = fs.openSync(m.open, "w");
      else if ("slot" in m) writeAll(bytes, m.slot * slotBytes, m.used);
      else if ("own" in m) writeAll(m.own, 0, m.own.length);
      else if ("close" in m) closeFile();
    } catch (e) {
      try {
        closeFile();
      } catch {
        // The write's own error is the one to report.
      }
      const error = e as NodeJS.ErrnoException;
      port.postMessage({ code: error.code, message: error.message });
      Atomics.store(state, layout.failed, 1);
    } finally {
      if ("slot" in m) {
        Atomics.store(state, m.slot, 0);
        Atomics.notify(state, m.slot);
      }
      if ("own" in m) {
        Atomics.sub(state, layout.owned, 1);
        Atomics.notify(state, layout.owned);
      }
      Atomics.add(state, layout.progress, 1);
      if ("end" in m) {
        try {
          closeFile();
        } catch {
          // Nothing is left to report it to.
        }
        Atomics.store(state, layout.ended, 1);
        Atomics.notify(state, layout.ended);
        port.close();
      }
    }
  });
}

// Only as the writer thread (write-thread.ts marks its data); imported anywhere else, it does nothing.
const data = workerData as (WriterData & { readonly aithreatWriter?: true }) | null;
if (data?.aithreatWriter === true) runWriter(data);
