/**
 * `fn` remembering only its last argument (by identity) and result. For values that consecutive
 * calls share: findings come sorted by id, so a rule's findings follow each other and share the
 * recommended list the findings view builds once per rule. Unlike `memoize`, nothing piles up: a
 * memo of every list seen kept one entry per finding whose subject declares a control, and at 10k
 * components those entries, promoted to the old generation one young collection after another,
 * made each collection several times slower (findings.json 2.0 -> 1.4 s for three writes).
 */
export function rememberLast<K, V>(fn: (key: K) => V): (key: K) => V {
  let lastKey: K | undefined;
  let lastValue: V | undefined;
  let known = false;
  return (key) => {
    if (!known || key !== lastKey) {
      lastValue = fn(key);
      lastKey = key;
      known = true;
    }
    return lastValue as V;
  };
}
