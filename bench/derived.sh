#!/usr/bin/env bash
# The numbers derived from the directory (issue 17), on a tenant of 100,000 licensed users,
# 20,000 without licenses, 20 SKUs (P2, P1, Basic and other) and one azureADUserFeatureUsage
# record per licensed user; embedded, and on PostgreSQL when TALLY_BENCH_DATABASE_URL or
# TALLY_TEST_DATABASE_URL is set:
#   - tally snapshot of the tenant, durable, wall time (the server not running);
#   - GET /beta/reports/azureADPremiumLicenseInsight at 16 connections (p99);
#   - GET /beta/reports/licenseReclaim?licenseType=premiumP2, its first page of 100, at 16
#     connections (p99);
#   - GET /beta/reports/licenseCosts (issue 25), every SKU priced but one, in two currencies,
#     at 16 connections (p99).
# Writes bench/DERIVED.md: medians of ROUNDS rounds.
#
#   bash bench/derived.sh        # ROUNDS=3 SECONDS_PER_RUN=5 DIRECTORY_USERS=100000
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
BENCH=$PWD/bench
WORK=${BENCH_WORK:-$BENCH/work}/derived
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-5}
CONNS=16
USERS=${DIRECTORY_USERS:-100000}
SKUS=20
SPARE=20000
RAW=$WORK/raw.tsv
PG_URL=${TALLY_BENCH_DATABASE_URL:-${TALLY_TEST_DATABASE_URL:-}}
prepare_bench
TALLY=$PWD/target/release/tally
SEED=$PWD/target/release/seed
TENANT=00000000-0000-4000-8000-0000000d1e17

log "writing a directory: $USERS users, $SKUS SKUs, $SPARE users without licenses, $USERS feature records"
"$SEED" directory --out "$WORK/data" --users "$USERS" --skus "$SKUS" --spare "$SPARE" >/dev/null

# load ARGS...: the tenant's SKUs, users and feature records, into the store ARGS name.
load() {
  for part in "skus subscribedSkus" "users users" "spare users" "features azureADUserFeatureUsage"; do
    read -r file resource <<<"$part"
    "$TALLY" import "$WORK/data/$file.jsonl" --resource "$resource" --tenant "$TENANT" "$@" \
      2>>"$WORK/import.err"
  done
}

# measure BACKEND STORE_ARGS...: snapshots with the server stopped, then the two reads served.
measure() {
  local backend=$1
  shift
  for round in $(seq 1 "$ROUNDS"); do
    local started ended
    started=$(date +%s.%N)
    # A distinct minute per round: a second snapshot in one minute is not taken.
    "$TALLY" snapshot --tenant "$TENANT" --at "2026-11-0${round}T00:00:00Z" "$@" >>"$WORK/snapshot.out"
    ended=$(date +%s.%N)
    record snapshot "$backend" seconds "$(python3 -c "print($ended - $started)")"
    printf '   snapshot (%s): %.2f s\n' "$backend" "$(python3 -c "print($ended - $started)")" >&2
  done
  start "$backend" "$TALLY" serve --listen 127.0.0.1:0 "$@"
  local url token
  url=$(eval echo "\$URL_$backend")
  token=$("$TALLY" token --tenant "$TENANT" --app --ttl 1d --role Reports.Read.All \
    --role User.Read.All --role AuditLog.Read.All --role Directory.ReadWrite.All \
    --data-dir "$DATA_DIR")
  local insight="$url/beta/reports/azureADPremiumLicenseInsight"
  local reclaim="$url/beta/reports/licenseReclaim?licenseType=premiumP2"
  local costs="$url/beta/reports/licenseCosts"
  # Prices for every SKU but the first: yearly in EUR for every third, else monthly in USD.
  curl -sf -H "Authorization: Bearer $token" "$url/v1.0/subscribedSkus?%24select=skuId" |
    python3 -c 'import json,sys; [print(s["skuId"]) for s in json.load(sys.stdin)["value"][1:]]' |
    awk '{ print $1, (NR % 3 == 0 ? "{\"unitPrice\":120.5,\"currency\":\"EUR\",\"billingPeriod\":\"year\"}" : "{\"unitPrice\":7.25,\"currency\":\"USD\"}") }' |
    while read -r sku body; do
      curl -sf -o /dev/null -X PUT -H "Authorization: Bearer $token" -H 'content-type: application/json' \
        --data "$body" "$url/beta/reports/licensePrices/$sku"
    done
  curl -sf -H "Authorization: Bearer $token" "$costs" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("   costs:", len(d["value"]), "SKUs, totals", d["@tally.totals"])' >&2
  curl -sf -H "Authorization: Bearer $token" "$insight" >"$WORK/insight-$backend.json"
  curl -sf -H "Authorization: Bearer $token" "$reclaim&%24count=true&%24top=1" |
    python3 -c 'import json,sys; d=json.load(sys.stdin); print("   reclaim (premiumP2):", d["@odata.count"], "users,", d["@tally.unitCount"], "units")' >&2
  for round in $(seq 1 "$ROUNDS"); do
    log "$backend round $round/$ROUNDS"
    wrk_run insight "$backend" $CONNS "$insight" -H "Authorization: Bearer $token"
    wrk_run reclaim "$backend" $CONNS "$reclaim" -H "Authorization: Bearer $token"
    wrk_run costs "$backend" $CONNS "$costs" -H "Authorization: Bearer $token"
  done
  stop "$(eval echo "\$PID_$backend")"
}

log "embedded"
DATA_DIR=$WORK/embedded
load --data-dir "$DATA_DIR"
measure embedded --data-dir "$DATA_DIR"

if [ -n "$PG_URL" ]; then
  log "PostgreSQL"
  schema=tally_bench_derived
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" 2>/dev/null
  separator='?'
  [[ $PG_URL == *\?* ]] && separator='&'
  SCHEMA_URL="$PG_URL${separator}options=-csearch_path%3D$schema"
  DATA_DIR=$WORK/postgres
  load --database-url "$SCHEMA_URL"
  measure postgres --data-dir "$DATA_DIR" --database-url "$SCHEMA_URL"
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null
fi

log "writing bench/DERIVED.md"
python3 - "$RAW" "$ROUNDS" "$SECS" "$CONNS" "$USERS" >"$BENCH/DERIVED.md" <<'PY'
import statistics, subprocess, sys, datetime
from collections import defaultdict
raw, rounds, secs, conns, users = sys.argv[1:6]
values = defaultdict(list)
for line in open(raw):
    scenario, subject, metric, value = line.rstrip("\n").split("\t")
    try:
        values[(scenario, subject, metric)].append(float(value))
    except ValueError:
        pass
med = lambda *key: statistics.median(values[key]) if values.get(key) else float("nan")
every = lambda *key: " / ".join(f"{v:g}" for v in values.get(key, []))
def cell(scenario, backend, metric, fmt="{:.2f}"):
    v = med(scenario, backend, metric)
    return "—" if v != v else f"{fmt.format(v)} ({every(scenario, backend, metric)})"
ok = lambda good: "**reached**" if good else "**not reached**"
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
print("# The derived numbers' benchmark (issues 17 and 25)\n")
print(f"Commit {commit}, {datetime.date.today()}; one tenant of {users} licensed users, 20,000 "
      f"without licenses, 20 SKUs and {users} feature records; medians of {rounds} rounds "
      f"(reads: {secs} s each at {conns} connections, wrk), every round's figure in brackets. "
      "`bash bench/derived.sh` writes this file.\n")
print("| figure | embedded | PostgreSQL | target |")
print("|---|---|---|---|")
snap = med("snapshot", "embedded", "seconds")
print(f"| `tally snapshot`, durable, wall s | {cell('snapshot','embedded','seconds')} | {cell('snapshot','postgres','seconds')} | ≤ 2 s: {ok(snap <= 2)} |")
ins = med("insight", "embedded", "p99_ms")
print(f"| premium license insight, p99 ms | {cell('insight','embedded','p99_ms')} | {cell('insight','postgres','p99_ms')} | ≤ 50 ms: {ok(ins <= 50)} |")
print(f"| premium license insight, req/s | {cell('insight','embedded','rps','{:.0f}')} | {cell('insight','postgres','rps','{:.0f}')} | |")
rec = med("reclaim", "embedded", "p99_ms")
print(f"| reclaim list's first page (premiumP2, 100 rows), p99 ms | {cell('reclaim','embedded','p99_ms')} | {cell('reclaim','postgres','p99_ms')} | ≤ 20 ms: {ok(rec <= 20)} |")
print(f"| reclaim list's first page, req/s | {cell('reclaim','embedded','rps','{:.0f}')} | {cell('reclaim','postgres','rps','{:.0f}')} | |")
cost = med("costs", "embedded", "p99_ms")
cost_pg = med("costs", "postgres", "p99_ms")
print(f"| licenseCosts (20 SKUs, 2 currencies), p99 ms | {cell('costs','embedded','p99_ms')} | {cell('costs','postgres','p99_ms')} | ≤ 20 ms embedded: {ok(cost <= 20)}; ≤ 50 ms PostgreSQL: {ok(cost_pg <= 50)} |")
print(f"| licenseCosts, req/s | {cell('costs','embedded','rps','{:.0f}')} | {cell('costs','postgres','rps','{:.0f}')} | |")
bad = sum(med(s, b, "non2xx") for s in ("insight", "reclaim", "costs") for b in ("embedded", "postgres") if values.get((s, b, "non2xx")))
print(f"| non-2xx answers | {bad:g} | | 0 |")
PY
cat "$BENCH/DERIVED.md"
