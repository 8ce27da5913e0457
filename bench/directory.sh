#!/usr/bin/env bash
# The directory's benchmark (issue 16), on a tenant of 100,000 users and 20 SKUs, embedded and
# (when TALLY_BENCH_DATABASE_URL or TALLY_TEST_DATABASE_URL is set) on PostgreSQL:
#   - tally import of the users with their licenses (users/s);
#   - GET /users?$filter=assignedLicenses/any(x:x/skuId eq …)&$top=100 at 64 connections (p99);
#   - durable assignLicense at 64 connections over 10 SKUs, beside a durable PATCH of a snapshot
#     on the same server in the same round (their ratio), and afterwards the invariant: each
#     SKU's consumedUnits equals its holders' $count.
# Writes bench/DIRECTORY.md: medians of ROUNDS rounds. bench/run.sh runs it at its end.
#
#   bash bench/directory.sh        # ROUNDS=3 SECONDS_PER_RUN=5 DIRECTORY_USERS=100000
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
BENCH=$PWD/bench
WORK=${BENCH_WORK:-$BENCH/work}/directory
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-5}
CONNS=64
USERS=${DIRECTORY_USERS:-100000}
SKUS=20
SPARE=20000
RAW=$WORK/raw.tsv
PG_URL=${TALLY_BENCH_DATABASE_URL:-${TALLY_TEST_DATABASE_URL:-}}
prepare_bench
TALLY=$PWD/target/release/tally
SEED=$PWD/target/release/seed
TENANT=00000000-0000-4000-8000-0000000d1e00

log "writing a directory: $USERS users, $SKUS SKUs, $SPARE users without licenses"
SKU_IDS=$("$SEED" directory --out "$WORK/data" --users "$USERS" --skus "$SKUS" --spare "$SPARE")
sku() { python3 -c 'import json,sys; print(json.loads(sys.argv[1])[int(sys.argv[2])])' "$SKU_IDS" "$1"; }

# import BACKEND ARGS...: loads SKUs, times the users' import, then loads the spare users.
import_round() {
  local backend=$1
  shift
  "$TALLY" import "$WORK/data/skus.jsonl" --resource subscribedSkus --tenant "$TENANT" "$@" 2>>"$WORK/import.err"
  local started ended seconds
  started=$(date +%s.%N)
  "$TALLY" import "$WORK/data/users.jsonl" --resource users --tenant "$TENANT" "$@" 2>>"$WORK/import.err"
  ended=$(date +%s.%N)
  seconds=$(python3 -c "print($ended - $started)")
  record import "$backend" users_per_s "$(python3 -c "print($USERS / $seconds)")"
  printf '   import (%s): %s users in %.2f s\n' "$backend" "$USERS" "$seconds" >&2
  "$TALLY" import "$WORK/data/spare.jsonl" --resource users --tenant "$TENANT" "$@" 2>>"$WORK/import.err"
}

# The wrk scripts: assignLicense cycling over the spare users and 10 SKUs; PATCH of a snapshot.
write_scripts() { # TOKEN SNAPSHOT_ID
  {
    printf 'auth = "Bearer %s"\nusers = {' "$1"
    sed 's/.*/"&",/' "$WORK/data/spare-ids.txt" | tr -d '\n'
    printf '}\nskus = {'
    for k in $(seq 0 9); do printf '"%s",' "$(sku "$k")"; done
    printf '}\n'
    cat <<'LUA'
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 7919)
  table.insert(threads, thread)
end
function init(args) counter = offset end
request = function()
  counter = counter + 1
  local user = users[(counter % #users) + 1]
  local sku = skus[(math.floor(counter / #users) + counter) % #skus + 1]
  local body = '{"addLicenses":[{"skuId":"' .. sku .. '","disabledPlans":[]}],"removeLicenses":[]}'
  return wrk.format("POST", "/v1.0/users/" .. user .. "/assignLicense",
    {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end
LUA
  } >"$WORK/assign.lua"
  {
    printf 'auth = "Bearer %s"\npath = "/v1.0/reports/azureADLicenseUsage/%s"\n' "$1" "$2"
    cat <<'LUA'
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"licenseInfoDetails":[{"licenseType":"premiumP2","totalLicenseCount":1,"totalAssignedCount":2,"totalUsageCount":' .. counter .. '}]}'
  return wrk.format("PATCH", path, {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end
LUA
  } >"$WORK/patch.lua"
}

# measure BACKEND SERVE_ARGS...: serves the imported directory and runs the load, then checks
# the invariant.
measure() {
  local backend=$1
  shift
  start "$backend" "$TALLY" serve --listen 127.0.0.1:0 "$@"
  local url token snapshot
  url=$(eval echo "\$URL_$backend")
  token=$("$TALLY" token --tenant "$TENANT" --app --ttl 1d --role Directory.ReadWrite.All \
    --role Reports.ReadWrite.All --data-dir "$DATA_DIR")
  snapshot=$(curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' \
    -d '{"snapshotDateTime":"2026-12-01T00:00:00Z","licenseInfoDetails":[{"licenseType":"premiumP2","totalLicenseCount":1,"totalAssignedCount":1,"totalUsageCount":0}]}' \
    "$url/v1.0/reports/azureADLicenseUsage" | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
  write_scripts "$token" "$snapshot"
  local filter="$url/v1.0/users?%24filter=assignedLicenses/any(x:x/skuId%20eq%20$(sku 3))&%24top=100"
  wrk -t2 -c$CONNS -d2s -H "Authorization: Bearer $token" "$filter" >/dev/null
  # The ceiling answers the same page's bytes: the tail any server has at that size here.
  curl -sf -H "Authorization: Bearer $token" "$filter" -o "$WORK/users-page-$backend.json"
  start "ceiling_$backend" "$PWD/target/release/ceiling" 127.0.0.1:0 "$WORK/users-page-$backend.json"
  local ceiling
  ceiling=$(eval echo "\$URL_ceiling_$backend")
  for round in $(seq 1 "$ROUNDS"); do
    log "$backend round $round/$ROUNDS"
    wrk_run users_filter "$backend" $CONNS "$filter" -H "Authorization: Bearer $token"
    wrk_run users_filter "ceiling_$backend" $CONNS "$ceiling/"
    wrk_run assign_license "$backend" $CONNS "$url" -s "$WORK/assign.lua"
    wrk_run patch_snapshot "$backend" $CONNS "$url" -s "$WORK/patch.lua"
  done
  local broken=0
  for k in $(seq 0 $((SKUS - 1))); do
    local id consumed holders
    id=$(sku "$k")
    consumed=$(curl -sf -H "Authorization: Bearer $token" "$url/v1.0/subscribedSkus/${TENANT}_$id" |
      python3 -c 'import json,sys; print(json.load(sys.stdin)["consumedUnits"])')
    holders=$(curl -sf -H "Authorization: Bearer $token" \
      "$url/v1.0/users/%24count?%24filter=assignedLicenses/any(x:x/skuId%20eq%20$id)")
    [ "$consumed" = "$holders" ] || { broken=$((broken + 1)); echo "   SKU $k: consumedUnits $consumed, holders $holders" >&2; }
  done
  record invariant "$backend" skus_broken "$broken"
  printf '   invariant (%s): %s of %s SKUs with consumedUnits != holders\n' "$backend" "$broken" "$SKUS" >&2
  stop "$(eval echo "\$PID_$backend")"
  stop "$(eval echo "\$PID_ceiling_$backend")"
}

log "embedded"
for round in $(seq 1 "$ROUNDS"); do
  DATA_DIR=$WORK/embedded-$round
  import_round embedded --data-dir "$DATA_DIR"
done
measure embedded --data-dir "$DATA_DIR"

if [ -n "$PG_URL" ]; then
  log "PostgreSQL"
  for round in $(seq 1 "$ROUNDS"); do
    schema=tally_bench_directory_$round
    psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" 2>/dev/null
    separator='?'; [[ $PG_URL == *\?* ]] && separator='&'
    SCHEMA_URL="$PG_URL${separator}options=-csearch_path%3D$schema"
    DATA_DIR=$WORK/postgres
    import_round postgres --database-url "$SCHEMA_URL"
  done
  measure postgres --data-dir "$DATA_DIR" --database-url "$SCHEMA_URL"
  for round in $(seq 1 "$ROUNDS"); do
    psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS tally_bench_directory_$round CASCADE" 2>/dev/null
  done
fi

log "writing bench/DIRECTORY.md"
python3 - "$RAW" "$ROUNDS" "$SECS" "$CONNS" "$USERS" >"$BENCH/DIRECTORY.md" <<'PY'
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
every = lambda *key: ", ".join(f"{v:g}" for v in values.get(key, []))
commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
ok = lambda good: "**reached**" if good else "**not reached**"
print(f"# The directory's benchmark (issue 16)\n")
print(f"Commit {commit}, {datetime.date.today()}; {users} users and 20 SKUs in one tenant; "
      f"medians of {rounds} rounds of {secs} s at {conns} connections (wrk); every round's figure in brackets.\n")
print("| figure | embedded | PostgreSQL | target |")
print("|---|---|---|---|")
for backend in ("embedded", "postgres"):
    pass
def cell(scenario, backend, metric, fmt="{:.2f}"):
    v = med(scenario, backend, metric)
    return "—" if v != v else f"{fmt.format(v)} ({every(scenario, backend, metric)})"
rows = []
e_imp = med("import", "embedded", "users_per_s")
print(f"| tally import, users/s | {cell('import','embedded','users_per_s','{:.0f}')} | {cell('import','postgres','users_per_s','{:.0f}')} | ≥ 50,000 embedded: {ok(e_imp >= 50000)} |")
e_p99 = med("users_filter", "embedded", "p99_ms")
print(f"| GET users with the license filter, p99 ms | {cell('users_filter','embedded','p99_ms')} | {cell('users_filter','postgres','p99_ms')} | ≤ 10 ms embedded: {ok(e_p99 <= 10)} |")
print(f"| the ceiling serving that page's bytes, p99 ms | {cell('users_filter','ceiling_embedded','p99_ms')} | {cell('users_filter','ceiling_postgres','p99_ms')} | reference |")
print(f"| the ceiling, req/s | {cell('users_filter','ceiling_embedded','rps','{:.0f}')} | {cell('users_filter','ceiling_postgres','rps','{:.0f}')} | reference |")
print(f"| GET users with the license filter, req/s | {cell('users_filter','embedded','rps','{:.0f}')} | {cell('users_filter','postgres','rps','{:.0f}')} | |")
print(f"| durable assignLicense, req/s | {cell('assign_license','embedded','rps','{:.0f}')} | {cell('assign_license','postgres','rps','{:.0f}')} | |")
print(f"| durable PATCH of a snapshot, req/s (same server, same rounds) | {cell('patch_snapshot','embedded','rps','{:.0f}')} | {cell('patch_snapshot','postgres','rps','{:.0f}')} | |")
ratios = {}
for backend in ("embedded", "postgres"):
    a = values.get(("assign_license", backend, "rps"), [])
    p = values.get(("patch_snapshot", backend, "rps"), [])
    ratios[backend] = [x / y for x, y in zip(a, p) if y]
def ratio_cell(backend):
    r = ratios[backend]
    return "—" if not r else f"{statistics.median(r):.2f} ({', '.join(f'{x:.2f}' for x in r)})"
e_ratio = statistics.median(ratios["embedded"]) if ratios["embedded"] else 0
print(f"| assignLicense ÷ PATCH, per round | {ratio_cell('embedded')} | {ratio_cell('postgres')} | ≥ 0.5 embedded: {ok(e_ratio >= 0.5)} |")
print(f"| assignLicense p99 ms | {cell('assign_license','embedded','p99_ms')} | {cell('assign_license','postgres','p99_ms')} | |")
print(f"| non-2xx answers to assignLicense | {cell('assign_license','embedded','non2xx','{:.0f}')} | {cell('assign_license','postgres','non2xx','{:.0f}')} | 0 |")
print(f"| SKUs whose consumedUnits ≠ holders after the run | {cell('invariant','embedded','skus_broken','{:.0f}')} | {cell('invariant','postgres','skus_broken','{:.0f}')} | 0 |")
PY
cat "$BENCH/DIRECTORY.md"
