/**
 * `fn` remembered per argument. Views share many values (one location per source range, one
 * recommendation per control and list, one title per rule), and outputs escape each of them for
 * every finding: a memo escapes each once. The argument is compared by identity (strings by value).
 */
export function memoize<K, V>(fn: (key: K) => V): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    let v = known.get(key);
    if (v === undefined && !known.has(key)) known.set(key, (v = fn(key)));
    return v as V;
  };
}
