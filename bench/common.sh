# Helpers shared by bench/run.sh and the benchmarks beside it (sourced): preparing a run, starting
# and stopping servers, recording figures, and running wrk. They read WORK, RAW and SECS, and
# add to the PIDS array.

log() { printf '\033[1m== %s\033[0m\n' "$*" >&2; }

cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
}

# start NAME COMMAND...: starts a server that prints "listening on URL"; sets URL_<NAME>, PID_<NAME>.
start() {
  local name=$1
  shift
  "$@" >"$WORK/$name.out" 2>"$WORK/$name.err" &
  local pid=$!
  PIDS+=("$pid")
  for _ in $(seq 1 600); do
    if grep -q 'listening on' "$WORK/$name.out" 2>/dev/null; then break; fi
    sleep 0.05
  done
  local url
  url=$(grep -o 'http://[0-9.:]*' "$WORK/$name.out" | head -1)
  [ -n "$url" ] || { cat "$WORK/$name.err" >&2; echo "$name did not start" >&2; exit 1; }
  printf -v "URL_$name" '%s' "$url"
  printf -v "PID_$name" '%s' "$pid"
}

stop() {
  local pid=$1
  kill -TERM "$pid" 2>/dev/null || true
  wait "$pid" 2>/dev/null || true
}

# record SCENARIO SUBJECT METRIC VALUE
record() { printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >>"$RAW"; }

# wrk_run SCENARIO SUBJECT CONNECTIONS URL [wrk args...]: records rps, p50_ms, p99_ms, non2xx.
wrk_run() {
  local scenario=$1 subject=$2 connections=$3 url=$4
  shift 4
  local threads=2
  [ "$connections" -lt 2 ] && threads=1
  local out
  out=$(wrk -t"$threads" -c"$connections" -d"${SECS}s" --latency "$@" "$url")
  echo "$out" >>"$WORK/wrk.log"
  local rps p50 p99 bad
  rps=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out" | to_ms)
  p99=$(awk '$1=="99%" {print $2}' <<<"$out" | to_ms)
  bad=$(awk '/Non-2xx or 3xx responses:/ {print $5}' <<<"$out")
  record "$scenario" "$subject" rps "$rps"
  record "$scenario" "$subject" p50_ms "$p50"
  record "$scenario" "$subject" p99_ms "$p99"
  record "$scenario" "$subject" requests "$(awk '/requests in/ {print $1}' <<<"$out")"
  record "$scenario" "$subject" non2xx "${bad:-0}"
  printf '   %-28s %-14s %10s req/s  p50 %7s ms  p99 %7s ms  non-2xx %s\n' \
    "$scenario" "$subject" "$rps" "$p50" "$p99" "${bad:-0}" >&2
}

to_ms() {
  awk '{ v=$1; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) }
         else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 } printf "%.3f\n", v }'
}


# prepare_bench: a fresh $WORK and $RAW, the servers stopped on exit, wrk installed (apt-get),
# and unless SKIP_BUILD is set, tally and the bench tools built in release.
prepare_bench() {
  rm -rf "$WORK"
  mkdir -p "$WORK"
  : >"$RAW"
  PIDS=()
  trap cleanup EXIT
  if ! command -v wrk >/dev/null; then
    log "installing wrk"
    apt-get update -qq && apt-get install -y -qq wrk >/dev/null
  fi
  if [ -z "${SKIP_BUILD:-}" ]; then
    log "building release"
    cargo build --release -q -p tally -p tally-bench
  fi
}
