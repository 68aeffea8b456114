import type { Component, Flow } from "../../semantic/model.js";
import { TRAINING_PIPELINE_TYPES, type ThreatGraph } from "../../graph/threat-graph.js";
import { ENTRY, type Facts } from "../facts.js";
import { isLlmConsumer } from "../predicates.js";

/** What realises one step of an attack path: the rule that describes it and its ATLAS technique. */
export interface StepTechnique {
  readonly rule: string;
  readonly technique: string;
  /** A short verb phrase for path listings ("injects instructions into"). */
  readonly action: string;
  /**
   * Whether the step gives the attacker the receiver's actions (instructions an LLM follows, code a
   * loader runs, a tool call an agent makes for them), so the receiver can be made to send what it
   * reads: a disclosure reader. Poisoning and tampering steps shape what the receiver holds or
   * produces, not what it does.
   */
  readonly turns: boolean;
}

const stepRules: string[] = [];
/** Every rule a step's technique can have, in the order first defined below. */
export const STEP_RULES: readonly string[] = stepRules;

function T(rule: string, technique: string, action: string, turns = false): StepTechnique {
  if (!stepRules.includes(rule)) stepRules.push(rule);
  return { rule, technique, action, turns };
}

// One shared object per kind of step: the attack graph labels every edge, and steps are read only.
const PLANTS = T("AT-25", "AML.T0051.001", "plants instructions that reach", true);
const POISONS_TRAINING = T("AT-01", "AML.T0020", "poisons the training data of");
const BACKDOOR = T("AT-02", "AML.T0018.000", "implants a backdoor in");
const TAMPERED_LOAD = T("AT-09", "AML.T0010.003", "gets a tampered artifact loaded by", true);
const SWAPPED_LOAD = T("AT-12", "AML.T0018", "swaps the artifact loaded by", true);
const TAMPERED_MODEL = T("AT-08", "AML.T0010.003", "ships a tampered model to");
const MANIPULATED_WEIGHTS = T("AT-12", "AML.T0018", "ships manipulated weights to");
const FEEDBACK = T("AT-04", "AML.T0020", "skews training through feedback into");
const LABELS = T("AT-03", "AML.T0010.002", "manipulates labels of");
const INJECTS = T("AT-24", "AML.T0051.000", "injects instructions into", true);
const POISONS_INDEX = T("AT-30", "AML.T0070", "poisons the index behind");
const TAMPERS_ARTIFACTS = T("AT-12", "AML.T0018", "tampers with the artifacts in");
/** An agent's call to a tool: the calling agent's approval counts on it (`buildAttackGraph`). */
export const AGENT_CALL = T("AT-36", "AML.T0053", "makes the agent call", true);
const DELEGATES = T("AT-59", "AML.T0053", "delegates attacker-shaped tasks to", true);
const MEMORY = T("AT-40", "AML.T0080.000", "writes poisoned memory into");
const CRAFTED = T("AT-19", "AML.T0043", "sends crafted inputs to");

/** Whether content arriving at the component becomes training data. */
function trainingSide(c: Component): boolean {
  if (c.kind === "dataset") return c.props.purpose !== "rag";
  return c.kind === "pipeline" && TRAINING_PIPELINE_TYPES.has(c.props.type);
}

/** Whether content arriving at the component ends up in a retrieval index. */
function indexSide(c: Component): boolean {
  return (
    c.kind === "vectorstore" ||
    (c.kind === "pipeline" && c.props.type === "indexing") ||
    (c.kind === "dataset" && c.props.purpose === "rag")
  );
}

/**
 * What `stepTechnique` asks of a receiving component beyond its kind: 1 index side, 2 training side.
 * The attack graph reads it from the threat graph's prop bits instead (`receiverCodes`); this is what
 * test/analysis/agents-reach.test.ts holds those equal to, so keep it beside `indexSide` and
 * `trainingSide`.
 */
export function receiverSides(c: Component): number {
  return (indexSide(c) ? 1 : 0) | (trainingSide(c) ? 2 : 0);
}

const ARTIFACT_MOVES = new Set(["produce", "publish", "deploy", "serve", "load", "train"]);

/**
 * Labels an info-flow step with the technique an attacker uses to cross it, or undefined when content
 * simply moves along (a copy between stores needs no technique: the step costs the attacker nothing).
 * Artifact steps (weights, packages, training runs) are told apart from content steps first, so a
 * fine-tuned model is "backdoored", never "prompt-injected", by its training run. `llm` may answer
 * `isLlmConsumer` from a table computed once.
 */
export function stepTechnique(
  g: ThreatGraph,
  facts: Facts,
  flow: Flow,
  from: Component,
  to: Component,
  returning: boolean,
  llm: (c: Component) => boolean = (c) => isLlmConsumer(g, c),
): StepTechnique | undefined {
  const thirdParty = (facts.thirdParty[from.index] ?? 0) !== 0;
  if (returning) return llm(to) ? PLANTS : undefined;
  if (ARTIFACT_MOVES.has(flow.kind)) {
    if (flow.kind === "train") return POISONS_TRAINING;
    if (flow.kind === "produce") return to.kind === "model" || to.kind === "registry" ? BACKDOOR : undefined;
    if (flow.kind === "load") return thirdParty ? TAMPERED_LOAD : SWAPPED_LOAD;
    if (from.kind === "model" || from.kind === "registry")
      return thirdParty ? TAMPERED_MODEL : MANIPULATED_WEIGHTS;
    return undefined;
  }
  if (flow.kind === "feedback") return FEEDBACK;
  if (flow.kind === "label") return LABELS;
  if (llm(to)) {
    const direct = flow.kind === "prompt" && (facts.entry[from.index]! & ENTRY.USER_INPUT) !== 0;
    return direct ? INJECTS : PLANTS;
  }
  const moves = flow.kind === "ingest" || flow.kind === "write" || flow.kind === "copy";
  if (indexSide(to) && moves) return POISONS_INDEX;
  if (trainingSide(to) && moves) return POISONS_TRAINING;
  if ((to.kind === "registry" || to.kind === "model") && moves) return TAMPERS_ARTIFACTS;
  if (flow.kind === "invoke" && (to.kind === "tool" || to.kind === "mcp_server") && from.kind === "agent")
    return AGENT_CALL;
  if (flow.kind === "delegate") return DELEGATES;
  if (from.kind === "agent" && (to.kind === "store" || to.kind === "vectorstore") && flow.kind === "write")
    return MEMORY;
  if ((to.kind === "endpoint" || to.kind === "model") && (flow.kind === "prompt" || flow.kind === "request"))
    return CRAFTED;
  return undefined;
}
