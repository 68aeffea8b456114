/**
 * Typed arrays carved from one buffer: a path analysis's scratch, the rule stage's caches, and the
 * threat graph's and facts' own arrays (a reservation `prepare` never gives back).
 *
 * Why: V8 counts every ArrayBuffer as external memory, and each time that grows by about 64 MB it
 * starts a full marking of the JavaScript heap. At a million components the model's heap is over
 * 2 GB, each such marking pauses for 2-4 s, and the analysis makes about 1.7 GB of scratch arrays:
 * more than twenty of them, over a third of the analysis's time (docs/adr/0011-path-scratch-arena.md).
 * One buffer reserved up front, and a SharedArrayBuffer where there is one: V8 does not count those as
 * external memory, so the reservation starts no marking either (a plain one was one growth of
 * external memory, and at 1M components still one full collection of the model's heap, 1.2 s, per
 * reservation). Its untouched pages cost nothing. Nothing here is shared with another thread.
 *
 * `scratchI32`, `scratchF64`, `scratchU8`, `scratchI8` and `scratchCopyI32` give zero-filled arrays (or
 * a copy) from the arena in scope, or plain new arrays outside one (and once the arena is full), so
 * every kernel works the same either way. An array from an arena that is given back must not outlive
 * its user (a path analysis's result holds none), and an object made before a `mark` must not take
 * arrays from the arena after it if it is used after the `release` (a growing queue keeps its growth
 * plain).
 */
export class Arena {
  /**
   * Tests set this to fill released bytes with 0xFF (NaN as a double, -1 as an integer), so a read of
   * released scratch shows even when nothing was allocated over it.
   */
  static poisonReleased = false;
  private readonly buffer: ArrayBufferLike;
  private top = 0;
  /** Bytes from here on have never been handed out, so they are still zero. */
  private clean = 0;
  /** Bytes asked for that the arena could not give (they were allocated apart). */
  overflow = 0;

  /**
   * A reservation the system refuses (a memory limit) leaves an empty arena: plain arrays. A
   * `disposable` arena is a plain ArrayBuffer, whose memory `dispose` gives back at once.
   */
  constructor(bytes: number, disposable = false) {
    let buffer: ArrayBufferLike;
    try {
      const size = align(checkedLength(bytes));
      buffer =
        !disposable && typeof SharedArrayBuffer === "function"
          ? new SharedArrayBuffer(size)
          : new ArrayBuffer(size);
    } catch (e) {
      if (!(e instanceof RangeError)) throw e;
      buffer = new ArrayBuffer(0);
    }
    this.buffer = buffer;
  }

  get capacity(): number {
    return this.buffer.byteLength;
  }

  /** Bytes handed out now. */
  get used(): number {
    return this.top;
  }

  /** Most bytes ever handed out at once. */
  get highWater(): number {
    return this.clean;
  }

  /** The position to `release` back to. */
  mark(): number {
    return this.top;
  }

  /** Takes back every array handed out since `mark` (they must no longer be used). */
  release(mark: number): void {
    if (!Number.isSafeInteger(mark) || mark < 0 || mark > this.top)
      throw new RangeError(`arena mark ${mark} is not a position at or below the top, ${this.top}`);
    if (Arena.poisonReleased) new Uint8Array(this.buffer, mark, this.top - mark).fill(0xff);
    this.top = mark;
  }

  /**
   * Gives a disposable arena's memory back to the system now, not at the next full collection: at 1M
   * components the rules' and paths' scratch is about a gigabyte of touched pages, which the output
   * side would otherwise carry to its peak (a full collection of a heap of many gigabytes comes
   * late). The buffer is moved to a clone nothing holds, which the next young-generation collection
   * frees; every array taken from the arena is detached (length 0), so it must not be used again.
   */
  dispose(): void {
    const buffer = this.buffer;
    if (buffer instanceof ArrayBuffer && buffer.byteLength > 0)
      structuredClone(buffer, { transfer: [buffer] });
    this.top = this.clean = 0;
  }

  /** `bytes` zeroed bytes at an 8-byte boundary, or undefined when the arena is full. */
  take(bytes: number): { buffer: ArrayBufferLike; offset: number } | undefined {
    const size = align(checkedLength(bytes));
    if (this.top + size > this.buffer.byteLength) {
      this.overflow += size;
      return undefined;
    }
    const offset = this.top;
    this.top += size;
    // Only bytes handed out before can be dirty.
    // Through 8-byte elements (offsets and sizes are multiples of 8): on a shared buffer a byte fill
    // takes V8's slower path for shared memory, about twice as long.
    if (offset < this.clean)
      new Float64Array(this.buffer, offset, Math.min(size, this.clean - offset) / 8).fill(0);
    if (this.top > this.clean) this.clean = this.top;
    return { buffer: this.buffer, offset };
  }
}

/** A length must be a whole number of bytes: NaN would move the top to NaN and overlap every array after. */
function checkedLength(bytes: number): number {
  if (!Number.isSafeInteger(bytes) || bytes < 0) throw new RangeError(`invalid scratch length ${bytes}`);
  return bytes;
}

function align(bytes: number): number {
  return Math.ceil(bytes / 8) * 8;
}

let current: Arena | undefined;

/**
 * Reserves `bytes`, runs `fn` with that arena in scope, then hands the arena to `used` (a benchmark
 * or test reading how much was taken) and drops it. With `dispose`, the arena's memory is given back
 * at once (`Arena.dispose`): `fn`'s result must hold no array from it.
 */
export function inArena<T>(
  bytes: number,
  fn: (arena: Arena) => T,
  used?: (arena: Arena) => void,
  dispose = false,
): T {
  const arena = new Arena(bytes, dispose);
  try {
    const result = withArena(arena, () => fn(arena));
    used?.(arena);
    return result;
  } finally {
    if (dispose) arena.dispose();
  }
}

/** Runs `fn` with `arena` in scope (the previous one is restored after, even on a throw). */
export function withArena<T>(arena: Arena, fn: () => T): T {
  const previous = current;
  current = arena;
  try {
    return fn();
  } finally {
    current = previous;
  }
}

/** The arena in scope, if any. */
export function currentArena(): Arena | undefined {
  return current;
}

/** A zero-filled Int32Array of length n. */
export function scratchI32(n: number): Int32Array {
  const at = current?.take(n * 4);
  return at ? new Int32Array(at.buffer, at.offset, n) : new Int32Array(n);
}

/** A zero-filled Float64Array of length n. */
export function scratchF64(n: number): Float64Array {
  const at = current?.take(n * 8);
  return at ? new Float64Array(at.buffer, at.offset, n) : new Float64Array(n);
}

/** A zero-filled Uint8Array of length n. */
export function scratchU8(n: number): Uint8Array {
  const at = current?.take(n);
  return at ? new Uint8Array(at.buffer, at.offset, n) : new Uint8Array(n);
}

/** A zero-filled Uint16Array of length n. */
export function scratchU16(n: number): Uint16Array {
  const at = current?.take(n * 2);
  return at ? new Uint16Array(at.buffer, at.offset, n) : new Uint16Array(n);
}

/** A zero-filled Int8Array of length n. */
export function scratchI8(n: number): Int8Array {
  const at = current?.take(n);
  return at ? new Int8Array(at.buffer, at.offset, n) : new Int8Array(n);
}

/** A copy of `a[0 .. end)` (all of it by default; a typed array or a plain list), in the arena in scope if any. */
export function scratchCopyI32(a: Int32Array | readonly number[], end = a.length): Int32Array {
  const c = scratchI32(end);
  c.set(end === a.length ? a : a instanceof Int32Array ? a.subarray(0, end) : a.slice(0, end));
  return c;
}

/**
 * Runs `fn` and gives back to the arena in scope everything `fn` took from it: for a kernel's own
 * temporaries, whose results are kept in arrays taken before (nothing `fn` returns may be in it).
 */
export function scratchScope<T>(fn: () => T): T {
  const arena = current;
  if (!arena) return fn();
  const mark = arena.mark();
  try {
    return fn();
  } finally {
    arena.release(mark);
  }
}
