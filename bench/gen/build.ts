/**
 * Builds each generated file's intermediate form from the plan: the three shared files, one file per
 * system, and the link files that hold cross-system flows. Each builder reads only the plan and its
 * own random streams, so files can be produced one at a time and dropped after rendering.
 */
import { CLASSIFICATIONS } from "../../src/semantic/vocabulary.js";
import {
  componentName,
  dataCount,
  LINK_GROUP,
  ORG_DATA,
  roleCounts,
  systemName,
  systemRng,
  type Plan,
} from "./plan.js";
import type { Rng } from "./random.js";
import {
  conformProps,
  CROSS_PATTERNS,
  INTRA_PATTERNS,
  ORG_CONTROLS,
  PRIMARY,
  ROLE_INDEX,
  ROLES,
  SHARED_PATTERNS,
  SHARED_PROVIDER_TYPES,
  ZONES,
  type FlowPattern,
} from "./roles.js";
import type { GenAsset, GenComponent, GenDecl, GenFile, GenFlow, GenZone, Props, Value } from "./shape.js";

/** Paths of the shared files, relative to the model root. */
export const SHARED_PATHS = {
  zones: "shared/zones.aithreat",
  providers: "shared/providers.aithreat",
  data: "shared/data.aithreat",
} as const;

/** Path of system `i`'s file. */
export function systemPath(plan: Plan, i: number): string {
  return `systems/${systemName(plan, i)}.aithreat`;
}

/** Path of link file `g` (cross-system flows of systems g*16 .. g*16+15). */
export function linkPath(plan: Plan, g: number): string {
  return `links/l${String(g).padStart(Math.max(3, String(plan.linkFiles - 1).length), "0")}.aithreat`;
}

const empty = { data: [], controls: [], zones: [], components: [], assets: [], flows: [] } as const;

/** `shared/zones.aithreat`: the five organisation-wide trust zones. */
export function buildZonesFile(): GenFile {
  return {
    ...empty,
    path: SHARED_PATHS.zones,
    comment: "Organisation-wide trust zones; every system nests its own zones inside these.",
    imports: [],
    zones: ZONES.map((z) => ({
      name: z.name,
      title: z.title,
      props: [["trust", z.trust]],
      components: [],
    })),
  };
}

/** `shared/data.aithreat`: org-wide data assets and user-defined controls. */
export function buildDataFile(): GenFile {
  return {
    ...empty,
    path: SHARED_PATHS.data,
    comment: "Organisation-wide data assets and controls.",
    imports: [],
    data: ORG_DATA.map((d) => ({
      name: d.name,
      title: d.title,
      props: [
        ["classification", d.classification],
        ["owner", { text: "data-governance" }],
      ],
    })),
    controls: ORG_CONTROLS.map((c) => ({
      name: c.name,
      title: c.title,
      props: [
        ["atlas", c.atlas],
        ["cost", c.cost],
        ["owner", { text: "secops" }],
      ],
    })),
  };
}

/** `shared/providers.aithreat`: the public model hub, the package registry and shared API providers. */
export function buildProvidersFile(plan: Plan): GenFile {
  const components: GenComponent[] = [
    {
      kind: "registry",
      name: plan.hub,
      title: "Public model hub",
      parent: "internet",
      props: [
        ["type", "model"],
        ["origin", "public"],
        ["verified", false],
      ],
    },
    {
      kind: "registry",
      name: plan.pkgs,
      title: "Public package index",
      parent: "internet",
      props: [
        ["type", "package"],
        ["origin", "public"],
        ["verified", false],
      ],
    },
  ];
  let k = 0;
  // Interleave types so the file reads like an inventory, and every org data asset has a holder.
  const lists = SHARED_PROVIDER_TYPES.map((t) => plan.providers.get(t)!);
  for (let round = 0; ; round++) {
    let any = false;
    for (let t = 0; t < lists.length; t++) {
      const name = lists[t]![round];
      if (name === undefined) continue;
      any = true;
      components.push({
        kind: "provider",
        name,
        title: `${SHARED_PROVIDER_TYPES[t]} vendor ${round}`,
        parent: "partner",
        props: [
          ["type", SHARED_PROVIDER_TYPES[t]!],
          ["trains_on_inputs", (k & 3) === 0],
          ["retention", (["none", "limited", "standard"] as const)[k % 3]!],
          ["holds", [ORG_DATA[k % ORG_DATA.length]!.name]],
        ],
      });
      k++;
    }
    if (!any) break;
  }
  return {
    ...empty,
    components: components.map((c) => ({ ...c, props: conformProps(c.kind, c.props) })),
    path: SHARED_PATHS.providers,
    comment: "Shared third parties: the public model hub, the package index and API providers.",
    imports: ["./zones.aithreat", "./data.aithreat"],
  };
}

// Classifications weighted toward the sensitive end, as real inventories of AI data are.
const CLASS_WEIGHTS = [1, 3, 3, 4, 2, 1];
const CLASS_TOTAL = CLASS_WEIGHTS.reduce((a, b) => a + b, 0);
const MOVES_DATA = new Set(["copy", "train", "produce", "read", "write", "ingest", "retrieve", "feedback"]);
const CIA_CHOICES: readonly (readonly string[])[] = [
  ["confidentiality"],
  ["integrity"],
  ["confidentiality", "integrity"],
  ["availability"],
];

/** Everything a system's flows need: component names by role, with per-system data. */
interface SystemNames {
  readonly counts: Int32Array;
  readonly data: readonly string[];
  name(stem: string, k: number): string;
}

/** Extra flow properties: sometimes carried data, authentication, encryption or a control. */
function flowProps(rng: Rng, kind: string, data: readonly string[]): Props {
  const props: [string, Value][] = [["kind", kind]];
  if (MOVES_DATA.has(kind) && rng.chance(0.25)) props.push(["carries", [rng.pick(data)]]);
  if (rng.chance(0.12)) props.push(["auth", rng.pick(["mtls", "oauth", "iam", "api_key"])]);
  if (rng.chance(0.15)) props.push(["encrypted", true]);
  if (rng.chance(0.06))
    props.push(["controls", [rng.pick(["encryption_in_transit", "org_dlp", "audit_log"])]]);
  return props;
}

/** One system's file: its data, nested zones with components, crown jewels and own flows. */
export function buildSystemFile(plan: Plan, i: number): GenFile {
  const rng = systemRng(plan, i, "system");
  const sys = systemName(plan, i);
  const size = plan.sizes[i]!;
  const counts = roleCounts(size);
  const nData = dataCount(size);
  const team = { text: `team-${sys}` };
  const names: SystemNames = {
    counts,
    data: Array.from({ length: nData }, (_, k) => `${sys}_data${k}`),
    name: (stem, k) => `${sys}_${stem}${k}`,
  };

  // Crown jewels alternate between data (by its `crown` property) and components (by `asset`).
  const crownCount = plan.crowns[i]!;
  const crownData = new Map<number, readonly string[]>();
  const assets: GenAsset[] = [];
  const crownables = ["model", "ep", "db", "vs", "ds"].flatMap((stem) =>
    Array.from({ length: counts[ROLE_INDEX.get(stem)!]! }, (_, k) => names.name(stem, k)),
  );
  for (let t = 0, d = 0, c = 0; t < crownCount; t++) {
    if ((t % 2 === 0 && d < nData) || c >= crownables.length) {
      crownData.set(d++, rng.pick(CIA_CHOICES.slice(0, 3)));
    } else {
      assets.push({ target: crownables[c++]!, crown: rng.pick(CIA_CHOICES) });
    }
  }
  if (crownData.size + assets.length !== crownCount)
    throw new Error(`system ${sys} cannot hold ${crownCount} crown jewels`);

  const data: GenDecl[] = names.data.map((name, k) => {
    const cls = CLASSIFICATIONS[rng.weighted(CLASS_WEIGHTS, CLASS_TOTAL)]!;
    const props: [string, Value][] = [["classification", cls]];
    const crown = crownData.get(k);
    if (crown) props.push(["crown", crown]);
    if (cls === "personal" && rng.chance(0.5)) props.push(["regulated", ["GDPR"]]);
    return { name, title: `${sys} records ${k}`, props };
  });

  // Components, grouped into the system's own zones nested in the shared ones.
  const byZone: GenComponent[][] = ZONES.map(() => []);
  const dsRole = ROLE_INDEX.get("ds")!;
  const nDs = counts[dsRole]!;
  for (let r = 0; r < ROLES.length; r++) {
    const role = ROLES[r]!;
    for (let k = 0; k < counts[r]!; k++) {
      const props: (readonly [string, Value])[] = [...role.props(rng)];
      if (role.holder) {
        const holds = new Set<string>();
        // Every system data asset is held by a dataset (k-th data by dataset k mod count), so none is orphaned.
        if (r === dsRole) for (let d = k; d < nData; d += nDs) holds.add(names.data[d]!);
        if (rng.chance(0.4)) holds.add(rng.pick(names.data));
        if (rng.chance(0.1)) holds.add(rng.pick(ORG_DATA).name);
        if (holds.size > 0) props.push(["holds", [...holds]]);
      }
      if (role.controls.length > 0 && rng.chance(0.25)) {
        const picked = rng.sample(role.controls, 1 + rng.int(2));
        if (rng.chance(0.1)) picked.push(rng.pick(ORG_CONTROLS).name);
        props.push(["controls", picked]);
      }
      if (rng.chance(0.3)) props.push(["owner", team]);
      if (rng.chance(0.1))
        props.push(["description", { text: `${role.noun} ${k} of ${sys}, generated for benchmarks.` }]);
      byZone[role.zone(rng)]!.push({
        kind: role.kind,
        name: names.name(role.stem, k),
        title: `${role.noun} ${k}`,
        props: conformProps(role.kind, props),
      });
    }
  }
  const flows = buildOwnFlows(plan, i, rng, names);
  const trained = ownTrainedModels(byZone, flows);
  const unauthenticated = overruledActors(byZone, flows);

  const zones: GenZone[] = [];
  for (let z = 0; z < ZONES.length; z++) {
    if (byZone[z]!.length === 0) continue;
    zones.push({
      name: `${sys}_${ZONES[z]!.suffix}`,
      title: `${sys} ${ZONES[z]!.title.toLowerCase()}`,
      parent: ZONES[z]!.name,
      props: [],
      components: byZone[z]!.map((c) =>
        trained.has(c.name) ? withOwnOrigin(c) : unauthenticated.has(c.name) ? withoutAuthentication(c) : c,
      ),
    });
  }

  return {
    path: systemPath(plan, i),
    comment: `System ${i} of ${plan.systems}: a generated AI pipeline (seed ${plan.seed}).`,
    imports: [`../${SHARED_PATHS.zones}`, `../${SHARED_PATHS.providers}`, `../${SHARED_PATHS.data}`],
    system: {
      name: sys,
      title: `System ${i}`,
      props: [
        ["owner", team],
        ["version", { text: `1.${i % 10}.${rng.int(20)}` }],
      ],
    },
    data,
    controls: [],
    zones,
    components: [],
    assets,
    flows,
  };
}

/**
 * Models a training pipeline of the system produces: weights the team makes, which a third-party
 * origin (`public_hub`, `vendor`) would contradict (AT3019). Found once the flows are drawn, and
 * fixed without drawing again, so every random stream, and so the rest of the model, stays the same.
 */
function ownTrainedModels(byZone: readonly GenComponent[][], flows: readonly GenFlow[]): Set<string> {
  const byName = new Map<string, GenComponent>();
  for (const list of byZone) for (const c of list) byName.set(c.name, c);
  const prop = (props: Props | undefined, key: string) => props?.find(([k]) => k === key)?.[1];
  const out = new Set<string>();
  for (const f of flows) {
    if (prop(f.props, "kind") !== "produce") continue;
    const from = byName.get(f.from);
    const to = byName.get(f.to);
    const type = prop(from?.props, "type");
    const origin = prop(to?.props, "origin");
    if (from?.kind === "pipeline" && (type === "training" || type === "fine_tuning") && to?.kind === "model")
      if (origin === "public_hub" || origin === "vendor") out.add(f.to);
  }
  return out;
}

/**
 * Actors that say `authenticated true` but reach, over a flow that states no `auth`, an app, endpoint
 * or MCP server that declares `auth none` (or over a flow that declares it), which AT3023 warns
 * about: the component takes anyone, so the actor reaches it unauthenticated. Fixed without drawing
 * again (`authenticated false`), like `ownTrainedModels`.
 */
function overruledActors(byZone: readonly GenComponent[][], flows: readonly GenFlow[]): Set<string> {
  const byName = new Map<string, GenComponent>();
  for (const list of byZone) for (const c of list) byName.set(c.name, c);
  const prop = (props: Props | undefined, key: string) => props?.find(([k]) => k === key)?.[1];
  const out = new Set<string>();
  for (const f of flows) {
    const from = byName.get(f.from);
    if (from?.kind !== "actor" || prop(from.props, "authenticated") !== true) continue;
    const auth = prop(f.props, "auth");
    const to = byName.get(f.to);
    const withAuth = to?.kind === "app" || to?.kind === "endpoint" || to?.kind === "mcp_server";
    if (auth === "none" || (auth === undefined && withAuth && prop(to.props, "auth") === "none"))
      out.add(f.from);
  }
  return out;
}

/** An actor with `authenticated false` in place of `authenticated true`. */
const withoutAuthentication = (c: GenComponent): GenComponent => ({
  ...c,
  props: c.props.map(([k, v]) => (k === "authenticated" ? ([k, false] as const) : ([k, v] as const))),
});

/** A model with `origin fine_tuned` in place of its third-party origin. */
const withOwnOrigin = (c: GenComponent): GenComponent => ({
  ...c,
  props: c.props.map(([k, v]) => (k === "origin" ? ([k, "fine_tuned"] as const) : ([k, v] as const))),
});

const INTRA_WEIGHTS = INTRA_PATTERNS.map((x) => x.weight);
const SHARED_WEIGHTS = SHARED_PATTERNS.map((x) => x.weight);
const INTRA_TOTAL = INTRA_WEIGHTS.reduce((a, b) => a + b, 0);
const SHARED_TOTAL = SHARED_WEIGHTS.reduce((a, b) => a + b, 0);
// Flows to shared providers are a small fraction of a system's own flows.
const SHARED_SHARE = 0.08;

function buildOwnFlows(plan: Plan, i: number, rng: Rng, names: SystemNames): GenFlow[] {
  const budget = plan.ownFlows[i]!;
  const flows: GenFlow[] = [];
  const seen = new Set<string>();
  const add = (from: string, to: string, kind: string, title: string): boolean => {
    if (from === to) return false;
    const key = `${from}>${to}`;
    if (seen.has(key)) return false;
    seen.add(key);
    flows.push({ from, to, title, props: flowProps(rng, kind, names.data) });
    return true;
  };
  const count = (stem: string) => names.counts[ROLE_INDEX.get(stem)!]!;
  const any = (stem: string) => names.name(stem, rng.int(count(stem)));
  // The shared component a system uses for each provider type: spread so every provider is used.
  const sharedOf = (shared: string): string => {
    if (shared === "hub") return plan.hub;
    if (shared === "pkgs") return plan.pkgs;
    const list = plan.providers.get(shared)!;
    return list[i % list.length]!;
  };
  const addPattern = (x: FlowPattern, from = any(x.from), to = any(x.to)) => add(from, to, x.kind, x.title);
  const addShared = (x: (typeof SHARED_PATTERNS)[number]) => {
    const mine = any(x.role);
    const theirs = sharedOf(x.shared);
    return x.inbound ? add(theirs, mine, x.kind, x.title) : add(mine, theirs, x.kind, x.title);
  };

  // Two loops every system has: production feedback into training, and agent memory write-back.
  add(names.name("ds", 0), names.name("train", 0), "train", "train");
  add(names.name("train", 0), names.name("model", 0), "produce", "publish weights");
  add(names.name("model", 0), names.name("ep", 0), "serve", "serve");
  add(names.name("ep", 0), names.name("ds", 0), "feedback", "production feedback");
  add(names.name("vs", 0), names.name("agent", 0), "retrieve", "retrieve context");
  add(names.name("agent", 0), names.name("vs", 0), "ingest", "remember");

  // Every component on at least one flow of its layer.
  for (const role of ROLES) {
    const primary = PRIMARY.get(role.stem)!;
    for (let k = 0; k < count(role.stem); k++) {
      const me = names.name(role.stem, k);
      for (let attempt = 0; attempt < 8; attempt++) {
        const ok =
          primary.side === "from"
            ? addPattern(primary.pattern, me, any(primary.pattern.to))
            : addPattern(primary.pattern, any(primary.pattern.from), me);
        if (ok) break;
      }
    }
  }
  // Every shared component type this system relies on, once.
  const seenShared = new Set<string>();
  for (const x of SHARED_PATTERNS) {
    if (seenShared.has(x.shared)) continue;
    seenShared.add(x.shared);
    for (let attempt = 0; attempt < 8 && !addShared(x); attempt++);
  }
  if (flows.length > budget)
    throw new Error(`system ${i}: ${flows.length} structural flows exceed its budget of ${budget}`);

  // The rest drawn by pattern weight until the budget is met exactly.
  let misses = 0;
  while (flows.length < budget) {
    const ok = rng.chance(SHARED_SHARE)
      ? addShared(SHARED_PATTERNS[rng.weighted(SHARED_WEIGHTS, SHARED_TOTAL)]!)
      : addPattern(INTRA_PATTERNS[rng.weighted(INTRA_WEIGHTS, INTRA_TOTAL)]!);
    if (!ok && ++misses > budget * 50)
      throw new Error(`system ${i}: cannot place ${budget} distinct flows; make systems larger`);
  }
  return flows;
}

/** Link file `g`: the cross-system flows owned by systems g*16 .. g*16+15, importing every system they touch. */
export function buildLinkFile(plan: Plan, g: number): GenFile {
  const first = g * LINK_GROUP;
  const last = Math.min(plan.systems, first + LINK_GROUP);
  const touched = new Set<number>();
  const flows: GenFlow[] = [];
  const weights = CROSS_PATTERNS.map((x) => x.weight);
  const total = weights.reduce((a, b) => a + b, 0);
  const orgData = ORG_DATA.map((d) => d.name);
  for (let i = first; i < last; i++) {
    const rng = systemRng(plan, i, "links");
    const partners = plan.partners[i]!;
    const mine = roleCounts(plan.sizes[i]!);
    const seen = new Set<string>();
    let misses = 0;
    touched.add(i);
    for (let n = 0; n < plan.crossFlows[i]!;) {
      const x = CROSS_PATTERNS[rng.weighted(weights, total)]!;
      const j = partners[rng.int(partners.length)]!;
      const theirs = roleCounts(plan.sizes[j]!);
      const from = componentName(plan, i, x.from, rng.int(mine[ROLE_INDEX.get(x.from)!]!));
      const to = componentName(plan, j, x.to, rng.int(theirs[ROLE_INDEX.get(x.to)!]!));
      // The owner is always the `from` side, so no two link files can declare the same flow.
      const key = `${from}>${to}`;
      if (seen.has(key)) {
        if (++misses > 10_000) throw new Error(`system ${i}: cannot place its cross-system flows`);
        continue;
      }
      seen.add(key);
      touched.add(j);
      const props: [string, Value][] = [["kind", x.kind]];
      if (rng.chance(0.3)) props.push(["auth", rng.pick(["mtls", "oauth", "iam"])]);
      if (MOVES_DATA.has(x.kind) && rng.chance(0.15)) props.push(["carries", [rng.pick(orgData)]]);
      flows.push({ from, to, title: x.title, props });
      n++;
    }
  }
  return {
    ...empty,
    path: linkPath(plan, g),
    comment: `Cross-system flows of systems ${first}-${last - 1}; a link file imports every system it connects.`,
    imports: [...touched].sort((a, b) => a - b).map((s) => `../${systemPath(plan, s)}`),
    flows,
  };
}
