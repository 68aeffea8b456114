import type { Emitter } from "./emitter.js";
import { pathsJsonEmitter } from "./paths-json.js";

/** Every output `compile` writes, in a fixed order (the explicit registry of emitters). */
export const EMITTERS: readonly Emitter[] = [pathsJsonEmitter];
