#!/usr/bin/env bash
# tally under overload (issue 6): measures capacity on an expensive read (the D180 report, a
# page of 100 snapshots) with wrk, then offers 4x that rate open-loop (bench/src/bin/loadgen.rs:
# requests leave on schedule whatever the answers, latency counted from when each was due) to
# `tally serve --max-in-flight N`. Admitted requests must keep a bounded p99, the excess must get
# 503 with Retry-After, memory must stay bounded, and a normal load right after must be served as
# before. Writes bench/OVERLOAD.md with the medians of ROUNDS rounds.
#
#   bash bench/overload.sh            # ROUNDS=3 MAX_IN_FLIGHT=64 OVERLOAD_SECONDS=10
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$PWD
BENCH=$ROOT/bench
WORK=${BENCH_WORK:-$BENCH/work}/overload
ROUNDS=${ROUNDS:-3}
MAX_IN_FLIGHT=${MAX_IN_FLIGHT:-64}
SECS=${OVERLOAD_SECONDS:-10}
rm -rf "$WORK"
mkdir -p "$WORK"
RAW=$WORK/raw.tsv
: >"$RAW"
log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
log "building release"
cargo build --release -q -p tally -p tally-bench
BIN=$ROOT/target/release
TALLY=$BIN/tally

DATA=$WORK/data
SEED=$("$BIN/seed" store --data-dir "$DATA" --tenants 100 --per-tenant 180)
TENANT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tenant"])' "$SEED")
TOKEN=$("$TALLY" token --tenant "$TENANT" --app --ttl 1d --data-dir "$DATA")
AUTH="Authorization: Bearer $TOKEN"
PATH_D180="/v1.0/reports/getAzureADLicenseUsage(period=%27D180%27)"

"$TALLY" serve --listen 127.0.0.1:0 --data-dir "$DATA" --max-in-flight "$MAX_IN_FLIGHT" \
  >"$WORK/tally.out" 2>"$WORK/tally.err" &
PID=$!
trap 'kill $PID 2>/dev/null || true; wait 2>/dev/null || true' EXIT
for _ in $(seq 1 200); do grep -q 'listening on' "$WORK/tally.out" && break; sleep 0.05; done
URL=$(grep -o 'http://[0-9.:]*' "$WORK/tally.out" | head -1)$PATH_D180

rss_mib() { awk '/VmRSS/ {printf "%.1f\n", $2/1024}' "/proc/$PID/status"; }
record() { printf '%s\t%s\t%s\n' "$1" "$2" "$3" >>"$RAW"; }

# loadgen_run PHASE RATE SECONDS: records per-status figures and the peak RSS during the phase.
loadgen_run() {
  local phase=$1 rate=$2 seconds=$3
  local peak=0
  "$BIN/loadgen" --url "$URL" --rate "$rate" --seconds "$seconds" -H "$AUTH" >"$WORK/$phase.json" &
  local gen=$!
  while kill -0 $gen 2>/dev/null; do
    local now
    now=$(rss_mib)
    peak=$(awk -v a="$peak" -v b="$now" 'BEGIN {print (b > a ? b : a)}')
    sleep 0.2
  done
  wait $gen
  python3 - "$WORK/$phase.json" "$phase" "$peak" >>"$RAW" <<'EOF'
import json, sys
data, phase, peak = json.load(open(sys.argv[1])), sys.argv[2], sys.argv[3]
print(f"{phase}\toffered_rps\t{data['offered_rps']}")
print(f"{phase}\tanswered_rps\t{data['answered_rps']}")
print(f"{phase}\tnot_sent\t{data['not_sent']}")
print(f"{phase}\tpeak_rss_mib\t{peak}")
ok = data["status"].get("200", {"count": 0, "p50_ms": 0, "p99_ms": 0, "max_ms": 0})
print(f"{phase}\tadmitted\t{ok['count']}")
print(f"{phase}\tadmitted_p50_ms\t{ok['p50_ms']}")
print(f"{phase}\tadmitted_p99_ms\t{ok['p99_ms']}")
print(f"{phase}\tadmitted_max_ms\t{ok['max_ms']}")
shed = {k: v for k, v in data["status"].items() if k in ("429", "503")}
print(f"{phase}\tshed\t{sum(v['count'] for v in shed.values())}")
print(f"{phase}\tshed_with_retry_after\t{sum(v['retry_after'] for v in shed.values())}")
print(f"{phase}\tshed_p99_ms\t{max([v['p99_ms'] for v in shed.values()] or [0])}")
other = {k: v["count"] for k, v in data["status"].items() if k not in ("200", "429", "503")}
print(f"{phase}\tother_statuses\t{sum(other.values())}")
EOF
  printf '   %-9s offered %6s/s: %s\n' "$phase" "$rate" "$(cat "$WORK/$phase.json")" >&2
}

wrk -t2 -c64 -d2s -H "$AUTH" "$URL" >/dev/null
record idle rss_mib "$(rss_mib)"
for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS"
  capacity=$(wrk -t2 -c64 -d5s -H "$AUTH" "$URL" | awk '/^Requests\/sec:/ {printf "%d\n", $2}')
  record capacity rps "$capacity"
  echo "   capacity (wrk, 64 connections): $capacity req/s" >&2
  sleep 1
  loadgen_run before $((capacity / 2)) 5
  loadgen_run overload $((capacity * 4)) "$SECS"
  loadgen_run after $((capacity / 2)) 5
  sleep 1
done
record end rss_mib "$(rss_mib)"

python3 - "$RAW" "$ROUNDS" "$MAX_IN_FLIGHT" "$SECS" >"$BENCH/OVERLOAD.md" <<'EOF'
import os, statistics, sys, datetime
from collections import defaultdict
raw, rounds, limit, secs = sys.argv[1:5]
v = defaultdict(list)
for line in open(raw):
    phase, metric, value = line.rstrip("\n").split("\t")
    v[(phase, metric)].append(float(value))
m = lambda p, k: statistics.median(v[(p, k)]) if v[(p, k)] else float("nan")
rounds_of = lambda p, k: ", ".join(f"{x:g}" for x in v[(p, k)])
print("# Overload results")
print()
print(f"Written by `bash bench/overload.sh` on {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC; "
      f"{os.cpu_count()} cores shared by tally and the load generator. `tally serve --max-in-flight {limit}`; the request is "
      "`getAzureADLicenseUsage(period='D180')` (a page of 100 snapshots) for a tenant with 180. Capacity is wrk's req/s with 64 "
      f"connections; then the open-loop generator offers half of it for 5 s (before), four times it for {secs} s (overload), and "
      f"half again for 5 s (after). Medians of {rounds} rounds; latencies are counted from when each request was due.")
print()
print("| phase | offered req/s | answered req/s | admitted (200) | admitted p50 / p99 / max ms | shed (429/503) | shed with Retry-After | shed p99 ms | other statuses | peak RSS MiB |")
print("|---|---|---|---|---|---|---|---|---|---|")
for phase in ("before", "overload", "after"):
    print(f"| {phase} | {m(phase,'offered_rps'):,.0f} | {m(phase,'answered_rps'):,.0f} | {m(phase,'admitted'):,.0f} | "
          f"{m(phase,'admitted_p50_ms'):.1f} / {m(phase,'admitted_p99_ms'):.1f} / {m(phase,'admitted_max_ms'):.1f} | "
          f"{m(phase,'shed'):,.0f} | {m(phase,'shed_with_retry_after'):,.0f} | {m(phase,'shed_p99_ms'):.1f} | "
          f"{m(phase,'other_statuses'):,.0f} | {m(phase,'peak_rss_mib'):.1f} |")
print()
print(f"Capacity: median {m('capacity','rps'):,.0f} req/s (rounds: {rounds_of('capacity','rps')}). "
      f"RSS idle {m('idle','rss_mib'):.1f} MiB, at the end {m('end','rss_mib'):.1f} MiB.")
print()
print("## Every figure")
print()
print("| phase | metric | median | rounds |")
print("|---|---|---|---|")
for (phase, metric) in sorted(v):
    print(f"| {phase} | {metric} | {m(phase, metric):g} | {rounds_of(phase, metric)} |")
EOF
cat "$BENCH/OVERLOAD.md"
