import { hash } from "node:crypto";
import type { Location } from "../diagnostics/diagnostic.js";
import type { Acceptance, ControlUse, Subject } from "../semantic/model.js";
import type { Fact } from "./facts.js";
import { LEVELS, type Level } from "./rule.js";

/** Severity scale of findings. */
export type Severity = "info" | "low" | "medium" | "high" | "critical";
export const SEVERITIES: readonly Severity[] = ["info", "low", "medium", "high", "critical"];

/** Statuses of a finding. */
export const FINDING_STATUSES = ["open", "mitigated", "accepted"] as const;
export type FindingStatus = (typeof FINDING_STATUSES)[number];

/** A finding as every output sees it. */
export interface Finding {
  /** Readable stable id: `AT-07:copilot` (+ `:key`). */
  readonly id: string;
  /** 16 hex digits of SHA-256 over the id: stable across unrelated model changes, never from line numbers. */
  readonly fingerprint: string;
  readonly rule: string;
  readonly category: "threat" | "assumption";
  readonly title: string;
  readonly message: string;
  readonly subject: Subject;
  readonly subjectName: string;
  /** Component kind, or `flow` / `data`. */
  readonly subjectKind: string;
  readonly key?: string;
  readonly location: Location;
  readonly facts: readonly Fact[];
  readonly likelihood: Level;
  readonly impact: Level;
  readonly severity: Severity;
  readonly rationale: string;
  readonly status: FindingStatus;
  /** Declared controls that mitigate it, and the risk that remains. */
  readonly mitigatedBy: readonly ControlUse[];
  readonly residualLikelihood: Level;
  readonly residualSeverity: Severity;
  readonly acceptance?: Acceptance;
  /** Built-in controls that would mitigate it (the rule's list). */
  readonly recommended: readonly string[];
}

const rank = (l: Level): number => LEVELS.indexOf(l) + 1;

function severityOfScore(score: number): Severity {
  if (score >= 12) return "critical";
  if (score >= 8) return "high";
  if (score >= 4) return "medium";
  if (score >= 2) return "low";
  return "info";
}

// Every finding asks twice (severity and residual severity): a table lookup, not two list searches.
const SEVERITY_TABLE: Readonly<Record<Level, Readonly<Record<Level, Severity>>>> = Object.fromEntries(
  LEVELS.map((l) => [l, Object.fromEntries(LEVELS.map((i) => [i, severityOfScore(rank(l) * rank(i))]))]),
) as Record<Level, Record<Level, Severity>>;

/**
 * Severity from likelihood x impact (each 1-4): 12 and up critical, 8 high, 4 medium, 2 low, else info.
 * A 4x4 matrix keeps "very likely and very bad" apart from "likely and bad".
 */
export function severityOf(likelihood: Level, impact: Level): Severity {
  return SEVERITY_TABLE[likelihood][impact];
}

/** Lowers a level by `steps` (not below low). */
export function lower(level: Level, steps: number): Level {
  return LEVELS[Math.max(0, LEVELS.indexOf(level) - steps)]!;
}

const HEX_CODES = Array.from("0123456789abcdef", (c) => c.charCodeAt(0));

/** The two hex digit codes of byte `i` of a one-byte-per-character digest: high nibble, then low. */
const hi = (d: string, i: number): number => HEX_CODES[d.charCodeAt(i) >> 4]!;
const lo = (d: string, i: number): number => HEX_CODES[d.charCodeAt(i) & 15]!;

/** The stable fingerprint of a finding id: the first 16 hex digits of its SHA-256. */
export function fingerprintOf(id: string): string {
  // One-shot hashing (a Hash object per call costs about three times as much) to one character per
  // byte, and the 16 digits made in one call with the codes as arguments: slicing the hex digest
  // keeps the whole digest alive behind the slice, and a list of codes spread into the call was
  // three quarters of the 270 bytes each fingerprint allocated.
  const d = hash("sha256", id, "binary");
  // prettier-ignore
  return String.fromCharCode(
    hi(d, 0), lo(d, 0), hi(d, 1), lo(d, 1), hi(d, 2), lo(d, 2), hi(d, 3), lo(d, 3),
    hi(d, 4), lo(d, 4), hi(d, 5), lo(d, 5), hi(d, 6), lo(d, 6), hi(d, 7), lo(d, 7),
  );
}

/** Compares severities (higher first when used as `b, a`). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
