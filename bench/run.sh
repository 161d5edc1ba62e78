#!/usr/bin/env bash
# run.sh: what `make bench` runs. Hit cost in process (go test -bench, with
# benchstat), the miss storm over loopback, the memory bound in processes of
# their own, load over sockets (loadtest.sh), CPU profiles of the hoard hits;
# then cmd/report prints one "BENCH <name> <value>" line per comparison and
# writes BENCHMARKS.md at the repository root. Raw outputs stay in $OUT.
#
# Environment (defaults in brackets):
#   OUT          raw outputs [$HOARD_CACHE_DIR/bench, else ../.cache/bench]
#   BENCH_COUNT  runs of each hit benchmark [6]
#   BENCH_TIME   -benchtime of each hit benchmark [500ms]
#   LOAD_*       see loadtest.sh (LOAD_SECONDS [5], LOAD_ROUNDS [3], ...)
set -euo pipefail
cd "$(dirname "$0")"
root=$(cd .. && pwd)
OUT=${OUT:-${HOARD_CACHE_DIR:-$root/.cache}/bench}
count=${BENCH_COUNT:-6}
benchtime=${BENCH_TIME:-500ms}
export OUT
# One run at a time: a second one would delete this one's outputs.
mkdir -p "$(dirname "$OUT")"
exec 9>"$OUT.lock"
flock -n 9 || { echo "run.sh: another make bench is writing $OUT" >&2; exit 1; }
export BENCH_LOCKED=1
rm -rf "$OUT"; mkdir -p "$OUT/profiles"
step() { echo "== $* ($(date -u +%H:%M:%S), load average $(cut -d' ' -f1-3 /proc/loadavg))" >&2; }

{
  echo "nproc=$(nproc)"
  echo "cpu=$(awk -F': ' '/^model name/{print $2; exit}' /proc/cpuinfo)"
  echo "memory=$(awk '/^MemTotal/{printf "%.1f GiB", $2/1048576}' /proc/meminfo)"
  echo "go=$(go version)"
  echo "kernel=$(uname -sr)"
  echo "loadavg_start=$(cut -d' ' -f1-3 /proc/loadavg)"
  echo "settings=BENCH_COUNT=$count BENCH_TIME=$benchtime LOAD_SECONDS=${LOAD_SECONDS:-5} LOAD_ROUNDS=${LOAD_ROUNDS:-3} LOAD_CONNECTIONS=${LOAD_CONNECTIONS:-50}"
} >"$OUT/env.txt"

step "hit cost: $count rounds, -benchtime $benchtime"
go test -c -o "$OUT/bench.test" .
# Rounds rather than -count: each round runs every target once, so each
# target's runs are spread over the whole step and a slow spell of the
# shared machine falls on all targets alike instead of on whichever ran
# then.
: >"$OUT/hit.txt"
for round in $(seq "$count"); do
  echo "-- round $round of $count" >&2
  "$OUT/bench.test" -test.run '^$' -test.bench '^BenchmarkHit(Parallel)?$' -test.benchmem \
    -test.count 1 -test.benchtime "$benchtime" -test.timeout 60m | tee -a "$OUT/hit.txt" >&2
done
go tool benchstat "$OUT/hit.txt" >"$OUT/benchstat.txt"

step "miss storm"
"$OUT/bench.test" -test.run '^$' -test.bench '^BenchmarkMissStorm$' -test.benchtime 1x \
  -test.timeout 10m | tee "$OUT/storm.txt" >&2

step "memory bound"
go build -o "$OUT/membound" ./cmd/membound
"$OUT/membound" -o "$OUT/memory-default.json"
"$OUT/membound" -set-memlimit -o "$OUT/memory-memlimit.json"

step "load over sockets"
./loadtest.sh >&2

step "CPU profiles of hits"
for spec in nethttp/hoard-memory echo/hoard-memory fiber/hoard-memory fiber/fiber-cache remember/hoard-redis remember/go-redis-cache-once; do
  fw=${spec%/*} variant=${spec#*/}
  prof="$OUT/profiles/$fw-$variant.cpu.prof"
  "$OUT/bench.test" -test.run '^$' -test.bench "^BenchmarkHit\$/^$fw\$/^$variant\$" -test.benchtime 2s \
    -test.cpuprofile "$prof" >/dev/null
  {
    echo "# go tool pprof -top -cum -nodecount 30"
    go tool pprof -top -cum -nodecount 30 "$OUT/bench.test" "$prof" 2>/dev/null | sed -n '/flat%/,$p'
    echo
    echo "# go tool pprof -top -nodecount 20"
    go tool pprof -top -nodecount 20 "$OUT/bench.test" "$prof" 2>/dev/null | sed -n '/flat%/,$p'
  } >"$OUT/profiles/$fw-$variant.top"
done

echo "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)" >>"$OUT/env.txt"
go run ./cmd/report -dir "$OUT" -o "$root/BENCHMARKS.md" -notes NOTES.md
