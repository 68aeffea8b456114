import { test } from "uvu";
import * as assert from "uvu/assert";
import { compareIdTails, runRules } from "../../src/analysis/engine.js";
import { computeFacts } from "../../src/analysis/facts.js";
import { componentSubject, defineRule, type Rule, type RuleMeta } from "../../src/analysis/rule.js";
import { buildThreatGraph } from "../../src/graph/threat-graph.js";
import { inArena, scratchScope } from "../../src/graph/arena.js";
import type { Location } from "../../src/diagnostics/diagnostic.js";
import type { Subject } from "../../src/semantic/model.js";
import { frontEndOf } from "../helpers/compile.js";

/**
 * The engine keeps one finding per id (`rule:subject[:key]`), the first one reported, also across
 * rules sharing an id, and drops everything a rule reported before it threw. Output is sorted by id
 * whatever order the rules run and report in. A stage's subjects are one object per component,
 * let go as it ends.
 */

const front = frontEndOf(`zone vpc "Production VPC" { trust internal }
agent copilot "Support agent" in vpc { autonomy loop }
agent helper "Helper agent" in vpc { autonomy loop }
`);
const graph = buildThreatGraph(front.model);
const facts = computeFacts(graph);
const comp = (name: string) => front.model.components.find((c) => c.name === name)!;

function meta(id: string): RuleMeta {
  return {
    id,
    title: `test rule ${id}`,
    description: "test",
    category: "threat",
    stride: [],
    atlas: [],
    owasp: [],
    nist: [],
    cosai: [],
    likelihood: "medium",
    likelihoodBasis: "test",
    impact: "medium",
    impactBasis: "test",
    mitigations: [],
    detection: "test",
    falsePositives: "test",
    references: [],
    appliesTo: ["agent"],
  } as unknown as RuleMeta;
}

/** A rule reporting `(subject name, key, message)` in order, then optionally throwing. */
function rule(id: string, reports: [string, string | undefined, string][], fail = false): Rule {
  return defineRule(meta(id), ({ report }) => {
    for (const [name, key, message] of reports)
      report({ subject: componentSubject(comp(name)), message, facts: [], ...(key ? { key } : {}) });
    if (fail) throw new Error("boom");
  });
}

const run = (rules: Rule[]) => runRules(front.model, graph, facts, rules);

test("a repeated id keeps the first report, within a rule and across rules sharing the id", () => {
  const { value } = run([
    rule("ORG-2", [["helper", undefined, "second rule"]]),
    rule("ORG-1", [
      ["helper", "x", "first x"],
      ["copilot", undefined, "first copilot"],
      ["helper", "x", "second x"],
      ["helper", undefined, "keyless helper"],
    ]),
    rule("ORG-1", [
      ["copilot", undefined, "other rule, same id"],
      ["copilot", "y", "new key"],
    ]),
  ]);
  assert.equal(
    value.map((f) => [f.id, f.message]),
    [
      ["ORG-1:copilot", "first copilot"],
      ["ORG-1:copilot:y", "new key"],
      ["ORG-1:helper", "keyless helper"],
      ["ORG-1:helper:x", "first x"],
      ["ORG-2:helper", "second rule"],
    ],
  );
});

test("a rule that throws reports nothing, and does not hide later reports of its id", () => {
  const { value, diagnostics } = run([
    rule("ORG-1", [["copilot", undefined, "kept"]]),
    rule(
      "ORG-1",
      [
        ["helper", undefined, "dropped"],
        ["copilot", "z", "dropped too"],
      ],
      true,
    ),
    rule("ORG-1", [["helper", undefined, "after the failure"]]),
  ]);
  assert.equal(
    value.map((f) => [f.id, f.message]),
    [
      ["ORG-1:copilot", "kept"],
      ["ORG-1:helper", "after the failure"],
    ],
  );
  assert.equal(
    diagnostics.map((d) => d.code),
    ["AT4002"],
  );
});

test("ids whose rule id is a prefix of another's sort as whole ids", () => {
  const { value } = run([
    rule("ORG-10", [["copilot", undefined, "a"]]),
    rule("ORG-1", [
      ["helper", undefined, "b"],
      ["copilot", undefined, "c"],
    ]),
  ]);
  const ids = value.map((f) => f.id);
  assert.equal(ids, [...ids].sort());
  // `0` sorts before `:`, so ORG-10's findings come first.
  assert.equal(ids, ["ORG-10:copilot", "ORG-1:copilot", "ORG-1:helper"]);
});

test("a finding says each fact once, in order, however often its rule repeats it", () => {
  const c = comp("copilot");
  const at = (start: number) => ({ ...c.nameLoc, start, end: start + 3 });
  const shared = { text: "`a -> b` carries records to `b`", loc: at(10) };
  const repeating = defineRule(meta("AT-97"), ({ report }) =>
    report({
      subject: componentSubject(c),
      message: "m",
      facts: [
        shared,
        { text: "`b` holds personal data", loc: at(20) },
        shared,
        { text: "`a -> b` carries records to `b`", loc: at(10) },
        { text: "`a -> b` carries records to `b`", loc: at(30) },
      ],
    }),
  );
  const [f] = runRules(front.model, graph, facts, [repeating]).value;
  assert.equal(
    f!.facts.map((x) => `${x.text}@${x.loc.start}`),
    [
      "`a -> b` carries records to `b`@10",
      "`b` holds personal data@20",
      "`a -> b` carries records to `b`@30",
    ],
  );
});

test("a rule stage shares one subject object per component, and lets them go as it ends", () => {
  const c = comp("copilot");
  const seen: Subject[] = [];
  const sharing = defineRule(meta("ORG-3"), ({ report }) => {
    seen.push(componentSubject(c), componentSubject(c));
    report({ subject: seen[0]!, message: "m", facts: [] });
  });
  const { value } = run([sharing]);
  assert.is(seen[1], seen[0]);
  assert.equal(
    value.map((f) => f.id),
    ["ORG-3:copilot"],
  );
  // Let go: a later stage's object is a new one, alike.
  const later = componentSubject(c);
  assert.is.not(later, seen[0]);
  assert.equal(later, seen[0]);
});

/** The id tail as the engine made it when findings kept their ids: `name`, then `:key` if any. */
const tail = (name: string, key: string): string => (key === "" ? name : `${name}:${key}`);
const sign = (x: number): number => (x < 0 ? -1 : x > 0 ? 1 : 0);
const byString = (a: string, b: string): number => (a < b ? -1 : a > b ? 1 : 0);

test("records compare as their id strings would (names that are prefixes of others, keys)", () => {
  const cases: [string, string, string, string][] = [
    ["a", "", "a", "k"],
    ["a", "k", "a-b", ""],
    ["a", "", "a-b", ""],
    ["a", "k", "a:k", ""],
    ["a", "k", "a:k", "x"],
    ["a", "k:x", "a:k", "x"],
    ["a", "", "a:", ""],
    ["a.b", "", "a", "b"],
    ["ab", "", "a", "b"],
    ["a", "b", "a", "b"],
  ];
  for (const [n1, k1, n2, k2] of cases) {
    const want = sign(byString(tail(n1, k1), tail(n2, k2)));
    assert.is(sign(compareIdTails(n1, k1, n2, k2)), want, `${tail(n1, k1)} vs ${tail(n2, k2)}`);
    assert.is(sign(compareIdTails(n2, k2, n1, k1)), -want, `${tail(n2, k2)} vs ${tail(n1, k1)}`);
  }
  // Random names and keys over an alphabet around ':' (58) and '-' (45), with a code above 0xffff.
  const alphabet = ["a", "b", ":", "-", ".", "_", "9", "\u00e9", "\u{1f600}", "A"];
  let seed = 7;
  const rand = (n: number): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31), seed % n);
  const word = (max: number): string => {
    let w = "";
    const n = rand(max + 1);
    for (let i = 0; i < n; i++) w += alphabet[rand(alphabet.length)]!;
    return w;
  };
  for (let t = 0; t < 20000; t++) {
    const n1 = "a" + word(4);
    const n2 = rand(3) === 0 ? n1 + word(3) : "a" + word(4);
    const k1 = rand(2) === 0 ? "" : "k" + word(3);
    const k2 = rand(2) === 0 ? "" : "k" + word(3);
    const want = sign(byString(tail(n1, k1), tail(n2, k2)));
    assert.is(sign(compareIdTails(n1, k1, n2, k2)), want, `${tail(n1, k1)} vs ${tail(n2, k2)}`);
  }
});

test("records spread over several chunks keep every field, and a rule that throws past a chunk's end drops its records", () => {
  // 8,192 records a chunk: the first rule fills two and part of a third, the failing one starts in
  // the third and runs into a fourth, the last writes over what it left.
  const many = (n: number, tag: string): [string, string | undefined, string][] =>
    Array.from({ length: n }, (_, i) => [i % 2 ? "copilot" : "helper", `k${i}`, `${tag} ${i}`]);
  const rules = [
    rule("ORG-1", many(20_000, "one")),
    rule("ORG-2", many(10_000, "dropped"), true),
    rule("ORG-3", many(5_000, "three")),
  ];
  const check = (value: ReturnType<typeof run>["value"]): void => {
    assert.is(value.length, 25_000);
    const byId = new Map(value.map((f) => [f.id, f]));
    for (let i = 0; i < 20_000; i++) {
      const f = byId.get(`ORG-1:${i % 2 ? "copilot" : "helper"}:k${i}`)!;
      assert.is(f.message, `one ${i}`);
      assert.is(f.severity, "medium");
      assert.is(f.status, "open");
    }
    for (let i = 0; i < 5_000; i++)
      assert.is(byId.get(`ORG-3:${i % 2 ? "copilot" : "helper"}:k${i}`)!.message, `three ${i}`);
  };
  check(run(rules).value);
  // In a rule stage's reservation, as compile runs it (the chunks come from it).
  check(inArena(1 << 22, () => run(rules).value, undefined, true));
});

test("facts kept as numbers read back as reported: shared objects, equal texts, long texts, chunks and a rule that throws", () => {
  // Facts are kept as numbers in a table of distinct fact objects (their texts joined). Over 65,536 fact
  // entries (the lists' chunk), so the numbers span chunks; one object shown by many findings (one
  // number), objects with one text at several places, texts past a joined string's length, characters
  // outside Latin-1, and a failing rule whose facts are read by no one.
  const c = comp("copilot");
  const at = (start: number) => ({ ...c.nameLoc, start, end: start + 1 });
  const shared = { text: "`a -> b` carries records to `b` \u{1F600}", loc: at(1) };
  const long = { text: "x".repeat(300_000) + "é", loc: at(2) };
  // A copy of a fact already shown, made with a spread (it carries what the original was given, but
  // says something else), is a fact of its own.
  const factsOf = (i: number) =>
    i % 97 === 0
      ? [long, shared, { text: `own ${i}`, loc: at(3) }]
      : i % 89 === 0
        ? [shared, { ...shared, text: `copy ${i}` }]
        : [shared, { text: `own ${i}`, loc: at(i % 5) }, { text: "`b` holds personal data", loc: at(i % 7) }];
  const reporting = (id: string, n: number, tag: string, fail = false): Rule =>
    defineRule(meta(id), ({ report }) => {
      for (let i = 0; i < n; i++)
        report({ subject: componentSubject(c), key: `k${i}`, message: `${tag} ${i}`, facts: factsOf(i) });
      if (fail) throw new Error("boom");
    });
  const rules = [
    reporting("ORG-1", 25_000, "one"),
    reporting("ORG-2", 10_000, "two", true),
    reporting("ORG-3", 5_000, "three"),
  ];
  const check = (value: ReturnType<typeof run>["value"]): void => {
    assert.is(value.length, 30_000);
    for (const f of value) {
      const i = Number(f.key!.slice(1));
      const want = factsOf(i);
      assert.is(f.facts.length, want.length);
      for (let j = 0; j < want.length; j++) {
        assert.is(f.facts[j]!.text, want[j]!.text);
        assert.equal(f.facts[j]!.loc, want[j]!.loc);
        assert.equal(Object.keys(f.facts[j]!), ["text", "loc"]);
      }
    }
  };
  check(run(rules).value);
  check(inArena(1 << 24, () => run(rules).value, undefined, true));
});

test("a fact a rule keeps says the same once its text is sealed into the joined strings", () => {
  // As the table seals a joined string, each fact numbered into it is pointed at its characters
  // there (an equal string). Texts of every length up to a few hundred characters and past a seal's
  // size in all, kept by the rule (a library cache) and read again after the stage.
  const c = comp("copilot");
  const textOf = (i: number) => `\`t${i}\` ${"carries records ".repeat(i % 23)}to \`b${i}\``;
  const kept = Array.from({ length: 6000 }, (_, i) => ({ text: textOf(i), loc: c.nameLoc }));
  const keeping = defineRule(meta("ORG-1"), ({ report }) => {
    for (let i = 0; i < kept.length; i++)
      report({
        subject: componentSubject(c),
        key: `k${i}`,
        message: `m ${i}`,
        facts: [kept[i]!, kept[(i * 7 + 1) % kept.length]!],
      });
  });
  const { value } = run([keeping]);
  assert.is(value.length, kept.length);
  for (let i = 0; i < kept.length; i++) assert.is(kept[i]!.text, textOf(i));
  for (const f of value) {
    const i = Number(f.key!.slice(1));
    assert.equal(
      f.facts.map((x) => x.text),
      [textOf(i), textOf((i * 7 + 1) % kept.length)],
    );
  }
});

test("a frozen fact (a constant a rule keeps) is shown by every finding that reports it", () => {
  // A fact object is given its number under symbol keys; one that takes no new keys keeps its
  // number in a map of the table's, never a failed rule.
  const c = comp("copilot");
  const constant = Object.freeze({ text: "`copilot` runs unattended", loc: c.nameLoc });
  const frozenRule = defineRule(meta("ORG-1"), ({ report }) => {
    for (let i = 0; i < 3; i++)
      report({ subject: componentSubject(c), key: `k${i}`, message: `m ${i}`, facts: [constant, constant] });
  });
  const { value, diagnostics } = run([frozenRule]);
  assert.equal(diagnostics, []);
  assert.is(value.length, 3);
  for (const f of value) assert.equal(f.facts, [{ text: constant.text, loc: constant.loc }]);
});

test("a rule that reports inside a scratchScope (its records' chunk given back) stops loudly, not with rows written over", () => {
  // The first report takes the records' first chunk inside the scope, which gives it back: the next
  // report fails the rule (AT4002), and the rows are never read.
  const scoped = defineRule(meta("ORG-1"), ({ report }) => {
    const draft = (name: string) => ({ subject: componentSubject(comp(name)), message: name, facts: [] });
    scratchScope(() => report(draft("helper")));
    report(draft("copilot"));
  });
  assert.throws(() => inArena(1 << 22, () => run([scoped])), /given back to the arena while in use/);
  // Outside an arena the chunks are plain arrays: nothing to give back.
  assert.is(run([scoped]).value.length, 2);
});

/**
 * What the records keep once for many findings read back as each finding reported it: mitigation
 * lists (one per distinct list), keys (one per distinct key) and fact locations (numbers, with the
 * file of each).
 */

const shared = frontEndOf(`zone vpc "Production VPC" { trust internal }
agent copilot "Support agent" in vpc { autonomy loop  controls [sandbox, least_privilege, human_approval] }
agent helper "Helper agent" in vpc { autonomy loop  controls [sandbox] }
`);
const sharedGraph = buildThreatGraph(shared.model);
const sharedFacts = computeFacts(sharedGraph);
const sharedComp = (name: string) => shared.model.components.find((c) => c.name === name)!;

const sharedMeta: RuleMeta = {
  ...meta("ORG-1"),
  mitigations: ["sandbox", "least_privilege", "human_approval"],
};

test("shared mitigation lists, keys and fact locations read back per finding", () => {
  const copilot = sharedComp("copilot");
  const helper = sharedComp("helper");
  // A second file: a fact's location keeps its own file.
  const other = { ...copilot.nameLoc.file, path: "other.ait" } as Location["file"];
  // Each kind of draft: its message, subject, the mitigations it names and the controls it shows. The
  // shorter list comes first, and two lists differ only in their second control.
  const kinds = [
    { message: "one", subject: copilot, mitigations: ["sandbox"], want: ["copilot.sandbox"] },
    {
      message: "both",
      subject: copilot,
      mitigations: ["sandbox", "least_privilege"],
      want: ["copilot.sandbox", "copilot.least_privilege"],
    },
    {
      message: "other",
      subject: copilot,
      mitigations: ["sandbox", "human_approval"],
      want: ["copilot.sandbox", "copilot.human_approval"],
    },
    { message: "helper's", subject: helper, mitigations: ["sandbox"], want: ["helper.sandbox"] },
  ];
  const rule = defineRule(sharedMeta, ({ report }) => {
    for (let i = 0; i < 6; i++) {
      const loc: Location = { file: i % 2 ? other : copilot.nameLoc.file, start: i, end: i + 2 };
      const fact = { text: `fact ${i}`, loc };
      for (const { message, subject, mitigations } of kinds)
        report({
          subject: componentSubject(subject),
          key: `${message}-${i % 3}-${i}`,
          message,
          facts: [fact],
          mitigations,
        });
    }
  });
  const { value } = runRules(shared.model, sharedGraph, sharedFacts, [rule]);
  assert.is(value.length, 24);
  const numbers = new Map<string, number>();
  for (let i = 0; i < value.length; i++) {
    const f = value.at(i)!;
    const want = kinds.find((k) => k.message === f.message)!.want;
    assert.equal(
      f.mitigatedBy.map((u) => `${f.subjectName}.${u.name}`),
      want,
    );
    // Findings mitigated by the same controls share one list; different lists stay apart.
    const k =
      numbers.get(want.join()) ?? numbers.set(want.join(), value.mitigationsNumber(i)).get(want.join())!;
    assert.is(value.mitigationsNumber(i), k);
    const n = Number(/\d+$/.exec(f.key!)![0]);
    assert.is(f.key, `${f.message}-${n % 3}-${n}`);
    const file = n % 2 ? other : copilot.nameLoc.file;
    assert.equal(f.facts, [{ text: `fact ${n}`, loc: { file, start: n, end: n + 2 } }]);
    assert.is(value.factLocation(i, 0).file, file);
  }
  assert.is(new Set(numbers.values()).size, 4);
});

test.run();
