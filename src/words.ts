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
  return percentTo(x, undefined);
}

/**
 * Two likelihoods of a change (before, after) as `percent` writes them, or, where that writes both
 * alike although they differ, with the fewest decimals that tell them apart: `54.3% -> 54.4%`, not
 * `54% -> 54%`. Still never 100% short of certainty nor 0% for a chance that exists.
 */
export function percentPair(before: number, after: number): [string, string] {
  const a = percent(before);
  const b = percent(after);
  if (a !== b || before === after) return [a, b];
  for (let digits = 1; digits <= 6; digits++) {
    const x = percentTo(before, digits);
    const y = percentTo(after, digits);
    if (x !== y) return [x, y];
  }
  return [a, b];
}

/** `percent`, or with exactly `digits` decimals (still never 100% or 0% for what is neither). */
function percentTo(x: number, digits: number | undefined): string {
  if (x >= 1) return "100%";
  if (x <= 0) return "0%";
  if (digits !== undefined) {
    const text = (x * 100).toFixed(digits);
    // Rounded to a bound it does not reach: the nearest value short of it at that precision, or
    // below the smallest one it writes.
    const step = 10 ** -digits;
    if (Number(text) >= 100) return `${(100 - step).toFixed(digits)}%`;
    if (Number(text) <= 0) return `<${step.toFixed(digits)}%`;
    return `${text}%`;
  }
  const p = x * 100;
  if (p < 0.001) return "<0.001%";
  const whole = Math.round(p);
  if (whole >= 10) return `${Math.min(whole, 99)}%`;
  const tenths = Math.round(p * 10) / 10;
  return tenths >= 0.1 ? `${tenths.toFixed(1)}%` : `${p.toPrecision(2)}%`;
}
