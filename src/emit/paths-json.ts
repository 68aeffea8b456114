import type { Emitter } from "./emitter.js";

/** `paths.json`: the attack-path analysis (exposure, top paths, chokepoints, cuts) as `paths --format json` prints it. */
export const pathsJsonEmitter: Emitter = {
  name: "paths.json",
  emit: ({ analysis }) => [
    { path: "paths.json", contents: `${JSON.stringify(analysis.pathsView, null, 2)}\n` },
  ],
};
