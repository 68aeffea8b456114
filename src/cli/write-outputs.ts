import { createHash } from "node:crypto";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import type { OutputFile } from "../emit/emitter.js";
import { eachChunk, reusing } from "../emit/text-sink.js";
import {
  startWriteThread,
  WriterUnavailable,
  type FileSink,
  type WriteThreadOptions,
} from "./write-thread.js";

/** Written into every output folder: only a folder holding it (or an empty one) is ever replaced. */
export const OUTPUT_MARKER = ".aithreat-output";
const MARKER_TEXT = "This folder is written by aithreat and replaced as a whole by its next run.\n";

/**
 * Why the folder `outDir` may not be replaced, or undefined when it may (absent, empty, or ours).
 * Commands ask before they analyse, so a refused `--out` costs no analysis; the atomic write asks
 * again, in case the folder changed meanwhile.
 */
export function outputFolderRefusal(outDir: string): string | undefined {
  const target = outputTarget(outDir);
  const link = linkTarget(target);
  if (link !== undefined) return `it is a symbolic link to \`${link}\`, which does not exist`;
  let stat: fs.Stats;
  try {
    stat = fs.statSync(target);
  } catch (e) {
    // Not there yet, so it may be made, unless a file stands in its path: then making it would
    // fail only after the analysis, with Node's message.
    if ((e as NodeJS.ErrnoException).code === "ENOTDIR")
      return "a file stands in its path, where a folder should be";
    return undefined;
  }
  if (!stat.isDirectory()) return "it is a file, not a folder";
  if (fs.readdirSync(target).length === 0 || fs.existsSync(path.join(target, OUTPUT_MARKER)))
    return undefined;
  return `it holds files aithreat did not write (no \`${OUTPUT_MARKER}\` in it), and the output folder is replaced as a whole: choose a new or empty folder`;
}

/**
 * The folder an `--out` names, through a symbolic link: the link's target is what is replaced, and
 * the link stays. The swap renamed a new folder over the link itself, so `out -> reports` became a
 * plain folder `out` and `reports` kept the previous run's files.
 */
function outputTarget(outDir: string): string {
  const target = path.resolve(outDir);
  try {
    return fs.lstatSync(target).isSymbolicLink() ? fs.realpathSync(target) : target;
  } catch {
    // Absent, or a link that leads nowhere (`linkTarget` says so).
    return target;
  }
}

/** Where `p` links to when it is a symbolic link that leads nowhere, else undefined. */
function linkTarget(p: string): string | undefined {
  try {
    if (!fs.lstatSync(p).isSymbolicLink()) return undefined;
    fs.statSync(p);
    return undefined;
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== "ENOENT") return undefined;
    try {
      return fs.readlinkSync(p);
    } catch {
      return undefined;
    }
  }
}

/** The diagnostic of an output folder that cannot be written: the command line or the machine is at fault. */
export function cannotWriteOut(outDir: string, why: string): Diagnostic {
  return diag("AT9002", undefined, `cannot write \`--out ${outDir}\`: ${why}`);
}

/** Signals that end a run: Ctrl-C, `kill`, a closed terminal. */
const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;
let holdingSignals = false;

/**
 * From the first output folder written on, a stop signal ends the process only once the folder is
 * whole again. Writing is synchronous, so a listener runs only after the swap and the removal of the
 * previous folder are done; it then ends the process by the same signal (so the exit status still
 * says so). Without it the default action killed the process mid-write and left the temporary folder
 * (or a previous one half removed) beside the output. Interrupted before the writing began, the run
 * still ends at once; a SIGKILL still leaves the temporary folder.
 */
function holdStopSignals(): void {
  if (holdingSignals) return;
  holdingSignals = true;
  const stop = (signal: NodeJS.Signals) => {
    for (const s of STOP_SIGNALS) process.removeListener(s, stop);
    holdingSignals = false;
    process.kill(process.pid, signal);
  };
  for (const s of STOP_SIGNALS) process.on(s, stop);
}

/** A refusal to replace a folder, with a system-style code so the CLI reports it as a usage error. */
class NotOurs extends Error {
  readonly code = "EAITHREAT_NOT_OURS";
}

/**
 * Lets `fill` write into a fresh temporary folder beside `outDir`, then swaps it into place: the
 * previous folder is moved aside, the new one renamed over it, the old one removed. A run that fails
 * before the swap leaves the previous output untouched (and no folder it made above it); nothing
 * half-written is ever visible. The previous folder is replaced only when aithreat wrote it (its
 * marker file) or it is empty, so `--out .` or a folder of models can never be wiped.
 */
export function writeFolderAtomically<T>(outDir: string, fill: (temp: string) => T): T {
  const target = outputTarget(outDir);
  const refused = outputFolderRefusal(target);
  if (refused) throw new NotOurs(refused);
  const parent = path.dirname(target);
  const made = fs.mkdirSync(parent, { recursive: true });
  const stamp = `${HOST_TAG}-${process.pid}-${Math.random().toString(36).slice(2, 10)}`;
  const temp = path.join(parent, `.${path.basename(target)}.aithreat-tmp-${stamp}`);
  holdStopSignals();
  try {
    const result = writeInto(target, parent, temp, stamp, fill);
    // Only once the new output is in place: a run killed between its two renames left the previous
    // output moved aside as the only copy, which a run that then failed must not have removed.
    removeLeftovers(parent, path.basename(target));
    return result;
  } catch (e) {
    // A failed run leaves nothing, not even the folders it made above `--out`: `compile` makes its
    // files inside `fill`, so a broken template fails here, as a full disk does.
    if (made !== undefined) removeEmptyFolders(parent, made);
    throw e;
  } finally {
    // Two more turns of the event loop after this synchronous write, in which a signal that came
    // meanwhile reaches its listener: a process with nothing left to do exited without reading it
    // (one turn was not always enough for the signal watcher started during the write).
    setImmediate(() => setImmediate(() => undefined));
  }
}

/** Removes `dir` and the folders above it up to `top` (a folder above it or itself) while they are empty. */
function removeEmptyFolders(dir: string, top: string): void {
  for (let d = dir; d.length >= top.length; d = path.dirname(d)) {
    try {
      fs.rmdirSync(d);
    } catch {
      // Not empty (something else was written there meanwhile) or gone: it stays as it is.
      return;
    }
    if (d === top) return;
  }
}

/**
 * How long a leftover must have gone untouched (the newest change of anything in it) before it is
 * removed: a run of this machine whose process no longer runs, or, since a process id means nothing
 * elsewhere, a run of another machine (a shared drive) or of an aithreat before the names carried
 * the machine. The short wait also covers two machines that share a host name (containers on the
 * host's network) but not their process ids: a run still writing touches its folder.
 */
export const LEFTOVER_AGE_MS = { here: 2 * 60 * 1000, elsewhere: 24 * 60 * 60 * 1000 } as const;
const LEFTOVER = /^\.(.+)\.aithreat-(?:tmp|old)-(?:([0-9a-f]{8})-)?(\d+)-[a-z0-9]+$/;

/** This machine, in the names of the folders a run writes beside its output (8 hex digits). */
export const HOST_TAG = createHash("sha256").update(os.hostname()).digest("hex").slice(0, 8);

/**
 * Removes what earlier runs into the same `--out` left beside it when they were killed (SIGKILL,
 * the OOM killer, a CI timeout: no handler runs): their temporary folder, or the previous output
 * moved aside. Only folders named for this output that hold aithreat's marker (or nothing yet),
 * untouched for `LEFTOVER_AGE_MS` and, when this machine wrote them, by a process that no longer runs.
 */
function removeLeftovers(parent: string, base: string): void {
  let names: string[];
  try {
    names = fs.readdirSync(parent);
  } catch {
    return;
  }
  const now = Date.now();
  for (const name of names) {
    const m = LEFTOVER.exec(name);
    if (!m || m[1] !== base) continue;
    const here = m[2] === HOST_TAG;
    if (here && processRuns(Number(m[3]))) continue;
    const dir = path.join(parent, name);
    try {
      if (!fs.lstatSync(dir).isDirectory()) continue;
      const inside = fs.readdirSync(dir);
      if (inside.length > 0 && !inside.includes(OUTPUT_MARKER)) continue;
      if (now - newestChange(dir) < LEFTOVER_AGE_MS[here ? "here" : "elsewhere"]) continue;
      fs.rmSync(dir, { recursive: true, force: true });
    } catch {
      // Gone meanwhile, or not ours to remove: the run goes on as it would have without the sweep.
    }
  }
}

/** The newest modification time of a folder and everything in it (links not followed). */
function newestChange(dir: string): number {
  let newest = fs.lstatSync(dir).mtimeMs;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, entry.name);
    newest = Math.max(newest, entry.isDirectory() ? newestChange(p) : fs.lstatSync(p).mtimeMs);
  }
  return newest;
}

/** Whether a process with this id runs on this machine (one we may not signal runs too). */
function processRuns(pid: number): boolean {
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === "EPERM";
  }
}

function writeInto<T>(
  target: string,
  parent: string,
  temp: string,
  stamp: string,
  fill: (temp: string) => T,
): T {
  fs.mkdirSync(temp);
  try {
    fs.writeFileSync(path.join(temp, OUTPUT_MARKER), MARKER_TEXT);
    const result = fill(temp);
    const old = path.join(parent, `.${path.basename(target)}.aithreat-old-${stamp}`);
    const hadOld = fs.existsSync(target);
    if (hadOld) fs.renameSync(target, old);
    try {
      fs.renameSync(temp, target);
    } catch (e) {
      if (hadOld) fs.renameSync(old, target);
      throw e;
    }
    if (hadOld) fs.rmSync(old, { recursive: true, force: true });
    return result;
  } catch (e) {
    fs.rmSync(temp, { recursive: true, force: true });
    throw e;
  }
}

/** `rel` inside `dir`, or an error when an emitter produced a path that could leave it. */
export function safeJoin(dir: string, rel: string, producer: string): string {
  if (rel.includes("..") || path.isAbsolute(rel))
    throw new Error(`${producer} produced an unsafe path: ${rel}`);
  return path.join(dir, rel);
}

/**
 * Writes every output file with `writeFolderAtomically`; with `thread`, the bytes are written by a
 * second thread (write-thread.ts) while this one produces the next.
 */
export function writeOutputsAtomically(
  outDir: string,
  files: readonly OutputFile[],
  options: { readonly thread?: boolean | WriteThreadOptions } = {},
): void {
  writeEmittedAtomically(outDir, () => [files], options);
}

/**
 * As `writeOutputsAtomically`, for files that come in groups as they are made (`emitted`: one
 * emitter's files a group), each group written before the next is made. Only one emitter's data is
 * then alive at a time (at 100k and 300k, all of it held until the writing was the peak; at 1M the
 * order of the groups matters too: `writeOrder`, bench/README.md stop 37). `emitted` is called again, and every group made again, when the
 * write thread never ran and the files are written on this thread instead. Returns how many files
 * were written.
 */
export function writeEmittedAtomically(
  outDir: string,
  emitted: () => Iterable<readonly OutputFile[]>,
  options: { readonly thread?: boolean | WriteThreadOptions } = {},
): number {
  const writeAll = (temp: string, sink: FileSink = directSink()): number => {
    let written = 0;
    for (const files of emitted()) {
      writeFiles(temp, files, sink);
      written += files.length;
    }
    return written;
  };
  return writeFolderAtomically(outDir, (temp) => {
    const thread = options.thread;
    const writer = thread ? startWriteThread(thread === true ? {} : thread) : undefined;
    if (!writer) return writeAll(temp);
    try {
      const written = writeAll(temp, writer);
      writer.finish();
      return written;
    } catch (e) {
      // Everything handed over is written (or dropped) before anything else touches the folder.
      writer.finish(true);
      if (!(e instanceof WriterUnavailable)) throw e;
      // The thread never ran: every file again, on this thread (each is truncated when opened).
      return writeAll(temp);
    }
  });
}

/** Output files written on this thread, each chunk as it comes, from one reused buffer. */
function directSink(): FileSink {
  let fd = -1;
  const writeAll = (bytes: Uint8Array) => {
    let done = 0;
    while (done < bytes.length) done += fs.writeSync(fd, bytes, done, bytes.length - done);
  };
  return {
    ...reusing(writeAll),
    writesAtOnce: true,
    open(file) {
      fd = fs.openSync(file, "w");
    },
    close() {
      const closing = fd;
      fd = -1;
      if (closing >= 0) fs.closeSync(closing);
    },
  };
}

/**
 * Writes output files into `dir`, here or through a write thread. A produced file is encoded as it
 * is produced, about a quarter megabyte at a time (`eachChunk`), so neither its text nor its bytes
 * are ever held whole.
 */
export function writeFiles(dir: string, files: readonly OutputFile[], sink: FileSink = directSink()): void {
  for (const f of files) {
    const file = safeJoin(dir, f.path, "emitter");
    fs.mkdirSync(path.dirname(file), { recursive: true });
    sink.open(file);
    try {
      if (f.produce) eachChunk(f.produce, sink);
      else {
        const contents = f.contents;
        if (typeof contents === "string") eachChunk((put) => put(contents), sink);
        // A sink that writes at once reads the caller's bytes in place (report.html: about 5 MB with
        // Mermaid's build, at the compile's peak); one that may keep them (a thread takes them over)
        // gets a copy, and the contents stay the caller's.
        else
          sink.own(
            sink.writesAtOnce
              ? Buffer.from(contents.buffer, contents.byteOffset, contents.byteLength)
              : Buffer.from(contents),
          );
      }
    } finally {
      sink.close();
    }
  }
}
