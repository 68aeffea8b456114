#!/usr/bin/env bash
# Installs what aithreat and its test suite need on a fresh Debian/Ubuntu machine, then the npm
# dependencies. System packages: Debian's `chromium` (diagram rendering; puppeteer never downloads a
# browser, see .puppeteerrc.cjs) and `postgresql` (the server binaries test/db/ starts a throwaway
# cluster with; the package's own cluster service is not needed). Safe to run again: it installs
# only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

missing=()
command -v chromium >/dev/null 2>&1 || [ -x /usr/bin/chromium ] || missing+=(chromium)
# The same test as test/helpers/postgres.ts: initdb, pg_ctl, postgres and psql in one versioned
# folder of /usr/lib/postgresql (or $AITHREAT_PG_BIN).
has_pg() {
  local dir
  for dir in ${AITHREAT_PG_BIN:-} /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && [ -x "$dir/pg_ctl" ] && [ -x "$dir/postgres" ] && [ -x "$dir/psql" ] && return 0
  done
  return 1
}
has_pg || missing+=(postgresql)

if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then sudo=""; elif command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
    echo "setup: need the Debian packages: ${missing[*]} (run as root or install them yourself)" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]} with apt-get" >&2
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
  has_pg || { echo "setup: the postgresql package installed no server binaries" >&2; exit 1; }
fi

PUPPETEER_SKIP_DOWNLOAD=true npm ci --no-audit --no-fund
