#!/usr/bin/env bash
# The dashboard's browser test: build tally, then drive Debian's chromium with playwright-core.
# Needs /usr/bin/chromium (apt-get install chromium) and e2e/node_modules (npm ci --prefix e2e);
# .ci/run provides both. Saves the screenshots docs/dashboard.png, licenses.png,
# subscriptions.png, costs.png, insight.png and reclaim.png.
# TALLY_BIN=/path/to/tally tests that binary instead and skips the build (its dashboard is the
# one compiled into it, so build it from this tree to test this tree's assets).
set -euo pipefail
if [ -n "${TALLY_BIN:-}" ]; then
  [ -f "$TALLY_BIN" ] && [ -x "$TALLY_BIN" ] || { echo "e2e: TALLY_BIN=$TALLY_BIN is not an executable" >&2; exit 1; }
  TALLY_BIN="$(cd "$(dirname "$TALLY_BIN")" && pwd)/$(basename "$TALLY_BIN")"   # before the cd below
  export TALLY_BIN
fi
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "e2e: ${CHROMIUM:-/usr/bin/chromium} is missing; apt-get install -y chromium" >&2
  exit 1
fi
[ -d e2e/node_modules/playwright-core ] || npm ci --prefix e2e --no-audit --no-fund
[ -n "${TALLY_BIN:-}" ] || cargo build -p tally --locked   # the test then runs target/debug/tally
node e2e/dashboard.test.mjs
