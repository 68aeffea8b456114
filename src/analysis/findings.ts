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

/**
 * Writes the fingerprint of a finding id (the first 8 bytes of its SHA-256) at `bytes[at..at+8)`.
 * One-shot hashing to one character per byte: a Hash object per call cost about three times as much.
 */
export function fingerprintBytes(id: string, bytes: Uint8Array, at: number): void {
  const d = hash("sha256", id, "binary");
  for (let k = 0; k < 8; k++) bytes[at + k] = d.charCodeAt(k);
}

/**
 * The 16 hex digits of the fingerprint bytes at `bytes[at..at+8)`, made in one call with the codes
 * as arguments: slicing a hex digest kept the whole digest alive behind the slice, and a list of
 * codes spread into the call was most of what each fingerprint allocated.
 */
export function fingerprintHex(bytes: Uint8Array, at: number): string {
  const h = (k: number): number => HEX_CODES[bytes[at + k]! >> 4]!;
  const l = (k: number): number => HEX_CODES[bytes[at + k]! & 15]!;
  // prettier-ignore
  return String.fromCharCode(
    h(0), l(0), h(1), l(1), h(2), l(2), h(3), l(3), h(4), l(4), h(5), l(5), h(6), l(6), h(7), l(7),
  );
}

const oneFingerprint = new Uint8Array(8);

/** The stable fingerprint of a finding id: the first 16 hex digits of its SHA-256. */
export function fingerprintOf(id: string): string {
  fingerprintBytes(id, oneFingerprint, 0);
  return fingerprintHex(oneFingerprint, 0);
}

/** Compares severities (higher first when used as `b, a`). */
export function severityRank(s: Severity): number {
  return SEVERITIES.indexOf(s);
}
