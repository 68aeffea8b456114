// Puppeteer must never download a browser: aithreat renders with a system Chromium
// (Debian's `chromium`, or CHROMIUM_PATH / PUPPETEER_EXECUTABLE_PATH). See docs/adr/0004.
module.exports = { skipDownload: true };
