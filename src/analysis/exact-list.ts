/**
 * A copy of a list without spare room, for a list a cache keeps: V8 gives a list grown by push (or
 * built by a spread) room for 17 entries and more, about 120 bytes beyond what a short list needs,
 * and the rule library keeps tens of thousands of short lists for a whole rule stage (ADR 0023:
 * 46 MB of its caches at 100k components).
 */
export function exactList<T>(list: readonly T[]): T[] {
  return list.slice();
}
