/** English for counts in messages and reports, in one place so every output says it the same way. */

/** A noun as it reads after a count: `1 dataset`, `2 datasets`, `2 registries`, `2 classes`. */
export function nounFor(n: number, noun: string): string {
  if (n === 1) return noun;
  if (/[^aeiou]y$/.test(noun)) return `${noun.slice(0, -1)}ies`;
  return `${noun}${noun.endsWith("s") ? "es" : "s"}`;
}

/** `3 datasets`, `1 component`, `2 registries`. */
export function plural(n: number, noun: string): string {
  return `${n} ${nounFor(n, noun)}`;
}

/**
 * The first `max` items, then how many more (`a, b and 12 more`, with `note` in parentheses): a
 * long list said in one line.
 */
export function listedUpTo(items: readonly string[], max: number, note?: string): string {
  const shown = items.slice(0, max).join(", ");
  const more = items.length - max;
  return more > 0 ? `${shown} and ${more} more${note ? ` (${note})` : ""}` : shown;
}

/** Items as a sentence lists them: `a`, `a and b`, `a, b and c`. */
export function andJoined(items: readonly string[]): string {
  return items.length <= 1 ? (items[0] ?? "") : `${items.slice(0, -1).join(", ")} and ${items.at(-1)}`;
}

/** Names as code in a sentence: `` `a` ``, `` `a` and `b` ``, `` `a`, `b` and `c` ``. */
export function nameList(names: readonly string[]): string {
  return andJoined(names.map((x) => `\`${x}\``));
}

/**
 * A likelihood (0-1) as people read it, the same in the terminal and the reports: whole percents from
 * 10%, one decimal below (3.6%), two significant digits below 0.1%; never 100% short of certainty nor
 * 0% for a chance that exists, and the precision chosen on the rounded value (0.09999 reads 10%).
 */
export function percent(x: number): string {
  if (x >= 1) return "100%";
  if (x <= 0) return "0%";
  const p = x * 100;
  if (p < 0.001) return "<0.001%";
  const whole = Math.round(p);
  if (whole >= 10) return `${Math.min(whole, 99)}%`;
  const tenths = Math.round(p * 10) / 10;
  return tenths >= 0.1 ? `${tenths.toFixed(1)}%` : `${p.toPrecision(2)}%`;
}
