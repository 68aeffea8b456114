#!/usr/bin/env node
// Runs the compiled test suite (dist/test/**/*.test.js) with uvu and ends with the totals on a line
// of their own, `N passed, N failed`, which CI reads. uvu's own summary is not in that form.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";

if (!existsSync("dist/test")) {
  console.error("no compiled tests in dist/test: run `npm run build` first");
  console.log("0 passed, 1 failed");
  process.exit(1);
}
const pattern = process.argv[2] ?? "\\.test\\.js$";
const child = spawn(process.execPath, ["node_modules/uvu/bin.js", "dist/test", pattern], {
  stdio: ["ignore", "pipe", "inherit"],
  env: { ...process.env, NO_COLOR: "1" },
});
let output = "";
child.stdout.on("data", (chunk) => {
  output += chunk;
  process.stdout.write(chunk);
});
child.on("close", (code) => {
  const num = (label) => Number(new RegExp(`${label}:\\s+(\\d+)`).exec(output)?.[1] ?? NaN);
  const total = num("Total");
  const passed = num("Passed");
  const skipped = num("Skipped");
  if (!Number.isFinite(total) || !Number.isFinite(passed)) {
    console.log("\ntest run ended without a summary (a test file crashed?)");
    console.log(`0 passed, 1 failed`);
    process.exit(code || 1);
  }
  const failed = total - passed - (Number.isFinite(skipped) ? skipped : 0);
  if (skipped > 0) console.log(`${skipped} skipped`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed > 0 || code !== 0 ? 1 : 0);
});
