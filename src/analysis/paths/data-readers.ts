import { scratchI32, scratchU8 } from "../../graph/arena.js";
import { buildCompactGraph } from "../../graph/compact.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import type { Facts } from "../facts.js";
import { IndexedMinHeap } from "./heap.js";
import { condense } from "./scc.js";
import { TargetGroup } from "./target-groups.js";

/** Where an asset's readers are marked: bit `bit` of `group`. */
export interface ReaderMarks {
  readonly group: TargetGroup;
  readonly bit: number;
}

/**
 * Components each data asset reaches from its holders, honouring `carries` on the way (as the
 * sensitivity facts do: a flow that names assets carries only those; any other flow carries every
 * asset but secrets), keeping those marked in `keep`, as a target group per 32 assets (never listed:
 * see target-groups.ts). Bit-parallel, 32 assets per pass. Flows without `carries` let every non-secret asset through, so inside a strongly connected
 * component of those flows every member reaches the same non-secret assets: non-secret assets spread
 * over that condensation (one node per component, visited in topological order), and only the flows
 * that name assets can send a mask back up. Secrets move on naming flows only, so they spread node by
 * node over the few components those reach.
 */
export function dataReaders(
  tg: ThreatGraph,
  facts: Facts,
  assets: readonly number[],
  holders: ReadonlyMap<number, ReadonlySet<number>>,
  keep: Uint8Array,
): Map<number, ReaderMarks> {
  const g = facts.info;
  const n = g.nodeCount;
  const out = new Map<number, ReaderMarks>();
  const isSecret = (d: number) => tg.model.data[d]?.classification === "secret";
  const open = assets.filter((d) => !isSecret(d));
  const secret = assets.filter(isSecret);
  const bitsOf = (batch: readonly number[]) => new Map(batch.map((d, i) => [d, 1 << i]));
  const allowedOf = scratchI32(tg.model.flows.length);
  // The naming flows and the assets of `assets` each names, read from the model once.
  const wanted = scratchI32(tg.model.data.length).fill(-1);
  assets.forEach((d, i) => (wanted[d] = i));
  const namingFlows: number[] = [];
  const namedStart: number[] = [0];
  const named: number[] = [];
  for (let f = 0; f < allowedOf.length; f++) {
    if (!tg.declaresCarries[f]) continue;
    namingFlows.push(f);
    for (const d of tg.model.flows[f]!.carries) if (wanted[d]! >= 0) named.push(d);
    namedStart.push(named.length);
  }
  // What each naming flow lets through for a batch.
  const naming = (bit: ReadonlyMap<number, number>) => {
    for (let k = 0; k < namingFlows.length; k++) {
      let allowed = 0;
      for (let j = namedStart[k]!; j < namedStart[k + 1]!; j++) allowed |= bit.get(named[j]!) ?? 0;
      allowedOf[namingFlows[k]!] = allowed;
    }
  };
  // Each node's bits, of the nodes kept, for the group of a batch.
  const bits = scratchI32(n);
  const mark = (batch: readonly number[], group: TargetGroup) =>
    batch.forEach((d, bit) => out.set(d, { group, bit }));

  if (open.length > 0) {
    // The condensation of the flows without `carries`, and the steps between its components.
    // (Typed arrays counted first: pushing a few hundred thousand numbers costs more than the pass.)
    let openCount = 0;
    for (let e = 0; e < g.edgeCount; e++) if (!tg.declaresCarries[facts.infoFlow[e]!]) openCount++;
    const from = scratchI32(openCount);
    const to = scratchI32(openCount);
    for (let e = 0, k = 0; e < g.edgeCount; e++) {
      if (tg.declaresCarries[facts.infoFlow[e]!]) continue;
      from[k] = g.edgeFrom[e]!;
      to[k++] = g.edgeTo[e]!;
    }
    const cond = condense(buildCompactGraph(n, from, to));
    const comp = cond.comp;
    let crossCount = 0;
    for (let e = 0; e < g.edgeCount; e++) if (comp[g.edgeFrom[e]!] !== comp[g.edgeTo[e]!]) crossCount++;
    const qFrom = scratchI32(crossCount);
    const qTo = scratchI32(crossCount);
    const qFlow = scratchI32(crossCount);
    for (let e = 0, k = 0; e < g.edgeCount; e++) {
      const a = comp[g.edgeFrom[e]!]!;
      const b = comp[g.edgeTo[e]!]!;
      if (a === b) continue;
      qFrom[k] = a;
      qTo[k] = b;
      const f = facts.infoFlow[e]!;
      qFlow[k++] = tg.declaresCarries[f] ? f : -1;
    }
    const q = buildCompactGraph(cond.count, qFrom, qTo);
    const mask = scratchI32(cond.count);
    // One sweep in topological order (higher ids first) settles every mask, except where a naming
    // flow leads back up to a component already swept: those are revisited from a heap, in the same
    // order, until nothing changes. (A heap over every reached component cost a log factor per
    // component, per batch of 32 assets: most of the index at 1M.)
    const heap = new IndexedMinHeap(cond.count);
    const spread = (x: number, swept: number) => {
      const m = mask[x]!;
      for (let i = q.outStart[x]!; i < q.outStart[x + 1]!; i++) {
        const e = q.outEdges[i]!;
        const f = qFlow[e]!;
        const pass = f < 0 ? m : m & allowedOf[f]!;
        const y = q.edgeTo[e]!;
        if ((mask[y]! | pass) !== mask[y]) {
          mask[y]! |= pass;
          if (y >= swept) heap.push(y, cond.count - y);
        }
      }
    };
    for (let b = 0; b < open.length; b += 32) {
      const batch = open.slice(b, b + 32);
      const bit = bitsOf(batch);
      naming(bit);
      mask.fill(0);
      let top = -1;
      batch.forEach((d, i) => {
        for (const h of holders.get(d) ?? []) {
          const x = comp[h]!;
          mask[x]! |= 1 << i;
          if (x > top) top = x;
        }
      });
      for (let x = top; x >= 0; x--) if (mask[x] !== 0) spread(x, x);
      // Every component counts as swept now: any change queues its component again.
      while (heap.length > 0) spread(heap.pop(), 0);
      mark(batch, TargetGroup.ofMasks(keptBits(keep, mask, comp, bits)));
    }
  }

  if (secret.length > 0) {
    // A FIFO worklist over nodes (each queued at most once at a time), along naming flows only.
    const mask = scratchI32(n);
    const inQueue = scratchU8(n);
    const ring = scratchI32(n);
    for (let b = 0; b < secret.length; b += 32) {
      const batch = secret.slice(b, b + 32);
      const bit = bitsOf(batch);
      naming(bit);
      mask.fill(0);
      let head = 0;
      let size = 0;
      const push = (v: number) => {
        inQueue[v] = 1;
        ring[(head + size++) % n] = v;
      };
      batch.forEach((d, i) => {
        for (const h of holders.get(d) ?? []) {
          mask[h]! |= 1 << i;
          if (!inQueue[h]) push(h);
        }
      });
      while (size > 0) {
        const v = ring[head]!;
        head = (head + 1) % n;
        size--;
        inQueue[v] = 0;
        for (let i = g.outStart[v]!; i < g.outStart[v + 1]!; i++) {
          const e = g.outEdges[i]!;
          const f = facts.infoFlow[e]!;
          if (!tg.declaresCarries[f]) continue;
          const pass = mask[v]! & allowedOf[f]!;
          const w = g.edgeTo[e]!;
          if ((mask[w]! | pass) !== mask[w]) {
            mask[w]! |= pass;
            if (!inQueue[w]) push(w);
          }
        }
      }
      mark(batch, TargetGroup.ofMasks(keptBits(keep, mask, undefined, bits)));
    }
  }
  return out;
}

/** Each node's bits into `out`: `mask` of its component (or of itself without `comp`), 0 unless kept. */
function keptBits(
  keep: Uint8Array,
  mask: Int32Array,
  comp: Int32Array | undefined,
  out: Int32Array,
): Int32Array {
  for (let v = 0; v < out.length; v++) out[v] = keep[v] ? mask[comp ? comp[v]! : v]! : 0;
  return out;
}
