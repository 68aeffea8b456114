import { BUILTIN_CONTROL_BY_ID, DEFAULT_CONTROL_COST, canPlace } from "../../catalog/controls.js";
import type { ResolvedModel } from "../../semantic/model.js";
import type { Rule } from "../rule.js";
import { EXFIL_RULE, type AttackGraph, type CutTarget } from "./attack-graph.js";
import { CancelScratch, cancelFlow } from "./cancel-flow.js";
import { CutNetworkBuilder, linkReader, type CutArcKind, type CutNetwork } from "./cut-network.js";
import { FlowWorkspace, INF, layOut, maxFlow, sourceSide, type Residual } from "./maxflow.js";
import type { CutReport } from "./model.js";
import type { UsableGraph } from "./usable.js";

/**
 * Capacity of a step no control can cut. Finite (above any realistic sum of control costs), so a cut
 * still exists: it names the cheapest controls for everything cuttable plus the steps that only
 * lowering controls or a redesign can address, instead of giving up on the whole question.
 */
const UNCUTTABLE = 1 << 24;

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
  /** Way-out leg: cheapest lethal-trifecta control per component, and on a flow. */
  private readonly wayOutNode: Option[] = [];
  private wayOutFlow: Option;
  private ws = new FlowWorkspace();
  private shared?: Shared;
  /** What each cut arc reports, by its meta code, made once and shared by every report that has it. */
  private readonly entries = new Map<number, Entry>();

  constructor(
    private readonly model: ResolvedModel,
    private readonly ag: AttackGraph,
    private readonly ug: UsableGraph,
    rules: readonly Rule[],
    sinks: readonly number[],
    /** The disclosure targets the questions will ask about: their readers share one network. */
    private readonly disclosure: readonly CutTarget[],
  ) {
    const withWayOut = disclosure.length > 0;
    const cost = (name: string) =>
      Math.round(
        model.controls.find((c) => c.name === name)?.cost ??
          BUILTIN_CONTROL_BY_ID.get(name)?.cost ??
          DEFAULT_CONTROL_COST,
      );
    if (withWayOut) {
      const exfilRule = rules.find((r) => r.meta.id === EXFIL_RULE);
      const ranked = [...BUILTIN_CONTROL_BY_ID.values()]
        .filter((c) => c.effect === "cut" && (exfilRule?.meta.mitigations.includes(c.id) ?? false))
        .map((c) => ({ id: c.id, cost: cost(c.id) }))
        .sort((a, b) => a.cost - b.cost || (a.id < b.id ? -1 : 1));
      const cheapest = new Map<string, Option>();
      const cheapestFor = (on: string) => {
        if (!cheapest.has(on))
          cheapest.set(
            on,
            ranked.find((c) => canPlace(c.id, on)),
          );
        return cheapest.get(on);
      };
      for (let v = 0; v < ug.g.nodeCount; v++) this.wayOutNode.push(cheapestFor(model.components[v]!.kind));
      this.wayOutFlow = cheapestFor("flow");
    }
    this.builder = new CutNetworkBuilder(ag, ug, sinks, withWayOut, (kind, index) =>
      this.capacity(kind, index),
    );
  }

  /** The control an arc of the network stands for (undefined: uncuttable), by its kind and index. */
  private option(kind: CutArcKind, index: number): Option {
    const ag = this.ag;
    switch (kind) {
      case "node": {
        const c = ag.nodeCutCost[index]!;
        return c < INF ? { id: ag.nodeCutControl[index]!, cost: c } : undefined;
      }
      case "flow": {
        const e = this.ug.original[index]!;
        const c = ag.flowCutCost[e]!;
        return c < INF ? { id: ag.flowCutControl[e]!, cost: c } : undefined;
      }
      case "way-out node":
        return this.wayOutNode[index];
      case "way-out flow":
        return this.wayOutFlow;
    }
  }

  /** `option(kind, index)`'s cost (UNCUTTABLE for none) without building it: called for every arc. */
  private capacity(kind: CutArcKind, index: number): number {
    const ag = this.ag;
    let c: number;
    switch (kind) {
      case "node":
        c = ag.nodeCutCost[index]!;
        return c < INF ? c : UNCUTTABLE;
      case "flow":
        c = ag.flowCutCost[this.ug.original[index]!]!;
        return c < INF ? c : UNCUTTABLE;
      case "way-out node":
        return this.wayOutNode[index]?.cost ?? UNCUTTABLE;
      case "way-out flow":
        return this.wayOutFlow?.cost ?? UNCUTTABLE;
    }
  }

  private entry(code: number): Entry {
    let x = this.entries.get(code);
    if (!x) {
      const kind = this.builder.kindOf(code);
      const index = this.builder.indexOf(code);
      const on = this.place(kind, index);
      const o = this.option(kind, index);
      const key = (on.type === "component" ? 0 : 2 ** 31) + on.index;
      x = o ? { key, id: o.id, on, control: { control: o.id, on, cost: o.cost } } : { key, id: "", on };
      this.entries.set(code, x);
    }
    return x;
  }

  private place(kind: CutArcKind, index: number): On {
    if (kind === "node" || kind === "way-out node") return { type: "component", index };
    const e = kind === "flow" ? this.ug.original[index]! : index;
    return { type: "flow", index: this.ag.flowIndex[e]! };
  }

  /** The cheapest cut for these targets. */
  solve(targets: readonly CutTarget[]): CutReport {
    if (targets.length > 0 && targets.every((t) => t.mode === "disclosure")) {
      const reused = this.solveDisclosure(targets);
      if (reused) return reused;
    }
    const net = this.builder.build(targets);
    if (net === "unbounded") return INFEASIBLE;
    const r = layOut(this.ws, net.nodeCount, net.count, net.tail, net.head, net.cap);
    if (maxFlow(this.ws, r, net.S, net.T) === Infinity) return INFEASIBLE;
    return this.report(net, sourceSide(this.ws, r, net.S));
  }

  /**
   * Disclosure questions share one network over every disclosure target's part of the graph, in which
   * the link from a reader into the way out is open only while the question has that reader; the flow
   * stays between questions. A question takes the flow off the links it closes (back along the paths
   * that carry it) and max-flow continues from there: the readers of two crown jewels mostly
   * coincide, so a few augmentations finish what a fresh network would take many phases for. Closed
   * links make their readers' parts dead ends, which cannot change the cut closest to the entries.
   * Undefined when a reader lies outside the shared network (a question not from the attack graph).
   */
  private solveDisclosure(targets: readonly CutTarget[]): CutReport | undefined {
    const sh = (this.shared ??= this.shareDisclosure());
    const { r, linkPos, open, want } = sh;
    const linkable = this.builder.linkable;
    const wanted: number[] = [];
    for (const t of targets)
      for (let i = 0, nodes = t.nodes; i < nodes.length; i++) {
        const v = nodes[i]!;
        if (!linkable[v] || want[v]) continue;
        if (linkPos[v]! < 0) {
          for (const w of wanted) want[w] = 0;
          return undefined;
        }
        want[v] = 1;
        wanted.push(v);
      }
    // Crown jewels read by the same components ask the same question: answered once.
    const asked = Int32Array.from(wanted).sort();
    const again = sh.answers.find(asked);
    if (again) {
      for (const v of wanted) want[v] = 0;
      return again;
    }
    const stillOpen: number[] = [];
    for (const v of sh.openList) {
      if (want[v]) {
        stillOpen.push(v);
        continue;
      }
      const j = linkPos[v]!;
      cancelFlow(r, sh.forward, j, sh.net.S, sh.net.T, sh.scratch);
      r.cap[j] = 0;
      r.back[r.twin[j]!] = 0;
      open[v] = 0;
    }
    for (const v of wanted) {
      want[v] = 0;
      if (open[v]) continue;
      const j = linkPos[v]!;
      r.cap[j] = Infinity;
      r.back[r.twin[j]!] = Infinity;
      open[v] = 1;
      stillOpen.push(v);
    }
    sh.openList = stillOpen;
    const answer =
      maxFlow(sh.ws, r, sh.net.S, sh.net.T) === Infinity
        ? INFEASIBLE
        : this.report(sh.net, sourceSide(sh.ws, r, sh.net.S));
    sh.answers.add(asked, answer);
    return answer;
  }

  private shareDisclosure(): Shared {
    const built = this.builder.build(this.disclosure) as CutNetwork;
    const count = built.count;
    const net: CutNetwork = {
      ...built,
      tail: built.tail.slice(0, count),
      head: built.head.slice(0, count),
      cap: built.cap.slice(0, count),
      meta: built.meta.slice(0, count),
    };
    const n = this.ug.g.nodeCount;
    const linkPos = new Int32Array(n).fill(-1);
    const pos = new Int32Array(count);
    // Every link starts closed: no flow, no capacity.
    const { meta, cap } = net;
    for (let a = 0; a < count; a++) if (meta[a]! < -1) cap[a] = 0;
    // The shared network takes over the workspace the questions so far grew (the whole-model question
    // comes first and is the largest): one large set of arrays fewer, each of them tens of MB that
    // would bring the next full garbage collection closer (bench/README.md).
    const ws = this.ws;
    this.ws = new FlowWorkspace();
    const r = layOut(ws, net.nodeCount, count, net.tail, net.head, net.cap, pos);
    const forward = new Uint8Array(2 * count);
    for (let a = 0; a < count; a++) {
      forward[pos[a]!] = 1;
      if (meta[a]! < -1) linkPos[linkReader(meta[a]!)] = pos[a]!;
    }
    return {
      net,
      ws,
      r,
      forward,
      linkPos,
      open: new Uint8Array(n),
      want: new Uint8Array(n),
      openList: [],
      scratch: new CancelScratch(net.nodeCount),
      answers: new Answers(),
    };
  }

  /**
   * The controls (and uncuttable steps) on the arcs leaving the source side. A cut can cross tens of
   * thousands of arcs (every way-out step of a widely read asset) and the questions of one analysis
   * mostly cross the same ones, so each arc's entry is made once (reports share them, read-only) and
   * entries are sorted by a number per place and the control's name, with no string key per arc.
   */
  private report(net: CutNetwork, side: Uint8Array): CutReport {
    const { count, meta, tail, head } = net;
    const cut: Entry[] = [];
    for (let a = 0; a < count; a++) {
      const code = meta[a]!;
      if (code >= 0 && side[tail[a]!] === 1 && side[head[a]!] === 0) cut.push(this.entry(code));
    }
    cut.sort((x, y) => x.key - y.key || (x.id < y.id ? -1 : x.id > y.id ? 1 : 0));
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
}

/** A cut arc as reported: its place, as a sortable number ("component" before "flow", then index), and its control ("" for none). */
interface Entry {
  readonly key: number;
  readonly id: string;
  readonly on: On;
  readonly control?: { readonly control: string; readonly on: On; readonly cost: number };
}

/** The network disclosure questions share, with the flow of the last one. */
interface Shared {
  readonly net: CutNetwork;
  readonly ws: FlowWorkspace;
  readonly r: Residual;
  readonly forward: Uint8Array;
  /** Per component: where its link into the way out sits (-1: none), whether it is open, asked for. */
  readonly linkPos: Int32Array;
  readonly open: Uint8Array;
  readonly want: Uint8Array;
  openList: number[];
  readonly scratch: CancelScratch;
  readonly answers: Answers;
}

/**
 * Disclosure answers by the set of readers asked for (sorted). The network and the open links are a
 * function of that set alone, and the minimum cut closest to the entries is unique, so an answer
 * holds for every question with the same set.
 */
class Answers {
  private readonly byHash = new Map<number, { readonly set: Int32Array; readonly report: CutReport }[]>();

  find(set: Int32Array): CutReport | undefined {
    const same = this.byHash.get(hashOf(set));
    return same?.find((x) => x.set.length === set.length && x.set.every((v, i) => v === set[i]))?.report;
  }

  add(set: Int32Array, report: CutReport): void {
    const h = hashOf(set);
    const list = this.byHash.get(h);
    if (list) list.push({ set, report });
    else this.byHash.set(h, [{ set, report }]);
  }
}

/** FNV-1a over 32-bit values. */
function hashOf(set: Int32Array): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < set.length; i++) h = Math.imul(h ^ set[i]!, 0x01000193);
  return h >>> 0;
}
