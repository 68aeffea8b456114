// Writes grammar/diagrams.html: railroad diagrams of the chevrotain grammar, self-contained for offline
// viewing (how: scripts/lib/diagrams.ts). `npm run gen:grammar`; add `-- --check` to only verify.
import { buildDiagramsHtml, DIAGRAMS_PATH } from "./lib/diagrams.js";
import { writeOrCheck } from "./lib/output.js";

process.exitCode = writeOrCheck(
  [{ path: DIAGRAMS_PATH, contents: buildDiagramsHtml() }],
  process.argv.slice(2),
);
