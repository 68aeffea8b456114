/**
 * A list as its consumers read it: the methods of a read-only array they use, with the arguments they
 * pass. A plain array is one, and so is a `MadeOnRead`.
 */
export interface ReadList<T> extends Iterable<T> {
  readonly length: number;
  at(i: number): T | undefined;
  map<U>(fn: (x: T, i: number) => U): U[];
  filter(fn: (x: T, i: number) => unknown): T[];
  find(fn: (x: T, i: number) => unknown): T | undefined;
  some(fn: (x: T, i: number) => unknown): boolean;
  forEach(fn: (x: T, i: number) => void): void;
}

/**
 * A read-only list whose items are made when read (`item(i)`), with the methods of a read-only
 * array that consumers use: the engine's finding records and the findings' views are both one, so
 * neither keeps an object per finding (ADR 0021).
 */
export abstract class MadeOnRead<T> implements ReadList<T> {
  abstract readonly length: number;
  /** Item i (0 <= i < length), made on each call. */
  protected abstract item(i: number): T;
  at(i: number): T | undefined {
    if (i < 0) i += this.length;
    return i >= 0 && i < this.length ? this.item(i) : undefined;
  }
  *[Symbol.iterator](): Iterator<T> {
    for (let i = 0; i < this.length; i++) yield this.item(i);
  }
  map<U>(fn: (x: T, i: number) => U): U[] {
    const out: U[] = [];
    for (let i = 0; i < this.length; i++) out.push(fn(this.item(i), i));
    return out;
  }
  filter(fn: (x: T, i: number) => unknown): T[] {
    const out: T[] = [];
    for (let i = 0; i < this.length; i++) {
      const x = this.item(i);
      if (fn(x, i)) out.push(x);
    }
    return out;
  }
  find(fn: (x: T, i: number) => unknown): T | undefined {
    for (let i = 0; i < this.length; i++) {
      const x = this.item(i);
      if (fn(x, i)) return x;
    }
    return undefined;
  }
  some(fn: (x: T, i: number) => unknown): boolean {
    return this.find(fn) !== undefined;
  }
  forEach(fn: (x: T, i: number) => void): void {
    for (let i = 0; i < this.length; i++) fn(this.item(i), i);
  }
}
