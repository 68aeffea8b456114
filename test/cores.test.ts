import { test } from "uvu";
import * as assert from "uvu/assert";
import { usableCores, type CoreProbe } from "../src/cores.js";

/** A machine of `available` cores whose cgroup files hold `files`. */
const probe = (
  available: number,
  files: Record<string, string>,
  platform: NodeJS.Platform = "linux",
): CoreProbe => ({
  available: () => available,
  platform,
  read: (file) => files[file],
});

test("a cgroup v2 quota caps the cores Node reports, rounded up", () => {
  assert.is(usableCores(probe(16, { "/sys/fs/cgroup/cpu.max": "100000 100000\n" })), 1);
  assert.is(usableCores(probe(16, { "/sys/fs/cgroup/cpu.max": "150000 100000\n" })), 2);
  // No quota, or one above the machine's cores: the cores.
  assert.is(usableCores(probe(16, { "/sys/fs/cgroup/cpu.max": "max 100000\n" })), 16);
  assert.is(usableCores(probe(2, { "/sys/fs/cgroup/cpu.max": "800000 100000" })), 2);
  // A quota of a fraction of a core is still one.
  assert.is(usableCores(probe(8, { "/sys/fs/cgroup/cpu.max": "20000 100000" })), 1);
});

test("cgroup v1's CFS quota counts when there is no v2 file; -1 means none", () => {
  const v1 = (quota: string) =>
    probe(8, {
      "/sys/fs/cgroup/cpu/cpu.cfs_quota_us": quota,
      "/sys/fs/cgroup/cpu/cpu.cfs_period_us": "100000\n",
    });
  assert.is(usableCores(v1("300000\n")), 3);
  assert.is(usableCores(v1("-1\n")), 8);
});

test("no cgroup files, unreadable or odd ones, or another system: the cores Node reports", () => {
  assert.is(usableCores(probe(4, {})), 4);
  assert.is(usableCores(probe(4, { "/sys/fs/cgroup/cpu.max": "garbage" })), 4);
  assert.is(usableCores(probe(4, { "/sys/fs/cgroup/cpu.max": "100000 100000" }, "darwin")), 4);
  // The machine's own reading is a whole number of at least one.
  const here = usableCores();
  assert.ok(Number.isInteger(here) && here >= 1, String(here));
});

test.run();
