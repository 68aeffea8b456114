/**
 * Where the machine-readable outputs point their readers: the project's home, its rule reference and
 * the findings.json schema. One place, so a move of the project changes one line.
 */

/** The project's public home (SARIF `informationUri`). */
export const PROJECT_URL = "https://github.com/aithreat/aithreat";

/** Base of the published documentation (`docs/` of the default branch). */
export const DOCS_URL = `${PROJECT_URL}/blob/main/docs`;

/** Version of the findings.json format; the major part changes only when a reader would break. */
export const FINDINGS_SCHEMA_VERSION = "2.1";

/** `$id` of the findings.json schema, also written as `$schema` into every findings.json. */
export const FINDINGS_SCHEMA_ID = `${PROJECT_URL}/blob/main/schemas/findings-${FINDINGS_SCHEMA_VERSION}.schema.json`;

/**
 * The link to a rule's section in docs/rules.md: its stable anchor, the id in lowercase (`#at-37`),
 * so a link written into a SARIF file keeps working when the rule's title changes.
 */
export function ruleDocUrl(rule: { id: string }): string {
  return `${DOCS_URL}/rules.md#${rule.id.toLowerCase()}`;
}
