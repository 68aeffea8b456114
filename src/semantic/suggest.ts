import { lookalikes } from "./lookalike.js";

/** How `suggest` looks for a candidate. */
export interface SuggestOptions {
  /**
   * Also propose the one candidate that the name begins (`trifecta` for `trifecta_violations`) or
   * that has the name among its words (`crown` in `exposed_crown_jewels`), when no candidate is a
   * near spelling. For closed vocabularies (metrics, properties, values, kinds, controls), where a
   * short form names the one entry it abbreviates; not for the model's own names, where a shorter
   * name is as likely another thing not declared (yet) as a shortening of one that is.
   */
  readonly partial?: boolean;
}

/**
 * "Did you mean": the closest candidate by Damerau-Levenshtein distance (transpositions count as one
 * edit), case-insensitive, within a third of the name's length. Candidates far longer or shorter are
 * skipped before any distance is computed, so a miss against a million names stays cheap. With
 * `partial`, a name no candidate spells near may still be a shortening of one (`partialMatch`).
 */
export function suggest(
  name: string,
  candidates: Iterable<string>,
  options: SuggestOptions = {},
): string | undefined {
  if (options.partial) {
    const list = [...candidates];
    return suggest(name, list) ?? partialMatch(name, list);
  }
  const target = name.toLowerCase();
  const limit = Math.max(1, Math.floor(target.length / 3));
  let best: string | undefined;
  let bestDistance = limit + 1;
  for (const candidate of candidates) {
    if (Math.abs(candidate.length - target.length) >= bestDistance) continue;
    // Capped one past the best so far: a capped result can never pass for a tie.
    const d = distance(target, candidate.toLowerCase(), bestDistance + 1);
    if (d < bestDistance || (d === bestDistance && best !== undefined && candidate < best)) {
      bestDistance = d;
      best = candidate;
    }
  }
  return bestDistance <= limit ? best : undefined;
}

/** Shortest name `partialMatch` reads as a shortening: `ai` or `id` begin too many words to mean one. */
const MIN_PARTIAL = 3;

/** A candidate's words: parts between `_`, `-` and `.`. */
const words = (s: string): string[] => s.split(/[_.-]+/).filter(Boolean);

/**
 * The one candidate a name is a shortening of, case-insensitive: the only one it is a prefix of
 * (`trifecta` of `trifecta_violations`), else the only one with the name's words as a run of its own
 * (`crown` in `exposed_crown_jewels`, `untrusted_sources` in `max_untrusted_sources`). Undefined when
 * none, or more than one, fits: `coverage` is a word of two metrics and names neither.
 */
export function partialMatch(name: string, candidates: Iterable<string>): string | undefined {
  const target = name.toLowerCase();
  if ([...target].length < MIN_PARTIAL) return undefined;
  const list = [...new Set(candidates)];
  const prefixed = list.filter((c) => c.length > target.length && c.toLowerCase().startsWith(target));
  if (prefixed.length === 1) return prefixed[0];
  const run = words(target);
  if (run.length === 0) return undefined;
  const containing = list.filter((c) => {
    const w = words(c.toLowerCase());
    if (w.length <= run.length) return false;
    for (let i = 0; i + run.length <= w.length; i++) if (run.every((x, j) => w[i + j] === x)) return true;
    return false;
  });
  return containing.length === 1 ? containing[0] : undefined;
}

/** Optimal-string-alignment distance, abandoning once every cell of a row reaches `cap`. */
export function distance(a: string, b: string, cap = Infinity): number {
  const n = a.length;
  const m = b.length;
  let prev2 = new Array<number>(m + 1).fill(0);
  let prev = Array.from({ length: m + 1 }, (_, j) => j);
  let cur = new Array<number>(m + 1).fill(0);
  for (let i = 1; i <= n; i++) {
    cur[0] = i;
    let rowMin = i;
    for (let j = 1; j <= m; j++) {
      const cost = a.charCodeAt(i - 1) === b.charCodeAt(j - 1) ? 0 : 1;
      let v = Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, (prev[j - 1] ?? 0) + cost);
      if (
        i > 1 &&
        j > 1 &&
        a.charCodeAt(i - 1) === b.charCodeAt(j - 2) &&
        a.charCodeAt(i - 2) === b.charCodeAt(j - 1)
      ) {
        v = Math.min(v, (prev2[j - 2] ?? 0) + 1);
      }
      cur[j] = v;
      if (v < rowMin) rowMin = v;
    }
    if (rowMin >= cap) return cap;
    [prev2, prev, cur] = [prev, cur, prev2];
  }
  return prev[m] ?? 0;
}

/** The name a `didYouMean` hint suggests, or undefined for any other hint. */
export function suggestedIn(hint: string | undefined): string | undefined {
  return hint === undefined ? undefined : /^did you mean `([^`]+)`\?/.exec(hint)?.[1];
}

/** A hint string for a suggestion, or undefined when there is none. */
export function didYouMean(
  name: string,
  candidates: Iterable<string>,
  options: SuggestOptions = {},
): string | undefined {
  const s = suggest(name, candidates, options);
  if (s === undefined) return undefined;
  const alike = lookalikes(name, s);
  return `did you mean \`${s}\`?${alike ? ` ${alike}` : ""}`;
}
