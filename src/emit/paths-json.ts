import type { Emitter } from "./emitter.js";
import { indentedJsonFile } from "./json-layout.js";

/** `paths.json`: the attack-path analysis (exposure, top paths, chokepoints, cuts) as `paths --format json` prints it. */
export const pathsJsonEmitter: Emitter = {
  name: "paths.json",
  // Produced as it is written (`JSON.stringify(view, null, 2)`'s text): at 1M components one string
  // was about 0.3 GB.
  emit: ({ analysis }) => [indentedJsonFile("paths.json", analysis.pathsView)],
};
