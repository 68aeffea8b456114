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

/**
 * Runs `produce` and hands its text on as UTF-8 chunks of about `maxText` bytes each (a longer piece
 * may make one longer chunk). Pieces are appended to one string, encoded into one reused buffer every
 * `maxText / 4` characters: twice as fast as joining an array of pieces and encoding each join into
 * a new buffer, and a string built with `+=` is flattened once, by the encoding. The chunk is a view
 * of that buffer: valid only until `chunk` returns.
 */
export function eachChunk(
  produce: (put: (piece: string) => void) => void,
  chunk: (bytes: Buffer) => void,
  maxText: number = WRITE_CHUNK,
): void {
  const batch = Math.max(1, maxText >> 2);
  // Room for a full chunk and one batch of any UTF-8 (at most 3 bytes per UTF-16 unit).
  const buffer = Buffer.allocUnsafe(maxText + 3 * batch);
  let used = 0;
  const flush = () => {
    if (used > 0) chunk(buffer.subarray(0, used));
    used = 0;
  };
  const encode = (text: string) => {
    if (used + 3 * text.length > buffer.length) flush();
    if (3 * text.length > buffer.length) chunk(Buffer.from(text, "utf8"));
    else used += buffer.write(text, used);
    if (used >= maxText) flush();
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
