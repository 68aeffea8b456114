import type { BlockNode, NameNode, PropertyNode, ValueNode } from "../ast/nodes.js";
import { at, diag, type Diagnostic, type Location } from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { dayOf, eitherDay, isValidDate } from "../syntax/dates.js";
import { preview } from "../syntax/parse.js";
import { didYouMean } from "./suggest.js";
import { describeType, type PropSpec } from "./vocabulary.js";

/** A property value converted to its spec's type; names in ref lists stay names until binding. */
export type Converted = string | number | boolean | readonly string[] | readonly NameNode[];

/**
 * A block's properties by key: two arrays searched in order. A block sets a handful of properties,
 * and a model has millions of blocks: cheaper to build and to read than a Map.
 */
export class SmallMap<V> {
  private readonly keys: string[] = [];
  private readonly vals: V[] = [];

  get size(): number {
    return this.keys.length;
  }

  get(key: string): V | undefined {
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) if (keys[i] === key) return this.vals[i];
    return undefined;
  }

  has(key: string): boolean {
    return this.keys.includes(key);
  }

  /** Adds a key not yet present (readProperties reports a second one instead). */
  add(key: string, value: V): void {
    this.keys.push(key);
    this.vals.push(value);
  }

  /** The entries in insertion order. */
  *[Symbol.iterator](): IterableIterator<[string, V]> {
    for (let i = 0; i < this.keys.length; i++) yield [this.keys[i]!, this.vals[i]!];
  }

  /** Calls `fn` for each entry in insertion order (no iterator objects, for the hot paths). */
  forEach(fn: (value: V, key: string) => void): void {
    for (let i = 0; i < this.keys.length; i++) fn(this.vals[i]!, this.keys[i]!);
  }
}

/** Properties of one block after checking: key -> converted value, plus where each was written. */
export interface ReadProps {
  readonly values: SmallMap<Converted>;
  readonly locs: Record<string, Location>;
  readonly nodes: SmallMap<PropertyNode>;
}

// `locs` is built on first use: the semantic stage reads spans from `nodes` and never asks.
class Props implements ReadProps {
  readonly values = new SmallMap<Converted>();
  readonly nodes = new SmallMap<PropertyNode>();
  private built: Record<string, Location> | undefined;
  constructor(private readonly file: SourceFile) {}

  get locs(): Record<string, Location> {
    if (!this.built) {
      const locs: Record<string, Location> = {};
      this.nodes.forEach((node, key) => (locs[key] = at(this.file, node)));
      this.built = locs;
    }
    return this.built;
  }
}

/**
 * Checks a block's properties against a table of specs: unknown keys (with "did you mean"), keys
 * given twice, values of the wrong type, values outside an enum. Nested declarations are left to
 * the caller (`onDeclaration`); everything else wrong is reported here.
 */
export function readProperties(
  file: SourceFile,
  body: BlockNode | undefined,
  specs: Readonly<Record<string, PropSpec>>,
  context: string,
  diagnostics: Diagnostic[],
): ReadProps {
  const result = new Props(file);
  const { values, nodes } = result;
  if (!body) return result;
  for (const item of body.items) {
    if (item.kind !== "property") continue;
    const key = item.key.text;
    const spec = Object.prototype.hasOwnProperty.call(specs, key) ? specs[key] : undefined;
    if (!spec) {
      diagnostics.push(
        diag("AT3002", at(file, item.key), `unknown property \`${key}\` for ${context}`, {
          hint:
            didYouMean(key, Object.keys(specs), { partial: true }) ??
            `${context} accepts ${Object.keys(specs)
              .map((k) => `\`${k}\``)
              .join(", ")}`,
        }),
      );
      continue;
    }
    if (nodes.has(key)) {
      const first = nodes.get(key)!;
      diagnostics.push(
        diag("AT3005", at(file, item.key), `property \`${key}\` is given twice`, {
          notes: [{ message: "first given here", location: at(file, first.key) }],
        }),
      );
      continue;
    }
    nodes.add(key, item);
    if (item.body) {
      diagnostics.push(
        diag("AT3003", at(file, item.body), `property \`${key}\` does not take a block`, {
          hint: `write ${describeType(spec)}`,
        }),
      );
    }
    if (!item.value) continue; // AT1023 was reported by the parser
    const converted = convert(file, item.value, spec, key, diagnostics);
    if (converted !== undefined) values.add(key, converted);
  }
  return result;
}

function typeError(
  file: SourceFile,
  value: ValueNode,
  key: string,
  spec: PropSpec,
  diagnostics: Diagnostic[],
): undefined {
  const got =
    value.kind === "name"
      ? `the name \`${value.text}\``
      : value.kind === "list"
        ? "a list"
        : `a ${value.kind}`;
  diagnostics.push(
    diag("AT3003", at(file, value), `\`${key}\` expects ${describeType(spec)}, not ${got}`, {
      hint:
        spec.type === "boolean"
          ? "write `true` or `false`"
          : spec.type === "string"
            ? 'put text in double quotes: `"..."`'
            : spec.type === "date"
              ? dateHint(value)
              : undefined,
    }),
  );
  return undefined;
}

/** Words of a date said relative to today (`"next year"`, `"in 6 months"`). */
const RELATIVE =
  /\b(today|tomorrow|next|last|in|after|from|now|days?|weeks?|months?|quarters?|years?|q[1-4]|eoy|eom|end)\b/i;

/**
 * What to write for a date given as something else: the day itself when the text says it for
 * certain (`"31/03/2027"`, `"31 March 2027"`), else the form with an example, and for a phrase
 * relative to today (`"next year"`) why that cannot be a date.
 */
function dateHint(value: ValueNode): string {
  const text = value.kind === "string" ? value.value : value.kind === "name" ? value.text : undefined;
  const day = text === undefined ? undefined : dayOf(text);
  if (day !== undefined) return `write the day as YYYY-MM-DD: \`${day}\``;
  const either = text === undefined ? undefined : eitherDay(text);
  if (either)
    return `write the day as YYYY-MM-DD: \`${either[0]}\` if the day comes first, \`${either[1]}\` if the month does`;
  if (text !== undefined && RELATIVE.test(text.replace(/_/g, " ")))
    return `write the day itself as YYYY-MM-DD, e.g. \`2027-03-31\`: \`${preview(text)}\` would name another day on every run`;
  const example = "write the day as YYYY-MM-DD, e.g. `2027-03-31`";
  if (value.kind === "number" && /^\d{4}$/.test(value.text))
    return `write the day as YYYY-MM-DD, e.g. \`${value.text}-12-31\` for the end of ${value.text}`;
  return example;
}

function enumValue(
  file: SourceFile,
  v: ValueNode,
  values: readonly string[],
  key: string,
  diagnostics: Diagnostic[],
): string | undefined {
  const text = v.kind === "name" ? v.text : v.kind === "string" ? v.value : undefined;
  if (text === undefined) {
    diagnostics.push(
      diag(
        "AT3003",
        at(file, v),
        `\`${key}\` expects one of ${values.map((x) => `\`${x}\``).join(", ")}, not a ${v.kind}`,
      ),
    );
    return undefined;
  }
  if (values.includes(text)) return text;
  diagnostics.push(
    diag("AT3004", at(file, v), `\`${text}\` is not a valid value for \`${key}\``, {
      hint:
        didYouMean(text, values, { partial: true }) ??
        `use one of ${values.map((x) => `\`${x}\``).join(", ")}`,
    }),
  );
  return undefined;
}

function convert(
  file: SourceFile,
  v: ValueNode,
  spec: PropSpec,
  key: string,
  diagnostics: Diagnostic[],
): Converted | undefined {
  switch (spec.type) {
    case "string":
      // Unquoted names and numbers are accepted as text (`owner secops`, `version 2`).
      if (v.kind === "string") return v.value;
      if (v.kind === "name" || v.kind === "date") return v.text;
      if (v.kind === "number") return v.text;
      return typeError(file, v, key, spec, diagnostics);
    case "number":
      if (v.kind !== "number") return typeError(file, v, key, spec, diagnostics);
      // Digits beyond a double's range read as Infinity, which no output can write.
      if (!Number.isFinite(v.value)) {
        const size = v.value < 0 ? "too small" : "too large";
        diagnostics.push(diag("AT3017", at(file, v), `\`${key}\` is ${size} a number`));
        return undefined;
      }
      if ((spec.min !== undefined && v.value < spec.min) || (spec.max !== undefined && v.value > spec.max)) {
        diagnostics.push(
          diag(
            "AT3017",
            at(file, v),
            `\`${key}\` must be ${spec.min !== undefined ? `at least ${spec.min}` : ""}${spec.min !== undefined && spec.max !== undefined ? " and " : ""}${spec.max !== undefined ? `at most ${spec.max}` : ""}`,
          ),
        );
        return undefined;
      }
      return v.value;
    case "boolean":
      if (v.kind === "name" && (v.text === "true" || v.text === "false")) return v.text === "true";
      return typeError(file, v, key, spec, diagnostics);
    case "date": {
      const text =
        v.kind === "date"
          ? v.text
          : v.kind === "string" && /^\d{4}-\d{2}-\d{2}$/.test(v.value)
            ? v.value
            : undefined;
      if (text === undefined) return typeError(file, v, key, spec, diagnostics);
      // A date in another shape (`2027/01/31`) comes from the parser's recovery, which reported it.
      if (!/^\d{4}-\d{2}-\d{2}$/.test(text)) return undefined;
      if (!isValidDate(text)) {
        diagnostics.push(
          diag("AT3013", at(file, v), `\`${text}\` is not a valid date`, {
            hint: "write an existing day as YYYY-MM-DD",
          }),
        );
        return undefined;
      }
      return text;
    }
    case "enum":
      if (v.kind === "list") return typeError(file, v, key, spec, diagnostics);
      return enumValue(file, v, spec.values, key, diagnostics);
    case "enum-list": {
      const items = v.kind === "list" ? v.items : [v];
      const out: string[] = [];
      for (const item of items) {
        const e = enumValue(file, item, spec.values, key, diagnostics);
        if (e !== undefined && !out.includes(e)) out.push(e);
      }
      return out;
    }
    case "string-list": {
      const items = v.kind === "list" ? v.items : [v];
      const out: string[] = [];
      for (const item of items) {
        if (item.kind === "string") out.push(item.value);
        else if (item.kind === "name" || item.kind === "number" || item.kind === "date") out.push(item.text);
        else typeError(file, item, key, spec, diagnostics);
      }
      return out;
    }
    case "ref-list": {
      const items = v.kind === "list" ? v.items : [v];
      const out: NameNode[] = [];
      for (const item of items) {
        if (item.kind === "name") out.push(item);
        else typeError(file, item, key, spec, diagnostics);
      }
      return out;
    }
  }
}

/** A scalar property value as text (numbers and booleans as written); never `[object Object]`. */
export function valueText(v: unknown): string {
  return typeof v === "string"
    ? v
    : typeof v === "number" || typeof v === "boolean"
      ? String(v)
      : JSON.stringify(v);
}
