/**
 * The organisation-level plan of a generated model: how many systems, how big each is, how many of
 * its flows stay inside it and how many cross to other systems (and to which partners), where the
 * crown jewels go, and which shared providers exist. Everything a file needs to name a component of
 * another system is here, so each file can be built on its own, in any order.
 */
import { ROLES, SHARED_PROVIDER_TYPES } from "./roles.js";
import { Rng } from "./random.js";

/** What to generate. */
export interface GenOptions {
  /** Total components, shared providers included. */
  readonly components: number;
  /** System files (one system each); default about one per 250 components. */
  readonly files?: number;
  /** Seed; the same options and seed give byte-identical files. Default 1. */
  readonly seed?: number;
  /** Multiplies each system's cross-system share (1-10% of its components); 10 is the coupled variant. */
  readonly coupling?: number;
  /** Flows per component (default 2.5). */
  readonly flowsPerComponent?: number;
}

/** Components per system the default file count aims at. */
export const SYSTEM_SIZE = 250;
/** Smallest system the layered template fits in with room for its flows. */
export const MIN_SYSTEM_SIZE = 40;
/** Systems whose cross-system flows share one link file. */
export const LINK_GROUP = 16;
/** Most partner systems one system exchanges flows with. */
export const MAX_PARTNERS = 64;

/** Org-wide data assets in `shared/data.aithreat`, held by shared providers. */
export const ORG_DATA = [
  { name: "org_customer_pii", title: "Customer PII", classification: "personal" },
  { name: "org_payment_data", title: "Payment data", classification: "sensitive" },
  { name: "org_employee_records", title: "Employee records", classification: "personal" },
  { name: "org_support_tickets", title: "Support tickets", classification: "confidential" },
  { name: "org_web_content", title: "Public web content", classification: "public" },
  { name: "org_model_weights", title: "Model weights", classification: "confidential" },
  { name: "org_product_catalog", title: "Product catalog", classification: "internal" },
  { name: "org_secrets", title: "Service credentials", classification: "secret" },
] as const;

/** The resolved plan. Arrays are indexed by system. */
export interface Plan {
  readonly components: number;
  readonly seed: number;
  readonly coupling: number;
  readonly systems: number;
  /** Zero-padded width of system numbers in names and paths. */
  readonly digits: number;
  /** Names of the shared components: the public hub, the package registry, then providers. */
  readonly hub: string;
  readonly pkgs: string;
  readonly providers: ReadonlyMap<string, readonly string[]>;
  readonly sharedComponents: number;
  readonly sizes: Int32Array;
  /** Flows declared in the system's own file (inside it and to shared components). */
  readonly ownFlows: Int32Array;
  /** Flows from this system to partner systems, declared in its link file. */
  readonly crossFlows: Int32Array;
  readonly partners: readonly Int32Array[];
  /** Crown jewels placed in each system. */
  readonly crowns: Int32Array;
  readonly totalFlows: number;
  readonly crownJewels: number;
  readonly linkFiles: number;
}

/** Components per role for a system of `size` components: proportional to weights, at least one each. */
export function roleCounts(size: number): Int32Array {
  const n = ROLES.length;
  const counts = new Int32Array(n).fill(1);
  const spare = size - n;
  const total = ROLES.reduce((a, r) => a + r.weight, 0);
  const exact = ROLES.map((r) => (spare * r.weight) / total);
  let given = 0;
  for (let i = 0; i < n; i++) {
    const whole = Math.floor(exact[i]!);
    counts[i]! += whole;
    given += whole;
  }
  // Largest remainder, ties by role order, so counts sum to the size exactly.
  const order = exact
    .map((x, i) => [x - Math.floor(x), i] as const)
    .sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; k < spare - given; k++) counts[order[k]![1]]! += 1;
  return counts;
}

/** Data assets declared by a system of `size` components. */
export function dataCount(size: number): number {
  return Math.max(2, Math.round(size / 50));
}

/** Splits `total` into `parts` integers proportional to `weights` (largest remainder). */
function apportion(total: number, weights: ArrayLike<number>): Int32Array {
  const n = weights.length;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += weights[i]!;
  const out = new Int32Array(n);
  const rest: [number, number][] = [];
  let given = 0;
  for (let i = 0; i < n; i++) {
    const exact = (total * weights[i]!) / sum;
    out[i] = Math.floor(exact);
    given += out[i]!;
    rest.push([exact - out[i]!, i]);
  }
  rest.sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  for (let k = 0; k < total - given; k++) out[rest[k]![1]]! += 1;
  return out;
}

/** Stream ids: each system owns four independent random streams. */
export const STREAM = { system: 0, links: 1, plan: 2 } as const;
/** The random stream `kind` of system `i`. */
export function systemRng(plan: Pick<Plan, "seed">, i: number, kind: keyof typeof STREAM): Rng {
  return Rng.stream(plan.seed, i * 4 + STREAM[kind]);
}

/** Checks the options and lays out the organisation. Throws on sizes the template cannot fill. */
export function planModel(options: GenOptions): Plan {
  const components = Math.floor(options.components);
  const seed = Math.floor(options.seed ?? 1) >>> 0;
  const coupling = options.coupling ?? 1;
  const perComponent = options.flowsPerComponent ?? 2.5;
  const systems = Math.max(1, Math.floor(options.files ?? Math.round(components / SYSTEM_SIZE)));
  if (!(coupling > 0)) throw new Error("--coupling must be positive");
  // One shared provider per two systems (at least ten): enough that not every system calls the same API.
  const sharedComponents = Math.max(2 + SHARED_PROVIDER_TYPES.length, Math.round(systems / 2) + 2);
  const inSystems = components - sharedComponents;
  if (inSystems < systems * MIN_SYSTEM_SIZE)
    throw new Error(
      `${components} components do not fill ${systems} systems of at least ${MIN_SYSTEM_SIZE} components ` +
        `(plus ${sharedComponents} shared): ask for more components or fewer files`,
    );
  const sizes = apportion(inSystems, new Int32Array(systems).fill(1));

  const providers = new Map<string, string[]>(SHARED_PROVIDER_TYPES.map((t) => [t, []]));
  for (let k = 0; k < sharedComponents - 2; k++) {
    const type = SHARED_PROVIDER_TYPES[k % SHARED_PROVIDER_TYPES.length]!;
    const list = providers.get(type)!;
    list.push(`org_${type}${list.length}`);
  }

  // Cross-system share: each system draws 1-10% of its components, times the coupling factor.
  const crossFlows = new Int32Array(systems);
  const partners: Int32Array[] = [];
  for (let i = 0; i < systems; i++) {
    const rng = systemRng({ seed }, i, "plan");
    const share = Math.min(1, rng.between(0.01, 0.1) * coupling);
    crossFlows[i] = systems > 1 ? Math.max(1, Math.round(share * sizes[i]!)) : 0;
    // About three flows per partner, partners drawn from the whole organisation (not neighbours),
    // so coupling makes the org graph one expander-like web rather than a chain of pairs.
    const want = Math.min(systems - 1, MAX_PARTNERS, Math.max(1, Math.ceil(crossFlows[i]! / 3)));
    const chosen = new Set<number>();
    while (chosen.size < want) {
      const j = rng.int(systems - 1);
      chosen.add(j >= i ? j + 1 : j);
    }
    partners.push(Int32Array.from([...chosen].sort((a, b) => a - b)));
  }
  let cross = 0;
  for (let i = 0; i < systems; i++) cross += crossFlows[i]!;

  const totalFlows = Math.round(components * perComponent);
  const own = totalFlows - cross;
  if (own < inSystems * 1.2)
    throw new Error(
      `${totalFlows} flows leave too few (${own}) for ${inSystems} components after ${cross} cross-system flows`,
    );
  const ownFlows = apportion(own, sizes);

  const crownJewels = Math.max(10, Math.floor(components / 1000));
  const crowns = new Int32Array(systems);
  for (let j = 0; j < crownJewels; j++) crowns[Math.floor((j * systems) / crownJewels)]! += 1;

  return {
    components,
    seed,
    coupling,
    systems,
    digits: Math.max(3, String(systems - 1).length),
    hub: "org_hub0",
    pkgs: "org_pkgs0",
    providers,
    sharedComponents,
    sizes,
    ownFlows,
    crossFlows,
    partners,
    crowns,
    totalFlows,
    crownJewels,
    linkFiles: cross > 0 ? Math.ceil(systems / LINK_GROUP) : 0,
  };
}

/** The name prefix of system `i`, e.g. `s0042`. */
export function systemName(plan: Plan, i: number): string {
  return `s${String(i).padStart(plan.digits, "0")}`;
}

/** The name of the `k`-th component of role `stem` in system `i`. */
export function componentName(plan: Plan, i: number, stem: string, k: number): string {
  return `${systemName(plan, i)}_${stem}${k}`;
}
