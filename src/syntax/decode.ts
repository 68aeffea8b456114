import { diag, type Diagnostic } from "../diagnostics/diagnostic.js";
import { makeSourceFile, type SourceFile } from "../source.js";

/** Offset of the first byte that is not part of valid UTF-8, or -1. */
export function firstInvalidUtf8(bytes: Uint8Array): number {
  let i = 0;
  const n = bytes.length;
  while (i < n) {
    const b = bytes[i] ?? 0;
    if (b < 0x80) {
      i++;
      continue;
    }
    let need: number;
    let min: number;
    if (b >= 0xc2 && b <= 0xdf) [need, min] = [1, 0x80];
    else if (b >= 0xe0 && b <= 0xef) [need, min] = [2, 0x800];
    else if (b >= 0xf0 && b <= 0xf4) [need, min] = [3, 0x10000];
    else return i;
    if (i + need >= n) return i;
    let cp = b & (0x3f >> need);
    for (let k = 1; k <= need; k++) {
      const cb = bytes[i + k];
      if (cb === undefined || (cb & 0xc0) !== 0x80) return i;
      cp = (cp << 6) | (cb & 0x3f);
    }
    if (cp < min || cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) return i;
    i += need + 1;
  }
  return -1;
}

const lenient = new TextDecoder("utf-8", { fatal: false });
const strict = new TextDecoder("utf-8", { fatal: true });

/** The text of valid UTF-8 bytes, or undefined. */
function valid(bytes: Uint8Array): string | undefined {
  try {
    return strict.decode(bytes);
  } catch {
    return undefined;
  }
}

/**
 * Turns raw bytes into a source file, or a located diagnostic when the bytes are not UTF-8 text.
 * The file is still returned (decoded leniently) so the diagnostic can show a code frame.
 */
export function decodeSource(
  id: number,
  path: string,
  bytes: Uint8Array,
): { file: SourceFile; diagnostic?: Diagnostic } {
  const nul = bytes.indexOf(0);
  // Valid UTF-8 (nearly always) decodes in native code; only a failure scans for the offending byte.
  let text = valid(bytes);
  const bad = text === undefined ? firstInvalidUtf8(bytes) : -1;
  text ??= lenient.decode(bytes);
  const file = makeSourceFile(id, path, text);
  // Offsets in the decoded text: decode the prefix and count what it became (BOM removed).
  const offsetOf = (byteOffset: number) => {
    const prefix = lenient.decode(bytes.subarray(0, byteOffset));
    return Math.max(0, prefix.length - (text.charCodeAt(0) === 0xfeff ? 1 : 0));
  };
  // Any NUL byte means binary (an image, an archive), even when an invalid UTF-8 byte comes first.
  if (nul >= 0) {
    const at = offsetOf(nul);
    return {
      file,
      diagnostic: diag(
        "AT1003",
        { file, start: at, end: at + 1 },
        "file contains NUL bytes and looks binary",
        { hint: "aithreat reads UTF-8 text models (`.aithreat`)" },
      ),
    };
  }
  if (bad >= 0) {
    const at = offsetOf(bad);
    return {
      file,
      diagnostic: diag(
        "AT1002",
        { file, start: at, end: at + 1 },
        `file is not valid UTF-8 (byte 0x${(bytes[bad] ?? 0).toString(16).padStart(2, "0")} at byte offset ${bad})`,
        { hint: "re-save the file as UTF-8" },
      ),
    };
  }
  return { file };
}
