import type { ControlUse } from "../../semantic/model.js";
import type { Cia } from "../../semantic/vocabulary.js";
import type { EntryClass } from "../facts.js";
import type { StepTechnique } from "./techniques.js";

/** One step of an attack path. */
export interface PathStep {
  readonly from: number;
  readonly to: number;
  readonly flow: number;
  /** True when the step is an invoke/delegate result returning to the caller. */
  readonly returning: boolean;
  readonly technique?: StepTechnique;
  readonly likelihood: number;
  /** Declared controls that lower this step. */
  readonly controls: readonly ControlUse[];
}

/** An attack path from an entry to a crown jewel (and, for disclosure, on to where the attacker reads). */
export interface AttackPath {
  readonly entry: number;
  readonly entryClasses: readonly EntryClass[];
  readonly steps: readonly PathStep[];
  /** Disclosure only: from the reader to the observable sink. */
  readonly exfil: readonly PathStep[];
  readonly likelihood: number;
  /** The first step that crosses a trust boundary (index into steps), -1 when none does. */
  readonly firstCrossing: number;
  /** Distinctness key: entry and first boundary crossing. */
  readonly key: string;
}

/** Exposure of one crown jewel property to one entry class. */
export interface ExposureCell {
  readonly entryClass: EntryClass;
  readonly reachable: boolean;
  /** How many entries of the class reach it. */
  readonly entries: number;
  /** Likelihood of the most likely path (0 when unreachable). */
  readonly bestLikelihood: number;
  /** Steps on the most likely path (0 when unreachable). */
  readonly shortestSteps: number;
  /** Steps on the path with the fewest steps, whatever its likelihood (0 when unreachable). */
  readonly fewestSteps: number;
}

/** Everything the path analysis says about one target (a crown jewel property). */
export interface TargetReport {
  readonly crown: string;
  readonly crownType: "component" | "data";
  readonly property: Cia;
  readonly mode: "influence" | "disclosure";
  readonly exposure: readonly ExposureCell[];
  readonly paths: readonly AttackPath[];
  /** A lower bound on paths not listed (each further entry that reaches it has at least one). */
  readonly morePaths: number;
  /** Components every path from the class crosses, nearest the entries first. */
  readonly chokepoints: readonly { readonly entryClass: EntryClass; readonly nodes: readonly number[] }[];
  /** Disclosure only: components every way out crosses. */
  readonly exfilChokepoints: readonly number[];
  /** Share of paths through the busiest components (computed for the most exposed targets). */
  readonly softChokepoints?: readonly { readonly node: number; readonly share: number }[];
  readonly cut?: CutReport;
}

/** A set of controls that cuts every path, with its total cost. */
export interface CutReport {
  /** Whether the controls alone cut every path (no `uncuttable` step remains). */
  readonly feasible: boolean;
  readonly total: number;
  readonly controls: readonly {
    readonly control: string;
    readonly on: { readonly type: "component" | "flow"; readonly index: number };
    readonly cost: number;
  }[];
  /** Steps (flows) or components on remaining paths where no built-in control cuts: only lowering controls or a redesign help there. */
  readonly uncuttable: readonly { readonly type: "component" | "flow"; readonly index: number }[];
  /** `exact`: a true minimum over the placement model; `bounded`: search stopped, cost is an upper bound. */
  readonly quality: "exact" | "bounded";
}

/** The whole path analysis. */
export interface PathAnalysis {
  readonly entries: readonly number[];
  readonly targets: readonly TargetReport[];
  /** One set of controls cutting every path to every crown jewel. */
  readonly cut: CutReport;
  /** Components ranked by share of all attack paths through them. */
  readonly softChokepoints: readonly { readonly node: number; readonly share: number }[];
  readonly notes: readonly string[];
}
