/** aithreat's version, printed by `--version` and recorded in outputs; a test keeps it equal to package.json's. */
export const VERSION = "0.1.0";
