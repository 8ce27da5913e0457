#!/usr/bin/env bash
# The sign-in endpoint's benchmark (issue 18): client-credentials token requests
# (POST /{tenant}/oauth2/v2.0/token with an app's secret, as azure-identity sends them) at 16
# connections, embedded and (when TALLY_BENCH_DATABASE_URL or TALLY_TEST_DATABASE_URL is set) on
# PostgreSQL. Each answer is a token signed with the local ES256 key after the app's row is read
# and its secret's digest compared. Writes bench/SIGNIN.md: medians of ROUNDS rounds.
#
#   bash bench/signin.sh        # ROUNDS=3 SECONDS_PER_RUN=5
set -euo pipefail

cd "$(dirname "$0")/.."
# shellcheck source=bench/common.sh
source bench/common.sh
BENCH=$PWD/bench
WORK=${BENCH_WORK:-$BENCH/work}/signin
ROUNDS=${ROUNDS:-3}
SECS=${SECONDS_PER_RUN:-5}
CONNS=16
RAW=$WORK/raw.tsv
PG_URL=${TALLY_BENCH_DATABASE_URL:-${TALLY_TEST_DATABASE_URL:-}}
prepare_bench
TALLY=$PWD/target/release/tally
TENANT=00000000-0000-4000-8000-00000051a1e0

# measure BACKEND STORE_ARGS...: registers an app, serves, and asks for tokens.
measure() {
  local backend=$1
  shift
  local credentials client_id secret
  credentials=$("$TALLY" app add --tenant "$TENANT" --role Reports.Read.All --name bench "$@")
  client_id=$(sed -n 's/^client_id=//p' <<<"$credentials")
  secret=$(sed -n 's/^client_secret=//p' <<<"$credentials")
  start "$backend" "$TALLY" serve --listen 127.0.0.1:0 "$@"
  local url
  url=$(eval echo "\$URL_$backend")
  cat >"$WORK/token-$backend.lua" <<LUA
local body = "grant_type=client_credentials&client_id=$client_id&client_secret=$secret&scope=https%3A%2F%2Fgraph.microsoft.com%2F.default&client_info=1"
request = function()
  return wrk.format("POST", "/$TENANT/oauth2/v2.0/token",
    {["Content-Type"] = "application/x-www-form-urlencoded;charset=utf-8"}, body)
end
LUA
  # One answer checked by hand: a token the API takes.
  local token
  token=$(curl -sf "$url/$TENANT/oauth2/v2.0/token" -d grant_type=client_credentials \
    -d "client_id=$client_id" --data-urlencode "client_secret=$secret" \
    --data-urlencode scope=https://graph.microsoft.com/.default |
    python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
  curl -sf -o /dev/null -H "Authorization: Bearer $token" "$url/v1.0/reports/azureADLicenseUsage"
  wrk -t2 -c$CONNS -d2s -s "$WORK/token-$backend.lua" "$url" >/dev/null
  for round in $(seq 1 "$ROUNDS"); do
    log "$backend round $round/$ROUNDS"
    wrk_run token "$backend" $CONNS "$url" -s "$WORK/token-$backend.lua"
  done
  stop "$(eval echo "\$PID_$backend")"
}

log "embedded"
measure embedded --data-dir "$WORK/embedded"

if [ -n "$PG_URL" ]; then
  log "PostgreSQL"
  schema=tally_bench_signin
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE; CREATE SCHEMA $schema" 2>/dev/null
  separator='?'; [[ $PG_URL == *\?* ]] && separator='&'
  measure postgres --data-dir "$WORK/postgres" \
    --database-url "$PG_URL${separator}options=-csearch_path%3D$schema"
  psql "$PG_URL" -qc "DROP SCHEMA IF EXISTS $schema CASCADE" 2>/dev/null
fi

log "writing bench/SIGNIN.md"
python3 - "$RAW" "$ROUNDS" "$SECS" "$CONNS" >"$BENCH/SIGNIN.md" <<'PY'
import statistics, subprocess, sys, datetime, os
from collections import defaultdict
raw, rounds, secs, conns = sys.argv[1:5]
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
def cell(backend, metric, fmt="{:.2f}"):
    v = med("token", backend, metric)
    return "—" if v != v else f"{fmt.format(v)} ({every('token', backend, metric)})"
print("# The sign-in endpoint's benchmark (issue 18)\n")
print(f"Commit {commit}, {datetime.date.today()}, {os.cpu_count()} cores shared by tally and wrk; "
      f"client-credentials token requests with an app's secret (`POST /{{tenant}}/oauth2/v2.0/token`); "
      f"medians of {rounds} rounds of {secs} s at {conns} connections (wrk); every round's figure in brackets.\n")
print("| figure | embedded | PostgreSQL | target |")
print("|---|---|---|---|")
e = med("token", "embedded", "rps")
print(f"| tokens/s | {cell('embedded','rps','{:.0f}')} | {cell('postgres','rps','{:.0f}')} | ≥ 5,000 at 16 connections: {ok(e >= 5000)} (embedded) |")
print(f"| p50 ms | {cell('embedded','p50_ms')} | {cell('postgres','p50_ms')} | |")
print(f"| p99 ms | {cell('embedded','p99_ms')} | {cell('postgres','p99_ms')} | |")
print(f"| non-2xx answers | {cell('embedded','non2xx','{:.0f}')} | {cell('postgres','non2xx','{:.0f}')} | 0 |")
print("\nThe machine may be shared: a round's figure moves with others' load; compare medians of one run.")
PY
cat "$BENCH/SIGNIN.md"
