import type { Component, Flow } from "../../semantic/model.js";
import type { ThreatGraph } from "../../graph/threat-graph.js";
import { ENTRY, type Facts } from "../facts.js";
import { isLlmConsumer } from "../predicates.js";

/** What realises one step of an attack path: the rule that describes it and its ATLAS technique. */
export interface StepTechnique {
  readonly rule: string;
  readonly technique: string;
  /** A short verb phrase for path listings ("injects instructions into"). */
  readonly action: string;
}

const T = (rule: string, technique: string, action: string): StepTechnique => ({ rule, technique, action });

const TRAINING_SIDE = new Set(["dataset", "pipeline"]);

/**
 * Labels an info-flow step with the technique an attacker uses to cross it, or undefined when content
 * simply moves along (a copy between stores needs no technique: the step costs the attacker nothing).
 * The order of the checks is the order of precedence.
 */
export function stepTechnique(
  g: ThreatGraph,
  facts: Facts,
  flow: Flow,
  from: Component,
  to: Component,
  returning: boolean,
): StepTechnique | undefined {
  if (isLlmConsumer(g, to)) {
    const direct =
      !returning && flow.kind === "prompt" && (facts.entry[from.index]! & ENTRY.USER_INPUT) !== 0;
    return direct
      ? T("AT-24", "AML.T0051.000", "injects instructions into")
      : T("AT-25", "AML.T0051.001", "plants instructions that reach");
  }
  if (returning) return undefined;
  if (to.kind === "vectorstore" && (flow.kind === "ingest" || flow.kind === "write" || flow.kind === "copy"))
    return T("AT-30", "AML.T0070", "poisons the index");
  if (flow.kind === "feedback") return T("AT-04", "AML.T0020", "skews training through feedback into");
  if (flow.kind === "label") return T("AT-03", "AML.T0010.002", "manipulates labels of");
  if (
    flow.kind === "train" ||
    (TRAINING_SIDE.has(to.kind) && (flow.kind === "ingest" || flow.kind === "copy" || flow.kind === "write"))
  ) {
    return T("AT-01", "AML.T0020", "poisons the training data of");
  }
  if (flow.kind === "produce" && (to.kind === "model" || to.kind === "registry"))
    return T("AT-02", "AML.T0018.000", "implants a backdoor in");
  if (flow.kind === "load") {
    return (facts.thirdParty[from.index] ?? 0) !== 0
      ? T("AT-09", "AML.T0010.003", "gets a tampered artifact loaded by")
      : T("AT-12", "AML.T0018", "swaps the artifact loaded by");
  }
  if (
    (flow.kind === "deploy" || flow.kind === "publish" || flow.kind === "serve") &&
    (from.kind === "model" || from.kind === "registry")
  ) {
    return (facts.thirdParty[from.index] ?? 0) !== 0
      ? T("AT-08", "AML.T0010.003", "ships a tampered model to")
      : T("AT-12", "AML.T0018", "ships manipulated weights to");
  }
  if (flow.kind === "invoke" && (to.kind === "tool" || to.kind === "mcp_server") && from.kind === "agent")
    return T("AT-36", "AML.T0053", "makes the agent call");
  if (flow.kind === "delegate") return T("AT-59", "AML.T0053", "delegates attacker-shaped tasks to");
  if (from.kind === "agent" && (to.kind === "store" || to.kind === "vectorstore") && flow.kind === "write")
    return T("AT-40", "AML.T0080.000", "writes poisoned memory into");
  if ((to.kind === "endpoint" || to.kind === "model") && flow.kind === "prompt")
    return T("AT-19", "AML.T0043", "sends crafted inputs to");
  return undefined;
}
