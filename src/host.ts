/**
 * The compiler's only window on the file system. The CLI passes a Node implementation; tests pass
 * an in-memory one. Paths are absolute.
 */
export interface CompilerHost {
  /** File size in bytes, or an error message when the path is not a readable file. */
  stat(path: string): { size: number } | { error: string };
  /** File contents, or an error message. */
  readFile(path: string): Uint8Array | { error: string };
  /** The path with symbolic links resolved, or undefined when it does not exist. */
  realpath(path: string): string | undefined;
  /**
   * The names in a folder, or undefined when it cannot be listed (or is no folder). Asked only to
   * explain an import that fails: one that names no file (a name that differs in case, say), or one
   * that names a folder (its model files are offered). A host without it gives no such hints.
   */
  listFolder?(path: string): readonly string[] | undefined;
}
