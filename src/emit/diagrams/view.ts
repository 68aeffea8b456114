/** One Mermaid diagram: a view of the system small enough to read in a review meeting. */
export interface DiagramView {
  /**
   * Stable file-name stem, safe on every file system: `overview`, `zone-<zone>`, `agent-<agent>`,
   * `path-<crown>-<property>-<rank>`; a zone too large for one view adds its parts, each named by its
   * first component (`zone-<zone>--<first>`), and components outside any zone that do not fit in the
   * overview get `unzoned--<first>`. Names that are not lowercase ASCII are folded and get a hash
   * suffix (see `fileStem`).
   */
  readonly id: string;
  /** Plain text (from the model: escape it for the output format). */
  readonly title: string;
  readonly kind: "overview" | "zone" | "agent" | "path";
  /** Mermaid source; every label in it is already escaped. */
  readonly mermaid: string;
  /** The zone, agent or crown jewel the view is about (its model name). */
  readonly subject?: string;
  /** Nodes drawn, legend included (never more than MAX_NODES), and arrows. */
  readonly nodes?: number;
  readonly edges?: number;
  /** What the view groups or leaves out, in plain text (escape it for the output format). */
  readonly notes?: readonly string[];
  /** A zone shown in parts: which part this is. */
  readonly part?: { readonly index: number; readonly of: number };
  /** Path views: the path of `pathsView` drawn (rank counts from 1 within its target). */
  readonly path?: { readonly crown: string; readonly property: string; readonly rank: number };
}
