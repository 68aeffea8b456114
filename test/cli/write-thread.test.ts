/**
 * Output files written by a second thread (src/cli/write-thread.ts): the same bytes as written on
 * the main thread, through a ring of shared buffers that wraps many times; a write that fails there
 * fails the atomic write with its system code, and an emitter that throws midway leaves nothing
 * behind; a writer that stops is given up on, and pieces in buffers of their own are not queued
 * without bound. Either way no temporary folder is left. Files made in groups (one emitter's each)
 * are written a group at a time, each before the next is made.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { OutputFile } from "../../src/emit/emitter.js";
import { writeEmittedAtomically, writeOutputsAtomically } from "../../src/cli/write-outputs.js";
import { folderContents as contents } from "../helpers/folders.js";

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-write-thread-"));
test.after(() => fs.rmSync(tmp, { recursive: true, force: true }));

const line = (i: number) => `{"line": ${i}, "text": "é→😀 ${"x".repeat(i % 97)}"}\n`;
const files: OutputFile[] = [
  // About 8 MB: far more than the ring's eight slots hold at once.
  {
    path: "big.jsonl",
    contents: "",
    produce: (put) => {
      for (let i = 0; i < 80_000; i++) put(line(i));
    },
  },
  // One piece longer than a slot, as its own buffer.
  { path: "one-piece.txt", contents: "", produce: (put) => put("ü".repeat(1 << 20)) },
  { path: "plain.md", contents: "# title\n\nnon-ASCII: ü\n" },
  { path: "empty.txt", contents: "" },
  // Small binary contents sit in Node's shared pool: sent as a copy (a pool may not be transferred).
  { path: "nested/deeper/image.bin", contents: Buffer.from([0, 1, 2, 255, 254]) },
];

test("a write thread writes the same bytes as the main thread", () => {
  writeOutputsAtomically(path.join(tmp, "here"), files);
  writeOutputsAtomically(path.join(tmp, "thread"), files, { thread: true });
  const here = contents(path.join(tmp, "here"));
  assert.is(here.length, files.length + 1, "every file and the marker");
  assert.equal(contents(path.join(tmp, "thread")), here);
  // Written again over its own output, as a second compile does.
  writeOutputsAtomically(path.join(tmp, "thread"), files, { thread: true });
  assert.equal(contents(path.join(tmp, "thread")), here);
});

test("bytes given as a view into a larger buffer are written as the view, and stay the caller's", () => {
  const whole = Uint8Array.from({ length: 64 }, (_, i) => i);
  const view = whole.subarray(10, 30);
  const before = Buffer.from(whole);
  for (const thread of [false, true]) {
    const out = path.join(tmp, `view-${thread}`);
    writeOutputsAtomically(out, [{ path: "view.bin", contents: view }], { thread });
    assert.equal([...fs.readFileSync(path.join(out, "view.bin"))], [...view]);
  }
  assert.equal(Buffer.from(whole), before);
});

const leftovers = () => fs.readdirSync(tmp).filter((f) => f.includes("aithreat-tmp"));

/** A writer script of this text, as a file (threads start from files, never from code in a string). */
let scripts = 0;
const scriptFile = (text: string): string => {
  const file = path.join(tmp, `writer-${scripts++}.mjs`);
  fs.writeFileSync(file, text);
  return file;
};

test("a writer thread that never starts: the files are written on the main thread", () => {
  // A writer that does nothing at all, and a short wait for it.
  const out = path.join(tmp, "never-started");
  writeOutputsAtomically(out, files, { thread: { script: scriptFile(""), startMs: 100 } });
  assert.equal(contents(out), contents(path.join(tmp, "here")));
  assert.equal(leftovers(), []);
});

test("a write that fails on the thread fails the run with its system code", () => {
  const out = path.join(tmp, "clash");
  // `a` is made a folder for `a/b.txt`, then opened as a file: EISDIR, on the writer's side.
  const clash: OutputFile[] = [
    { path: "a/b.txt", contents: "b" },
    { path: "a", contents: "a" },
  ];
  try {
    writeOutputsAtomically(out, clash, { thread: true });
    assert.unreachable("the write should fail");
  } catch (e) {
    assert.is((e as NodeJS.ErrnoException).code, "EISDIR");
  }
  assert.not.ok(fs.existsSync(out), "no output folder");
  assert.equal(leftovers(), []);
});

test("an emitter that throws midway leaves the previous output and no temporary folder", () => {
  const out = path.join(tmp, "kept");
  writeOutputsAtomically(out, files.slice(2), { thread: true });
  const before = contents(out);
  const broken: OutputFile[] = [
    files[0]!,
    {
      path: "broken.txt",
      contents: "",
      produce: (put) => {
        put("a start");
        throw new Error("emitter bug");
      },
    },
  ];
  assert.throws(() => writeOutputsAtomically(out, broken, { thread: true }), /emitter bug/);
  assert.equal(contents(out), before);
  assert.equal(leftovers(), []);
});

/** A writer script that starts, then handles messages as `handle` says (`free` as the real one does). */
const writerScript = (handle: string) =>
  scriptFile(`
import { workerData } from "node:worker_threads";
const { state, port, layout } = workerData;
const free = (m) => {
  if (m.slot !== undefined) { Atomics.store(state, m.slot, 0); Atomics.notify(state, m.slot); }
  Atomics.add(state, layout.progress, 1);
  if (m.end) { Atomics.store(state, layout.ended, 1); Atomics.notify(state, layout.ended); port.close(); }
};
Atomics.compareExchange(state, layout.started, 0, 1);
let handled = 0;
port.on("message", (m) => { handled++; ${handle} });
`);

test("a writer that stops midway fails the run with a clear error and keeps the previous output", () => {
  const out = path.join(tmp, "stopped");
  writeOutputsAtomically(out, files.slice(2));
  const before = contents(out);
  // Frees its first few slots, then nothing: the ring fills and the main thread waits in vain.
  const script = writerScript("if (handled <= 4) free(m);");
  assert.throws(
    () => writeOutputsAtomically(out, files, { thread: { script, stallMs: 300 } }),
    /output writer thread stopped/,
  );
  assert.equal(contents(out), before);
  assert.equal(leftovers(), []);
});

test("buffers of their own wait for the writer instead of piling up", () => {
  // A writer that never takes an own buffer off the count: the fifth must wait, and fails there.
  // (Queued without a bound, all six would be posted and the run would end as if written.)
  const script = writerScript("if (m.own === undefined) free(m);");
  const owned: OutputFile[] = Array.from({ length: 6 }, (_, i) => ({
    path: `bin-${i}.bin`,
    contents: Buffer.from([i]),
  }));
  assert.throws(
    () => writeOutputsAtomically(path.join(tmp, "owned"), owned, { thread: { script, stallMs: 300 } }),
    /output writer thread stopped/,
  );
  assert.equal(leftovers(), []);
  // The real writer takes them all.
  writeOutputsAtomically(path.join(tmp, "owned"), owned, { thread: true });
  assert.equal(fs.readFileSync(path.join(tmp, "owned", "bin-5.bin")), Buffer.from([5]));
});

/** `files` in groups of two, each group's making and each text file's writing told to `events`. */
function inGroups(events: string[]): () => Iterable<readonly OutputFile[]> {
  const told = (f: OutputFile): OutputFile => {
    const { contents: text, produce } = f;
    if (typeof text !== "string") return f;
    return {
      path: f.path,
      contents: "",
      produce: (put) => {
        events.push(`written ${f.path}`);
        if (produce) produce(put);
        else put(text);
      },
    };
  };
  return function* () {
    for (let g = 0; g < files.length; g += 2) {
      events.push(`made ${g / 2}`);
      yield files.slice(g, g + 2).map(told);
    }
  };
}

test("files made in groups: each group is written before the next is made, the same bytes", () => {
  writeOutputsAtomically(path.join(tmp, "whole"), files);
  for (const thread of [false, true]) {
    const events: string[] = [];
    const out = path.join(tmp, `groups-${thread}`);
    assert.is(writeEmittedAtomically(out, inGroups(events), { thread }), files.length);
    assert.equal(events, [
      "made 0",
      "written big.jsonl",
      "written one-piece.txt",
      "made 1",
      "written plain.md",
      "written empty.txt",
      "made 2",
    ]);
    assert.equal(contents(out), contents(path.join(tmp, "whole")));
  }
  assert.equal(leftovers(), []);
});

test("files made in groups, a writer thread that never starts: every group is made again here", () => {
  const out = path.join(tmp, "groups-never-started");
  let made = 0;
  const written = writeEmittedAtomically(
    out,
    function* () {
      made++;
      yield files.slice(0, 2);
      yield files.slice(2);
    },
    { thread: { script: scriptFile(""), startMs: 100 } },
  );
  assert.is(written, files.length);
  assert.is(made, 2, "once for the thread, once on this thread");
  assert.equal(contents(out), contents(path.join(tmp, "here")));
  assert.equal(leftovers(), []);
});

test("files made in groups: an emitter that throws between groups leaves the previous output", () => {
  const out = path.join(tmp, "groups-kept");
  writeOutputsAtomically(out, files.slice(2));
  const before = contents(out);
  for (const thread of [false, true]) {
    assert.throws(
      () =>
        writeEmittedAtomically(
          out,
          function* () {
            yield files.slice(0, 2);
            throw new Error("emitter bug");
          },
          { thread },
        ),
      /emitter bug/,
    );
    assert.equal(contents(out), before);
  }
  assert.equal(leftovers(), []);
});

test("a run that fails makes no folder: the folders above a new output are removed again", () => {
  const above = path.join(tmp, "made-above");
  for (const thread of [false, true]) {
    assert.throws(
      () =>
        writeEmittedAtomically(
          path.join(above, "deeper", "out"),
          function* () {
            yield files.slice(0, 2);
            throw new Error("template broken");
          },
          { thread },
        ),
      /template broken/,
    );
    assert.not.ok(fs.existsSync(above), `thread ${thread}: no folder above the output`);
  }
  // A folder that was there before stays (empty, as it was).
  fs.mkdirSync(above);
  assert.throws(() =>
    writeEmittedAtomically(path.join(above, "deeper", "out"), function* () {
      throw new Error("template broken");
    }),
  );
  assert.equal(fs.readdirSync(above), []);
  assert.equal(leftovers(), []);
});

test.run();
