// Writes src/emit/templates.precompiled.ts, the built-in report templates precompiled by Handlebars
// (scripts/lib/precompiled-templates.ts). `npm run gen:templates`; `-- --check` to verify.
import { writeOrCheck } from "./lib/output.js";
import { PRECOMPILED_PATH, precompiledTemplatesText } from "./lib/precompiled-templates.js";

process.exitCode = writeOrCheck(
  [{ path: PRECOMPILED_PATH, contents: precompiledTemplatesText() }],
  process.argv.slice(2),
);
