/**
 * The generator's intermediate form of one file: just enough structure to print it as `.aithreat` or
 * as the equivalent JSON document (the benchmark's `JSON.parse` floor). It lives only while one file
 * is rendered, so generating a million components never holds a million objects.
 */
import type { ComponentKind } from "../../src/semantic/vocabulary.js";

/** A property value: a bare name or enum word, a quoted string, a boolean, a number, or a list of names. */
export type Value = string | { readonly text: string } | boolean | number | readonly string[];

/** Properties in the order they are written. */
export type Props = readonly (readonly [string, Value])[];

/** A component declaration; `parent` is an `in` clause (used when the zone is declared in another file). */
export interface GenComponent {
  readonly kind: ComponentKind;
  readonly name: string;
  readonly title: string;
  readonly parent?: string;
  readonly props: Props;
}

/** A zone with the components declared inside its block. */
export interface GenZone {
  readonly name: string;
  readonly title: string;
  readonly parent?: string;
  readonly props: Props;
  readonly components: readonly GenComponent[];
}

/** A `data` or `control` declaration. */
export interface GenDecl {
  readonly name: string;
  readonly title: string;
  readonly props: Props;
}

/** A flow; its `kind` is the first property. */
export interface GenFlow {
  readonly from: string;
  readonly to: string;
  readonly title: string;
  readonly props: Props;
}

/** `asset target crown [...]`. */
export interface GenAsset {
  readonly target: string;
  readonly crown: readonly string[];
}

/** One generated file before rendering, in the order its sections are printed. */
export interface GenFile {
  /** Path relative to the model root, `/`-separated. */
  readonly path: string;
  /** A leading comment saying what the file is. */
  readonly comment: string;
  /** Import paths relative to this file. */
  readonly imports: readonly string[];
  readonly system?: GenDecl;
  readonly data: readonly GenDecl[];
  readonly controls: readonly GenDecl[];
  readonly zones: readonly GenZone[];
  /** Components declared outside any zone block (with an `in` clause). */
  readonly components: readonly GenComponent[];
  readonly assets: readonly GenAsset[];
  readonly flows: readonly GenFlow[];
}
