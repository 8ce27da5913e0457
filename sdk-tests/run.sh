#!/usr/bin/env bash
# The real Microsoft Graph SDK clients, unmodified, against tally over https (SPEC §9): the
# JavaScript client (sdk-tests/js, npm) and Python's msgraph-core and msgraph-sdk with kiota
# (sdk-tests/python, PyPI). Builds tally, starts it with --tls-self-signed (and a second process
# with --rate-limit 1 on the same data directory, for the retry check), mints a token per suite
# (each in a fresh tenant) and runs the suites, trusting the self-signed certificate: the report
# suites of both clients, the directory suites (SPEC §12.2, with the subscriptions of §13.2) of
# the JavaScript client and of the full generated msgraph-sdk, and the premium license insight (SPEC §12.3) read by the full
# generated msgraph-beta-sdk. The sign-in suites (SPEC §12.4) get no token: they register apps
# with `tally app add` and sign in with the unmodified Azure Identity (azure-identity in Python,
# @azure/identity in JavaScript) against tally's token endpoint, then drive msgraph-sdk and the
# JavaScript client with that credential. Exits non-zero if any suite fails.
#
# TALLY_BIN=path/to/tally runs that binary instead of building one; `--install-only` installs
# the suites' npm and PyPI packages and stops (.ci/run does it while Rust compiles).
set -euo pipefail
# (resolved before the cd below, so a relative TALLY_BIN is taken from the caller's directory)
tally_bin=${TALLY_BIN:+$(realpath "$TALLY_BIN")}
cd "$(dirname "$0")/.."

venv=sdk-tests/python/.venv
install_packages() {
  # npm records what it installed in node_modules/.package-lock.json: newer than the lock file
  # means there is nothing to do.
  if [ ! sdk-tests/js/node_modules/.package-lock.json -nt sdk-tests/js/package-lock.json ]; then
    npm ci --prefix sdk-tests/js --no-audit --no-fund --loglevel=error
  fi
  [ -x "$venv/bin/python" ] || python3 -m venv "$venv"
  # --no-compile: the two generated SDKs (msgraph-sdk, msgraph-beta-sdk) are some 45,000
  # modules of which a suite imports about 2,500; byte-compiling them all at install time made
  # a fresh install four times slower (343 s against 86 s on the 2-core machine during a cargo
  # build), compiling on import costs a suite a few seconds.
  "$venv/bin/pip" install --quiet --disable-pip-version-check --no-compile \
    -r sdk-tests/python/requirements.txt
}
if [ "${1:-}" = --install-only ]; then
  install_packages
  exit 0
fi
install_packages

if [ -n "$tally_bin" ]; then
  tally=$tally_bin
else
  cargo build -p tally --locked
  tally=target/debug/tally
fi
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  for pid in "${pids[@]}"; do wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT

# start NAME FLAGS...: starts `tally serve` and sets $address to its https address (its first
# stdout line). Not in a $(…) subshell, so that the cleanup knows its pid.
start() {
  local name=$1
  shift
  "$tally" serve --listen 127.0.0.1:0 --data-dir "$work/data" --tls-self-signed "$@" \
    >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
  for _ in $(seq 1 300); do
    if [ -s "$work/$name.out" ]; then
      address=$(head -n 1 "$work/$name.out" | sed 's/^listening on //')
      return
    fi
    sleep 0.1
  done
  echo "sdk-tests: tally ($name) did not start:" >&2
  cat "$work/$name.log" >&2
  exit 1
}

export TALLY_URL TALLY_THROTTLED_URL
start main
TALLY_URL=$address
start throttled --in-memory --rate-limit 1
TALLY_THROTTLED_URL=$address
cert="$work/data/tls/cert.pem"
echo "sdk-tests: tally at $TALLY_URL (throttled: $TALLY_THROTTLED_URL), certificate $cert"

# token [--role R]...: an application token in a fresh tenant (default role Reports.ReadWrite.All).
token() { "$tally" token --tenant "$(cat /proc/sys/kernel/random/uuid)" --app "$@" --data-dir "$work/data"; }
directory_token() { token --role Directory.ReadWrite.All --role AuditLog.Read.All; }
# The insight suite writes SKUs, users and feature-usage records, then reads the insight.
insight_token() { token --role Directory.ReadWrite.All --role Reports.ReadWrite.All; }

# signin_apps: in a fresh tenant, registers an app with the directory and report roles and one
# with Reports.Read.All only (for a 403), and exports what the sign-in suites read: the tenant,
# the two apps' client ids and secrets (the authority host is TALLY_URL).
export TALLY_TENANT TALLY_CLIENT_ID TALLY_CLIENT_SECRET TALLY_LIMITED_CLIENT_ID TALLY_LIMITED_CLIENT_SECRET
signin_apps() {
  local out
  TALLY_TENANT=$(cat /proc/sys/kernel/random/uuid)
  out=$("$tally" app add --tenant "$TALLY_TENANT" --role Directory.ReadWrite.All \
    --role Reports.ReadWrite.All --name sdk-tests --data-dir "$work/data")
  TALLY_CLIENT_ID=$(sed -n 's/^client_id=//p' <<<"$out")
  TALLY_CLIENT_SECRET=$(sed -n 's/^client_secret=//p' <<<"$out")
  out=$("$tally" app add --tenant "$TALLY_TENANT" --role Reports.Read.All --name sdk-tests-limited \
    --data-dir "$work/data")
  TALLY_LIMITED_CLIENT_ID=$(sed -n 's/^client_id=//p' <<<"$out")
  TALLY_LIMITED_CLIENT_SECRET=$(sed -n 's/^client_secret=//p' <<<"$out")
}

status=0
# suite NAME COMMAND...: runs a suite, keeping its output to count its closing line.
suite() {
  local name=$1
  shift
  "$@" | tee "$work/$name.txt" || status=1
}

echo "== JavaScript: @microsoft/microsoft-graph-client"
TALLY_TOKEN=$(token) NODE_EXTRA_CA_CERTS="$cert" suite js node sdk-tests/js/graph-client.test.cjs

echo "== JavaScript: @microsoft/microsoft-graph-client, the directory"
TALLY_TOKEN=$(directory_token) NODE_EXTRA_CA_CERTS="$cert" suite js-directory node sdk-tests/js/directory.test.cjs

echo "== JavaScript: @azure/identity sign-in, then @microsoft/microsoft-graph-client"
signin_apps
NODE_EXTRA_CA_CERTS="$cert" suite js-identity node sdk-tests/js/identity.test.cjs

echo "== Python: msgraph-core with kiota"
TALLY_TOKEN=$(token) SSL_CERT_FILE="$cert" suite python "$venv/bin/python" sdk-tests/python/test_graph_core.py

echo "== Python: msgraph-sdk (the full generated client), the directory"
# With a second token of the same tenant that may read users but not subscriptions (a 403).
sdk_tenant=$(cat /proc/sys/kernel/random/uuid)
TALLY_LIMITED_TOKEN=$("$tally" token --tenant "$sdk_tenant" --app --role User.Read.All --data-dir "$work/data") \
  TALLY_TOKEN=$("$tally" token --tenant "$sdk_tenant" --app --role Directory.ReadWrite.All \
    --role AuditLog.Read.All --data-dir "$work/data") \
  SSL_CERT_FILE="$cert" suite python-sdk "$venv/bin/python" sdk-tests/python/test_msgraph_sdk_directory.py

echo "== Python: msgraph-beta-sdk (the full generated beta client), the premium license insight"
TALLY_TOKEN=$(insight_token) SSL_CERT_FILE="$cert" suite python-beta-sdk "$venv/bin/python" sdk-tests/python/test_msgraph_beta_sdk_insight.py

echo "== Python: azure-identity sign-in, then msgraph-sdk"
signin_apps
SSL_CERT_FILE="$cert" suite python-identity "$venv/bin/python" sdk-tests/python/test_azure_identity_signin.py

# One closing line for all suites (a suite that died early counts as one failure).
passed=0
failed=0
for name in js js-directory js-identity python python-sdk python-beta-sdk python-identity; do
  line=$(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$work/$name.txt" | tail -n 1 || true)
  if [ -z "$line" ]; then
    failed=$((failed + 1))
    status=1
    continue
  fi
  passed=$((passed + $(echo "$line" | cut -d' ' -f1)))
  failed=$((failed + $(echo "$line" | cut -d' ' -f3)))
done
echo "sdk-tests: $passed passed, $failed failed"
exit $status
