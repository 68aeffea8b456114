/**
 * Longest output kept as a string; a longer one becomes UTF-8 bytes as it is written. V8 strings stop
 * at 2^29 - 24 characters, and findings.json of a 100k-component model is about a gigabyte; well
 * below that, a large text is better off the heap, where the collector does not trace it.
 */
export const MAX_TEXT = 2 ** 26;

/** Characters gathered before they are encoded, once a sink has gone to bytes. */
const FLUSH = 1 << 22;

/**
 * Collects an output's text piece by piece: as strings while it is at most `maxText` long (joined
 * once at the end), and as UTF-8 chunks from then on, so a gigabyte output neither overflows V8's
 * string limit nor sits on the heap for the collector to trace again and again.
 */
export class TextSink {
  private readonly parts: string[] = [];
  private readonly bytes: Buffer[] = [];
  private length = 0;
  private pending = 0;
  constructor(private readonly maxText: number = MAX_TEXT) {}

  add(s: string): void {
    this.parts.push(s);
    this.length += s.length;
    this.pending += s.length;
    if (this.length > this.maxText && this.pending >= Math.min(FLUSH, this.maxText)) this.flush();
  }

  /** The whole text: a string when it is at most `maxText` long, else its UTF-8 bytes. */
  result(): string | Uint8Array {
    if (this.bytes.length === 0 && this.length <= this.maxText) return this.parts.join("");
    this.flush();
    return Buffer.concat(this.bytes);
  }

  private flush(): void {
    if (this.parts.length === 0) return;
    this.bytes.push(Buffer.from(this.parts.join(""), "utf8"));
    this.parts.length = 0;
    this.pending = 0;
  }
}
