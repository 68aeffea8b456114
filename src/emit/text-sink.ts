import type { OutputFile } from "./emitter.js";

/**
 * Longest output kept as a string; a longer one becomes UTF-8 bytes as it is produced. V8 strings
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

  /**
   * The text as an output file: a string when short, else its UTF-8 chunks, joined into `contents`
   * only if something reads it (writing the file does not).
   */
  file(path: string): OutputFile {
    if (this.bytes.length === 0) return { path, contents: this.parts.join("") };
    this.flush();
    const chunks = [...this.bytes];
    let joined: Uint8Array | undefined;
    return {
      path,
      chunks,
      get contents() {
        return (joined ??= chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks));
      },
    };
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.bytes.push(Buffer.from(this.parts.join(""), "utf8"));
    this.parts.length = 0;
    this.pending = 0;
  }
}
