import type { OutputFile } from "./emitter.js";

/**
 * Longest output kept as a string (produced files are written in WRITE_CHUNK pieces instead); a
 * longer one becomes UTF-8 bytes as it is produced. V8 strings
 * stop at 2^29 - 24 characters, and findings.json of a 100k-component model is hundreds of megabytes;
 * well below that, text kept as strings until the end survives young-generation collections and is
 * copied by each (at 10k components that was a second of the output side), while bytes sit off the
 * heap where the collector does not trace them.
 */
export const MAX_TEXT = 1 << 20;

/**
 * Collects an output's text piece by piece: as strings while it is at most `maxText` long (joined
 * once at the end), and past that as UTF-8 chunks of about `maxText` characters each, encoded as soon
 * as they fill, so a large output neither overflows V8's string limit nor stays on the heap.
 */
export class TextSink {
  private readonly parts: string[] = [];
  private readonly bytes: Buffer[] = [];
  private pending = 0;
  constructor(private readonly maxText: number = MAX_TEXT) {}

  add(s: string): void {
    this.parts.push(s);
    this.pending += s.length;
    if (this.pending > this.maxText) this.flush();
  }

  /** The whole text: a string when it is at most `maxText` long, else its UTF-8 bytes. */
  result(): string | Uint8Array {
    if (this.bytes.length === 0) return this.parts.join("");
    this.flush();
    return this.bytes.length === 1 ? this.bytes[0]! : Buffer.concat(this.bytes);
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.bytes.push(Buffer.from(this.parts.join(""), "utf8"));
    this.parts.length = 0;
    this.pending = 0;
  }
}

/**
 * An output file whose text `produce` writes piece by piece when the file is written (see
 * `OutputFile.produce`); `contents` runs it into a `TextSink` only when something reads it.
 */
export function producedFile(path: string, produce: (put: (piece: string) => void) => void): OutputFile {
  let text: string | Uint8Array | undefined;
  return {
    path,
    produce,
    get contents() {
      if (text === undefined) {
        const sink = new TextSink();
        produce((piece) => sink.add(piece));
        text = sink.result();
      }
      return text;
    },
  };
}

/**
 * Characters per chunk a produced file is written in. Small, so the pieces waiting to be encoded are
 * few when a young-generation collection comes: at 100k components pieces that survived two of them
 * were promoted by the megabyte, and the old generation (the whole analysis) was then marked again
 * every few seconds.
 */
const WRITE_CHUNK = 1 << 18;

/** Where `eachChunk` puts its bytes: buffers it encodes into and hands back filled. */
export interface ChunkTarget {
  /** A buffer of at least `bytes` bytes to encode the next chunk into. */
  next(bytes: number): Buffer;
  /** The first `used` bytes of the buffer `next` gave last are a chunk; that buffer is the target's again. */
  ship(used: number): void;
  /** A chunk in a buffer of its own (bytes given whole, not encoded here): the target may keep it. */
  own(bytes: Buffer): void;
}

/** A target that hands each chunk to `chunk` as a view of one reused buffer. */
export function reusing(chunk: (bytes: Buffer) => void): ChunkTarget {
  let buffer: Buffer | undefined;
  return {
    next: (bytes) => (buffer && buffer.length >= bytes ? buffer : (buffer = Buffer.allocUnsafe(bytes))),
    ship: (used) => chunk(buffer!.subarray(0, used)),
    own: chunk,
  };
}

/**
 * Runs `produce` and hands its text on as UTF-8 chunks of about `maxText` bytes each (a longer piece
 * may make one longer chunk). Pieces are appended to one string, encoded into the target's buffer
 * every `maxText / 4` characters: twice as fast as joining an array of pieces and encoding each join
 * into a new buffer, and a string built with `+=` is flattened once, by the encoding. Given a
 * function, each chunk is a view of one reused buffer: valid only until the function returns.
 */
export function eachChunk(
  produce: (put: (piece: string) => void) => void,
  out: ((bytes: Buffer) => void) | ChunkTarget,
  maxText: number = WRITE_CHUNK,
): void {
  const target = typeof out === "function" ? reusing(out) : out;
  const batch = batchOf(maxText);
  const size = chunkBufferBytes(maxText);
  let buffer: Buffer | undefined;
  let used = 0;
  const flush = () => {
    if (used > 0) target.ship(used);
    buffer = undefined;
    used = 0;
  };
  const encodeBatch = (text: string) => {
    if (used + 3 * text.length > size) flush();
    buffer ??= target.next(size);
    used += buffer.write(text, used);
    if (used >= maxText) flush();
  };
  // A text longer than a buffer holds (one long piece: a rendered report, a JSON envelope) is
  // encoded a batch at a time into the same buffers. A buffer of its own was external memory, and
  // each 64 MB of that starts a full collection: three of them, 6 s each, while the 1M-component
  // compile wrote.
  const encode = (text: string) => {
    if (3 * text.length <= size) {
      if (text.length > 0) encodeBatch(text);
      return;
    }
    for (let at = 0; at < text.length;) {
      let end = Math.min(text.length, at + batch);
      // Never between the halves of a surrogate pair: each alone would be written as U+FFFD.
      if (end < text.length && isHighSurrogate(text.charCodeAt(end - 1))) end += end - 1 > at ? -1 : 1;
      encodeBatch(text.slice(at, end));
      at = end;
    }
  };
  let text = "";
  produce((piece) => {
    text += piece;
    if (text.length >= batch) {
      encode(text);
      text = "";
    }
  });
  encode(text);
  flush();
}

/** Characters `eachChunk` gathers before it encodes them. */
const batchOf = (maxText: number): number => Math.max(1, maxText >> 2);

/**
 * The buffer `eachChunk` asks a target for: room for a full chunk and one batch of any UTF-8 (at
 * most 3 bytes per UTF-16 unit), plus one unit (a batch may end on a whole surrogate pair).
 */
export const chunkBufferBytes = (maxText: number = WRITE_CHUNK): number =>
  maxText + 3 * (batchOf(maxText) + 1);

const isHighSurrogate = (code: number): boolean => code >= 0xd800 && code <= 0xdbff;
