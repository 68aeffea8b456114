import path from "node:path";
import type { FileNode, ImportNode } from "../ast/nodes.js";
import { at, diag, type Diagnostic, type Location, type StageResult } from "../diagnostics/diagnostic.js";
import type { CompilerHost } from "../host.js";
import { memoize } from "../memoize.js";
import type { SourceFile } from "../source.js";
import { decodeSource } from "../syntax/decode.js";
import { fastParseEach, NameTable } from "../syntax/fast-parse.js";
import { fileNode, importNode, stringNode } from "../syntax/nodes.js";
import { parseFile, parseWithRecovery } from "../syntax/parse.js";
import { checkFile, fileChecker } from "./check-file.js";
import type { CheckPool } from "./parallel.js";
import { suggest } from "./suggest.js";
import { emptyUnit, UnitReader, type FileUnit } from "./unit.js";
import { listedUpTo } from "../words.js";

/** One file of the compilation with its checked unit and resolved imports. */
export interface LoadedFile {
  readonly source: SourceFile;
  /**
   * The file's syntax tree. Kept only when the caller passed its own `parse` (LoadOptions);
   * otherwise the tree is dropped once the file is checked, and reading this parses the file again.
   */
  readonly ast: FileNode;
  /** What the semantic stage keeps of the file (check-file.ts); released once the model is built. */
  unit: FileUnit | undefined;
  /** Absolute, symlink-resolved path (identity of the file). */
  readonly realPath: string;
  /** Each top-level import and the file it loaded (undefined when it failed). */
  readonly imports: readonly { readonly node: ImportNode; readonly target?: number }[];
  /** Named on the command line (not only reached through imports). */
  readonly isInput: boolean;
}

/** Every file reached from the inputs, in load order (inputs sorted, imports depth-first). */
export interface Program {
  readonly root: string;
  readonly files: readonly LoadedFile[];
}

/** What checking one file gives: its unit, its diagnostics, and its tree when the caller keeps it. */
export interface CheckedFile {
  readonly unit: FileUnit;
  readonly diagnostics: readonly Diagnostic[];
  readonly ast?: FileNode;
}

/** Options of the loading stage. */
export interface LoadOptions {
  /** Largest file accepted, in bytes (default 64 MiB). */
  readonly maxFileSize?: number;
  /** Parser for one file; its trees are kept on `LoadedFile.ast` (policy files use this). */
  readonly parse?: (file: SourceFile) => StageResult<FileNode>;
  /**
   * Parses and checks one file, instead of the default (the fast parser with a name table shared by
   * the program, then check-file.ts). The parallel loader (parallel.ts) passes one backed by
   * worker threads.
   */
  readonly check?: (file: SourceFile, realPath: string) => CheckedFile;
  /**
   * Reads and checks the input files on several threads (parallel.ts); the loader takes each file
   * from it in load order. Files it does not take go the serial way.
   */
  readonly pool?: CheckPool;
}

/** A loaded file; the tree is parsed again on request unless the loader kept it. */
class Loaded implements LoadedFile {
  readonly imports: { node: ImportNode; target?: number }[] = [];
  constructor(
    readonly source: SourceFile,
    readonly realPath: string,
    readonly isInput: boolean,
    public unit: FileUnit | undefined,
    private readonly tree: FileNode | undefined,
  ) {}

  get ast(): FileNode {
    return this.tree ?? parseFile(this.source).value;
  }
}

/**
 * The default check of one file. A well-formed file streams: each statement the fast parser finishes
 * is checked and dropped, so no whole-file tree lives (sharing `names` across files). A file the fast
 * parser gives up on is parsed again by the recovering parser and checked from scratch.
 */
export function defaultCheck(names: NameTable): (file: SourceFile) => CheckedFile {
  return (file) => {
    const checker = fileChecker(file);
    if (fastParseEach(file.text, names, checker.statement)) return checker.finish();
    const parsed = parseWithRecovery(file);
    const checked = checkFile(file, parsed.value);
    return {
      unit: checked.unit,
      diagnostics:
        parsed.diagnostics.length === 0
          ? checked.diagnostics
          : [...parsed.diagnostics, ...checked.diagnostics],
    };
  };
}

/** The top-level imports of a unit, as syntax nodes (diagnostics and cycle reports point at them). */
function importsOf(unit: FileUnit): ImportNode[] {
  const r = UnitReader.imports(unit);
  const out: ImportNode[] = [];
  for (let i = 0; i < r.count; i++) {
    const d = r.import();
    out.push(importNode(stringNode(d.spec, d.triple, d.pathStart, d.pathEnd), d.start, d.end));
  }
  return out;
}

export const DEFAULT_MAX_FILE_SIZE = 64 * 1024 * 1024;

/** The root-relative path with `/` separators that diagnostics print. */
export function displayPath(root: string, abs: string): string {
  const rel = path.relative(root, abs);
  return rel.split(path.sep).join("/") || path.basename(abs);
}

/** Whether `abs` lies inside `root` (or is it). */
export function isInside(root: string, abs: string): boolean {
  const rel = path.relative(root, abs);
  return rel === "" || (!rel.startsWith("..") && !path.isAbsolute(rel));
}

/**
 * Loads the input files and everything they import. Each file is read and parsed once however many
 * files import it. Imports are relative to the importing file and may not leave the project root
 * (checked after resolving symbolic links); a missing file, a root escape or a cycle is a diagnostic
 * at the import statement. Iterative throughout, so a chain of thousands of imports cannot overflow.
 */
export function loadProgram(
  inputs: readonly string[],
  root: string,
  host: CompilerHost,
  options: LoadOptions = {},
): StageResult<Program> {
  const maxSize = options.maxFileSize ?? DEFAULT_MAX_FILE_SIZE;
  const custom = options.parse;
  // A caller's own parse or check keeps its own way (the pool checks with the default).
  const pool = custom || options.check ? undefined : options.pool;
  const check: (file: SourceFile, realPath: string) => CheckedFile = custom
    ? (file) => {
        const parsed = custom(file);
        const checked = checkFile(file, parsed.value);
        return {
          unit: checked.unit,
          diagnostics: [...parsed.diagnostics, ...checked.diagnostics],
          ast: parsed.value,
        };
      }
    : (options.check ?? defaultCheck(new NameTable()));
  // Every import of a shared file asks for the same real path again (at 100k components, 16k imports
  // of 650 files); the file system does not change under one load, so each path is asked once.
  const realpath = memoize((p: string) => host.realpath(p));
  const realRoot = realpath(root) ?? root;
  // Asked only of imports that fail (no such file, a folder, a file that is no model), once a path.
  const listFolder = memoize((p: string) => host.listFolder?.(p));
  const diagnostics: Diagnostic[] = [];
  const files: Loaded[] = [];
  const importNodes: ImportNode[][] = [];
  const byRealPath = new Map<string, number>();

  // Reads, parses and checks a file, returning its index (a stub with no statements when it cannot be read).
  const load = (abs: string, realPath: string, from?: { file: SourceFile; node: ImportNode }): number => {
    const known = byRealPath.get(realPath);
    if (known !== undefined) return known;
    const id = files.length;
    const display = displayPath(realRoot, realPath);
    const stub = (source: SourceFile) => {
      files.push(new Loaded(source, realPath, !from, emptyUnit(), fileNode([], [], 0, 0)));
      importNodes.push([]);
    };
    // A file that cannot be read stays as a stub, so its importers still resolve against it.
    const failWith = (diagnostic: (source: SourceFile) => Diagnostic): number => {
      const source: SourceFile = { id, path: display, text: "" };
      stub(source);
      byRealPath.set(realPath, id);
      diagnostics.push(diagnostic(source));
      return id;
    };
    const fail = (message: string, code: "AT1001" | "AT1004", hint?: string): number =>
      // An input given on the command line is located at its own first line.
      failWith((source) =>
        diag(code, from ? at(from.file, from.node) : { file: source, start: 0, end: 0 }, message, { hint }),
      );
    const prefetched = pool?.take(realPath);
    if (prefetched) {
      const source: SourceFile = { id, path: display, text: prefetched.text };
      byRealPath.set(realPath, id);
      const checked = prefetched.bind(source);
      for (const d of checked.diagnostics) diagnostics.push(d);
      files.push(new Loaded(source, realPath, !from, checked.unit, undefined));
      importNodes.push(importsOf(checked.unit));
      return id;
    }
    const stat = host.stat(abs);
    // A folder named like a model file (`shared.aithreat/`): said at the import's path, as for any
    // other folder an import names.
    const entries = from && "error" in stat ? listFolder(abs) : undefined;
    if (from && entries)
      return failWith(() => folderImported(at(from.file, from.node.path), from.node.path.value, entries));
    if ("error" in stat) return fail(`cannot read \`${display}\`: ${stat.error}`, "AT1001");
    if (stat.size > maxSize) {
      return fail(
        `\`${display}\` is ${stat.size} bytes, more than the limit of ${maxSize}`,
        "AT1004",
        "split the model into several files with `import`, or raise `--max-file-size`",
      );
    }
    const bytes = host.readFile(abs);
    if ("error" in bytes) return fail(`cannot read \`${display}\`: ${bytes.error}`, "AT1001");
    const decoded = decodeSource(id, display, bytes);
    byRealPath.set(realPath, id);
    if (decoded.diagnostic) {
      diagnostics.push(decoded.diagnostic);
      stub(decoded.file);
      return id;
    }
    const checked = check(decoded.file, realPath);
    for (const d of checked.diagnostics) diagnostics.push(d);
    files.push(new Loaded(decoded.file, realPath, !from, checked.unit, checked.ast));
    importNodes.push(importsOf(checked.unit));
    return id;
  };

  // Depth-first over imports with an explicit stack: [file index, next import to follow].
  const sortedInputs = [...new Set(inputs)].sort();
  const reals = sortedInputs.map((input) => realpath(input));
  pool?.start(reals.filter((r): r is string => r !== undefined));
  for (const [k, input] of sortedInputs.entries()) {
    const real = reals[k];
    if (real === undefined) {
      // A dangling link or a vanished file: located at its own first line, path relative to the root.
      const display = displayPath(realRoot, input);
      diagnostics.push(
        diag(
          "AT1001",
          { file: { id: -1, path: display, text: "" }, start: 0, end: 0 },
          `cannot read \`${display}\`: no such file (or a broken symbolic link)`,
        ),
      );
      continue;
    }
    if (byRealPath.has(real)) continue;
    const stack: [number, number][] = [[load(input, real), 0]];
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [fileIndex, next] = top;
      const file = files[fileIndex]!;
      const nodes = importNodes[fileIndex]!;
      if (next >= nodes.length) {
        stack.pop();
        continue;
      }
      top[1]++;
      const node = nodes[next]!;
      const target = resolveImport(
        node,
        file.source,
        file.realPath,
        realRoot,
        { realpath, listFolder },
        diagnostics,
      );
      if (target === undefined) {
        file.imports.push({ node });
        continue;
      }
      const already = byRealPath.get(target.real);
      const index = already ?? load(target.abs, target.real, { file: file.source, node });
      file.imports.push({ node, target: index });
      if (already === undefined) stack.push([index, 0]);
    }
  }

  diagnostics.push(...findImportCycles(files));
  return { value: { root: realRoot, files }, diagnostics };
}

function resolveImport(
  node: ImportNode,
  from: SourceFile,
  fromReal: string,
  root: string,
  files: {
    realpath: (p: string) => string | undefined;
    listFolder: (p: string) => readonly string[] | undefined;
  },
  diagnostics: Diagnostic[],
): { abs: string; real: string } | undefined {
  const { realpath } = files;
  const spec = node.path.value;
  const where = at(from, node.path);
  if (spec === "" || path.isAbsolute(spec) || /^[a-zA-Z][a-zA-Z0-9+.-]*:/.test(spec) || spec.includes("\0")) {
    diagnostics.push(
      diag("AT2013", where, `\`${spec}\` is not a relative file path`, {
        hint: 'write a path relative to this file, e.g. `import "./shared/zones.aithreat"`',
      }),
    );
    return undefined;
  }
  const abs = path.resolve(path.dirname(fromReal), spec);
  if (!isInside(root, abs)) {
    diagnostics.push(
      diag("AT2011", where, `import \`${spec}\` leaves the project root`, {
        hint: "move the shared file inside the project, or pass `--root` to widen the project",
      }),
    );
    return undefined;
  }
  const real = realpath(abs);
  if (real === undefined) {
    diagnostics.push(
      diag("AT2010", where, `imported file \`${spec}\` does not exist`, {
        hint:
          nearFileHint(spec, files.listFolder(path.dirname(abs))) ??
          nearFolderHint(spec, path.dirname(fromReal), root, files.listFolder) ??
          "paths are relative to the importing file",
      }),
    );
    return undefined;
  }
  if (!isInside(root, real)) {
    diagnostics.push(
      diag("AT2011", where, `import \`${spec}\` resolves outside the project root through a symbolic link`),
    );
    return undefined;
  }
  // Only model files are read: a README imported by mistake gave a hundred syntax errors, and a
  // `.env` or key file imported in a pull request would have CI quote its lines in them. The name
  // the path leads to counts too: a link `zones.aithreat -> ../.env` is no model file either.
  if (!spec.endsWith(".aithreat") || !real.endsWith(".aithreat")) {
    const inFolder = files.listFolder(real);
    diagnostics.push(
      inFolder
        ? folderImported(where, spec, inFolder)
        : diag(
            "AT2013",
            where,
            `\`${spec}\` is not a model file${spec.endsWith(".aithreat") ? `: it is a symbolic link to \`${path.basename(real)}\`` : ""}: an import names a \`.aithreat\` file`,
          ),
    );
    return undefined;
  }
  return { abs, real };
}

/** AT2013 for an import that names a folder (`entries`, its names), with its model files in the hint. */
function folderImported(where: Location, spec: string, entries: readonly string[]): Diagnostic {
  const models = entries.filter((n) => n.endsWith(".aithreat")).sort();
  const named = models.map((m) => `\`${spec.replace(/\/+$/, "")}/${m}\``);
  return diag("AT2013", where, `\`${spec}\` is a folder: an import names one \`.aithreat\` file`, {
    hint:
      models.length > 0
        ? `import its model files by name: ${listedUpTo(named, 3)}`
        : "it holds no `.aithreat` file",
  });
}

/**
 * For an import that names no file, the file beside it that it most likely means: one whose name
 * differs only in case, in how its accents are encoded (Unicode normalisation: a file saved on one
 * system, imported as typed on another), by spaces at the ends, or by the missing `.aithreat`. Each
 * looks like "does not exist" while the file is right there.
 */
export function nearFileHint(spec: string, names: readonly string[] | undefined): string | undefined {
  const near = nearFile(spec, names);
  return near === undefined ? undefined : `did you mean \`${near.path}\`?${near.why ? ` ${near.why}` : ""}`;
}

/** nearFileHint's path, and why it differs when that is not plain from the two (a typo is). */
function nearFile(
  spec: string,
  names: readonly string[] | undefined,
): { path: string; why?: string } | undefined {
  const base = spec.slice(spec.lastIndexOf("/") + 1);
  if (base === "" || base === "." || base === ".." || names === undefined) return undefined;
  const dir = spec.slice(0, spec.length - base.length);
  const loose = (n: string) => n.normalize("NFC").toLowerCase();
  const kinds: [(n: string) => boolean, string][] = [
    [(n) => n === `${base}.aithreat`, "an import names the file with its extension"],
    [(n) => n === base.trim(), "the path has spaces at an end"],
    [
      (n) => n.normalize("NFC") === base.normalize("NFC"),
      "the import writes its accents with other code points than the file's name (Unicode normalisation): copy the path from this hint",
    ],
    [(n) => loose(n) === loose(base), "file names are case-sensitive"],
  ];
  for (const [matches, why] of kinds) {
    // The name itself is not near: it is there, as a broken link or a file that vanished.
    const found = names.filter((n) => n !== base && matches(n)).sort()[0];
    if (found !== undefined) return { path: `${dir}${found}`, why };
  }
  // A typo in the name (`zone.aithreat` for `zones.aithreat`): the model file whose name is closest,
  // compared without the extension so that a short name is not matched by a far one.
  const stem = (n: string) => (n.endsWith(EXTENSION) ? n.slice(0, -EXTENSION.length) : n);
  const byStem = new Map(
    names.filter((n) => n !== base && n.endsWith(EXTENSION)).map((n) => [stem(n), n] as const),
  );
  const near = suggest(stem(base), [...byStem.keys()].sort());
  return near === undefined ? undefined : { path: `${dir}${byStem.get(near)!}` };
}

const EXTENSION = ".aithreat";

/**
 * For an import whose folder does not exist (`../shraed/zones.aithreat`), the path it most likely
 * means: each folder of the path that is missing is replaced by the folder beside it whose name
 * differs only in case, accents' encoding or spaces at the ends, or else is spelt closest; then the
 * file name is looked up in the folder reached, as nearFileHint does. Undefined when a missing folder
 * has no near sibling. Only folders inside the project root are listed, so a hint never names what
 * lies outside it.
 */
export function nearFolderHint(
  spec: string,
  fromDir: string,
  root: string,
  listFolder: (p: string) => readonly string[] | undefined,
): string | undefined {
  const parts = spec.split("/");
  const base = parts.pop()!;
  const written: string[] = [];
  let dir = fromDir;
  let missing: string | undefined;
  let folderWhy: string | undefined;
  for (const part of parts) {
    const next = path.join(dir, part);
    if (part === "" || part === "." || part === ".." || listFolder(next) !== undefined) {
      written.push(part);
      dir = next;
      continue;
    }
    const entries = isInside(root, dir) ? listFolder(dir) : undefined;
    const near = entries && nearFolder(part, entries, (n) => listFolder(path.join(dir, n)) !== undefined);
    if (near === undefined || !isInside(root, path.join(dir, near.name))) return undefined;
    missing ??= [...written, part].join("/");
    folderWhy ??= near.why;
    written.push(near.name);
    dir = path.join(dir, near.name);
  }
  if (missing === undefined) return undefined;
  const folder = written.join("/");
  const why = `there is no folder \`${missing}\`${folderWhy ? ` (${folderWhy})` : ""}`;
  const inFolder = listFolder(dir) ?? [];
  if (inFolder.includes(base)) return `did you mean \`${folder}/${base}\`? ${why}`;
  const file = nearFile(`${folder}/${base}`, inFolder);
  if (file !== undefined)
    return `did you mean \`${file.path}\`? ${why}${file.why ? `, and ${file.why}` : ""}`;
  return `did you mean the folder \`${folder}\`? ${why}, and \`${folder}\` holds no \`${base}\``;
}

/**
 * The folder among `names` that `part` most likely means (see nearFolderHint); `isFolder` is asked
 * only of the name found, since a folder may hold many entries.
 */
function nearFolder(
  part: string,
  names: readonly string[],
  isFolder: (n: string) => boolean,
): { name: string; why?: string } | undefined {
  const loose = (n: string) => n.normalize("NFC").toLowerCase();
  const rules: [(n: string) => boolean, string][] = [
    [(n) => n === part.trim(), "the path has spaces at an end of a folder name"],
    [
      (n) => n.normalize("NFC") === part.normalize("NFC"),
      "the import writes its accents with other code points than the folder's name (Unicode normalisation): copy the path from this hint",
    ],
    [(n) => loose(n) === loose(part), "folder names are case-sensitive"],
  ];
  const others = names.filter((n) => n !== part && !n.endsWith(EXTENSION));
  for (const [matches, why] of rules) {
    const found = others.filter(matches).sort().find(isFolder);
    if (found !== undefined) return { name: found, why };
  }
  // A typo: the closest name that is a folder (a file spelt alike is passed over).
  const left = [...others].sort();
  for (let tries = 0; tries < 3; tries++) {
    const near = suggest(part, left);
    if (near === undefined) return undefined;
    if (isFolder(near)) return { name: near };
    left.splice(left.indexOf(near), 1);
  }
  return undefined;
}

/** Most files an import cycle's message names (a cycle through an organisation's files is named whole up to it). */
const MAX_CYCLE_SHOWN = 50;

/** Reports each import that closes a cycle, listing the files on it. */
function findImportCycles(
  files: readonly { source: SourceFile; imports: readonly { node: ImportNode; target?: number }[] }[],
): Diagnostic[] {
  const out: Diagnostic[] = [];
  const state = new Uint8Array(files.length); // 0 new, 1 on stack, 2 done
  const onStack: number[] = [];
  for (let start = 0; start < files.length; start++) {
    if (state[start] !== 0) continue;
    const stack: [number, number][] = [[start, 0]];
    state[start] = 1;
    onStack.push(start);
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      const [f, i] = top;
      const imports = files[f]!.imports;
      if (i >= imports.length) {
        state[f] = 2;
        onStack.pop();
        stack.pop();
        continue;
      }
      top[1]++;
      const imp = imports[i]!;
      const t = imp.target;
      if (t === undefined) continue;
      if (state[t] === 1) {
        const cycle = onStack.slice(onStack.indexOf(t)).map((x) => `\`${files[x]!.source.path}\``);
        // A long cycle names its first files and the one that closes it (ADR 15: text for people
        // names the first items of a long list): a cycle through 2,000 files was one 30 kB line.
        const steps =
          cycle.length <= MAX_CYCLE_SHOWN
            ? cycle
            : [
                ...cycle.slice(0, MAX_CYCLE_SHOWN - 1),
                `(${cycle.length - MAX_CYCLE_SHOWN} more)`,
                cycle[cycle.length - 1]!,
              ];
        const shown = [...steps, cycle[0]!].join(" -> ");
        out.push(
          diag(
            "AT2012",
            at(files[f]!.source, imp.node),
            t === f
              ? `\`${files[f]!.source.path}\` imports itself`
              : cycle.length <= MAX_CYCLE_SHOWN
                ? `import cycle: ${shown}`
                : `import cycle of ${cycle.length} files: ${shown}`,
            {
              hint:
                t === f
                  ? "remove the import: a file always sees its own declarations"
                  : "move the declarations both files need into a third file that each imports",
            },
          ),
        );
      } else if (state[t] === 0) {
        state[t] = 1;
        onStack.push(t);
        stack.push([t, 0]);
      }
    }
  }
  return out;
}
