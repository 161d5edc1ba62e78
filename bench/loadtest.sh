#!/usr/bin/env bash
# loadtest.sh: load over real sockets. Starts each target (cmd/loadserver)
# on 127.0.0.1, warms it, and drives it with wrk (installed with apt-get
# when missing) or, failing that, cmd/loadgen. Each run lasts at most 30 s.
# The targets take turns, LOAD_ROUNDS times, so a machine whose load
# changes meanwhile (a shared one) affects them alike; cmd/report takes the
# median of the rounds.
#
# Environment (defaults in brackets):
#   OUT               where results go [$HOARD_CACHE_DIR/bench, else ../.cache/bench];
#                     raw output in $OUT/load/
#   LOAD_SECONDS      seconds per measured run, 1..30 [5]
#   LOAD_ROUNDS       rounds over all targets [3]
#   LOAD_CONNECTIONS  concurrent connections [50]
#   LOAD_THREADS      wrk threads [1: the other core is the server's]
#   LOAD_TARGETS      space-separated targets (go run ./cmd/loadserver -h)
#   LOAD_TOOL         wrk or loadgen [wrk if it can be had]
set -euo pipefail
cd "$(dirname "$0")"
OUT=${OUT:-${HOARD_CACHE_DIR:-$(cd .. && pwd)/.cache}/bench}
seconds=${LOAD_SECONDS:-5}
rounds=${LOAD_ROUNDS:-3}
conns=${LOAD_CONNECTIONS:-50}
threads=${LOAD_THREADS:-1}
targets=${LOAD_TARGETS:-"nethttp/bare nethttp/hoard echo/bare echo/hoard fiber/bare fiber/hoard fiber/fiber-cache fiberv3/bare fiberv3/fiber-cache"}
if ! [[ "$rounds" =~ ^[0-9]+$ ]] || [ "$rounds" -lt 1 ]; then echo "loadtest: LOAD_ROUNDS=$rounds: want >= 1" >&2; exit 2; fi
if ! [[ "$seconds" =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ] || [ "$seconds" -gt 30 ]; then
  echo "loadtest: LOAD_SECONDS=$seconds: want 1..30" >&2; exit 2
fi

tool=${LOAD_TOOL:-}
if [ -z "$tool" ]; then
  if ! command -v wrk >/dev/null; then
    echo "loadtest: installing wrk (apt)"
    { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends wrk; } >/dev/null 2>&1 || true
  fi
  if command -v wrk >/dev/null; then tool=wrk; else tool=loadgen; echo "loadtest: wrk unavailable, using cmd/loadgen"; fi
fi

dir="$OUT/load"
if [ -z "${BENCH_LOCKED:-}" ]; then # run.sh holds the lock when it calls this
  mkdir -p "$(dirname "$OUT")"
  exec 9>"$OUT.lock"
  flock -n 9 || { echo "loadtest: another make bench is writing $OUT" >&2; exit 1; }
fi
rm -rf "$dir"; mkdir -p "$dir"
go build -o "$dir/loadserver" ./cmd/loadserver
[ "$tool" = loadgen ] && go build -o "$dir/loadgen" ./cmd/loadgen

server=""
stop_server() {
  if [ -n "$server" ]; then kill -TERM "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi
}
trap stop_server EXIT

drive() { # drive URL SECONDS CONNECTIONS
  if [ "$tool" = wrk ]; then
    wrk -t"$threads" -c"$3" -d"$2"s --latency "$1"
  else
    "$dir/loadgen" -url "$1" -d "$2"s -c "$3"
  fi
}

echo "tool $tool, ${seconds}s per run, $conns connections, $threads wrk threads, $rounds rounds" > "$dir/settings"
for round in $(seq "$rounds"); do
  for t in $targets; do
    f="$dir/$(echo "$t" | tr / _).r$round"
    "$dir/loadserver" -target "$t" -max $((seconds + 60))s >"$f.server" 2>&1 &
    server=$!
    addr=""
    for _ in $(seq 100); do
      # The server's shell may not have created the file yet.
      addr=$(awk '/^LISTEN /{print $2; exit}' "$f.server" 2>/dev/null || true)
      [ -n "$addr" ] && break
      kill -0 "$server" 2>/dev/null || break
      sleep 0.1
    done
    if [ -z "$addr" ]; then echo "loadtest: $t did not start:"; cat "$f.server"; exit 1; fi
    url="http://$addr/items?page=1"
    drive "$url" 1 4 >/dev/null # warm: the first request fills the cache
    drive "$url" "$seconds" "$conns" >"$f.$tool"
    stop_server
    runs=$(awk '/^RUNS /{print $2}' "$f.server" 2>/dev/null || true)
    echo "round $round $t: $(grep -E 'Requests/sec|99%|"rps"' "$f.$tool" | tr -s ' ' | tr '\n' ' ') origin runs ${runs:-?}"
  done
done
