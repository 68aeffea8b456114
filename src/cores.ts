import { readFileSync } from "node:fs";
import os from "node:os";

/** How `usableCores` reads the machine (tests give their own). */
export interface CoreProbe {
  readonly available: () => number;
  readonly platform: NodeJS.Platform;
  /** A file's text, or undefined when it cannot be read. */
  readonly read: (file: string) => string | undefined;
}

const MACHINE: CoreProbe = {
  available: () => os.availableParallelism(),
  platform: process.platform,
  read: (file) => {
    try {
      return readFileSync(file, "utf8");
    } catch {
      return undefined;
    }
  },
};

/**
 * The cores this process may use: `os.availableParallelism()`, and on Linux no more than its cgroup's
 * CPU quota, rounded up. The libuv of Node 20 does not count the quota, so in a container started
 * with `--cpus=1` on a 16-core host Node reports 16, and a compile started worker threads that could
 * only take turns on the one CPU. Every choice of threads (the launcher's worker pool, the paths and
 * write threads, the parsing pool, the rendering pages) asks here.
 */
export function usableCores(probe: CoreProbe = MACHINE): number {
  const cores = probe.available();
  if (probe.platform !== "linux") return cores;
  return Math.max(1, Math.min(cores, cgroupCpus(probe.read) ?? cores));
}

/** The CPU quota of the cgroup in cores (v2's `cpu.max`, else v1's CFS quota); undefined when none. */
function cgroupCpus(read: CoreProbe["read"]): number | undefined {
  const quota = (q: number, period: number) => (q > 0 && period > 0 ? Math.ceil(q / period) : undefined);
  const v2 = read("/sys/fs/cgroup/cpu.max")?.trim().split(/\s+/);
  if (v2) return v2[0] === "max" ? undefined : quota(Number(v2[0]), Number(v2[1]));
  return quota(
    Number(read("/sys/fs/cgroup/cpu/cpu.cfs_quota_us")?.trim()),
    Number(read("/sys/fs/cgroup/cpu/cpu.cfs_period_us")?.trim()),
  );
}
