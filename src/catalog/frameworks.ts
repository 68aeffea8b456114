import atlas from "../../data/atlas.json" with { type: "json" };
import cosai from "../../data/cosai.json" with { type: "json" };
import nist from "../../data/nist.json" with { type: "json" };
import owasp from "../../data/owasp.json" with { type: "json" };

/**
 * External frameworks the catalog maps to, as shipped in `data/` (ids and names only; pinned versions;
 * see data/README.md and NOTICE). Every external id a rule or control cites is checked against these.
 */
export const ATLAS = atlas;
export const ATLAS_VERSION = atlas.version;

/** An ATLAS technique with its tactics, maturity and mitigations. */
export type AtlasTechnique = (typeof atlas.techniques)[number];

export const ATLAS_TECHNIQUES: ReadonlyMap<string, AtlasTechnique> = new Map(
  atlas.techniques.map((t) => [t.id, t]),
);
export const ATLAS_MITIGATIONS: ReadonlyMap<string, string> = new Map(
  atlas.mitigations.map((m) => [m.id, m.name]),
);
export const ATLAS_TACTICS: ReadonlyMap<string, string> = new Map(atlas.tactics.map((t) => [t.id, t.name]));
export const ATLAS_MITIGATION_IDS: ReadonlySet<string> = new Set(ATLAS_MITIGATIONS.keys());

export const OWASP_IDS: ReadonlyMap<string, string> = new Map(
  [...owasp.llm2025.entries, ...owasp.ml2023.entries, ...owasp.agentic2026.entries].map((e) => [
    e.id,
    e.name,
  ]),
);
export const OWASP = owasp;
export const NIST_IDS: ReadonlyMap<string, string> = new Map(nist.entries.map((e) => [e.id, e.name]));
export const COSAI_RISKS: ReadonlyMap<string, string> = new Map(cosai.risks.map((r) => [r.id, r.name]));
export const COSAI_CONTROLS: ReadonlyMap<string, string> = new Map(cosai.controls.map((r) => [r.id, r.name]));
