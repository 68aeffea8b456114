/**
 * `fn` remembered per argument, compared by identity (strings by value); an undefined result is
 * remembered too. Outputs escape values that many findings share (one subject view per subject, one
 * recommendation per control and list, one title per rule) once each; the loader asks each real path
 * once. Only for values far fewer than the calls: a memo keeps every result alive until it is
 * dropped, and one entry per finding (locations, say) costs more in collections than it saves.
 */
export function memoize<K, V>(fn: (key: K) => V): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    let v = known.get(key);
    if (v === undefined && !known.has(key)) known.set(key, (v = fn(key)));
    return v as V;
  };
}

/**
 * `fn`, run on the first call only; later calls give the first call's result (undefined too). `fn` is
 * let go once it has run, so what it alone refers to (an analysis's threat graph, say) can go too.
 */
export function once<T>(fn: () => T): () => T {
  let make: (() => T) | undefined = fn;
  let value: T;
  return () => {
    if (make !== undefined) {
      value = make();
      make = undefined;
    }
    return value;
  };
}
