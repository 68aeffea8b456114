/**
 * A reader for the ISO/IEC 14977 style EBNF of grammar/aithreat.ebnf, and a matcher for its lexical
 * rules. Both exist so tests can hold the normative grammar against the implementation: syntactic rules
 * are compared with chevrotain's grammar, lexical rules are run on sample lexemes beside the lexer.
 *
 * Supported notation: `name = definition ;`, `,` concatenation, `|` alternation, `[ ]` option,
 * `{ }` repetition, `( )` grouping, `a - b` exception, `"..."` / `'...'` terminals, `? ... ?` special
 * sequences, `(* ... *)` comments. Meta-identifiers are single words (camelCase), so they can be the
 * chevrotain rule names themselves.
 */

/** One EBNF expression. Sequences and alternations of one element are collapsed when built. */
export type Expr =
  | { readonly t: "seq"; readonly items: readonly Expr[] }
  | { readonly t: "alt"; readonly items: readonly Expr[] }
  | { readonly t: "opt"; readonly body: Expr }
  | { readonly t: "rep"; readonly body: Expr }
  | { readonly t: "except"; readonly base: Expr; readonly exception: Expr }
  | { readonly t: "ref"; readonly name: string }
  | { readonly t: "lit"; readonly text: string }
  | { readonly t: "special"; readonly text: string }
  | { readonly t: "empty" };

/** A rule of the grammar file, with the line it starts on for messages. */
export interface EbnfRule {
  readonly name: string;
  readonly body: Expr;
  readonly line: number;
}

/** Builds a sequence, flattening nested sequences and dropping empties. */
export function seq(items: readonly Expr[]): Expr {
  const flat = items.flatMap((e) => (e.t === "seq" ? e.items : e.t === "empty" ? [] : [e]));
  if (flat.length === 0) return { t: "empty" };
  return flat.length === 1 ? flat[0]! : { t: "seq", items: flat };
}

/** Builds an alternation of one or more expressions. */
export function alt(items: readonly Expr[]): Expr {
  return items.length === 1 ? items[0]! : { t: "alt", items };
}

interface Tok {
  readonly kind: "ident" | "lit" | "special" | "sym";
  readonly text: string;
  readonly line: number;
}

function tokenize(source: string): Tok[] {
  const toks: Tok[] = [];
  let line = 1;
  let i = 0;
  const fail = (msg: string): never => {
    throw new Error(`aithreat.ebnf:${line}: ${msg}`);
  };
  while (i < source.length) {
    const ch = source[i]!;
    if (ch === "\n") {
      line++;
      i++;
    } else if (/\s/.test(ch)) i++;
    else if (source.startsWith("(*", i)) {
      const end = source.indexOf("*)", i + 2);
      if (end < 0) fail("unterminated comment");
      line += (source.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 2;
    } else if (ch === '"' || ch === "'") {
      const end = source.indexOf(ch, i + 1);
      const text = end < 0 ? "" : source.slice(i + 1, end);
      if (end < 0 || text.includes("\n")) fail("unterminated terminal string");
      if (text === "") fail("empty terminal string");
      toks.push({ kind: "lit", text, line });
      i = end + 1;
    } else if (ch === "?") {
      const end = source.indexOf("?", i + 1);
      if (end < 0) fail("unterminated special sequence");
      toks.push({
        kind: "special",
        text: source
          .slice(i + 1, end)
          .trim()
          .replace(/\s+/g, " "),
        line,
      });
      line += (source.slice(i, end).match(/\n/g) ?? []).length;
      i = end + 1;
    } else if (/[A-Za-z]/.test(ch)) {
      const m = /^[A-Za-z][A-Za-z0-9]*/.exec(source.slice(i))!;
      toks.push({ kind: "ident", text: m[0], line });
      i += m[0].length;
    } else if ("=,|-;[]{}()".includes(ch)) {
      toks.push({ kind: "sym", text: ch, line });
      i++;
    } else fail(`unexpected character \`${ch}\``);
  }
  return toks;
}

/** Parses the whole grammar; throws on a syntax error or a rule defined twice. */
export function parseEbnf(source: string): Map<string, EbnfRule> {
  const toks = tokenize(source);
  let p = 0;
  const peek = (): Tok | undefined => toks[p];
  const fail = (msg: string): never => {
    throw new Error(`aithreat.ebnf:${peek()?.line ?? "end"}: ${msg}`);
  };
  const isSym = (s: string) => peek()?.kind === "sym" && peek()?.text === s;
  const expect = (s: string) => {
    if (!isSym(s)) fail(`expected \`${s}\` but found \`${peek()?.text ?? "end of file"}\``);
    p++;
  };

  const alternation = (): Expr => {
    const items = [sequence()];
    while (isSym("|")) {
      p++;
      items.push(sequence());
    }
    return alt(items);
  };
  const sequence = (): Expr => {
    const items = [term()];
    while (isSym(",")) {
      p++;
      items.push(term());
    }
    return seq(items);
  };
  const term = (): Expr => {
    const base = factor();
    if (!isSym("-")) return base;
    p++;
    return { t: "except", base, exception: factor() };
  };
  const factor = (): Expr => {
    const t = peek();
    if (!t) return fail("unexpected end of file");
    if (t.kind === "ident") {
      p++;
      return { t: "ref", name: t.text };
    }
    if (t.kind === "lit") {
      p++;
      return { t: "lit", text: t.text };
    }
    if (t.kind === "special") {
      p++;
      return { t: "special", text: t.text };
    }
    const close = { "[": "]", "{": "}", "(": ")" }[t.text];
    if (close) {
      p++;
      const inner = alternation();
      expect(close);
      if (t.text === "[") return { t: "opt", body: inner };
      if (t.text === "{") return { t: "rep", body: inner };
      return inner;
    }
    // ISO EBNF allows an empty sequence, e.g. `a = | b ;`.
    if ("|;,)]}".includes(t.text)) return { t: "empty" };
    return fail(`unexpected \`${t.text}\``);
  };

  const rules = new Map<string, EbnfRule>();
  while (p < toks.length) {
    const name = peek();
    if (name?.kind !== "ident") fail("expected a rule name");
    p++;
    expect("=");
    const body = alternation();
    expect(";");
    if (rules.has(name!.text)) fail(`rule \`${name!.text}\` is defined twice`);
    rules.set(name!.text, { name: name!.text, body, line: name!.line });
  }
  return rules;
}

/** Every meta-identifier an expression refers to. */
export function references(e: Expr, out = new Set<string>()): Set<string> {
  switch (e.t) {
    case "ref":
      out.add(e.name);
      break;
    case "seq":
    case "alt":
      for (const x of e.items) references(x, out);
      break;
    case "opt":
    case "rep":
      references(e.body, out);
      break;
    case "except":
      references(e.base, out);
      references(e.exception, out);
      break;
    case "lit":
    case "special":
    case "empty":
      break;
  }
  return out;
}

/** Every terminal string of an alternation of terminals (`a = "x" | "y" | b ;`), following refs. */
export function terminalsOf(rules: ReadonlyMap<string, EbnfRule>, name: string): string[] {
  const out: string[] = [];
  const visit = (e: Expr) => {
    if (e.t === "lit") out.push(e.text);
    else if (e.t === "alt") e.items.forEach(visit);
    else if (e.t === "ref") visit(ruleBody(rules, e.name));
    else throw new Error(`rule \`${name}\` is not a plain choice of terminals`);
  };
  visit(ruleBody(rules, name));
  return out;
}

function ruleBody(rules: ReadonlyMap<string, EbnfRule>, name: string): Expr {
  const r = rules.get(name);
  if (!r) throw new Error(`rule \`${name}\` is not defined in the EBNF`);
  return r.body;
}

/** Prints an expression back in EBNF notation, for test failure messages. */
export function show(e: Expr): string {
  switch (e.t) {
    case "seq":
      return e.items.map((x) => (x.t === "alt" ? `( ${show(x)} )` : show(x))).join(", ");
    case "alt":
      return e.items.map(show).join(" | ");
    case "opt":
      return `[ ${show(e.body)} ]`;
    case "rep":
      return `{ ${show(e.body)} }`;
    case "except":
      return `${show(e.base)} - ${show(e.exception)}`;
    case "ref":
      return e.name;
    case "lit":
      return e.text.includes('"') ? `'${e.text}'` : `"${e.text}"`;
    case "special":
      return `? ${e.text} ?`;
    case "empty":
      return "";
  }
}

/**
 * What each special sequence of the lexical grammar means, as a test of one code point. ISO EBNF
 * leaves special sequences to prose; fixing their meaning here lets the lexical rules run. A special
 * sequence `? U+XXXX description ?` is that one code point.
 */
export const SPECIAL_SEQUENCES: Readonly<Record<string, (cp: string) => boolean>> = {
  "any Unicode code point": () => true,
  "Unicode letter (general category L)": (cp) => /^\p{L}$/u.test(cp),
  "Unicode number (general category N)": (cp) => /^\p{N}$/u.test(cp),
  "Unicode mark (general category M)": (cp) => /^\p{M}$/u.test(cp),
};

function special(text: string): (cp: string) => boolean {
  const fixed = /^U\+([0-9A-F]{4,6})\b/.exec(text);
  if (fixed) {
    const want = String.fromCodePoint(parseInt(fixed[1]!, 16));
    return (cp) => cp === want;
  }
  const f = SPECIAL_SEQUENCES[text];
  if (!f) throw new Error(`special sequence \`? ${text} ?\` has no defined meaning`);
  return f;
}

/**
 * Whether rule `name` derives exactly `text`. Matching works on code points and explores every
 * derivation (sets of end positions), so it is meant for short sample lexemes, not whole files.
 */
export function matchesRule(rules: ReadonlyMap<string, EbnfRule>, name: string, text: string): boolean {
  const cps = Array.from(text);
  const ends = (e: Expr, from: number, limit: number): Set<number> => {
    switch (e.t) {
      case "empty":
        return new Set([from]);
      case "lit": {
        const want = Array.from(e.text);
        if (from + want.length > limit) return new Set();
        return want.every((c, k) => cps[from + k] === c) ? new Set([from + want.length]) : new Set();
      }
      case "special":
        return from < limit && special(e.text)(cps[from]!) ? new Set([from + 1]) : new Set();
      case "ref":
        return ends(ruleBody(rules, e.name), from, limit);
      case "seq": {
        let cur = new Set([from]);
        for (const item of e.items) {
          const next = new Set<number>();
          for (const p of cur) for (const q of ends(item, p, limit)) next.add(q);
          cur = next;
          if (cur.size === 0) break;
        }
        return cur;
      }
      case "alt": {
        const out = new Set<number>();
        for (const item of e.items) for (const q of ends(item, from, limit)) out.add(q);
        return out;
      }
      case "opt":
        return new Set([from, ...ends(e.body, from, limit)]);
      case "rep": {
        const out = new Set([from]);
        let frontier = [from];
        while (frontier.length > 0) {
          const next: number[] = [];
          for (const p of frontier)
            for (const q of ends(e.body, p, limit))
              if (!out.has(q)) {
                out.add(q);
                next.push(q);
              }
          frontier = next;
        }
        return out;
      }
      case "except": {
        // `a - b`: the spans `a` derives that `b` does not derive as a whole.
        const out = new Set<number>();
        for (const q of ends(e.base, from, limit)) if (!ends(e.exception, from, q).has(q)) out.add(q);
        return out;
      }
    }
  };
  return ends(ruleBody(rules, name), 0, cps.length).has(cps.length);
}
