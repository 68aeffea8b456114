import { currentArena, scratchF64, scratchI32, scratchScope, scratchU8 } from "../../graph/arena.js";
import { reachOver } from "../../graph/compact.js";
import { BUILTIN_CONTROL_BY_ID, canPlace } from "../../catalog/controls.js";
import type { ResolvedModel } from "../../semantic/model.js";
import { COMPONENT_KIND_NAMES } from "../../semantic/vocabulary.js";
import type { Rule } from "../rule.js";
import { controlCost, EXFIL_RULE, type AttackGraph, type CutTarget } from "./attack-graph.js";
import { CancelScratch, cancelFlow } from "./cancel-flow.js";
import {
  BuildScratch,
  CutNetworkBuilder,
  cutArcs,
  linkNumber,
  reduced,
  UNCUTTABLE_STEP,
  type CutArcKind,
  type CutArcs,
  type CutCapacities,
  type CutNetwork,
} from "./cut-network.js";
import { FlowWorkspace, INF, SlotLog, layOut, maxFlow, sourceSide, type Residual } from "./maxflow.js";
import type { CutReport } from "./model.js";
import { ResidualReach } from "./residual-reach.js";
import { componentOf, type UsableGraph } from "./usable.js";

/**
 * Capacity of a step no control can cut. Finite (above any realistic sum of control costs), so a cut
 * still exists: it names the cheapest controls for everything cuttable plus the steps that only
 * lowering controls or a redesign can address, instead of giving up on the whole question.
 */
const UNCUTTABLE = UNCUTTABLE_STEP;

type On = { readonly type: "component" | "flow"; readonly index: number };
type Option = { readonly id: string; readonly cost: number } | undefined;

const INFEASIBLE: CutReport = { feasible: false, total: 0, controls: [], uncuttable: [], quality: "exact" };

/**
 * The cheapest set of controls that cuts every path from the entries to a set of targets, as a
 * minimum cut (max-flow). Placement model: a control on a flow cuts that step; a control on a
 * component cuts every step into it (node splitting); a control only goes where it makes sense
 * (CONTROL_PLACEMENT). Costs are declared or default. Disclosure targets use a second copy of the
 * graph for the way out (readers -> observable sinks), where the lethal-trifecta controls apply; a
 * placement chosen in both legs is charged twice by the optimisation but once in the reported total,
 * so the report can only be cheaper than the optimum it came from.
 *
 * Each question builds its own network over only the nodes that lie on some entry -> target path
 * (cut-network.ts), so a question about one crown jewel costs about that crown jewel's part of the
 * graph. The cut reported is the minimum cut closest to the entries (the residual graph's source
 * side), which every maximum flow yields alike: the answer does not depend on how the flow was found.
 */
export class CutSolver {
  private readonly builder: CutNetworkBuilder;
  /** Way-out leg: cheapest lethal-trifecta control per component kind code, and on a flow. */
  private wayOutByKind: readonly Option[] = [];
  private wayOutFlow: Option;
  /** For a question asked outside the shared network (made on the first such question). */
  private readonly ws = new FlowWorkspace();
  private own?: { scratch: BuildScratch; arcs: CutArcs };
  /** Every arc's capacity, for the builds. */
  private readonly capacity: CutCapacities;
  private readonly wayOut: boolean;
  private shared?: Shared;
  /**
   * What each cut arc reports, by its meta code, made once and shared by every report that has it;
   * the first question's are kept by position in its base instead (`newEntry`).
   */
  private readonly entries = new Map<number, Entry>();
  /** The targets and readers no control can protect (`doomedNodes`). */
  private readonly doomed: Doomed;
  /** Per component, what of it the shared network folds into S (`CutNetworkBuilder`'s `fold`). */
  private readonly folded: Uint8Array;

  constructor(
    private readonly model: ResolvedModel,
    private readonly ag: AttackGraph,
    private readonly ug: UsableGraph,
    rules: readonly Rule[],
    sinks: readonly number[],
    /** The disclosure targets the questions will ask about: their readers share one network. */
    private readonly disclosure: readonly CutTarget[],
    /** Per component, 1 where it reaches a sink over way-out steps, if the caller has it. */
    toSinks?: Uint8Array,
    /** ResidualReach's `searchAbove` for the shared network (tests: 0 makes every update a whole search). */
    private readonly reachSearchAbove?: number,
  ) {
    const withWayOut = (this.wayOut = disclosure.length > 0);
    if (withWayOut) {
      const exfilRule = rules.find((r) => r.meta.id === EXFIL_RULE);
      const ranked = [...BUILTIN_CONTROL_BY_ID.values()]
        .filter((c) => c.effect === "cut" && (exfilRule?.meta.mitigations.includes(c.id) ?? false))
        .map((c) => ({ id: c.id, cost: controlCost(model, c.id) }))
        .sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1));
      const cheapestFor = (on: string) => ranked.find((c) => canPlace(c.id, on));
      // Per kind code, read through the attack graph's typed kinds: a read of each component's
      // object was most of the solver's setup at 100k, and an option per node after it.
      this.wayOutByKind = COMPONENT_KIND_NAMES.map(cheapestFor);
      this.wayOutFlow = cheapestFor("flow");
    }
    this.capacity = this.capacities();
    const n = ug.g.nodeCount;
    const doomed = (this.doomed = { influence: scratchU8(n), reader: scratchU8(n) });
    const folded = (this.folded = scratchU8(n));
    // The builder's search from the entries also marks what they reach over uncuttable arcs.
    const fold = { capacity: this.capacity, influence: doomed.influence, folded };
    this.builder = new CutNetworkBuilder(ag, ug, sinks, withWayOut, toSinks, fold);
    scratchScope(() => doomedNodes(ag, ug, sinks, this.capacity, withWayOut, doomed));
  }

  /**
   * Every arc's capacity, as `option` would give its cost (UNCUTTABLE for none), filled by plain
   * loops: a call per arc through a callback took as long as a search of the graph.
   */
  private capacities(): CutCapacities {
    const withWayOut = this.wayOut;
    const { nodeCutCost, flowCutCost } = this.ag;
    const original = this.ug.original;
    const n = this.ug.g.nodeCount;
    const node = scratchF64(n);
    // A turned node is cut by a control on its component (one place for both).
    for (let v = 0; v < n; v++) {
      const c = nodeCutCost[componentOf(this.ug, v)]!;
      node[v] = c < INF ? c : UNCUTTABLE;
    }
    const m = this.ug.g.edgeCount;
    const flow = scratchF64(m);
    for (let e = 0; e < m; e++) {
      const c = flowCutCost[original[e]!]!;
      flow[e] = c < INF ? c : UNCUTTABLE;
    }
    const wayOutNode = scratchF64(withWayOut ? n : 0);
    if (withWayOut) {
      const byKind = Float64Array.from(this.wayOutByKind, (o) => o?.cost ?? UNCUTTABLE);
      const kind = this.ag.compKind;
      const { components, turned } = this.ug;
      for (let v = 0; v < components; v++) wayOutNode[v] = byKind[kind[v]!]!;
      for (let v = components; v < n; v++) wayOutNode[v] = byKind[kind[turned[v - components]!]!]!;
    }
    return { node, wayOutNode, flow, wayOutFlow: this.wayOutFlow?.cost ?? UNCUTTABLE };
  }

  /** The control an arc of the network stands for (undefined: uncuttable), by its kind and index. */
  private option(kind: CutArcKind, index: number): Option {
    const ag = this.ag;
    switch (kind) {
      case "node": {
        const v = componentOf(this.ug, index);
        const c = ag.nodeCutCost[v]!;
        return c < INF ? { id: ag.nodeCutControl[v]!, cost: c } : undefined;
      }
      case "flow": {
        const e = this.ug.original[index]!;
        const c = ag.flowCutCost[e]!;
        return c < INF ? { id: ag.flowCutControlOf(e)!, cost: c } : undefined;
      }
      case "way-out node":
        return this.wayOutByKind[this.ag.compKind[componentOf(this.ug, index)]!];
      case "way-out flow":
        return this.wayOutFlow;
    }
  }

  private entry(code: number): Entry {
    let x = this.entries.get(code);
    if (!x) {
      x = this.newEntry(code);
      this.entries.set(code, x);
    }
    return x;
  }

  /**
   * The entry of a meta code, made afresh. The first question's cut keeps its entries in the base
   * (by position), so they are not also kept by code: its tens of thousands of map insertions were
   * a third of its report. A later question that needs one of them by code makes another, alike.
   */
  private newEntry(code: number): Entry {
    const kind = this.builder.kindOf(code);
    const index = this.builder.indexOf(code);
    const on = this.place(kind, index);
    const o = this.option(kind, index);
    const key = (on.type === "component" ? 0 : 2 ** 31) + on.index;
    return o ? { key, id: o.id, on, control: { control: o.id, on, cost: o.cost } } : { key, id: "", on };
  }

  private place(kind: CutArcKind, index: number): On {
    if (kind === "node" || kind === "way-out node")
      return { type: "component", index: componentOf(this.ug, index) };
    const e = kind === "flow" ? this.ug.original[index]! : index;
    return { type: "flow", index: this.ag.flowIndex[e]! };
  }

  /**
   * The cheapest cut for these targets. A target node (or reader) that some path of uncuttable steps
   * reaches is reported as uncuttable and left out of the question: kept in, the uncuttable arc the
   * cut must then take would also sever the other targets' paths through it, and the cut would drop
   * controls they need (agent-mcp's egress allow-list on the agent whose own integrity no control
   * protects).
   */
  solve(targets: readonly CutTarget[]): CutReport {
    const { influence, reader } = this.doomed;
    const lost = new Set<number>();
    const kept = targets.map((t) => {
      const doomed = t.mode === "influence" ? influence : reader;
      const { nodes } = t;
      let lose = 0;
      for (let i = 0; i < nodes.length; i++) if (doomed[nodes[i]!] === 1) lose++;
      if (lose === 0) return t;
      const left = new Int32Array(nodes.length - lose);
      for (let i = 0, k = 0; i < nodes.length; i++) {
        const v = nodes[i]!;
        if (doomed[v] === 1) lost.add(v);
        else left[k++] = v;
      }
      return { ...t, nodes: left };
    });
    return withUncuttable(
      this.solveKept(kept),
      [...lost].map((v) => componentOf(this.ug, v)),
    );
  }

  private solveKept(targets: readonly CutTarget[]): CutReport {
    const shared = this.solveShared(targets);
    if (shared) return shared;
    // Counted, then built into arcs with room for them.
    const own = (this.own ??= { scratch: new BuildScratch(this.ug.g.nodeCount), arcs: cutArcs(0) });
    const size = this.builder.build(targets, false, this.capacity, own.scratch);
    if (size === "unbounded") return INFEASIBLE;
    if (own.arcs.tail.length < size.count) own.arcs = cutArcs(Math.ceil(size.count * 1.25));
    const net = this.builder.build(targets, false, this.capacity, own.scratch, own.arcs) as CutNetwork;
    const r = layOut(this.ws, net.nodeCount, net.count, net.tail, net.head, net.cap);
    if (maxFlow(this.ws, r, net.S, net.T) === Infinity) return INFEASIBLE;
    const side = sourceSide(this.ws, r, net.S);
    const { count, meta, tail, head } = net;
    const cut: number[] = [];
    for (let a = 0; a < count; a++) {
      const code = meta[a]!;
      if (code >= 0 && side[tail[a]!] === 1 && side[head[a]!] === 0) cut.push(code);
    }
    return this.report(cut);
  }

  /**
   * Every question is asked of one network, built for the first question's influence targets and
   * every disclosure target's readers, in which a target's link to T and a reader's link into the
   * way out are open only while the question has that target or reader; the flow stays between
   * questions. A question takes the flow off the links it closes (back along the paths that carry
   * it) and max-flow continues from there: questions mostly share their cut, so a few augmentations
   * finish what a fresh network would take many phases for, and the source side is updated from
   * what the flow saturated (residual-reach.ts) instead of searched anew. Closed links make their
   * targets' onward parts dead ends or unreachable, which cannot change the cut closest to the
   * entries. Undefined when a target lies outside the shared network (asked for after it was
   * built), or when the cut's value is UNCUTTABLE or more (the network's fold into S, exact only
   * below it, may have moved the cut): the caller builds that question a network of its own. Such an
   * answer is not kept in `answers`, so asking it again asks both networks again.
   */
  private solveShared(targets: readonly CutTarget[]): CutReport | undefined {
    const { isEntry, fromEntries, linkable } = this.builder;
    for (const t of targets) {
      if (t.mode === "disclosure" && !this.wayOut) return undefined;
      if (t.mode === "influence")
        for (let i = 0; i < t.nodes.length; i++) if (isEntry[t.nodes[i]!]) return INFEASIBLE;
    }
    const sh = (this.shared ??= this.share(targets));
    const { r, linkPos, open, want } = sh;
    const n = this.ug.g.nodeCount;
    // Links by number: an influence target's is its component, a reader's n + its component.
    const wanted: number[] = [];
    let layerOpen = false;
    for (const t of targets) {
      const influence = t.mode === "influence";
      for (let i = 0, nodes = t.nodes; i < nodes.length; i++) {
        const v = nodes[i]!;
        if (influence ? !fromEntries[v] : !linkable[v]) continue;
        const x = influence ? v : n + v;
        if (want[x]) continue;
        if (linkPos[x]! < 0) {
          for (const w of wanted) want[w] = 0;
          return undefined;
        }
        want[x] = 1;
        wanted.push(x);
        layerOpen ||= !influence;
      }
    }
    // Questions with the same links open are the same question: answered once.
    const asked = Int32Array.from(wanted);
    const again = sh.answers.find(asked, want);
    if (again) {
      for (const x of wanted) want[x] = 0;
      return again;
    }
    this.startFrom(sh, wanted);
    const stillOpen: number[] = [];
    for (const x of sh.openList) {
      if (want[x]) {
        stillOpen.push(x);
        continue;
      }
      cancelFlow(r, sh.forward, linkPos[x]!, sh.net.S, sh.net.T, sh.scratch, sh.reach.changed);
      this.setLink(sh, x, 0);
      open[x] = 0;
    }
    for (const x of wanted) {
      want[x] = 0;
      if (open[x]) continue;
      this.setLink(sh, x, Infinity);
      open[x] = 1;
      stillOpen.push(x);
    }
    sh.openList = stillOpen;
    // With every link into the way out closed, no flow is left there: the steps from it into T are
    // closed too, so max-flow's sink tree does not grow through the whole way out.
    if (layerOpen !== sh.layerOpen) this.setLayer(sh, layerOpen);
    let answer = INFEASIBLE;
    // After the first question, the sink's tree alone (maxflow.ts): every later question's cut
    // leaves the smaller part of the network on its sink's side (a target's ancestors, or a way out
    // past the whole-model cut), and its flow is found by a few augmentations, if any.
    const grow = sh.snapshot ? "sink" : "turns";
    const { saturated } = sh.reach;
    if (maxFlow(sh.ws, r, sh.net.S, sh.net.T, Infinity, saturated, sh.touched, grow) !== Infinity) {
      const { reach, metaAt, forward } = sh;
      // The first question's flow is kept, and its cut is the reports' base (and the crossings',
      // when its residual graph is the one restoring that flow gives: with the way out open).
      const first = !sh.snapshot;
      sh.snapshot ??= this.snapshot(sh);
      let closedCount = 0;
      if (layerOpen)
        for (let i = 0; i < sh.readerLinks.length; i++) {
          const j = sh.readerLinks[i]!;
          if (r.cap[j] === 0) sh.closed[closedCount++] = j;
        }
      reach.update(layerOpen, sh.closed, closedCount);
      const { start, head, twin } = r;
      // The forward positions of the arcs the cut crosses.
      const cut: number[] = [];
      // The cut's value: the flow on the arcs it crosses (at a twin, the capacity is its arc's flow).
      let value = 0;
      const crossing = (v: number) => {
        for (let j = start[v]!, end = start[v + 1]!; j < end; j++) {
          if (forward[j] === 1) continue;
          const code = metaAt[twin[j]!]!;
          if (code >= 0 && reach.reached(head[j]!)) {
            cut.push(twin[j]!);
            value += r.cap[j]!;
          }
        }
      };
      const base = sh.base;
      if (base?.flowBase && reach.againstFlow) {
        const read = this.againstBase(sh, base);
        // At UNCUTTABLE or above, the cut may cross an uncuttable arc (see below).
        if (!read) return undefined;
        answer = read;
      } else {
        for (let i = 0; i < reach.unreachedCount; i++) crossing(reach.unreached[i]!);
        crossing(sh.net.T);
        // At UNCUTTABLE or above, the cut may cross an uncuttable arc: the fold into S (the builder's)
        // no longer holds, and a network without it answers.
        if (value >= UNCUTTABLE) return undefined;
        answer = this.sharedReport(sh, cut, first ? layerOpen : undefined, value);
      }
    }
    sh.answers.add(asked, answer);
    return answer;
  }

  /**
   * The cut of a question read against the first question's (`base`; `reach` compared with that
   * question's flow, the way out open), as its report; undefined at UNCUTTABLE or above. The reach
   * differs from the base's only at the moved nodes, so only arcs at a moved node can join or leave
   * that cut: the base's arcs there that no longer cross are dropped, other arcs there that cross
   * join. The base's other arcs still cross, saturated, and carry their capacity, as they did: the
   * value is the base's, less what is dropped, plus what joins (costs are whole numbers: exact sums).
   */
  private againstBase(sh: Shared, base: NonNullable<Shared["base"]>): CutReport | undefined {
    const { r, reach, forward, metaAt, inCut } = sh;
    const { start, head, twin, cap } = r;
    const joined: number[] = [];
    const dropped: number[] = [];
    let value = base.value;
    for (let i = 0; i < reach.movedCount; i++) {
      const x = reach.moved[i]!;
      for (let j = start[x]!, end = start[x + 1]!; j < end; j++) {
        const p = forward[j] === 1 ? j : twin[j]!;
        // An arc between two moved nodes is read from its tail.
        if (metaAt[p]! < 0 || (p !== j && reach.isMoved(head[j]!))) continue;
        const crosses = reach.reached(head[twin[p]!]!) && !reach.reached(head[p]!);
        if (inCut[p] === 1) {
          if (crosses) continue;
          // A base arc (not a link; the way out open): its capacity is its residual plus its flow.
          inCut[p] = DROPPED;
          dropped.push(p);
          value -= cap[p]! + cap[twin[p]!]!;
        } else if (crosses) {
          joined.push(p);
          value += cap[twin[p]!]!;
        }
      }
    }
    const report = value < UNCUTTABLE ? this.reportAgainstBase(sh, base, joined, dropped.length) : undefined;
    for (const p of dropped) inCut[p] = 1;
    return report;
  }

  /**
   * Where the flow of this question starts: the last question's (its links mostly shared), none (a
   * question with few links after one with many: cancelling tens of thousands of links' flow one by
   * one costs more than starting over), or the first question's, kept (a question with many links,
   * most of them the first question's, after one with few: saves redoing most of that flow). Chosen
   * by how many links each differs in from what this question asks; any start gives the same answer.
   * `sh.want` marks the links asked for.
   */
  private startFrom(sh: Shared, wanted: readonly number[]): void {
    const { open, want, snapshot } = sh;
    let fromLast = 0;
    for (const x of sh.openList) if (!want[x]) fromLast++;
    for (const x of wanted) if (!open[x]) fromLast++;
    let fromFirst = Infinity;
    if (snapshot) {
      fromFirst = 0;
      for (const x of snapshot.open) if (!want[x]) fromFirst++;
      for (const x of wanted) if (!snapshot.isOpen[x]) fromFirst++;
    }
    const fromNone = wanted.length;
    // Rough costs in links: starting over walks the arcs the flow touched, starting from the first
    // question's flow also lays that flow down again.
    const overhead = 16 + sh.touched.length / 64;
    const restore = fromFirst + overhead + (snapshot ? snapshot.at.length / 64 : 0);
    if (fromLast <= Math.min(fromNone + overhead, restore)) return;
    const { cap, back, twin } = sh.r;
    const { forward, touched } = sh;
    // No flow: every arc the flow touched back to its capacity (residual plus flow), closed links at 0.
    for (let i = 0; i < touched.length; i++) {
      const p = touched.list[i]!;
      const j = forward[p] === 1 ? p : twin[p]!;
      const k = twin[j]!;
      const f = cap[k]!;
      if (f > 0) {
        cap[j]! += f;
        back[k]! += f;
        cap[k] = 0;
        back[j] = 0;
      }
    }
    touched.clear();
    sh.reach.useBase("full");
    for (const x of sh.openList) {
      open[x] = 0;
      this.setLink(sh, x, 0);
    }
    sh.openList = [];
    if (!snapshot || restore > fromNone + overhead) return;
    if (!sh.layerOpen) this.setLayer(sh, true);
    const log = sh.reach.saturated;
    for (const x of snapshot.open) {
      open[x] = 1;
      this.setLink(sh, x, Infinity);
    }
    for (let i = 0; i < snapshot.at.length; i++) {
      const j = snapshot.at[i]!;
      const f = snapshot.flow[i]!;
      const k = twin[j]!;
      cap[j]! -= f;
      back[k]! -= f;
      cap[k]! += f;
      back[j]! += f;
      touched.note(j);
      if (cap[j] === 0) log.note(j);
    }
    sh.openList = [...snapshot.open];
    // The residual graph is the first question's again: the base to compare later questions with.
    // (With the way out open for the first question, this is the residual graph its update read.)
    if (!sh.reach.hasFlowBase) sh.reach.takeFlowBase(sh.base?.flowBase === true);
    sh.reach.useBase("flow");
  }

  /** The first question's flow (on the arcs that carry some) and links, to start later questions from. */
  private snapshot(sh: Shared): Snapshot {
    const { forward, r, touched } = sh;
    // Typed arrays with room for every touched position (tens of thousands of arcs carry flow: the
    // arrays of numbers pushed to took as long again).
    const at = scratchI32(touched.length);
    const flow = scratchF64(touched.length);
    let k = 0;
    // Every arc with flow was touched (on one side or the other) since the flow was last 0.
    for (let i = 0; i < touched.length; i++) {
      const p = touched.list[i]!;
      const j = forward[p] === 1 ? p : r.twin[p]!;
      const f = r.cap[r.twin[j]!]!;
      if (f > 0 && (p === j || touched.mark[j] === 0)) {
        at[k] = j;
        flow[k++] = f;
      }
    }
    const isOpen = scratchU8(sh.open.length);
    for (const x of sh.openList) isOpen[x] = 1;
    return { at: at.subarray(0, k), flow: flow.subarray(0, k), open: [...sh.openList], isOpen };
  }

  private setLink(sh: Shared, x: number, c: number): void {
    const j = sh.linkPos[x]!;
    sh.r.cap[j] = c;
    sh.r.back[sh.r.twin[j]!] = c;
    sh.reach.changed.note(j);
  }

  /** Opens or closes the steps from the way out's sinks into T (closing: no flow may be left on them). */
  private setLayer(sh: Shared, open: boolean): void {
    const { sinkSlots, sinkCap, r } = sh;
    for (let i = 0; i < sinkSlots.length; i++) {
      const j = sinkSlots[i]!;
      const c = open ? sinkCap[i]! : 0;
      r.cap[j] = c;
      r.back[r.twin[j]!] = c;
    }
    sh.layerOpen = open;
  }

  private share(first: readonly CutTarget[]): Shared {
    const targets = [...first.filter((t) => t.mode === "influence"), ...this.disclosure];
    const n = this.ug.g.nodeCount;
    // Built at once, into arc arrays that grow (no count first): what the solver keeps of the network
    // is taken after it is reduced, at the reduced size, so it lies above the build's arcs and ids
    // (at 1M components about 20 bytes an arc and 24 a node of the usable graph), which stay taken
    // below it. Counting first let them be given back, but the count was a search as long as the
    // build, and what was kept had room for the nodes and arcs the reduction removes. The arcs start
    // with room for 2.25 per node of the usable graph: the generated models have 1.94-2.01.
    const built = this.builder.build(
      targets,
      true,
      this.capacity,
      new BuildScratch(n),
      cutArcs(Math.ceil(2.25 * n) + 64),
      this.folded,
    ) as CutNetwork;
    // Halves merged, nodes with one arc in and one out gone (cut-network.ts); its own arrays given back.
    const net = { ...built, ...scratchScope(() => reduced(built)) };
    const { nodeCount, count, meta, cap } = net;
    const ws = new FlowWorkspace();
    ws.fit(nodeCount, count);
    const linkPos = scratchI32(2 * n).fill(-1);
    const forward = scratchU8(2 * count);
    const metaAt = scratchI32(2 * count);
    const layer = scratchU8(nodeCount);
    const open = scratchU8(2 * n);
    const want = scratchU8(2 * n);
    const arena = currentArena();
    const temporaries = arena?.mark() ?? 0;
    const pos = scratchI32(count);
    // Every link starts closed: no flow, no capacity.
    for (let a = 0; a < count; a++) if (meta[a]! < -1) cap[a] = 0;
    const taken = arena?.used;
    const r = layOut(ws, nodeCount, count, net.tail, net.head, cap, pos);
    const sinks: number[] = [];
    for (let a = 0; a < count; a++) {
      const j = pos[a]!;
      const code = meta[a]!;
      forward[j] = 1;
      metaAt[j] = code;
      if (code < -1) {
        // A link (numbered as `linkPos` is); a reader's leads into the way out.
        const x = linkNumber(code);
        linkPos[x] = j;
        if (x >= n) layer[net.head[a]!] = 1;
      } else if (code >= 0 && (code & 3) >= 2) {
        // A way-out arc: both ends in the way out, but for T.
        layer[net.tail[a]!] = 1;
        if (net.head[a] !== net.T) layer[net.head[a]!] = 1;
        else sinks.push(j);
      }
    }
    // The positions are given back, unless laying out took arrays of its own (the workspace fitted
    // above was too small for it).
    if (arena && arena.used === taken) arena.release(temporaries);
    const reach = new ResidualReach(r, forward, net.S, net.T, layer, this.reachSearchAbove);
    const touched = new SlotLog(2 * net.count);
    touched.next = reach.changed;
    const sinkSlots = Int32Array.from(sinks);
    const sinkCap = new Float64Array(sinks.length);
    for (let i = 0; i < sinks.length; i++) sinkCap[i] = r.cap[sinks[i]!]!;
    const readerLinks = linkPos.subarray(n).filter((j) => j >= 0);
    return {
      net: {
        ...net,
        tail: new Int32Array(0),
        head: new Int32Array(0),
        cap: new Float64Array(0),
        meta: new Int32Array(0),
      },
      ws,
      r,
      forward,
      metaAt,
      linkPos,
      open,
      want,
      openList: [],
      scratch: new CancelScratch(net.nodeCount),
      answers: new Answers(),
      reach,
      touched,
      readerLinks,
      closed: scratchI32(readerLinks.length),
      sinkSlots,
      sinkCap,
      layerOpen: true,
      inCut: scratchU8(2 * net.count),
    };
  }

  /**
   * The controls (and uncuttable steps) on the arcs leaving the source side, by their meta codes. A
   * cut can cross tens of thousands of arcs (every way-out step of a widely read asset) and the
   * questions of one analysis mostly cross the same ones, so each arc's entry is made once (reports
   * share them, read-only; the first question's base keeps its own, `newEntry`, which a later
   * question may make again by code) and entries are sorted by a number per place and the control's
   * name, with no string key per arc. Entries alike in both are alike in all (one cost per control),
   * so the order the arcs come in does not matter.
   */
  private report(codes: readonly number[]): CutReport {
    const cut = codes.map((code) => this.entry(code));
    return reportOf(inOrder(cut, byPlace(cut)));
  }

  /**
   * `report` for a cut of the shared network, by the positions of the arcs it crosses. The first
   * question's cut (`flowBase` given: whether crossings may be read against it), in place order, is
   * kept as the base; a later cut that crosses many arcs (a disclosure's
   * cut crosses nearly all of the whole-model cut's tens of thousands) is the base's entries it
   * still crosses, in their order, merged with its others sorted: no look-up or sort per arc of the
   * base. The order is the same (place, then control name; entries alike in both are alike in all).
   */
  private sharedReport(
    sh: Shared,
    at: readonly number[],
    flowBase: boolean | undefined,
    value: number,
  ): CutReport {
    const base = sh.base;
    const { metaAt } = sh;
    if (!base || at.length < base.at.length / 4) {
      // The first question's entries are the base's, by position (`newEntry`).
      const cut = at.map((j) =>
        flowBase === undefined ? this.entry(metaAt[j]!) : this.newEntry(metaAt[j]!),
      );
      const order = byPlace(cut);
      const sorted = inOrder(cut, order);
      if (flowBase !== undefined) {
        const atSorted = new Int32Array(at.length);
        for (let i = 0; i < at.length; i++) {
          atSorted[i] = at[order[i]!]!;
          sh.inCut[at[i]!] = 1;
        }
        sh.base = { at: atSorted, entries: sorted, flowBase, value };
      }
      return reportOf(sorted);
    }
    // inCut: bit 1 for the base's positions, bit 2 for this cut's.
    const inCut = sh.inCut;
    const others: Entry[] = [];
    for (let i = 0; i < at.length; i++) {
      const j = at[i]!;
      if (inCut[j] === 1) inCut[j] = 3;
      else others.push(this.entry(metaAt[j]!));
    }
    const kept: Entry[] = [];
    for (let i = 0; i < base.at.length; i++) {
      const j = base.at[i]!;
      if (inCut[j] === 3) {
        inCut[j] = 1;
        kept.push(base.entries[i]!);
      }
    }
    return withOthers(kept, others);
  }

  /**
   * The report of a cut read against the first question's (`base`): the base's entries but those
   * whose arc left the cut (`inCut` DROPPED), in their order, merged with the entries of the arcs
   * that joined it (`joined`, forward positions) sorted. The same order as `sharedReport`'s.
   */
  private reportAgainstBase(
    sh: Shared,
    base: NonNullable<Shared["base"]>,
    joined: readonly number[],
    dropped: number,
  ): CutReport {
    const { inCut, metaAt } = sh;
    let kept = base.entries;
    if (dropped > 0) {
      const left: Entry[] = [];
      for (let i = 0; i < base.at.length; i++)
        if (inCut[base.at[i]!] !== DROPPED) left.push(base.entries[i]!);
      kept = left;
    }
    return withOthers(
      kept,
      joined.map((j) => this.entry(metaAt[j]!)),
    );
  }
}

/** The report of the base's entries still crossed (in their order) and the cut's others, sorted in. */
function withOthers(kept: readonly Entry[], others: Entry[]): CutReport {
  return reportOf(merged(kept, inOrder(others, byPlace(others))));
}

function inOrder(cut: readonly Entry[], order: Int32Array): Entry[] {
  const out = new Array<Entry>(order.length);
  for (let i = 0; i < order.length; i++) out[i] = cut[order[i]!]!;
  return out;
}

/** Two lists each in place order (then control name), as one. */
function merged(a: readonly Entry[], b: readonly Entry[]): readonly Entry[] {
  if (b.length === 0) return a;
  const out = new Array<Entry>(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = byPlaceThenName(a[i]!, b[j]!) <= 0 ? a[i++]! : b[j++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** The report of a cut's entries in place order (then control name). */
function reportOf(cut: readonly Entry[]): CutReport {
  const controls: { control: string; on: On; cost: number }[] = [];
  const uncuttable: On[] = [];
  for (let i = 0; i < cut.length; i++) {
    const x = cut[i]!;
    const prev = cut[i - 1];
    if (prev && prev.key === x.key && prev.id === x.id) continue;
    if (x.control) controls.push(x.control);
    else uncuttable.push(x.on);
  }
  return {
    feasible: uncuttable.length === 0,
    total: controls.reduce((s, p) => s + p.cost, 0),
    controls,
    uncuttable,
    quality: "exact",
  };
}

const byName = (x: Entry, y: Entry): number => (x.id < y.id ? -1 : x.id > y.id ? 1 : 0);
const byPlaceThenName = (x: Entry, y: Entry): number => x.key - y.key || byName(x, y);
/** `Shared.inCut` at a base arc that left the cut being read (bit 1 is the base's, bit 2 a cut's). */
const DROPPED = 4;
/** Positions fit below this in a packed sort key. */
const POSITIONS = 2 ** 20;

/**
 * The order of entries by place, then control name (indices into `cut`). A disclosure's cut crosses tens of thousands of arcs, so the
 * places are sorted natively as numbers: a place is below 2^32, so place * 2^20 + position is an
 * exact double; only entries of one place (two controls on a component) then compare their names.
 */
function byPlace(cut: readonly Entry[]): Int32Array {
  const count = cut.length;
  const order = new Int32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  if (count >= POSITIONS) return order.sort((x, y) => byPlaceThenName(cut[x]!, cut[y]!));
  const keys = new Float64Array(count);
  for (let i = 0; i < count; i++) keys[i] = cut[i]!.key * POSITIONS + i;
  keys.sort();
  for (let i = 0; i < count; i++) order[i] = keys[i]! % POSITIONS;
  for (let i = 0, j = 1; i < count; i = j++) {
    while (j < count && cut[order[j]!]!.key === cut[order[i]!]!.key) j++;
    // (By insertion: such runs are short, mostly one control's arcs at one place.)
    for (let k = i + 1; k < j; k++) {
      const x = order[k]!;
      let h = k;
      for (; h > i && byName(cut[order[h - 1]!]!, cut[x]!) > 0; h--) order[h] = order[h - 1]!;
      order[h] = x;
    }
  }
  return order;
}

/** A cut arc as reported: its place, as a sortable number ("component" before "flow", then index), and its control ("" for none). */
interface Entry {
  readonly key: number;
  readonly id: string;
  readonly on: On;
  readonly control?: { readonly control: string; readonly on: On; readonly cost: number };
}

/** The network every question shares, with the flow of the last one. */
interface Shared {
  /** Its size, S and T (the arc arrays are not kept). */
  readonly net: CutNetwork;
  readonly ws: FlowWorkspace;
  readonly r: Residual;
  readonly forward: Uint8Array;
  /** Per position: the meta code of the arc there (forward positions only). */
  readonly metaAt: Int32Array;
  /**
   * Per link (an influence target v as v, a reader r as n + r): where it sits (-1: none), whether
   * it is open, asked for.
   */
  readonly linkPos: Int32Array;
  readonly open: Uint8Array;
  readonly want: Uint8Array;
  openList: number[];
  readonly scratch: CancelScratch;
  readonly answers: Answers;
  readonly reach: ResidualReach;
  /** The positions whose capacity changed since the flow was last 0 (or more). */
  readonly touched: SlotLog;
  /** Where the readers' links sit, and room for those closed. */
  readonly readerLinks: Int32Array;
  readonly closed: Int32Array;
  /** The steps from the way out's sinks into T, and their capacities. */
  readonly sinkSlots: Int32Array;
  readonly sinkCap: Float64Array;
  /** Whether those steps are open (some reader's link is). */
  layerOpen: boolean;
  snapshot?: Snapshot;
  /**
   * The first question's cut: its arcs (forward positions) and entries, in place order, and 1 at its
   * positions; `flowBase` when restoring that question's flow gives its residual graph back (the way
   * out was open for it), so later crossings can be read against it.
   */
  base?: {
    readonly at: Int32Array;
    readonly entries: readonly Entry[];
    readonly flowBase: boolean;
    /** The cut's value (the flow on the arcs it crosses). */
    readonly value: number;
  };
  readonly inCut: Uint8Array;
}

/** Per component: 1 when it is an influence target, or a reader, that no control can protect. */
interface Doomed {
  readonly influence: Uint8Array;
  readonly reader: Uint8Array;
}

/**
 * The components a path of uncuttable arcs reaches, in the network every question's is part of (the
 * reference construction of test/analysis/min-cut.test.ts): from an entry over usable steps no
 * control cuts, through components no control cuts (an entry passes as it is); a reader also needs
 * such a way out to a sink (way-out steps and components at UNCUTTABLE). Computed once, on the
 * attack graph, so every network a question is asked of agrees. `out.influence` is the builder's
 * (`fold`); `out.reader` is written here, and kept (everything taken here is a temporary).
 */
function doomedNodes(
  ag: AttackGraph,
  ug: UsableGraph,
  sinks: readonly number[],
  caps: CutCapacities,
  withWayOut: boolean,
  out: Doomed,
): void {
  const n = ug.g.nodeCount;
  const influence = out.influence;
  if (!withWayOut) return;
  // Backward from the sinks over the way out: what reaches a sink with nothing cuttable on the way.
  const a = ag.g;
  const stepOpen = caps.wayOutFlow >= UNCUTTABLE;
  const wayOut = reachOver(
    a,
    sinks.filter((s) => caps.wayOutNode[s]! >= UNCUTTABLE),
    (e) => stepOpen && ag.exfilWeight[e] !== Infinity && caps.wayOutNode[a.edgeFrom[e]!]! >= UNCUTTABLE,
    true,
  );
  const reader = out.reader;
  for (let v = 0; v < n; v++) reader[v] = influence[v]! & wayOut[componentOf(ug, v)]!;
}

/** A cut with these components among its uncuttable places (in place order, each once); not feasible then. */
export function withUncuttable(cut: CutReport, components: readonly number[]): CutReport {
  if (components.length === 0) return cut;
  const key = (on: On) => (on.type === "component" ? 0 : 2 ** 31) + on.index;
  const places = new Map(cut.uncuttable.map((on) => [key(on), on]));
  for (const index of components) {
    const on: On = { type: "component", index };
    if (!places.has(key(on))) places.set(key(on), on);
  }
  const uncuttable = [...places].sort((a, b) => a[0] - b[0]).map(([, on]) => on);
  return { ...cut, feasible: false, uncuttable };
}

/** A flow by the positions of the arcs that carry some, and the links open for it. */
interface Snapshot {
  readonly at: Int32Array;
  readonly flow: Float64Array;
  readonly open: readonly number[];
  readonly isOpen: Uint8Array;
}

/**
 * Answers by the set of links a question opens (in any order: hashed as a set, and compared by the
 * caller's marks, with no sort of tens of thousands of readers' links). The network and the open links are a
 * function of that set alone, and the minimum cut closest to the entries is unique, so an answer
 * holds for every question with the same set.
 */
class Answers {
  private readonly byHash = new Map<number, { readonly set: Int32Array; readonly report: CutReport }[]>();

  /** `marked`: 1 at every link of `set` (which holds each once). */
  find(set: Int32Array, marked: Uint8Array): CutReport | undefined {
    const same = this.byHash.get(hashOf(set));
    if (!same) return undefined;
    for (const x of same) if (x.set.length === set.length && allMarked(x.set, marked)) return x.report;
    return undefined;
  }

  add(set: Int32Array, report: CutReport): void {
    const h = hashOf(set);
    const list = this.byHash.get(h);
    if (list) list.push({ set, report });
    else this.byHash.set(h, [{ set, report }]);
  }
}

function allMarked(set: Int32Array, marked: Uint8Array): boolean {
  for (let i = 0; i < set.length; i++) if (marked[set[i]!] !== 1) return false;
  return true;
}

/** A hash of a set of 32-bit values, whatever their order: the sum of each one's mix. */
function hashOf(set: Int32Array): number {
  let h = set.length | 0;
  for (let i = 0; i < set.length; i++) {
    let x = set[i]!;
    x = Math.imul(x ^ (x >>> 16), 0x7feb352d);
    x = Math.imul(x ^ (x >>> 15), 0x846ca68b);
    h = (h + (x ^ (x >>> 16))) | 0;
  }
  return h >>> 0;
}
