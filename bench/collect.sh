#!/usr/bin/env bash
# `tally collect` of a 100,000-user tenant (20 SKUs) from another tally on this machine standing
# in for Graph (issue 18's target: ≤ 30 s wall): into an empty store, then replacing the same
# tenant in it; embedded, and on PostgreSQL when TALLY_BENCH_DATABASE_URL or
# TALLY_TEST_DATABASE_URL is set. A minute apart per run (the snapshot's same-minute rule), so
# ROUNDS rounds take ROUNDS × 2 minutes per backend. Writes bench/COLLECT.md.
#
#   bash bench/collect.sh        # ROUNDS=2 DIRECTORY_USERS=100000
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
BENCH=$PWD/bench
WORK=${BENCH_WORK:-$BENCH/work}/collect
ROUNDS=${ROUNDS:-2}
USERS=${DIRECTORY_USERS:-100000}
PG_URL=${TALLY_BENCH_DATABASE_URL:-${TALLY_TEST_DATABASE_URL:-}}
rm -rf "$WORK"
mkdir -p "$WORK"
RESULTS=$WORK/results.tsv
: >"$RESULTS"
PIDS=()
trap cleanup EXIT

if [ -z "${SKIP_BUILD:-}" ]; then
  log "building release"
  cargo build --release -q -p tally -p tally-bench
fi
TALLY=$PWD/target/release/tally
SEED=$PWD/target/release/seed
TENANT=00000000-0000-4000-8000-0000000c0113

log "the source: $USERS users, 20 SKUs, and an app that may read them"
"$SEED" directory --out "$WORK/data" --users "$USERS" --skus 20 --spare 0 >/dev/null
for part in "skus subscribedSkus" "users users"; do
  read -r file resource <<<"$part"
  "$TALLY" import "$WORK/data/$file.jsonl" --resource "$resource" --tenant "$TENANT" \
    --data-dir "$WORK/source" 2>>"$WORK/import.err"
done
"$TALLY" app add --tenant "$TENANT" --role Directory.Read.All --role AuditLog.Read.All \
  --data-dir "$WORK/source" >"$WORK/app.txt"
CLIENT_ID=$(sed -n 's/^client_id=//p' "$WORK/app.txt")
TALLY_COLLECT_CLIENT_SECRET=$(sed -n 's/^client_secret=//p' "$WORK/app.txt")
export TALLY_COLLECT_CLIENT_SECRET
start source "$TALLY" serve --listen 127.0.0.1:0 --data-dir "$WORK/source"

# collect BACKEND STORE_ARGS...: ROUNDS rounds of (into an empty store, replacing).
collect() {
  local backend=$1
  shift
  for round in $(seq 1 "$ROUNDS"); do
    for kind in empty replacing; do
      local started ended seconds
      started=$(date +%s.%N)
      "$TALLY" collect --tenant "$TENANT" --client-id "$CLIENT_ID" --authority "$URL_source" \
        --graph-url "$URL_source" "$@" >>"$WORK/collect.out" 2>>"$WORK/collect.err"
      ended=$(date +%s.%N)
      seconds=$(python3 -c "print(round($ended - $started, 2))")
      printf '%s\t%s\t%s\n' "$backend" "$kind" "$seconds" >>"$RESULTS"
      log "$backend, $kind: $seconds s"
      sleep 60
    done
    reset_"$backend"
  done
}

reset_embedded() { rm -rf "$WORK/embedded"; }
log "embedded"
collect embedded --data-dir "$WORK/embedded"

if [ -n "$PG_URL" ]; then
  schema=tally_bench_collect
  reset_postgres() {
    psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" 2>/dev/null
  }
  reset_postgres
  separator='?'
  [[ $PG_URL == *\?* ]] && separator='&'
  log "PostgreSQL"
  collect postgres --data-dir "$WORK/postgres" \
    --database-url "$PG_URL${separator}options=-csearch_path%3D$schema"
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null
fi

python3 - "$RESULTS" "$USERS" "$(git rev-parse --short HEAD)" >"$BENCH/COLLECT.md" <<'PY'
import sys, datetime
from collections import defaultdict
results, users, commit = sys.argv[1:4]
runs = defaultdict(list)
for line in open(results):
    backend, kind, seconds = line.split()
    runs[(backend, kind)].append(float(seconds))
print("# `tally collect` (issue 18)\n")
print(f"Commit {commit}, {datetime.date.today()}; {users} users and 20 SKUs read from another "
      "tally on this machine (999 users a page), then stored in one transaction and the derived "
      "snapshot taken; wall seconds of the whole command, every run. Target ≤ 30 s. "
      "`bash bench/collect.sh` writes this file.\n")
print("| store | into an empty store | replacing the same tenant |")
print("|---|---|---|")
for backend in ("embedded", "postgres"):
    if (backend, "empty") in runs:
        cell = lambda kind: " / ".join(f"{s:.1f}" for s in runs[(backend, kind)])
        print(f"| {backend} | {cell('empty')} | {cell('replacing')} |")
PY
log "wrote bench/COLLECT.md"
