/*
 * Days written another way than YYYY-MM-DD: by the lexer (`expires 31.01.2027`, a run of numbers)
 * and in quotes (`expires "31 March 2027"`), read back as the day they most likely mean, so that a
 * diagnostic can say what to write instead.
 */

const pad = (x: string): string => x.padStart(2, "0");

/** Whether a YYYY-MM-DD string names a real calendar day. */
export function isValidDate(text: string): boolean {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(text);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  // Counted, not asked of Date: Date.UTC reads the years 0 to 99 as 1900 to 1999, so `0001-01-01`
  // was "not a valid date" (and the hint asked for an existing day).
  const leap = (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][mo - 1];
  return days !== undefined && d >= 1 && d <= days;
}

/** `YYYY-MM-DD` when it names a real calendar day, else undefined. */
function realDay(y: string, m: string, d: string): string | undefined {
  const iso = `${y}-${pad(m)}-${pad(d)}`;
  return isValidDate(iso) ? iso : undefined;
}

/** A run of three numbers, one of four digits at an end: meant as a date. The day as YYYY-MM-DD if sure. */
export function meantDate(run: string): { iso: string | undefined } | undefined {
  const m = /^(\d{1,4})([./-])(\d{1,2}|\d{4})\2(\d{1,4})$/.exec(run);
  if (!m) return undefined;
  const [a, b, c] = [m[1]!, m[3]!, m[4]!];
  const two = (x: string) => x.length <= 2;
  if (a.length === 4 && two(b) && two(c)) return { iso: realDay(a, b, c) };
  if (c.length === 4 && two(a) && two(b)) {
    // Day first (31.01.2027) or month first (01/31/2027): sure only when one of them is above 12,
    // or when both are the same number.
    if (Number(a) === Number(b)) return { iso: realDay(c, a, b) };
    if (Number(a) > 12 && Number(b) <= 12) return { iso: realDay(c, b, a) };
    if (Number(b) > 12 && Number(a) <= 12) return { iso: realDay(c, a, b) };
    return { iso: undefined };
  }
  return undefined;
}

/**
 * The two days a run of numbers may mean when the order of day and month is not sure (`01/02/2027`):
 * day first, then month first. Undefined when the order is sure, or the text is no such run.
 */
export function eitherDay(text: string): [string, string] | undefined {
  const m = /^(\d{1,2})([./-])(\d{1,2})\2(\d{4})$/.exec(text.trim());
  if (!m || Number(m[1]) > 12 || Number(m[3]) > 12 || Number(m[1]) === Number(m[3])) return undefined;
  const dayFirst = realDay(m[4]!, m[3]!, m[1]!);
  const monthFirst = realDay(m[4]!, m[1]!, m[3]!);
  return dayFirst && monthFirst ? [dayFirst, monthFirst] : undefined;
}

const MONTHS = [
  "january",
  "february",
  "march",
  "april",
  "may",
  "june",
  "july",
  "august",
  "september",
  "october",
  "november",
  "december",
];

/** The month a name or its first three letters say (`March`, `mar`, `Sept.`), 1-12. */
function month(name: string): number | undefined {
  const n = name.toLowerCase().replace(/\.$/, "");
  if (n.length < 3) return undefined;
  const i = MONTHS.findIndex((m) => m.startsWith(n));
  return i < 0 ? undefined : i + 1;
}

/**
 * The day a text in quotes means, as YYYY-MM-DD, when it is certain: numbers in another order or
 * with other separators (`31/03/2027`, `2027/3/31`), or a month by name (`31 March 2027`,
 * `March 31, 2027`, `Mar 31 2027`). Undefined for anything else, a relative phrase included.
 */
export function dayOf(text: string): string | undefined {
  const t = text.trim();
  const numbers = meantDate(t);
  if (numbers) return numbers.iso;
  const dayFirst = /^(\d{1,2})(?:st|nd|rd|th)?\s+([A-Za-z]+\.?),?\s+(\d{4})$/.exec(t);
  if (dayFirst) {
    const m = month(dayFirst[2]!);
    return m === undefined ? undefined : realDay(dayFirst[3]!, String(m), dayFirst[1]!);
  }
  const monthFirst = /^([A-Za-z]+\.?)\s+(\d{1,2})(?:st|nd|rd|th)?,?\s+(\d{4})$/.exec(t);
  if (monthFirst) {
    const m = month(monthFirst[1]!);
    return m === undefined ? undefined : realDay(monthFirst[3]!, String(m), monthFirst[2]!);
  }
  return undefined;
}
