import type { ComponentKind } from "../../semantic/vocabulary.js";

/** A node's outline; each maps to one Mermaid flowchart shape. */
export type Shape =
  | "rect"
  | "round"
  | "stadium"
  | "cylinder"
  | "hexagon"
  | "subroutine"
  | "trapezoid"
  | "invTrapezoid"
  | "parallelogram"
  | "asymmetric";

/** Opening and closing brackets of each shape, around a quoted label. */
export const SHAPE_BRACKETS: Readonly<Record<Shape, readonly [string, string]>> = {
  rect: ["[", "]"],
  round: ["(", ")"],
  stadium: ["([", "])"],
  cylinder: ["[(", ")]"],
  hexagon: ["{{", "}}"],
  subroutine: ["[[", "]]"],
  trapezoid: ["[/", "\\]"],
  invTrapezoid: ["[\\", "/]"],
  parallelogram: ["[/", "/]"],
  asymmetric: [">", "]"],
};

/** Shape by component kind, so a reader can tell stores from agents at a glance. */
export const KIND_SHAPE: Readonly<Record<ComponentKind, Shape>> = {
  actor: "stadium",
  source: "asymmetric",
  dataset: "cylinder",
  store: "cylinder",
  vectorstore: "cylinder",
  registry: "cylinder",
  pipeline: "parallelogram",
  model: "subroutine",
  endpoint: "rect",
  template: "rect",
  app: "rect",
  agent: "hexagon",
  tool: "trapezoid",
  mcp_server: "trapezoid",
  provider: "invTrapezoid",
  guardrail: "round",
};

/**
 * Every class a diagram may use, in the order their `classDef` lines are written, with the legend
 * text that explains each. Only the classes a diagram uses are defined in it.
 */
export const CLASSES = [
  {
    name: "sev_critical",
    style: "fill:#b03a2e,stroke:#641e16,color:#ffffff",
    legend: "worst open finding: critical",
  },
  {
    name: "sev_high",
    style: "fill:#e67e22,stroke:#935116,color:#000000",
    legend: "worst open finding: high",
  },
  {
    name: "sev_medium",
    style: "fill:#f7dc6f,stroke:#9a7d0a,color:#000000",
    legend: "worst open finding: medium",
  },
  { name: "sev_low", style: "fill:#d6eaf8,stroke:#2e86c1,color:#000000", legend: "worst open finding: low" },
  {
    name: "sev_info",
    style: "fill:#f2f3f4,stroke:#7f8c8d,color:#000000",
    legend: "worst open finding: info",
  },
  { name: "sev_none", style: "fill:#ffffff,stroke:#7f8c8d,color:#000000", legend: "no open finding" },
  { name: "crown", style: "stroke:#7d3c98,stroke-width:4px", legend: "crown jewel" },
  {
    name: "crown_data",
    style: "stroke:#7d3c98,stroke-width:2px,stroke-dasharray:6 3",
    legend: "holds crown-jewel data",
  },
  { name: "group", style: "stroke-dasharray:3 3", legend: "several components drawn as one" },
  {
    name: "entry",
    style: "fill:#fadbd8,stroke:#c0392b,stroke-width:2px,color:#000000",
    legend: "attacker's entry",
  },
  {
    name: "reader",
    style: "fill:#fdebd0,stroke:#ca6f1e,stroke-width:2px,color:#000000",
    legend: "reads the crown jewel",
  },
  {
    name: "target",
    style: "fill:#e8daef,stroke:#7d3c98,stroke-width:4px,color:#000000",
    legend: "crown jewel attacked",
  },
  { name: "step", style: "fill:#ffffff,stroke:#566573,color:#000000", legend: "on the path" },
] as const;

/** A class name a node may carry. */
export type NodeClass = (typeof CLASSES)[number]["name"];

/** Fill of a zone's box by its trust level: the colder, the more trusted. */
export const TRUST_STYLE: Readonly<Record<string, string>> = {
  untrusted: "fill:#fdedec,stroke:#c0392b,stroke-width:2px,stroke-dasharray:6 3",
  public: "fill:#fef5e7,stroke:#d68910,stroke-dasharray:6 3",
  partner: "fill:#fef9e7,stroke:#b7950b",
  internal: "fill:#eaf2f8,stroke:#2e86c1",
  restricted: "fill:#e8f8f5,stroke:#117a65,stroke-width:2px",
};

/** Severity index (SEVERITIES) to its class; -1 is "no open finding". */
export function severityClass(rank: number): NodeClass {
  return (["sev_info", "sev_low", "sev_medium", "sev_high", "sev_critical"] as const)[rank] ?? "sev_none";
}
