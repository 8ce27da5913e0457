#!/usr/bin/env bash
# The dashboard's browser test: build tally, then drive Debian's chromium with playwright-core.
# Needs /usr/bin/chromium (apt-get install chromium) and e2e/node_modules (npm ci --prefix e2e);
# .ci/run provides both. Saves the screenshot to docs/dashboard.png.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ ! -x "${CHROMIUM:-/usr/bin/chromium}" ]; then
  echo "e2e: ${CHROMIUM:-/usr/bin/chromium} is missing; apt-get install -y chromium" >&2
  exit 1
fi
[ -d e2e/node_modules/playwright-core ] || npm ci --prefix e2e --no-audit --no-fund
cargo build -p tally --locked
node e2e/dashboard.test.mjs
