/** The explicit registry of built-in rules (no file-system discovery). Filled by the rule catalog. */
export const RULES: readonly { readonly meta: { readonly id: string } }[] = [];
