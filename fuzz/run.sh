#!/usr/bin/env bash
# Runs each fuzz target for SECONDS (default 600), one after another, with the checked-in seed
# corpus; new inputs go to fuzz/work/ (not committed), crashes to fuzz/artifacts/.
# cargo fuzz needs nightly flags; on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
for target in filter body token; do
  mkdir -p "fuzz/work/$target"
  cargo fuzz run "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 2>&1 | tail -n 25
done
