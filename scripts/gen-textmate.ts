// Writes grammar/aithreat.tmLanguage.json, the TextMate grammar for editors and highlighters, from the
// token and vocabulary tables (scripts/lib/textmate.ts). `npm run gen:textmate`; `-- --check` to verify.
import { writeOrCheck } from "./lib/output.js";
import { TEXTMATE_PATH, textMateText } from "./lib/textmate.js";

process.exitCode = writeOrCheck([{ path: TEXTMATE_PATH, contents: textMateText() }], process.argv.slice(2));
