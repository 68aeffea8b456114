/**
 * `fn` remembered per argument. Views share many values (one subject view per subject, one
 * recommendation per control and list, one title per rule), and outputs escape each of them for
 * every finding: a memo escapes each once. The argument is compared by identity (strings by value).
 * Only for values far fewer than the findings: a memo keeps every result alive until it is dropped,
 * and one entry per finding (locations, say) costs more in collections than it saves.
 */
export function memoize<K, V>(fn: (key: K) => V): (key: K) => V {
  const known = new Map<K, V>();
  return (key) => {
    let v = known.get(key);
    if (v === undefined && !known.has(key)) known.set(key, (v = fn(key)));
    return v as V;
  };
}
