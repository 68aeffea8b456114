import type { ThreatGraph } from "../../graph/threat-graph.js";
import type { Component } from "../../semantic/model.js";
import { classificationRank } from "../../semantic/vocabulary.js";
import type { Facts } from "../facts.js";
import { hasControl, servedModels } from "../predicates.js";
import { unauthenticatedService } from "../rules/lib/inference.js";
import { byString, percent, type QueryExposureMetrics, type SupplyChainMetrics } from "./model.js";

/** Artifact kinds whose provenance the supply-chain metric measures, in report order. */
export const ARTIFACT_KINDS = ["model", "dataset", "tool", "mcp_server"] as const;

/** Serialization formats that can run code when the file is loaded (the vocabulary says which). */
export const EXECUTABLE_FORMATS: ReadonlySet<string> = new Set(["pickle", "pytorch", "joblib", "keras"]);

/**
 * Whether the model states that an artifact's provenance is known and checked. Kinds with a property
 * for it use that (or the control it implies): a model's or MCP server's `verified true`
 * (`artifact_signing`), a dataset's `provenance true` (`dataset_provenance`). A tool has no such
 * property: one the organisation writes itself (`origin in_house`) has known provenance, and a
 * third-party tool needs a declared `artifact_signing` control.
 */
export function hasVerifiedProvenance(c: Component): boolean {
  if (hasControl(c, "artifact_signing")) return true;
  if (c.kind === "dataset") return hasControl(c, "dataset_provenance");
  if (c.kind === "tool") return c.props.origin === "in_house";
  return false;
}

/** Share of models, datasets, tools and MCP servers with verified provenance; executable formats. */
export function supplyChainMetrics(g: ThreatGraph, facts: Facts): SupplyChainMetrics {
  const byKind = ARTIFACT_KINDS.map((kind) => ({ kind: kind, total: 0, verified: 0, thirdParty: 0 }));
  const unverified: string[] = [];
  const unverifiedThirdParty: string[] = [];
  const executableFormats: SupplyChainMetrics["executableFormats"] = [];
  for (const c of g.model.components) {
    const row = byKind.find((k) => k.kind === c.kind);
    if (!row) continue;
    row.total++;
    if (facts.thirdParty[c.index]) row.thirdParty++;
    if (hasVerifiedProvenance(c)) row.verified++;
    else {
      unverified.push(c.name);
      if (facts.thirdParty[c.index]) unverifiedThirdParty.push(c.name);
    }
    if (c.kind === "model" && c.props.format !== undefined && EXECUTABLE_FORMATS.has(c.props.format))
      executableFormats.push({ model: c.name, format: c.props.format, verified: hasVerifiedProvenance(c) });
  }
  const artifacts = byKind.reduce((s, k) => s + k.total, 0);
  const verified = byKind.reduce((s, k) => s + k.verified, 0);
  return {
    artifacts,
    verified,
    verifiedShare: percent(verified, artifacts),
    byKind,
    unverified: unverified.sort(byString),
    unverifiedThirdParty: unverifiedThirdParty.sort(byString),
    executableFormats: executableFormats.sort((a, b) => byString(a.model, b.model)),
  };
}

/** Whether a model's weights are worth stealing or probing: sensitive training data or a crown jewel. */
function sensitiveModel(facts: Facts, m: Component): boolean {
  return m.crown.length > 0 || facts.sensitivity[m.index]! >= classificationRank("confidential");
}

/**
 * Query exposure of inference endpoints: which are public (an attacker can send queries), and which
 * of those state no rate limit and no quota; which untrusted parties reach without authenticating,
 * exactly as AT-52 reports them (`unauthenticatedService`: each caller's hop read as the rules read
 * it, so an endpoint every caller reaches with credentials is not listed, and one an untrusted actor
 * calls without them is, whatever its exposure); and endpoints that return scores (confidence,
 * logits) from a sensitive model, which make extraction and membership inference cheaper. Unstated
 * counts as missing: the metric measures what the model declares.
 */
export function queryExposureMetrics(g: ThreatGraph, facts: Facts): QueryExposureMetrics {
  const out: QueryExposureMetrics = {
    endpoints: 0,
    publicEndpoints: [],
    withoutAuth: [],
    withoutRateLimit: [],
    withoutQuota: [],
    scoresOnSensitiveModels: [],
  };
  for (const c of g.model.components) {
    if (c.kind !== "endpoint") continue;
    out.endpoints++;
    const isPublic = c.props.exposure === "public" || c.trust === "untrusted" || c.trust === "public";
    if (isPublic) {
      out.publicEndpoints.push(c.name);
      if (!hasControl(c, "rate_limit")) out.withoutRateLimit.push(c.name);
      if (!hasControl(c, "quota")) out.withoutQuota.push(c.name);
    }
    if (unauthenticatedService(g, c.index)) out.withoutAuth.push(c.name);
    if (c.props.returns_scores === true) {
      const models = servedModels(g, c)
        .filter((m) => sensitiveModel(facts, m))
        .map((m) => m.name)
        .sort(byString);
      if (models.length > 0) out.scoresOnSensitiveModels.push({ endpoint: c.name, public: isPublic, models });
    }
  }
  out.publicEndpoints.sort(byString);
  out.withoutAuth.sort(byString);
  out.withoutRateLimit.sort(byString);
  out.withoutQuota.sort(byString);
  out.scoresOnSensitiveModels.sort((a, b) => byString(a.endpoint, b.endpoint));
  return out;
}
