import fs from "node:fs";

/**
 * Where a system Chromium usually lives, tried in order after the environment variables: Debian and
 * Ubuntu packages, Google Chrome, then the macOS application bundles. aithreat never downloads a
 * browser (see .puppeteerrc.cjs).
 */
export const CHROMIUM_CANDIDATES: readonly string[] = [
  "/usr/bin/chromium",
  "/usr/bin/chromium-browser",
  "/usr/bin/google-chrome",
  "/usr/bin/google-chrome-stable",
  "/snap/bin/chromium",
  "/Applications/Chromium.app/Contents/MacOS/Chromium",
  "/Applications/Google Chrome.app/Contents/MacOS/Google Chrome",
];

/** What to tell a user who has no Chromium. */
export const INSTALL_HINT =
  "install Debian's `chromium` package (`apt-get install chromium`), or set `CHROMIUM_PATH` to a Chromium or Chrome executable";

/** The browser found, and what named it (an option, a variable, or a standard path). */
export type ChromiumFound = { readonly path: string; readonly from: string };
/** Why no browser can be used. */
export type ChromiumMissing = { readonly problem: string };

/** Whether a path is an executable file (a missing file, a folder or a file without `x` are not). */
export function isExecutableFile(p: string): boolean {
  try {
    if (!fs.statSync(p).isFile()) return false;
    fs.accessSync(p, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * Finds the browser to render with: `--chromium`, then `CHROMIUM_PATH`, then
 * `PUPPETEER_EXECUTABLE_PATH`, then the standard paths. A path the user named explicitly that is not
 * an executable is reported as such rather than passed over, so a typo does not silently pick another
 * browser (or none).
 */
export function findChromium(
  env: Readonly<Record<string, string | undefined>>,
  explicit: string | undefined,
  isExecutable: (p: string) => boolean = isExecutableFile,
  candidates: readonly string[] = CHROMIUM_CANDIDATES,
): ChromiumFound | ChromiumMissing {
  const named: [string, string | undefined][] = [
    ["--chromium", explicit],
    ["CHROMIUM_PATH", env["CHROMIUM_PATH"]],
    ["PUPPETEER_EXECUTABLE_PATH", env["PUPPETEER_EXECUTABLE_PATH"]],
  ];
  for (const [from, p] of named) {
    if (p === undefined || p === "") continue;
    if (isExecutable(p)) return { path: p, from };
    return { problem: `\`${from}\` names \`${p}\`, which is not an executable file` };
  }
  for (const p of candidates) if (isExecutable(p)) return { path: p, from: "standard path" };
  return {
    problem: `no Chromium found (looked at ${candidates
      .slice(0, 4)
      .map((c) => `\`${c}\``)
      .join(", ")})`,
  };
}

/**
 * Chromium's command line for rendering. Headless Chromium as root refuses to start without
 * `--no-sandbox`; the other flags keep it from reaching the network (updates, sync, QUIC probes),
 * from using a GPU, and from filling a small `/dev/shm` in containers.
 */
export function chromiumArgs(isRoot: boolean): string[] {
  return [
    ...(isRoot ? ["--no-sandbox"] : []),
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--disable-default-apps",
    "--disable-extensions",
    "--disable-domain-reliability",
    "--no-first-run",
    "--no-default-browser-check",
    "--no-pings",
  ];
}
