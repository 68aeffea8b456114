// Writes the generated parts of the documentation: the reference sections of docs/language.md
// (between `<!-- generated:begin NAME -->` markers; the prose stays hand-written) and all of
// docs/diagnostics.md. `npm run gen:docs`; add `-- --check` to only verify.
import { buildDocs } from "./lib/docs.js";
import { writeOrCheck } from "./lib/output.js";

process.exitCode = writeOrCheck(await buildDocs(), process.argv.slice(2));
