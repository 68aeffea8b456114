import { BUILTIN_CONTROL_BY_ID } from "../catalog/controls.js";
import {
  at,
  diag,
  type Diagnostic,
  type Location,
  type Note,
  type StageResult,
} from "../diagnostics/diagnostic.js";
import type { SourceFile } from "../source.js";
import { article } from "./check-file.js";
import type { LoadedFile, Program } from "./imports.js";
import {
  componentAuth,
  type Acceptance,
  type Component,
  type ControlDecl,
  type ControlUse,
  type CrownJewel,
  type DataAsset,
  type Flow,
  type RawDeclaration,
  type ResolvedModel,
  type Subject,
  type SystemInfo,
  type TrustOrigin,
  type Zone,
} from "./model.js";
import { PairIndex } from "./pair-index.js";
import { propLocs, SpanTable, type PropLocations } from "./prop-locs.js";
import { didYouMean } from "./suggest.js";
import { importHint, nameLocOf, SymbolTable, type SymbolCategory } from "./symbols.js";
import { emptyUnit, PROP_KEY_INDEX, UnitReader, type FileUnit, type Implied, type Ref } from "./unit.js";
import {
  CIA,
  fittingFlowKinds,
  flowKindFits,
  type Cia,
  type Classification,
  type ComponentKind,
  type FlowKind,
  type TrustLevel,
} from "./vocabulary.js";

export { article } from "./check-file.js";

/** Deepest nesting of zones, by blocks and `in` together (AT3018); MAX_NESTING bounds blocks alone. */
export const MAX_ZONE_DEPTH = 64;

/** What the semantic stage needs to know beyond the files. */
export interface ResolveOptions {
  /** Date acceptances are judged against, YYYY-MM-DD (the CLI passes today, tests pin it). */
  readonly today: string;
  /** Built-in rule ids, for `accept` and `mitigates`. */
  readonly ruleIds: ReadonlySet<string>;
  /** ATLAS mitigation ids the project ships, for a control's `atlas` list. */
  readonly atlasMitigations?: ReadonlySet<string>;
}

/*
 * The second half of the semantic stage: binds names across files and builds the model from the
 * file units (check-file.ts did every check one file allows). Entities are indexed in declaration
 * order: files in load order, statements in source order, zone bodies where they stand.
 *
 * Entities are built with every field present (optional ones `undefined`), so each kind has one
 * object shape; empty lists are one shared frozen array; locations are offsets until asked for
 * (`propLocs`, see prop-locs.ts), and names are the strings the parser interned.
 */

const NONE: readonly never[] = Object.freeze([]);
// A list grown by push keeps the spare capacity of its last growth (17 slots for one item, 152
// bytes): the model's lists (mostly one or two items, a few million at 1M) are kept exact-size.
const listOrNone = <T>(list: readonly T[]): readonly T[] => (list.length === 0 ? NONE : list.slice());
const loc = (file: SourceFile, start: number, end: number): Location => ({ file, start, end });
const KIND_KEY = PROP_KEY_INDEX.get("kind")!;
// The categories a reference may name, made once (a literal per call allocates per reference).
const ZONE: readonly SymbolCategory[] = ["zone"];
const COMPONENT: readonly SymbolCategory[] = ["component"];
const DATA: readonly SymbolCategory[] = ["data"];
const CONTROL: readonly SymbolCategory[] = ["control"];
const COMPONENT_OR_DATA: readonly SymbolCategory[] = ["component", "data"];

/** Location of property `key` among `spans` (`[key, start, end]` triples), or undefined. */
function spanOf(file: SourceFile, spans: readonly number[], key: number): Location | undefined {
  for (let i = 0; i < spans.length; i += 3)
    if (spans[i] === key) return loc(file, spans[i + 1]!, spans[i + 2]!);
  return undefined;
}

/** Per file: where its entities of each category start in the model. */
interface Bases {
  zones: number;
  components: number;
  data: number;
  controls: number;
  rules: number;
}

/**
 * Binds names and checks the model: the whole-program half of the semantic stage. Always runs over
 * every file so the user sees all errors at once; entities with broken references are dropped from
 * the model (a flow to an unknown component) while the rest stays usable.
 */
export function resolveProgram(program: Program, options: ResolveOptions): StageResult<ResolvedModel> {
  const diagnostics: Diagnostic[] = [];
  const files = program.files;
  const units: FileUnit[] = files.map((f) => f.unit ?? emptyUnit());
  const symbols = new SymbolTable(files, diagnostics);
  const spans = new SpanTable();
  // One copy of each title, owner, control name and property value for the whole model: they repeat
  // across files (a flow title such as "system prompt" in every system), and each file's unit has its
  // own copy of each.
  const oneCopy = new Map<string, string>();
  const one = <S extends string | undefined>(s: S): S => {
    if (s === undefined) return s;
    const known = oneCopy.get(s);
    if (known !== undefined) return known as S;
    oneCopy.set(s, s);
    return s;
  };

  // ---- declare every name, in declaration order --------------------------------------------------
  const bases: Bases[] = [];
  const next: Bases = { zones: 0, components: 0, data: 0, controls: 0, rules: 0 };
  files.forEach((f, i) => {
    const unit = units[i]!;
    const base = { ...next };
    bases.push(base);
    const r = UnitReader.decls(unit);
    for (let k = 0; k < r.count; k++) {
      const d = r.decl();
      const index = baseOf(base, d.category) + d.index;
      symbols.declare(d.name, {
        category: d.category,
        index,
        file: f.source,
        start: d.name.start,
        end: d.name.end,
        detail: d.detail,
      });
    }
    const counts = UnitReader.counts(unit);
    next.zones += counts.zones;
    next.components += counts.components;
    next.data += counts.data;
    next.controls += counts.controls;
    next.rules += unit.rules.length;
  });

  // ---- systems ---------------------------------------------------------------------------------------
  const systems: SystemInfo[] = [];
  const systemOfFile: (number | undefined)[] = files.map((f, i) => {
    const r = UnitReader.systems(units[i]!);
    if (r.count === 0) return undefined;
    const d = r.system();
    const index = systems.length;
    systems.push({
      index,
      title: d.title,
      file: f.source,
      owner: d.owner,
      version: d.version,
      description: d.description,
      contact: d.contact,
      repository: d.repository,
      loc: loc(f.source, d.start, d.end),
    });
    return index;
  });

  // ---- zones -----------------------------------------------------------------------------------------
  interface ZoneWork {
    file: SourceFile;
    fileIndex: number;
    name: Ref | undefined;
    kwStart: number;
    kwEnd: number;
    parentRef: Ref | undefined;
    declaredTrust: TrustLevel | undefined;
    hasTrust: boolean;
  }
  const zoneWork: ZoneWork[] = [];
  const zoneParent: (number | undefined)[] = [];
  const zoneDrafts: ReturnType<UnitReader["zone"]>[] = [];
  files.forEach((f, i) => {
    const r = UnitReader.zones(units[i]!);
    const base = bases[i]!.zones;
    for (let k = 0; k < r.count; k++) {
      const d = r.zone();
      zoneDrafts.push(d);
      zoneWork.push({
        file: f.source,
        fileIndex: i,
        name: d.head.name,
        kwStart: d.head.kwStart,
        kwEnd: d.head.kwEnd,
        parentRef: d.parent,
        declaredTrust: d.trust as TrustLevel | undefined,
        hasTrust: d.hasTrust,
      });
      zoneParent.push(
        d.parent
          ? symbols.resolve(d.parent, f.source, ZONE)?.index
          : d.enclosing >= 0
            ? base + d.enclosing
            : undefined,
      );
    }
  });
  // Break `in` cycles so trust inheritance terminates. Linear: each zone is walked once (colours:
  // 0 unseen, 1 on the current walk, 2 known to reach a root).
  const colour = new Uint8Array(zoneWork.length);
  for (let z = 0; z < zoneWork.length; z++) {
    const walk: number[] = [];
    let p: number | undefined = z;
    while (p !== undefined && colour[p] === 0) {
      colour[p] = 1;
      walk.push(p);
      p = zoneParent[p];
    }
    if (p !== undefined && colour[p] === 1) {
      // `p` is on this walk: the last zone of the walk closes the cycle; cut it there.
      const last = walk[walk.length - 1]!;
      const w = zoneWork[last]!;
      diagnostics.push(
        diag(
          "AT3014",
          w.parentRef ? at(w.file, w.parentRef) : loc(w.file, w.kwStart, w.kwEnd),
          `zone \`${w.name?.text ?? ""}\` is inside itself through \`in\``,
        ),
      );
      zoneParent[last] = undefined;
    }
    for (const x of walk) colour[x] = 2;
  }
  // Zones nest at most MAX_ZONE_DEPTH deep, as blocks nest at most MAX_NESTING: the stages after
  // this one walk zone trees recursively, and thousands of `in` would overflow their stack. One
  // error per chain, at the first zone too deep (depth 0: not yet known). Linear, like the walk above.
  const depth = new Uint32Array(zoneWork.length);
  for (let z = 0; z < zoneWork.length; z++) {
    const walk: number[] = [];
    let p: number | undefined = z;
    while (p !== undefined && depth[p] === 0) {
      walk.push(p);
      p = zoneParent[p];
    }
    let d = p === undefined ? 0 : depth[p]!;
    for (let i = walk.length - 1; i >= 0; i--) {
      const x = walk[i]!;
      depth[x] = ++d;
      if (d !== MAX_ZONE_DEPTH + 1) continue;
      const w = zoneWork[x]!;
      diagnostics.push(
        diag(
          "AT3018",
          w.parentRef ? at(w.file, w.parentRef) : loc(w.file, w.kwStart, w.kwEnd),
          `zone \`${w.name?.text ?? ""}\` is nested ${d} deep; zones nest at most ${MAX_ZONE_DEPTH} deep`,
          { hint: "place it in a zone nearer the top: trust levels need no more than a few levels" },
        ),
      );
    }
  }
  const zoneTrust: (TrustLevel | undefined)[] = new Array<TrustLevel | undefined>(zoneWork.length);
  const trustOfZone = (z: number): TrustLevel => {
    const chain: number[] = [];
    let cur: number | undefined = z;
    let found: TrustLevel | undefined;
    while (cur !== undefined) {
      const known = zoneTrust[cur];
      if (known) {
        found = known;
        break;
      }
      const declared = zoneWork[cur]!.declaredTrust;
      chain.push(cur);
      if (declared) {
        found = declared;
        break;
      }
      cur = zoneParent[cur];
    }
    for (const c of chain) zoneTrust[c] = found ?? "internal";
    return found ?? "internal";
  };
  const zones: Zone[] = zoneDrafts.map((d, index) => {
    const w = zoneWork[index]!;
    const parent = zoneParent[index];
    // A zone without a name already has its error; one missing piece is enough to report.
    if (parent === undefined && d.head.name && !d.hasTrust) {
      diagnostics.push(
        diag(
          "AT3015",
          at(w.file, d.head.name),
          `top-level zone \`${d.head.name.text}\` needs a \`trust\` level`,
          { hint: "add e.g. `trust internal` (untrusted, public, partner, internal or restricted)" },
        ),
      );
    }
    const zone: Zone = {
      index,
      name: d.head.name?.text ?? `zone#${index}`,
      title: d.head.title,
      parent,
      trust: trustOfZone(index),
      description: d.description,
      owner: d.owner,
      system: systemOfFile[w.fileIndex],
      loc: loc(w.file, d.head.start, d.head.end),
      nameLoc: d.head.name ? at(w.file, d.head.name) : loc(w.file, d.head.kwStart, d.head.kwEnd),
      propLocs: propLocs(w.file, spans, d.spans),
    };
    return zone;
  });
  zoneDrafts.length = 0;

  // ---- data ------------------------------------------------------------------------------------------
  const data: DataAsset[] = [];
  files.forEach((f, i) => {
    const r = UnitReader.data(units[i]!);
    for (let k = 0; k < r.count; k++) {
      const d = r.data();
      const index = data.length;
      data.push({
        index,
        name: d.head.name?.text ?? `data#${index}`,
        title: d.head.title,
        classification: d.classification as Classification | undefined,
        crown: listOrNone(d.crown as Cia[]),
        description: d.description,
        owner: d.owner,
        regulated: listOrNone(d.regulated),
        loc: loc(f.source, d.head.start, d.head.end),
        nameLoc: d.head.name ? at(f.source, d.head.name) : loc(f.source, d.head.kwStart, d.head.kwEnd),
        propLocs: propLocs(f.source, spans, d.spans),
      });
    }
  });

  // ---- user controls ---------------------------------------------------------------------------------
  const ruleNames = (): string[] => [...options.ruleIds, ...symbols.names("rule")];
  const checkRuleId = (id: string, where: Location): boolean => {
    if (options.ruleIds.has(id) || symbols.get(id)?.category === "rule") return true;
    diagnostics.push(
      diag("AT2020", where, `unknown threat rule \`${id}\``, {
        hint: didYouMean(id, ruleNames()) ?? "run `aithreat rules` to list the catalog",
      }),
    );
    return false;
  };
  const controls: ControlDecl[] = [];
  files.forEach((f, i) => {
    const r = UnitReader.controls(units[i]!);
    for (let k = 0; k < r.count; k++) {
      const d = r.control();
      for (const item of d.ruleRefs) checkRuleId(item.text, at(f.source, item));
      if (options.atlasMitigations) {
        for (const item of d.atlasRefs) {
          if (!options.atlasMitigations.has(item.text)) {
            diagnostics.push(
              diag("AT2021", at(f.source, item), `\`${item.text}\` is not an ATLAS mitigation id`, {
                hint:
                  didYouMean(item.text, options.atlasMitigations) ??
                  "ATLAS mitigation ids look like `AML.M0007`",
              }),
            );
          }
        }
      }
      const index = controls.length;
      controls.push({
        index,
        name: d.head.name?.text ?? `control#${index}`,
        title: d.head.title,
        description: d.description,
        mitigates: listOrNone(d.mitigates),
        atlas: listOrNone(d.atlas),
        cost: d.cost,
        owner: d.owner,
        loc: loc(f.source, d.head.start, d.head.end),
        propLocs: propLocs(f.source, spans, d.spans),
      });
    }
  });

  const builtinNames = (): string[] => [...BUILTIN_CONTROL_BY_ID.keys()];
  const resolveControls = (file: SourceFile, refs: readonly Ref[]): ControlUse[] => {
    const out: ControlUse[] = [];
    for (const ref of refs) {
      const sym = symbols.get(ref.text);
      if (sym?.category === "control") {
        symbols.resolve(ref, file, CONTROL);
        out.push({ name: one(ref.text), loc: at(file, ref), impliedBy: undefined });
      } else if (BUILTIN_CONTROL_BY_ID.has(ref.text)) {
        out.push({ name: one(ref.text), loc: at(file, ref), impliedBy: undefined });
      } else {
        symbols.resolve(ref, file, CONTROL, builtinNames(), undefined, CONTROL);
      }
    }
    return out;
  };
  // Controls a property implies, unless declared too (`rate_limit true` and `controls [rate_limit]`).
  const addImplied = (file: SourceFile, implied: readonly Implied[], uses: ControlUse[]): void => {
    for (const x of implied) {
      if (uses.some((u) => u.name === x.control)) continue;
      uses.push({ name: one(x.control), loc: loc(file, x.start, x.end), impliedBy: one(x.impliedBy) });
    }
  };
  const resolveData = (file: SourceFile, refs: readonly Ref[]): readonly number[] => {
    if (refs.length === 0) return NONE;
    const out: number[] = [];
    for (const ref of refs) {
      const sym = symbols.resolve(ref, file, DATA);
      if (sym && !out.includes(sym.index)) out.push(sym.index);
    }
    return listOrNone(out);
  };

  // ---- components ------------------------------------------------------------------------------------
  const zonesUsed = zones.length > 0;
  const components: Component[] = [];
  files.forEach((f, i) => {
    const file = f.source;
    const r = UnitReader.components(units[i]!);
    const zoneBase = bases[i]!.zones;
    for (let k = 0; k < r.count; k++) {
      const d = r.component();
      const index = components.length;
      const kind = d.kind as ComponentKind;
      const enclosing = d.enclosing >= 0 ? zoneBase + d.enclosing : undefined;
      let zone = enclosing;
      if (d.parent) {
        if (enclosing !== undefined) {
          diagnostics.push(
            diag(
              "AT3016",
              at(file, d.parent),
              `\`${d.head.name?.text ?? kind}\` is declared inside zone \`${zones[enclosing]?.name ?? ""}\` and also placed \`in\` \`${d.parent.text}\``,
              { hint: "keep one of the two; the `in` clause wins" },
            ),
          );
        }
        zone = symbols.resolve(d.parent, file, ZONE)?.index;
      }
      const declaredTrust = d.trust as TrustLevel | undefined;
      let trust: TrustLevel;
      let trustOrigin: TrustOrigin;
      if (declaredTrust) {
        trust = declaredTrust;
        trustOrigin = "declared";
      } else if (zone !== undefined) {
        trust = zones[zone]!.trust;
        trustOrigin = "zone";
      } else {
        trust = "internal";
        trustOrigin = "default";
        if (zonesUsed && !d.parent) {
          diagnostics.push(
            diag(
              "AT3008",
              d.head.name ? at(file, d.head.name) : loc(file, d.head.kwStart, d.head.kwEnd),
              `\`${d.head.name?.text ?? kind}\` is in no zone and declares no \`trust\`; it is treated as \`internal\``,
              { hint: "declare it inside a zone, add `in <zone>`, or give it `trust`" },
            ),
          );
        }
      }
      const props: Record<string, unknown> = {};
      for (const [key, v] of d.props) props[key] = typeof v === "string" ? one(v) : v;
      const controlUses = d.controls.length > 0 ? resolveControls(file, d.controls) : [];
      addImplied(file, d.implied, controlUses);
      components.push({
        index,
        name: d.head.name?.text ?? `${kind}#${index}`,
        kind,
        title: one(d.head.title),
        zone,
        trust,
        trustOrigin,
        description: d.description,
        owner: one(d.owner),
        holds: resolveData(file, d.holds),
        controls: listOrNone(controlUses),
        crown: listOrNone(d.crown as Cia[]),
        tags: listOrNone(d.tags),
        stateless: d.stateless,
        props,
        system: systemOfFile[i],
        loc: loc(file, d.head.start, d.head.end),
        nameLoc: d.head.name ? at(file, d.head.name) : loc(file, d.head.kwStart, d.head.kwEnd),
        propLocs: propLocs(file, spans, d.spans),
      });
    }
  });

  // ---- flows -----------------------------------------------------------------------------------------
  const flows: Flow[] = [];
  // A flow's id is its name, or `from->to` when unnamed, and ids are unique. Names cannot contain
  // `->`, so the two kinds never collide: named flows are checked by name, unnamed ones by their
  // end points as two integers (no string per flow to compare).
  const flowByName = new Map<string, number>();
  // Where each flow's name starts (-1: unnamed), for AT2003's note: a number per flow, not a Location.
  const flowNameStart: number[] = [];
  let unnamedFlows = 0;
  for (const u of units) unnamedFlows += UnitReader.counts(u).unnamedFlows;
  const byPair = new PairIndex(unnamedFlows, flows);
  files.forEach((f, i) => {
    const file = f.source;
    const r = UnitReader.flows(units[i]!);
    for (let k = 0; k < r.count; k++) {
      const d = r.flow();
      const fromSym = d.from.text ? symbols.resolve(d.from, file, COMPONENT) : undefined;
      const toSym = d.to.text ? symbols.resolve(d.to, file, COMPONENT) : undefined;
      const kind = d.kind as FlowKind | undefined;
      if (d.name) {
        const prior = symbols.get(d.name.text);
        if (prior)
          diagnostics.push(
            diag(
              "AT2002",
              at(file, d.name),
              `flow name \`${d.name.text}\` is already declared as a ${prior.category}`,
              { notes: [{ message: "declared here", location: nameLocOf(prior) }] },
            ),
          );
      }
      if (!fromSym || !toSym || !kind) continue;
      const from = components[fromSym.index]!;
      const to = components[toSym.index]!;
      if (!flowKindFits(kind, from.kind, to.kind)) {
        const fits = fittingFlowKinds(from.kind, to.kind);
        const kinds = fits.map((x) => `\`${x}\``).join(", ");
        // The arrow points the way content moves, which reads backwards for `read`, `retrieve` and
        // `serve` (the receiver asks): when the reversed arrow fits the kind, the hint says so too.
        const reversed = flowKindFits(kind, to.kind, from.kind)
          ? `reverse the arrow (it points the way content moves): \`${to.name} -> ${from.name}\` fits \`${kind}\``
          : undefined;
        diagnostics.push(
          diag(
            "AT3006",
            spanOf(file, d.spans, KIND_KEY) ?? loc(file, d.start, d.end),
            `${article(kind)} \`${kind}\` flow cannot go from ${article(from.kind)} \`${from.kind}\` to ${article(to.kind)} \`${to.kind}\``,
            {
              hint:
                fits.length > 0
                  ? `between these kinds use ${kinds}${reversed ? `, or ${reversed}` : ""}`
                  : (reversed ??
                    `no flow kind connects ${article(from.kind)} \`${from.kind}\` to ${article(to.kind)} \`${to.kind}\`; check the direction or the component kinds`),
            },
          ),
        );
      }
      if (fromSym.index === toSym.index) {
        diagnostics.push(
          diag("AT3012", loc(file, d.start, d.end), `flow from \`${from.name}\` to itself`, {
            hint: "remove it, or model the loop through the components it really passes",
          }),
        );
        continue;
      }
      const here = loc(file, d.start, d.end);
      const priorIndex = d.name ? flowByName.get(d.name.text) : byPair.get(fromSym.index, toSym.index);
      // Joined, not a template: a template makes two concatenated strings (64 bytes) per unnamed flow,
      // and a flat copy besides once the id is hashed; join makes the flat string alone.
      const id = d.name ? d.name.text : [from.name, to.name].join("->");
      if (priorIndex !== undefined) {
        // A name given twice is pointed at by name, in both places; two unnamed flows by statement.
        const prior = flows[priorIndex]!;
        const first = d.name
          ? loc(prior.loc.file, flowNameStart[priorIndex]!, flowNameStart[priorIndex]! + d.name.text.length)
          : prior.loc;
        diagnostics.push(
          diag("AT2003", d.name ? at(file, d.name) : here, `flow \`${id}\` is declared twice`, {
            hint: d.name
              ? "give each flow its own name"
              : `name one of them: \`flow <name>: ${from.name} -> ${to.name}\``,
            notes: [{ message: "first declared here", location: first }],
          }),
        );
        continue;
      }
      const index = flows.length;
      if (d.name) flowByName.set(d.name.text, index);
      else byPair.add(fromSym.index, toSym.index, index);
      const flowControls = d.controls.length > 0 ? resolveControls(file, d.controls) : [];
      addImplied(file, d.implied, flowControls);
      flowNameStart.push(d.name ? d.name.start : -1);
      flows.push({
        index,
        id,
        name: d.name?.text,
        from: fromSym.index,
        to: toSym.index,
        kind,
        title: one(d.title),
        description: d.description,
        auth: one(d.auth),
        encrypted: d.encrypted,
        carries: resolveData(file, d.carries),
        controls: listOrNone(flowControls),
        loc: here,
        propLocs: propLocs(file, spans, d.spans),
      });
    }
  });

  // ---- crown jewels ----------------------------------------------------------------------------------
  const crownBySubject = new Map<
    string,
    { subject: CrownJewel["subject"]; name: string; properties: Cia[]; loc: Location }
  >();
  const markCrown = (
    subject: CrownJewel["subject"],
    name: string,
    props: readonly Cia[],
    where: Location,
  ) => {
    if (props.length === 0) return;
    const key = `${subject.type}:${subject.index}`;
    const entry = crownBySubject.get(key);
    if (entry) {
      for (const prop of props) if (!entry.properties.includes(prop)) entry.properties.push(prop);
    } else crownBySubject.set(key, { subject, name, properties: [...props], loc: where });
  };
  const crownLoc = (p: PropLocations, nameLoc: Location) => p["crown"] ?? nameLoc;
  for (const c of components)
    if (c.crown.length > 0)
      markCrown({ type: "component", index: c.index }, c.name, c.crown, crownLoc(c.propLocs, c.nameLoc));
  for (const dta of data)
    if (dta.crown.length > 0)
      markCrown({ type: "data", index: dta.index }, dta.name, dta.crown, crownLoc(dta.propLocs, dta.nameLoc));
  files.forEach((f, i) => {
    const r = UnitReader.assets(units[i]!);
    for (let k = 0; k < r.count; k++) {
      const d = r.asset();
      const sym = symbols.resolve(d.target, f.source, COMPONENT_OR_DATA);
      if (!d.crown || !sym) continue;
      const cia = d.cia as Cia[];
      const subject: CrownJewel["subject"] =
        sym.category === "component"
          ? { type: "component", index: sym.index }
          : { type: "data", index: sym.index };
      markCrown(subject, d.target.text, cia, loc(f.source, d.start, d.end));
      // `asset x crown p` and `crown p` inside x mean the same: the entity's own list says so too.
      const owner = (subject.type === "component" ? components[subject.index] : data[subject.index]) as {
        crown: readonly Cia[];
      };
      const added = cia.filter((p, j) => !owner.crown.includes(p) && cia.indexOf(p) === j);
      if (added.length > 0) owner.crown = [...owner.crown, ...added];
    }
  });
  const crownJewels: CrownJewel[] = [...crownBySubject.values()]
    .map((e) => ({ ...e, properties: CIA.filter((x) => e.properties.includes(x)) }))
    .sort((a, b) =>
      a.subject.type !== b.subject.type
        ? a.subject.type < b.subject.type
          ? -1
          : 1
        : a.subject.index - b.subject.index,
    );

  // ---- acceptances -----------------------------------------------------------------------------------
  const acceptances: Acceptance[] = [];
  let flowNames: string[] | undefined;
  // The first acceptance of each rule and subject, by `rule subject-type:index`: a second one would
  // never count, whichever of the two the author meant (a renewal written below an expired one).
  const firstAccepted = new Map<string, Location>();
  files.forEach((f, i) => {
    const file = f.source;
    const r = UnitReader.accepts(units[i]!);
    for (let k = 0; k < r.count; k++) {
      const d = r.accept();
      const knownRule = d.rule.text ? checkRuleId(d.rule.text, at(file, d.rule)) : false;
      let subject: Subject | undefined;
      const flowIndex = flowByName.get(d.target.text);
      if (flowIndex !== undefined) {
        subject = { type: "flow", index: flowIndex };
        const flowFile = flows[flowIndex]!.loc.file;
        if (!symbols.canSee(file.id, flowFile.id)) {
          diagnostics.push(
            diag(
              "AT2005",
              at(file, d.target),
              `flow \`${d.target.text}\` is declared in \`${flowFile.path}\`, which this file does not import`,
              {
                hint: importHint(file, flowFile),
                notes: [{ message: "declared here", location: flows[flowIndex]!.loc }],
              },
            ),
          );
        }
      } else if (d.target.text) {
        // An acceptance may name a flow too: an unknown name says so, and flow names are suggested.
        const sym = symbols.resolve(
          d.target,
          file,
          COMPONENT_OR_DATA,
          (flowNames ??= [...flowByName.keys()]),
          "component, flow or data asset",
          [],
          "a component, a named flow or a data asset",
        );
        if (sym)
          subject =
            sym.category === "component"
              ? { type: "component", index: sym.index }
              : { type: "data", index: sym.index };
      }
      if (knownRule && subject) {
        const key = `${d.rule.text} ${subject.type}:${subject.index}`;
        const first = firstAccepted.get(key);
        if (first) {
          diagnostics.push(
            diag(
              "AT2002",
              at(file, d.target),
              `\`${d.rule.text}\` on \`${d.target.text}\` is accepted twice`,
              {
                hint: "keep one acceptance per rule and subject: renew it with a new date and reason, or remove this one",
                notes: [{ message: "first accepted here", location: first }],
              },
            ),
          );
          continue;
        }
        firstAccepted.set(key, loc(file, d.start, d.end));
      }
      const { expires, reason, owner } = d;
      if (!knownRule || !subject || !expires || reason === undefined || owner === undefined) continue;
      const expired = expires < options.today;
      if (expired) {
        diagnostics.push(
          diag(
            "AT3009",
            d.expiresStart >= 0 ? loc(file, d.expiresStart, d.expiresEnd) : loc(file, d.start, d.end),
            `acceptance of \`${d.rule.text}\` on \`${d.target.text}\` expired on ${expires}`,
            { hint: "renew it with a new date and a reason that still holds, or fix the threat" },
          ),
        );
      }
      acceptances.push({
        index: acceptances.length,
        rule: d.rule.text,
        subject,
        subjectName: d.target.text,
        reason,
        owner,
        expires,
        expired,
        ticket: d.ticket,
        loc: loc(file, d.start, d.end),
        ruleLoc: at(file, d.rule),
      });
    }
  });

  // ---- rules and policies, kept as syntax for their own stages ---------------------------------------
  const ruleDecls: RawDeclaration[] = [];
  const policyDecls: RawDeclaration[] = [];
  files.forEach((f, i) => {
    for (const node of units[i]!.rules) ruleDecls.push({ node, file: f.source });
    for (const node of units[i]!.policies) policyDecls.push({ node, file: f.source });
  });

  // ---- whole-model checks ----------------------------------------------------------------------------
  const used = new Uint8Array(data.length);
  for (const c of components) for (const h of c.holds) used[h] = 1;
  for (const fl of flows) for (const h of fl.carries) used[h] = 1;
  // Only data declared in the files named on the command line: a shared catalogue that one system
  // imports holds assets other systems use, and checking that system alone must not warn about them.
  const inputFiles = new Set(files.filter((f) => f.isInput).map((f) => f.source.id));
  for (const dta of data) {
    if (!used[dta.index] && inputFiles.has(dta.loc.file.id)) {
      diagnostics.push(
        diag(
          "AT3007",
          dta.nameLoc,
          `data asset \`${dta.name}\` is held by no component and carried by no flow`,
          { hint: "add it to a component's `holds` or a flow's `carries`, or remove it" },
        ),
      );
    }
  }
  diagnostics.push(...trainedThirdPartyModels(components, flows));
  diagnostics.push(...deniedAuthentication(components, flows));
  spans.trim();

  return {
    value: {
      files: files.map((f: LoadedFile) => f.source),
      systems,
      zones,
      components,
      data,
      flows,
      controls,
      acceptances,
      crownJewels,
      ruleDecls,
      policyDecls,
      today: options.today,
    },
    diagnostics,
  };
}

/**
 * AT3023: an actor that says `authenticated true` whose flow declares `auth none`, or states no `auth`
 * and reaches an endpoint, app or MCP server that declares `auth none`. A stated `auth` wins over
 * what the actor says of itself (ADR 17), so the rules read those requests as unauthenticated while
 * the actor's block claims they are not. One warning per actor, at its `authenticated`, naming the
 * first such flow, with a note at each place that declares `auth none`.
 */
function deniedAuthentication(components: readonly Component[], flows: readonly Flow[]): Diagnostic[] {
  const found = new Map<number, { first: Flow; onFlow: boolean; by: string; notes: Note[] }>();
  for (const fl of flows) {
    const actor = components[fl.from]!;
    if (actor.kind !== "actor" || actor.props.authenticated !== true) continue;
    const to = components[fl.to]!;
    let by: string;
    let note: Note;
    if (fl.auth === "none") {
      by = `its flow to \`${to.name}\` declares \`auth none\``;
      note = {
        message: `\`${actor.name} -> ${to.name}\` declares \`auth none\` here`,
        location: fl.propLocs["auth"] ?? fl.loc,
      };
    } else if (fl.auth === undefined && componentAuth(to) === "none") {
      by = `\`${to.name}\`, which it reaches, declares \`auth none\``;
      note = {
        message: `\`${to.name}\` declares \`auth none\` here`,
        location: to.propLocs["auth"] ?? to.nameLoc,
      };
    } else continue;
    const had = found.get(actor.index);
    if (had) had.notes.push(note);
    else found.set(actor.index, { first: fl, onFlow: fl.auth === "none", by, notes: [note] });
  }
  const out: Diagnostic[] = [];
  for (const [i, { first, onFlow, by, notes }] of found) {
    const actor = components[i]!;
    const to = components[first.to]!.name;
    const more = notes.length > 1 ? ` (and ${notes.length - 1} more)` : "";
    out.push(
      diag(
        "AT3023",
        actor.propLocs["authenticated"] ?? actor.nameLoc,
        `actor \`${actor.name}\` says \`authenticated true\`, but ${by}${more}`,
        {
          hint: `the stated \`auth\` wins, so the rules read these requests as unauthenticated; ${onFlow ? `state how \`${to}\` authenticates that flow` : `state how \`${to}\` authenticates its callers`} (\`auth session\`, \`auth oauth\` ...), or write \`authenticated false\` if \`${actor.name}\` reaches it without credentials`,
          notes,
        },
      ),
    );
  }
  return out;
}

/** Origins that say a model's weights come from outside: third-party artifacts to the rules. */
const THIRD_PARTY_ORIGINS: ReadonlySet<string> = new Set(["public_hub", "vendor"]);

/** Where third-party weights come from: a public registry (a hub), or a third-party model. */
const downloaded = (c: Component): boolean =>
  (c.kind === "registry" && c.props.origin === "public") ||
  (c.kind === "model" && THIRD_PARTY_ORIGINS.has(c.props.origin ?? ""));

/** Components a `train` flow brings data from (a model or registry brings weights: a conversion, too). */
const DATA_HOLDERS: ReadonlySet<string> = new Set(["dataset", "store", "source", "vectorstore"]);

/**
 * AT3019: a model whose `origin` says its weights come from outside (`public_hub`, `vendor`) that a
 * training pipeline of the same model produces. The supply-chain rules (AT-08, AT-55) then fire on
 * weights the team trains, and the rules on in-house weights (AT-13) pass them by.
 *
 * A pipeline trains when its `type` is `training` or `fine_tuning`, or when it has no type and a
 * `train` flow brings it data: what the flow kinds say it does. Only a direct `produce` counts: a
 * `conversion` pipeline's output is still the third party's weights, and a registry between the
 * pipeline and the model may hold mirrored third-party weights too. One warning per model, at its
 * `origin`, naming the first such flow. When a flow also brings the model weights from outside (a
 * `load` from a public registry or a third-party model), the model stands for both the downloaded
 * base and the fine-tuned result, and the hint asks to split it.
 */
function trainedThirdPartyModels(components: readonly Component[], flows: readonly Flow[]): Diagnostic[] {
  const suspects: Flow[] = [];
  for (const fl of flows) {
    if (fl.kind !== "produce") continue;
    const to = components[fl.to]!;
    if (
      to.kind === "model" &&
      THIRD_PARTY_ORIGINS.has(to.props.origin ?? "") &&
      components[fl.from]!.kind === "pipeline"
    )
      suspects.push(fl);
  }
  if (suspects.length === 0) return [];
  // Asked only when some model is a suspect: most models have none.
  const fedData = new Set<number>();
  const weightsInto = new Map<number, Flow>();
  for (const fl of flows) {
    const from = components[fl.from]!;
    if (fl.kind === "train" && DATA_HOLDERS.has(from.kind)) fedData.add(fl.to);
    else if (
      (fl.kind === "load" || fl.kind === "deploy" || fl.kind === "train") &&
      components[fl.to]!.kind === "model" &&
      downloaded(from) &&
      !weightsInto.has(fl.to)
    )
      weightsInto.set(fl.to, fl);
  }
  const trains = (p: Component): boolean => {
    if (p.kind !== "pipeline") return false;
    const type = p.props.type;
    return type === "training" || type === "fine_tuning" || (type === undefined && fedData.has(p.index));
  };
  const out: Diagnostic[] = [];
  const warned = new Set<number>();
  for (const fl of suspects) {
    const model = components[fl.to]! as Component & { kind: "model" };
    const pipeline = components[fl.from]!;
    if (warned.has(model.index) || !trains(pipeline)) continue;
    warned.add(model.index);
    const origin = model.props.origin!;
    const type = pipeline.kind === "pipeline" ? pipeline.props.type : undefined;
    const what = type === "fine_tuning" ? "fine-tuning" : "training";
    const own =
      type === "training"
        ? "`origin in_house` (`fine_tuned` if it starts from a base model)"
        : type === "fine_tuning"
          ? "`origin fine_tuned`"
          : "`origin fine_tuned` (`in_house` if it trains from scratch)";
    const also = weightsInto.get(model.index);
    const from = also ? components[also.from]! : undefined;
    const notes = [{ message: `\`${pipeline.name}\` produces \`${model.name}\` here`, location: fl.loc }];
    if (also && from)
      notes.push({
        message: `\`${from.name}\` brings it third-party weights here (\`${also.kind}\`)`,
        location: also.loc,
      });
    const base = `(\`origin ${origin}\`, with a \`load\` flow into \`${pipeline.name}\`)`;
    const hint =
      also && from
        ? `\`${model.name}\` stands for both the weights \`${from.name}\` brings and the ones \`${pipeline.name}\` makes from them: declare the base model apart ${base} and give \`${model.name}\` \`origin fine_tuned\``
        : `write ${own} for weights \`${pipeline.name}\` makes; a ${origin === "vendor" ? "vendor" : "hub"} model it starts from is a model of its own ${base}`;
    out.push(
      diag(
        "AT3019",
        model.propLocs["origin"] ?? model.nameLoc,
        `model \`${model.name}\` has \`origin ${origin}\`, but the ${what} pipeline \`${pipeline.name}\` produces it`,
        {
          hint,
          notes,
        },
      ),
    );
  }
  return out;
}

function baseOf(base: Bases, category: SymbolCategory): number {
  switch (category) {
    case "zone":
      return base.zones;
    case "component":
      return base.components;
    case "data":
      return base.data;
    case "control":
      return base.controls;
    case "rule":
      return base.rules;
  }
}
