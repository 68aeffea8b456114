import { BUILTIN_CONTROL_BY_ID } from "../../catalog/controls.js";
import type { ControlUse, ResolvedModel } from "../../semantic/model.js";
import { didYouMean } from "../../semantic/suggest.js";

/** One what-if assumption: a control as if declared on a component or flow. */
export interface Assumption {
  readonly control: string;
  readonly target: { readonly type: "component" | "flow"; readonly index: number };
  readonly text: string;
}

/** Parses `control@target` (target: a component name, a flow name, or `from->to`); errors name what is wrong. */
export function parseAssumption(
  model: ResolvedModel,
  text: string,
): Assumption | { error: string; hint?: string } {
  const at = text.lastIndexOf("@");
  if (at <= 0 || at === text.length - 1)
    return {
      error: `\`--assume ${text}\` must be written \`<control>@<component or flow>\``,
      hint: "e.g. `--assume human_approval@mailer`",
    };
  const control = text.slice(0, at);
  const targetName = text.slice(at + 1);
  const known = [...BUILTIN_CONTROL_BY_ID.keys(), ...model.controls.map((c) => c.name)];
  if (!known.includes(control))
    return {
      error: `unknown control \`${control}\` in \`--assume\``,
      hint: didYouMean(control, known, { partial: true }) ?? "run `aithreat rules` to see the controls",
    };
  const comp = model.components.find((c) => c.name === targetName);
  if (comp) return { control, target: { type: "component", index: comp.index }, text };
  const flow = model.flows.find((f) => f.id === targetName || f.id === targetName.replace(/\s+/g, ""));
  if (flow) return { control, target: { type: "flow", index: flow.index }, text };
  return {
    error: `\`${targetName}\` in \`--assume\` names no component or flow`,
    hint:
      didYouMean(targetName, [...model.components.map((c) => c.name), ...model.flows.map((f) => f.id)]) ??
      "flows are named `from->to` unless declared with a name",
  };
}

/** The model as if the assumed controls were declared (a new model; the input is not changed). */
export function applyAssumptions(model: ResolvedModel, assumptions: readonly Assumption[]): ResolvedModel {
  if (assumptions.length === 0) return model;
  const add = (uses: readonly ControlUse[], a: Assumption, loc: ControlUse["loc"]): ControlUse[] =>
    uses.some((u) => u.name === a.control)
      ? [...uses]
      : [...uses, { name: a.control, loc, impliedBy: `--assume ${a.text}` }];
  const components = model.components.map((c) => {
    const mine = assumptions.filter((a) => a.target.type === "component" && a.target.index === c.index);
    return mine.length === 0
      ? c
      : { ...c, controls: mine.reduce((acc, a) => add(acc, a, c.nameLoc), c.controls) };
  });
  const flows = model.flows.map((f) => {
    const mine = assumptions.filter((a) => a.target.type === "flow" && a.target.index === f.index);
    return mine.length === 0
      ? f
      : { ...f, controls: mine.reduce((acc, a) => add(acc, a, f.loc), f.controls) };
  });
  return { ...model, components, flows };
}
