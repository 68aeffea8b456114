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
}
