/**
 * A throwaway PostgreSQL server for tests: a fresh cluster in a temporary folder, reachable only
 * through a Unix socket in that folder (no TCP port, so parallel runs never collide), stopped and
 * deleted by `stop()` and, as a last resort, when the process exits or is interrupted.
 *
 * Binaries come from Debian's `postgresql` package (`/usr/lib/postgresql/<version>/bin`, the highest
 * version present) or from `$AITHREAT_PG_BIN`. PostgreSQL refuses to run as root, so under root the
 * server runs as the `postgres` system user that the Debian package creates (`runuser -u postgres`),
 * and the temporary folder is handed to that user; otherwise it runs as the current user.
 */
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";

/** A running throwaway server. */
export interface PgServer {
  readonly dir: string;
  readonly bin: string;
  readonly version: string;
  /** Runs SQL through psql and returns the rows of its last statement, NULL as `null`; throws with psql's message on error. */
  query(sql: string): (string | null)[][];
  /** Runs a psql script file with `cwd` as working folder (for `\copy` with relative paths). */
  runFile(file: string, cwd: string): void;
  /** Stops the server and deletes its folder; safe to call twice. */
  stop(): void;
}

const SUPERUSER = "aithreat";
// Separators and a NULL marker no exported value contains, so rows split unambiguously.
const FIELD = "\u001f";
const RECORD = "\u001e";
const NULL = "\u0015";

/** The folder holding initdb, pg_ctl and psql, or why none was found. */
export function findPgBin(env: NodeJS.ProcessEnv = process.env): { bin: string } | { missing: string } {
  const wanted = ["initdb", "pg_ctl", "postgres", "psql"];
  const has = (dir: string) => wanted.every((b) => fs.existsSync(path.join(dir, b)));
  const fromEnv = env["AITHREAT_PG_BIN"];
  if (fromEnv)
    return has(fromEnv)
      ? { bin: fromEnv }
      : { missing: `$AITHREAT_PG_BIN=${fromEnv} lacks ${wanted.join(", ")}` };
  const root = "/usr/lib/postgresql";
  const versions = fs.existsSync(root)
    ? fs
        .readdirSync(root)
        .filter((v) => /^\d+$/.test(v) && has(path.join(root, v, "bin")))
        .sort((a, b) => Number(b) - Number(a))
    : [];
  if (versions.length > 0) return { bin: path.join(root, versions[0]!, "bin") };
  return {
    missing:
      "no PostgreSQL server binaries in /usr/lib/postgresql/<version>/bin: install Debian's `postgresql` package (scripts/setup.sh does) or set $AITHREAT_PG_BIN",
  };
}

function check(what: string, r: SpawnSyncReturns<string>): string {
  if (r.error) throw new Error(`${what}: ${r.error.message}`);
  if (r.status !== 0)
    throw new Error(`${what} failed (exit ${r.status ?? r.signal}):\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

const live = new Set<() => void>();
let hooked = false;
function hookExit(): void {
  if (hooked) return;
  hooked = true;
  process.on("exit", () => {
    for (const stop of [...live]) stop();
  });
  for (const signal of ["SIGINT", "SIGTERM"] as const) {
    const onSignal = () => {
      for (const stop of [...live]) stop();
      process.removeListener(signal, onSignal);
      process.kill(process.pid, signal);
    };
    process.on(signal, onSignal);
  }
}

/** Starts a throwaway server; throws with the reason when it cannot. */
export function startPostgres(): PgServer {
  const found = findPgBin();
  if ("missing" in found) throw new Error(found.missing);
  const bin = found.bin;
  const root = process.getuid?.() === 0;
  // Short path: the socket path must stay under the 107-byte limit of sun_path.
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "aithreat-pg-"));
  let runAs: string[] = [];
  if (root) {
    const pw = spawnSync("id", ["-u", "postgres"], { encoding: "utf8" });
    const gid = spawnSync("id", ["-g", "postgres"], { encoding: "utf8" });
    if (pw.status !== 0 || gid.status !== 0) {
      fs.rmSync(dir, { recursive: true, force: true });
      throw new Error(
        "running as root and there is no `postgres` user to run the server as: install Debian's `postgresql` package, or run the tests as a non-root user",
      );
    }
    fs.chownSync(dir, Number(pw.stdout.trim()), Number(gid.stdout.trim()));
    runAs = ["runuser", "-u", "postgres", "--"];
  }
  const data = path.join(dir, "data");
  const run = (cmd: string, args: string[]) => {
    const [exe, ...rest] = [...runAs, path.join(bin, cmd), ...args];
    return spawnSync(exe!, rest, { encoding: "utf8", cwd: dir, env: { ...process.env, LC_ALL: "C" } });
  };
  let started = false;
  let stopped = false;
  const stop = () => {
    if (stopped) return;
    stopped = true;
    live.delete(stop);
    if (started) run("pg_ctl", ["-D", data, "-m", "immediate", "-w", "stop"]);
    fs.rmSync(dir, { recursive: true, force: true });
  };
  live.add(stop);
  hookExit();
  try {
    check(
      "initdb",
      run("initdb", ["-D", data, "-U", SUPERUSER, "--auth=trust", "-E", "UTF8", "--locale=C", "--no-sync"]),
    );
    const options = [
      "-c listen_addresses=''",
      `-c unix_socket_directories='${dir}'`,
      "-c fsync=off",
      "-c synchronous_commit=off",
      "-c full_page_writes=off",
      "-c jit=off",
    ].join(" ");
    started = true;
    check(
      "pg_ctl start",
      run("pg_ctl", [
        "-D",
        data,
        "-l",
        path.join(dir, "server.log"),
        "-w",
        "-t",
        "60",
        "-o",
        options,
        "start",
      ]),
    );
  } catch (e) {
    const log = path.join(dir, "server.log");
    const tail = fs.existsSync(log) ? `\nserver log:\n${fs.readFileSync(log, "utf8").slice(-2000)}` : "";
    stop();
    throw new Error(`${(e as Error).message}${tail}`);
  }
  const version = check(
    "pg_ctl --version",
    spawnSync(path.join(bin, "pg_ctl"), ["--version"], { encoding: "utf8" }),
  ).trim();
  const psql = (args: string[], cwd: string) =>
    spawnSync(
      path.join(bin, "psql"),
      ["-X", "-q", "-h", dir, "-U", SUPERUSER, "-d", "postgres", "-v", "ON_ERROR_STOP=1", ...args],
      {
        encoding: "utf8",
        cwd,
        env: { ...process.env, PGOPTIONS: "-c client_min_messages=warning" },
        maxBuffer: 1 << 28,
      },
    );
  return {
    dir,
    bin,
    version,
    query(sql: string) {
      const out = check(
        "psql",
        psql(["-A", "-t", "-F", FIELD, "-R", RECORD, "-P", `null=${NULL}`, "-c", sql], dir),
      );
      return out
        .replace(/\n$/, "")
        .split(RECORD)
        .filter((r) => r !== "")
        .map((r) => r.split(FIELD).map((f) => (f === NULL ? null : f)));
    },
    runFile(file: string, cwd: string) {
      check(`psql -f ${file}`, psql(["-f", file], cwd));
    },
    stop,
  };
}
