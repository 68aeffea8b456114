/*
 * Names that read alike. A model may name things in any script, so `сache` (a Cyrillic `с`) and
 * `cache` are two names that print the same in every report, diagram and SARIF result: in a pull
 * request, a flow to the look-alike reads as a flow to the original. The skeleton of a name is how
 * it reads: compatibility forms folded (fullwidth `ｃａｃｈｅ`, ligatures) and the Cyrillic and Greek
 * letters drawn like Latin ones taken for them. Two names with one skeleton look alike.
 */

import { codePoint } from "../hidden-chars.js";

/** Cyrillic and Greek letters drawn like a Latin letter in common fonts, with that letter. */
const AS_LATIN: Readonly<Record<string, string>> = Object.fromEntries(
  [
    // Cyrillic lower case
    ["а", "a"],
    ["е", "e"],
    ["һ", "h"],
    ["і", "i"],
    ["ј", "j"],
    ["ӏ", "l"],
    ["о", "o"],
    ["р", "p"],
    ["ԛ", "q"],
    ["с", "c"],
    ["ѕ", "s"],
    ["у", "y"],
    ["ԝ", "w"],
    ["х", "x"],
    ["ԁ", "d"],
    // Cyrillic upper case
    ["А", "A"],
    ["В", "B"],
    ["Е", "E"],
    ["Н", "H"],
    ["І", "I"],
    ["Ј", "J"],
    ["К", "K"],
    ["М", "M"],
    ["О", "O"],
    ["Р", "P"],
    ["С", "C"],
    ["Ѕ", "S"],
    ["Т", "T"],
    ["Х", "X"],
    ["У", "Y"],
    // Greek
    ["α", "a"],
    ["ο", "o"],
    ["ρ", "p"],
    ["ν", "v"],
    ["ι", "i"],
    ["Α", "A"],
    ["Β", "B"],
    ["Ε", "E"],
    ["Ζ", "Z"],
    ["Η", "H"],
    ["Ι", "I"],
    ["Κ", "K"],
    ["Μ", "M"],
    ["Ν", "N"],
    ["Ο", "O"],
    ["Ρ", "P"],
    ["Τ", "T"],
    ["Υ", "Y"],
    ["Χ", "X"],
  ].map(([from, to]) => [from!, to!]),
);

const ASCII = /^[\x00-\x7f]*$/;

/** Whether every character of `s` is ASCII (such a name is its own skeleton). */
export const isAscii = (s: string): boolean => ASCII.test(s);

/**
 * Lower-case letters drawn like small capitals (`т`, `к`): beside lower-case Latin they show, so two
 * names differing by them are not look-alikes (`кот` and `kot`), but in an id written in capitals
 * they pass for `T` and `K` (`Ат-25`).
 */
const SMALL_CAPITALS: Readonly<Record<string, string>> = { т: "t", к: "k", τ: "t", κ: "k" };

/** How a name reads: see the top of this file. An ASCII name is returned as it is. */
export function skeleton(name: string): string {
  if (isAscii(name)) return name;
  let out = "";
  for (const c of name.normalize("NFKC")) out += AS_LATIN[c] ?? c;
  return out;
}

/** How an id compared without regard to case reads: `skeleton`, small capitals taken for capitals too. */
export function idSkeleton(id: string): string {
  if (isAscii(id)) return id;
  let out = "";
  for (const c of skeleton(id)) out += SMALL_CAPITALS[c] ?? c;
  return out;
}

/**
 * Where a name and its suggestion, of as many characters, differ in letters outside ASCII, which
 * may look the same (a Cyrillic `с` for a Latin `c`): said by code point, since "did you mean
 * `сache`?" for `cache` reads as the name itself. Undefined when the difference shows.
 */
export function lookalikes(name: string, suggestion: string): string | undefined {
  const a = [...name];
  const b = [...suggestion];
  if (a.length !== b.length) return undefined;
  // A difference in case shows (`É` for `é`): not a look-alike.
  const differ = a.flatMap((c, i) => (c.toLowerCase() === b[i]!.toLowerCase() ? [] : [[c, b[i]!] as const]));
  if (differ.length === 0 || differ.every(([x, y]) => x.charCodeAt(0) < 0x80 && y.charCodeAt(0) < 0x80))
    return undefined;
  const said = differ
    .slice(0, 3)
    .map(([x, y]) => `\`${y}\` is ${codePoint(y)} where this name has \`${x}\`, ${codePoint(x)}`);
  return `(${said.join("; ")}${differ.length > 3 ? `; ${differ.length - 3} more` : ""})`;
}
