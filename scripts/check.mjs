#!/usr/bin/env node
// `npm run check`: build, lint, format check and the test suite. Every stage runs even when an earlier
// one failed (a lint error must not hide a failing test), stage results are summarised, and the last
// line is the test totals, `N passed, N failed`, which CI reads. Exit 1 when any stage failed.
import { spawn, spawnSync } from "node:child_process";

const npx = process.platform === "win32" ? "npx.cmd" : "npx";
const stages = [
  ["build", npx, ["tsc", "-p", "tsconfig.json"]],
  ["bundle", process.execPath, ["scripts/bundle.mjs"]],
  ["lint", npx, ["eslint", "."]],
  ["format", npx, ["prettier", "--check", "."]],
];
const results = [];
for (const [name, cmd, args] of stages) {
  console.log(`\n> ${name}: ${[cmd, ...args].join(" ")}`);
  const r = spawnSync(cmd, args, { stdio: "inherit" });
  results.push([name, r.status === 0]);
  // Without a build there is nothing to test.
  if (name === "build" && r.status !== 0) break;
}
let totals = "0 passed, 1 failed";
if (results[0]?.[1]) {
  console.log("\n> tests: node scripts/run-tests.mjs");
  // Streamed as it runs, and kept to read the totals line.
  const { code, out } = await new Promise((resolve) => {
    const child = spawn(process.execPath, ["scripts/run-tests.mjs"], {
      stdio: ["ignore", "pipe", "inherit"],
    });
    let out = "";
    child.stdout.on("data", (chunk) => {
      out += chunk;
      process.stdout.write(chunk);
    });
    child.on("close", (code) => resolve({ code, out }));
  });
  const last = out.trim().split("\n").at(-1) ?? "";
  if (/^\d+ passed, \d+ failed$/.test(last)) totals = last;
  results.push(["tests", code === 0]);
}
console.log("\n" + results.map(([n, ok]) => `${n}: ${ok ? "ok" : "FAILED"}`).join(", "));
console.log(totals);
process.exit(results.every(([, ok]) => ok) ? 0 : 1);
