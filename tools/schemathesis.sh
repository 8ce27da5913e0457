#!/usr/bin/env bash
# Fuzzes a running tally against its own /openapi.json with schemathesis (from PyPI): every
# documented operation under /v1.0 and /beta, with generated valid and invalid inputs, checking
# that nothing answers 5xx and that every response matches the document's schemas.
#
#   bash tools/schemathesis.sh [extra schemathesis options, e.g. --max-examples 50]
#
# Not part of CI (it needs PyPI and takes minutes). Builds tally (release), starts it on a free
# port with a temporary data directory, mints an application token with Reports.ReadWrite.All,
# Directory.ReadWrite.All and AuditLog.Read.All, seeds SKUs with subscriptions, runs
# `schemathesis run`, stops tally. SCHEMATHESIS_CHECKS changes the checks; TALLY_BIN runs a
# given binary instead of building one.
set -euo pipefail
cd "$(dirname "$0")/.."

venv="${SCHEMATHESIS_VENV:-target/schemathesis-venv}"
if [ ! -x "$venv/bin/schemathesis" ]; then
  python3 -m venv "$venv"
  "$venv/bin/pip" install --quiet --upgrade pip
  "$venv/bin/pip" install --quiet schemathesis
fi
"$venv/bin/schemathesis" --version

tally="${TALLY_BIN:-target/release/tally}"
[ -n "${TALLY_BIN:-}" ] || cargo build --release -q -p tally
data="$(mktemp -d)"
log="$data/tally.log"
"$tally" serve --listen 127.0.0.1:0 --data-dir "$data" >"$data/stdout" 2>"$log" &
pid=$!
trap 'kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; rm -rf "$data"' EXIT
for _ in $(seq 1 100); do
  grep -q '^listening on ' "$data/stdout" 2>/dev/null && break
  sleep 0.1
done
base="$(sed -n 's/^listening on //p' "$data/stdout")"
[ -n "$base" ] || { echo "tally did not start:"; cat "$log"; exit 1; }

# Every permission some route checks, so the directory's operations run rather than answer 403.
token="$("$tally" token --app --tenant 11111111-2222-3333-4444-555555555555 --ttl 2h --data-dir "$data" \
  --role Reports.ReadWrite.All --role Directory.ReadWrite.All --role AuditLog.Read.All)"
# Data to find: SKUs with subscriptions in every status (a subscription needs a SKU of the tenant,
# which generated bodies seldom name), and a SKU without any.
seed() {
  curl -sf -H "Authorization: Bearer $token" -H 'Content-Type: application/json' "$base$1" -d "$2" >/dev/null \
    || { echo "seeding $1 failed"; exit 1; }
}
for sku in 6fd2c87f-b296-42f0-b197-1e91e994b900 06ebc4ee-1bb5-47dd-8120-11324bc54e06; do
  seed /v1.0/subscribedSkus "{\"skuId\":\"$sku\",\"skuPartNumber\":\"SKU_${sku:0:4}\",\"prepaidUnits\":{\"enabled\":0},\"servicePlans\":[{\"servicePlanId\":\"efb87545-963c-4e0d-99df-69c6916d9eb0\",\"servicePlanName\":\"EXCHANGE_S_ENTERPRISE\"}]}"
  seed /v1.0/directory/subscriptions "{\"skuId\":\"$sku\",\"status\":\"Enabled\",\"totalLicenses\":10,\"isTrial\":true,\"nextLifecycleDateTime\":\"2027-03-01T12:30:00Z\"}"
  for status in Warning Suspended LockedOut Expired; do
    seed /v1.0/directory/subscriptions "{\"skuId\":\"$sku\",\"status\":\"$status\",\"totalLicenses\":1,\"ownerType\":\"User\"}"
  done
done
seed /v1.0/subscribedSkus '{"skuId":"c7df2760-2c81-4ef7-b578-5b5392b571df","skuPartNumber":"NO_SUBSCRIPTIONS","prepaidUnits":{"enabled":5}}'
checks="${SCHEMATHESIS_CHECKS:-not_a_server_error,response_schema_conformance}"
echo "schemathesis against $base/openapi.json, checks: $checks"
report_dir="${SCHEMATHESIS_REPORT_DIR:-$PWD/target/schemathesis-report}"
venv="$(cd "$venv" && pwd)"
status=0
# From the temporary directory, so schemathesis's own cache stays out of the work tree.
(cd "$data" && "$venv/bin/schemathesis" run "$base/openapi.json" \
  --header "Authorization: Bearer $token" \
  --checks "$checks" \
  --seed "${SCHEMATHESIS_SEED:-1}" \
  --report-dir "$report_dir" --report junit \
  "$@") || status=$?
if grep -q '"level":"ERROR"\|ERROR' "$log"; then
  echo "tally logged errors:"; grep 'ERROR' "$log" | head -20
fi
exit "$status"
