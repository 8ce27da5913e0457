#!/usr/bin/env bash
# Builds the fuzz targets, then runs all three side by side for SECONDS each (default 600) from
# the checked-in seed corpus; new inputs go to fuzz/work/ (not committed), crashes to
# fuzz/artifacts/, each target's log and final stats to fuzz/work/<target>.log.
# cargo fuzz needs nightly flags; on a stable toolchain RUSTC_BOOTSTRAP=1 unlocks them.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-600}"
command -v cargo-fuzz >/dev/null || cargo install cargo-fuzz
export RUSTC_BOOTSTRAP=1
cargo fuzz build
pids=()
for target in filter body token; do
  mkdir -p "fuzz/work/$target"
  cargo fuzz run "$target" "fuzz/work/$target" "fuzz/corpus/$target" -- \
    -max_total_time="$seconds" -rss_limit_mb=2048 -print_final_stats=1 \
    >"fuzz/work/$target.log" 2>&1 &
  pids+=($!)
done
status=0
for pid in "${pids[@]}"; do wait "$pid" || status=1; done
for target in filter body token; do
  echo "== $target"; grep -E "^(stat::|Done|==.*ERROR|SUMMARY)" "fuzz/work/$target.log" || true
done
exit $status
