#!/usr/bin/env bash
# tally's benchmark (issue 5): builds release, seeds data directories through the store, and
# drives load with wrk beside the references in the same run: the ceiling (the smallest axum
# program answering the same GET with the same bytes), json-server (npm), and tally's own
# --in-memory store for durable writes. Writes bench/RESULTS.md: medians of ROUNDS rounds,
# every figure as a ratio to its reference.
#
#   bash bench/run.sh                  # ROUNDS=3 SECONDS_PER_RUN=5 by default
#
# Needs: a Rust toolchain, Node.js/npm, wrk (installed with apt-get when missing), perf
# (optional: counts fsync/fdatasync per acknowledged write; else strace).
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
ROOT=$PWD
BENCH=$ROOT/bench
WORK=${BENCH_WORK:-$BENCH/work}
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-5}
CONNS=64
RAW=$WORK/raw.tsv
rm -rf "$WORK"
mkdir -p "$WORK"
: >"$RAW"


# ---- tools ----------------------------------------------------------------------------------
if ! command -v wrk >/dev/null; then
  log "installing wrk"
  apt-get update -qq && apt-get install -y -qq wrk >/dev/null
fi
if [ ! -x "$BENCH/node_modules/.bin/json-server" ]; then
  log "installing json-server (bench/package-lock.json)"
  npm ci --prefix "$BENCH" --no-audit --no-fund >/dev/null
fi
log "building release"
cargo build --release -q -p tally -p tally-bench
BIN=$ROOT/target/release
TALLY=$BIN/tally

PIDS=()
trap cleanup EXIT
# ---- data -----------------------------------------------------------------------------------
# Main: 556 tenants x 180 daily snapshots = 100,080 snapshots (cold start, GET, PATCH, D180).
log "seeding 100k snapshots (556 tenants x 180 days)"
MAIN=$WORK/main
SEED=$("$BIN/seed" store --data-dir "$MAIN" --tenants 556 --per-tenant 180)
TENANT=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tenant"])' "$SEED")
ID=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$SEED")
TOKEN=$("$TALLY" token --tenant "$TENANT" --app --ttl 1d --data-dir "$MAIN")
AUTH="Authorization: Bearer $TOKEN"
ENTITY=/v1.0/reports/azureADLicenseUsage/$ID
D180="/v1.0/reports/getAzureADLicenseUsage(period=%27D180%27)?%24filter=licenseInfoDetails/any(d:d/licenseType%20eq%20%27premiumP2%27)"
D30="/v1.0/reports/getAzureADLicenseUsage(period=%27D30%27)"

# ---- 3. cold start and idle RSS (before anything warms the page cache of this process) -------
log "cold start on 100k snapshots"
"$BIN/coldstart" --tally "$TALLY" --data-dir "$MAIN" --path "$ENTITY" --token "$TOKEN" \
  --rounds $((ROUNDS < 5 ? 5 : ROUNDS)) | while read -r line; do
  record coldstart tally first_200_ms "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["first_200_ms"])' "$line")"
  record coldstart tally idle_rss_mib "$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["idle_rss_mib"])' "$line")"
done

# ---- servers --------------------------------------------------------------------------------
start durable "$TALLY" serve --listen 127.0.0.1:0 --data-dir "$MAIN"
curl -sf -H "$AUTH" "$URL_durable$ENTITY" -o "$WORK/entity.json"
start ceiling "$BIN/ceiling" 127.0.0.1:0 "$WORK/entity.json"
# The D180 page's bytes from the ceiling too: the tail latency any server has at that size here.
curl -sf -H "$AUTH" "$URL_durable$D180" -o "$WORK/d180.json"
start ceiling_d180 "$BIN/ceiling" 127.0.0.1:0 "$WORK/d180.json"
# json-server serves the same object, as its own collection.
python3 - "$WORK/entity.json" "$WORK/db.json" <<'EOF'
import json, sys
entity = json.load(open(sys.argv[1]))
json.dump({"azureADLicenseUsage": [entity]}, open(sys.argv[2], "w"))
EOF
JS_PORT=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
"$BENCH/node_modules/.bin/json-server" --port "$JS_PORT" --host 127.0.0.1 --quiet "$WORK/db.json" \
  >"$WORK/json-server.out" 2>&1 &
PIDS+=("$!")
PID_jsonserver=$!
for _ in $(seq 1 200); do curl -sf "http://127.0.0.1:$JS_PORT/azureADLicenseUsage/$ID" >/dev/null && break; sleep 0.1; done
URL_jsonserver=http://127.0.0.1:$JS_PORT
MEM_DIR=$WORK/memory
start memory "$TALLY" serve --listen 127.0.0.1:0 --data-dir "$MEM_DIR" --in-memory
MEM_TOKEN=$("$TALLY" token --tenant "$TENANT" --app --ttl 1d --data-dir "$MEM_DIR")
# The same object through the API: a POST body has neither annotations nor an id.
python3 - "$WORK/entity.json" "$WORK/create.json" <<'EOF'
import json, sys
e = json.load(open(sys.argv[1]))
body = {"snapshotDateTime": e["snapshotDateTime"],
      "licenseInfoDetails": [{k: v for k, v in d.items() if not k.startswith("@")} for d in e["licenseInfoDetails"]]}
json.dump(body, open(sys.argv[2], "w"))
EOF
MEM_ID=$(curl -sf -H "Authorization: Bearer $MEM_TOKEN" -H 'Content-Type: application/json' \
  --data-binary @"$WORK/create.json" -X POST "$URL_memory/v1.0/reports/azureADLicenseUsage" |
  python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')

# PATCH with a body that changes on every request (a PATCH that changes nothing writes nothing).
cat >"$WORK/patch.lua" <<'EOF'
local counter = 0
local threads = {}
function setup(thread)
  thread:set("offset", #threads * 100000000)
  table.insert(threads, thread)
end
function init(args)
  counter = offset
end
request = function()
  counter = counter + 1
  local body = '{"licenseInfoDetails":[{"licenseType":"premiumP2","totalLicenseCount":1,"totalAssignedCount":2,"totalUsageCount":' .. (counter % 2000000000) .. '}]}'
  return wrk.format("PATCH", nil, {["Content-Type"] = "application/json", ["Authorization"] = auth}, body)
end
EOF
patch_script() { # TOKEN → a lua file with the token filled in
  local file=$WORK/patch-$1.lua
  { printf 'auth = "Bearer %s"\n' "$2"; cat "$WORK/patch.lua"; } >"$file"
  echo "$file"
}
PATCH_DURABLE=$(patch_script durable "$TOKEN")
PATCH_MEMORY=$(patch_script memory "$MEM_TOKEN")
cat >"$WORK/patch-json.lua" <<'EOF'
local counter = 0
request = function()
  counter = counter + 1
  local body = '{"licenseInfoDetails":[{"licenseType":"premiumP2","totalLicenseCount":1,"totalAssignedCount":2,"totalUsageCount":' .. counter .. '}]}'
  return wrk.format("PATCH", nil, {["Content-Type"] = "application/json"}, body)
end
EOF

# Warm-up: JIT, page cache, connections.
wrk -t2 -c$CONNS -d2s -H "$AUTH" "$URL_durable$ENTITY" >/dev/null
wrk -t2 -c$CONNS -d2s "$URL_ceiling$ENTITY" >/dev/null
wrk -t2 -c$CONNS -d2s "$URL_jsonserver/azureADLicenseUsage/$ID" >/dev/null

for round in $(seq 1 "$ROUNDS"); do
  log "round $round/$ROUNDS"
  # 1. GET one object, 64 connections: tally, the ceiling, json-server.
  wrk_run get tally $CONNS "$URL_durable$ENTITY" -H "$AUTH"
  wrk_run get ceiling $CONNS "$URL_ceiling$ENTITY"
  wrk_run get json-server $CONNS "$URL_jsonserver/azureADLicenseUsage/$ID"
  # 2. PATCH, 64 connections: durable, --in-memory, json-server.
  wrk_run patch tally $CONNS "$URL_durable$ENTITY" -s "$PATCH_DURABLE"
  wrk_run patch in-memory $CONNS "$URL_memory/v1.0/reports/azureADLicenseUsage/$MEM_ID" -s "$PATCH_MEMORY"
  wrk_run patch json-server $CONNS "$URL_jsonserver/azureADLicenseUsage/$ID" -s "$WORK/patch-json.lua"
  # 6. The report over 180 days with a licenseType filter, 64 connections.
  wrk_run d180 tally $CONNS "$URL_durable$D180" -H "$AUTH"
  wrk_run d180 ceiling $CONNS "$URL_ceiling_d180$D180"
done

# 2b. Sync calls per acknowledged durable write, counted by the kernel's syscall tracepoints.
log "counting fsync/fdatasync per acknowledged PATCH"
for round in $(seq 1 "$ROUNDS"); do
  if perf stat -e 'syscalls:sys_enter_fsync' -- true >/dev/null 2>&1; then
    perf stat -x, -e 'syscalls:sys_enter_fsync,syscalls:sys_enter_fdatasync,syscalls:sys_enter_sync_file_range' \
      -p "$PID_durable" -o "$WORK/perf.txt" -- sleep $((SECS + 1)) &
    counter=$!
    sleep 0.5
    wrk -t2 -c$CONNS -d"${SECS}s" -s "$PATCH_DURABLE" "$URL_durable$ENTITY" >"$WORK/sync-wrk.txt"
    wait $counter
    syncs=$(awk -F, '/sys_enter/ {s+=$1} END {print s+0}' "$WORK/perf.txt")
  else
    strace -f -c -e trace=fsync,fdatasync,sync_file_range -o "$WORK/strace.txt" -p "$PID_durable" &
    counter=$!
    sleep 0.5
    wrk -t2 -c$CONNS -d"${SECS}s" -s "$PATCH_DURABLE" "$URL_durable$ENTITY" >"$WORK/sync-wrk.txt"
    kill -INT $counter
    wait $counter || true
    syncs=$(awk '$NF ~ /^(fsync|fdatasync|sync_file_range)$/ {s+=$4} END {print s+0}' "$WORK/strace.txt")
  fi
  writes=$(awk '/requests in/ {print $1}' "$WORK/sync-wrk.txt")
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' "$WORK/sync-wrk.txt")
  acked=$((writes - ${bad:-0}))
  record sync tally syncs "$syncs"
  record sync tally acked "$acked"
  record sync tally syncs_per_write "$(python3 -c "print($syncs / max($acked, 1))")"
  printf '   sync: %s sync calls for %s acknowledged writes\n' "$syncs" "$acked" >&2
done
stop "$PID_memory"
stop "$PID_jsonserver"
stop "$PID_ceiling"
stop "$PID_ceiling_d180"
stop "$PID_durable"

# ---- 5. growth: GET by id and D30 on 10k vs 1M snapshots (100 per tenant in both) ------------
for size in small large; do
  if [ $size = small ]; then tenants=100; else tenants=10000; fi
  log "seeding $size: $tenants tenants x 100 snapshots"
  dir=$WORK/growth-$size
  seed=$("$BIN/seed" store --data-dir "$dir" --tenants $tenants --per-tenant 100)
  g_tenant=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["tenant"])' "$seed")
  g_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$seed")
  g_token=$("$TALLY" token --tenant "$g_tenant" --app --ttl 1d --data-dir "$dir")
  start "growth_$size" "$TALLY" serve --listen 127.0.0.1:0 --data-dir "$dir"
  printf -v "GROWTH_URL_$size" '%s' "$(eval echo "\$URL_growth_$size")"
  printf -v "GROWTH_TOKEN_$size" '%s' "$g_token"
  printf -v "GROWTH_ID_$size" '%s' "$g_id"
done
for size in small large; do
  url=$(eval echo "\$GROWTH_URL_$size")
  wrk -t1 -c4 -d2s -H "Authorization: Bearer $(eval echo "\$GROWTH_TOKEN_$size")" "$url$D30" >/dev/null
done
for round in $(seq 1 "$ROUNDS"); do
  log "growth round $round/$ROUNDS"
  for size in small large; do
    url=$(eval echo "\$GROWTH_URL_$size")
    auth="Authorization: Bearer $(eval echo "\$GROWTH_TOKEN_$size")"
    wrk_run growth_get "$size" 4 "$url/v1.0/reports/azureADLicenseUsage/$(eval echo "\$GROWTH_ID_$size")" -H "$auth"
    wrk_run growth_d30 "$size" 4 "$url$D30" -H "$auth"
  done
done
stop "$PID_growth_small"
stop "$PID_growth_large"

# ---- 4. tally import of 1M snapshots (JSON lines), durable at the end ------------------------
log "tally import: 1M snapshots"
"$BIN/seed" jsonl --count 1000000 >"$WORK/import.jsonl"
IMPORT_TENANT=00000000-0000-4000-8000-00000000ffff
for round in $(seq 1 "$ROUNDS"); do
  dir=$WORK/import-$round
  started=$(date +%s.%N)
  "$TALLY" import "$WORK/import.jsonl" --tenant "$IMPORT_TENANT" --data-dir "$dir" 2>"$WORK/import-$round.err"
  ended=$(date +%s.%N)
  seconds=$(python3 -c "print($ended - $started)")
  record import tally seconds "$seconds"
  record import tally snapshots_per_s "$(python3 -c "print(1000000 / $seconds)")"
  printf '   import: 1M snapshots in %.2f s\n' "$seconds" >&2
  rm -rf "$dir"
done
rm -f "$WORK/import.jsonl"

# ---- RESULTS.md -------------------------------------------------------------------------------
log "writing bench/RESULTS.md"
python3 "$BENCH/results.py" "$RAW" "$ROUNDS" "$SECS" "$CONNS" >"$BENCH/RESULTS.md"
cat "$BENCH/RESULTS.md"

# ---- the directory (issue 16): bench/DIRECTORY.md ---------------------------------------------
stop_all() { cleanup; PIDS=(); }
stop_all
SKIP_BUILD=1 bash "$BENCH/directory.sh"

# ---- the derived numbers (issue 17): bench/DERIVED.md ------------------------------------------
SKIP_BUILD=1 bash "$BENCH/derived.sh"

# ---- signing in (issue 18): bench/SIGNIN.md ---------------------------------------------------
SKIP_BUILD=1 bash "$BENCH/signin.sh"
