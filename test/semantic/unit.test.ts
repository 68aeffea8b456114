/**
 * A unit must read back exactly what was written, field for field, for every record kind: the
 * writer packs integers as varints and source offsets as differences, so values of every size
 * (one byte to five, -1 for "absent", offsets that go backwards) and sections written interleaved
 * are round-tripped here. Writers on one thread share scratch buffers: a unit written after another
 * must not see anything of the first.
 */
import { test } from "uvu";
import * as assert from "uvu/assert";
import { unitSections } from "../helpers/units.js";
import {
  PROP_KEY_INDEX,
  UnitReader,
  UnitWriter,
  type AcceptDraft,
  type AssetDraft,
  type ComponentDraft,
  type ControlDraft,
  type DataDraft,
  type DeclDraft,
  type FlowDraft,
  type ImportDraft,
  type SystemDraft,
  type ZoneDraft,
} from "../../src/semantic/unit.js";

/** Offsets from one byte to the largest a 64 MB file has, and one near the 32-bit limit. */
const BIG = 2 ** 31 - 2;
const ref = (text: string, start: number, end = start + text.length) => ({ text, start, end });
const key = (k: string) => PROP_KEY_INDEX.get(k)!;

const system: SystemDraft = {
  title: "Payments",
  start: 0,
  end: 70_000,
  owner: "team-pay",
  version: undefined,
  description: "",
  contact: undefined,
  repository: "git@x:y",
};

const zone: ZoneDraft = {
  head: { name: ref("dmz", 130), kwStart: 125, kwEnd: 129, start: 125, end: 200, title: "DMZ" },
  parent: undefined,
  enclosing: -1,
  trust: "untrusted",
  hasTrust: true,
  description: undefined,
  owner: undefined,
  spans: [key("trust"), 140, 160],
};

const data: DataDraft = {
  head: {
    name: undefined,
    kwStart: 3_000_000,
    kwEnd: 3_000_004,
    start: 3_000_000,
    end: 3_000_090,
    title: undefined,
  },
  classification: "personal",
  crown: ["confidentiality", "integrity"],
  regulated: [],
  description: "card numbers",
  owner: "dpo",
  spans: [key("classification"), 3_000_010, 3_000_030, -1, 3_000_031, 3_000_040],
};

const control: ControlDraft = {
  head: { name: ref("waf", 900), kwStart: 890, kwEnd: 897, start: 890, end: 1200, title: "WAF" },
  mitigates: ["AT-01", "AT-02"],
  atlas: ["AML.M0015"],
  cost: 2.5,
  description: undefined,
  owner: undefined,
  ruleRefs: [ref("AT-01", 950), ref("AT-02", 960)],
  atlasRefs: [ref("AML.M0015", 980)],
  spans: [],
};

const component: ComponentDraft = {
  head: {
    name: ref("api", BIG - 40),
    kwStart: BIG - 50,
    kwEnd: BIG - 41,
    start: BIG - 50,
    end: BIG,
    title: "API",
  },
  kind: "service",
  parent: ref("dmz", 12),
  enclosing: 0,
  trust: undefined,
  description: "the front door",
  owner: "team-pay",
  holds: [ref("cards", 5), ref("tokens", 200_000_000)],
  controls: [],
  crown: [],
  tags: ["pci", "public"],
  stateless: false,
  props: [
    ["port", 443],
    ["public", true],
    ["protocols", ["https", "grpc"]],
    ["runtime", "node"],
    ["replicas", -3],
  ],
  implied: [{ control: "rate_limit", impliedBy: "rate_limit", start: 70, end: 60 }],
  spans: [key("kind"), BIG - 30, BIG - 20, key("owner"), 1, 2],
};

const flow = (name: string | undefined, at: number): FlowDraft => ({
  name: name === undefined ? undefined : ref(name, at),
  from: ref("api", at + 10),
  to: ref("", 0, 0),
  start: at,
  end: at + 80,
  title: undefined,
  kind: "request",
  description: undefined,
  auth: "mtls",
  encrypted: true,
  controls: [ref("waf", at + 40)],
  carries: [],
  implied: [],
  spans: [key("kind"), at + 20, at + 35],
});

const asset: AssetDraft = {
  target: ref("cards", 5000),
  start: 4990,
  end: 5020,
  crown: true,
  cia: ["availability"],
};

const accept: AcceptDraft = {
  rule: ref("AT-07", 6000),
  target: ref("api", 6010),
  start: 5990,
  end: 6100,
  reason: "legacy",
  owner: undefined,
  expires: undefined,
  ticket: "SEC-1",
  expiresStart: -1,
  expiresEnd: -1,
};

const imported: ImportDraft = {
  spec: "../shared/zones",
  triple: false,
  start: 0,
  end: 24,
  pathStart: 7,
  pathEnd: 24,
};

const decl = (name: string, at: number): DeclDraft => ({
  category: "component",
  index: at,
  name: ref(name, at),
  detail: undefined,
});

/** Every section read back. */
const readAll = unitSections;

test("every record kind reads back what was written, with sections written interleaved", () => {
  const w = new UnitWriter();
  // Interleaved as a file's statements are: each section keeps its own order and offsets.
  w.import(imported);
  w.system(system);
  w.decl(decl("dmz", 130));
  w.zone(zone);
  w.flow(flow(undefined, 10_000));
  w.decl(decl("api", BIG - 40));
  w.component(component);
  w.data(data);
  w.flow(flow("reply", 400));
  w.control(control);
  w.flow(flow(undefined, 300));
  w.asset(asset);
  w.accept(accept);
  const unit = w.finish();
  assert.equal(readAll(unit), {
    decls: [decl("dmz", 130), decl("api", BIG - 40)],
    systems: [system],
    zones: [zone],
    data: [data],
    controls: [control],
    components: [component],
    flows: [flow(undefined, 10_000), flow("reply", 400), flow(undefined, 300)],
    assets: [asset],
    accepts: [accept],
    imports: [imported],
  });
  const counts = UnitReader.counts(unit);
  assert.equal(counts, { zones: 1, components: 1, data: 1, controls: 1, flows: 3, unnamedFlows: 2 });
  // Varints: far less than 4 bytes an integer for this mix of small values and offsets.
  assert.ok(unit.bytes.length < 400, `${unit.bytes.length} bytes`);
});

test("a unit written after another (same scratch) holds only its own records and strings", () => {
  const first = new UnitWriter();
  for (let i = 0; i < 5000; i++)
    first.component({ ...component, head: { ...component.head, title: `c${i}` } });
  const a = first.finish();
  const second = new UnitWriter();
  second.component(component);
  second.flow(flow(undefined, 7));
  const b = second.finish();
  assert.equal(readAll(b).components, [component]);
  assert.equal(readAll(b).flows, [flow(undefined, 7)]);
  assert.ok(!b.strings.some((s) => /^c\d+$/.test(s)), "a string of the first unit");
  // The first unit is untouched by the writer that reused its buffers.
  const again = readAll(a).components;
  assert.is(again.length, 5000);
  assert.is(again[4999]!.head.title, "c4999");
  assert.equal(again[0], { ...component, head: { ...component.head, title: "c0" } });
});

test("a writer finishes once: a second finish throws instead of reading the next writer's buffers", () => {
  const w = new UnitWriter();
  w.component(component);
  const unit = w.finish();
  assert.throws(() => w.finish(), /finish called twice/);
  assert.equal(readAll(unit).components, [component]);
});

test("five-byte varints read back wherever a section's buffer fills up", () => {
  // Writers made while another is unfinished start with fresh section buffers, which grow as they
  // fill. A record of three five-byte varints (18 bytes) after small records of 6 and 7 bytes: over
  // the 18 writers the records fall at every position against the buffer's end.
  const first = new UnitWriter();
  const writers = Array.from({ length: 18 }, () => new UnitWriter());
  const big = (i: number): DeclDraft => ({
    category: "control",
    index: 2 ** 30 + i,
    name: ref("n", 2 ** 30, 0),
    detail: undefined,
  });
  const units = writers.map((w, shift) => {
    const pads: DeclDraft[] = [];
    const sevens = [0, 1, 2, 3, 4, 5].find((b) => (30 + shift - 7 * b) % 6 === 0)!;
    for (let b = 0; b < sevens; b++) pads.push({ ...decl("p", 0), index: 64, name: ref("p", 0, 0) });
    for (let a = 0; a < (30 + shift - 7 * sevens) / 6; a++)
      pads.push({ ...decl("p", 0), name: ref("p", 0, 0) });
    const all = [...pads, ...Array.from({ length: 200 }, (_, i) => big(i))];
    for (const d of all) w.decl(d);
    return { unit: w.finish(), all };
  });
  first.finish();
  for (const [shift, { unit, all }] of units.entries())
    assert.equal(readAll(unit).decls, all, `shift ${shift}`);
});

test.run();
