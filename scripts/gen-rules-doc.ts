// Writes docs/rules.md, the rule reference, from the rule registry and the built-in controls:
// `npm run gen:rules`; add `-- --check` to only verify (test/rules/docs.test.ts does the same).
import { writeOrCheck } from "./lib/output.js";
import { RULES_DOC, rulesDoc } from "./lib/rules-doc.js";

process.exitCode = writeOrCheck([{ path: RULES_DOC, contents: rulesDoc() }], process.argv.slice(2));
