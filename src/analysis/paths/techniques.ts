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

/** Whether content arriving at the component becomes training data. */
function trainingSide(c: Component): boolean {
  if (c.kind === "dataset") return c.props.purpose !== "rag";
  return (
    c.kind === "pipeline" &&
    (c.props.type === "training" || c.props.type === "fine_tuning" || c.props.type === "labeling")
  );
}

/** Whether content arriving at the component ends up in a retrieval index. */
function indexSide(c: Component): boolean {
  return (
    c.kind === "vectorstore" ||
    (c.kind === "pipeline" && c.props.type === "indexing") ||
    (c.kind === "dataset" && c.props.purpose === "rag")
  );
}

const ARTIFACT_MOVES = new Set(["produce", "publish", "deploy", "serve", "load", "train"]);

/**
 * Labels an info-flow step with the technique an attacker uses to cross it, or undefined when content
 * simply moves along (a copy between stores needs no technique: the step costs the attacker nothing).
 * Artifact steps (weights, packages, training runs) are told apart from content steps first, so a
 * fine-tuned model is "backdoored", never "prompt-injected", by its training run.
 */
export function stepTechnique(
  g: ThreatGraph,
  facts: Facts,
  flow: Flow,
  from: Component,
  to: Component,
  returning: boolean,
): StepTechnique | undefined {
  const thirdParty = (facts.thirdParty[from.index] ?? 0) !== 0;
  if (returning)
    return isLlmConsumer(g, to) ? T("AT-25", "AML.T0051.001", "plants instructions that reach") : undefined;
  if (ARTIFACT_MOVES.has(flow.kind)) {
    if (flow.kind === "train") return T("AT-01", "AML.T0020", "poisons the training data of");
    if (flow.kind === "produce")
      return to.kind === "model" || to.kind === "registry"
        ? T("AT-02", "AML.T0018.000", "implants a backdoor in")
        : undefined;
    if (flow.kind === "load")
      return thirdParty
        ? T("AT-09", "AML.T0010.003", "gets a tampered artifact loaded by")
        : T("AT-12", "AML.T0018", "swaps the artifact loaded by");
    if (from.kind === "model" || from.kind === "registry")
      return thirdParty
        ? T("AT-08", "AML.T0010.003", "ships a tampered model to")
        : T("AT-12", "AML.T0018", "ships manipulated weights to");
    return undefined;
  }
  if (flow.kind === "feedback") return T("AT-04", "AML.T0020", "skews training through feedback into");
  if (flow.kind === "label") return T("AT-03", "AML.T0010.002", "manipulates labels of");
  if (isLlmConsumer(g, to)) {
    const direct = flow.kind === "prompt" && (facts.entry[from.index]! & ENTRY.USER_INPUT) !== 0;
    return direct
      ? T("AT-24", "AML.T0051.000", "injects instructions into")
      : T("AT-25", "AML.T0051.001", "plants instructions that reach");
  }
  const moves = flow.kind === "ingest" || flow.kind === "write" || flow.kind === "copy";
  if (indexSide(to) && moves) return T("AT-30", "AML.T0070", "poisons the index behind");
  if (trainingSide(to) && moves) return T("AT-01", "AML.T0020", "poisons the training data of");
  if ((to.kind === "registry" || to.kind === "model") && moves)
    return T("AT-12", "AML.T0018", "tampers with the artifacts in");
  if (flow.kind === "invoke" && (to.kind === "tool" || to.kind === "mcp_server") && from.kind === "agent")
    return T("AT-36", "AML.T0053", "makes the agent call");
  if (flow.kind === "delegate") return T("AT-59", "AML.T0053", "delegates attacker-shaped tasks to");
  if (from.kind === "agent" && (to.kind === "store" || to.kind === "vectorstore") && flow.kind === "write")
    return T("AT-40", "AML.T0080.000", "writes poisoned memory into");
  if ((to.kind === "endpoint" || to.kind === "model") && (flow.kind === "prompt" || flow.kind === "request"))
    return T("AT-19", "AML.T0043", "sends crafted inputs to");
  return undefined;
}
