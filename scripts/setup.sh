#!/usr/bin/env bash
# Installs what aithreat and its test suite need on a fresh Debian/Ubuntu machine, then the npm
# dependencies. System packages: Debian's `chromium` (diagram rendering; puppeteer never downloads a
# browser, see .puppeteerrc.cjs). Safe to run again: it installs only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need the Debian packages: ${missing[*]} (run as root or install them yourself)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]} with apt-get" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund
