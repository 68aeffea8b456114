/*
 * Names that read alike. A model may name things in any script, so `сache` (a Cyrillic `с`) and
 * `cache` are two names that print the same in every report, diagram and SARIF result: in a pull
 * request, a flow to the look-alike reads as a flow to the original. The skeleton of a name is how
 * it reads: compatibility forms folded (fullwidth `ｃａｃｈｅ`, ligatures) and the Cyrillic and Greek
 * letters drawn like Latin ones taken for them. Two names with one skeleton look alike.
 */

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
