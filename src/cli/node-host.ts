import fs from "node:fs";
import type { CompilerHost } from "../host.js";

function message(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  switch (err.code) {
    case "ENOENT":
      return "no such file";
    case "EACCES":
    case "EPERM":
      return "permission denied";
    case "EISDIR":
      return "is a directory";
    case undefined:
    default:
      return err.message ?? String(e);
  }
}

/** The real file system. */
export const nodeHost: CompilerHost = {
  stat(path) {
    try {
      const st = fs.statSync(path);
      if (st.isDirectory()) return { error: "is a directory" };
      if (!st.isFile()) return { error: "is not a regular file" };
      return { size: st.size };
    } catch (e) {
      return { error: message(e) };
    }
  },
  readFile(path) {
    try {
      return fs.readFileSync(path);
    } catch (e) {
      return { error: message(e) };
    }
  },
  realpath(path) {
    try {
      // The C library's realpath: one call, where the JavaScript one does an lstat per path segment.
      return fs.realpathSync.native(path);
    } catch {
      return undefined;
    }
  },
  listFolder(path) {
    try {
      return fs.readdirSync(path);
    } catch {
      return undefined;
    }
  },
};
